// Discount codes across products: pick, preview, apply, follow progress, read the report,
// undo; bad input refused before any write; a job that survives its worker being stopped.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  FULL_VIEW,
  codesByProduct,
  localTimeIn,
  accountKey,
  connectedPage,
  killServiceWorker,
  live,
  openPage,
  reportOutcomes,
  sandbox,
  selectProducts,
  useExtension,
  waitForJob,
  writes,
} from '../harness.mjs';

const context = useExtension();

describe('applying one code to many products', () => {
  test('select, preview, apply, follow progress, read the report, then undo back to the start', async () => {
    await sandbox.faults({ latency_ms: 120 });
    const tab = await connectedPage(context);
    const start = await sandbox.state();
    const chosen = live(start).filter((p) => p.currency === 'usd' && !p.is_tiered_membership && p.price_cents >= 500).slice(0, 5);
    assert.equal(chosen.length, 5);
    await selectProducts(tab, chosen);

    await tab.getByRole('tab', { name: 'Discount codes' }).click();
    await tab.getByLabel('Code', { exact: true }).fill('SPRING25');
    await tab.locator('#code-amount').fill('25');
    await tab.getByRole('button', { name: 'Preview', exact: true }).click();

    const dialog = tab.locator('#preview');
    await dialog.waitFor();
    assert.match(await tab.locator('#preview-summary').textContent(), /5 to create/);
    const previewRows = await tab.locator('#preview-table tbody tr').allTextContents();
    assert.equal(previewRows.length, 5);
    for (const row of previewRows) assert.match(row, /Create SPRING25/);
    assert.equal(writes(await sandbox.requests()).length, 0, 'a preview writes nothing');

    await tab.getByRole('button', { name: 'Apply 5 changes' }).click();
    // Progress shows while the job runs (each request takes 120 ms here).
    await tab.locator('#job-banner progress').waitFor();
    assert.match(await tab.locator('#job-banner').textContent(), /of 5/);
    const job = await waitForJob(tab, 'Apply SPRING25');

    const applied = await sandbox.state();
    const byProduct = codesByProduct(applied, 'SPRING25');
    for (const p of chosen) {
      assert.equal(byProduct.get(p.id)?.length, 1, `one SPRING25 on ${p.name}`);
      assert.equal(byProduct.get(p.id)[0].amount_percentage, 25);
    }
    assert.equal(byProduct.size, 5, 'no other product got the code');

    assert.deepEqual(await reportOutcomes(tab, job), Array(5).fill('applied'));

    await job.getByRole('button', { name: 'Undo' }).click();
    await dialog.waitFor();
    assert.match(await tab.locator('#preview-summary').textContent(), /5 to remove/);
    await tab.getByRole('button', { name: 'Apply 5 changes' }).click();
    await waitForJob(tab, 'Undo: Apply SPRING25');

    const undone = await sandbox.state();
    assert.equal(codesByProduct(undone, 'SPRING25').size, 0);
    const aliveIds = (s) => s.offer_codes.filter((c) => !c.deleted_at).map((c) => c.id).sort();
    assert.deepEqual(aliveIds(undone), aliveIds(start), 'every other code is as it was');
    await tab.close();
  });

  for (const [what, fill, message] of [
    ['a code with spaces and symbols', { code: '50% OFF!', amount: '50' }, /only contain numbers, letters, dashes, and underscores/],
    ['150 %', { code: 'TOOMUCH', amount: '150' }, /100% or less/],
    ['an empty selection', { code: 'NOBODY', amount: '10', noSelection: true }, /Select at least one product/],
  ]) {
    test(`${what} is refused with a clear message and nothing is written`, async () => {
      const tab = await connectedPage(context);
      if (!fill.noSelection) await selectProducts(tab, live(await sandbox.state()).slice(0, 2));
      await tab.getByRole('tab', { name: 'Discount codes' }).click();
      await tab.getByLabel('Code', { exact: true }).fill(fill.code);
      await tab.locator('#code-amount').fill(fill.amount);
      await tab.getByRole('button', { name: 'Preview', exact: true }).click();
      await tab.getByRole('alert').waitFor();
      assert.match(await tab.getByRole('alert').textContent(), message);
      assert.equal(await tab.locator('#preview').isVisible(), false);
      assert.deepEqual(writes(await sandbox.requests()), []);
      await tab.close();
    });
  }
});

describe('a preview right after the picker listed the products', () => {
  test('reads no catalogue page, still ends exact, and walks again once a job has written', async () => {
    // The picker has just fetched the catalogue (connecting lists it).
    const tab = await connectedPage(context);
    const chosen = live(await sandbox.state()).filter((p) => p.currency === 'usd' && !p.is_tiered_membership && p.price_cents >= 500).slice(0, 6);
    await selectProducts(tab, chosen);
    const previewCode = async (code) => {
      await sandbox.clearRequests();
      await tab.getByRole('tab', { name: 'Discount codes' }).click();
      await tab.getByLabel('Code', { exact: true }).fill(code);
      await tab.locator('#code-amount').fill('20');
      await tab.getByRole('button', { name: 'Preview', exact: true }).click();
      await tab.locator('#preview').waitFor();
      await tab.locator('#preview-table tbody tr', { hasText: `Create ${code}` }).first().waitFor();
      const log = await sandbox.requests();
      return {
        pages: log.filter((r) => r.method === 'GET' && r.path === '/v2/products').length,
        codeReads: log.filter((r) => r.method === 'GET' && /^\/v2\/products\/[^/]+\/offer_codes$/.test(r.path)).length,
        writes: writes(log).length,
      };
    };

    const first = await previewCode('FRESH20');
    assert.deepEqual(first, { pages: 0, codeReads: 6, writes: 0 }, 'the fresh list stands in for the walk; each product\'s codes are read');
    assert.match(await tab.locator('#preview-summary').textContent(), /6 to create/);
    await tab.getByRole('button', { name: 'Apply 6 changes' }).click();
    await waitForJob(tab, 'Apply FRESH20');
    const byProduct = codesByProduct(await sandbox.state(), 'FRESH20');
    assert.equal(byProduct.size, 6);
    for (const p of chosen) assert.equal(byProduct.get(p.id)?.length, 1, `one FRESH20 on ${p.name}`);

    // The job wrote after the list was fetched: the list is no longer trusted.
    const second = await previewCode('FRESH30');
    assert.ok(second.pages > 0, 'the catalogue is walked again');
    assert.equal(second.codeReads, 6);
    assert.equal(second.writes, 0);
    assert.match(await tab.locator('#preview-summary').textContent(), /6 to create/);
    await tab.close();
  });
});

describe('amounts as sellers type them', () => {
  test('a decimal comma in a comma locale is read as such and the preview says the amount', async () => {
    const tab = await connectedPage(context);
    const euro = live(await sandbox.state()).find((p) => p.currency === 'eur' && !p.is_tiered_membership && p.price_cents >= 1000);
    await selectProducts(tab, [euro]);
    // The page reads the separators from the browser's locale when it sends the form.
    await tab.evaluate(() => Object.defineProperty(navigator, 'language', { value: 'de-DE', configurable: true }));
    await tab.getByRole('tab', { name: 'Discount codes' }).click();
    await tab.getByLabel('Code', { exact: true }).fill('KOMMA');
    await tab.locator('#code-amount').fill('4,99');
    await tab.locator('#code-type').selectOption('fixed');
    await tab.locator('#code-currency').selectOption('eur');
    await tab.getByRole('button', { name: 'Preview', exact: true }).click();
    await tab.locator('#preview').waitFor();
    assert.match(await tab.locator('#preview-title').textContent(), /€4\.99 off/);

    await tab.locator('#preview-cancel').click();
    await tab.locator('#code-amount').fill('1,000');
    await tab.getByRole('button', { name: 'Preview', exact: true }).click();
    await tab.getByRole('alert').waitFor();
    assert.match(await tab.getByRole('alert').textContent(), /could mean €1,000 or €1/);
    assert.deepEqual(writes(await sandbox.requests()), []);
    await tab.close();
  });

  test('a minimum order in yen is sent in whole yen, and only to yen products', async () => {
    const tab = await connectedPage(context);
    const products = live(await sandbox.state()).filter((p) => !p.is_tiered_membership && p.price_cents >= 1000);
    const yen = products.filter((p) => p.currency === 'jpy').slice(0, 2);
    const dollar = products.find((p) => p.currency === 'usd');
    assert.equal(yen.length, 2);
    await selectProducts(tab, [...yen, dollar]);
    await tab.getByRole('tab', { name: 'Discount codes' }).click();
    await tab.getByLabel('Code', { exact: true }).fill('YENMIN');
    await tab.locator('#code-amount').fill('10');
    await tab.locator('#code-minimum').fill('2000');
    await tab.locator('#code-minimum-currency').selectOption('jpy');
    await tab.getByRole('button', { name: 'Preview', exact: true }).click();
    await tab.locator('#preview').waitFor();
    assert.match(await tab.locator('#preview-summary').textContent(), /2 to create · 1 skipped/);
    assert.match(await tab.locator('#preview-notes').textContent(), /Minimum order: ¥2,000/);
    await tab.getByRole('button', { name: 'Apply 2 changes' }).click();
    await waitForJob(tab, 'Apply YENMIN');
    const posts = writes(await sandbox.requests()).filter((r) => r.method === 'POST');
    assert.equal(posts.length, 2);
    for (const post of posts) assert.match(post.body, /(^|&)minimum_amount_cents=2000(&|$)/);
    await tab.close();
  });
});

describe('a long job', () => {
  test('survives its service worker being stopped mid-run: resume ends exact, no code twice', async () => {
    await sandbox.reset({ products: 200 });
    await sandbox.faults({ latency_ms: 60 });
    const tab = await connectedPage(context);
    await tab.getByRole('button', { name: 'Select all matching' }).click();
    await tab.getByText('200 selected').waitFor();
    await tab.getByRole('tab', { name: 'Discount codes' }).click();
    await tab.getByLabel('Code', { exact: true }).fill('RESUME10');
    await tab.locator('#code-amount').fill('10');
    await tab.getByRole('button', { name: 'Preview', exact: true }).click();
    await tab.locator('#preview').waitFor();
    const creates = Number((await tab.locator('#preview-summary').textContent()).match(/(\d+) to create/)[1]);
    assert.ok(creates > 150, `most products take the code (${creates})`);
    await tab.locator('#preview-confirm').click();

    // Stop the worker once a good part of the job is done.
    await tab.waitForFunction(() => {
      const bar = document.querySelector('#job-banner progress');
      return bar && Number(bar.value) >= 40;
    }, null, { timeout: 60_000 });
    await killServiceWorker(context.ext, tab);
    await tab.close();

    const reopened = await openPage(context.ext, FULL_VIEW);
    const banner = reopened.locator('#job-banner[data-status="interrupted"]');
    await banner.waitFor({ timeout: 20_000 });
    assert.match(await banner.textContent(), /Interrupted/);
    await reopened.getByRole('button', { name: 'Resume' }).click();
    const job = await waitForJob(reopened, 'Apply RESUME10');

    const state = await sandbox.state();
    const byProduct = codesByProduct(state, 'RESUME10');
    assert.equal(byProduct.size, creates, 'every eligible product has the code');
    for (const [productId, codes] of byProduct) assert.equal(codes.length, 1, `exactly one RESUME10 on ${productId}`);

    // The report counts what the sandbox holds.
    const outcomes = await reportOutcomes(reopened, job);
    assert.equal(outcomes.filter((o) => o === 'applied').length, creates);
    await reopened.close();
  });
});

describe('end times', () => {
  async function applyWithEndTime(tab, code, endsIn) {
    await selectProducts(tab, live(await sandbox.state()).filter((p) => p.currency === 'usd' && p.price_cents >= 500).slice(0, 2));
    await tab.getByRole('tab', { name: 'Discount codes' }).click();
    await tab.getByLabel('Code', { exact: true }).fill(code);
    await tab.locator('#code-amount').fill('20');
    await tab.locator('#code-end').fill(await localTimeIn(tab, endsIn));
    await tab.getByRole('button', { name: 'Preview', exact: true }).click();
    await tab.locator('#preview').waitFor();
    assert.match(await tab.locator('#preview-notes').textContent(), /removes these codes at/);
    await tab.getByRole('button', { name: 'Apply 2 changes' }).click();
    const job = await waitForJob(tab, `Apply ${code}`);
    assert.match(await job.textContent(), /codes removed at/);
    return job;
  }

  test('codes are removed once the end time has passed, even if the browser missed the alarm', async () => {
    const tab = await connectedPage(context);
    await applyWithEndTime(tab, 'FLASH20', 4_000);
    assert.equal(codesByProduct(await sandbox.state(), 'FLASH20').size, 2);

    // The browser "misses" the alarm (it was closed): past the end time, a fresh worker
    // (as at a browser start) removes the codes.
    await tab.evaluate(() => chrome.alarms.clearAll());
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    await killServiceWorker(context.ext, tab);
    await tab.close();
    const reopened = await openPage(context.ext, FULL_VIEW);
    await reopened.getByRole('tab', { name: 'Jobs' }).click();
    await waitForJob(reopened, 'End time: Apply FLASH20');
    assert.equal(codesByProduct(await sandbox.state(), 'FLASH20').size, 0);
    await reopened.close();
  });

  test("an end time that comes while the seller looks at a preview leaves that preview theirs to confirm", async () => {
    const tab = await connectedPage(context);
    await applyWithEndTime(tab, 'SOON20', 4_000);
    await tab.evaluate(() => chrome.alarms.clearAll());

    // The seller previews another code and has not confirmed it yet.
    await tab.getByRole('tab', { name: 'Discount codes' }).click();
    await tab.getByLabel('Code', { exact: true }).fill('NEXT10');
    await tab.locator('#code-amount').fill('10');
    await tab.locator('#code-end').fill('');
    await tab.getByRole('button', { name: 'Preview', exact: true }).click();
    await tab.locator('#preview').waitFor();

    // Meanwhile the end time passes and a fresh worker removes SOON20.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    await killServiceWorker(context.ext, tab);
    await tab.evaluate(() => chrome.runtime.sendMessage({ type: 'worker.ping' }));
    // The dialog stays open over the page: follow the job history in storage.
    const historyKey = await accountKey(tab, 'jobs.history');
    const endTimeRan = () =>
      tab.evaluate(async (key) => {
        const { [key]: history = [] } = await chrome.storage.local.get(key);
        return history.some((e) => e.label.startsWith('End time: Apply SOON20') && e.status === 'finished');
      }, historyKey);
    for (let waited = 0; !(await endTimeRan()); waited += 200) {
      assert.ok(waited < 60_000, 'the end time ran within a minute');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.equal(codesByProduct(await sandbox.state(), 'SOON20').size, 0);
    assert.ok(await tab.locator('#preview').isVisible(), 'the preview is still open');

    // The seller's preview is still the one they confirm.
    await tab.getByRole('button', { name: 'Apply 2 changes' }).click();
    await waitForJob(tab, 'Apply NEXT10');
    assert.equal(codesByProduct(await sandbox.state(), 'NEXT10').size, 2);
  });

  test('an end time runs while another job waits interrupted for the seller, who then resumes it exactly', async () => {
    const tab = await connectedPage(context);
    await applyWithEndTime(tab, 'FLASH30', 8_000);
    await tab.evaluate(() => chrome.alarms.clearAll());

    // A long job on every product, stopped midway by the browser.
    await sandbox.faults({ latency_ms: 150 });
    await tab.getByRole('tab', { name: 'Products' }).click();
    await tab.getByRole('button', { name: 'Select all matching' }).click();
    await tab.getByRole('tab', { name: 'Discount codes' }).click();
    await tab.getByLabel('Code', { exact: true }).fill('LONG10');
    await tab.locator('#code-amount').fill('10');
    await tab.locator('#code-end').fill('');
    await tab.getByRole('button', { name: 'Preview', exact: true }).click();
    await tab.locator('#preview').waitFor();
    const creates = Number((await tab.locator('#preview-summary').textContent()).match(/(\d+) to create/)[1]);
    await tab.locator('#preview-confirm').click();
    await tab.waitForFunction(() => Number(document.querySelector('#job-banner progress')?.value) >= 3, null, { timeout: 60_000 });
    await killServiceWorker(context.ext, tab);
    await tab.close();
    await sandbox.faults({});

    // The end time passes while the job waits; the next worker removes FLASH30 anyway.
    const applied = (await sandbox.state()).offer_codes.filter((c) => c.code === 'FLASH30' && !c.deleted_at).length;
    assert.equal(applied, 2);
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    const reopened = await openPage(context.ext, FULL_VIEW);
    await reopened.locator('#job-banner[data-status="interrupted"]').waitFor({ timeout: 20_000 });
    await reopened.getByRole('tab', { name: 'Jobs' }).click();
    await waitForJob(reopened, 'End time: Apply FLASH30');
    assert.equal(codesByProduct(await sandbox.state(), 'FLASH30').size, 0);
    assert.ok(await reopened.locator('#job-banner[data-status="interrupted"]').isVisible(), 'the interrupted job still waits for the seller');

    await reopened.getByRole('button', { name: 'Resume' }).click();
    await waitForJob(reopened, 'Apply LONG10');
    const byProduct = codesByProduct(await sandbox.state(), 'LONG10');
    assert.equal(byProduct.size, creates);
    for (const [productId, codes] of byProduct) assert.equal(codes.length, 1, `exactly one LONG10 on ${productId}`);
    await reopened.close();
  });

  test('an end time can be cancelled: the alarm goes and the codes stay', async () => {
    const tab = await connectedPage(context);
    const job = await applyWithEndTime(tab, 'LATER20', 3_600_000);
    const alarms = await tab.evaluate(() => chrome.alarms.getAll());
    assert.equal(alarms.length, 1);
    await job.getByRole('button', { name: 'Cancel end time' }).click();
    await job.getByRole('button', { name: 'Cancel end time' }).waitFor({ state: 'detached' });
    assert.doesNotMatch(await job.textContent(), /codes removed at/);
    assert.deepEqual(await tab.evaluate(() => chrome.alarms.getAll()), []);
    assert.equal(codesByProduct(await sandbox.state(), 'LATER20').size, 2);
    await tab.close();
  });
});

describe('removing codes and the inventory', () => {
  test('a code is removed from every product in one job, and undo brings it back', async () => {
    const tab = await connectedPage(context);
    const start = await sandbox.state();
    const holders = codesByProduct(start, 'LAUNCH15');
    assert.ok(holders.size >= 1, 'the seeded store has LAUNCH15 on some product');

    await tab.getByRole('tab', { name: 'Discount codes' }).click();
    await tab.getByLabel('Code to remove').fill('LAUNCH15');
    await tab.locator('#remove-scope').selectOption('all');
    await tab.getByRole('button', { name: 'Preview removal' }).click();
    await tab.locator('#preview').waitFor();
    assert.match(await tab.locator('#preview-summary').textContent(), new RegExp(`${holders.size} to remove`));
    await tab.locator('#preview-confirm').click();
    const job = await waitForJob(tab, 'Remove LAUNCH15');
    assert.equal(codesByProduct(await sandbox.state(), 'LAUNCH15').size, 0);

    await job.getByRole('button', { name: 'Undo' }).click();
    await tab.locator('#preview').waitFor();
    await tab.locator('#preview-confirm').click();
    await waitForJob(tab, 'Undo: Remove LAUNCH15');
    const restored = codesByProduct(await sandbox.state(), 'LAUNCH15');
    assert.deepEqual([...restored.keys()].sort(), [...holders.keys()].sort());
    await tab.close();
  });

  test('the inventory lists every code across products and downloads as CSV', async () => {
    const tab = await connectedPage(context);
    await tab.getByRole('tab', { name: 'Discount codes' }).click();
    await tab.getByRole('button', { name: 'Show every code' }).click();
    await tab.locator('#inventory-table tbody tr').first().waitFor();

    const state = await sandbox.state();
    const alive = state.offer_codes.filter((c) => !c.deleted_at);
    const universal = state.universal_offer_codes.filter((c) => !c.deleted_at);
    const shownCodes = await tab.locator('#inventory-table tbody td.code').allTextContents();
    for (const code of new Set([...alive, ...universal].map((c) => c.code))) assert.ok(shownCodes.includes(code), `${code} listed`);
    const welcome = tab.locator('#inventory-table tbody tr', { hasText: 'WELCOME10' });
    assert.match(await welcome.textContent(), /All products/);

    const [download] = await Promise.all([tab.waitForEvent('download'), tab.getByRole('button', { name: 'Download CSV' }).click()]);
    assert.match(download.suggestedFilename(), /^bulkroad-discount-codes-\d{4}-\d{2}-\d{2}\.csv$/);
    const { readFile } = await import('node:fs/promises');
    const csv = await readFile(await download.path(), 'utf8');
    const lines = csv.trim().split(/\r?\n/);
    assert.ok(lines.length - 1 >= shownCodes.length, 'one row per listed code at least');
    for (const code of shownCodes) assert.ok(csv.includes(code), `${code} in the CSV`);

    await tab.getByLabel('Filter codes').fill('WELCOME');
    assert.equal(await tab.locator('#inventory-table tbody tr').count(), 1);
    await tab.close();
  });
});
