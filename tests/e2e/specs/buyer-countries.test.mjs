// Where buyers are: after a real sales export, the parity table's Sales, Share and Revenue
// per country equal what the sandbox's own sales give (a sale without a country under
// "Unknown country"), also when the worker is stopped while the file is being written and
// the export resumed; before any export, and once the account is forgotten, a sentence
// says how to get the figures; the popup leaves the revenue out.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FULL_VIEW, POPUP, accountKey, connectedPage, keptMinorUnits, killServiceWorker, openPage, sandbox, useExtension } from '../harness.mjs';

const context = useExtension();
const UNKNOWN = 'unknown';

/** The sandbox's sales per country: `code → {sales, kept: Map(currency → minor units)}`,
 * with what each buyer paid and kept (nothing for a full refund or a chargeback, what is
 * still refundable after a partial one). */
function expectedTally(sales) {
  const byCountry = new Map();
  for (const sale of sales) {
    const code = sale.country_iso2 ?? UNKNOWN;
    const entry = byCountry.get(code) ?? { sales: 0, kept: new Map() };
    entry.sales += 1;
    if (!sale.refunded && !sale.chargedback) {
      entry.kept.set(sale.currency, (entry.kept.get(sale.currency) ?? 0) + keptMinorUnits(sale));
    }
    byCountry.set(code, entry);
  }
  return byCountry;
}

/** Every parity row with sales figures, read off the table: `code → {sales, share, revenue}`
 * (`unknown` and countries the table does not list come from their buyers-only rows). */
async function shownFigures(tab) {
  return tab.evaluate(() => {
    const shown = {};
    for (const tr of document.querySelectorAll('#parity-table tbody tr')) {
      const cells = [...tr.children].map((td) => td.textContent.trim());
      const code = tr.dataset.country ?? tr.dataset.buyersOnly;
      shown[code] = { sales: cells[3], share: cells[4], revenue: cells[5] };
    }
    return shown;
  });
}

/** `"$1,234.50 · €20 · ¥1,500"` as amounts in the order shown (the core lists currencies
 * by code). */
const amounts = (text) => (text === '—' ? [] : text.split(' · ').map((part) => Number(part.replace(/[^\d.-]/g, ''))));

async function openParity(tab) {
  await tab.getByRole('tab', { name: 'Parity' }).click();
  await tab.locator('#parity-table tbody tr[data-country="IN"]').waitFor();
}

/** Checks the table against the sandbox's sales: each country's count, its share of all
 * sales (the core's one decimal), its revenue per currency, and no figure elsewhere. */
async function assertFigures(tab, sales) {
  const expected = expectedTally(sales);
  assert.ok(expected.has(UNKNOWN), 'the sandbox has sales without a country');
  assert.ok(expected.size >= 5, 'sales from several countries');
  const shown = await shownFigures(tab);
  for (const [code, { sales: count, kept }] of expected) {
    const row = shown[code];
    assert.ok(row, `a row for ${code}`);
    assert.equal(Number(row.sales.replace(/,/g, '')), count, `sales of ${code}`);
    const share = (100 * count) / sales.length;
    assert.match(row.share, /^\d+\.\d %$/, `share of ${code} as a percent with one decimal`);
    assert.ok(Math.abs(Number.parseFloat(row.share) - share) <= 0.05 + 1e-9, `share of ${code}: ${row.share}, expected ${share.toFixed(3)} %`);
    const currencies = [...kept.keys()].sort();
    assert.deepEqual(amounts(row.revenue), currencies.map((c) => kept.get(c) / (c === 'jpy' ? 1 : 100)), `revenue of ${code}: ${row.revenue}`);
  }
  for (const [code, row] of Object.entries(shown)) {
    if (!expected.has(code)) assert.deepEqual([row.sales, row.share, row.revenue], ['', '', ''], `no figures for ${code}`);
  }
  assert.equal(
    Object.values(shown).reduce((sum, row) => sum + (Number(row.sales.replace(/,/g, '')) || 0), 0),
    sales.length,
    'every sale counted once',
  );
}

async function exportSales(tab) {
  await tab.getByRole('tab', { name: 'Export' }).click();
  await tab.locator('#export-kind').selectOption('sales');
  await tab.getByRole('button', { name: 'Start export' }).click();
}

/** The account's export record, read in the worker's storage. */
async function exportRecord(tab) {
  const key = await accountKey(tab, 'exports.current');
  return tab.evaluate(async (k) => (await chrome.storage.local.get(k))[k] ?? null, key);
}

describe('where buyers are', () => {
  test('the parity table shows each country’s sales, share and revenue from a real export', async () => {
    await sandbox.reset({ products: 12, sales: 2_000 });
    const sales = await sandbox.sales();
    const tab = await connectedPage(context);
    await openParity(tab);
    const before = await tab.locator('#parity-buyers-note').textContent();
    assert.match(before, /Run a sales or customers export/, 'no export yet: how to get the figures');
    assert.equal((await shownFigures(tab)).US.sales, '', 'no figures without an export');

    await exportSales(tab);
    await tab.locator('#export-status[data-status="ready"]').waitFor({ timeout: 180_000 });
    await openParity(tab);
    assert.match(await tab.locator('#parity-buyers-note').textContent(), /2,000 sales/);
    await assertFigures(tab, sales);
    assert.ok(await tab.locator('#parity-table tr[data-buyers-only="unknown"]').getByText('Unknown country').isVisible());

    // Sorted by sales: the country with the most comes first.
    await tab.locator('#parity-table th[data-sort="share"] button').click();
    const top = [...expectedTally(sales)].sort((a, b) => b[1].sales - a[1].sales)[0][0];
    assert.equal(await tab.locator('#parity-table tbody tr').first().getAttribute('data-country'), top);

    // The popup has no room for revenue; it shows the same sales and shares.
    const popup = await openPage(context.ext, POPUP);
    await openParity(popup);
    const us = popup.locator('#parity-table tbody tr[data-country="US"]');
    assert.ok(await us.locator('td.parity-revenue').isHidden(), 'no revenue in the popup');
    assert.equal((await shownFigures(popup)).US.sales, (await shownFigures(tab)).US.sales);
    await popup.close();

    // Forgetting the account forgets where its buyers are.
    const again = await connectedPage(context);
    await openParity(again);
    assert.match(await again.locator('#parity-buyers-note').textContent(), /Run a sales or customers export/);
    assert.equal((await shownFigures(again)).US.sales, '');
    await again.close();
    await tab.close();
  });

  test('a worker stopped while writing the file resumes and counts every sale once', async () => {
    await sandbox.reset({ products: 12, sales: 10_000 });
    const sales = await sandbox.sales();
    const tab = await connectedPage(context);
    await exportSales(tab);
    // Stopped once part of the file (and of the tally) is checkpointed, before the end.
    const deadline = Date.now() + 180_000;
    for (;;) {
      const record = await exportRecord(tab);
      assert.notEqual(record?.status, 'ready', 'the file was written before the worker could be stopped');
      if (record?.status === 'writing' && record.written?.rows > 0) break;
      assert.ok(Date.now() < deadline, 'the export never started writing');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await killServiceWorker(context.ext, tab);
    await tab.close();

    const reopened = await openPage(context.ext, FULL_VIEW);
    await reopened.getByRole('tab', { name: 'Export' }).click();
    await reopened.locator('#export-status[data-status="interrupted"]').waitFor({ timeout: 20_000 });
    const interrupted = await exportRecord(reopened);
    assert.ok(interrupted.written.rows < sales.length, 'stopped part-way through the file');
    await reopened.getByRole('button', { name: 'Resume' }).click();
    await reopened.locator('#export-status[data-status="ready"]').waitFor({ timeout: 180_000 });
    await openParity(reopened);
    await assertFigures(reopened, sales);
    await reopened.close();
  });
});
