// exports.js — sales and customers exports in the service worker. Pages of sales go to
// IndexedDB as they arrive (one record per page, keyed by its place in the file), each
// with the export's cursors after it in the same transaction: a worker stopped mid-export
// resumes from its last checkpoint, and a page fetched twice lands on the same key, so no
// row is lost or repeated. chrome.storage's `exports.current` (what pages follow) gets the
// progress a few times a second, not after every page, which would cap the pace. When every page is in, the CSV is written chunk by chunk into
// IndexedDB, where the extension page that downloads it reads the parts.
import { ready } from './core.js';
import * as files from './export-files.js';
import * as storage from './storage.js';

const KEY = 'exports.current';
/** How often a running export's progress is written for the pages to follow. */
const PROGRESS_EVERY_MS = 250;
const running = new Map();
let recovered = null;

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

export async function startExport(token, { kind, after, before, productId, bom, columns, storeName }) {
  await recoverInterrupted();
  const current = await storage.get(KEY);
  if (current?.status === 'running') throw kindError('An export is already running. Wait for it or cancel it.');
  if (!['sales', 'customers', 'subscribers'].includes(kind)) throw kindError('Choose what to export.');
  const core = await ready();
  const products = (await storage.get(storage.KEYS.PRODUCTS))?.items ?? [];
  if (kind === 'subscribers') return exportSubscribers(token, core, { productId, bom, storeName, products, current });
  const query = { after: after || null, before: before || null, productId: productId || null };
  const state = core.exportStart(query);
  // Gumroad's sales counts (with the view_sales scope) make a fair estimate for progress.
  const counted = products.filter((p) => !productId || p.id === productId).map((p) => p.sales_count);
  if (counted.length && counted.every((n) => Number.isInteger(n))) state.expectedTotal = counted.reduce((a, b) => a + b, 0);
  const exportJob = {
    id: crypto.randomUUID(),
    kind,
    query,
    options: { bom: bom !== false, columns: Array.isArray(columns) ? columns : [] },
    productCurrencies: Object.fromEntries(products.map((p) => [p.id, p.currency])),
    filename: filename(storeName, kind, query),
    status: 'running',
    state,
    progress: null,
    error: null,
    startedAt: new Date().toISOString(),
  };
  if (current) await files.forget(current.id);
  await storage.set({ [KEY]: exportJob });
  run(token, exportJob);
  return { exportId: exportJob.id };
}

// Subscribers are few (100 a page, memberships only): read and written in one go.
async function exportSubscribers(token, core, { productId, bom, storeName, products, current }) {
  const memberships = products.filter((p) => p.is_tiered_membership || p.subscription_duration).map((p) => p.id);
  const productIds = productId ? [productId] : memberships;
  if (productIds.length === 0) throw kindError('No product of this store has subscribers (no memberships).');
  const exportJob = {
    id: crypto.randomUUID(),
    kind: 'subscribers',
    query: { productId: productId || null },
    filename: filename(storeName, 'subscribers', {}),
    status: 'writing',
    progress: null,
    error: null,
    startedAt: new Date().toISOString(),
  };
  if (current) await files.forget(current.id);
  await storage.set({ [KEY]: exportJob });
  try {
    const file = await core.subscribersCsv(token, productIds, { bom: bom !== false });
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
  current.state = (await files.checkpoint(current.id)) ?? current.state;
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
  const names = new Set();
  for (const key of order) for (const name of core.exportCustomFields(await files.getChunk(exportJob.id, key))) names.add(name);
  inputs.customFields = [...names].sort();
  await files.putPart(exportJob.id, 0, core.salesCsvHeader(inputs));
  let rows = 0;
  for (const [n, key] of order.entries()) {
    const sales = await files.getChunk(exportJob.id, key);
    rows += sales.length;
    await files.putPart(exportJob.id, n + 1, core.salesCsvRows(inputs, sales));
  }
  return rows;
}

function filename(storeName, kind, { after, before }) {
  const store = String(storeName || 'gumroad').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'gumroad';
  const range = after || before ? `${after ?? 'start'}-to-${before ?? 'today'}` : 'all-time';
  return `${store}-${kind}-${range}.csv`;
}

function kindError(message) {
  return Object.assign(new Error(message), { kind: 'InvalidInput', status: null });
}
