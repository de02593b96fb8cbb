// storage.js — the one view of what Bulkroad keeps: small records in chrome.storage (the
// only module that touches it), bulky ones in IndexedDB (through account-records.js).
// Keys are dotted namespaces.
//
// Everything kept for a Gumroad account lives under `acct.<userId>.` — its token, profile,
// product list, previews, jobs, reports, end times and export — so work of one account can
// only ever read that account's data and spend that account's token, and forgetting an
// account is deleting one prefix (and one key range in IndexedDB). `account(id)` gives that
// account's view, with the logical keys below. Only the list of accounts (`accounts`) and
// settings that are the seller's, not a store's (the parity table's), live outside any
// account. The token is read only by the service worker (pages never ask for it back).
//
// Where a record lives depends on its key, decided here once (`isBulky`): what grows with
// the size of a store (plans, job rows, reports, the preview, the product list) goes to
// IndexedDB, whose room is the disk's; chrome.storage keeps the small records pages watch
// (accounts, tokens, profiles, job records and history, the export's record). Callers use
// one set of calls for both, so a checkpoint stays one `set` of the row and the job
// record; `set` writes the IndexedDB part first (see `account`).

import * as records from './account-records.js';

/** Logical keys inside an account (see `account`). */
export const KEYS = Object.freeze({
  TOKEN: 'auth.token',
  PROFILE: 'auth.profile',
  /** What a sign-in with Gumroad gave besides the access token: { clientId, refreshToken,
   * scope, createdAt, expiresIn } (absent for a pasted token). */
  GRANT: 'auth.grant',
  /** The product list as the core lists it (whole products, with `price_decimal`):
   * { items, fetchedAt }. Read in the worker (previews, the parity map). */
  PRODUCTS: 'cache.productList',
  /** What the picker shows of that list, one small row per product (the core's
   * `pickerRows`): { items, fetchedAt }. Read by the pages. */
  PICKER_ROWS: 'cache.pickerRows',
  /** The picker's revenue column: { range, revenue (the core's `productRevenue`),
   * fetchedAt }, kept so the next popup shows it without asking Gumroad again. */
  PICKER_REVENUE: 'cache.pickerRevenue',
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
  /** Where the account's buyers are, from its last finished sales or customers export:
   * { countries (the core's tally, as its text), query, madeAt, exportId }. Counts and sums only, no
   * buyer's data; the parity table shows it. */
  BUYER_COUNTRIES: 'insights.buyerCountries',
  /** The seller's AI endpoint for listing suggestions: { url, origin, permission, model,
   * key }. The key is kept like a token: only the worker reads it, it is sent only to that
   * endpoint, and no page is ever given it back. */
  AI_SETTINGS: 'settings.ai',
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

/** Logical keys kept in IndexedDB rather than chrome.storage: what grows with a store. */
const BULKY_KEYS = new Set([KEYS.PRODUCTS, KEYS.PICKER_ROWS, KEYS.PICKER_REVENUE, KEYS.PREVIEW]);
const BULKY_PREFIXES = ['plans.', 'jobrows.', 'reports.'];

/** Whether the logical `key` of an account is kept in IndexedDB. */
export const isBulky = (key) => BULKY_KEYS.has(key) || BULKY_PREFIXES.some((prefix) => key.startsWith(prefix));

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
 * key functions above) kept under the account's prefix, each in the store `isBulky` says.
 *
 * No transaction spans IndexedDB and chrome.storage, so `set` writes the bulky entries
 * first and the small ones only once those have committed: a small record (a job's
 * checkpoint) never names a row that is not kept, and a write that fails half-way leaves
 * at worst a bulky record that nothing points at yet. A refused write rejects with the
 * browser's error (IndexedDB's QuotaExceededError; chrome.storage's "…quota exceeded"). */
export function account(userId) {
  if (typeof userId !== 'string' || userId === '' || userId.includes('.')) throw new Error('An account id is needed here.');
  const prefix = `${PREFIX}${userId}.`;
  const full = (key) => prefix + key;
  const split = (keys) => [keys.filter(isBulky), keys.filter((key) => !isBulky(key))];
  const view = {
    id: userId,
    key: full,
    async get(key) {
      return (await view.getMany([key]))[key];
    },
    async getMany(keys) {
      const [bulky, small] = split(keys);
      const found = await records.getMany(userId, bulky);
      // A bulky record an earlier version kept in chrome.storage, not moved yet (see
      // `moveBulkyRecords`), is read where it is: an update loses no job, report or undo.
      const elsewhere = bulky.filter((key) => !(key in found));
      const kept = await getMany([...small, ...elsewhere].map(full));
      for (const [key, value] of Object.entries(kept)) found[key.slice(prefix.length)] = value;
      return found;
    },
    async set(entries) {
      const [bulky, small] = split(Object.keys(entries));
      await records.set(userId, Object.fromEntries(bulky.map((key) => [key, entries[key]])));
      if (small.length) await set(Object.fromEntries(small.map((key) => [full(key), entries[key]])));
    },
    async remove(keys) {
      const [bulky] = split(keys);
      await records.remove(userId, bulky);
      // Bulky keys too: an earlier version's copy must not come back through `getMany`.
      await remove(keys.map(full));
    },
    /** Pages follow small records only (a job's record, its history, the export). */
    watch(key, listener) {
      if (isBulky(key)) throw new Error(`${key} is kept in IndexedDB, which has no change events.`);
      watch(full(key), listener);
    },
    /** Deletes everything this account keeps, in both stores (it is being forgotten). */
    async forget() {
      await records.forget(userId);
      await remove(Object.keys(await area().get(null)).filter((k) => k.startsWith(prefix)));
    },
  };
  return Object.freeze(view);
}

/** Moves the bulky records an earlier version kept in chrome.storage (`acct.<id>.plans.…`,
 * rows, reports, previews, product lists) into IndexedDB: at worker start, before any
 * message is answered (accounts.js awaits it). Copied first, deleted from chrome.storage
 * once the copy has committed, so a worker stopped in between copies again (a record
 * already in IndexedDB is newer and stays). An account whose records cannot be moved (the
 * disk is full) keeps them where they are — `getMany` reads them there — and the next
 * worker start tries again. */
export async function moveBulkyRecords() {
  const byAccount = new Map();
  for (const [fullKey, value] of Object.entries(await area().get(null))) {
    if (!fullKey.startsWith(PREFIX)) continue;
    const rest = fullKey.slice(PREFIX.length);
    // An account id holds no dot (see `account`).
    const id = rest.slice(0, rest.indexOf('.'));
    const key = rest.slice(id.length + 1);
    if (!id || !isBulky(key)) continue;
    if (!byAccount.has(id)) byAccount.set(id, {});
    byAccount.get(id)[key] = value;
  }
  for (const [id, entries] of byAccount) {
    try {
      await records.setMissing(id, entries);
      await remove(Object.keys(entries).map((key) => `${PREFIX}${id}.${key}`));
    } catch {
      // Left where they are and read there; moved at a later start.
    }
  }
}
