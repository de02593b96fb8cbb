// The export's file and the browser's storage: a worker stopped while it writes the file
// resumes writing (no page of sales asked for again) to a file identical, byte for byte,
// to an uninterrupted export; and an export that meets a full storage stops as "storage
// full", can be cancelled, and once space is freed resumes to the exact file.
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import {
  EXTENSION_DIR,
  FULL_VIEW,
  accountKey,
  connectedPage,
  killServiceWorker,
  launchExtension,
  openPage,
  parseCsv,
  sandbox,
  useExtension,
} from '../harness.mjs';

const context = useExtension();

/** The export kept in the worker's storage (`exports.current`), or null. */
async function currentExport(tab) {
  const key = await accountKey(tab, 'exports.current');
  return tab.evaluate(async (k) => (await chrome.storage.local.get(k))[k] ?? null, key);
}

/** Waits until the export record satisfies `done` (polled: storage reads are async). */
async function exportWhere(tab, done, what, timeout = 120_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const current = await currentExport(tab);
    if (current && done(current)) return current;
    assert.ok(Date.now() < deadline, `no export ${what}: ${JSON.stringify({ status: current?.status, error: current?.error })}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Starts a sales export through the worker, as the form does; resolves to its id. */
async function startExport(tab) {
  const reply = await tab.evaluate(() => chrome.runtime.sendMessage({ type: 'export.start', payload: { kind: 'sales', bom: true, columns: [] } }));
  assert.ok(reply.ok, JSON.stringify(reply.error));
  return reply.value.exportId;
}

/** Downloads the ready export through the page's button; resolves to the file's bytes. */
async function download(tab) {
  await tab.getByRole('tab', { name: 'Export' }).click();
  await tab.locator('#export-status[data-status="ready"]').waitFor({ timeout: 120_000 });
  const [file] = await Promise.all([tab.waitForEvent('download'), tab.getByRole('button', { name: 'Download' }).click()]);
  return readFile(await file.path());
}

/** The ids of a file's rows, in order. */
function idsOf(bytes) {
  const [header, ...rows] = parseCsv(bytes.toString('utf8').replace(/^\uFEFF/, ''));
  const id = header.indexOf('id');
  return rows.map((cells) => cells[id]);
}

/** An id as the file holds it: a `'` before a start a spreadsheet would run as a formula. */
const neutralised = (value) => value.replace(/^(?=[=+\-@\t\r])/, "'");

/** The store's sale ids, newest first, as the file must list them. */
const expectedIds = async () => (await sandbox.sales()).map((s) => neutralised(s.id));

const salesRequests = (log) => log.filter((r) => r.method === 'GET' && r.path === '/v2/sales');

/** The export's checkpoint in IndexedDB, read from an extension page. */
function checkpointOf(tab, exportId) {
  return tab.evaluate(
    (id) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('bulkroad-exports');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const read = open.result.transaction('checkpoints').objectStore('checkpoints').get(id);
          read.onsuccess = () => {
            open.result.close();
            resolve(read.result ?? null);
          };
          read.onerror = () => reject(read.error);
        };
      }),
    exportId,
  );
}

// IndexedDB runs transactions over the same store in the order they were made: while the
// page holds a readwrite transaction on `parts`, the worker's next write of a part waits
// behind it. Making a new one and then ending the old lets exactly the write already
// waiting through — the file advances one part per step, with no timing assumed.
async function holdParts(tab) {
  await tab.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('bulkroad-exports');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains('parts')) reject(new Error('the export has not made its database'));
          const hold = () => {
            const tx = db.transaction('parts', 'readwrite');
            const store = tx.objectStore('parts');
            const lock = { held: true };
            // A transaction stays open while it has requests: ask for nothing, again and again.
            const spin = () => {
              if (lock.held) store.get(-1).onsuccess = spin;
            };
            spin();
            return lock;
          };
          let lock = hold();
          globalThis.partsLock = {
            step() {
              const next = hold();
              lock.held = false;
              lock = next;
            },
            release() {
              lock.held = false;
              db.close();
            },
          };
          resolve();
        };
      }),
  );
}

/** Takes `mb` MB of the extension's storage, or all that is left (random bytes, which
 * cannot be compressed), 64 KB to a transaction. */
function fill(tab, mb = Infinity) {
  return tab.evaluate(
    (limit) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('filler', 1);
        open.onupgradeneeded = () => open.result.createObjectStore('bytes');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const put = (i) => {
            if (limit !== null && i >= limit * 16) return done();
            const tx = db.transaction('bytes', 'readwrite');
            tx.objectStore('bytes').put(crypto.getRandomValues(new Uint8Array(65536)), `${Date.now()}-${i}`);
            tx.oncomplete = () => put(i + 1);
            tx.onabort = () => (tx.error?.name === 'QuotaExceededError' && limit === null ? done() : reject(tx.error));
          };
          const done = () => {
            db.close();
            resolve();
          };
          put(0);
        };
      }),
    Number.isFinite(mb) ? mb : null,
  );
}

/** Gives `mb` MB of what `fill` took back. */
function unfill(tab, mb) {
  return tab.evaluate(
    (count) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('filler', 1);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction('bytes', 'readwrite');
          const keys = tx.objectStore('bytes').getAllKeys(null, count);
          keys.onsuccess = () => {
            for (const key of keys.result) tx.objectStore('bytes').delete(key);
          };
          tx.oncomplete = () => {
            open.result.close();
            resolve();
          };
          tx.onabort = () => reject(tx.error);
        };
      }),
    mb * 16,
  );
}

/** Gives the space `fill` took back. */
function free(tab) {
  return tab.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const deleting = indexedDB.deleteDatabase('filler');
        deleting.onsuccess = resolve;
        deleting.onerror = () => reject(deleting.error);
      }),
  );
}

describe('export file and storage', () => {
  test('a worker stopped while writing the file resumes writing, to the same bytes as an uninterrupted export', async () => {
    const SALES = 3_000;
    await sandbox.reset({ products: 12, sales: SALES });
    const expected = await expectedIds();
    const tab = await connectedPage(context);
    await tab.getByRole('tab', { name: 'Export' }).click();

    const exportId = await startExport(tab);
    // Once the worker has stored pages, the database is there to open (opened before, it
    // would be made without the worker's stores).
    await exportWhere(tab, (e) => e.id === exportId && e.progress?.pages > 0, 'reading');
    await holdParts(tab);
    // Every page is in: the file is being written, its first write waiting for the page.
    const writing = await exportWhere(tab, (e) => e.id === exportId && e.status === 'writing', 'writing');
    assert.equal(writing.progress.rows, SALES, 'every sale was read before writing began');
    await tab.locator('#export-status[data-status="writing"]').waitFor();
    // The header and two parts of 100 pages go through, then the worker is stopped.
    for (let step = 0; step < 3; step += 1) {
      await tab.evaluate(() => globalThis.partsLock.step());
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    await killServiceWorker(context.ext, tab);
    await tab.evaluate(() => globalThis.partsLock.release());
    const stopped = await checkpointOf(tab, exportId);
    assert.ok(stopped?.written, 'the file was being written when the worker stopped');
    assert.ok(stopped.written.pages > 0 && stopped.written.pages < SALES / 10, `stopped part way: ${JSON.stringify(stopped.written)}`);
    await tab.close();

    const reopened = await openPage(context.ext, FULL_VIEW);
    await reopened.getByRole('tab', { name: 'Export' }).click();
    await reopened.locator('#export-status[data-status="interrupted"]').waitFor({ timeout: 20_000 });
    await sandbox.clearRequests();
    await reopened.getByRole('button', { name: 'Resume' }).click();
    const resumed = await download(reopened);
    assert.deepEqual(salesRequests(await sandbox.requests()), [], 'no page of sales was asked for again');
    assert.deepEqual(idsOf(resumed), expected, 'every sale once, in order');

    // The same store exported without a stop.
    await startExport(reopened);
    const whole = await download(reopened);
    assert.equal(resumed.length, whole.length, 'same size');
    assert.ok(resumed.equals(whole), 'the resumed file is byte for byte the uninterrupted one');
    await reopened.close();
  });

  test('an export that meets a full storage stops as "storage full", can be cancelled, and resumes exact once space is freed', async () => {
    const SALES = 6_000;
    await sandbox.reset({ products: 12, sales: SALES });
    const expected = await expectedIds();
    // A small quota through the DevTools protocol. Chrome gives an extension with
    // `unlimitedStorage` no quota to override (only the disk filling up stops it, with the
    // same QuotaExceededError), so this runs a copy of the build without that permission.
    const limitedDir = await mkdtemp(path.join(tmpdir(), 'bulkroad-limited-'));
    await cp(EXTENSION_DIR, limitedDir, { recursive: true });
    const manifestFile = path.join(limitedDir, 'manifest.json');
    const manifest = JSON.parse(await readFile(manifestFile, 'utf8'));
    manifest.permissions = manifest.permissions.filter((p) => p !== 'unlimitedStorage');
    await writeFile(manifestFile, JSON.stringify(manifest));
    const ext = await launchExtension(limitedDir);
    try {
      // IndexedDB asks for its quota once and spends that allowance write by write: the
      // override comes before the extension's first write in this browser. Chromium drops
      // it when the session that set it detaches, so the session stays open throughout.
      const holder = await openPage(ext, 'app/index.html');
      const cdp = await ext.context.newCDPSession(holder);
      const origin = `chrome-extension://${ext.extensionId}`;
      const { usage } = await holder.evaluate(() => navigator.storage.estimate());
      await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: usage + 8 * 2 ** 20 });
      const tab = await connectedPage({ ext, tokens: context.tokens });
      await tab.getByRole('tab', { name: 'Export' }).click();
      // Full to the last byte, then 1 MB given back: about a fourth of what the export's
      // pages need (≈ 4 MB of JSON).
      await fill(tab);
      await unfill(tab, 1);

      const first = await startExport(tab);
      const full = await exportWhere(tab, (e) => e.id === first && e.status === 'interrupted', 'interrupted by the full storage');
      assert.equal(full.error.kind, 'Storage');
      assert.match(full.error.message, /^storage full: /);
      await tab.locator('#export-status[data-status="interrupted"]', { hasText: 'storage full: ' }).waitFor();
      // The pages stored before the storage ran out.
      const stored = (await checkpointOf(tab, first))?.state.shards.reduce((n, shard) => n + shard.pages, 0) ?? 0;
      assert.ok(stored > 0, 'some pages were stored before the storage ran out');

      // Space is freed; Resume goes on from the pages stored and finishes the file.
      await free(tab);
      await sandbox.clearRequests();
      await tab.locator('#export-status').getByRole('button', { name: 'Resume' }).click();
      await exportWhere(tab, (e) => e.id === first && e.status === 'ready', 'ready after space was freed');
      const file = await download(tab);
      assert.deepEqual(idsOf(file), expected, 'every sale once, in order');
      const asked = salesRequests(await sandbox.requests()).length;

      // Full to the last byte: an export stopped by it is cancelled, and keeps nothing.
      await fill(tab);
      const second = await startExport(tab);
      await exportWhere(tab, (e) => e.id === second && e.status === 'interrupted', 'interrupted again');
      await tab.locator('#export-status').getByRole('button', { name: 'Cancel' }).click();
      await exportWhere(tab, (e) => e.id === second && e.status === 'cancelled', 'cancelled');
      assert.equal(await checkpointOf(tab, second), null, 'the cancelled export keeps nothing');
      await free(tab);
      await cdp.send('Storage.overrideQuotaForOrigin', { origin });

      // The same store exported with room to spare: the same bytes. Resume did not read the
      // store again from the start (that asks about as much as this export): it asked for
      // what was left after the pages stored, give or take shards split differently.
      await sandbox.clearRequests();
      await startExport(tab);
      assert.ok(file.equals(await download(tab)), 'the resumed file is byte for byte the one made with room to spare');
      const whole = salesRequests(await sandbox.requests()).length;
      assert.ok(asked < whole - stored / 2, `${asked} sales requests after Resume, ${whole} for a whole export, ${stored} pages stored`);
      await tab.close();
    } finally {
      await ext.close();
      await rm(limitedDir, { recursive: true, force: true });
    }
  });
});
