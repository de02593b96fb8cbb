// Connect and list products: a seller pastes a token, sees who they are and every product.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  FULL_VIEW,
  accountKey,
  connect,
  extensionStorage,
  forgetIfConnected,
  killServiceWorker,
  live,
  openPage,
  sandbox,
  tokenKeys,
  useExtension,
  workerInstanceId,
} from '../harness.mjs';

const context = useExtension();

describe('connecting a token', () => {
  test('a valid token shows the seller, the scopes and every product across all pages', async () => {
    const tab = await openPage(context.ext);
    await forgetIfConnected(tab);
    await connect(tab, context.tokens.full);

    const state = await sandbox.state();
    const expected = live(state);
    assert.ok(expected.length > 10, 'the store must span several 10-product pages');

    await tab.getByRole('heading', { name: state.seller.name }).waitFor();
    assert.equal(await tab.locator('#seller-email').textContent(), state.seller.email);
    const scopes = await tab.locator('#scopes').textContent();
    for (const scope of ['edit_products', 'view_sales', 'view_profile']) assert.ok(scopes.includes(scope), scopes);

    const rows = tab.locator('#product-table tbody tr');
    await tab.waitForFunction((n) => document.querySelectorAll('#product-table tbody tr').length === n, expected.length);
    const shownIds = await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.productId));
    assert.deepEqual([...shownIds].sort(), expected.map((p) => p.id).sort());

    // Each row carries the product's name, price, published state and sales count.
    const sample = expected.find((p) => !p.published) ?? expected[0];
    const row = tab.locator(`#product-table tr[data-product-id="${sample.id}"]`);
    const cells = await row.locator('td').allTextContents();
    assert.equal(cells[1], sample.name);
    const { product: asServed } = await sandbox.api(`/v2/products/${sample.id}`, context.tokens.full);
    assert.equal(cells[2], asServed.formatted_price);
    assert.equal(cells[3], sample.published ? 'Published' : 'Unpublished');
    assert.equal(cells[4], sample.sales_count.toLocaleString('en-US'));

    // The client walked the cursor: one request per page, each next key sent once.
    const log = await sandbox.requests();
    const listCalls = log.filter((r) => r.method === 'GET' && r.path === '/v2/products');
    assert.equal(listCalls.length, Math.ceil(expected.length / 10));
    const keys = listCalls.map((r) => new URLSearchParams(r.query).get('page_key'));
    assert.equal(keys[0], null);
    assert.equal(new Set(keys).size, keys.length);
    await tab.close();
  });

  test('the search box narrows the product list by name', async () => {
    const tab = await openPage(context.ext);
    await forgetIfConnected(tab);
    await connect(tab, context.tokens.full);
    const expected = live(await sandbox.state());
    await tab.waitForFunction((n) => document.querySelectorAll('#product-table tbody tr').length === n, expected.length);

    const target = expected[3];
    const word = target.name.split(/\s+/).find((w) => w.length > 4) ?? target.name;
    await tab.getByLabel('Search products').fill(word.toUpperCase());
    const matching = expected.filter((p) => p.name.toLowerCase().includes(word.toLowerCase()));
    await tab.waitForFunction((n) => document.querySelectorAll('#product-table tbody tr').length === n, matching.length);
    const names = await tab.locator('#product-table tbody td.name').allTextContents();
    assert.ok(names.includes(target.name));
    assert.ok(names.every((n) => n.toLowerCase().includes(word.toLowerCase())));

    await tab.getByLabel('Search products').fill('no product is called this');
    await tab.getByText('No product matches this search.').waitFor();
    await tab.getByLabel('Search products').fill('');
    await tab.waitForFunction((n) => document.querySelectorAll('#product-table tbody tr').length === n, expected.length);
    await tab.close();
  });

  test('the price filter reads amounts in each product currency (whole yen, dollars and cents)', async () => {
    const tab = await openPage(context.ext);
    await forgetIfConnected(tab);
    await connect(tab, context.tokens.full);
    const expected = live(await sandbox.state());
    await tab.waitForFunction((n) => document.querySelectorAll('#product-table tbody tr').length === n, expected.length);
    const shown = () => tab.locator('#product-table tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.productId).sort());
    const settle = (ids) => tab.waitForFunction((n) => document.querySelectorAll('#product-table tbody tr').length === n, ids.length);

    // "From 1000" keeps yen products of ¥1,000 and more, and dollar products of $1,000 and more.
    await tab.locator('#filter-price-min').fill('1000');
    const atLeast = expected.filter((p) => (p.currency === 'jpy' ? p.price_cents : p.price_cents / 100) >= 1000).map((p) => p.id).sort();
    assert.ok(expected.some((p) => p.currency === 'jpy' && p.price_cents >= 1000), 'the seeded store has yen products of ¥1,000 or more');
    await settle(atLeast);
    assert.deepEqual(await shown(), atLeast);

    // "Up to 9.99" keeps cents exactly.
    await tab.locator('#filter-price-min').fill('');
    await tab.locator('#filter-price-max').fill('9.99');
    const atMost = expected.filter((p) => (p.currency === 'jpy' ? p.price_cents : p.price_cents / 100) <= 9.99).map((p) => p.id).sort();
    await settle(atMost);
    assert.deepEqual(await shown(), atMost);
    await tab.close();
  });

  test('a rejected token shows a clear error and is not kept', async () => {
    const tab = await openPage(context.ext);
    await forgetIfConnected(tab);
    const bogus = 'NotARealTokenAtAllButLongEnough0123456789ab';
    await connect(tab, bogus);
    const alert = tab.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.textContent(), /did not accept this token, so it was not saved/);
    assert.ok(!(await alert.textContent()).includes(bogus));

    const stored = await extensionStorage(tab);
    assert.deepEqual(tokenKeys(stored), []);
    assert.ok(!JSON.stringify(stored).includes(bogus));

    // Reopening the popup still asks for a token.
    await tab.reload();
    await tab.getByLabel('Access token').waitFor();
    assert.equal(await tab.locator('#account').isVisible(), false);
    await tab.close();
  });

  test('a revoked token is refused the same way', async () => {
    const tab = await openPage(context.ext);
    await forgetIfConnected(tab);
    await connect(tab, context.tokens.revoked);
    await tab.getByRole('alert').waitFor();
    assert.match(await tab.getByRole('alert').textContent(), /revoked/);
    assert.deepEqual(tokenKeys(await extensionStorage(tab)), []);
    await tab.close();
  });

  test('a token without a read scope is explained and not kept', async () => {
    const tab = await openPage(context.ext);
    await forgetIfConnected(tab);
    await connect(tab, context.tokens.no_read_scope);
    await tab.getByRole('alert').waitFor();
    assert.match(await tab.getByRole('alert').textContent(), /lacks a permission \(scope\)/);
    assert.deepEqual(tokenKeys(await extensionStorage(tab)), []);
    await tab.close();
  });

  test('a read-only token connects, hides sales and says which features need more scopes', async () => {
    const tab = await openPage(context.ext);
    await forgetIfConnected(tab);
    await connect(tab, context.tokens.read_only);
    await tab.locator('#missing-features li').first().waitFor();
    const missing = await tab.locator('#missing-features').textContent();
    assert.match(missing, /edit_products/);
    assert.match(missing, /view_sales/);
    for (const column of ['Sales', 'Revenue', 'Insights']) {
      const cell = column === 'Insights' ? tab.getByRole('tab', { name: column }) : tab.locator('th.sales-col', { hasText: column });
      assert.equal(await cell.isVisible(), false, `${column} is hidden without view_sales`);
    }
    await tab.close();
  });

  test('no network: a clear message, and nothing is saved', async () => {
    const tab = await openPage(context.ext);
    await forgetIfConnected(tab);
    await sandbox.faults({ rate_drop: 1 });
    await connect(tab, context.tokens.full);
    await tab.getByRole('alert').waitFor();
    assert.match(await tab.getByRole('alert').textContent(), /Could not reach Gumroad/);
    assert.deepEqual(tokenKeys(await extensionStorage(tab)), []);
    await tab.close();
  });
});

describe('a connection that lasts', () => {
  test('survives the service worker being stopped and the popup being reopened', async () => {
    let tab = await openPage(context.ext);
    await forgetIfConnected(tab);
    await connect(tab, context.tokens.full);
    const expected = live(await sandbox.state());
    await tab.waitForFunction((n) => document.querySelectorAll('#product-table tbody tr').length === n, expected.length);
    const before = await workerInstanceId(tab);
    await tab.close();

    const probe = await openPage(context.ext, FULL_VIEW);
    await killServiceWorker(context.ext, probe);
    await probe.close();

    tab = await openPage(context.ext);
    await tab.getByRole('button', { name: 'Forget account' }).waitFor();
    await tab.waitForFunction((n) => document.querySelectorAll('#product-table tbody tr').length === n, expected.length);
    assert.notEqual(await workerInstanceId(tab), before, 'the worker should have restarted');

    // A refresh after the restart goes to Gumroad again with the kept token.
    await tab.getByRole('button', { name: 'Refresh' }).click();
    await tab.waitForFunction(() => !document.querySelector('#refresh').disabled);
    const log = await sandbox.requests();
    assert.ok(log.some((r) => r.path === '/v2/products' && r.authorization === `Bearer ${context.tokens.full}`));
    assert.equal(await tab.getByRole('alert').isVisible(), false);
    await tab.close();
  });

  test('a token Gumroad stops accepting later is forgotten with a clear message', async () => {
    const tab = await openPage(context.ext);
    await forgetIfConnected(tab);
    await connect(tab, context.tokens.full);
    await tab.getByRole('button', { name: 'Forget account' }).waitFor();
    // The stored token is swapped for one the sandbox no longer accepts.
    const key = await accountKey(tab, 'auth.token');
    await tab.evaluate(([k, revoked]) => chrome.storage.local.set({ [k]: revoked }), [key, context.tokens.revoked]);
    await tab.getByRole('button', { name: 'Refresh' }).click();
    await tab.getByRole('alert').waitFor();
    assert.match(await tab.getByRole('alert').textContent(), /no longer accepts the saved token/);
    assert.deepEqual(tokenKeys(await extensionStorage(tab)), []);
    await tab.getByLabel('Access token').waitFor();
    await tab.close();
  });

  test('"Open full view" opens the same app in a tab with the wider table', async () => {
    const tab = await openPage(context.ext);
    await forgetIfConnected(tab);
    await connect(tab, context.tokens.full);
    await tab.getByRole('button', { name: 'Forget account' }).waitFor();
    const [full] = await Promise.all([
      context.ext.context.waitForEvent('page'),
      tab.getByRole('button', { name: 'Open full view' }).click(),
    ]);
    await full.waitForLoadState();
    assert.equal(full.url(), context.ext.url(FULL_VIEW));
    const expected = live(await sandbox.state());
    await full.waitForFunction((n) => document.querySelectorAll('#product-table tbody tr').length === n, expected.length);
    const headers = await full.locator('#product-table th').allTextContents();
    for (const h of ['Name', 'Price', 'Currency', 'Status', 'Kind', 'Tags', 'Sales']) assert.ok(headers.includes(h), headers.join());
    const membership = expected.find((p) => p.is_tiered_membership);
    const kind = await full.locator(`tr[data-product-id="${membership.id}"] td`).nth(5).textContent();
    assert.equal(kind, 'Membership (tiers)');
    await full.close();
  });
});

describe('the token stays private', () => {
  test('it is sent only in the Authorization header: never in a URL, body, console line or page', async () => {
    const tab = await openPage(context.ext);
    await forgetIfConnected(tab);
    await connect(tab, context.tokens.full);
    const expected = live(await sandbox.state());
    await tab.waitForFunction((n) => document.querySelectorAll('#product-table tbody tr').length === n, expected.length);

    const log = await sandbox.requests();
    assert.ok(log.length >= 3);
    for (const entry of log) {
      assert.ok(!entry.url.includes(context.tokens.full), `token in URL ${entry.method} ${entry.path}`);
      assert.ok(!(entry.body ?? '').includes(context.tokens.full), `token in body of ${entry.path}`);
      assert.equal(entry.authorization, `Bearer ${context.tokens.full}`);
    }
    for (const line of context.ext.consoleLines) assert.ok(!line.includes(context.tokens.full), 'token in a console line');
    assert.ok(!(await tab.content()).includes(context.tokens.full), 'token in the page');
    await tab.close();
  });
});
