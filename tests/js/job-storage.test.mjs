// Where a job's data lives and what a full storage does to it: plans, rows, reports,
// previews and the product list in IndexedDB, one row write per step; a disk that fills
// mid-job stops the job as interrupted ("storage full: …") with the step it could not save
// kept in flight, so it becomes "unknown" and is re-read; Discard and Resume still work,
// Resume finishes once there is room; what an earlier version kept in chrome.storage moves
// to IndexedDB at worker start, or is read where it is when it cannot move.
import assert from 'node:assert/strict';
import { register } from 'node:module';
import { beforeEach, describe, test } from 'node:test';
import { fakeChrome } from './fakes/chrome.mjs';
import { fillAfter, freeSpace, freshIndexedDB } from './fakes/indexeddb.mjs';

register('./fakes/hooks.mjs', import.meta.url);
const { fakeCore, report, row } = await import('./fakes/core.mjs');

const ACCOUNT = 'u1';
let chrome;
let workers = 0;

/** The worker's modules as a freshly started worker has them, with the account's storage
 * view (`store`), its session and its IndexedDB records (`records`). */
async function freshWorker() {
  workers += 1;
  const load = (name) => import(`../../extension/${name}.js?worker=${workers}`);
  const [jobs, accounts, storage, records] = await Promise.all([load('jobs'), load('accounts'), load('storage'), load('account-records')]);
  return { ...jobs, accounts, storage, records, store: storage.account(ACCOUNT), session: () => accounts.session(ACCOUNT) };
}

function plan(count, title = 'Apply SUMMER') {
  const steps = Array.from({ length: count }, (_, index) => ({ index, productId: `p${index}`, productName: `Product ${index}`, action: { type: 'createCode' } }));
  return { title, operation: 'applyCode', steps };
}

const event = (type, index, extra = {}) => ({ type, index, productName: `Product ${index}`, progress: { done: 0, total: 5, inFlight: 1 }, ...extra });

/** A run as the engine makes it, one step at a time: an event before each step's request
 * and one after it with its row; "cancel" starts nothing more. `sent` collects the steps
 * whose requests went out. */
function engine(sent) {
  return async (token, p, onEvent) => {
    const rows = new Map();
    let cancelled = false;
    for (const step of p.steps) {
      if ((await onEvent(event('stepStarted', step.index))) === 'cancel') {
        cancelled = true;
        await onEvent(event('stepFinished', step.index));
        break;
      }
      sent.push(step.index);
      rows.set(step.index, row(step, 'applied'));
      if ((await onEvent(event('stepFinished', step.index, { row: rows.get(step.index) }))) === 'cancel') {
        cancelled = true;
        break;
      }
    }
    await onEvent({ type: 'finished', progress: { done: rows.size, total: p.steps.length, inFlight: 0 } });
    return { ...report(p, p.steps.map((s) => rows.get(s.index) ?? row(s, 'notRun'))), cancelled };
  };
}

async function until(check, what) {
  for (let waited = 0; !(await check()); waited += 5) {
    assert.ok(waited < 2000, `waited too long for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** The small record the account keeps under `key` in chrome.storage. */
const small = (key) => chrome.data.get(`acct.${ACCOUNT}.${key}`);

beforeEach(() => {
  chrome = fakeChrome();
  globalThis.chrome = chrome;
  freshIndexedDB();
  chrome.data.set('accounts', { active: ACCOUNT, list: [{ id: ACCOUNT, name: 'Store One', email: null, needsReconnect: false }] });
  chrome.data.set(`acct.${ACCOUNT}.auth.token`, 'test-token');
  fakeCore.calls = [];
  fakeCore.execute = null;
});

/** A job of five steps whose disk fills when the row of its second step is written: the
 * plan and the first row are kept, nothing after. Resolves once the run has ended. */
async function jobThatFillsTheDisk(jobs, sent) {
  fakeCore.execute = engine(sent);
  const { previewId } = await jobs.keepPreview(jobs.store, plan(5));
  // Writes from here: the plan (1), step 0's row (2); step 1's row is refused.
  fillAfter(2);
  const { jobId } = await jobs.startJob(await jobs.session(), { previewId });
  await until(() => small('jobs.current')?.status !== 'running', 'the run to end');
  return jobId;
}

describe('a full storage while a job runs', () => {
  test('stops it as interrupted in the core\'s words; no step starts after; the unsaved step stays in flight', async () => {
    const jobs = await freshWorker();
    const sent = [];
    const jobId = await jobThatFillsTheDisk(jobs, sent);

    const job = small('jobs.current');
    assert.equal(job.status, 'interrupted');
    assert.equal(job.error.kind, 'Storage');
    assert.equal(job.error.message, 'storage full: jobProgress');
    assert.deepEqual(sent, [0, 1], 'the step after the failed checkpoint was never sent');
    assert.deepEqual(job.inFlight, [1], 'the step whose row was refused is still in flight');
    assert.deepEqual(await jobs.records.keys(ACCOUNT), [`jobrows.${jobId}.0`, `plans.${jobId}`]);
    const listed = await jobs.listJobs(jobs.store);
    assert.equal(listed.current.status, 'interrupted');
  });

  test('Discard, with the disk still full, ends the job and says its report could not be kept', async () => {
    const jobs = await freshWorker();
    const jobId = await jobThatFillsTheDisk(jobs, []);
    await jobs.discardJob(jobs.store, jobId);

    assert.equal(small('jobs.current').status, 'cancelled');
    const [line] = small('jobs.history');
    assert.equal(line.id, jobId);
    assert.equal(line.error.message, 'storage full: report');
    assert.equal(line.canUndo, false);
    assert.equal(line.canRetry, false);
    assert.deepEqual(await jobs.records.keys(ACCOUNT), [], 'its rows and plan give their room back');
  });

  test('Discard with room keeps a report where the unsaved step is unknown', async () => {
    const jobs = await freshWorker();
    const jobId = await jobThatFillsTheDisk(jobs, []);
    freeSpace();
    await jobs.discardJob(jobs.store, jobId);
    const kept = await jobs.store.get(`reports.${jobId}`);
    assert.deepEqual(kept.rows.map((r) => r.outcome.status), ['applied', 'unknown', 'notRun', 'notRun', 'notRun']);
    assert.equal(small('jobs.history')[0].canRetry, true);
  });

  test('Resume says "storage full" while it is, then re-reads the unsaved step and finishes once there is room', async () => {
    const jobs = await freshWorker();
    const jobId = await jobThatFillsTheDisk(jobs, []);

    await assert.rejects(jobs.resumeJob(await jobs.session(), jobId), { kind: 'Storage', message: 'storage full: jobProgress' });
    assert.equal(small('jobs.current').status, 'interrupted');
    assert.deepEqual(small('jobs.current').inFlight, [1], 'still in flight after the refused resume');

    freeSpace();
    let replanned = null;
    const replan = fakeCore.replan;
    fakeCore.replan = async (token, p, r) => {
      replanned = r.rows.map((x) => x.outcome.status);
      return replan.call(fakeCore, token, p, r);
    };
    try {
      const sent = [];
      fakeCore.execute = engine(sent);
      await jobs.resumeJob(await jobs.session(), jobId);
      await until(() => small('jobs.current')?.status === 'finished', 'the resumed run to finish');
      assert.deepEqual(replanned, ['applied', 'unknown', 'notRun', 'notRun', 'notRun'], 'resume re-plans from a report with the unsaved step unknown');
      assert.deepEqual(sent, [1, 2, 3, 4]);
      const kept = await jobs.store.get(`reports.${jobId}`);
      assert.deepEqual(kept.rows.map((r) => r.outcome.status), Array(5).fill('applied'));
    } finally {
      fakeCore.replan = replan;
    }
  });

  test('a worker started again finds the job interrupted and its unsaved step unknown', async () => {
    const first = await freshWorker();
    const jobId = await jobThatFillsTheDisk(first, []);
    freeSpace();
    const jobs = await freshWorker();
    assert.equal((await jobs.listJobs(jobs.store)).current.status, 'interrupted');
    const rows = (await jobs.jobReport(jobs.store, jobId)).rows.map((r) => r.outcome.status);
    assert.deepEqual(rows, ['applied', 'notRun', 'notRun', 'notRun', 'notRun'], 'no row was kept for step 1');
    await jobs.discardJob(jobs.store, jobId);
    const kept = await jobs.store.get(`reports.${jobId}`);
    assert.equal(kept.rows[1].outcome.status, 'unknown', 'settled from the record: in flight');
  });

  test('when the job record cannot be written either, the job is still shown, resumed and discarded as interrupted', async () => {
    const jobs = await freshWorker();
    const sent = [];
    fakeCore.execute = engine(sent);
    const { previewId } = await jobs.keepPreview(jobs.store, plan(5));
    fillAfter(2);
    // chrome.storage fills at the same moment as the disk's IndexedDB.
    const set = chrome.storage.local.set;
    chrome.storage.local.set = async (entries) => {
      if (Object.keys(entries).some((k) => k.endsWith('.jobs.current')) && sent.length >= 2) chrome.full = true;
      return set(entries);
    };
    const { jobId } = await jobs.startJob(await jobs.session(), { previewId });
    await until(async () => (await jobs.listJobs(jobs.store)).current.status === 'interrupted', 'the run to end');
    assert.equal(small('jobs.current').status, 'running', 'the record in storage could not be rewritten');
    assert.ok(small('jobs.current').inFlight.includes(1), 'but it lists the unsaved step in flight');
    const { current } = await jobs.listJobs(jobs.store);
    assert.match(current.error.message, /^storage full/);
    assert.equal((await jobs.pendingJobs())[0].job.status, 'interrupted');
    await assert.rejects(jobs.discardJob(jobs.store, jobId), { kind: 'Storage' });

    chrome.storage.local.set = set;
    chrome.full = false;
    freeSpace();
    await jobs.discardJob(jobs.store, jobId);
    assert.equal(small('jobs.current').status, 'cancelled');
    assert.equal((await jobs.store.get(`reports.${jobId}`)).rows[1].outcome.status, 'unknown');
  });
});

describe('with a full storage, nothing new starts', () => {
  test('a new preview fails with "storage full"', async () => {
    const jobs = await freshWorker();
    fillAfter(0);
    await assert.rejects(jobs.keepPreview(jobs.store, plan(2)), { kind: 'Storage', message: 'storage full: preview' });
  });

  test('starting a job fails with "storage full", sends nothing and keeps the preview', async () => {
    const jobs = await freshWorker();
    const { previewId } = await jobs.keepPreview(jobs.store, plan(2));
    fillAfter(0);
    await assert.rejects(jobs.startJob(await jobs.session(), { previewId }), { kind: 'Storage', message: 'storage full: jobStart' });
    assert.equal(fakeCore.calls.filter((c) => c.call === 'executePlan').length, 0);
    assert.equal(small('jobs.current'), undefined);
    assert.equal((await jobs.store.get('jobs.preview')).id, previewId);
  });
});

test('a checkpoint is one row in IndexedDB and the small job record, whatever the size of the job', async () => {
  const jobs = await freshWorker();
  fakeCore.execute = engine([]);
  const steps = 60;
  const { previewId } = await jobs.keepPreview(jobs.store, plan(steps));
  chrome.sets.length = 0;
  await jobs.startJob(await jobs.session(), { previewId });
  await until(() => small('jobs.current')?.status === 'finished', 'the run');
  // Each step: one write at its start and one after it, each only the job record.
  const during = chrome.sets.slice(1, 1 + 2 * steps);
  assert.ok(during.every((keys) => keys.length === 1 && keys[0] === `acct.${ACCOUNT}.jobs.current`), 'only the job record goes to chrome.storage');
  const records = chrome.sets.filter((keys) => keys.includes(`acct.${ACCOUNT}.jobs.current`));
  assert.ok(records.length >= 2 * steps);
  const sizes = [];
  const set = chrome.storage.local.set;
  // The record's size does not grow with the number of steps done.
  chrome.storage.local.set = async (entries) => {
    sizes.push(JSON.stringify(entries).length);
    return set(entries);
  };
  const { previewId: next } = await jobs.keepPreview(jobs.store, plan(steps, 'Apply AUTUMN'));
  await jobs.startJob(await jobs.session(), { previewId: next });
  await until(() => small('jobs.current')?.label === 'Apply AUTUMN' && small('jobs.current').status === 'finished', 'the second run');
  const checkpoints = sizes.slice(1, 2 * steps);
  assert.ok(Math.max(...checkpoints) - Math.min(...checkpoints) < 40, `checkpoint sizes ${Math.min(...checkpoints)}–${Math.max(...checkpoints)} bytes`);
});

describe('what an earlier version kept in chrome.storage', () => {
  const earlier = (key) => `acct.${ACCOUNT}.${key}`;
  function keepAsBefore(p) {
    chrome.data.set(earlier('plans.j1'), p);
    chrome.data.set(earlier('reports.j1'), report(p, p.steps.map((s) => row(s, 'applied'))));
    chrome.data.set(earlier('jobs.history'), [{ id: 'j1', label: p.title, operation: 'applyCode', status: 'finished', createdAt: new Date(0).toISOString(), canUndo: true }]);
    chrome.data.set(earlier('plans.j2'), plan(3, 'Apply OTHER'));
    chrome.data.set(earlier('jobrows.j2.0'), row(plan(3).steps[0], 'applied'));
    chrome.data.set(earlier('jobs.current'), { id: 'j2', label: 'Apply OTHER', status: 'interrupted', inFlight: [1], createdAt: new Date(0).toISOString(), progress: { done: 1, total: 3 } });
    chrome.data.set(earlier('jobs.preview'), { id: 'pv', plan: plan(1) });
    chrome.data.set(earlier('cache.productList'), { items: [{ id: 'p0' }], fetchedAt: 'then' });
  }

  test('moves to IndexedDB at worker start; its jobs, reports and undo work from there', async () => {
    const p = plan(2, 'Apply OLD');
    keepAsBefore(p);
    const jobs = await freshWorker();
    await jobs.accounts.index();

    for (const key of ['plans.j1', 'reports.j1', 'plans.j2', 'jobrows.j2.0', 'jobs.preview', 'cache.productList']) {
      assert.ok(!chrome.data.has(earlier(key)), `${key} left chrome.storage`);
    }
    assert.deepEqual((await jobs.records.keys(ACCOUNT)).sort(), ['cache.productList', 'jobrows.j2.0', 'jobs.preview', 'plans.j1', 'plans.j2', 'reports.j1']);
    assert.ok(chrome.data.has(earlier('jobs.history')) && chrome.data.has(earlier('jobs.current')), 'small records stay');

    const rows = (await jobs.jobReport(jobs.store, 'j2')).rows.map((r) => r.outcome.status);
    assert.deepEqual(rows, ['applied', 'notRun', 'notRun']);
    const undo = await jobs.previewUndo(await jobs.session(), 'j1');
    assert.equal(undo.plan.steps.length, 2, 'the undo is planned from the moved report');
    await jobs.discardJob(jobs.store, 'j2');
    assert.equal((await jobs.store.get('reports.j2')).rows[1].outcome.status, 'unknown');
  });

  test('stays readable where it is when IndexedDB has no room for it, and moves at a later start', async () => {
    const p = plan(2, 'Apply OLD');
    keepAsBefore(p);
    fillAfter(0);
    const jobs = await freshWorker();
    await jobs.accounts.index();
    assert.ok(chrome.data.has(earlier('reports.j1')), 'not moved');
    assert.deepEqual(await jobs.records.keys(ACCOUNT), []);
    assert.deepEqual((await jobs.store.get('reports.j1')).rows.length, 2);
    const rows = (await jobs.jobReport(jobs.store, 'j2')).rows.map((r) => r.outcome.status);
    assert.deepEqual(rows, ['applied', 'notRun', 'notRun']);

    freeSpace();
    const later = await freshWorker();
    await later.accounts.index();
    assert.ok(!chrome.data.has(earlier('reports.j1')));
    assert.equal((await later.store.get('reports.j1')).rows.length, 2);
  });

  test('a record written since in IndexedDB is newer than an earlier copy and stays', async () => {
    chrome.data.set(earlier('cache.productList'), { items: [], fetchedAt: 'then' });
    const setup = await freshWorker();
    await setup.records.set(ACCOUNT, { 'cache.productList': { items: [{ id: 'new' }], fetchedAt: 'now' } });
    const jobs = await freshWorker();
    await jobs.accounts.index();
    assert.equal((await jobs.store.get('cache.productList')).fetchedAt, 'now');
    assert.ok(!chrome.data.has(earlier('cache.productList')));
  });
});
