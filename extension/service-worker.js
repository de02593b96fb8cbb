// service-worker.js — owns the access token, runs bulk jobs and answers the pages.
//
// Every listener is registered synchronously in the worker's first turn (a listener
// added after an await misses the event that woke the worker); each handler awaits the
// memoised wasm start. Nothing lives only in memory: what a later message needs is
// kept in storage (small records in chrome.storage, bulky ones in IndexedDB: storage.js),
// so a worker stopped by Chrome loses nothing.
import * as accounts from './accounts.js';
import * as ai from './ai-suggestions.js';
import { ready } from './core.js';
import * as exportJobs from './export-jobs.js';
import * as jobs from './jobs.js';
import { MSG } from './messages.js';
import * as storage from './storage.js';

/** The path of the redirect URI (`https://<extension id>.chromiumapp.org/gumroad`). */
const OAUTH_REDIRECT_PATH = 'gumroad';

// Lets tests (and diagnostics) tell one worker instance from the next after a restart.
const instanceId = crypto.randomUUID();

// Starting the wasm now, not at the first message, hides its start-up behind the
// popup's own loading. A job left running by a stopped worker is marked interrupted.
ready().catch(() => {});
jobs.recoverInterrupted().catch(() => {});
exportJobs.recoverInterrupted().catch(() => {});
// Alarms may not survive a browser restart, and a stopped browser misses them: every
// worker start (a browser start included) also handles end times that have passed.
runEndTimes();

const handlers = {
  [MSG.PING]: async () => {
    const core = await ready();
    return { instanceId, apiOrigin: core.apiOrigin() };
  },

  // The accounts, the active one and its profile (never a token).
  [MSG.AUTH_STATUS]: async () => {
    const { active, list } = await accounts.index();
    const session = active ? await accounts.sessionIfConnected(active) : null;
    const profile = active ? await storage.account(active).get(storage.KEYS.PROFILE) : null;
    return { connected: Boolean(session && profile), active, accounts: list, profile: profile ?? null };
  },

  // The token is verified before it is kept: a token Gumroad refuses, or one that could
  // not be checked (no network), is never stored. It becomes (or replaces the token of)
  // the account of its Gumroad user, which becomes active; work of that account that
  // waited for it goes on.
  [MSG.AUTH_CONNECT]: async ({ token }) => {
    const core = await ready();
    const { account, profile } = await accounts.connected(await core.connect(String(token ?? '')));
    jobs.runDueEndTimes().catch(() => {});
    return { connected: true, active: account.id, account, profile };
  },

  // Sign in with Gumroad: authorization code + PKCE + state through the browser's auth
  // window. The worker runs it (the toolbar popup closes when that window takes focus);
  // the core builds the request, reads the answer and exchanges the code. Nothing is kept
  // unless every step worked.
  [MSG.AUTH_SIGN_IN]: async ({ readOnly = false }) => {
    const core = await ready();
    const clientId = await oauthClientId(core);
    const redirectUri = chrome.identity.getRedirectURL(OAUTH_REDIRECT_PATH);
    const { authorizeUrl, state, verifier } = core.oauthStart(clientId, redirectUri, Boolean(readOnly), crypto.getRandomValues(new Uint8Array(64)));
    let finalUrl;
    try {
      finalUrl = await chrome.identity.launchWebAuthFlow({ url: authorizeUrl, interactive: true });
    } catch {
      // Chrome says only that the flow did not end at the redirect URI: the window was
      // closed, or Gumroad showed an error page instead of redirecting (an unknown
      // application id or redirect URI).
      throw new accounts.AccountError(
        'The sign-in window closed before Gumroad sent Bulkroad back. If Gumroad showed an error there, check the application ID and that its redirect URI is exactly the one shown here.',
        'Denied',
      );
    }
    const { code } = core.oauthCallback(finalUrl, redirectUri, state);
    const tokens = await core.oauthExchange(clientId, redirectUri, code, verifier);
    const connection = await core.connect(tokens.accessToken);
    const { account, profile } = await accounts.connected(connection, accounts.grantOf(tokens, clientId));
    jobs.runDueEndTimes().catch(() => {});
    return { connected: true, active: account.id, account, profile };
  },

  // What signing in needs from the seller: the build's application id (if any), their own,
  // and the exact redirect URI to register on Gumroad.
  [MSG.AUTH_OAUTH_SETTINGS]: async ({ clientId } = {}) => {
    const core = await ready();
    if (typeof clientId === 'string') {
      const trimmed = clientId.trim();
      if (trimmed) await storage.set({ [storage.OAUTH_CLIENT_ID]: trimmed });
      else await storage.remove([storage.OAUTH_CLIENT_ID]);
    }
    return {
      buildClientId: core.buildClientId() ?? null,
      clientId: (await storage.get(storage.OAUTH_CLIENT_ID)) ?? null,
      redirectUri: chrome.identity.getRedirectURL(OAUTH_REDIRECT_PATH),
    };
  },

  [MSG.AUTH_SWITCH]: async ({ accountId }) => {
    await accounts.activate(String(accountId ?? ''));
    return null;
  },

  // What forgetting the account deletes, its open end times first.
  [MSG.AUTH_FORGET_PREVIEW]: async (payload) => {
    const store = await accountOf(payload);
    const [{ history }, current, openEndTimes] = await Promise.all([
      jobs.listJobs(store),
      exportJobs.currentExport(store),
      jobs.openEndTimes(store),
    ]);
    const signedIn = Boolean(await store.get(storage.KEYS.GRANT));
    return { accountId: store.id, name: (await accounts.find(store.id)).name, signedIn, jobs: history.length, export: Boolean(current), openEndTimes };
  },

  // `revoked`: true or false for a signed-in account (Gumroad could not be reached), null for
  // a pasted token (the seller revokes it on Gumroad).
  [MSG.AUTH_FORGET]: async (payload) => {
    const store = await accountOf(payload);
    const { revoked } = await forgetAccount(store.id);
    return { connected: false, revoked };
  },

  // The picker's rows (the page never holds whole products: a catalogue of thousands
  // would cost it their descriptions and per-country prices); the whole list stays here.
  [MSG.PRODUCTS_LIST]: async ({ refresh = false, ...payload }) => {
    const store = await accountOf(payload);
    if (!refresh) {
      const { [storage.KEYS.PICKER_ROWS]: rows, [storage.KEYS.PRODUCTS]: listing } = await store.getMany([storage.KEYS.PICKER_ROWS, storage.KEYS.PRODUCTS]);
      if (rows) return rows;
      // A list kept before the picker had rows of its own.
      if (listing) return keepRows(store, await ready(), listing);
    }
    const items = await withSession(payload, (core, s) => core.listProducts(s.credential, s.signal));
    const listing = { items, fetchedAt: new Date().toISOString() };
    // The kept list only saves the next popup a read of Gumroad: with no room for it (a
    // full disk), the seller still gets the list they asked for.
    await store.set({ [storage.KEYS.PRODUCTS]: listing }).catch(() => {});
    return keepRows(store, await ready(), listing);
  },

  [MSG.CODES_PREVIEW_APPLY]: async (payload) => preview(payload, async (core, s) => core.previewApplyCode(s.credential, payload.form, await listedFor(s.store), s.signal)),
  [MSG.CODES_PREVIEW_REMOVE]: async (payload) => preview(payload, async (core, s) => core.previewRemoveCode(s.credential, payload.form, await listedFor(s.store), s.signal)),
  [MSG.CODES_PREVIEW_BATCH]: async (payload) => preview(payload, async (core, s) => core.previewCreateCodes(s.credential, payload.form, await listedFor(s.store), s.signal)),
  // Every code, with the campaign view the core makes from the account's kept job reports
  // (batches of codes and what became of them).
  [MSG.CODES_INVENTORY]: async (payload) => withSession(payload, async (core, s) => core.loadInventory(s.credential, await jobs.keptReports(s.store), s.signal)),
  [MSG.CODES_PREVIEW_CLEAN_UP]: async (payload) => preview(payload, async (core, s) => core.previewCleanUpCodes(s.credential, payload.form, await listedFor(s.store), s.signal)),
  [MSG.PRICES_PREVIEW]: async (payload) => preview(payload, async (core, s) => core.previewPriceChange(s.credential, payload.form, await listedFor(s.store), s.signal)),

  // Every row and the audit's CSV (made with it, for the page's download).
  [MSG.LISTINGS_AUDIT]: async (payload) => withSession(payload, async (core, s) => core.auditListings(s.credential, await listedFor(s.store), s.signal)),
  [MSG.LISTINGS_CATEGORIES]: async (payload) => withSession(payload, (core, s) => core.listingCategories(s.credential, s.signal)),
  [MSG.LISTINGS_PREVIEW]: async (payload) => preview(payload, async (core, s) => core.previewEditListings(s.credential, payload.form, await listedFor(s.store), s.signal)),

  // Sales summaries over the seller's range: `request` is `{range, groupBy, today}`, the
  // core checks it (a range it cannot show is refused before any request).
  [MSG.INSIGHTS_VIEW]: async ({ request: insights, ...payload }) => withSession(payload, (core, s) => core.insightsView(s.credential, insights, s.signal)),
  // The picker's revenue column, kept for the next page (without room for it, the seller
  // still gets the column they asked for).
  [MSG.INSIGHTS_REVENUE]: async ({ request: insights, ...payload }) =>
    withSession(payload, async (core, s) => {
      const kept = { range: insights?.range ?? null, revenue: await core.productRevenue(s.credential, insights, s.signal), fetchedAt: new Date().toISOString() };
      await s.store.set({ [storage.KEYS.PICKER_REVENUE]: kept }).catch(() => {});
      return kept;
    }),

  [MSG.AI_SETTINGS]: async (payload) => ai.settingsView(await accountOf(payload), await ready()),
  [MSG.AI_SAVE]: async ({ url, model, key, ...payload }) => ai.save(await accountOf(payload), await ready(), { url, model, key }),
  [MSG.AI_FORGET]: async (payload) => ai.forget(await accountOf(payload), await ready()),
  // The selected products as the worker holds them whole (the page has only their rows).
  [MSG.AI_SUGGEST]: async ({ productIds, instruction, ...payload }) =>
    withSession(payload, async (core, s) => {
      const wanted = new Set((Array.isArray(productIds) ? productIds : []).map(String));
      const items = (await s.store.get(storage.KEYS.PRODUCTS))?.items ?? (await core.listProducts(s.credential, s.signal));
      return ai.suggest(s.store, core, items.filter((p) => wanted.has(String(p.id))), instruction, s.signal);
    }),

  // The parity table is pure computation in the core: no token involved. Its buyer
  // columns come from what the page's account kept of its last export (none without one).
  [MSG.PARITY_TABLE]: async ({ settings, overrides, ...payload }) => {
    const store = await accountOf(payload).catch(() => null);
    const kept = await store?.get(storage.KEYS.BUYER_COUNTRIES);
    return (await ready()).parityTable(settings, overrides, kept?.countries, kept?.query ?? null, kept?.madeAt);
  },
  [MSG.PARITY_EXPORT]: async ({ settings, overrides }) => (await ready()).parityExportCsv(settings, overrides),
  [MSG.PARITY_IMPORT_SIZE]: async ({ size }) => (await ready()).parityImportCheckSize(Number(size) || 0),
  [MSG.PARITY_IMPORT]: async ({ text }) => (await ready()).parityImportCsv(String(text ?? '')),
  // The map of the selected products, from the whole products the worker holds.
  [MSG.PARITY_MAP]: async ({ form, ...payload }) => {
    const store = await accountOf(payload);
    const items = (await store.get(storage.KEYS.PRODUCTS))?.items ??
      (await withSession(payload, (core, s) => core.listProducts(s.credential, s.signal)));
    return (await ready()).parityMap(form, items);
  },
  [MSG.PARITY_PREVIEW]: async (payload) => preview(payload, async (core, s) => core.previewParityCodes(s.credential, payload.form, await listedFor(s.store), s.signal)),
  [MSG.PARITY_PREVIEW_REMOVE]: async (payload) => preview(payload, async (core, s) => core.previewRemoveParityCodes(s.credential, payload.form, await listedFor(s.store), s.signal)),

  [MSG.EXPORT_START]: async ({ accountId, ...options }) =>
    withSession({ accountId }, async (_, s) => {
      const profile = await s.store.get(storage.KEYS.PROFILE);
      return exportJobs.startExport(s, { ...options, storeName: profile?.user?.name });
    }),
  [MSG.EXPORT_RESUME]: async (payload) => withSession(payload, (_, s) => exportJobs.resumeExport(s)),
  [MSG.EXPORT_CANCEL]: async (payload) => exportJobs.cancelExport(await accountOf(payload)),
  [MSG.EXPORT_STATUS]: async (payload) => exportJobs.currentExport(await accountOf(payload)),
  [MSG.EXPORT_DOWNLOADED]: async ({ exportId, ...payload }) => exportJobs.downloaded(await accountOf(payload), exportId),
  [MSG.EXPORT_COLUMNS]: async () => (await ready()).exportSaleColumns(),

  [MSG.JOBS_LIST]: async (payload) => jobs.listJobs(await accountOf(payload)),
  // Work of any account that runs or waits for the seller, with the account's name.
  [MSG.JOBS_PENDING]: async () => {
    const { list } = await accounts.index();
    const named = (accountId) => list.find((a) => a.id === accountId)?.name ?? accountId;
    const [pendingJobs, pendingExports] = await Promise.all([jobs.pendingJobs(), exportJobs.pendingExports()]);
    return {
      jobs: pendingJobs.map((p) => ({ ...p, accountName: named(p.accountId) })),
      exports: pendingExports.map((p) => ({ ...p, accountName: named(p.accountId) })),
    };
  },
  [MSG.JOBS_START]: async ({ previewId, endAt, ...payload }) => withSession(payload, (_, s) => jobs.startJob(s, { previewId, endAt })),
  [MSG.JOBS_CANCEL]: async ({ jobId }) => jobs.cancelJob(jobId),
  [MSG.JOBS_RESUME]: async ({ jobId, ...payload }) => withSession(payload, (_, s) => jobs.resumeJob(s, jobId)),
  [MSG.JOBS_DISCARD]: async ({ jobId, ...payload }) => jobs.discardJob(await accountOf(payload), jobId),
  [MSG.JOBS_PREVIEW_UNDO]: async ({ jobId, ...payload }) => withSession(payload, (_, s) => jobs.previewUndo(s, jobId)),
  [MSG.JOBS_PREVIEW_RETRY]: async ({ jobId, ...payload }) => withSession(payload, (_, s) => jobs.previewRetry(s, jobId)),
  [MSG.JOBS_REPORT]: async ({ jobId, ...payload }) => jobs.jobReport(await accountOf(payload), jobId),
  [MSG.JOBS_BATCH_CODES]: async ({ jobId, ...payload }) => jobs.batchCodes(await accountOf(payload), jobId),
  [MSG.JOBS_CANCEL_END_TIME]: async ({ jobId, ...payload }) => jobs.cancelEndTime(await accountOf(payload), jobId),
  [MSG.JOBS_RUN_END_TIMES_NOW]: async (payload) => withSession(payload, (_, s) => jobs.runEndTimesNow(s)),
};

chrome.runtime.onMessage.addListener((message, sender, sendResponse) => {
  if (!isOwnPage(sender)) return false;
  const handler = handlers[message?.type];
  if (!handler) {
    sendResponse({ ok: false, error: { kind: 'InvalidInput', message: 'Unknown request.', status: null } });
    return false;
  }
  handler(message.payload ?? {}).then(
    (value) => sendResponse({ ok: true, value: value ?? null }),
    (error) => sendResponse({ ok: false, error: toEnvelope(error) }),
  );
  // Returning true keeps the channel open until the asynchronous answer is sent.
  return true;
});

// End times: the alarm fires at the time (see also the start-up check above). Files kept
// past their time are freed by theirs.
chrome.alarms.onAlarm.addListener((alarm) => {
  if (jobs.isEndTimeAlarm(alarm)) runEndTimes();
  else if (exportJobs.isFreeAlarm(alarm)) exportJobs.freeExpired(alarm).catch(() => {});
});
chrome.runtime.onStartup.addListener(() => runEndTimes());
// Product lists kept by earlier versions lack the fields the picker filters on now; what an
// earlier version kept for its one token becomes that token's account.
chrome.runtime.onInstalled.addListener(() => accounts.migrated());

function runEndTimes() {
  return jobs.runDueEndTimes().catch(() => {});
}

// Only this extension's own pages may spend the token: content scripts (we have none)
// and other extensions (onMessageExternal is not listened to) are refused.
function isOwnPage(sender) {
  return sender?.id === chrome.runtime.id && typeof sender.url === 'string' && sender.url.startsWith(chrome.runtime.getURL(''));
}

/** The storage of the account a page's request is for: the one it names (the account it
 * shows), else the active one. */
async function accountOf({ accountId } = {}) {
  const id = accountId ?? (await accounts.activeId());
  if (!id || !(await accounts.find(id))) {
    throw new accounts.AccountError('Connect your Gumroad account first.', 'Unauthorized');
  }
  return storage.account(id);
}

/** Runs `call(core, session)` with the token of the request's account. */
async function withSession(payload, call) {
  const { id } = await accountOf(payload);
  const session = await accounts.session(id);
  const core = await ready();
  try {
    return await call(core, session);
  } catch (error) {
    // A token Gumroad stopped accepting (revoked, deleted app) must not stay as if good;
    // the account and its work stay, waiting for a new one.
    if (error?.kind === 'Unauthorized') await accounts.tokenRefused(session.id, session.token);
    throw error;
  }
}

/** A preview made with the request's account, kept in that account's preview slot. */
async function preview(payload, make) {
  return withSession(payload, async (core, session) => jobs.keepPreview(session.store, await make(core, session)));
}

/** What a preview may start from instead of walking the catalogue: the picker's product
 * list as kept, and the account's job records (the seller's job, the end time's removal,
 * the last finished one). Whether the list is fresh enough is the core's decision. */
/** Keeps (when there is room) and returns the picker's rows of `listing`. */
async function keepRows(store, core, listing) {
  const rows = { items: core.pickerRows(listing.items), fetchedAt: listing.fetchedAt };
  await store.set({ [storage.KEYS.PICKER_ROWS]: rows }).catch(() => {});
  return rows;
}

async function listedFor(store) {
  const [listing, { current, endTime, history }] = await Promise.all([store.get(storage.KEYS.PRODUCTS), jobs.listJobs(store)]);
  if (!Array.isArray(listing?.items)) return null;
  const records = [current, endTime, history[0]].filter(Boolean);
  return {
    items: listing.items,
    fetchedAt: listing.fetchedAt ?? null,
    jobs: records.map(({ status, finishedAt }) => ({ status: String(status), finishedAt: finishedAt ?? null })),
  };
}

/** The application id signing in uses: the seller's own, else the build's. */
async function oauthClientId(core) {
  const own = await storage.get(storage.OAUTH_CLIENT_ID);
  const clientId = own ?? core.buildClientId();
  if (!clientId) {
    throw new accounts.AccountError('Enter the Application ID of your Gumroad application first (under "Use my own application").', 'InvalidInput');
  }
  return clientId;
}

// Forgetting an account: a signed-in account's token is revoked on Gumroad first; then its
// requests stop (those waiting to be sent included), its job and export end, and everything
// it keeps goes, in chrome.storage and IndexedDB.
async function forgetAccount(accountId) {
  const store = storage.account(accountId);
  const { [storage.KEYS.TOKEN]: token, [storage.KEYS.GRANT]: grant } = await store.getMany([storage.KEYS.TOKEN, storage.KEYS.GRANT]);
  let revoked = null;
  if (token && grant?.clientId) {
    revoked = await (await ready()).oauthRevoke(grant.clientId, token).then(() => true, () => false);
  }
  accounts.stopAll(accountId);
  await Promise.all([jobs.stopAccount(accountId), exportJobs.stopAccount(accountId), ai.forgetFor(store)]);
  for (const alarm of await chrome.alarms.getAll()) {
    if (alarm.name.split(':')[1] === accountId) await chrome.alarms.clear(alarm.name);
  }
  await accounts.remove(accountId);
  return { revoked };
}

// Errors from the wasm core are GumroadErrors with kind/status and messages that never
// hold the token; anything else (a bug, a failed wasm start) is reported generically
// rather than passing on text we did not write.
function toEnvelope(error) {
  if (error && typeof error.kind === 'string') {
    return { kind: error.kind, message: String(error.message), status: error.status ?? null };
  }
  return { kind: 'Server', message: 'Bulkroad hit an unexpected problem. Reopen it and try again.', status: null };
}
