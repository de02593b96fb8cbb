// A storage that fills up while a job runs: the job stops as interrupted with "storage
// full: …", every code it created is accounted for (a saved row or a step kept in flight),
// Discard ends it while storage is still full, a new preview says "storage full", and once
// there is room again Resume re-reads Gumroad and ends exact on the sandbox.
//
// Storage is made full as a disk fills: the DevTools protocol's Storage.overrideQuotaForOrigin
// gives the extension's origin a few megabytes, and, mid-job, incompressible filler in a
// database of its own takes the room left, write after write, until Chromium refuses one.
// Two things of Chromium's shape this. It exempts an extension with `unlimitedStorage` from
// quota (the override then changes what navigator.storage.estimate() says, not what a write
// may use), so this spec loads a copy of the sandbox build whose manifest lacks that one
// permission — same files, same key and id. And IndexedDB asks for the quota once and then
// spends what it was allowed write by write, asking again only when that runs out: the
// override is set before the extension's first write in this browser, and is only ever
// raised by a few megabytes ("free space") — never lifted, which would allow gigabytes. In a
// release install the same refusal comes from a full disk, through the same code.
import assert from 'node:assert/strict';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import {
  EXTENSION_DIR,
  POPUP,
  codesByProduct,
  connectedPage,
  extensionRecords,
  extensionStorage,
  accountKey,
  live,
  openPage,
  reportOutcomes,
  sandbox,
  selectProducts,
  useExtension,
  waitForJob,
} from '../harness.mjs';

const withQuota = await mkdtemp(path.join(tmpdir(), 'bulkroad-quota-'));
await cp(EXTENSION_DIR, withQuota, { recursive: true });
const manifest = JSON.parse(await readFile(path.join(withQuota, 'manifest.json'), 'utf8'));
manifest.permissions = manifest.permissions.filter((p) => p !== 'unlimitedStorage');
await writeFile(path.join(withQuota, 'manifest.json'), JSON.stringify(manifest, null, 2));
after(() => rm(withQuota, { recursive: true, force: true }));

const context = useExtension(withQuota);

/** A page of the extension and its DevTools session, open for the whole file: Chromium drops
 * a quota override when the session that set it detaches. */
let quotaHolder = null;

/** The extension's origin may use `room` bytes more than it uses now. */
async function limitStorage(room) {
  if (!quotaHolder) {
    const page = await openPage(context.ext, POPUP);
    quotaHolder = { page, cdp: await context.ext.context.newCDPSession(page) };
  }
  const { usage } = await quotaHolder.page.evaluate(() => navigator.storage.estimate());
  await quotaHolder.cdp.send('Storage.overrideQuotaForOrigin', { origin: `chrome-extension://${context.ext.extensionId}`, quotaSize: usage + room });
}
after(() => quotaHolder?.page.close().catch(() => {}));

/** A limited storage before anything of this test is written (see the header). */
async function limitedPage() {
  await limitStorage(3_000_000);
  return connectedPage(context);
}

/** Takes the room left: random bytes (no compression shrinks them) in a database of the
 * test's own, in smaller and smaller pieces, each size until Chromium refuses it. */
async function fillStorage(tab) {
  return tab.evaluate(async () => {
    const db = await new Promise((resolve, reject) => {
      const open = indexedDB.open('bulkroad-e2e-filler', 1);
      open.onupgradeneeded = () => open.result.createObjectStore('filler', { autoIncrement: true });
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const put = (size) =>
      new Promise((resolve) => {
        const bytes = new Uint8Array(size);
        for (let at = 0; at < size; at += 65536) crypto.getRandomValues(bytes.subarray(at, Math.min(size, at + 65536)));
        const tx = db.transaction('filler', 'readwrite');
        tx.objectStore('filler').put(bytes);
        tx.oncomplete = () => resolve(true);
        tx.onabort = () => resolve(false);
      });
    let written = 0;
    // Bounded: an override that Chromium does not apply must fail the test, not fill the disk.
    for (const size of [262144, 16384, 1024, 128]) while (written < 64_000_000 && (await put(size))) written += size;
    db.close();
    return written;
  });
}

/** Room again: a few megabytes more (the seller freed some disk space). */
async function freeStorage() {
  await limitStorage(5_000_000);
}

/** Starts one code on `products`, with every request slow enough that the job is midway
 * when storage fills: waits until `done` steps are saved, then fills what room is left. */
async function jobThatHitsTheWall(tab, code, products, done = 2) {
  await sandbox.faults({ latency_ms: 400 });
  await selectProducts(tab, products);
  await tab.getByRole('tab', { name: 'Discount codes' }).click();
  await tab.getByLabel('Code', { exact: true }).fill(code);
  await tab.locator('#code-amount').fill('15');
  await tab.getByRole('button', { name: 'Preview', exact: true }).click();
  await tab.locator('#preview').waitFor();
  await tab.locator('#preview-confirm').click();
  await tab.waitForFunction((n) => Number(document.querySelector('#job-banner progress')?.value) >= n, done, { timeout: 60_000 });
  const filled = await fillStorage(tab);
  assert.ok(filled < 64_000_000, `the storage filled up (${filled} bytes of filler)`);
  await tab.locator('#job-banner[data-status="interrupted"]').waitFor({ timeout: 60_000 });
  await sandbox.faults({});
}

/** Products a 15 % code can go on (US dollars, not tiered, not near the minimum). */
const eligible = (state) => live(state).filter((p) => p.currency === 'usd' && !p.is_tiered_membership && p.price_cents >= 500);

describe('a job that meets a full storage', () => {
  test('stops as interrupted with "storage full", forgets no code it created, and Discard ends it while storage is still full', async () => {
    const tab = await limitedPage();
    const chosen = eligible(await sandbox.state()).slice(0, 12);
    assert.ok(chosen.length >= 8, 'enough products for a job that stops midway');
    await jobThatHitsTheWall(tab, 'WALLA', chosen);

    const banner = await tab.locator('#job-banner').textContent();
    assert.match(banner, /Interrupted: storage full: /);
    // Every code on Gumroad is either a saved row or a step kept in flight on the record
    // (which Discard and Resume take as "unknown" and re-read).
    const job = (await extensionStorage(tab))[await accountKey(tab, 'jobs.current')];
    assert.equal(job.status, 'interrupted');
    assert.equal(job.error.kind, 'Storage');
    const created = codesByProduct(await sandbox.state(), 'WALLA');
    assert.equal(created.size, job.progress.done + job.inFlight.length, 'each code created is saved or in flight');
    assert.ok(created.size < chosen.length, 'the job stopped midway');

    // Nothing new while storage is full: a preview says why.
    await tab.getByRole('tab', { name: 'Discount codes' }).click();
    await tab.getByLabel('Code', { exact: true }).fill('WALLNEXT');
    await tab.getByRole('button', { name: 'Preview', exact: true }).click();
    await tab.getByRole('alert').filter({ hasText: 'storage full' }).waitFor();

    await tab.locator('#job-banner').getByRole('button', { name: 'Discard' }).click();
    await tab.getByRole('tab', { name: 'Jobs' }).click();
    const entry = await waitForJob(tab, 'Apply WALLA', 'cancelled');
    assert.match(await entry.textContent(), /storage full: .*report could not be kept/);
    assert.equal(await entry.getByRole('button', { name: 'Undo' }).count(), 0, 'no undo without a report');
    assert.equal(await tab.locator('#job-banner').isVisible(), false);
    // Its rows and plan gave their room back.
    const jobId = job.id;
    assert.deepEqual((await extensionRecords(tab)).filter((r) => r.key.includes(jobId)).map((r) => r.key), []);
    await freeStorage();
    await tab.close();
  });

  test('Resume once there is room re-reads what was not saved and ends exact', async () => {
    const tab = await limitedPage();
    const start = await sandbox.state();
    const chosen = eligible(start).slice(0, 12);
    await jobThatHitsTheWall(tab, 'WALLB', chosen);
    assert.match(await tab.locator('#job-banner').textContent(), /storage full: /);

    // Still full: Resume says so and the job keeps waiting.
    await tab.locator('#job-banner').getByRole('button', { name: 'Resume' }).click();
    await tab.getByRole('alert').filter({ hasText: 'storage full' }).waitFor();
    await tab.locator('#job-banner[data-status="interrupted"]').waitFor();

    await freeStorage();
    await tab.locator('#job-banner').getByRole('button', { name: 'Resume' }).click();
    const job = await waitForJob(tab, 'Apply WALLB');

    const byProduct = codesByProduct(await sandbox.state(), 'WALLB');
    for (const p of chosen) assert.equal(byProduct.get(p.id)?.length, 1, `exactly one WALLB on ${p.name}`);
    assert.equal(byProduct.size, chosen.length, 'no other product got the code');
    const outcomes = await reportOutcomes(tab, job);
    assert.equal(outcomes.length, chosen.length);
    assert.ok(outcomes.every((o) => o === 'applied' || o === 'skipped'), `every step settled: ${outcomes.join(', ')}`);
    await tab.close();
  });
});
