// Unique codes for a campaign: a batch from a prefix and a random suffix, previewed, run,
// its codes downloaded while it runs, its worker stopped half way and the job resumed,
// and the final CSV equal to what Gumroad (the sandbox) holds; bad input refused before any
// write.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import {
  FULL_VIEW,
  connectedPage,
  killServiceWorker,
  live,
  openPage,
  parseCsv,
  sandbox,
  useExtension,
  waitForJob,
  writes,
} from '../harness.mjs';

const context = useExtension();
const ALPHABET = /^[23456789ABCDEFGHJKLMNPQRSTUVWXYZ]{8}$/;

/** The live codes on `productId` whose name starts with `prefix`. */
function batchInSandbox(state, productId, prefix) {
  return state.offer_codes.filter((c) => !c.deleted_at && c.product_id === productId && c.code.startsWith(prefix));
}

/** Clicks "Download codes" in `scope` and resolves to the CSV's rows as objects. */
async function downloadCodes(tab, scope) {
  const [file] = await Promise.all([tab.waitForEvent('download'), scope.getByRole('button', { name: 'Download codes' }).click()]);
  const [header, ...rows] = parseCsv(await readFile(await file.path(), 'utf8'));
  assert.deepEqual(header, ['Code', 'Product', 'Link', 'Discount', 'Max uses']);
  return rows.filter((cells) => cells.length > 1).map((cells) => Object.fromEntries(header.map((h, i) => [h, cells[i]])));
}

async function fillBatch(tab, { prefix, count, amount, product }) {
  await tab.getByRole('tab', { name: 'Discount codes' }).click();
  await tab.getByLabel('Code prefix').fill(prefix);
  await tab.getByLabel('How many codes').fill(count);
  await tab.locator('#batch-amount').fill(amount);
  if (product) await tab.locator('#batch-product').selectOption(product.id);
  await tab.getByRole('button', { name: 'Preview codes' }).click();
}

describe('unique codes for a campaign', () => {
  test('a batch runs, its codes download while it runs, it resumes after its worker stops, and the CSV equals Gumroad', async () => {
    await sandbox.faults({ latency_ms: 60 });
    const tab = await connectedPage(context);
    const product = live(await sandbox.state()).find((p) => p.currency === 'usd' && !p.is_tiered_membership && p.price_cents >= 500);
    await fillBatch(tab, { prefix: 'LAUNCH', count: '150', amount: '100', product });

    await tab.locator('#preview').waitFor();
    assert.match(await tab.locator('#preview-summary').textContent(), /150 to create/);
    assert.match(await tab.locator('#preview-notes').textContent(), /150 requests to send/);
    const first = await tab.locator('#preview-table tbody tr').first().textContent();
    assert.match(first, /Create LAUNCH-[23456789A-HJ-NP-Z]{8}/);
    assert.equal(writes(await sandbox.requests()).length, 0, 'a preview writes nothing');

    await tab.getByRole('button', { name: 'Apply 150 changes' }).click();
    await tab.waitForFunction(() => Number(document.querySelector('#job-banner progress')?.value) >= 40, null, { timeout: 60_000 });
    // Every code made so far is in the file already, and each exists.
    const early = await downloadCodes(tab, tab.locator('#job-banner'));
    assert.ok(early.length >= 40, `${early.length} codes so far`);
    const madeEarly = new Set(batchInSandbox(await sandbox.state(), product.id, 'LAUNCH-').map((c) => c.code));
    for (const row of early) assert.ok(madeEarly.has(row.Code), `${row.Code} exists`);

    await killServiceWorker(context.ext, tab);
    await tab.close();
    const reopened = await openPage(context.ext, FULL_VIEW);
    const banner = reopened.locator('#job-banner[data-status="interrupted"]');
    await banner.waitFor({ timeout: 20_000 });
    await reopened.getByRole('button', { name: 'Resume' }).click();
    const job = await waitForJob(reopened, 'Create 150 single-use codes LAUNCH-');

    const made = batchInSandbox(await sandbox.state(), product.id, 'LAUNCH-');
    assert.equal(made.length, 150, 'exactly 150 codes: none twice, none missing');
    assert.equal(new Set(made.map((c) => c.code)).size, 150);
    for (const code of made) {
      assert.match(code.code.slice('LAUNCH-'.length), ALPHABET);
      assert.equal(code.max_purchase_count, 1);
      assert.equal(code.amount_percentage, 100);
    }

    const { product: listed } = await sandbox.api(`/v2/products/${product.id}`, (await sandbox.tokens()).full);
    const rows = await downloadCodes(reopened, job);
    assert.equal(rows.length, 150, 'every code once');
    assert.deepEqual(new Set(rows.map((r) => r.Code)), new Set(made.map((c) => c.code)));
    for (const row of rows) {
      assert.equal(row.Product, product.name);
      assert.equal(row.Link, `${listed.short_url}/${row.Code}`);
      assert.equal(row['Max uses'], '1');
    }
    await reopened.close();
  });

  test('the campaign view counts what became of a batch, and its clean-up removes the rest', async () => {
    await sandbox.faults({});
    const tab = await connectedPage(context);
    const product = live(await sandbox.state()).find((p) => p.currency === 'usd' && !p.is_tiered_membership && p.price_cents >= 500);
    await fillBatch(tab, { prefix: 'GIVE', count: '12', amount: '100', product });
    await tab.locator('#preview').waitFor();
    await tab.getByRole('button', { name: 'Apply 12 changes' }).click();
    const label = 'Create 12 single-use codes GIVE-';
    await waitForJob(tab, label);

    // Buyers use four codes; Gumroad removes a single-use code once it is used.
    const made = batchInSandbox(await sandbox.state(), product.id, 'GIVE-');
    assert.equal(made.length, 12);
    for (const code of made.slice(0, 4)) await sandbox.useCode(code.id);
    assert.equal(batchInSandbox(await sandbox.state(), product.id, 'GIVE-').length, 8);

    await tab.getByRole('tab', { name: 'Discount codes' }).click();
    await tab.getByRole('button', { name: 'Show every code' }).click();
    const batch = tab.locator('#batch-list li.batch', { hasText: label });
    await batch.waitFor();
    assert.match(await batch.textContent(), /12 codes: 4 used, 8 unused, 0 removed\./);

    await sandbox.clearRequests();
    await batch.getByRole('button', { name: 'Remove its codes' }).click();
    await tab.locator('#preview').waitFor();
    assert.match(await tab.locator('#preview-summary').textContent(), /^8 to remove/);
    assert.equal(writes(await sandbox.requests()).length, 0, 'a preview writes nothing');
    await tab.locator('#preview-confirm').click();
    await waitForJob(tab, `Remove the codes of ${label}`);
    assert.equal(batchInSandbox(await sandbox.state(), product.id, 'GIVE-').length, 0, 'no code of the batch is left');

    await tab.getByRole('tab', { name: 'Discount codes' }).click();
    await tab.getByRole('button', { name: 'Show every code' }).click();
    await tab.locator('#batch-list li.batch', { hasText: /4 used, 0 unused, 8 removed/ }).waitFor();
    await tab.close();
  });

  for (const [what, fill, message] of [
    ['a prefix with a space', { prefix: 'BLACK FRIDAY', count: '10', amount: '50' }, /only contain numbers, letters, dashes, and underscores/],
    ['more than 10,000 codes', { prefix: 'BIG', count: '20000', amount: '50' }, /from 1 to 10,000/],
    ['150 %', { prefix: 'TOO', count: '10', amount: '150' }, /100% or less/],
  ]) {
    test(`${what} is refused with a clear message and nothing is written`, async () => {
      const tab = await connectedPage(context);
      await fillBatch(tab, fill);
      await tab.getByRole('alert').waitFor();
      assert.match(await tab.getByRole('alert').textContent(), message);
      assert.equal(await tab.locator('#preview').isVisible(), false);
      assert.deepEqual(writes(await sandbox.requests()), []);
      await tab.close();
    });
  }
});
