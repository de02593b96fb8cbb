// storage.js — the only module that touches chrome.storage. Keys are dotted namespaces;
// the token lives under `auth.token` in chrome.storage.local and is read only by the
// service worker (pages never ask for it back).

export const KEYS = Object.freeze({
  TOKEN: 'auth.token',
  PROFILE: 'auth.profile',
  /** The product list as the core lists it (with `price_decimal`): { items, fetchedAt }. */
  PRODUCTS: 'cache.productList',
  /** The previewed plan waiting for the seller's confirmation: { id, plan, label, undoOf } */
  PREVIEW: 'jobs.preview',
  /** The running, interrupted or last finished job without its rows, rewritten after
   * every step. */
  CURRENT_JOB: 'jobs.current',
  /** The removal an end time runs, while it runs and once it ended (same shape as
   * CURRENT_JOB; it never waits for the seller). */
  END_TIME_JOB: 'jobs.endTime',
  /** Summaries of finished jobs, newest first. */
  HISTORY: 'jobs.history',
});

/** `reports.<jobId>`: the full report of one job. */
export const reportKey = (jobId) => `reports.${jobId}`;
/** `plans.<jobId>`: the plan a job executes (written once, read on resume). */
export const planKey = (jobId) => `plans.${jobId}`;
/** `jobrows.<jobId>.<index>`: the outcome of one step of a job not yet finished (the
 * report holds them all once it is). */
export const rowKey = (jobId, index) => `jobrows.${jobId}.${index}`;

const area = () => chrome.storage.local;

export async function get(key) {
  const found = await area().get(key);
  return found[key];
}

/** The values of `keys` that are stored, as { key: value }. */
export async function getMany(keys) {
  return keys.length ? area().get(keys) : {};
}

export async function set(entries) {
  await area().set(entries);
}

export async function remove(keys) {
  await area().remove(keys);
}

/** Calls `listener(newValue)` whenever `key` changes (pages use it to follow jobs). */
export function watch(key, listener) {
  chrome.storage.onChanged.addListener((changes, areaName) => {
    if (areaName === 'local' && key in changes) listener(changes[key].newValue);
  });
}
