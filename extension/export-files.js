// export-files.js — the one module that touches IndexedDB: the pages of an export as they
// arrive (`chunks`, keyed by export, shard and page), the export's cursors after the last
// stored page (`checkpoints`, one per export, written in the same transaction as that
// page) and the CSV text written from them (`parts`, keyed by export and position). Used
// by the worker to write and by the extension page that assembles the download (same
// extension origin, same database).

const DB_NAME = 'bulkroad-exports';
const VERSION = 2;
let opening = null;

function db() {
  opening ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, VERSION);
    request.onupgradeneeded = () => {
      const database = request.result;
      const stores = { chunks: ['exportId', 'shard', 'page'], parts: ['exportId', 'n'], checkpoints: 'exportId' };
      for (const [name, keyPath] of Object.entries(stores)) {
        if (!database.objectStoreNames.contains(name)) database.createObjectStore(name, { keyPath });
      }
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => {
      opening = null;
      reject(request.error);
    };
  });
  return opening;
}

async function transact(store, mode, work) {
  const database = await db();
  return new Promise((resolve, reject) => {
    const tx = database.transaction(store, mode);
    const result = work(tx.objectStore(store));
    tx.oncomplete = () => resolve(result?.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}

/** Stores one page of sales and the export's `state` after it, in one transaction: the
 * cursors never get ahead of the pages. The same page stored again replaces the first copy. */
export async function putChunk(exportId, { shard, page, sales }, state) {
  const database = await db();
  return new Promise((resolve, reject) => {
    const tx = database.transaction(['chunks', 'checkpoints'], 'readwrite');
    tx.objectStore('chunks').put({ exportId, shard, page, sales });
    tx.objectStore('checkpoints').put({ exportId, state });
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
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
