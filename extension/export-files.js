// export-files.js — an export's data in IndexedDB (through idb.js): the pages of an export as they
// arrive (`chunks`, keyed by export, shard and page), the export's cursors after the last
// stored page (`checkpoints`, one per export, written in the same transaction as that
// page) and the CSV text written from them (`parts`, keyed by export and position). Used
// by the worker to write and by the extension page that assembles the download (same
// extension origin, same database).

import { transact } from './idb.js';

/** Stores one page of sales and the export's `state` after it, in one transaction: the
 * cursors never get ahead of the pages. The same page stored again replaces the first copy. */
export async function putChunk(exportId, { shard, page, sales }, state) {
  await transact(['chunks', 'checkpoints'], 'readwrite', (chunks, checkpoints) => {
    chunks.put({ exportId, shard, page, sales });
    checkpoints.put({ exportId, state });
  });
}

/** The state stored with the last page of `exportId`, if any. */
export async function stateAfterLastPage(exportId) {
  const record = await transact('checkpoints', 'readonly', (store) => store.get(exportId));
  return record?.state ?? null;
}

export async function getChunk(exportId, { shard, page }) {
  const record = await transact('chunks', 'readonly', (store) => store.get([exportId, shard, page]));
  return record?.sales ?? [];
}

export function putPart(exportId, n, text) {
  return transact('parts', 'readwrite', (store) => store.put({ exportId, n, text }));
}

/** Every CSV part of `exportId`, in order. */
export async function parts(exportId) {
  const range = IDBKeyRange.bound([exportId, 0], [exportId, Number.MAX_SAFE_INTEGER]);
  const records = await transact('parts', 'readonly', (store) => store.getAll(range));
  return records.sort((a, b) => a.n - b.n).map((r) => r.text);
}

export function clearParts(exportId) {
  const range = IDBKeyRange.bound([exportId, 0], [exportId, Number.MAX_SAFE_INTEGER]);
  return transact('parts', 'readwrite', (store) => store.delete(range));
}

/** Drops the pages of sales of `exportId` and its checkpoint (its file stays). */
export async function forgetPages(exportId) {
  const range = IDBKeyRange.bound([exportId, 0, 0], [exportId, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER]);
  await transact('chunks', 'readwrite', (store) => store.delete(range));
  await transact('checkpoints', 'readwrite', (store) => store.delete(exportId));
}

/** Drops everything kept for `exportId`. */
export async function forget(exportId) {
  await clearParts(exportId);
  await forgetPages(exportId);
}
