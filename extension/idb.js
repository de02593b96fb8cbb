// idb.js — the one module that opens IndexedDB: the database's object stores (declared
// once, below) and a transaction helper that resolves when the transaction has committed.
// Bulky data lives here (its size fits IndexedDB's quota, not chrome.storage's small
// records); the modules that keep it (export-files.js and others) own what goes in their
// stores.
//
// The database keeps the name it had when it held the export's pages only, so that an
// update keeps an export interrupted before it.

const DB_NAME = 'bulkroad-exports';
const VERSION = 3;

/** Object stores and their key paths. A store added here needs VERSION raised. */
const STORES = Object.freeze({
  // Export pages, keyed by export, shard and page (export-files.js).
  chunks: ['exportId', 'shard', 'page'],
  // An export's CSV parts, by position in the file (export-files.js).
  parts: ['exportId', 'n'],
  // An export's cursors after its last stored page (export-files.js).
  checkpoints: 'exportId',
  // Each account's bulky records — plans, job rows, reports, previews, the product list —
  // keyed by account id and logical key (account-records.js).
  records: ['account', 'key'],
});

let opening = null;

/** The open database (opened once per worker or page). */
export function database() {
  opening ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      for (const [name, keyPath] of Object.entries(STORES)) {
        if (!db.objectStoreNames.contains(name)) db.createObjectStore(name, { keyPath });
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

/** Runs `work(stores…)` in one transaction over `names` (a store name or a list), and
 * resolves with the result of the request `work` returned (if any) once the transaction
 * has committed; rejects with the transaction's error (a full disk is a QuotaExceededError). */
export async function transact(names, mode, work) {
  const db = await database();
  const list = Array.isArray(names) ? names : [names];
  return new Promise((resolve, reject) => {
    const tx = db.transaction(list, mode);
    const request = work(...list.map((name) => tx.objectStore(name)));
    tx.oncomplete = () => resolve(request?.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
}
