// The picker with a large store: thousands of products are listed, searched, filtered and
// selected as a seller would, while the table holds only the rows in view.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FULL_VIEW, POPUP, connect, forgetIfConnected, live, openPage, sandbox, useExtension } from '../harness.mjs';

const context = useExtension();
const PRODUCTS = 2_000;

/** The product rows the table holds now (spacer rows stand for the others). */
const drawnIds = (tab) => tab.locator('#product-table tbody tr[data-product-id]').evaluateAll((trs) => trs.map((tr) => tr.dataset.productId));

async function bigStore(page) {
  await sandbox.reset({ products: PRODUCTS, sales: 0, seed: 7 });
  const tab = await openPage(context.ext, page);
  await forgetIfConnected(tab);
  await connect(tab, context.tokens.full);
  await tab.getByText(`(${PRODUCTS})`).waitFor({ timeout: 60_000 });
  return { tab, products: await listed() };
}

/** The store's products in the order Gumroad lists them (the picker's order). */
async function listed() {
  const products = [];
  let key = null;
  do {
    const page = await sandbox.api(`/v2/products${key ? `?page_key=${encodeURIComponent(key)}` : ''}`, context.tokens.full);
    products.push(...page.products);
    key = page.next_page_key ?? null;
  } while (key);
  assert.equal(products.length, live(await sandbox.state()).length);
  return products;
}

describe('a store of thousands of products in the picker', () => {
  test('only the rows in view are drawn, and scrolling shows every product in order', async () => {
    const { tab, products } = await bigStore(POPUP);
    assert.equal(products.length, PRODUCTS);
    const first = await drawnIds(tab);
    assert.ok(first.length > 5 && first.length < 100, `${first.length} rows drawn of ${PRODUCTS}`);
    assert.deepEqual(first, products.slice(0, first.length).map((p) => p.id), 'the list starts with Gumroad\'s first products');
    assert.equal(await tab.locator('#product-table').getAttribute('aria-rowcount'), String(PRODUCTS + 1));

    // Scrolled to the end: the last products are drawn, the first are not.
    await tab.locator('#panel-products .table-wrap').evaluate((wrap) => { wrap.scrollTop = wrap.scrollHeight; });
    await tab.waitForFunction((id) => document.querySelector(`#product-table tr[data-product-id="${id}"]`), products.at(-1).id);
    const end = await drawnIds(tab);
    assert.ok(end.length < 100, `${end.length} rows drawn at the end`);
    assert.ok(!end.includes(products[0].id));
    assert.deepEqual(end, products.slice(PRODUCTS - end.length).map((p) => p.id), 'the drawn rows are the last ones, in order');
    const lastIndex = await tab.locator(`#product-table tr[data-product-id="${products.at(-1).id}"]`).getAttribute('aria-rowindex');
    assert.equal(lastIndex, String(PRODUCTS + 1));

    // Scrolled through the list a screen at a time, every product is drawn at some point.
    const seen = new Set();
    const wrap = tab.locator('#panel-products .table-wrap');
    await wrap.evaluate((el) => { el.scrollTop = 0; });
    for (;;) {
      for (const id of await drawnIds(tab)) seen.add(id);
      const atEnd = await wrap.evaluate((el) => {
        const before = el.scrollTop;
        el.scrollTop += el.clientHeight;
        el.dispatchEvent(new Event('scroll'));
        return el.scrollTop === before;
      });
      if (atEnd) break;
    }
    assert.equal(seen.size, PRODUCTS, 'every product was drawn while scrolling');
    await tab.close();
  });

  test('search finds a product far down the list; select all matching and a tick in a scrolled list count right and last', async () => {
    const { tab, products } = await bigStore(FULL_VIEW);
    await tab.getByRole('button', { name: 'Clear selection' }).click();
    const deep = products[1_733];
    await tab.getByLabel('Search products').fill(deep.name);
    await tab.waitForFunction((id) => document.querySelector(`#product-table tr[data-product-id="${id}"]`), deep.id);
    const matches = products.filter((p) => p.name.toLocaleLowerCase().includes(deep.name.toLocaleLowerCase()));
    assert.deepEqual(await drawnIds(tab), matches.map((p) => p.id));

    // Every published product, far more than are drawn, is selected by one click.
    await tab.getByLabel('Search products').fill('');
    await tab.locator('#filter-published').selectOption('published');
    const published = products.filter((p) => p.published);
    assert.ok(published.length > 300, `${published.length} published products`);
    await tab.getByRole('button', { name: 'Select all matching' }).click();
    await tab.getByText(`${published.length} selected`).first().waitFor();

    // A row drawn only after scrolling shows its product as selected, and unticking it counts.
    const wrap = tab.locator('#panel-products .table-wrap');
    await wrap.evaluate((el) => { el.scrollTop = el.scrollHeight / 2; });
    const middle = published[Math.floor(published.length / 2)];
    const box = tab.getByRole('checkbox', { name: `Select ${middle.name}`, exact: true });
    await box.waitFor();
    assert.equal(await box.isChecked(), true);
    await box.uncheck();
    await tab.getByText(`${published.length - 1} selected`).first().waitFor();

    // The selection is the seller's: kept across a reopening of the page.
    await tab.reload();
    await tab.getByText(`${published.length - 1} selected`).first().waitFor({ timeout: 30_000 });
    await tab.close();
  });

  test('a checkbox keeps its focus while the list scrolls under it', async () => {
    const { tab, products } = await bigStore(POPUP);
    const box = tab.getByRole('checkbox', { name: `Select ${products[3].name}`, exact: true });
    await box.focus();
    await tab.locator('#panel-products .table-wrap').evaluate((el) => { el.scrollTop = 40; el.dispatchEvent(new Event('scroll')); });
    await tab.waitForTimeout(50);
    assert.equal(await tab.evaluate(() => document.activeElement?.getAttribute('aria-label')), `Select ${products[3].name}`);
    await tab.keyboard.press('Space');
    await tab.getByText('1 selected').first().waitFor();
    await tab.close();
  });
});
