// accounts.js — the Gumroad accounts Bulkroad knows, in the service worker: which one is
// active, each one's token, the stop signal that ends every request of an account at once,
// and the move of what earlier versions kept: one anonymous token's data into the first
// account, and bulky records from chrome.storage into IndexedDB.
//
// An account is keyed by its Gumroad user id, so a token pasted for an account already
// known replaces that account's token and never makes a second one. An account whose token
// Gumroad refused stays (its jobs, end times and export wait) and shows "Reconnect"; only
// forgetting it deletes what it holds.
//
// An account signed in with Gumroad also keeps its grant (`auth.grant`: the refresh token,
// scopes, creation and expiry, the application id). Its work gets a credential that renews
// the access token when Gumroad answers 401 — one renewal at a time per account, the new
// refresh token stored before the new access token is used — and a token close to its expiry
// is renewed before work starts.
import { ready } from './core.js';
import { oneAtATime } from './one-at-a-time.js';
import * as storage from './storage.js';

const { KEYS, ACCOUNTS } = storage;
/** Changes of the list of accounts, one at a time (two connects at once keep both). */
const exclusive = oneAtATime();
/** userId → AbortController whose signal every request of that account carries. */
const stops = new Map();
/** userId → the renewal under way (a refresh token is single-use: never two at once). */
const renewals = new Map();

export class AccountError extends Error {
  constructor(message, kind = 'NotConnected') {
    super(message);
    this.kind = kind;
    this.status = null;
  }
}

/** { active, list }: the accounts, each { id, name, email, needsReconnect }. */
export async function index() {
  await migrated();
  return (await storage.get(ACCOUNTS)) ?? { active: null, list: [] };
}

/** The account `userId` as kept in the list, or null. */
export async function find(userId) {
  return (await index()).list.find((a) => a.id === userId) ?? null;
}

/** The id of the account the pages show and new work starts on (null: none connected). */
export async function activeId() {
  return (await index()).active;
}

/** What the work of account `userId` needs: its storage, its token, the credential the core
 * takes (the token, or the token with a way to renew it) and its stop signal. Throws
 * NotConnected (naming the store) while the account has no usable token: the work then
 * waits, nothing of it is skipped or cleared. */
export async function session(userId) {
  const known = await find(userId);
  if (!known) throw new AccountError('That Gumroad account is not connected to Bulkroad any more.');
  const store = storage.account(userId);
  let { [KEYS.TOKEN]: token, [KEYS.GRANT]: grant } = await store.getMany([KEYS.TOKEN, KEYS.GRANT]);
  if (token && grant?.refreshToken && (await ready()).tokenNeedsRefresh(grant, Date.now())) {
    token = await renew(userId, token);
  }
  if (!token) throw new AccountError(`This needs ${known.name} connected: sign in again (or paste a token for it) to continue.`);
  const session = { id: userId, name: known.name, store, token, credential: token, signal: stopSignal(userId) };
  if (grant?.refreshToken) {
    // `token` follows the renewals, so a refusal is told about the token last used.
    session.credential = {
      accessToken: token,
      renew: async (stale) => {
        const fresh = await renew(userId, stale);
        if (fresh) session.token = fresh;
        return fresh;
      },
    };
  }
  return session;
}

/** A fresh access token for `userId` in place of `stale`, or null (the account then needs
 * reconnecting). One renewal at a time per account: a caller arriving meanwhile waits for
 * it, and one whose token was already replaced gets the current one without a new refresh. */
export function renew(userId, stale) {
  if (renewals.has(userId)) return renewals.get(userId);
  const renewal = (async () => {
    const store = storage.account(userId);
    const { [KEYS.TOKEN]: current, [KEYS.GRANT]: grant } = await store.getMany([KEYS.TOKEN, KEYS.GRANT]);
    if (current && current !== stale) return current;
    if (!current || !grant?.refreshToken) return null;
    try {
      const tokens = await (await ready()).oauthRefresh(grant.clientId, grant.refreshToken, stopSignal(userId));
      // The old refresh token is spent: the new one is kept before the new access token
      // goes out (one write holds both).
      await store.set({ [KEYS.TOKEN]: tokens.accessToken, [KEYS.GRANT]: grantOf(tokens, grant.clientId) });
      return tokens.accessToken;
    } catch (error) {
      if (error?.kind === 'Stopped' || error?.kind === 'Network') throw error;
      // Refused (the grant was revoked on Gumroad): the account waits for a new sign-in.
      await tokenRefused(userId, current);
      return null;
    }
  })().finally(() => renewals.delete(userId));
  renewals.set(userId, renewal);
  return renewal;
}

/** What is kept of a token set besides the access token. */
export function grantOf(tokens, clientId) {
  return {
    clientId,
    refreshToken: tokens.refreshToken ?? null,
    scope: tokens.scope ?? [],
    createdAt: tokens.createdAt ?? null,
    expiresIn: tokens.expiresIn ?? null,
  };
}

/** The session of `userId`, or null while it cannot spend anything. */
export async function sessionIfConnected(userId) {
  try {
    return await session(userId);
  } catch {
    return null;
  }
}

/** Keeps a verified connection (`core.connect`'s answer) as the account of its user id and
 * makes it active; a second token for the same user replaces the first. `grant`: what a
 * sign-in with Gumroad gave besides the access token (none for a pasted token). */
export function connected(connection, grant = null) {
  return exclusive(async () => {
    const { token, ...profile } = connection;
    const id = String(profile.user.user_id ?? profile.user.id ?? '');
    if (!id) throw new AccountError('Gumroad did not say which account this token belongs to, so it was not saved.', 'Server');
    const entry = { id, name: profile.user.name || profile.user.email || `Gumroad account ${id}`, email: profile.user.email ?? null, needsReconnect: false, signedIn: Boolean(grant) };
    const store = storage.account(id);
    await store.remove([KEYS.PRODUCTS, KEYS.PICKER_ROWS, KEYS.PICKER_REVENUE, KEYS.GRANT]);
    await store.set({ [KEYS.TOKEN]: token, [KEYS.PROFILE]: profile, ...(grant ? { [KEYS.GRANT]: grant } : {}) });
    const { list } = await index();
    await storage.set({ [ACCOUNTS]: { active: id, list: [...list.filter((a) => a.id !== id), entry] } });
    return { account: entry, profile };
  });
}

/** Makes `userId` the active account. */
export function activate(userId) {
  return exclusive(async () => {
    const accounts = await index();
    if (!accounts.list.some((a) => a.id === userId)) throw new AccountError('That Gumroad account is not connected to Bulkroad.');
    await storage.set({ [ACCOUNTS]: { ...accounts, active: userId } });
  });
}

/** Drops the token of `userId` if it is still `token` (Gumroad refused it; a token pasted
 * since stays). The account and its work stay, waiting for a new token. */
export function tokenRefused(userId, token) {
  return exclusive(async () => {
    const store = storage.account(userId);
    if ((await store.get(KEYS.TOKEN)) !== token) return;
    await store.remove([KEYS.TOKEN]);
    const accounts = await index();
    const list = accounts.list.map((a) => (a.id === userId ? { ...a, needsReconnect: true } : a));
    await storage.set({ [ACCOUNTS]: { ...accounts, list } });
  });
}

/** The signal every request of `userId` carries; aborted when the account is forgotten. */
export function stopSignal(userId) {
  if (!stops.has(userId)) stops.set(userId, new AbortController());
  return stops.get(userId).signal;
}

/** Stops every request of `userId` now, those waiting to be sent included. */
export function stopAll(userId) {
  stops.get(userId)?.abort();
  stops.delete(userId);
}

/** Deletes everything account `userId` keeps, in chrome.storage and IndexedDB, and the
 * account; the next account in the list becomes active. Callers stop its work first. */
export function remove(userId) {
  return exclusive(async () => {
    await storage.account(userId).forget();
    const accounts = await index();
    const list = accounts.list.filter((a) => a.id !== userId);
    const active = accounts.active === userId ? (list[0]?.id ?? null) : accounts.active;
    await storage.set({ [ACCOUNTS]: { active, list } });
  });
}

// --- What an earlier version kept -------------------------------------------------------

/** The keys an earlier version kept for its one account (exact, and prefixes). */
const LEGACY_KEYS = ['auth.token', 'auth.profile', 'cache.productList', 'ui.selection', 'jobs.preview', 'jobs.current', 'jobs.endTime', 'jobs.history', 'exports.current'];
const LEGACY_PREFIXES = ['reports.', 'plans.', 'jobrows.'];
const LEGACY_DROPPED = ['cache.products'];
/** An earlier version's end-time alarms: `endtime:<jobId>`. */
const LEGACY_ALARM = /^endtime:[^:]+$/;

let migrating = null;

/** Moves what earlier versions kept, once per worker, before anything reads it: one
 * token's data into the account of that token's user, and the bulky records an account
 * kept in chrome.storage into IndexedDB (`storage.moveBulkyRecords`). Nothing is lost. */
export function migrated() {
  migrating ??= (async () => {
    await moveOneTokenData();
    await storage.moveBulkyRecords();
  })().catch((error) => {
    migrating = null;
    throw error;
  });
  return migrating;
}

/** Moves what the version of one token kept (its token, jobs, reports, end times and
 * export) into the account of that token's user. Without a kept profile (the token had
 * been forgotten) the jobs become an "Earlier account" that no token can spend. */
async function moveOneTokenData() {
  const all = await chrome.storage.local.get(null);
  const legacy = Object.keys(all).filter((k) => LEGACY_KEYS.includes(k) || LEGACY_PREFIXES.some((p) => k.startsWith(p)));
  if (legacy.length === 0) return;
  const profile = all['auth.profile'];
  const id = String(profile?.user?.user_id ?? profile?.user?.id ?? '') || 'earlier';
  const name = profile?.user?.name || profile?.user?.email || (id === 'earlier' ? 'Earlier account' : `Gumroad account ${id}`);
  const store = storage.account(id);
  await store.set(Object.fromEntries(legacy.map((k) => [k, all[k]])));
  const accounts = all[ACCOUNTS] ?? { active: null, list: [] };
  const entry = { id, name, email: profile?.user?.email ?? null, needsReconnect: !all['auth.token'] };
  const list = [...accounts.list.filter((a) => a.id !== id), entry];
  await storage.set({ [ACCOUNTS]: { active: accounts.active ?? (all['auth.token'] ? id : null), list } });
  await storage.remove([...legacy, ...LEGACY_DROPPED]);
  for (const alarm of await chrome.alarms.getAll()) {
    if (LEGACY_ALARM.test(alarm.name)) await chrome.alarms.clear(alarm.name);
  }
}
