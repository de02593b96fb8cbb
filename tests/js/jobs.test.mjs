// jobs.js: what the worker keeps when a run ends without a report, and end times that run
// on their own — beside a job waiting for the seller, and again after an interrupted
// removal — each in its own account. The core is a stand-in here (its rules are tested in
// Rust); chrome is in memory.
import assert from 'node:assert/strict';
import { register } from 'node:module';
import { beforeEach, describe, test } from 'node:test';
import { fakeChrome } from './fakes/chrome.mjs';
import { freshIndexedDB } from './fakes/indexeddb.mjs';

register('./fakes/hooks.mjs', import.meta.url);
const { fakeCore, report, row } = await import('./fakes/core.mjs');

const TOKEN = 'test-token';
const ACCOUNT = 'u1';
let chrome;
let workers = 0;

/** The jobs module as a freshly started worker has it (its own memory, the same storage),
 * with `store` and `session` of the account the tests work in. */
async function freshWorker() {
  workers += 1;
  const jobs = await import(`../../extension/jobs.js?worker=${workers}`);
  const accounts = await import(`../../extension/accounts.js?worker=${workers}`);
  const storage = await import(`../../extension/storage.js?worker=${workers}`);
  return { ...jobs, store: storage.account(ACCOUNT), session: () => accounts.session(ACCOUNT) };
}

function plan(count, title = 'Apply SUMMER') {
  const steps = Array.from({ length: count }, (_, index) => ({
    index,
    productId: `p${index}`,
    productName: `Product ${index}`,
    action: { type: 'createCode' },
  }));
  return { title, operation: 'applyCode', steps };
}

const event = (type, index, extra = {}) => ({ type, index, productName: `Product ${index}`, progress: { done: 0, total: 3, inFlight: 1 }, ...extra });

async function until(check, what) {
  for (let waited = 0; !(await check()); waited += 5) {
    assert.ok(waited < 2000, `waited too long for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** What the account keeps under the logical `key`. */
const stored = (key) => chrome.data.get(`acct.${ACCOUNT}.${key}`);
const keep = (key, value) => chrome.data.set(`acct.${ACCOUNT}.${key}`, value);

beforeEach(() => {
  chrome = fakeChrome();
  globalThis.chrome = chrome;
  freshIndexedDB();
  chrome.data.set('accounts', { active: ACCOUNT, list: [{ id: ACCOUNT, name: 'Store One', email: null, needsReconnect: false }] });
  keep('auth.token', TOKEN);
  fakeCore.calls = [];
  fakeCore.execute = null;
});

describe('a run that ends without a report', () => {
  test('leaves its steps in flight "unknown" (never "not run") and the job ready to resume', async () => {
    const jobs = await freshWorker();
    const applyPlan = plan(3);
    fakeCore.execute = async (token, p, onEvent) => {
      await onEvent(event('stepStarted', 0));
      await onEvent(event('stepStarted', 1));
      await onEvent(event('stepFinished', 0, { row: row(p.steps[0], 'applied') }));
      // The core fails with step 1's request on its way (a trap, a broken answer).
      throw new Error('RuntimeError: unreachable');
    };
    const { previewId } = await jobs.keepPreview(jobs.store, applyPlan);
    const { jobId } = await jobs.startJob(await jobs.session(), { previewId });
    await until(() => stored('jobs.current')?.status !== 'running', 'the run to end');

    const job = stored('jobs.current');
    assert.equal(job.status, 'interrupted');
    assert.match(job.error.message, /unreachable/);
    assert.deepEqual(job.inFlight, []);
    const rows = (await jobs.jobReport(jobs.store, jobId)).rows.map((r) => r.outcome.status);
    assert.deepEqual(rows, ['applied', 'unknown', 'notRun']);

    // Resume re-plans what is left (the unknown step and the one never started).
    fakeCore.execute = async (token, p) => report(p, p.steps.map((s) => row(s, 'applied')));
    await jobs.resumeJob(await jobs.session(), jobId);
    await until(() => stored('jobs.current')?.status === 'finished', 'the resumed run to finish');
    assert.deepEqual(fakeCore.calls.at(-1).plan.steps.map((s) => s.index), [1, 2]);
  });
});

describe('end times', () => {
  /** A finished job of the past with an end time `endAt`, as `finish` keeps it. */
  function finishedWithEndTime(id, endAt) {
    const p = plan(2, `Apply ${id}`);
    keep(`plans.${id}`, p);
    keep(`reports.${id}`, report(p, p.steps.map((s) => row(s, 'applied'))));
    return { id, label: p.title, operation: 'applyCode', status: 'finished', createdAt: new Date(0).toISOString(), endAt };
  }

  const past = () => new Date(Date.now() - 1000).toISOString();
  const entry = (id) => stored('jobs.history').find((e) => e.id === id);

  test('run while the seller\'s job waits interrupted, and leave that job and their preview alone', async () => {
    const interrupted = { id: 'waiting', label: 'Raise prices', status: 'interrupted', inFlight: [], progress: { done: 1, total: 3 } };
    keep('jobs.current', interrupted);
    keep('jobs.history', [finishedWithEndTime('FLASH', past())]);
    keep('jobs.preview', { id: 'theirs', plan: plan(1, 'Apply NEXT') });
    fakeCore.execute = async (token, p) => report(p, p.steps.map((s) => row(s, 'applied')));

    const jobs = await freshWorker();
    await jobs.runDueEndTimes();
    await until(() => stored('jobs.endTime')?.status === 'finished', 'the removal to finish');
    await jobs.settled();

    assert.equal(fakeCore.calls.find((c) => c.call === 'previewUndo').purpose, 'endTime');
    assert.equal(fakeCore.calls.find((c) => c.call === 'executePlan').plan.title, 'End time: Apply FLASH');
    assert.deepEqual(stored('jobs.current'), interrupted);
    assert.equal((await jobs.store.get('jobs.preview')).id, 'theirs');
    assert.equal(entry('FLASH').endAt, null);
    const removal = stored('jobs.history').find((e) => e.endTimeOf === 'FLASH');
    assert.equal(removal.status, 'finished');
  });

  test('wait behind a running job and ask again soon', async () => {
    keep('jobs.current', { id: 'busy', status: 'running', inFlight: [], createdAt: new Date().toISOString(), progress: { done: 0, total: 3 } });
    keep('plans.busy', plan(3));
    keep('auth.token', TOKEN);
    keep('jobs.history', [finishedWithEndTime('FLASH', past())]);
    const jobs = await freshWorker();
    // This worker did not start "busy": the start-up check marks it interrupted first, so
    // the end time runs; a job this worker runs is the one that holds it back.
    await jobs.recoverInterrupted();
    assert.equal(stored('jobs.current').status, 'interrupted');

    let release;
    fakeCore.execute = (token, p) => new Promise((resolve) => (release = () => resolve(report(p, p.steps.map((s) => row(s, 'applied'))))));
    const { previewId } = await jobs.keepPreview(jobs.store, plan(1, 'Apply OTHER'));
    await jobs.discardJob(jobs.store, 'busy');
    await jobs.startJob(await jobs.session(), { previewId });
    await jobs.runDueEndTimes();
    assert.equal(stored('jobs.endTime'), undefined, 'nothing started beside the running job');
    assert.ok(chrome.alarmList.has(`endtime:${ACCOUNT}:FLASH`), 'asked again soon');
    assert.equal(entry('FLASH').endAt != null, true);

    // The running job ends: the end time runs right after.
    fakeCore.execute = async (token, p) => {
      return report(p, p.steps.map((s) => row(s, 'applied')));
    };
    release();
    await until(() => stored('jobs.endTime')?.status === 'finished', 'the removal after the job');
    await jobs.settled();
    assert.equal(entry('FLASH').endAt, null);
  });

  test('a removal stopped midway is closed, keeps its end time and runs again from a fresh read', async () => {
    const endAt = past();
    keep('jobs.history', [finishedWithEndTime('FLASH', endAt)]);
    const removalPlan = plan(2, 'End time: Apply FLASH');
    keep('plans.gone', removalPlan);
    keep('jobs.endTime', { id: 'gone', endTimeOf: 'FLASH', undoOf: 'FLASH', label: removalPlan.title, status: 'running', inFlight: [1], createdAt: new Date().toISOString(), progress: { done: 1, total: 2 } });
    keep('jobrows.gone.0', row(removalPlan.steps[0], 'applied'));

    const jobs = await freshWorker();
    await jobs.recoverInterrupted();
    assert.equal(stored('jobs.endTime').status, 'failed');
    assert.deepEqual((await jobs.store.get('reports.gone')).rows.map((r) => r.outcome.status), ['applied', 'unknown']);
    assert.equal(entry('FLASH').endAt, endAt, 'the end time stays');
    assert.match(entry('FLASH').endError, /stopped before the codes were all removed/);
    assert.ok(chrome.alarmList.has(`endtime:${ACCOUNT}:FLASH`));

    fakeCore.execute = async (token, p) => report(p, p.steps.map((s) => row(s, 'applied')));
    await jobs.runDueEndTimes();
    await until(() => entry('FLASH').endAt === null, 'the second removal');
    assert.equal(entry('FLASH').endError, null);
  });

  test('a removal with failed steps keeps the end time, says why and tries again', async () => {
    const endAt = past();
    keep('jobs.history', [finishedWithEndTime('FLASH', endAt)]);
    fakeCore.execute = async (token, p) => report(p, [row(p.steps[0], 'applied'), row(p.steps[1], 'failed')]);
    const jobs = await freshWorker();
    await jobs.runDueEndTimes();
    await until(() => stored('jobs.endTime')?.status === 'finished', 'the removal');
    await jobs.settled();
    assert.equal(entry('FLASH').endAt, endAt);
    assert.match(entry('FLASH').endError, /1 failed/);
    assert.ok(chrome.alarmList.has(`endtime:${ACCOUNT}:FLASH`));
  });

  test('cancelling the end time while its removal runs stops the removal and keeps the codes', async () => {
    keep('jobs.history', [finishedWithEndTime('FLASH', past())]);
    let answered = 0;
    fakeCore.execute = async (token, p, onEvent) => {
      const control = await onEvent(event('stepStarted', 0));
      answered += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
      const next = await onEvent(event('stepFinished', 0, { row: row(p.steps[0], 'applied') }));
      const cancelled = control === 'cancel' || next === 'cancel';
      return { ...report(p, [row(p.steps[0], 'applied'), row(p.steps[1], 'notRun')]), cancelled };
    };
    const jobs = await freshWorker();
    await jobs.runDueEndTimes();
    await until(() => answered === 1, 'the first step');
    await jobs.cancelEndTime(jobs.store, 'FLASH');
    await until(() => ['cancelled', 'finished'].includes(stored('jobs.endTime')?.status), 'the removal to stop');
    assert.equal(stored('jobs.endTime').status, 'cancelled');
    assert.equal(entry('FLASH').endAt, null);
    assert.equal(entry('FLASH').endError, null);
    assert.ok(!chrome.alarmList.has(`endtime:${ACCOUNT}:FLASH`));
  });
});
