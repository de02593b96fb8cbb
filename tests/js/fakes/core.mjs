// A stand-in for the wasm core with the shapes of its answers: rows, reports and verdicts
// follow the core's rules in their simplest form, and each test says how a run goes
// (`fakeCore.execute`).
export const fakeCore = {
  calls: [],
  /** (token, plan, onEvent) → report; set by each test. */
  execute: null,
  executePlan(token, plan, onEvent) {
    this.calls.push({ call: 'executePlan', plan });
    return this.execute(token, plan, onEvent);
  },
  interruptedRows(plan, inFlight, recorded) {
    return plan.steps
      .filter((step) => inFlight.includes(step.index) && !recorded.includes(step.index))
      .map((step) => row(step, 'unknown', 'Unknown: the request was on its way.'));
  },
  jobReport(plan, rows, state) {
    const byIndex = new Map(rows.map((r) => [r.index, r]));
    return report(plan, plan.steps.map((step) => byIndex.get(step.index) ?? row(step, 'notRun', 'Not run.')), state.error);
  },
  summarizeJob(report, status, hasEndTime) {
    const counts = report.summary;
    const changed = counts.applied > 0 && status !== 'failed';
    return {
      counts,
      countsText: `${counts.applied} applied, ${counts.failed} failed, ${counts.unknown} unknown`,
      canUndo: changed && report.operation !== 'undo',
      canRetry: counts.failed + counts.unknown > 0,
      keepsEndTime: changed && hasEndTime,
    };
  },
  async previewUndo(token, report, purpose) {
    this.calls.push({ call: 'previewUndo', purpose });
    const steps = report.rows
      .filter((r) => r.outcome.status === 'applied')
      .map((r, index) => ({ index, productId: r.productId, productName: r.productName, action: { type: 'deleteCode' } }));
    return { title: `End time: ${report.title}`, operation: 'undo', steps };
  },
  async replan(token, plan, report) {
    const done = new Set(report.rows.filter((r) => r.outcome.status === 'applied').map((r) => r.index));
    return { ...plan, steps: plan.steps.filter((s) => !done.has(s.index)) };
  },
  checkEndTime() {},
  /** The core words a refused write (Rust tests hold its sentences); here: which kind of
   * refusal, and what was being saved. */
  storageError(name, message, saving) {
    const full = name === 'QuotaExceededError' || /quota/i.test(message);
    return Object.assign(new Error(`${full ? 'storage full' : 'storage error'}: ${saving}`), { name: 'GumroadError', kind: 'Storage', status: null });
  },
  /** (clientId, refreshToken) → token set; set by the tests that renew. */
  refresh: null,
  oauthRefresh(clientId, refreshToken) {
    this.calls.push({ call: 'oauthRefresh', clientId, refreshToken });
    return this.refresh(clientId, refreshToken);
  },
  tokenNeedsRefresh(grant, nowMs) {
    return grant.expiresIn != null && (grant.createdAt + grant.expiresIn) * 1000 - nowMs < 5 * 60_000;
  },
};

export function row(step, status, message = status) {
  return { index: step.index, productId: step.productId, productName: step.productName, action: step.action, outcome: { status, message } };
}

export function report(plan, rows, error = null) {
  const summary = { applied: 0, failed: 0, unknown: 0, notRun: 0, skipped: 0 };
  for (const r of rows) summary[r.outcome.status] = (summary[r.outcome.status] ?? 0) + 1;
  return { title: plan.title, operation: plan.operation, rows, summary, cancelled: false, error };
}

export async function ready() {
  return fakeCore;
}
