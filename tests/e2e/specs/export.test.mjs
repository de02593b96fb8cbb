// Sales export: a 2 000-sale store exported to CSV equals the sandbox's sales exactly (ids
// in order, amounts, custom fields) — plainly, under injected faults, and after the worker
// is stopped mid-export and the export resumed.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { describe, test } from 'node:test';
import { FULL_VIEW, accountKey, connectedPage, keptMinorUnits, parseCsv, killServiceWorker, openPage, sandbox, useExtension } from '../harness.mjs';

const context = useExtension();
const SALES = 2_000;


async function exportedSales(tab, kind = 'sales', separator = ',') {
  await tab.locator('#export-status[data-status="ready"]').waitFor({ timeout: 180_000 });
  const [download] = await Promise.all([tab.waitForEvent('download'), tab.getByRole('button', { name: 'Download' }).click()]);
  assert.equal(download.suggestedFilename(), `sandbox-studio-${kind}-all-time.csv`);
  const text = await readFile(await download.path(), 'utf8');
  assert.equal(text.charCodeAt(0), 0xfeff, 'a byte-order mark for Excel');
  const [header, ...rows] = parseCsv(text.slice(1), separator);
  return rows.map((cells) => Object.fromEntries(header.map((name, i) => [name, cells[i]])));
}

/** The export kept in the worker's storage (`exports.current`), or null. */
const currentExport = async (tab) => {
  const key = await accountKey(tab, 'exports.current');
  return tab.evaluate(async (k) => (await chrome.storage.local.get(k))[k] ?? null, key);
};

/** Waits until an export other than `previousId` is ready; resolves to its record. (Polled
 * from here: storage is read asynchronously, and a page predicate must be synchronous.) */
async function nextExportReady(tab, previousId) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const current = await currentExport(tab);
    if (current && current.id !== previousId && current.status === 'ready') return current;
    assert.ok(Date.now() < deadline, `no new export became ready: ${JSON.stringify(current?.status)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every `GET /v2/sales` of one export asks for a different page: two exports of the same
 * store would ask for each page twice. */
function assertOneSalesWalk(log) {
  const pages = log.filter((r) => r.method === 'GET' && r.path === '/v2/sales').map((r) => r.url);
  assert.ok(pages.length > 0, 'the sales were read');
  assert.equal(new Set(pages).size, pages.length, 'no sales page was asked for twice');
}

async function startSalesExport(tab, kind = 'sales') {
  await tab.getByRole('tab', { name: 'Export' }).click();
  await tab.locator('#export-kind').selectOption(kind);
  await tab.getByRole('button', { name: 'Start export' }).click();
}

/** A cell as the file must hold it: a `'` before every piece a spreadsheet would run as a
 * formula (at the start, or after a comma, semicolon, tab or line break). */
const neutralised = (value) => value.replace(/(?<=^|[,;\t\r\n])(?=[=+\-@\t\r])/g, "'");

function assertSameSales(rows, expected) {
  assert.equal(rows.length, expected.length, 'row count');
  assert.deepEqual(rows.map((r) => r.id), expected.map((s) => neutralised(s.id)), 'same ids in the same order');
  for (const [i, sale] of expected.entries()) {
    const row = rows[i];
    const decimals = sale.currency === 'jpy' ? 0 : 2;
    assert.equal(Number(row.price), sale.price / 10 ** decimals, `price of ${sale.id}`);
    for (const [name, value] of Object.entries(sale.custom_fields ?? {})) {
      const cell = row[`custom: ${name}`] ?? '';
      assert.equal(cell, neutralised(String(value)), `custom field ${name} of ${sale.id}`);
    }
  }
}

describe('sales export', () => {
  test('a 2 000-sale store exports exactly, then again under faults', async () => {
    await sandbox.reset({ products: 12, sales: SALES });
    const expected = await sandbox.sales();
    assert.equal(expected.length, SALES);
    const tab = await connectedPage(context);
    await startSalesExport(tab);
    assertSameSales(await exportedSales(tab), expected);

    await sandbox.faults({ rate_5xx: 0.1, rate_429: 0.05, rate_drop: 0.02 });
    await startSalesExport(tab);
    assertSameSales(await exportedSales(tab), expected);
    await tab.close();
  });

  test('an export whose worker is stopped resumes with no lost or repeated row', async () => {
    await sandbox.reset({ products: 12, sales: SALES });
    const expected = await sandbox.sales();
    await sandbox.faults({ latency_ms: 40 });
    const tab = await connectedPage(context);
    await startSalesExport(tab);
    await tab.waitForFunction(() => {
      const text = document.querySelector('#export-status')?.textContent ?? '';
      const pages = Number(text.match(/(\d+) pages/)?.[1] ?? 0);
      return pages >= 30;
    }, null, { timeout: 60_000 });
    await killServiceWorker(context.ext, tab);
    await tab.close();

    const reopened = await openPage(context.ext, FULL_VIEW);
    await reopened.getByRole('tab', { name: 'Export' }).click();
    await reopened.locator('#export-status[data-status="interrupted"]').waitFor({ timeout: 20_000 });
    await reopened.getByRole('button', { name: 'Resume' }).click();
    assertSameSales(await exportedSales(reopened), expected);
    await reopened.close();
  });

  test('the customers file has one row per buyer email with totals that match the sales', async () => {
    await sandbox.reset({ products: 12, sales: SALES });
    const sales = await sandbox.sales();
    // Per buyer: orders, and money actually kept (not refunded in full, not charged back).
    const buyers = new Map();
    for (const sale of sales) {
      const email = sale.email.toLowerCase();
      const buyer = buyers.get(email) ?? { orders: 0, spent: new Map() };
      buyer.orders += 1;
      if (!sale.refunded && !sale.chargedback) {
        buyer.spent.set(sale.currency, (buyer.spent.get(sale.currency) ?? 0) + keptMinorUnits(sale));
      }
      buyers.set(email, buyer);
    }
    const tab = await connectedPage(context);
    await startSalesExport(tab, 'customers');
    const rows = await exportedSales(tab, 'customers');
    assert.equal(rows.length, buyers.size, 'one row per buyer email');
    for (const row of rows) {
      const buyer = buyers.get(row.email.replace(/^'/, '').toLowerCase());
      assert.ok(buyer, `${row.email} bought something`);
      assert.equal(Number(row.orders), buyer.orders, `orders of ${row.email}`);
      const spent = new Map(
        row.total_spent.replace(/^'/, '').split('; ').filter(Boolean).map((part) => {
          const [currency, amount] = part.split(' ');
          return [currency.toLowerCase(), Math.round(Number(amount) * (currency === 'JPY' ? 1 : 100))];
        }),
      );
      for (const [currency, minor] of buyer.spent) assert.equal(spent.get(currency), minor, `${currency} spent by ${row.email}`);
    }
    await tab.close();
  });

  test('the subscribers file lists every active subscription with its status', async () => {
    await sandbox.reset({ products: 12, sales: SALES });
    const active = (await sandbox.subscribers()).filter((s) => ['alive', 'pending_cancellation', 'pending_failure'].includes(s.status));
    assert.ok(active.length > 0);
    const tab = await connectedPage(context);
    await startSalesExport(tab, 'subscribers');
    const rows = await exportedSales(tab, 'subscribers');
    assert.deepEqual(rows.map((r) => r.id).sort(), active.map((s) => neutralised(s.id)).sort());
    const statusOf = new Map(active.map((s) => [neutralised(s.id), s.status]));
    for (const row of rows) assert.equal(row.status, statusOf.get(row.id), `status of ${row.id}`);
    await tab.close();
  });

  test('a double click on Start export starts one export', async () => {
    await sandbox.reset({ products: 12, sales: 200 });
    const expected = await sandbox.sales();
    const tab = await connectedPage(context);
    await tab.getByRole('tab', { name: 'Export' }).click();
    const before = await currentExport(tab);
    await sandbox.clearRequests();
    await tab.getByRole('button', { name: 'Start export' }).dblclick();
    const exported = await nextExportReady(tab, before?.id);
    assert.equal(exported.rows, expected.length);
    assertOneSalesWalk(await sandbox.requests());
    assert.ok(await tab.locator('#error').isHidden(), 'the second click shows no error');
    assertSameSales(await exportedSales(tab), expected);
    await tab.close();
  });

  test('two starts in the same turn run one export and refuse the other', async () => {
    await sandbox.reset({ products: 12, sales: 200 });
    const tab = await connectedPage(context);
    const before = await currentExport(tab);
    await sandbox.clearRequests();
    const replies = await tab.evaluate(() => {
      const start = () => chrome.runtime.sendMessage({ type: 'export.start', payload: { kind: 'sales' } });
      return Promise.all([start(), start()]);
    });
    assert.deepEqual(replies.map((r) => r.ok).sort(), [false, true], JSON.stringify(replies));
    const refused = replies.find((r) => !r.ok);
    assert.equal(refused.error.kind, 'InvalidInput');
    assert.match(refused.error.message, /already running/);
    const started = replies.find((r) => r.ok).value.exportId;
    const exported = await nextExportReady(tab, before?.id);
    assert.equal(exported.id, started, 'the export that runs is the one that was accepted');
    assert.equal(exported.rows, 200);
    assertOneSalesWalk(await sandbox.requests());
    await tab.close();
  });

  test('the seller chooses the columns of the sales file', async () => {
    await sandbox.reset({ products: 12, sales: 200 });
    const tab = await connectedPage(context);
    await tab.getByRole('tab', { name: 'Export' }).click();
    await tab.locator('#export-columns summary').click();
    await tab.getByRole('checkbox', { name: 'email', exact: true }).uncheck();
    await tab.getByRole('checkbox', { name: 'referrer', exact: true }).check();
    await startSalesExport(tab);
    const rows = await exportedSales(tab);
    assert.equal(rows.length, 200);
    assert.ok(!('email' in rows[0]), 'the unchecked column is left out');
    assert.ok('referrer' in rows[0] && 'id' in rows[0], 'the chosen columns are there');
    await tab.close();
  });

  test('a semicolon export has semicolons between its cells', async () => {
    await sandbox.reset({ products: 12, sales: 200 });
    const expected = await sandbox.sales();
    const tab = await connectedPage(context);
    await tab.getByRole('tab', { name: 'Export' }).click();
    await tab.locator('#export-separator').selectOption(';');
    await startSalesExport(tab);
    await tab.locator('#export-status[data-status="ready"]').waitFor({ timeout: 180_000 });
    const [download] = await Promise.all([tab.waitForEvent('download'), tab.getByRole('button', { name: 'Download' }).click()]);
    const text = await readFile(await download.path(), 'utf8');
    assert.match(text, /^\uFEFFid;created_at;order_id;email;/, 'the header is split by semicolons');
    const [header, ...rows] = parseCsv(text.slice(1), ';');
    assertSameSales(rows.map((cells) => Object.fromEntries(header.map((name, i) => [name, cells[i]]))), expected);
    await tab.close();
  });
});
