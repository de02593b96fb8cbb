// Several Gumroad accounts against two sandbox stores: every job, end time and export uses
// its own account's token whichever account is active; forgetting an account stops its
// work before anything more is sent with its token and deletes what it kept; switching
// shows only the active account's things.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import {
  FULL_VIEW,
  codesByProduct,
  localTimeIn,
  connect,
  connectedPage,
  extensionRecords,
  extensionStorage,
  forgetIfConnected,
  killServiceWorker,
  live,
  openPage,
  parseCsv,
  sandbox,
  selectProducts,
  useExtension,
  waitForJob,
} from '../harness.mjs';

const context = useExtension();
const A = 0;
const B = 1;

const storeOf = (index) => context.tokens.stores[index];

/** A page connected to store A, then store B added (B active), both product lists loaded. */
async function twoAccounts() {
  const tab = await connectedPage(context);
  await tab.getByRole('button', { name: 'Add account' }).click();
  await Promise.all([tab.waitForEvent('load'), connect(tab, storeOf(B).tokens.full)]);
  await tab.locator('body[data-state="connected"]').waitFor();
  await assertShows(tab, B);
  return tab;
}

/** The page shows store `index`: its name in the header, its products only. */
async function assertShows(tab, index) {
  const { name } = storeOf(index);
  await tab.locator('#active-account', { hasText: name }).waitFor();
  const products = live(await sandbox.state({ store: index }));
  await tab.waitForFunction((n) => document.querySelectorAll('#product-table tbody tr').length === n, products.length);
  const shown = await tab.locator('#product-table tbody tr').allTextContents();
  for (const p of products) assert.ok(shown.some((row) => row.includes(p.name)), `${p.name} listed`);
}

async function switchTo(tab, index) {
  await Promise.all([tab.waitForEvent('load'), tab.getByRole('button', { name: `Switch to ${storeOf(index).name}` }).click()]);
  await assertShows(tab, index);
}

/** Requests the sandbox logged for store `index`. */
const requestsOf = async (index) => (await sandbox.requests()).filter((r) => r.store === index);

async function applyCode(tab, code, { products, endsIn = null }) {
  await tab.getByRole('tab', { name: 'Products' }).click();
  if (products === 'all') await tab.getByRole('button', { name: 'Select all matching' }).click();
  else await selectProducts(tab, products);
  await tab.getByRole('tab', { name: 'Discount codes' }).click();
  await tab.getByLabel('Code', { exact: true }).fill(code);
  await tab.locator('#code-amount').fill('10');
  await tab.locator('#code-end').fill(endsIn ? await localTimeIn(tab, endsIn) : '');
  await tab.getByRole('button', { name: 'Preview', exact: true }).click();
  await tab.locator('#preview').waitFor();
  const creates = Number((await tab.locator('#preview-summary').textContent()).match(/(\d+) to create/)[1]);
  await tab.locator('#preview-confirm').click();
  return creates;
}

describe('two accounts', () => {
  test('switching shows only the active account: its products, jobs and export', async () => {
    const tab = await twoAccounts();
    const bProducts = live(await sandbox.state({ store: B })).filter((p) => p.currency === 'usd' && p.price_cents >= 500).slice(0, 2);
    await applyCode(tab, 'ONLYB', { products: bProducts });
    await waitForJob(tab, 'Apply ONLYB');

    await switchTo(tab, A);
    await tab.getByRole('tab', { name: 'Jobs' }).click();
    assert.equal(await tab.locator('#job-list li').count(), 0, "A's history does not show B's job");
    for (const b of bProducts) assert.equal(await tab.getByText(b.name, { exact: true }).count(), 0, `${b.name} is not listed on A`);
    assert.equal(codesByProduct(await sandbox.state({ store: A }), 'ONLYB').size, 0, 'A untouched');

    await switchTo(tab, B);
    await tab.getByRole('tab', { name: 'Jobs' }).click();
    await tab.locator('#job-list li', { hasText: 'Apply ONLYB' }).waitFor();
    assert.equal(codesByProduct(await sandbox.state({ store: B }), 'ONLYB').size, 2);
    await tab.close();
  });

  test("an end time set on A runs with A's token after switching to B; B is untouched", async () => {
    const tab = await connectedPage(context);
    const aProducts = live(await sandbox.state({ store: A })).filter((p) => p.currency === 'usd' && p.price_cents >= 500).slice(0, 2);
    await applyCode(tab, 'AFLASH', { products: aProducts, endsIn: 6_000 });
    await waitForJob(tab, 'Apply AFLASH');
    assert.equal(codesByProduct(await sandbox.state({ store: A }), 'AFLASH').size, 2);

    await tab.getByRole('button', { name: 'Add account' }).click();
    await Promise.all([tab.waitForEvent('load'), connect(tab, storeOf(B).tokens.full)]);
    await assertShows(tab, B);
    const bBefore = await sandbox.state({ store: B });

    // The alarm fires with B active.
    for (let waited = 0; codesByProduct(await sandbox.state({ store: A }), 'AFLASH').size > 0; waited += 250) {
      assert.ok(waited < 90_000, "A's end time ran");
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const removals = (await requestsOf(A)).filter((r) => r.method === 'DELETE');
    assert.equal(removals.length, 2);
    for (const r of removals) assert.equal(r.token, 'full', "removed with A's token");
    assert.deepEqual((await sandbox.state({ store: B })).offer_codes, bBefore.offer_codes, 'B untouched');
    assert.equal((await requestsOf(B)).filter((r) => r.method !== 'GET').length, 0);
    await tab.close();
  });

  test('a job on A stopped with its worker resumes from B and ends exact on A', async () => {
    await sandbox.reset({ products: 60, stores: 2 });
    await sandbox.faults({ latency_ms: 100 });
    const tab = await connectedPage(context);
    const creates = await applyCode(tab, 'AONLY', { products: 'all' });
    await tab.waitForFunction(() => Number(document.querySelector('#job-banner progress')?.value) >= 5, null, { timeout: 60_000 });
    await killServiceWorker(context.ext, tab);
    await tab.close();
    await sandbox.faults({});

    const reopened = await openPage(context.ext, FULL_VIEW);
    await reopened.locator('#job-banner[data-status="interrupted"]').waitFor({ timeout: 20_000 });
    await reopened.getByRole('button', { name: 'Add account' }).click();
    await Promise.all([reopened.waitForEvent('load'), connect(reopened, storeOf(B).tokens.full)]);
    await assertShows(reopened, B);
    // B shows A's interrupted job as waiting in another account, and resumes it there.
    const waiting = reopened.locator('#other-accounts li', { hasText: `${storeOf(A).name}: Apply AONLY` });
    await waiting.getByRole('button', { name: 'Resume' }).click();
    for (let waited = 0; codesByProduct(await sandbox.state({ store: A }), 'AONLY').size < creates; waited += 250) {
      assert.ok(waited < 90_000, 'the job finished on A');
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const byProduct = codesByProduct(await sandbox.state({ store: A }), 'AONLY');
    assert.equal(byProduct.size, creates);
    for (const [id, codes] of byProduct) assert.equal(codes.length, 1, `one AONLY on ${id}`);
    assert.equal(codesByProduct(await sandbox.state({ store: B }), 'AONLY').size, 0, 'nothing on B');
    await switchTo(reopened, A);
    await reopened.getByRole('tab', { name: 'Jobs' }).click();
    await waitForJob(reopened, 'Apply AONLY');
    await reopened.close();
  });

  test("an export of A stopped with its worker resumes from B: the file holds exactly A's sales", async () => {
    await sandbox.reset({ products: 12, sales: 1500, stores: 2 });
    const expected = await sandbox.sales({ store: A });
    await sandbox.faults({ latency_ms: 40 });
    const tab = await connectedPage(context);
    await tab.getByRole('tab', { name: 'Export' }).click();
    await tab.getByRole('button', { name: 'Start export' }).click();
    await tab.waitForFunction(() => Number((document.querySelector('#export-status')?.textContent ?? '').match(/(\d+) pages/)?.[1] ?? 0) >= 20, null, { timeout: 60_000 });
    await killServiceWorker(context.ext, tab);
    await tab.close();
    await sandbox.faults({});

    const reopened = await openPage(context.ext, FULL_VIEW);
    await reopened.getByRole('button', { name: 'Add account' }).click();
    await Promise.all([reopened.waitForEvent('load'), connect(reopened, storeOf(B).tokens.full)]);
    await assertShows(reopened, B);
    await reopened.locator('#other-accounts li', { hasText: `${storeOf(A).name}: export` }).getByRole('button', { name: 'Resume' }).click();
    await reopened.locator('#other-accounts li', { hasText: 'export' }).waitFor({ state: 'detached', timeout: 120_000 }).catch(() => {});

    await switchTo(reopened, A);
    await reopened.getByRole('tab', { name: 'Export' }).click();
    await reopened.locator('#export-status[data-status="ready"]').waitFor({ timeout: 120_000 });
    const [download] = await Promise.all([reopened.waitForEvent('download'), reopened.getByRole('button', { name: 'Download' }).click()]);
    const text = await readFile(await download.path(), 'utf8');
    const [header, ...rows] = parseCsv(text.replace(/^\ufeff/, ''));
    const ids = rows.map((cells) => cells[header.indexOf('id')]);
    assert.equal(ids.length, expected.length, "as many rows as A's sales");
    assert.deepEqual(new Set(ids).size, ids.length, 'no row twice');
    const bIds = new Set((await sandbox.sales({ store: B })).map((s) => s.id));
    assert.ok(ids.every((id) => !bIds.has(id)), 'no sale of B');
    // The file is freed once downloaded.
    await reopened.locator('#export-status[data-status="downloaded"]').waitFor();
    const parts = await reopened.evaluate(
      () => new Promise((resolve) => {
        const open = indexedDB.open('bulkroad-exports');
        open.onsuccess = () => {
          const all = open.result.transaction('parts').objectStore('parts').count();
          all.onsuccess = () => resolve(all.result);
        };
      }),
    );
    assert.equal(parts, 0, 'no part of the file is kept after the download');
    await reopened.close();
  });

  test("forgetting A during its export and its resume's re-reads: nothing more with A's token, A's data gone, B untouched", async () => {
    await sandbox.reset({ products: 60, sales: 3000, stores: 2 });
    await sandbox.faults({ latency_ms: 80 });
    const tab = await twoAccounts();
    await switchTo(tab, A);
    // A job stopped midway, resumed (its re-reads run) while its export reads sales.
    await applyCode(tab, 'GOING', { products: 'all' });
    await tab.waitForFunction(() => Number(document.querySelector('#job-banner progress')?.value) >= 3, null, { timeout: 60_000 });
    await killServiceWorker(context.ext, tab);
    await tab.reload();
    await tab.locator('#job-banner[data-status="interrupted"]').waitFor({ timeout: 20_000 });
    await tab.getByRole('tab', { name: 'Export' }).click();
    await tab.getByRole('button', { name: 'Start export' }).click();
    await tab.locator('#export-status[data-status="running"]').waitFor();
    tab.getByRole('button', { name: 'Resume' }).click().catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 300));

    const bStorage = Object.entries(await extensionStorage(tab)).filter(([k]) => k.startsWith(`acct.${storeOf(B).user_id}.`));
    await tab.getByRole('button', { name: 'Forget account' }).click();
    await tab.locator('#forget-dialog').waitFor();
    assert.match(await tab.locator('#forget-summary').textContent(), /deletes its token/);
    await Promise.all([tab.waitForEvent('load'), tab.getByRole('button', { name: 'Forget', exact: true }).click()]);
    const afterForget = (await sandbox.requests()).length;
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const later = (await sandbox.requests()).slice(afterForget).filter((r) => r.store === A);
    assert.deepEqual(later.map((r) => `${r.method} ${r.path}`), [], "no request with A's token after the forget");

    // B is active now, with all it had; nothing of A is kept anywhere.
    await assertShows(tab, B);
    const stored = await extensionStorage(tab);
    assert.deepEqual(Object.keys(stored).filter((k) => k.startsWith(`acct.${storeOf(A).user_id}.`)), []);
    assert.ok(!JSON.stringify(stored).includes(storeOf(A).tokens.full));
    for (const [key, value] of bStorage) if (!key.endsWith('.ui.selection')) assert.deepEqual(stored[key], value, `B's ${key} untouched`);
    const records = await tab.evaluate(
      () => new Promise((resolve) => {
        const open = indexedDB.open('bulkroad-exports');
        open.onsuccess = () => {
          const tx = open.result.transaction(['chunks', 'parts', 'checkpoints']);
          const counts = {};
          for (const name of ['chunks', 'parts', 'checkpoints']) {
            const request = tx.objectStore(name).count();
            request.onsuccess = () => (counts[name] = request.result);
          }
          tx.oncomplete = () => resolve(counts);
        };
      }),
    );
    assert.deepEqual(records, { chunks: 0, parts: 0, checkpoints: 0 }, "A's export pages are gone from IndexedDB");
    const kept = await extensionRecords(tab);
    assert.deepEqual(kept.filter((r) => r.account === String(storeOf(A).user_id)).map((r) => r.key), [], "A's plans, rows, reports and product list are gone from IndexedDB");
    assert.ok(kept.some((r) => r.account === String(storeOf(B).user_id)), "B's records stay");
    await tab.close();
  });

  test('what the earlier version kept (one token, its jobs and end times) becomes the first account, nothing lost', async () => {
    const tab = await openPage(context.ext, FULL_VIEW);
    await forgetIfConnected(tab);
    const user = await sandbox.api('/v2/user', context.tokens.full);
    const endAt = new Date(Date.now() + 3_600_000).toISOString();
    // Storage exactly as the earlier version writes it.
    await tab.evaluate(
      ([token, profile, endAt]) =>
        chrome.storage.local.set({
          'auth.token': token,
          'auth.profile': profile,
          'jobs.history': [{ id: 'old-job', label: 'Apply OLDCODE', operation: 'applyCode', status: 'finished', createdAt: new Date().toISOString(), countsText: '2 applied', canUndo: true, canRetry: false, endAt }],
          'reports.old-job': { rows: [] },
          'plans.old-job': { steps: [] },
        }),
      [context.tokens.full, { user: user.user, scopes: ['edit_products', 'view_sales', 'view_profile'], missingFeatures: [] }, endAt],
    );
    await killServiceWorker(context.ext, tab).catch(() => {});
    await tab.reload();
    await tab.locator('body[data-state="connected"]').waitFor();
    await assertShows(tab, A);
    await tab.getByRole('tab', { name: 'Jobs' }).click();
    const entry = tab.locator('#job-list li', { hasText: 'Apply OLDCODE' });
    await entry.waitFor();
    assert.match(await entry.textContent(), /codes removed at/);
    const stored = await extensionStorage(tab);
    const id = String(user.user.user_id);
    for (const key of ['auth.token', 'auth.profile', 'jobs.history']) {
      assert.ok(!(key in stored), `${key} moved`);
      assert.ok(`acct.${id}.${key}` in stored, `${key} kept in the account`);
    }
    // The report and plan went on to IndexedDB, in the account's key range.
    const records = (await extensionRecords(tab)).filter((r) => r.account === id).map((r) => r.key);
    for (const key of ['reports.old-job', 'plans.old-job']) {
      assert.ok(!(key in stored) && !(`acct.${id}.${key}` in stored), `${key} left chrome.storage`);
      assert.ok(records.includes(key), `${key} kept in the account's records`);
    }
    assert.ok((await tab.evaluate(() => chrome.alarms.getAll())).some((a) => a.name === `endtime:${id}:old-job`), 'its end time is armed');
    await tab.close();
  });

  test('forgetting lists the open end times first; "Remove these codes now" runs them before the account goes', async () => {
    const tab = await connectedPage(context);
    const aProducts = live(await sandbox.state({ store: A })).filter((p) => p.currency === 'usd' && p.price_cents >= 500).slice(0, 2);
    await applyCode(tab, 'LATERA', { products: aProducts, endsIn: 3_600_000 });
    await waitForJob(tab, 'Apply LATERA');

    await tab.getByRole('button', { name: 'Forget account' }).click();
    await tab.locator('#forget-dialog').waitFor();
    assert.match(await tab.locator('#forget-end-time-list').textContent(), /Apply LATERA .* — end time/);
    await tab.getByRole('button', { name: 'Remove these codes now' }).click();
    await waitForJob(tab, 'End time: Apply LATERA');
    assert.equal(codesByProduct(await sandbox.state({ store: A }), 'LATERA').size, 0);

    await tab.getByRole('button', { name: 'Forget account' }).click();
    await tab.locator('#forget-dialog').waitFor();
    assert.equal(await tab.locator('#forget-end-times').isVisible(), false, 'no open end time left');
    await Promise.all([tab.waitForEvent('load'), tab.getByRole('button', { name: 'Forget', exact: true }).click()]);
    await tab.locator('body[data-state="disconnected"]').waitFor();
    assert.deepEqual(Object.keys(await extensionStorage(tab)).filter((k) => k.startsWith('acct.')), []);
    await tab.close();
  });
});

