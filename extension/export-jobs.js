// export-jobs.js — runs the sales, customers and subscribers exports in the service worker:
// stores what the wasm core planned (`exportStart` decides the walk, the file name, the
// currencies and the memberships), runs it, keeps its record and relays its progress.
//
// Reading: pages of sales go to IndexedDB as they arrive, with the export's cursors after
// them in the same transaction, many pages to a transaction: while one commits, the pages
// that arrive wait for the next, so the walk never waits for the disk (one transaction per
// page, awaited before the next page was taken in, paced the whole export). A worker
// stopped mid-export resumes from its last checkpoint, and a page fetched twice lands on
// the same key, so no row is lost or repeated. chrome.storage's `exports.current` (what
// pages follow) gets the progress a few times a second, not after every page.
//
// Writing: when every page is in, the file is written in one pass (the custom-field
// columns were collected with the cursors), a batch of pages per transaction: the batch's
// CSV is stored as a Blob part together with how far the file is written, and its pages
// are dropped. A worker stopped while writing resumes writing from there, without asking
// Gumroad for any page again. The whole run, reading and writing, keeps the worker awake.
//
// A storage failure (a full disk) stops the export as interrupted with the core's words
// (kind `Storage`, "storage full: …"); Resume goes on from the last checkpoint once there is room. Starts
// are taken one at a time, so two requests at once (a double click) cannot both pass the
// "already running" check.
//
// An export belongs to one account: its record is in that account's storage, its pages
// are read with that account's token, and a new export of the account replaces its last
// one. The pages of sales are freed as they are written into the file, the file once it
// has been downloaded (or a day after it was made), so buyers' data does not linger.
import * as accounts from './accounts.js';
import { ready } from './core.js';
import * as files from './export-files.js';
import { oneAtATime } from './one-at-a-time.js';
import * as storage from './storage.js';

const KEY = storage.KEYS.EXPORT;
/** How often a running export's progress is written for the pages to follow. */
const PROGRESS_EVERY_MS = 250;
/** Pages waiting for their transaction beyond which the walk waits for the disk. */
const MAX_WAITING_PAGES = 64;
/** Pages of sales written into one part of the file (≈ 1 000 rows, a few hundred KB). */
const PAGES_PER_PART = 100;
/** Chrome stops a worker after 30 s without an extension API call; a long read or write
 * makes none of its own (IndexedDB and fetch do not count). */
const KEEP_ALIVE_MS = 20_000;
/** A file not downloaded is freed this long after it was made. */
const FILE_KEPT_MINUTES = 24 * 60;
/** Alarm names: `exportfree:<accountId>:<exportId>`. */
const FREE_ALARM = 'exportfree:';
/** Exports this worker runs: exportId → { accountId, cancel, done }. */
const running = new Map();
/** Records of exports whose last write to chrome.storage failed (it was full): what they
 * are, as this worker knows it. */
const unsaved = new Map();
let keepAlive = null;
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

/** The account's export record: the stored one, or what this worker knows of it when
 * storing it last failed. */
async function recordOf(store) {
  const current = await store.get(KEY);
  return (current && unsaved.get(current.id)) ?? current ?? null;
}

/** Writes the export's record; a failure is a StorageFailure (chrome.storage full). */
async function saveRecord(store, exportJob) {
  try {
    await store.set({ [KEY]: exportJob });
  } catch (error) {
    throw new files.StorageFailure(error);
  }
  unsaved.delete(exportJob.id);
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
  const current = await recordOf(store);
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
  if (current) {
    await files.forget(current.id);
    unsaved.delete(current.id);
  }
  await store.set({ [KEY]: exportJob });
  if (!state) return exportSubscribers(session, core, exportJob, productIds);
  run(session, exportJob);
  return { exportId: exportJob.id };
}

// Subscribers are few (100 a page, memberships only): read and written in one go.
async function exportSubscribers(session, core, exportJob, productIds) {
  const control = { accountId: session.id, cancel: false, done: null };
  running.set(exportJob.id, control);
  try {
    const file = await core.subscribersCsv(session.credential, productIds, exportJob.options, session.signal);
    await files.putPart(exportJob.id, 0, file.csv);
    Object.assign(exportJob, { status: 'ready', rows: file.rows });
    await freeLater(session.store, exportJob);
  } catch (error) {
    Object.assign(exportJob, { status: 'cancelled', error: describe(core, error) });
    throw error;
  } finally {
    running.delete(exportJob.id);
    if (!session.signal.aborted) await session.store.set({ [KEY]: exportJob });
  }
  return { exportId: exportJob.id };
}

/** Resumes the account's interrupted export: reads on from its last checkpoint, or, once
 * every page is in, writes on from the last part kept. */
export async function resumeExport(session) {
  await recoverInterrupted();
  const current = await recordOf(session.store);
  if (current?.status !== 'interrupted') throw kindError('There is no interrupted export to resume.');
  // The cursors stored with the last page are at least as new as the ones in storage.
  current.state = (await files.checkpoint(current.id))?.state ?? current.state;
  current.status = 'running';
  current.error = null;
  await saveRecord(session.store, current);
  run(session, current);
}

export async function cancelExport(store) {
  await recoverInterrupted();
  const current = await recordOf(store);
  const control = current && running.get(current.id);
  if (control) control.cancel = true;
  if (current && current.status === 'interrupted') {
    // Freed first: with a full disk, this is what makes room.
    await files.forget(current.id);
    await saveRecord(store, { ...current, status: 'cancelled' });
  }
}

export async function currentExport(store) {
  await recoverInterrupted();
  return recordOf(store);
}

/** Exports of every account that wait for the seller or run: [{ accountId, export }]. */
export async function pendingExports() {
  await recoverInterrupted();
  const pending = [];
  for (const { id } of (await accounts.index()).list) {
    const current = await recordOf(storage.account(id));
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
  keepAlive ??= setInterval(() => chrome.runtime.getPlatformInfo(), KEEP_ALIVE_MS);
  const stopped = () => control.cancel || session.signal.aborted;
  let core = null;
  control.done = (async () => {
    try {
      core = await ready();
      const saver = pageSaver(store, exportJob);
      // A state whose walk is done (a resume after every page was in) sends nothing. The
      // state after each page comes as JSON, parsed only for the pages' transaction.
      const final = await core.runExport(session.credential, exportJob.state, ({ chunk, state, progress }) => {
        if (stopped()) return 'cancel';
        exportJob.progress = progress;
        return saver.add(chunk, state);
      }, session.signal);
      await saver.drained();
      exportJob.state = final;
      if (!stopped()) {
        exportJob.status = 'writing';
        await saveRecord(store, exportJob);
        const written = await writeFile(core, store, exportJob, stopped);
        exportJob.rows = written?.rows ?? null;
        // Kept before the record says "ready": a worker stopped in between writes no part
        // again on Resume and keeps the same tally again (it replaces, never adds). Without
        // room for it the seller still gets the file.
        if (written?.countries && !stopped()) {
          const kept = { countries: written.countries, query: exportJob.query, madeAt: new Date().toISOString(), exportId: exportJob.id };
          await store.set({ [storage.KEYS.BUYER_COUNTRIES]: kept }).catch(() => {});
        }
      }
      if (stopped()) {
        exportJob.status = 'cancelled';
        await files.forget(exportJob.id);
      } else {
        exportJob.status = 'ready';
        delete exportJob.written;
        await freeLater(store, exportJob);
      }
    } catch (error) {
      exportJob.status = 'interrupted';
      exportJob.error = describe(core, error);
    } finally {
      running.delete(exportJob.id);
      if (running.size === 0) {
        clearInterval(keepAlive);
        keepAlive = null;
      }
      // A forgotten account's storage is being deleted: nothing is written back into it.
      if (!session.signal.aborted) {
        const kept = await saveRecord(store, exportJob).then(
          () => true,
          () => unsaved.set(exportJob.id, exportJob) && false,
        );
        // Only once the record says "ready": until then the checkpoint is what a resume
        // needs to know the file is whole. What a failure leaves, the download frees.
        if (kept && exportJob.status === 'ready') await files.forgetPages(exportJob.id).catch(() => {});
      }
    }
  })();
}

/** Takes in the pages of a running export as they come and stores them, many pages to a
 * transaction, one transaction at a time: what arrives while one commits goes in the next.
 * The state stored with a batch is the one after its last page, so the checkpoint always
 * covers exactly the pages stored; `exportJob.state` follows the stored checkpoints.
 * `add` resolves "cancel" once storing failed (the walk stops; `drained` rejects with the
 * failure), and makes the walk wait only when too many pages are waiting. */
function pageSaver(store, exportJob) {
  let waiting = [];
  let after = null;
  let storing = null;
  let failure = null;
  let shownAt = 0;
  const storeWaiting = async () => {
    while (waiting.length > 0 && !failure) {
      const pages = waiting;
      const state = JSON.parse(after);
      waiting = [];
      try {
        await files.putChunks(exportJob.id, pages, state);
        exportJob.state = state;
        if (Date.now() - shownAt >= PROGRESS_EVERY_MS) {
          shownAt = Date.now();
          await saveRecord(store, exportJob);
        }
      } catch (error) {
        failure = error;
      }
    }
    storing = null;
  };
  return {
    add(chunk, state) {
      if (failure) return 'cancel';
      waiting.push(chunk);
      after = state;
      storing ??= storeWaiting();
      if (waiting.length < MAX_WAITING_PAGES) return 'continue';
      return storing.then(() => (failure ? 'cancel' : 'continue'));
    },
    async drained() {
      await storing;
      if (failure) throw failure;
    },
  };
}

/** Writes the file from the stored pages, on from the checkpoint's `written` (a resumed
 * export) or from its start; resolves to `{rows, countries}` (null once `stopped`):
 * `countries` is the core's tally of buyers per country over the same pages.
 *
 * The tally rides in the write checkpoint (`written.countries`), stored in the same
 * transaction as the part written from a batch and the deletion of that batch's pages: a
 * page is either still stored and not yet counted, or counted and gone, so a resumed
 * write never counts a page twice nor misses one. (Tallying while the pages are read
 * would not do: a page is read again after a restart and the walk's shards split.) A
 * checkpoint from before the tally has none: that file keeps no tally. */
async function writeFile(core, store, exportJob, stopped) {
  const saved = await files.checkpoint(exportJob.id);
  const state = saved?.state ?? exportJob.state;
  const runs = core.exportPageRuns(state);
  const inputs = { options: exportJob.options, customFields: state.customFields, productCurrencies: exportJob.productCurrencies };
  const total = exportJob.progress?.rows ?? 0;
  let shownAt = Date.now();
  const show = async (rows) => {
    exportJob.written = { rows, of: total };
    if (Date.now() - shownAt < PROGRESS_EVERY_MS) return;
    shownAt = Date.now();
    await saveRecord(store, exportJob);
  };
  if (exportJob.kind === 'customers') {
    // The builder keeps one entry per buyer, never the sales; it lives in this worker only,
    // so a resumed customers file is made again from its pages.
    const customers = new core.CustomersFile(inputs);
    try {
      let rows = 0;
      for (const batch of files.pageBatches(runs, 0, PAGES_PER_PART)) {
        if (stopped()) return null;
        await show((rows += customers.add(await files.readPages(exportJob.id, batch))));
      }
      await files.putPart(exportJob.id, 0, customers.csv());
      return { rows: customers.count(), countries: customers.countries() };
    } finally {
      customers.free();
    }
  }
  // A state kept before the columns were collected with the cursors: one pass for them.
  if (!inputs.customFields) {
    inputs.customFields = [];
    for (const batch of files.pageBatches(runs, 0, PAGES_PER_PART)) {
      const pages = await files.readPages(exportJob.id, batch);
      inputs.customFields = core.exportCustomFields(pages.flatMap((json) => JSON.parse(json)), inputs.customFields);
    }
  }
  const tallied = !saved?.written || 'countries' in saved.written;
  const file = new core.SalesFile({ ...inputs, countries: saved?.written?.countries });
  try {
    let written = saved?.written;
    if (!written) {
      written = { pages: 0, parts: 1, rows: 0, countries: file.countries() };
      await files.putWritten(exportJob.id, 0, csvBlob(file.header()), { state, written });
    }
    for (const batch of files.pageBatches(runs, written.pages, PAGES_PER_PART)) {
      if (stopped()) return null;
      const pages = await files.readPages(exportJob.id, batch);
      const before = file.count();
      const part = csvBlob(file.rows(pages));
      const next = {
        pages: written.pages + pages.length,
        parts: written.parts + 1,
        rows: written.rows + file.count() - before,
        ...(tallied ? { countries: file.countries() } : {}),
      };
      await files.putWritten(exportJob.id, written.parts, part, { state, written: next }, batch);
      written = next;
      await show(written.rows);
    }
    return { rows: written.rows, countries: tallied ? file.countries() : null };
  } finally {
    file.free();
  }
}

const csvBlob = (text) => new Blob([text], { type: files.CSV_TYPE });

/** An error as the export's record keeps it; a storage failure in the core's words. */
function describe(core, error) {
  const shown = error instanceof files.StorageFailure && core ? core.storageError(error.name, error.message, 'export') : error;
  return { kind: shown?.kind ?? 'Server', message: String(shown?.message ?? shown), status: shown?.status ?? null };
}

function kindError(message) {
  return Object.assign(new Error(message), { kind: 'InvalidInput', status: null });
}
