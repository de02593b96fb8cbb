// IndexedDB for the worker's modules in node: fake-indexeddb's in-memory database, a fresh
// one per test, and a disk that fills up on demand — from the Nth write on, every
// transaction that writes aborts with a QuotaExceededError, as Chrome's does at its quota.
import { IDBFactory, IDBKeyRange, IDBObjectStore } from 'fake-indexeddb';

const disk = { writes: 0, fullAfter: Infinity };

// Every write (put, add) counts; the one that crosses the limit and every later one abort
// their transaction as a full disk does: nothing of it is kept, its error names the quota.
for (const method of ['put', 'add']) {
  const original = IDBObjectStore.prototype[method];
  IDBObjectStore.prototype[method] = function write(...args) {
    const request = original.apply(this, args);
    disk.writes += 1;
    if (disk.writes > disk.fullAfter) {
      const tx = this.transaction;
      // After the caller has queued the rest of its requests, before anything commits.
      queueMicrotask(() => tx._abort('QuotaExceededError'));
    }
    return request;
  };
}

/** A new, empty IndexedDB as `globalThis.indexedDB`, with room for every write. */
export function freshIndexedDB() {
  globalThis.indexedDB = new IDBFactory();
  globalThis.IDBKeyRange = IDBKeyRange;
  disk.writes = 0;
  disk.fullAfter = Infinity;
}

/** The disk takes `n` more writes, then refuses every one. */
export function fillAfter(n) {
  disk.fullAfter = disk.writes + n;
}

/** Room again (the seller freed some disk space). */
export function freeSpace() {
  disk.fullAfter = Infinity;
}
