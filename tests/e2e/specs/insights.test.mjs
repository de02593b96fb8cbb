// Insights: the chart's readout, table and CSV for a range against the store's sales, all
// time read as a handful of summaries (never sale by sale), and the picker's revenue column
// sorted so that "my best sellers" is one sort and one selection.
import assert from 'node:assert/strict';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { connectedPage, live, parseCsv, sandbox, useExtension } from '../harness.mjs';

const context = useExtension();
const SALES = 800;
const SCREENSHOTS = path.resolve(process.cwd(), '../../target/e2e-screenshots');

/** The UTC day of a sale (the day `after`/`before` and the summary put it on). */
const dayOf = (sale) => new Date(sale.created_at).toISOString().slice(0, 10);
/** Units of `sales` whose day is in `from..=to`. */
const unitsIn = (sales, from = '0000', to = '9999') =>
  sales.filter((s) => dayOf(s) >= from && dayOf(s) <= to).reduce((n, s) => n + (s.quantity ?? 1), 0);
/** "$1,234.56" → 123456; "1,234" → 1234. */
const digits = (text) => Number(text.replace(/[^0-9-]/g, ''));

async function tableOf(tab) {
  return tab.locator('.insights-section table').first().evaluate((table) => ({
    rows: [...table.tBodies[0].rows].map((tr) => [...tr.cells].map((c) => c.textContent)),
    total: [...table.tFoot.rows[0].cells].map((c) => c.textContent),
  }));
}

async function showInsights(tab, { range, from, to, group }) {
  await tab.getByRole('tab', { name: 'Insights' }).click();
  // The first visit shows the default range: wait for it, so it does not land after ours.
  await tab.locator('#insights-show:not([disabled])').waitFor();
  await tab.locator('#insights-range').selectOption(range);
  if (from) await tab.locator('#insights-from').fill(from);
  if (to) await tab.locator('#insights-to').fill(to);
  await tab.locator('#insights-group').selectOption(group ?? '');
  await sandbox.clearRequests();
  await tab.locator('#insights-show').click();
  await tab.locator('#insights-show:not([disabled])').waitFor({ timeout: 120_000 });
  await tab.locator('.insights-section table').first().waitFor();
}

test('a range by week: table, chart readout and CSV equal the store', async () => {
  await sandbox.reset({ products: 12, sales: SALES });
  const tab = await connectedPage(context);
  const { full } = await sandbox.tokens();
  const sales = await sandbox.sales();
  const [from, to] = ['2025-03-01', '2025-04-30'];
  await showInsights(tab, { range: 'custom', from, to, group: 'week' });

  // One summary call covers the two months; no sale was read one by one.
  const log = await sandbox.requests();
  assert.equal(log.filter((r) => r.path === '/v2/sales/summary').length, 1);
  assert.equal(log.filter((r) => r.path === '/v2/sales').length, 0);

  const expected = await sandbox.api(`/v2/sales/summary?from=${from}&to=${to}&group_by=week`, full);
  const { rows, total } = await tableOf(tab);
  assert.deepEqual(rows.map((r) => r[0]), expected.breakdown.map((b) => b.label), 'one row per ISO week, labelled like Gumroad');
  assert.deepEqual(rows.map((r) => digits(r[1])), expected.breakdown.map((b) => b.gross_cents), 'gross per week');
  assert.deepEqual(rows.map((r) => digits(r[3])), expected.breakdown.map((b) => b.units), 'units per week');
  // Counted from the sales themselves, not from the summary.
  assert.equal(digits(total[3]), unitsIn(sales, from, to), 'total units = the sales in range');
  assert.ok(digits(total[3]) > 0, 'the range has sales (the launch day is in it)');
  assert.equal(digits(total[1]), expected.gross_cents);

  // One bar per week, and the readout follows the keyboard.
  const figure = tab.locator('.chart-figure').first();
  assert.equal(await figure.locator('rect.bar').count(), rows.length);
  const readout = tab.locator('.readout').first();
  await figure.focus();
  await tab.keyboard.press('Home');
  assert.match(await readout.textContent(), new RegExp(rows[0][0]));
  await tab.keyboard.press('ArrowRight');
  const second = await readout.textContent();
  assert.match(second, new RegExp(rows[1][0]));
  assert.ok(second.includes(rows[1][1]), `the readout says the gross: ${second}`);
  await tab.keyboard.press('End');
  assert.match(await readout.textContent(), new RegExp(rows.at(-1)[0]));
  assert.equal(await figure.locator('rect.bar.active').getAttribute('data-key'), expected.breakdown.at(-1).key);
  // The pointer too: over the first bar, the first week.
  const firstBar = figure.locator('rect.bar').first();
  const [x, w] = [Number(await firstBar.getAttribute('x')), Number(await firstBar.getAttribute('width'))];
  const svg = figure.locator('svg');
  const box = await svg.boundingBox();
  await svg.hover({ position: { x: (box.width * (x + w / 2)) / 720, y: box.height / 2 } });
  assert.match(await readout.textContent(), new RegExp(rows[0][0]));

  // Another metric redraws the same bars without asking Gumroad again.
  await sandbox.clearRequests();
  await tab.locator('#insights-metric').selectOption('units');
  assert.match(await tab.locator('.chart-figure figcaption').first().textContent(), /Units sold/);
  assert.equal(await tab.locator('svg.chart.metric-units').count(), 1);
  assert.equal((await sandbox.requests()).length, 0);

  // The CSV holds the same figures, amounts as plain numbers.
  const [download] = await Promise.all([tab.waitForEvent('download'), tab.getByRole('button', { name: 'Download these figures (CSV)' }).click()]);
  assert.equal(download.suggestedFilename(), `bulkroad-sales-week-${from}-to-${to}-usd.csv`);
  const [header, ...body] = parseCsv(await readFile(await download.path(), 'utf8'));
  assert.deepEqual(header, ['period', 'label', 'currency', 'gross', 'net', 'units', 'refunded', 'refunded_units']);
  const csvRows = body.filter((r) => r.length > 1);
  assert.equal(csvRows.length, rows.length + 1, 'every week and the total');
  assert.deepEqual(csvRows.slice(0, -1).map((r) => r[0]), expected.breakdown.map((b) => b.key));
  assert.deepEqual(csvRows.slice(0, -1).map((r) => Math.round(Number(r[3]) * 100)), expected.breakdown.map((b) => b.gross_cents));

  // Both themes, for the eye (the accessibility spec checks them).
  await mkdir(SCREENSHOTS, { recursive: true });
  for (const colorScheme of ['light', 'dark']) {
    await tab.emulateMedia({ colorScheme });
    await tab.locator('#panel-insights').screenshot({ path: path.join(SCREENSHOTS, `insights-${colorScheme}.png`) });
  }
  await tab.emulateMedia({ colorScheme: null });
});

test('all time is a few summaries, starts at the first sale, and totals every sale', async () => {
  await sandbox.reset({ products: 12, sales: SALES });
  const tab = await connectedPage(context);
  const sales = await sandbox.sales();
  await showInsights(tab, { range: 'all', group: 'month' });

  const log = await sandbox.requests();
  const summaries = log.filter((r) => r.path === '/v2/sales/summary');
  // Gumroad opened in 2011: one call per 366 days since then, not one per ten sales.
  const years = new Date().getUTCFullYear() - 2011 + 1;
  assert.ok(summaries.length >= years - 1 && summaries.length <= years + 1, `${summaries.length} summary calls`);
  assert.equal(log.filter((r) => r.path === '/v2/sales').length, 0);

  const { rows, total } = await tableOf(tab);
  const first = sales.map(dayOf).sort()[0];
  const firstMonth = new Date(`${first}T00:00:00Z`).toLocaleString('en-US', { month: 'long', year: 'numeric', timeZone: 'UTC' });
  assert.equal(rows[0][0], firstMonth, 'all time starts with the month of the first sale');
  assert.equal(digits(total[3]), unitsIn(sales), 'every unit ever sold');
  assert.match(await tab.locator('#insights-status').textContent(), new RegExp(`${summaries.length} requests`));
});

test('a range that cannot be shown is refused with a sentence and nothing is read', async () => {
  await sandbox.reset({ products: 12, sales: 50 });
  const tab = await connectedPage(context);
  await tab.getByRole('tab', { name: 'Insights' }).click();
  await tab.locator('#insights-show:not([disabled])').waitFor();
  await tab.locator('#insights-range').selectOption('custom');
  await tab.locator('#insights-from').fill('2025-05-01');
  await tab.locator('#insights-to').fill('2025-04-01');
  await sandbox.clearRequests();
  await tab.locator('#insights-show').click();
  await tab.getByRole('alert').waitFor();
  assert.match(await tab.getByRole('alert').textContent(), /starts on 2025-05-01, after its end/);
  assert.equal((await sandbox.requests()).filter((r) => r.path.startsWith('/v2/sales')).length, 0);
});

test('the picker sorts by revenue over a range and selects the best sellers', async () => {
  await sandbox.reset({ products: 12, sales: SALES });
  const tab = await connectedPage(context);
  const { full } = await sandbox.tokens();
  const products = live(await sandbox.state());

  // Gross per product over the two years of sales, as Gumroad's summaries say (two windows).
  const expected = new Map();
  for (const [from, to] of [['2023-10-01', '2024-09-30'], ['2024-10-01', '2025-09-30']]) {
    const answer = await sandbox.api(`/v2/sales/summary?from=${from}&to=${to}&group_by=product`, full);
    for (const row of answer.breakdown) expected.set(row.key, (expected.get(row.key) ?? 0) + row.gross_cents);
  }
  const best = [...expected].filter(([id]) => products.some((p) => p.id === id)).sort((a, b) => b[1] - a[1]);
  assert.ok(best.length >= 3, 'several products sold');

  await sandbox.clearRequests();
  await tab.locator('#revenue-range').selectOption('all');
  await tab.locator('#revenue-status').filter({ hasText: 'Gross sales' }).waitFor({ timeout: 120_000 });
  assert.equal((await sandbox.requests()).filter((r) => r.path === '/v2/sales').length, 0, 'no sale read one by one');

  const header = tab.locator('#product-table th[data-sort="revenue"]');
  await header.getByRole('button', { name: 'Revenue' }).click();
  assert.equal(await header.getAttribute('aria-sort'), 'descending');
  const shown = await tab.locator('#product-table tbody tr[data-product-id]').evaluateAll((trs) =>
    trs.map((tr) => ({ id: tr.dataset.productId, revenue: tr.querySelector('.col-revenue').textContent, spark: Boolean(tr.querySelector('.col-revenue svg polyline')) })),
  );
  assert.deepEqual(shown.slice(0, best.length).map((r) => r.id), best.map(([id]) => id), 'highest revenue first');
  assert.ok(shown.slice(0, best.length).every((r) => r.spark), 'each product that sold has a spark line');
  assert.equal(digits(shown[0].revenue), best[0][1]);

  // A second press turns the order round.
  await header.getByRole('button', { name: 'Revenue' }).click();
  assert.equal(await header.getAttribute('aria-sort'), 'ascending');
  await header.getByRole('button', { name: 'Revenue' }).click();

  // "Raise prices on my 3 best sellers": one sort, one selection.
  await tab.locator('#select-first-n').fill('3');
  await tab.getByRole('button', { name: 'Select the first' }).click();
  await tab.getByText('3 selected').waitFor();
  const selected = await tab.locator('#product-table tbody input[type="checkbox"]:checked').evaluateAll((boxes) => boxes.map((b) => b.dataset.productId));
  assert.deepEqual(selected.sort(), best.slice(0, 3).map(([id]) => id).sort());

  // The column is kept for the next page of this account.
  await tab.reload();
  await tab.locator('#product-table.with-revenue').waitFor();
  assert.equal(await tab.locator('#revenue-range').inputValue(), 'all');
});
