// export-files.js — an export's data in IndexedDB (through idb.js): the pages of sales as
// they arrive (`chunks`, keyed by export, shard and page), the export's checkpoint
// (`checkpoints`, one per export: the cursors after the last stored pages, written in the
// same transaction as those pages; then how far the file is written, in the same
// transaction as the part it covers) and the file itself (`parts`, keyed by export and
// position). Parts are Blobs, which IndexedDB keeps on disk: the worker holds one batch of
// pages and its text at a time, and the page that downloads the file joins Blob handles,
// never the file's text. Used by the worker to write and by the extension page that
// assembles the download (same extension origin, same database).
//
// Every failure of IndexedDB here rejects with a `StorageFailure`, so the worker can tell
// a full disk from an error of the core and word it as one.

import { transact } from './idb.js';

const MAX_KEY = Number.MAX_SAFE_INTEGER;
/** The file's media type, for the parts and the download. */
export const CSV_TYPE = 'text/csv;charset=utf-8';

/** An error of the browser's storage (IndexedDB, or chrome.storage where the worker wraps
 * it): the cause's `name` (`QuotaExceededError`…) and message. */
export class StorageFailure extends Error {
  constructor(cause) {
    super(String(cause?.message ?? cause));
    this.name = String(cause?.name ?? 'Error');
  }
}

/** `transact`, with its failures as `StorageFailure`s. */
async function kept(names, mode, work) {
  try {
    return await transact(names, mode, work);
  } catch (error) {
    throw error instanceof StorageFailure ? error : new StorageFailure(error);
  }
}

/** Stores `chunks` (pages of sales, `{shard, page, json}`: the sales as the core's JSON)
 * and the export's `state` after the last of them, in one transaction: the cursors never
 * get ahead of the pages. A page stored again replaces the first copy. */
export async function putChunks(exportId, chunks, state) {
  await kept(['chunks', 'checkpoints'], 'readwrite', (store, checkpoints) => {
    for (const { shard, page, json } of chunks) store.put({ exportId, shard, page, json });
    checkpoints.put({ exportId, state });
  });
}

/** The checkpoint of `exportId`: `{state, written?}` (`written` once the file is being
 * written: `{pages, parts, rows}` taken into it so far), or null. */
export async function checkpoint(exportId) {
  return (await kept('checkpoints', 'readonly', (store) => store.get(exportId))) ?? null;
}

/** Ranges of a run of pages (`{shard, pages}`, in file order: core's `exportPageRuns`),
 * `size` pages to a batch, skipping the first `skip` pages: `[[{shard, first, last}…]…]`.
 * A batch may span runs; a range never does, so it is one key range. */
export function* pageBatches(runs, skip, size) {
  let batch = [];
  let count = 0;
  for (const { shard, pages } of runs) {
    if (skip >= pages) {
      skip -= pages;
      continue;
    }
    let first = skip + 1;
    skip = 0;
    while (first <= pages) {
      const last = Math.min(pages, first + size - count - 1);
      batch.push({ shard, first, last });
      count += last - first + 1;
      first = last + 1;
      if (count === size) {
        yield batch;
        batch = [];
        count = 0;
      }
    }
  }
  if (batch.length > 0) yield batch;
}

/** The pages of `ranges` (from `pageBatches`) in file order, each its sales as JSON, read
 * in one transaction (one key range per range: pages of a shard sort by page number). */
export async function readPages(exportId, ranges) {
  const requests = [];
  await kept('chunks', 'readonly', (store) => {
    for (const { shard, first, last } of ranges) requests.push(store.getAll(IDBKeyRange.bound([exportId, shard, first], [exportId, shard, last])));
  });
  const pages = [];
  for (const [i, { first, last }] of ranges.entries()) {
    const records = requests[i].result;
    // Pages are stored before the cursors that pass them: one missing is storage failing.
    if (records.length !== last - first + 1) throw new StorageFailure({ name: 'NotFoundError', message: 'a stored page of sales is missing' });
    // An earlier version stored the sales as objects.
    for (const record of records) pages.push(record.json ?? JSON.stringify(record.sales));
  }
  return pages;
}

/** Stores part `n` of the file (a Blob) and the checkpoint that counts it, in one
 * transaction, and drops the pages it was written from (`consumed`: ranges as from
 * `pageBatches`; none for a file that may be written again from its pages). */
export async function putWritten(exportId, n, blob, record, consumed = []) {
  await kept(['parts', 'checkpoints', 'chunks'], 'readwrite', (parts, checkpoints, chunks) => {
    parts.put({ exportId, n, blob });
    checkpoints.put({ ...record, exportId });
    for (const { shard, first, last } of consumed) chunks.delete(IDBKeyRange.bound([exportId, shard, first], [exportId, shard, last]));
  });
}

/** Stores the whole file as its one part (a file made in one go). */
export function putPart(exportId, n, text) {
  return kept('parts', 'readwrite', (store) => store.put({ exportId, n, blob: new Blob([text], { type: CSV_TYPE }) }));
}

/** Every part of `exportId`'s file, in order: Blobs (text, in a file an earlier version
 * kept). */
export async function parts(exportId) {
  const range = IDBKeyRange.bound([exportId, 0], [exportId, MAX_KEY]);
  const records = await kept('parts', 'readonly', (store) => store.getAll(range));
  return records.sort((a, b) => a.n - b.n).map((r) => r.blob ?? r.text);
}

export function clearParts(exportId) {
  const range = IDBKeyRange.bound([exportId, 0], [exportId, MAX_KEY]);
  return kept('parts', 'readwrite', (store) => store.delete(range));
}

/** Drops the pages of sales of `exportId` and its checkpoint (its file stays). */
export async function forgetPages(exportId) {
  const range = IDBKeyRange.bound([exportId, 0, 0], [exportId, MAX_KEY, MAX_KEY]);
  await kept(['chunks', 'checkpoints'], 'readwrite', (chunks, checkpoints) => {
    chunks.delete(range);
    checkpoints.delete(exportId);
  });
}

/** Drops everything kept for `exportId`. */
export async function forget(exportId) {
  await clearParts(exportId);
  await forgetPages(exportId);
}
