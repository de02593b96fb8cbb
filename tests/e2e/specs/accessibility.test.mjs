// Accessibility: the popup and the full view, each in the light and the dark scheme, with a
// connected store and every tab's panel filled the way a seller fills it (the revenue column
// and its spark lines, every code, the parity table with an edited row, the listing audit
// with a product open, the Insights chart, the export's columns, a preview dialog), checked by
// axe-core against WCAG 2.0 and 2.1 A and AA: no violation, contrast included. The schemes
// really differ, the tab strip works from the keyboard as the WAI-ARIA tabs pattern says,
// and the focus ring shows, clear against the page, in both schemes.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { FULL_VIEW, POPUP, axeViolations, connect, forgetIfConnected, live, openPage, sandbox, selectProducts, useExtension } from '../harness.mjs';

const context = useExtension();
const SCREENSHOTS = path.resolve(process.cwd(), '../../target/e2e-screenshots');
const SCHEMES = ['light', 'dark'];
const VIEWS = [
  { name: 'popup', page: POPUP, viewport: { width: 400, height: 600 } },
  { name: 'full', page: FULL_VIEW, viewport: { width: 1280, height: 800 } },
];

/** What each tab's panel shows once a seller has used it; resolves when it is on screen. */
const FILL = {
  'tab-products': async (tab) => {
    await tab.locator('#revenue-range').selectOption('all');
    await tab.locator('#product-table.with-revenue svg.spark').first().waitFor({ timeout: 60_000 });
  },
  'tab-codes': async (tab) => {
    await tab.getByRole('button', { name: 'Show every code' }).click();
    await tab.locator('#inventory-filter:not([hidden])').waitFor({ timeout: 60_000 });
  },
  'tab-prices': async () => {},
  'tab-parity': async (tab) => {
    await tab.locator('#parity-table tbody tr').first().waitFor();
    const input = tab.locator('#parity-table tbody tr input[type="number"]').first();
    await input.fill('35');
    await input.dispatchEvent('change');
    await tab.locator('#parity-table tr.edited').first().waitFor();
  },
  'tab-listings': async (tab) => {
    await tab.getByRole('button', { name: 'Audit all listings' }).click();
    await tab.locator('#audit-table:not([hidden]) tbody tr').first().waitFor({ timeout: 60_000 });
    await tab.locator('#audit-table tbody tr button').first().click();
    await tab.locator('#audit-detail:not([hidden])').waitFor();
  },
  'tab-insights': async (tab) => {
    await tab.locator('.insights-section .chart-figure').first().waitFor({ timeout: 60_000 });
  },
  'tab-export': async (tab) => {
    await tab.locator('#export-column-list label').first().waitFor({ state: 'attached' });
    await tab.locator('#export-columns summary').click();
    await tab.locator('#export-column-list label').first().waitFor();
  },
  'tab-jobs': async () => {},
};

/** Every violation axe finds on `tab` in each scheme, each line prefixed with where it was
 * found; a screenshot of each (for the eye, not asserted). */
async function check(tab, where) {
  const found = [];
  for (const colorScheme of SCHEMES) {
    await tab.emulateMedia({ colorScheme });
    found.push(...(await axeViolations(tab)).map((line) => `${where} ${colorScheme}: ${line}`));
    await tab.screenshot({ path: path.join(SCREENSHOTS, `a11y-${where.toLowerCase().replaceAll(/[^a-z0-9]+/g, '-')}-${colorScheme}.png`), fullPage: true });
  }
  await tab.emulateMedia({ colorScheme: null });
  return found;
}

async function openConnected(view) {
  const tab = await openPage(context.ext, view.page);
  await tab.setViewportSize(view.viewport);
  await forgetIfConnected(tab);
  return tab;
}

for (const view of VIEWS) {
  test(`${view.name}: every panel passes axe (WCAG 2.1 AA) in light and dark`, async () => {
    await sandbox.reset({ products: 12, sales: 300 });
    await mkdir(SCREENSHOTS, { recursive: true });
    const tab = await openConnected(view);
    const found = [...(await check(tab, `${view.name} connect`))];

    await connect(tab, context.tokens.full);
    const products = live(await sandbox.state());
    await tab.waitForFunction((n) => document.querySelectorAll('#product-table tbody tr').length === n, products.length);
    await tab.getByRole('button', { name: 'Clear selection' }).click();
    await selectProducts(tab, products.slice(0, 2));

    const tabs = await tab.getByRole('tab').evaluateAll((els) => els.map((el) => ({ id: el.id, name: el.textContent })));
    assert.deepEqual(tabs.map((t) => t.id).sort(), Object.keys(FILL).sort(), 'every tab is filled and checked');
    for (const { id, name } of tabs) {
      await tab.getByRole('tab', { name }).click();
      await tab.locator(`#${id}[aria-selected="true"]`).waitFor();
      await FILL[id](tab);
      found.push(...(await check(tab, `${view.name} ${name}`)));
    }

    // A preview, in its modal dialog.
    await tab.getByRole('tab', { name: 'Discount codes' }).click();
    await tab.locator('#code-name').fill('A11Y10');
    await tab.locator('#code-amount').fill('10');
    await tab.locator('#preview-apply').click();
    await tab.locator('#preview[open] #preview-table tbody tr').first().waitFor({ timeout: 60_000 });
    found.push(...(await check(tab, `${view.name} preview dialog`)));
    await tab.getByRole('button', { name: 'Cancel', exact: true }).click();

    assert.deepEqual(found, [], `axe found violations:\n${found.join('\n')}`);
  });
}

/** The page's background and text colours, the focused element's outline, and the focus
 * ring's contrast against the page. */
async function looks(tab) {
  return tab.evaluate(() => {
    const rgb = (text) => text.match(/[\d.]+/g).slice(0, 3).map(Number);
    const lum = ([r, g, b]) => {
      const c = [r, g, b].map((v) => v / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4));
      return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    };
    const contrast = (a, b) => {
      const [x, y] = [lum(rgb(a)), lum(rgb(b))].sort((p, q) => q - p);
      return (x + 0.05) / (y + 0.05);
    };
    const body = getComputedStyle(document.body);
    const focused = document.activeElement;
    const ring = getComputedStyle(focused);
    return {
      background: body.backgroundColor,
      color: body.color,
      focusedId: focused.id,
      focusVisible: focused.matches(':focus-visible'),
      outlineStyle: ring.outlineStyle,
      outlineWidth: parseFloat(ring.outlineWidth),
      outlineColor: ring.outlineColor,
      ringContrast: contrast(ring.outlineColor, body.backgroundColor),
    };
  });
}

for (const view of VIEWS) {
  test(`${view.name}: the tabs move with the arrow keys, and the focus shows in both schemes`, async () => {
    await sandbox.reset({ products: 12, sales: 300 });
    const tab = await openConnected(view);
    await connect(tab, context.tokens.full);
    await tab.locator('#product-table tbody tr').first().waitFor();
    const ids = await tab.getByRole('tab').evaluateAll((els) => els.map((el) => el.id));
    const selected = async () => {
      const state = await tab.getByRole('tab').evaluateAll((els) =>
        els.map((el) => ({ id: el.id, selected: el.getAttribute('aria-selected'), tabIndex: el.tabIndex, panelShown: !document.getElementById(el.getAttribute('aria-controls')).hidden })),
      );
      const on = state.filter((t) => t.selected === 'true');
      assert.equal(on.length, 1, 'one tab is selected');
      for (const t of state) {
        assert.equal(t.tabIndex, t.selected === 'true' ? 0 : -1, `only the selected tab is in the Tab order (${t.id})`);
        assert.equal(t.panelShown, t.selected === 'true', `only the selected tab's panel shows (${t.id})`);
      }
      assert.equal(await tab.evaluate(() => document.activeElement.id), on[0].id, 'the selected tab has the focus');
      return on[0].id;
    };

    const seen = {};
    for (const colorScheme of SCHEMES) {
      await tab.emulateMedia({ colorScheme });
      await tab.getByRole('tab', { name: 'Products' }).click();
      await tab.keyboard.press('ArrowRight');
      assert.equal(await selected(), ids[1]);
      await tab.keyboard.press('ArrowRight');
      assert.equal(await selected(), ids[2]);
      await tab.keyboard.press('ArrowLeft');
      assert.equal(await selected(), ids[1]);
      await tab.keyboard.press('End');
      assert.equal(await selected(), ids.at(-1));
      await tab.keyboard.press('ArrowRight');
      assert.equal(await selected(), ids[0], 'Right on the last tab goes round to the first');
      await tab.keyboard.press('ArrowLeft');
      assert.equal(await selected(), ids.at(-1), 'Left on the first tab goes round to the last');
      await tab.keyboard.press('Home');
      assert.equal(await selected(), ids[0]);

      const look = await looks(tab);
      assert.ok(look.focusVisible, `the tab reached by the keyboard matches :focus-visible (${colorScheme})`);
      assert.equal(look.outlineStyle, 'solid', `a focus ring shows (${colorScheme})`);
      assert.ok(look.outlineWidth >= 2, `the focus ring is at least 2px wide (${colorScheme}): ${look.outlineWidth}`);
      assert.ok(look.ringContrast >= 3, `the focus ring stands out from the page, 3:1 at least (${colorScheme}): ${look.ringContrast.toFixed(2)}`);
      seen[colorScheme] = look;

      // One Tab stop for the whole strip: Tab leaves it, Shift+Tab comes back to the selected tab.
      await tab.keyboard.press('Tab');
      assert.notEqual(await tab.evaluate(() => document.activeElement.getAttribute('role')), 'tab', 'Tab leaves the tab strip');
      const out = await looks(tab);
      assert.ok(out.focusVisible && out.outlineStyle === 'solid', `the control after the strip shows its focus too (${colorScheme}): ${out.focusedId}`);
      await tab.keyboard.press('Shift+Tab');
      assert.equal(await selected(), ids[0]);

      // The picker's sort buttons work from the keyboard and show their focus.
      await tab.locator('th[data-sort="price"] button').focus();
      await tab.keyboard.press('Shift+Tab');
      await tab.keyboard.press('Tab');
      const sortLook = await looks(tab);
      assert.ok(sortLook.focusVisible && sortLook.outlineStyle === 'solid', `the sort button shows its focus (${colorScheme})`);
      const before = await tab.locator('th[data-sort="price"]').getAttribute('aria-sort');
      await tab.keyboard.press('Enter');
      const after = await tab.locator('th[data-sort="price"]').getAttribute('aria-sort');
      assert.ok(after === 'ascending' || after === 'descending', 'Enter sorts by price');
      assert.notEqual(after, before, 'Enter on the sort button changes the order');
    }
    await tab.emulateMedia({ colorScheme: null });

    assert.notEqual(seen.light.background, seen.dark.background, 'the page background follows the colour scheme');
    assert.notEqual(seen.light.color, seen.dark.color, 'the text colour follows the colour scheme');
    assert.notEqual(seen.light.outlineColor, seen.dark.outlineColor, 'the focus ring has a colour of its own in each scheme');
  });
}
