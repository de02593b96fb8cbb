// export-jobs.js — runs the sales, customers and subscribers exports in the service worker:
// stores what the wasm core planned (`exportStart` decides the walk, the file name, the
// currencies and the memberships), runs it, keeps its record and relays its progress.
// Pages of sales go to IndexedDB as they arrive (one record per page, keyed by its place
// in the file), each with the export's cursors after it in the same transaction: a worker
// stopped mid-export resumes from its last checkpoint, and a page fetched twice lands on
// the same key, so no row is lost or repeated. chrome.storage's `exports.current` (what
// pages follow) gets the progress a few times a second, not after every page, which would
// cap the pace. When every page is in, the CSV is written chunk by chunk into IndexedDB,
// where the extension page that downloads it reads the parts. Starts are taken one at a
// time, so two requests at once (a double click) cannot both pass the "already running"
// check.
//
// An export belongs to one account: its record is in that account's storage, its pages
// are read with that account's token, and a new export of the account replaces its last
// one. The pages of sales are freed as soon as the file is written, the file once it has
// been downloaded (or a day after it was made), so buyers' data does not linger.
import * as accounts from './accounts.js';
import { ready } from './core.js';
import * as files from './export-files.js';
import { oneAtATime } from './one-at-a-time.js';
import * as storage from './storage.js';

const KEY = storage.KEYS.EXPORT;
/** How often a running export's progress is written for the pages to follow. */
const PROGRESS_EVERY_MS = 250;
/** A file not downloaded is freed this long after it was made. */
const FILE_KEPT_MINUTES = 24 * 60;
/** Alarm names: `exportfree:<accountId>:<exportId>`. */
const FREE_ALARM = 'exportfree:';
/** Exports this worker runs: exportId → { accountId, cancel, done }. */
const running = new Map();
let recovered = null;
// Each start waits until the one before it is recorded (and, for a subscribers file,
// written), so it sees that export's status.
const oneStartAtATime = oneAtATime();

/** An export left "running" (or "writing") by a stopped worker becomes "interrupted", in
 * every account: Resume reads on from its last checkpoint, or writes the file. */
export function recoverInterrupted() {
  recovered ??= (async () => {
    for (const { id } of (await accounts.index()).list) {
      const store = storage.account(id);
      const current = await store.get(KEY);
      if (['running', 'writing'].includes(current?.status) && !running.has(current.id)) {
        await store.set({ [KEY]: { ...current, status: 'interrupted' } });
      }
    }
  })();
  return recovered;
}

/** Starts an export of `form` (`{kind, after, before, productId, bom, columns, storeName}`)
 * for the session's account; resolves to `{exportId}` once it is recorded, before its
 * pages are read. */
export function startExport(session, form) {
  return oneStartAtATime(() => start(session, form));
}

async function start(session, form) {
  const { store } = session;
  await recoverInterrupted();
  const current = await store.get(KEY);
  if (['running', 'writing'].includes(current?.status)) throw kindError('An export is already running. Wait for it or cancel it.');
  const core = await ready();
  const products = (await store.get(storage.KEYS.PRODUCTS))?.items ?? [];
  // A sales walk to run (sales, customers), or the products whose subscribers are read.
  const { state, productIds, ...planned } = core.exportStart(form, products);
  const exportJob = {
    id: crypto.randomUUID(),
    ...planned,
    status: state ? 'running' : 'writing',
    state,
    progress: null,
    error: null,
    startedAt: new Date().toISOString(),
  };
  // A new export of the account replaces its last one, file and pages.
  if (current) await files.forget(current.id);
  await store.set({ [KEY]: exportJob });
  if (!state) return exportSubscribers(session, core, exportJob, productIds);
  run(session, exportJob);
  return { exportId: exportJob.id };
}

// Subscribers are few (100 a page, memberships only): read and written in one go.
async function exportSubscribers(session, core, exportJob, productIds) {
  try {
    const file = await core.subscribersCsv(session.credential, productIds, exportJob.options, session.signal);
    await files.putPart(exportJob.id, 0, file.csv);
    Object.assign(exportJob, { status: 'ready', rows: file.rows });
    await freeLater(session.store, exportJob);
  } catch (error) {
    Object.assign(exportJob, { status: 'cancelled', error: { kind: error?.kind ?? 'Server', message: String(error?.message ?? error) } });
    throw error;
  } finally {
    if (!session.signal.aborted) await session.store.set({ [KEY]: exportJob });
  }
  return { exportId: exportJob.id };
}

export async function resumeExport(session) {
  await recoverInterrupted();
  const current = await session.store.get(KEY);
  if (current?.status !== 'interrupted') throw kindError('There is no interrupted export to resume.');
  // The cursors stored with the last page are at least as new as the ones in storage.
  current.state = (await files.stateAfterLastPage(current.id)) ?? current.state;
  current.status = 'running';
  current.error = null;
  await session.store.set({ [KEY]: current });
  run(session, current);
}

export async function cancelExport(store) {
  await recoverInterrupted();
  const current = await store.get(KEY);
  const control = current && running.get(current.id);
  if (control) control.cancel = true;
  if (current && current.status === 'interrupted') {
    await files.forget(current.id);
    await store.set({ [KEY]: { ...current, status: 'cancelled' } });
  }
}

export async function currentExport(store) {
  await recoverInterrupted();
  return (await store.get(KEY)) ?? null;
}

/** Exports of every account that wait for the seller or run: [{ accountId, export }]. */
export async function pendingExports() {
  await recoverInterrupted();
  const pending = [];
  for (const { id } of (await accounts.index()).list) {
    const current = await storage.account(id).get(KEY);
    if (['running', 'writing', 'interrupted'].includes(current?.status)) pending.push({ accountId: id, export: current });
  }
  return pending;
}

/** The page has handed the file to the browser's downloads: it is freed now. */
export async function downloaded(store, exportId) {
  const current = await store.get(KEY);
  if (current?.id !== exportId || current.status !== 'ready') return;
  await files.forget(exportId);
  await chrome.alarms.clear(`${FREE_ALARM}${store.id}:${exportId}`);
  await store.set({ [KEY]: { ...current, status: 'downloaded', downloadedAt: new Date().toISOString() } });
}

export function isFreeAlarm(alarm) {
  return alarm.name.startsWith(FREE_ALARM);
}

/** A file kept past its time (the alarm `alarm`) is freed, unread. */
export async function freeExpired(alarm) {
  const [accountId, exportId] = alarm.name.slice(FREE_ALARM.length).split(':');
  if (!(await accounts.find(accountId))) return;
  const store = storage.account(accountId);
  const current = await store.get(KEY);
  await files.forget(exportId);
  if (current?.id === exportId && current.status === 'ready') await store.set({ [KEY]: { ...current, status: 'expired' } });
}

/** Stops the account's export (it is being forgotten) and frees its pages and file;
 * resolves once its run has ended. Callers have aborted the account's requests already. */
export async function stopAccount(accountId) {
  const runs = [...running.values()].filter((control) => control.accountId === accountId);
  for (const control of runs) control.cancel = true;
  await Promise.all(runs.map((control) => control.done));
  await oneStartAtATime(async () => {});
  const current = await storage.account(accountId).get(KEY);
  if (current) {
    await files.forget(current.id);
    await chrome.alarms.clear(`${FREE_ALARM}${accountId}:${current.id}`);
  }
}

async function freeLater(store, exportJob) {
  await chrome.alarms.create(`${FREE_ALARM}${store.id}:${exportJob.id}`, { delayInMinutes: FILE_KEPT_MINUTES });
}

function run(session, exportJob) {
  const { store } = session;
  const control = { accountId: session.id, cancel: false, done: null };
  running.set(exportJob.id, control);
  control.done = (async () => {
    try {
      const core = await ready();
      let shownAt = 0;
      const final = await core.runExport(session.credential, exportJob.state, async ({ chunk, state, progress }) => {
        if (session.signal.aborted) return 'cancel';
        await files.putChunk(exportJob.id, chunk, state);
        exportJob.state = state;
        exportJob.progress = progress;
        if (Date.now() - shownAt >= PROGRESS_EVERY_MS) {
          shownAt = Date.now();
          await store.set({ [KEY]: exportJob });
        }
        return control.cancel ? 'cancel' : 'continue';
      }, session.signal);
      exportJob.state = final;
      if (control.cancel || session.signal.aborted) {
        exportJob.status = 'cancelled';
        await files.forget(exportJob.id);
      } else {
        exportJob.status = 'writing';
        await store.set({ [KEY]: exportJob });
        exportJob.rows = await writeFile(core, exportJob);
        // The file is made: the pages of sales are not needed any more.
        await files.forgetPages(exportJob.id);
        exportJob.status = 'ready';
        await freeLater(store, exportJob);
      }
    } catch (error) {
      exportJob.status = 'interrupted';
      exportJob.error = { kind: error?.kind ?? 'Server', message: String(error?.message ?? error) };
    } finally {
      running.delete(exportJob.id);
      // A forgotten account's storage is being deleted: nothing is written back into it.
      if (!session.signal.aborted) await store.set({ [KEY]: exportJob });
    }
  })();
}

// Two passes over the stored pages: the custom-field columns must be known before the
// header; then one CSV part per page, in file order.
async function writeFile(core, exportJob) {
  const order = core.exportChunkOrder(exportJob.state);
  const inputs = { options: exportJob.options, customFields: [], productCurrencies: exportJob.productCurrencies };
  await files.clearParts(exportJob.id);
  if (exportJob.kind === 'customers') {
    // One page at a time: the builder keeps one entry per buyer, never the sales.
    const customers = new core.CustomersFile(inputs);
    try {
      for (const key of order) customers.add(await files.getChunk(exportJob.id, key));
      await files.putPart(exportJob.id, 0, customers.csv());
      return customers.count();
    } finally {
      customers.free();
    }
  }
  for (const key of order) inputs.customFields = core.exportCustomFields(await files.getChunk(exportJob.id, key), inputs.customFields);
  await files.putPart(exportJob.id, 0, core.salesCsvHeader(inputs));
  let rows = 0;
  for (const [n, key] of order.entries()) {
    const sales = await files.getChunk(exportJob.id, key);
    rows += sales.length;
    await files.putPart(exportJob.id, n + 1, core.salesCsvRows(inputs, sales));
  }
  return rows;
}

function kindError(message) {
  return Object.assign(new Error(message), { kind: 'InvalidInput', status: null });
}
