// jobs.js — bulk jobs in the service worker: start a previewed plan, checkpoint after
// every step, cancel, resume after the worker was stopped, undo, retry, end times.
//
// The plan, the checkpoints and the reports live in chrome.storage, never only in memory:
// a worker Chrome stops mid-job leaves a job that the next worker marks "interrupted",
// and Resume re-reads Gumroad and re-plans what is left (the wasm core's `replan`), so
// nothing is applied twice. One job runs at a time.
import { ready } from './core.js';
import * as storage from './storage.js';

const { KEYS } = storage;
const HISTORY_LIMIT = 50;
const END_TIME_ALARM = 'endtime:';

/** Jobs this worker instance is running: jobId → { cancel } */
const running = new Map();

let recovered = null;

/** Marks a job left "running" by a stopped worker as interrupted; memoised per instance. */
export function recoverInterrupted() {
  recovered ??= (async () => {
    const job = await storage.get(KEYS.CURRENT_JOB);
    if (job?.status === 'running' && !running.has(job.id)) {
      job.status = 'interrupted';
      job.inFlight = [];
      await storage.set({ [KEYS.CURRENT_JOB]: job });
    }
  })();
  return recovered;
}

export class JobError extends Error {
  constructor(message, kind = 'InvalidInput') {
    super(message);
    this.kind = kind;
    this.status = null;
  }
}

/** Keeps a plan for the seller to confirm; only a kept preview can be started. */
export async function keepPreview(plan, { label, undoOf = null, retryOf = null }) {
  const preview = { id: crypto.randomUUID(), plan, label, undoOf, retryOf };
  await storage.set({ [KEYS.PREVIEW]: preview });
  return { previewId: preview.id, plan, label };
}

/** Starts the kept preview `previewId`; resolves as soon as the job is recorded. */
export async function startJob(token, { previewId, endAt = null }) {
  await recoverInterrupted();
  const preview = await storage.get(KEYS.PREVIEW);
  if (!preview || preview.id !== previewId) {
    throw new JobError('This preview is out of date. Preview the change again.');
  }
  const current = await storage.get(KEYS.CURRENT_JOB);
  if (current && (current.status === 'running' || current.status === 'interrupted')) {
    throw new JobError(
      current.status === 'running'
        ? 'Another job is still running. Wait for it or cancel it first.'
        : 'A job was interrupted. Resume or discard it first.',
    );
  }
  if (endAt != null && !(Date.parse(endAt) > Date.now())) {
    throw new JobError('The end time must be in the future.');
  }
  const job = {
    id: crypto.randomUUID(),
    label: preview.label,
    operation: preview.plan.operation,
    undoOf: preview.undoOf,
    retryOf: preview.retryOf,
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
  await storage.remove([KEYS.PREVIEW]);
  await storage.set({ [KEYS.CURRENT_JOB]: job, [storage.planKey(job.id)]: preview.plan });
  run(token, job, preview.plan);
  return { jobId: job.id };
}

export async function cancelJob(jobId) {
  const control = running.get(jobId);
  if (control) control.cancel = true;
  else {
    const job = await storage.get(KEYS.CURRENT_JOB);
    if (job?.id === jobId && job.status === 'interrupted') await finish(job, 'cancelled');
  }
}

/** Resumes an interrupted job: re-read what is left, re-plan it, run it. */
export async function resumeJob(token, jobId) {
  await recoverInterrupted();
  const job = await storage.get(KEYS.CURRENT_JOB);
  if (!job || job.id !== jobId || job.status !== 'interrupted') {
    throw new JobError('There is no interrupted job to resume.');
  }
  const plan = await storage.get(storage.planKey(jobId));
  const core = await ready();
  const remaining = await core.replan(token, plan, reportOf(job, plan), 'resume');
  job.status = 'running';
  job.error = null;
  await storage.set({ [KEYS.CURRENT_JOB]: job });
  run(token, job, remaining);
  return { jobId };
}

export async function discardJob(jobId) {
  const job = await storage.get(KEYS.CURRENT_JOB);
  if (job?.id === jobId && job.status === 'interrupted') await finish(job, 'cancelled');
}

/** The undo of a finished job, as a preview. */
export async function previewUndo(token, jobId, labelPrefix = 'Undo') {
  const { report, label } = await finishedJob(jobId);
  const core = await ready();
  const undo = await core.previewUndo(token, report);
  return keepPreview(undo, { label: `${labelPrefix}: ${label}`, undoOf: jobId });
}

/** A new plan for the targets that failed or ended unknown, as a preview. */
export async function previewRetry(token, jobId) {
  const { report, plan, label } = await finishedJob(jobId);
  const core = await ready();
  const retry = await core.replan(token, plan, report, 'retryFailed');
  return keepPreview(retry, { label: `Retry: ${label}`, retryOf: jobId });
}

export async function listJobs() {
  await recoverInterrupted();
  const [current, history] = await Promise.all([storage.get(KEYS.CURRENT_JOB), storage.get(KEYS.HISTORY)]);
  return { current: current ?? null, history: history ?? [] };
}

export async function jobReport(jobId) {
  const report = await storage.get(storage.reportKey(jobId));
  if (report) return report;
  const job = await storage.get(KEYS.CURRENT_JOB);
  if (job?.id === jobId) return reportOf(job, await storage.get(storage.planKey(jobId)));
  throw new JobError('That job has no report.', 'NotFound');
}

export async function cancelEndTime(jobId) {
  await chrome.alarms.clear(END_TIME_ALARM + jobId);
  await updateHistory(jobId, (entry) => ({ ...entry, endAt: null }));
}

let endTimes = Promise.resolve();

/** Removes the codes of every job whose end time has come (alarm, or browser start). Runs
 * one at a time: an alarm and a worker start can ask at the same moment. */
export function runDueEndTimes(token) {
  endTimes = endTimes.then(() => removeDueCodes(token)).catch(() => {});
  return endTimes;
}

async function removeDueCodes(token) {
  await recoverInterrupted();
  const history = (await storage.get(KEYS.HISTORY)) ?? [];
  const due = history.filter((entry) => entry.endAt && Date.parse(entry.endAt) <= Date.now());
  for (const entry of due) {
    const current = await storage.get(KEYS.CURRENT_JOB);
    if (current?.status === 'running' || current?.status === 'interrupted') return;
    await updateHistory(entry.id, (e) => ({ ...e, endAt: null, ended: true }));
    await chrome.alarms.clear(END_TIME_ALARM + entry.id);
    // The seller confirmed this removal when they set the end time.
    const preview = await previewUndo(token, entry.id, 'End time');
    await startJob(token, { previewId: preview.previewId });
  }
}

export function isEndTimeAlarm(alarm) {
  return alarm.name.startsWith(END_TIME_ALARM);
}

async function run(token, job, plan) {
  const control = { cancel: false };
  running.set(job.id, control);
  const actionOf = new Map(plan.steps.map((step) => [step.index, step.action]));
  try {
    const core = await ready();
    const report = await core.executePlan(token, plan, async (event) => {
      record(job, event, actionOf);
      await storage.set({ [KEYS.CURRENT_JOB]: job });
      return control.cancel ? 'cancel' : 'continue';
    });
    for (const row of report.rows) {
      if (row.outcome.status !== 'notRun') job.rows[row.index] = row;
    }
    if (report.error) {
      // The token was refused mid-run: what is left can be resumed once reconnected.
      job.error = report.error;
      if (report.error.kind === 'Unauthorized') await storage.remove([KEYS.TOKEN, KEYS.PROFILE]);
      job.status = 'interrupted';
      job.inFlight = [];
      await storage.set({ [KEYS.CURRENT_JOB]: job });
    } else {
      await finish(job, report.cancelled ? 'cancelled' : 'finished');
    }
  } catch (error) {
    job.error = { kind: error?.kind ?? 'Server', message: String(error?.message ?? error), status: error?.status ?? null };
    if (error?.kind === 'Unauthorized') await storage.remove([KEYS.TOKEN, KEYS.PROFILE]);
    await finish(job, 'failed');
  } finally {
    running.delete(job.id);
  }
}

// Applies one engine event to the checkpoint kept in storage (rows by step index).
function record(job, event, actionOf) {
  if (event.type === 'stepStarted') {
    job.inFlight = [...new Set([...job.inFlight, event.index])];
    job.current = event.productName;
  } else if (event.type === 'stepFinished') {
    job.inFlight = job.inFlight.filter((index) => index !== event.index);
    job.rows[event.index] = {
      index: event.index,
      productId: event.productId,
      productName: event.productName,
      action: actionOf.get(event.index),
      outcome: event.outcome,
    };
  }
  job.progress = { ...event.progress, done: Object.keys(job.rows).length, total: job.progress.total };
}

async function finish(job, status) {
  job.status = status;
  job.finishedAt = new Date().toISOString();
  job.inFlight = [];
  const plan = await storage.get(storage.planKey(job.id));
  const report = reportOf(job, plan);
  const summary = {
    id: job.id,
    label: job.label,
    operation: job.operation,
    status,
    createdAt: job.createdAt,
    finishedAt: job.finishedAt,
    counts: report.summary,
    endAt: status === 'finished' ? job.endAt : null,
    undoOf: job.undoOf,
    error: job.error,
  };
  const history = [summary, ...((await storage.get(KEYS.HISTORY)) ?? []).filter((e) => e.id !== job.id)];
  await storage.set({
    [KEYS.CURRENT_JOB]: job,
    [storage.reportKey(job.id)]: report,
    [KEYS.HISTORY]: history.slice(0, HISTORY_LIMIT),
  });
  if (summary.endAt) await chrome.alarms.create(END_TIME_ALARM + job.id, { when: Date.parse(summary.endAt) });
}

/** The job's report in the wasm core's shape: one row per planned step, "notRun" where
 * no outcome was recorded (never started, or in flight when the worker stopped). */
function reportOf(job, plan) {
  const rows = plan.steps.map(
    (step) =>
      job.rows[step.index] ?? {
        index: step.index,
        productId: step.productId,
        productName: step.productName,
        action: step.action,
        outcome: { status: 'notRun', message: 'Not run.', createdOfferCode: null, deletedOfferCode: null },
      },
  );
  const count = (status) => rows.filter((r) => r.outcome.status === status).length;
  return {
    operation: plan.operation,
    intent: plan.intent,
    rows,
    summary: { applied: count('applied'), skipped: count('skipped'), failed: count('failed'), unknown: count('unknown'), notRun: count('notRun') },
    cancelled: job.status === 'cancelled',
    error: job.error ?? null,
    startedAt: Date.parse(job.createdAt),
    finishedAt: job.finishedAt ? Date.parse(job.finishedAt) : Date.now(),
  };
}

/** A finished job's kept report and plan (undo and retry work from these). */
async function finishedJob(jobId) {
  const [report, plan] = await Promise.all([storage.get(storage.reportKey(jobId)), storage.get(storage.planKey(jobId))]);
  if (!report || !plan) throw new JobError('That job has no report to work from.', 'NotFound');
  return { report, plan, label: await labelOf(jobId) };
}

async function labelOf(jobId) {
  const history = (await storage.get(KEYS.HISTORY)) ?? [];
  return history.find((e) => e.id === jobId)?.label ?? 'job';
}

async function updateHistory(jobId, change) {
  const history = (await storage.get(KEYS.HISTORY)) ?? [];
  await storage.set({ [KEYS.HISTORY]: history.map((e) => (e.id === jobId ? change(e) : e)) });
}
