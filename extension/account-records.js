// account-records.js — the bulky records of every Gumroad account in IndexedDB (through
// idb.js): plans, the rows of jobs not yet finished, reports, the preview waiting for the
// seller and the product list. One object store, `records`, keyed [account id, logical
// key] (`{ account, key, value }`), so that one account's records are one key range:
// forgetting an account deletes exactly that range. It knows nothing of chrome.storage;
// storage.js decides which logical keys live here and gives callers one view of both.
//
// Every call is one transaction and resolves once it has committed, so a caller that
// writes a small record in chrome.storage after it (a job's checkpoint) never points at a
// record that is not there yet. A refused write (a full disk is a QuotaExceededError)
// rejects with the transaction's error and changes nothing.
import { transact } from './idb.js';

const STORE = 'records';

/** Every key of `account`: strings sort before arrays in IndexedDB, so [account, []] is
 * above every [account, <string>]. */
const range = (account) => IDBKeyRange.bound([account, ''], [account, []]);

/** The values of `keys` that `account` holds, as { key: value }. */
export async function getMany(account, keys) {
  if (keys.length === 0) return {};
  const found = {};
  await transact(STORE, 'readonly', (store) => {
    for (const key of keys) {
      store.get([account, key]).onsuccess = (event) => {
        const record = event.target.result;
        if (record) found[key] = record.value;
      };
    }
  });
  return found;
}

/** Writes `entries` ({ key: value }) of `account` in one transaction. */
export async function set(account, entries) {
  const list = Object.entries(entries);
  if (list.length === 0) return;
  await transact(STORE, 'readwrite', (store) => {
    for (const [key, value] of list) store.put({ account, key, value });
  });
}

/** Writes the `entries` that `account` does not hold yet (what is there is newer). */
export async function setMissing(account, entries) {
  const list = Object.entries(entries);
  if (list.length === 0) return;
  await transact(STORE, 'readwrite', (store) => {
    for (const [key, value] of list) {
      store.getKey([account, key]).onsuccess = (event) => {
        if (event.target.result === undefined) store.put({ account, key, value });
      };
    }
  });
}

export async function remove(account, keys) {
  if (keys.length === 0) return;
  await transact(STORE, 'readwrite', (store) => {
    for (const key of keys) store.delete([account, key]);
  });
}

/** Deletes every record of `account`. */
export async function forget(account) {
  await transact(STORE, 'readwrite', (store) => store.delete(range(account)));
}

/** The keys `account` holds (tests and the benchmark count them). */
export async function keys(account) {
  const found = await transact(STORE, 'readonly', (store) => store.getAllKeys(range(account)));
  return found.map(([, key]) => key);
}
