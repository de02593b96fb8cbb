// jobs.js — bulk jobs in the service worker: start a previewed plan, save its progress
// after every step, cancel, resume after the worker was stopped, undo, retry, end times.
//
// This module stores and relays; the wasm core decides. The plan, the rows and the reports
// are kept in IndexedDB and the small job record in chrome.storage (storage.js decides
// which key goes where), never only in memory: after every step the worker saves the one
// row the core handed over with the step's event (rows have a key each) and then the small
// job record, so the cost of saving does not grow with the job, and a worker stopped
// between the two writes leaves a saved row whose step the record still lists in flight —
// the row stands, nothing is lost. A worker Chrome stops mid-job
// leaves a job that the next worker marks "interrupted" (the core turns its steps in flight
// into "unknown" rows), and Resume re-reads Gumroad and re-plans what is left (the core's
// `replan`), so nothing is applied twice. Reports, their counts, what a finished job offers
// (undo, retry, its end time) and job titles come from the core too. Every change of a
// job's status goes through one queue (`exclusive`), so two pages (or a page and an alarm)
// cannot both start or resume it.
//
// Every job belongs to one account: it lives in that account's storage (`store`, from
// `storage.account`) and spends only that account's token (`session`, from
// `accounts.session`), whichever account the pages show. One job runs at a time per
// account, in two slots: the seller's job (`jobs.current`: running, interrupted and waiting
// for them, or last finished) and the removal an end time runs (`jobs.endTime`). An end
// time waits for a running job but never for one waiting for the seller, and never takes
// the seller's preview; a removal that is interrupted is not left for the seller either: it
// is closed and the end time stays, so the next alarm re-plans it from a fresh read.
//
// A write the browser's storage refuses (a full disk) stops a running job as interrupted,
// with the core's words for it ("storage full: …"): no step starts after a checkpoint that
// failed, and a step whose row could not be saved stays in flight on the job record, so
// Resume and Discard take it as "unknown" and re-read Gumroad — nothing written to Gumroad
// is forgotten. Discard ends the job even when its report cannot be kept (its history line
// says so), and Resume works again once there is room. If even the small job record cannot
// be written, this worker keeps the job in memory (`stranded`) so that it is shown, resumed
// and discarded as interrupted; the record in storage still lists every step in flight.
import * as accounts from './accounts.js';
import { ready } from './core.js';
import { oneAtATime } from './one-at-a-time.js';
import * as storage from './storage.js';

const { KEYS } = storage;
const HISTORY_LIMIT = 50;
/** Alarm names: `endtime:<accountId>:<jobId>`. */
const END_TIME_ALARM = 'endtime:';
/** An end time that could not run yet (another job, no network) is tried again this soon. */
const END_TIME_RETRY_MINUTES = 1;
/** Chrome stops a worker after 30 s without extension API calls; a job may wait longer
 * than that between events while backing off from Gumroad's throttle. */
const KEEP_ALIVE_MS = 20_000;

/** Jobs this worker instance is running: jobId → { accountId, cancel, done, storageError } */
const running = new Map();
/** Jobs interrupted by a storage failure whose record could not be written back: jobId →
 * the record as it should read (see the header). */
const stranded = new Map();
let keepAlive = null;

/** Runs `work` after every earlier status change has finished. */
const exclusive = oneAtATime();

let recovered = null;

export class JobError extends Error {
  constructor(message, kind = 'InvalidInput') {
    super(message);
    this.kind = kind;
    this.status = null;
  }

  /** As a job record keeps it. */
  envelope() {
    return { kind: this.kind, message: this.message, status: this.status };
  }
}

/** Resolves as the storage call `write` does; a refusal becomes a JobError of kind Storage
 * in the core's words for what was `saving` ("storage full: …" for a full storage). */
async function keep(write, saving) {
  try {
    return await write;
  } catch (error) {
    const failure = (await ready()).storageError(String(error?.name ?? ''), String(error?.message ?? error), saving);
    throw new JobError(failure.message, failure.kind);
  }
}

/** Marks jobs left "running" by a stopped worker as interrupted, in every account;
 * memoised per instance. Steps that were in flight may have been applied: they become
 * "unknown", which resume, retry and undo settle against a fresh read of Gumroad. */
export function recoverInterrupted() {
  recovered ??= (async () => {
    for (const { id } of (await accounts.index()).list) {
      const store = storage.account(id);
      const job = await store.get(KEYS.CURRENT_JOB);
      if (job?.status === 'running' && !running.has(job.id)) {
        await loadRows(store, job, await store.get(storage.planKey(job.id)));
        await interrupt(store, job, null).catch((error) => keepInterrupted(store, job, error.envelope?.() ?? null));
      }
      const removal = await store.get(KEYS.END_TIME_JOB);
      if (removal?.status === 'running' && !running.has(removal.id)) {
        const plan = await store.get(storage.planKey(removal.id));
        await settleInFlight(store, await loadRows(store, removal, plan), plan);
        removal.error = { kind: 'Network', message: 'Bulkroad was stopped before the codes were all removed.', status: null };
        // No room for its history line: it stays "running" in storage, and the next start
        // closes it (its end time is tried again then).
        await finish(store, removal, 'failed').catch(() => {});
      }
      await rearmEndTimes(store);
    }
  })().catch((error) => {
    recovered = null;
    throw error;
  });
  return recovered;
}

/** Steps of `job` that were in flight when its run ended without a report: they may have
 * been applied, so they get "unknown" rows (saved), never "not run". */
async function settleInFlight(store, job, plan) {
  const core = await ready();
  const unknown = plan ? core.interruptedRows(plan, job.inFlight ?? [], recordedIndices(job)) : [];
  for (const row of unknown) job.rows[row.index] = row;
  job.inFlight = [];
  return unknown;
}

/** Leaves `job` interrupted (resume or discard are the seller's), its steps in flight
 * settled as unknown. */
async function interrupt(store, job, error) {
  const inFlight = job.inFlight ?? [];
  const unknown = await settleInFlight(store, job, await store.get(storage.planKey(job.id)));
  job.status = 'interrupted';
  job.error = error;
  try {
    await saveProgress(store, job, unknown);
  } catch (failure) {
    // Not saved: the steps stay in flight, to be settled when there is room.
    for (const row of unknown) delete job.rows[row.index];
    job.inFlight = inFlight;
    throw failure;
  }
}

/** Keeps a plan for the seller to confirm; only a kept preview can be started. */
export async function keepPreview(store, plan, { undoOf = null } = {}) {
  const preview = { id: crypto.randomUUID(), plan, undoOf };
  await keep(store.set({ [KEYS.PREVIEW]: preview }), 'preview');
  return { previewId: preview.id, plan };
}

/** Starts the kept preview `previewId` of the session's account; resolves as soon as the
 * job is recorded. */
export function startJob(session, { previewId, endAt = null }) {
  const { store } = session;
  return exclusive(async () => {
    await recoverInterrupted();
    const preview = await store.get(KEYS.PREVIEW);
    if (!preview || preview.id !== previewId) {
      throw new JobError('This preview is out of date. Preview the change again.');
    }
    const current = await currentJob(store);
    if (current?.status === 'running') throw new JobError('Another job is still running. Wait for it or cancel it first.');
    if (current?.status === 'interrupted') throw new JobError('A job was interrupted. Resume or discard it first.');
    await refuseDuringRemoval(store);
    if (endAt != null) (await ready()).checkEndTime(endAt);
    // The preview goes once the job is kept: a job that cannot be kept leaves it to confirm again.
    const job = await begin(session, preview, endAt);
    await store.remove([KEYS.PREVIEW]);
    return { jobId: job.id };
  });
}

/** Asks the running job `jobId` to stop: steps in flight finish, nothing new starts. */
export function cancelJob(jobId) {
  return exclusive(async () => {
    await recoverInterrupted();
    const control = running.get(jobId);
    if (control) control.cancel = true;
  });
}

/** Ends the interrupted job `jobId` without resuming it (kept as cancelled, with its report
 * — or, when there is no room for the report, with a history line that says so). */
export function discardJob(store, jobId) {
  return exclusive(async () => {
    await recoverInterrupted();
    const job = await currentJob(store);
    if (job?.id === jobId && job.status === 'interrupted') {
      const plan = await store.get(storage.planKey(jobId));
      await settleInFlight(store, await loadRows(store, job, plan), plan);
      await finish(store, job, 'cancelled');
    }
  });
}

/** Stops every job of account `accountId` (it is being forgotten): nothing new starts, and
 * resolves once their runs have ended (so nothing writes into the account afterwards).
 * Callers have aborted the account's requests already. */
export async function stopAccount(accountId) {
  const runs = [...running.values()].filter((control) => control.accountId === accountId);
  for (const control of runs) control.cancel = true;
  await Promise.all(runs.map((control) => control.done));
  // Status changes already queued (a resume re-reading Gumroad) settle before the caller
  // deletes anything: their requests fail at once, the account's signal being aborted.
  await settled();
}

/** Resolves once every change of a job's status queued so far has been made: a job seen
 * "finished" has its history line, report and end time written only then. */
export function settled() {
  return exclusive(async () => {});
}

/** Resumes an interrupted job: re-read what is left, re-plan it, run it. */
export function resumeJob(session, jobId) {
  const { store } = session;
  return exclusive(async () => {
    await recoverInterrupted();
    const job = await currentJob(store);
    if (!job || job.id !== jobId || job.status !== 'interrupted') {
      throw new JobError('There is no interrupted job to resume.');
    }
    await refuseDuringRemoval(store);
    const plan = await store.get(storage.planKey(jobId));
    await loadRows(store, job, plan);
    // A run that ended without a report may have left steps in flight.
    await saveProgress(store, job, await settleInFlight(store, job, plan));
    const core = await ready();
    const remaining = await core.replan(session.credential, plan, reportOf(core, job, plan), 'resume', session.signal);
    if (session.signal.aborted) throw new JobError('This account was disconnected.', 'Stopped');
    job.status = 'running';
    job.error = null;
    await saveProgress(store, job);
    run(session, job, remaining);
    return { jobId };
  });
}

/** The undo of a finished job, as a preview for the seller to confirm. */
export async function previewUndo(session, jobId) {
  const { report } = await finishedJob(session.store, jobId);
  const core = await ready();
  const undo = await core.previewUndo(session.credential, report, 'undo', session.signal);
  return keepPreview(session.store, undo, { undoOf: jobId });
}

/** A new plan for the targets that failed or ended unknown, as a preview. */
export async function previewRetry(session, jobId) {
  const { report, plan } = await finishedJob(session.store, jobId);
  const core = await ready();
  const retry = await core.replan(session.credential, plan, report, 'retryFailed', session.signal);
  return keepPreview(session.store, retry);
}

/** The account's jobs: its current job, its end-time removal, its history. */
export async function listJobs(store) {
  await recoverInterrupted();
  const { [KEYS.CURRENT_JOB]: current, [KEYS.END_TIME_JOB]: endTime, [KEYS.HISTORY]: history } =
    await store.getMany([KEYS.CURRENT_JOB, KEYS.END_TIME_JOB, KEYS.HISTORY]);
  return { current: stranded.get(current?.id) ?? current ?? null, endTime: endTime ?? null, history: history ?? [] };
}

/** Work of every account that waits for the seller or runs: [{ accountId, job }]. */
export async function pendingJobs() {
  await recoverInterrupted();
  const pending = [];
  for (const { id } of (await accounts.index()).list) {
    const job = await currentJob(storage.account(id));
    if (job && ['running', 'interrupted'].includes(job.status)) pending.push({ accountId: id, job });
  }
  return pending;
}

/** The codes a batch job made so far, `{csv, count}`: from its saved rows while it runs
 * or waits to resume, from its report once it ended. */
export async function batchCodes(store, jobId) {
  const plan = await store.get(storage.planKey(jobId));
  if (!plan) throw new JobError('That job has no codes to download.', 'NotFound');
  return (await ready()).batchCodesCsv(plan, await jobReport(store, jobId));
}

/** The kept reports of the account's finished jobs, `[{id, report}]`, newest first (the
 * core reads the batches of codes among them). */
export async function keptReports(store) {
  const history = (await store.get(KEYS.HISTORY)) ?? [];
  if (!history.length) return [];
  const kept = await store.getMany(history.map((entry) => storage.reportKey(entry.id)));
  return history.map((entry) => ({ id: entry.id, report: kept[storage.reportKey(entry.id)] })).filter((job) => job.report);
}

export async function jobReport(store, jobId) {
  await recoverInterrupted();
  const report = await store.get(storage.reportKey(jobId));
  if (report) return report;
  const { [KEYS.CURRENT_JOB]: current, [KEYS.END_TIME_JOB]: removal } = await store.getMany([KEYS.CURRENT_JOB, KEYS.END_TIME_JOB]);
  const job = [stranded.get(current?.id) ?? current, removal].find((candidate) => candidate?.id === jobId);
  if (job) {
    const plan = await store.get(storage.planKey(jobId));
    return reportOf(await ready(), await loadRows(store, job, plan), plan);
  }
  throw new JobError('That job has no report.', 'NotFound');
}

/** Keeps the codes of `jobId` past its end time. In the queue, like every change of the
 * history: a job finishing at the same moment cannot write an older history over it. */
export function cancelEndTime(store, jobId) {
  return exclusive(async () => {
    await chrome.alarms.clear(alarmName(store.id, jobId));
    await updateHistory(store, jobId, (entry) => ({ ...entry, endAt: null, endError: null }));
    // A removal already under way stops after its requests in flight.
    const removal = await store.get(KEYS.END_TIME_JOB);
    if (removal?.status === 'running' && removal.endTimeOf === jobId) {
      const control = running.get(removal.id);
      if (control) control.cancel = true;
    }
  });
}

/** The open end times of an account: [{ id, label, endAt }] (shown before it is forgotten). */
export async function openEndTimes(store) {
  const history = (await store.get(KEYS.HISTORY)) ?? [];
  return history.filter((e) => e.endAt).map(({ id, label, endAt }) => ({ id, label, endAt }));
}

/** Brings every open end time of the session's account to now, and runs them. */
export function runEndTimesNow(session) {
  return exclusive(async () => {
    const now = new Date().toISOString();
    await updateHistory(session.store, null, (e) => (e.endAt ? { ...e, endAt: now } : e));
    await removeDueCodes(session);
  });
}

/** Removes the codes of every job whose end time has come, in every connected account
 * (alarm, or worker start). An account without a usable token keeps its end times: they
 * run once it is connected again. */
export async function runDueEndTimes() {
  await recoverInterrupted();
  for (const { id } of (await accounts.index()).list) {
    const session = await accounts.sessionIfConnected(id);
    if (session) await exclusive(() => removeDueCodes(session));
  }
}

export function isEndTimeAlarm(alarm) {
  return alarm.name.startsWith(END_TIME_ALARM);
}

const alarmName = (accountId, jobId) => `${END_TIME_ALARM}${accountId}:${jobId}`;

async function removeDueCodes(session) {
  const { store } = session;
  await recoverInterrupted();
  const history = (await store.get(KEYS.HISTORY)) ?? [];
  // End times not yet tried come before those being tried again.
  const due = history
    .filter((entry) => entry.endAt && Date.parse(entry.endAt) <= Date.now())
    .sort((a, b) => Number(Boolean(a.endError)) - Number(Boolean(b.endError)));
  if (due.length === 0) return;
  const { [KEYS.CURRENT_JOB]: current, [KEYS.END_TIME_JOB]: removal } = await store.getMany([KEYS.CURRENT_JOB, KEYS.END_TIME_JOB]);
  // Behind a running job (one at a time against Gumroad): `finish` asks again when it
  // ends, and the alarm soon. Never behind an interrupted job: that one waits for the
  // seller, an end time does not.
  if (current?.status === 'running' || removal?.status === 'running') {
    await retryEndTimeSoon(store, due[0].id);
    return;
  }
  const [entry] = due;
  try {
    // The seller confirmed this removal when they set the end time, so its plan runs
    // without a preview, and never in the preview slot: a preview the seller has open
    // stays theirs to confirm. The end time stays on the entry until the removal has
    // finished exactly (see `endTimeDone`).
    const { report } = await finishedJob(store, entry.id);
    const plan = await (await ready()).previewUndo(session.credential, report, 'endTime', session.signal);
    await chrome.alarms.clear(alarmName(store.id, entry.id));
    await begin(session, { plan, undoOf: entry.id, endTimeOf: entry.id }, null);
  } catch (error) {
    if (session.signal.aborted) return; // the account is being forgotten
    // The codes are still live: say so on the job and try again soon.
    if (error?.kind === 'Unauthorized') await accounts.tokenRefused(store.id, session.token);
    await updateHistory(store, entry.id, (e) => ({ ...e, endError: String(error?.message ?? error) }));
    await retryEndTimeSoon(store, entry.id);
  }
}

/** Once the removal `removal` has ended: its end time is done if every code went, else
 * it stays (with why) and is tried again soon from a fresh read. Callers hold the queue. */
async function endTimeDone(store, removal, verdict) {
  const entryId = removal.endTimeOf;
  const entry = ((await store.get(KEYS.HISTORY)) ?? []).find((e) => e.id === entryId);
  if (!entry?.endAt) return; // cancelled meanwhile: the codes stay
  if (removal.status === 'finished' && !verdict.canRetry) {
    await updateHistory(store, entryId, (e) => ({ ...e, endAt: null, endError: null }));
    return;
  }
  const why = removal.error?.message ?? verdict.countsText;
  await updateHistory(store, entryId, (e) => ({ ...e, endError: why }));
  await retryEndTimeSoon(store, entryId);
}

/** Refuses to start the seller's work while an end time's removal runs (one run at a time
 * against Gumroad; it takes moments). */
async function refuseDuringRemoval(store) {
  const removal = await store.get(KEYS.END_TIME_JOB);
  if (removal?.status === 'running') {
    throw new JobError('Bulkroad is removing codes whose end time has come. Try again in a moment.');
  }
}

/** Records a new job for `preview` and starts it; callers hold the queue. */
async function begin(session, preview, endAt) {
  const job = {
    id: crypto.randomUUID(),
    accountId: session.id,
    label: preview.plan.title,
    operation: preview.plan.operation,
    undoOf: preview.undoOf,
    endTimeOf: preview.endTimeOf ?? null,
    endAt,
    status: 'running',
    createdAt: new Date().toISOString(),
    finishedAt: null,
    rows: {},
    inFlight: [],
    progress: { done: 0, total: preview.plan.steps.length, inFlight: 0, etaMs: null },
    current: null,
    error: null,
  };
  try {
    // The plan is written before the record that names it (storage.js orders the two).
    await keep(session.store.set({ [slotOf(job)]: stored(job), [storage.planKey(job.id)]: preview.plan }), 'jobStart');
  } catch (error) {
    await session.store.remove([storage.planKey(job.id)]).catch(() => {});
    throw error;
  }
  run(session, job, preview.plan);
  return job;
}

async function retryEndTimeSoon(store, jobId) {
  await chrome.alarms.create(alarmName(store.id, jobId), { delayInMinutes: END_TIME_RETRY_MINUTES });
}

// Alarms do not survive an extension update (and may not survive a browser restart):
// every future end time gets its alarm back at worker start.
async function rearmEndTimes(store) {
  const history = (await store.get(KEYS.HISTORY)) ?? [];
  for (const entry of history) {
    if (!entry.endAt) continue;
    const name = alarmName(store.id, entry.id);
    if (!(await chrome.alarms.get(name))) await chrome.alarms.create(name, { when: Math.max(Date.parse(entry.endAt), Date.now() + 1000) });
  }
}

function run(session, job, plan) {
  const { store } = session;
  const control = { accountId: session.id, cancel: false, done: null, storageError: null };
  running.set(job.id, control);
  keepAlive ??= setInterval(() => chrome.runtime.getPlatformInfo(), KEEP_ALIVE_MS);
  control.done = (async () => {
    try {
      const core = await ready();
      const report = await core.executePlan(session.credential, plan, async (event) => {
        const row = record(job, event);
        try {
          await saveProgress(store, job, row ? [row] : []);
        } catch (error) {
          // The row may not be kept: its step stays in flight (unknown on Resume and
          // Discard, which re-read Gumroad), and "cancel" starts nothing more. A step whose
          // start could not be saved is never sent (the engine takes it as not run).
          if (row) unrecord(job, row);
          control.storageError ??= error.envelope?.() ?? { kind: 'Storage', message: String(error?.message ?? error), status: null };
        }
        return control.cancel || control.storageError || session.signal.aborted ? 'cancel' : 'continue';
      }, session.signal);
      if (session.signal.aborted) return; // forgotten: nothing more is written
      if (control.storageError) {
        await exclusive(() => stoppedByStorage(store, job, plan, control.storageError));
        return;
      }
      for (const row of report.rows) {
        if (row.outcome.status !== 'notRun') job.rows[row.index] = row;
      }
      job.inFlight = [];
      if (report.error?.kind === 'Unauthorized') await accounts.tokenRefused(session.id, session.token);
      if (report.error && !job.endTimeOf) {
        // The token was refused mid-run: what is left can be resumed once reconnected.
        job.error = report.error;
        job.status = 'interrupted';
        await saveProgress(store, job, Object.values(job.rows));
      } else {
        job.error = report.error ?? null;
        const status = report.error ? 'failed' : report.cancelled ? 'cancelled' : 'finished';
        await exclusive(() => finish(store, job, status));
      }
    } catch (error) {
      if (session.signal.aborted) return;
      if (error?.kind === 'Storage') {
        // Ending the run (its rows, its history line) met a full storage.
        await exclusive(() => stoppedByStorage(store, job, plan, error.envelope()));
        return;
      }
      // The run ended without a report (the core failed mid-run): steps in flight may have
      // been applied, so they are "unknown", and what is left waits to be resumed.
      job.error = { kind: error?.kind ?? 'Server', message: String(error?.message ?? error), status: error?.status ?? null };
      if (error?.kind === 'Unauthorized') await accounts.tokenRefused(session.id, session.token);
      await exclusive(async () => {
        try {
          if (job.endTimeOf) {
            await settleInFlight(store, job, plan);
            await finish(store, job, 'failed');
          } else {
            await interrupt(store, job, job.error);
          }
        } catch (failure) {
          // The core cannot settle the steps now (or there is no room to save them): keep
          // them in flight on the record (resume and discard settle them), and the job waiting.
          await keepInterrupted(store, job, failure?.kind === 'Storage' ? failure.envelope() : job.error);
        }
      });
    } finally {
      running.delete(job.id);
      if (running.size === 0) {
        clearInterval(keepAlive);
        keepAlive = null;
      }
    }
  })();
}

// Applies one engine event to the job (rows by step index); returns the row it wrote, if any.
function record(job, event) {
  let row = null;
  if (event.type === 'stepStarted') {
    job.inFlight = [...new Set([...job.inFlight, event.index])];
    job.current = event.productName;
  } else if (event.type === 'stepFinished') {
    job.inFlight = job.inFlight.filter((index) => index !== event.index);
    // The core hands over the row to keep; a step the run never started has none, and
    // resume picks it up.
    if (event.row) row = job.rows[event.index] = event.row;
  }
  job.progress = { ...event.progress, done: Object.keys(job.rows).length, total: job.progress.total };
  return row;
}

// Takes back a row whose checkpoint failed: its step is in flight again, as far as anything
// kept can tell.
function unrecord(job, row) {
  delete job.rows[row.index];
  job.inFlight = [...new Set([...job.inFlight, row.index])];
  job.progress = { ...job.progress, done: Object.keys(job.rows).length };
}

/** The job as kept in its slot: all but its rows, which have a key each. */
function stored(job) {
  const { rows: _rows, ...record } = job;
  return record;
}

/** Where `job` is kept: the seller's slot, or the end times' one. */
function slotOf(job) {
  return job.endTimeOf ? KEYS.END_TIME_JOB : KEYS.CURRENT_JOB;
}

/** Saves `rows` of the job, each under its own key, then its record (storage.js writes the
 * rows first, see the header); a refusal rejects with a JobError of kind Storage. */
async function saveProgress(store, job, rows = []) {
  const entries = rows.map((row) => [storage.rowKey(job.id, row.index), row]);
  await keep(store.set({ ...Object.fromEntries(entries), [slotOf(job)]: stored(job) }), 'jobProgress');
  stranded.delete(job.id);
}

/** The seller's job of `store`: the one this worker holds in memory when its record could
 * not be written back, else the one kept. */
async function currentJob(store) {
  const kept = await store.get(KEYS.CURRENT_JOB);
  // A copy: callers settle steps on it, which must not reach memory unless saved.
  return stranded.has(kept?.id) ? structuredClone(stranded.get(kept.id)) : kept;
}

/** Leaves `job` interrupted with `error` and writes only its small record (its steps in
 * flight stay there, unknown until re-read); when even that is refused, this worker keeps
 * it in memory (see the header). */
async function keepInterrupted(store, job, error) {
  job.status = 'interrupted';
  job.error = error;
  job.current = null;
  try {
    await keep(store.set({ [slotOf(job)]: stored(job) }), 'jobProgress');
    stranded.delete(job.id);
  } catch {
    stranded.set(job.id, stored(job));
  }
}

/** A run that stopped because a checkpoint was refused: the seller's job waits, interrupted,
 * with the storage's error; the removal an end time runs is closed as failed (its end time
 * stays and is tried again from a fresh read, as after any interrupted removal). */
async function stoppedByStorage(store, job, plan, error) {
  if (!job.endTimeOf) return keepInterrupted(store, job, error);
  job.error = error;
  try {
    await settleInFlight(store, job, plan);
    await finish(store, job, 'failed');
  } catch {
    // No room even for the history line: the removal's record still says "running", and
    // the next worker start closes it the same way.
  }
}

/** Puts the stored rows of `job` (one key per step of `plan`) back on it. */
async function loadRows(store, job, plan) {
  const found = await store.getMany((plan?.steps ?? []).map((step) => storage.rowKey(job.id, step.index)));
  job.rows = {};
  for (const row of Object.values(found)) job.rows[row.index] = row;
  return job;
}

function recordedIndices(job) {
  return Object.keys(job.rows).map(Number);
}

/** Ends `job` as `status`: its report, its history line, its end time. Callers hold the
 * queue (it rewrites the history). */
async function finish(store, job, status) {
  job.status = status;
  job.finishedAt = new Date().toISOString();
  job.inFlight = [];
  const plan = await store.get(storage.planKey(job.id));
  const core = await ready();
  const report = reportOf(core, job, plan);
  const verdict = core.summarizeJob(report, status, job.endAt != null);
  // The report first, on its own: a job ends even when there is no room for its report.
  let reportError = null;
  try {
    await keep(store.set({ [storage.reportKey(job.id)]: report }), 'report');
  } catch (error) {
    reportError = error.envelope();
  }
  const summary = {
    id: job.id,
    label: job.label,
    operation: job.operation,
    status,
    createdAt: job.createdAt,
    finishedAt: job.finishedAt,
    ...verdict,
    endAt: verdict.keepsEndTime ? job.endAt : null,
    undoOf: job.undoOf,
    error: job.error,
  };
  if (job.endTimeOf) summary.endTimeOf = job.endTimeOf;
  if (reportError) {
    // Undo, Retry and the end time all work from the report: without it none is offered,
    // and the history line says why (the core's words) instead of the job's last error.
    Object.assign(summary, { canUndo: false, canRetry: false, endAt: null, error: reportError });
  }
  const earlier = ((await store.get(KEYS.HISTORY)) ?? []).filter((e) => e.id !== job.id);
  const history = [summary, ...earlier];
  const dropped = history.slice(HISTORY_LIMIT).map((e) => e.id);
  await keep(store.set({ [slotOf(job)]: stored(job), [KEYS.HISTORY]: history.slice(0, HISTORY_LIMIT) }), 'jobProgress');
  stranded.delete(job.id);
  // The report holds every row now (or, when it could not be kept, nothing will read the
  // rows or the plan again: their room is given back).
  await store.remove([...plan.steps.map((step) => storage.rowKey(job.id, step.index)), ...(reportError ? [storage.planKey(job.id)] : [])]);
  // Reports and plans of jobs that fell out of the history go with them.
  if (dropped.length) await store.remove(dropped.flatMap((id) => [storage.reportKey(id), storage.planKey(id)]));
  if (summary.endAt) await chrome.alarms.create(alarmName(store.id, job.id), { when: Math.max(Date.parse(summary.endAt), Date.now() + 1000) });
  if (job.endTimeOf) await endTimeDone(store, job, verdict);
  // An end time that came while this job ran is handled now (one that has just been
  // tried waits for its alarm).
  if (history.some((e) => e.endAt && Date.parse(e.endAt) <= Date.now() && e.id !== job.endTimeOf)) {
    const session = await accounts.sessionIfConnected(store.id);
    if (session) setTimeout(() => exclusive(() => removeDueCodes(session)), 0);
  }
}

/** The job's report, built by the core from the plan and the rows saved so far. */
function reportOf(core, job, plan) {
  return core.jobReport(plan, Object.values(job.rows), {
    status: job.status,
    error: job.error ?? null,
    startedAt: Date.parse(job.createdAt),
    finishedAt: job.finishedAt ? Date.parse(job.finishedAt) : Date.now(),
  });
}

/** A finished job's kept report and plan (undo and retry work from these). */
async function finishedJob(store, jobId) {
  const { [storage.reportKey(jobId)]: report, [storage.planKey(jobId)]: plan } = await store.getMany([storage.reportKey(jobId), storage.planKey(jobId)]);
  if (!report || !plan) throw new JobError('That job has no report to work from.', 'NotFound');
  return { report, plan };
}

/** Rewrites the history line `jobId` (every line when `jobId` is null) with `change`. */
async function updateHistory(store, jobId, change) {
  const history = (await store.get(KEYS.HISTORY)) ?? [];
  await store.set({ [KEYS.HISTORY]: history.map((e) => (jobId === null || e.id === jobId ? change(e) : e)) });
}
