// Bulk price changes: +10 % with .99 endings, previewed with the right numbers, applied,
// and undone; a fixed price under the currency minimum refused before any request.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  FULL_VIEW,
  WRITE_METHODS,
  connectedPage,
  live,
  openPage,
  sandbox,
  selectProducts,
  useExtension,
} from '../harness.mjs';

const context = useExtension();

const priceOf = (state, id) => state.products.find((p) => p.id === id).price_cents;

/** +10 % in cents (half away from zero), then the nearest price ending in .99 (ties up). */
function plusTenPercentCharm99(cents) {
  const raised = Math.round(cents * 1.1);
  return Math.floor((raised - 99) / 100 + 0.5) * 100 + 99;
}


test('+10 % with .99 endings: the preview is right, the store holds it, undo brings every price back', async () => {
  const tab = await connectedPage(context);
  const start = await sandbox.state();
  const chosen = live(start)
    .filter((p) => p.currency === 'usd' && !p.is_tiered_membership && !p.customizable_price && p.price_cents >= 500)
    .filter((p) => plusTenPercentCharm99(p.price_cents) > p.price_cents)
    .slice(0, 5);
  assert.equal(chosen.length, 5);
  for (const p of chosen) await tab.getByRole('checkbox', { name: `Select ${p.name}` }).check();
  await tab.getByText('5 selected').waitFor();

  await tab.getByRole('tab', { name: 'Prices' }).click();
  await tab.locator('#price-mode').selectOption('percent');
  await tab.locator('#price-amount').fill('10');
  await tab.locator('#price-rounding').selectOption('charm99');
  await tab.locator('#preview-prices').click();
  await tab.locator('#preview').waitFor();

  // The preview's "after" column is the independent arithmetic, product by product.
  const rows = await tab.locator('#preview-table tbody tr').evaluateAll((trs) =>
    trs.map((tr) => [...tr.cells].map((td) => td.textContent)),
  );
  assert.equal(rows.length, 5);
  for (const p of chosen) {
    const row = rows.find((cells) => cells[0] === p.name);
    const expected = plusTenPercentCharm99(p.price_cents);
    assert.equal(row[3], `$${(expected / 100).toFixed(2)}`, p.name);
  }
  assert.equal((await sandbox.requests()).filter((r) => WRITE_METHODS.has(r.method)).length, 0);

  await tab.getByRole('button', { name: 'Apply 5 changes' }).click();
  const job = tab.locator('#job-list li[data-status="finished"]', { hasText: 'Change prices by 10 %' }).first();
  await job.waitFor({ timeout: 60_000 });
  const applied = await sandbox.state();
  for (const p of chosen) assert.equal(priceOf(applied, p.id), plusTenPercentCharm99(p.price_cents), p.name);
  const puts = (await sandbox.requests()).filter((r) => r.method === 'PUT');
  assert.equal(puts.length, 5);
  for (const put of puts) assert.match(put.body, /^price=\d+$/);

  await job.getByRole('button', { name: 'Undo' }).click();
  await tab.locator('#preview').waitFor();
  await tab.getByRole('button', { name: 'Apply 5 changes' }).click();
  await tab.locator('#job-list li[data-status="finished"]', { hasText: 'Undo: Change prices by 10 %' }).first().waitFor({ timeout: 60_000 });
  const undone = await sandbox.state();
  for (const p of chosen) assert.equal(priceOf(undone, p.id), p.price_cents, p.name);
  await tab.close();
});

test('a fixed price under the currency minimum is refused before any request', async () => {
  const tab = await connectedPage(context);
  const usd = live(await sandbox.state()).filter((p) => p.currency === 'usd').slice(0, 2);
  for (const p of usd) await tab.getByRole('checkbox', { name: `Select ${p.name}` }).check();
  await tab.getByRole('tab', { name: 'Prices' }).click();
  await tab.locator('#price-mode').selectOption('set');
  await tab.locator('#price-currency').selectOption('usd');
  await tab.locator('#price-amount').fill('0.50');
  await tab.locator('#preview-prices').click();
  await tab.getByRole('alert').waitFor();
  assert.match(await tab.getByRole('alert').textContent(), /at least \$0\.99/);
  assert.equal(await tab.locator('#preview').isVisible(), false);
  const log = await sandbox.requests();
  assert.deepEqual(log.filter((r) => WRITE_METHODS.has(r.method)), []);
  assert.deepEqual(log.filter((r) => r.path.startsWith('/v2/products/')), [], 'not even a read');
  await tab.close();
});

test('options scaled with +10 %: the preview lists each option, the store holds it, undo puts the differences back', async () => {
  const tab = await connectedPage(context);
  const start = await sandbox.state();
  const pricedOptions = (p) => p.variant_categories.flatMap((c) =>
    c.variants.filter((v) => (v.price_difference_cents ?? 0) > 0).map((v) => ({ category: c.title, option: v.name, cents: v.price_difference_cents })));
  const withOptions = live(start).find((p) => !p.is_tiered_membership && pricedOptions(p).length > 0);
  const membership = live(start).find((p) => p.is_tiered_membership);
  assert.ok(withOptions && membership, 'the store has a product with priced options and a tiered membership');
  await selectProducts(tab, [withOptions, membership]);

  await tab.getByRole('tab', { name: 'Prices' }).click();
  await tab.locator('#price-mode').selectOption('percent');
  await tab.locator('#price-amount').fill('10');
  await tab.locator('#price-rounding').selectOption('none');
  await tab.getByLabel('Scale them by the same percentage').check();
  await tab.locator('#preview-prices').click();
  await tab.locator('#preview').waitFor();

  // One row per changed option, before → after, under its product's row.
  const options = pricedOptions(withOptions);
  const rows = await tab.locator('#preview-table tbody tr').evaluateAll((trs) =>
    trs.map((tr) => ({ action: tr.dataset.action, cells: [...tr.cells].map((td) => td.textContent) })),
  );
  const optionRows = rows.filter((r) => r.action === 'updateOptionPrice');
  assert.equal(optionRows.length, options.length);
  for (const o of options) {
    const row = optionRows.find((r) => r.cells[1].includes(`"${o.category}: ${o.option}"`));
    assert.ok(row, `a row for ${o.option}`);
    assert.equal(row.cells[0], withOptions.name);
    assert.match(row.cells[2], /^\+/);
    assert.match(row.cells[3], /^\+/);
  }
  // The membership is skipped, with its edit page on Gumroad.
  const link = tab.locator('#preview-table tbody tr[data-action="skip"] a');
  const permalink = editPermalink(membership);
  assert.equal(await link.getAttribute('href'), `https://gumroad.com/products/${permalink}/edit`);
  const notes = await tab.locator('#preview-notes').textContent();
  assert.match(notes, /each difference changes by the same percent/);
  assert.match(notes, /Memberships with tiers are skipped/);
  assert.equal((await sandbox.requests()).filter((r) => WRITE_METHODS.has(r.method)).length, 0);

  const changes = 1 + options.length;
  await tab.getByRole('button', { name: `Apply ${changes} changes` }).click();
  const job = tab.locator('#job-list li[data-status="finished"]', { hasText: 'Change prices by 10 %' }).first();
  await job.waitFor({ timeout: 60_000 });
  const applied = await sandbox.state();
  const product = applied.products.find((p) => p.id === withOptions.id);
  assert.equal(product.price_cents, Math.round((withOptions.price_cents * 110) / 100));
  for (const o of options) {
    const now = product.variant_categories.find((c) => c.title === o.category).variants.find((v) => v.name === o.option);
    assert.equal(now.price_difference_cents, Math.round((o.cents * 110) / 100), o.option);
  }
  const variantPuts = (await sandbox.requests()).filter((r) => r.method === 'PUT' && r.path.includes('/variants/'));
  assert.equal(variantPuts.length, options.length);
  for (const put of variantPuts) assert.match(put.body, /^price_difference_cents=\d+$/);
  assert.equal(priceOf(applied, membership.id), membership.price_cents);

  await job.getByRole('button', { name: 'Undo' }).click();
  await tab.locator('#preview').waitFor();
  await tab.getByRole('button', { name: `Apply ${changes} changes` }).click();
  await tab.locator('#job-list li[data-status="finished"]', { hasText: 'Undo: Change prices by 10 %' }).first().waitFor({ timeout: 60_000 });
  const undone = (await sandbox.state()).products.find((p) => p.id === withOptions.id);
  assert.equal(undone.price_cents, withOptions.price_cents);
  assert.deepEqual(undone.variant_categories, withOptions.variant_categories);
  await tab.close();
});

/** The permalink Gumroad's edit page takes, as the product's short link ends. */
function editPermalink(product) {
  return product.custom_permalink ?? product.unique_permalink;
}
