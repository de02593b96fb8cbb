// messages.js — the one list of message types between the extension pages and the
// service worker, and the page-side sender. Replies are envelopes:
// { ok: true, value } or { ok: false, error: { kind, message, status } }.

export const MSG = Object.freeze({
  PING: 'worker.ping',
  AUTH_STATUS: 'auth.status',
  AUTH_CONNECT: 'auth.connect',
  AUTH_FORGET: 'auth.forget',
  AUTH_FORGET_PREVIEW: 'auth.forgetPreview',
  AUTH_SWITCH: 'auth.switch',
  AUTH_SIGN_IN: 'auth.signIn',
  AUTH_OAUTH_SETTINGS: 'auth.oauthSettings',
  PRODUCTS_LIST: 'products.list',
  CODES_PREVIEW_APPLY: 'codes.previewApply',
  CODES_PREVIEW_REMOVE: 'codes.previewRemove',
  CODES_PREVIEW_BATCH: 'codes.previewBatch',
  CODES_INVENTORY: 'codes.inventory',
  CODES_PREVIEW_CLEAN_UP: 'codes.previewCleanUp',
  PRICES_PREVIEW: 'prices.preview',
  LISTINGS_AUDIT: 'listings.audit',
  LISTINGS_CATEGORIES: 'listings.categories',
  LISTINGS_PREVIEW: 'listings.preview',
  INSIGHTS_VIEW: 'insights.view',
  INSIGHTS_REVENUE: 'insights.revenue',
  AI_SETTINGS: 'ai.settings',
  AI_SAVE: 'ai.save',
  AI_FORGET: 'ai.forget',
  AI_SUGGEST: 'ai.suggest',
  PARITY_TABLE: 'parity.table',
  PARITY_EXPORT: 'parity.export',
  PARITY_IMPORT: 'parity.import',
  PARITY_IMPORT_SIZE: 'parity.importSize',
  PARITY_PREVIEW: 'parity.preview',
  PARITY_MAP: 'parity.map',
  PARITY_PREVIEW_REMOVE: 'parity.previewRemove',
  EXPORT_START: 'export.start',
  EXPORT_RESUME: 'export.resume',
  EXPORT_CANCEL: 'export.cancel',
  EXPORT_STATUS: 'export.status',
  EXPORT_DOWNLOADED: 'export.downloaded',
  EXPORT_COLUMNS: 'export.columns',
  JOBS_LIST: 'jobs.list',
  JOBS_PENDING: 'jobs.pending',
  JOBS_RUN_END_TIMES_NOW: 'jobs.runEndTimesNow',
  JOBS_START: 'jobs.start',
  JOBS_CANCEL: 'jobs.cancel',
  JOBS_RESUME: 'jobs.resume',
  JOBS_DISCARD: 'jobs.discard',
  JOBS_PREVIEW_UNDO: 'jobs.previewUndo',
  JOBS_PREVIEW_RETRY: 'jobs.previewRetry',
  JOBS_REPORT: 'jobs.report',
  JOBS_BATCH_CODES: 'jobs.batchCodes',
  JOBS_CANCEL_END_TIME: 'jobs.cancelEndTime',
});

// A worker that failed to register never answers, and chrome.runtime.sendMessage then
// waits forever: a bounded wait turns that into a message the seller can act on.
const REPLY_TIMEOUT_MS = 90_000;
// Previews read every selected product (and its codes) first: a large store, throttled,
// can take minutes, which is no reason to give up on the answer.
const SLOW_REPLY_TIMEOUT_MS = 10 * 60_000;
const SLOW = new Set([
  // The seller may take minutes to log in to Gumroad in the sign-in window.
  MSG.AUTH_SIGN_IN,
  MSG.CODES_PREVIEW_APPLY,
  MSG.CODES_PREVIEW_BATCH,
  MSG.CODES_PREVIEW_REMOVE,
  MSG.CODES_INVENTORY,
  MSG.CODES_PREVIEW_CLEAN_UP,
  MSG.PRICES_PREVIEW,
  MSG.LISTINGS_AUDIT,
  MSG.LISTINGS_PREVIEW,
  // All time is one summary per year of the store, a few in flight: throttled, a minute or more.
  MSG.INSIGHTS_VIEW,
  MSG.INSIGHTS_REVENUE,
  MSG.AI_SUGGEST,
  MSG.PARITY_PREVIEW,
  MSG.PARITY_PREVIEW_REMOVE,
  MSG.JOBS_PREVIEW_UNDO,
  MSG.JOBS_PREVIEW_RETRY,
  MSG.JOBS_RESUME,
  MSG.PRODUCTS_LIST,
  MSG.EXPORT_START,
]);

/** The account this page shows (its Gumroad user id): every request says it, so the
 * worker acts on that account's data and token even if another became active meanwhile. */
let pageAccount = null;

export function useAccount(accountId) {
  pageAccount = accountId ?? null;
}

export function currentAccount() {
  return pageAccount;
}

/** Sends `type` with `payload` to the service worker; resolves to `value` or throws a
 * plain Error carrying `kind` and `status` from the worker's error envelope. The page's
 * account goes along unless `payload` names one. */
export async function request(type, payload = {}) {
  if (pageAccount && payload.accountId === undefined) payload = { accountId: pageAccount, ...payload };
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(
      () => reject(envelopeError({ kind: 'Network', message: 'Bulkroad stopped responding. Reopen it and try again.' })),
      SLOW.has(type) ? SLOW_REPLY_TIMEOUT_MS : REPLY_TIMEOUT_MS,
    );
  });
  try {
    const reply = await Promise.race([chrome.runtime.sendMessage({ type, payload }), timeout]);
    if (!reply) throw envelopeError({ kind: 'Server', message: 'Bulkroad gave no answer. Reopen it and try again.' });
    if (!reply.ok) throw envelopeError(reply.error);
    return reply.value;
  } finally {
    clearTimeout(timer);
  }
}

function envelopeError({ kind, message, status }) {
  const error = new Error(message);
  error.name = 'BulkroadError';
  error.kind = kind;
  error.status = status ?? null;
  return error;
}
