// service-worker.js — owns the access token, runs bulk jobs and answers the pages.
//
// Every listener is registered synchronously in the worker's first turn (a listener
// added after an await misses the event that woke the worker); each handler awaits the
// memoised wasm start. Nothing lives only in memory: what a later message needs is
// kept in chrome.storage, so a worker stopped by Chrome loses nothing.
import { ready } from './core.js';
import * as exportJobs from './export-jobs.js';
import * as jobs from './jobs.js';
import { MSG } from './messages.js';
import * as storage from './storage.js';

// Lets tests (and diagnostics) tell one worker instance from the next after a restart.
const instanceId = crypto.randomUUID();

// Starting the wasm now, not at the first message, hides its start-up behind the
// popup's own loading. A job left running by a stopped worker is marked interrupted.
ready().catch(() => {});
jobs.recoverInterrupted();
exportJobs.recoverInterrupted();
// Alarms may not survive a browser restart, and a stopped browser misses them: every
// worker start (a browser start included) also handles end times that have passed.
runEndTimes();

const handlers = {
  [MSG.PING]: async () => {
    const core = await ready();
    return { instanceId, apiOrigin: core.apiOrigin() };
  },

  [MSG.AUTH_STATUS]: async () => {
    const profile = await storage.get(storage.KEYS.PROFILE);
    const token = await storage.get(storage.KEYS.TOKEN);
    return token && profile ? { connected: true, profile } : { connected: false };
  },

  // The token is verified before it is kept: a token Gumroad refuses, or one that could
  // not be checked (no network), is never stored.
  [MSG.AUTH_CONNECT]: async ({ token }) => {
    const core = await ready();
    const profile = await core.connect(String(token ?? ''));
    await storage.remove([storage.KEYS.PRODUCTS]);
    await storage.set({ [storage.KEYS.TOKEN]: profile.token, [storage.KEYS.PROFILE]: withoutToken(profile) });
    return { connected: true, profile: withoutToken(profile) };
  },

  [MSG.AUTH_FORGET]: async () => {
    await forgetToken();
    return { connected: false };
  },

  [MSG.PRODUCTS_LIST]: async ({ refresh = false }) => {
    if (!refresh) {
      const cached = await storage.get(storage.KEYS.PRODUCTS);
      if (cached) return cached;
    }
    const items = await withToken((core, token) => core.listProducts(token));
    const listing = { items, fetchedAt: new Date().toISOString() };
    await storage.set({ [storage.KEYS.PRODUCTS]: listing });
    return listing;
  },

  [MSG.CODES_PREVIEW_APPLY]: async ({ form }) => {
    const plan = await withToken((core, token) => core.previewApplyCode(token, form));
    return jobs.keepPreview(plan);
  },

  [MSG.CODES_PREVIEW_REMOVE]: async ({ form }) => {
    const plan = await withToken((core, token) => core.previewRemoveCode(token, form));
    return jobs.keepPreview(plan);
  },

  [MSG.CODES_INVENTORY]: async () => withToken((core, token) => core.loadInventory(token)),

  [MSG.PRICES_PREVIEW]: async ({ form }) => {
    const plan = await withToken((core, token) => core.previewPriceChange(token, form));
    return jobs.keepPreview(plan);
  },

  // The parity table is pure computation in the core: no token involved.
  [MSG.PARITY_TABLE]: async ({ settings, overrides }) => (await ready()).parityTable(settings, overrides),
  [MSG.PARITY_EXPORT]: async ({ settings, overrides }) => (await ready()).parityExportCsv(settings, overrides),
  [MSG.PARITY_IMPORT_SIZE]: async ({ size }) => (await ready()).parityImportCheckSize(Number(size) || 0),
  [MSG.PARITY_IMPORT]: async ({ text }) => (await ready()).parityImportCsv(String(text ?? '')),
  [MSG.PARITY_MAP]: async ({ form, products }) => (await ready()).parityMap(form, products),

  [MSG.PARITY_PREVIEW]: async ({ form }) => {
    const plan = await withToken((core, token) => core.previewParityCodes(token, form));
    return jobs.keepPreview(plan);
  },

  [MSG.PARITY_PREVIEW_REMOVE]: async ({ form }) => {
    const plan = await withToken((core, token) => core.previewRemoveParityCodes(token, form));
    return jobs.keepPreview(plan);
  },

  [MSG.EXPORT_START]: async (options) => {
    const profile = await storage.get(storage.KEYS.PROFILE);
    return withToken((_, token) => exportJobs.startExport(token, { ...options, storeName: profile?.user?.name }));
  },
  [MSG.EXPORT_RESUME]: async () => withToken((_, token) => exportJobs.resumeExport(token)),
  [MSG.EXPORT_CANCEL]: async () => exportJobs.cancelExport(),
  [MSG.EXPORT_STATUS]: async () => exportJobs.currentExport(),
  [MSG.EXPORT_COLUMNS]: async () => (await ready()).exportSaleColumns(),

  [MSG.JOBS_LIST]: async () => jobs.listJobs(),
  [MSG.JOBS_START]: async ({ previewId, endAt }) => withToken((_, token) => jobs.startJob(token, { previewId, endAt })),
  [MSG.JOBS_CANCEL]: async ({ jobId }) => jobs.cancelJob(jobId),
  [MSG.JOBS_RESUME]: async ({ jobId }) => withToken((_, token) => jobs.resumeJob(token, jobId)),
  [MSG.JOBS_DISCARD]: async ({ jobId }) => jobs.discardJob(jobId),
  [MSG.JOBS_PREVIEW_UNDO]: async ({ jobId }) => withToken((_, token) => jobs.previewUndo(token, jobId)),
  [MSG.JOBS_PREVIEW_RETRY]: async ({ jobId }) => withToken((_, token) => jobs.previewRetry(token, jobId)),
  [MSG.JOBS_REPORT]: async ({ jobId }) => jobs.jobReport(jobId),
  [MSG.JOBS_CANCEL_END_TIME]: async ({ jobId }) => jobs.cancelEndTime(jobId),
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

// End times: the alarm fires at the time (see also the start-up check above).
chrome.alarms.onAlarm.addListener((alarm) => {
  if (jobs.isEndTimeAlarm(alarm)) runEndTimes();
});
chrome.runtime.onStartup.addListener(() => runEndTimes());
// Product lists kept by earlier versions lack the fields the picker filters on now.
chrome.runtime.onInstalled.addListener(() => storage.remove(['cache.products']));

async function runEndTimes() {
  const token = await storage.get(storage.KEYS.TOKEN);
  if (token) await jobs.runDueEndTimes(token);
}

// Only this extension's own pages may spend the token: content scripts (we have none)
// and other extensions (onMessageExternal is not listened to) are refused.
function isOwnPage(sender) {
  return sender?.id === chrome.runtime.id && typeof sender.url === 'string' && sender.url.startsWith(chrome.runtime.getURL(''));
}

async function withToken(call) {
  const token = await storage.get(storage.KEYS.TOKEN);
  if (!token) throw Object.assign(new Error('Connect your Gumroad account first.'), { kind: 'Unauthorized', status: null });
  const core = await ready();
  try {
    return await call(core, token);
  } catch (error) {
    // A token Gumroad stopped accepting (revoked, deleted app) must not stay as if good.
    if (error?.kind === 'Unauthorized') await jobs.forgetIfStill(token);
    throw error;
  }
}

// Nothing may spend a forgotten token: running jobs stop after their steps in flight.
async function forgetToken() {
  await jobs.cancelAll();
  await storage.remove([storage.KEYS.TOKEN, storage.KEYS.PROFILE, storage.KEYS.PRODUCTS]);
}

function withoutToken(profile) {
  const { token: _token, ...rest } = profile;
  return rest;
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
