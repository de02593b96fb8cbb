// storage.js — the only module that touches chrome.storage. Keys are dotted namespaces.
//
// Everything kept for a Gumroad account lives under `acct.<userId>.` — its token, profile,
// product list, previews, jobs, reports, end times and export — so work of one account can
// only ever read that account's data and spend that account's token, and forgetting an
// account is deleting one prefix. `account(id)` gives that account's view, with the
// logical keys below. Only the list of accounts (`accounts`) and settings that are the
// seller's, not a store's (the parity table's), live outside any account. The token is read
// only by the service worker (pages never ask for it back).

/** Logical keys inside an account (see `account`). */
export const KEYS = Object.freeze({
  TOKEN: 'auth.token',
  PROFILE: 'auth.profile',
  /** What a sign-in with Gumroad gave besides the access token: { clientId, refreshToken,
   * scope, createdAt, expiresIn } (absent for a pasted token). */
  GRANT: 'auth.grant',
  /** The product list as the core lists it (with `price_decimal`): { items, fetchedAt }. */
  PRODUCTS: 'cache.productList',
  /** The product ids the seller has selected in the picker. */
  SELECTION: 'ui.selection',
  /** The previewed plan waiting for the seller's confirmation: { id, plan, undoOf } */
  PREVIEW: 'jobs.preview',
  /** The running, interrupted or last finished job without its rows, rewritten after
   * every step. */
  CURRENT_JOB: 'jobs.current',
  /** The removal an end time runs, while it runs and once it ended (same shape as
   * CURRENT_JOB; it never waits for the seller). */
  END_TIME_JOB: 'jobs.endTime',
  /** Summaries of finished jobs, newest first. */
  HISTORY: 'jobs.history',
  /** The account's export: its record, cursors and progress. */
  EXPORT: 'exports.current',
});

/** The accounts Bulkroad knows: { active: userId | null, list: [{ id, name, email }] }. */
export const ACCOUNTS = 'accounts';
/** The seller's own Gumroad application id for signing in (when the build has none). */
export const OAUTH_CLIENT_ID = 'settings.oauthClientId';

/** `reports.<jobId>`: the full report of one job. */
export const reportKey = (jobId) => `reports.${jobId}`;
/** `plans.<jobId>`: the plan a job executes (written once, read on resume). */
export const planKey = (jobId) => `plans.${jobId}`;
/** `jobrows.<jobId>.<index>`: the outcome of one step of a job not yet finished (the
 * report holds them all once it is). */
export const rowKey = (jobId, index) => `jobrows.${jobId}.${index}`;

const PREFIX = 'acct.';
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

/** The storage of the account `userId`: the same calls, with logical keys (KEYS and the
 * key functions above) kept under the account's prefix. */
export function account(userId) {
  if (typeof userId !== 'string' || userId === '' || userId.includes('.')) throw new Error('An account id is needed here.');
  const prefix = `${PREFIX}${userId}.`;
  const full = (key) => prefix + key;
  return Object.freeze({
    id: userId,
    key: full,
    get: (key) => get(full(key)),
    async getMany(keys) {
      const found = await getMany(keys.map(full));
      return Object.fromEntries(Object.entries(found).map(([k, v]) => [k.slice(prefix.length), v]));
    },
    set: (entries) => set(Object.fromEntries(Object.entries(entries).map(([k, v]) => [full(k), v]))),
    remove: (keys) => remove(keys.map(full)),
    watch: (key, listener) => watch(full(key), listener),
    /** Every logical key this account holds (for forgetting it). */
    async keys() {
      return Object.keys(await area().get(null)).filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
    },
  });
}
