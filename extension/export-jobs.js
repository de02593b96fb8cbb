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
import { ready } from './core.js';
import * as files from './export-files.js';
import { oneAtATime } from './one-at-a-time.js';
import * as storage from './storage.js';

const KEY = 'exports.current';
/** How often a running export's progress is written for the pages to follow. */
const PROGRESS_EVERY_MS = 250;
const running = new Map();
let recovered = null;
// Each start waits until the one before it is recorded (and, for a subscribers file,
// written), so it sees that export's status.
const oneStartAtATime = oneAtATime();

/** An export left "running" by a stopped worker becomes "interrupted". */
export function recoverInterrupted() {
  recovered ??= (async () => {
    const current = await storage.get(KEY);
    if (current?.status === 'running' && !running.has(current.id)) {
      await storage.set({ [KEY]: { ...current, status: 'interrupted' } });
    }
  })();
  return recovered;
}

/** Starts an export of `form` (`{kind, after, before, productId, bom, columns, storeName}`);
 * resolves to `{exportId}` once it is recorded, before its pages are read. */
export function startExport(token, form) {
  return oneStartAtATime(() => start(token, form));
}

async function start(token, form) {
  await recoverInterrupted();
  const current = await storage.get(KEY);
  if (current?.status === 'running') throw kindError('An export is already running. Wait for it or cancel it.');
  const core = await ready();
  const products = (await storage.get(storage.KEYS.PRODUCTS))?.items ?? [];
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
  if (current) await files.forget(current.id);
  await storage.set({ [KEY]: exportJob });
  if (!state) return exportSubscribers(token, core, exportJob, productIds);
  run(token, exportJob);
  return { exportId: exportJob.id };
}

// Subscribers are few (100 a page, memberships only): read and written in one go.
async function exportSubscribers(token, core, exportJob, productIds) {
  try {
    const file = await core.subscribersCsv(token, productIds, exportJob.options);
    await files.putPart(exportJob.id, 0, file.csv);
    Object.assign(exportJob, { status: 'ready', rows: file.rows });
  } catch (error) {
    Object.assign(exportJob, { status: 'cancelled', error: { kind: error?.kind ?? 'Server', message: String(error?.message ?? error) } });
    throw error;
  } finally {
    await storage.set({ [KEY]: exportJob });
  }
  return { exportId: exportJob.id };
}

export async function resumeExport(token) {
  await recoverInterrupted();
  const current = await storage.get(KEY);
  if (current?.status !== 'interrupted') throw kindError('There is no interrupted export to resume.');
  // The cursors stored with the last page are at least as new as the ones in storage.
  current.state = (await files.stateAfterLastPage(current.id)) ?? current.state;
  current.status = 'running';
  current.error = null;
  await storage.set({ [KEY]: current });
  run(token, current);
}

export async function cancelExport() {
  await recoverInterrupted();
  for (const control of running.values()) control.cancel = true;
  const current = await storage.get(KEY);
  if (current && current.status === 'interrupted') await storage.set({ [KEY]: { ...current, status: 'cancelled' } });
}

export async function currentExport() {
  await recoverInterrupted();
  return (await storage.get(KEY)) ?? null;
}

async function run(token, exportJob) {
  const control = { cancel: false };
  running.set(exportJob.id, control);
  try {
    const core = await ready();
    let shownAt = 0;
    const final = await core.runExport(token, exportJob.state, async ({ chunk, state, progress }) => {
      await files.putChunk(exportJob.id, chunk, state);
      exportJob.state = state;
      exportJob.progress = progress;
      if (Date.now() - shownAt >= PROGRESS_EVERY_MS) {
        shownAt = Date.now();
        await storage.set({ [KEY]: exportJob });
      }
      return control.cancel ? 'cancel' : 'continue';
    });
    exportJob.state = final;
    if (control.cancel) {
      exportJob.status = 'cancelled';
    } else {
      exportJob.status = 'writing';
      await storage.set({ [KEY]: exportJob });
      exportJob.rows = await writeFile(core, exportJob);
      exportJob.status = 'ready';
    }
  } catch (error) {
    exportJob.status = 'interrupted';
    exportJob.error = { kind: error?.kind ?? 'Server', message: String(error?.message ?? error) };
  } finally {
    running.delete(exportJob.id);
    await storage.set({ [KEY]: exportJob });
  }
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
