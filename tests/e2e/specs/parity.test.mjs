// Parity (PPP) codes: edit the per-country table, create per-tier codes on three products,
// check the store and the downloaded map agree, undo; a bad CSV import changes nothing.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { connectedPage, live, sandbox, selectProducts, useExtension, waitForJob, writes } from '../harness.mjs';

const context = useExtension();

/** Alive product codes starting with `prefix`, as product id → Map(code → percent). */
function parityCodes(state, prefix) {
  const found = new Map();
  for (const c of state.offer_codes) {
    if (c.deleted_at || !c.code.startsWith(prefix)) continue;
    if (!found.has(c.product_id)) found.set(c.product_id, new Map());
    found.get(c.product_id).set(c.code, c.amount_percentage);
  }
  return found;
}

async function openParity(tab) {
  await tab.getByRole('tab', { name: 'Parity' }).click();
  await tab.locator('#parity-table tbody tr[data-country="IN"]').waitFor();
}

async function setCountry(tab, name, code, percent) {
  await tab.getByLabel('Search countries').fill(name);
  const row = tab.locator(`#parity-table tbody tr[data-country="${code}"]`);
  if (percent === 'excluded') await row.getByRole('checkbox', { name: `Exclude ${name}` }).check();
  else await row.getByRole('spinbutton', { name: `Your % for ${name}` }).fill(String(percent));
  await row.getByRole('spinbutton').press('Tab').catch(() => {});
  await tab.locator(`#parity-table tbody tr.edited[data-country="${code}"]`).waitFor();
}

test('edited countries, per-tier codes on three products, the map matches the store, undo removes them', async () => {
  const tab = await connectedPage(context);
  const chosen = live(await sandbox.state())
    .filter((p) => p.currency === 'usd' && !p.is_tiered_membership && !p.customizable_price && p.price_cents >= 1000)
    .slice(0, 3);
  assert.equal(chosen.length, 3);
  await selectProducts(tab, chosen);
  await openParity(tab);
  await setCountry(tab, 'India', 'IN', 45);
  await setCountry(tab, 'Brazil', 'BR', 'excluded');
  await tab.getByLabel('Search countries').fill('');

  await tab.locator('#parity-preview').click();
  await tab.locator('#preview').waitFor();
  assert.match(await tab.locator('#preview-notes').textContent(), /not geo-locked/);
  await tab.locator('#preview-confirm').click();
  await waitForJob(tab, 'Parity codes (PPP)');

  await tab.getByRole('tab', { name: 'Parity' }).click();
  const [download] = await Promise.all([tab.waitForEvent('download'), tab.locator('#parity-map-json').click()]);
  const map = JSON.parse(await readFile(await download.path(), 'utf8'));
  assert.deepEqual(map.IN, { code: 'PPP45', percent: 45 });
  assert.equal(map.BR, undefined, 'an excluded country has no code');
  const tiers = new Map(Object.values(map).map((entry) => [entry.code, entry.percent]));

  const byProduct = parityCodes(await sandbox.state(), 'PPP');
  assert.deepEqual([...byProduct.keys()].sort(), chosen.map((p) => p.id).sort());
  for (const codes of byProduct.values()) assert.deepEqual(new Map([...codes].sort()), new Map([...tiers].sort()));

  await tab.getByRole('tab', { name: 'Jobs' }).click();
  const job = await waitForJob(tab, 'Parity codes (PPP)');
  await job.getByRole('button', { name: 'Undo' }).click();
  await tab.locator('#preview').waitFor();
  await tab.locator('#preview-confirm').click();
  await waitForJob(tab, 'Undo: Parity codes (PPP)');
  assert.equal(parityCodes(await sandbox.state(), 'PPP').size, 0);
  await tab.close();
});

test('a CSV import with bad rows is reported by line and changes nothing', async () => {
  const tab = await connectedPage(context);
  await openParity(tab);
  await setCountry(tab, 'India', 'IN', 40);
  const csv = 'country_code,country,price_level_ratio,suggested_percent,your_percent\nXX,Nowhere,0.5,50,10\nIN,India,0.24,60,150\nDE,Germany,0.9,,ten\n';
  await tab.locator('#parity-import').setInputFiles({ name: 'table.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  const alert = tab.getByRole('alert');
  await alert.waitFor();
  const text = await alert.textContent();
  assert.match(text, /line 2/);
  assert.match(text, /line 3/);
  assert.match(text, /line 4/);
  await tab.getByLabel('Search countries').fill('India');
  assert.equal(await tab.getByRole('spinbutton', { name: 'Your % for India' }).inputValue(), '40');
  assert.deepEqual(writes(await sandbox.requests()), []);
  await tab.close();
});

test('a CSV import far larger than a table is refused by its size and changes nothing', async () => {
  const tab = await connectedPage(context);
  await openParity(tab);
  await setCountry(tab, 'India', 'IN', 40);
  const csv = `country_code,your_percent\n${'IN,10\n'.repeat(400_000)}`;
  await tab.locator('#parity-import').setInputFiles({ name: 'huge.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  const alert = tab.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.textContent(), /the file is 2344 KB; a parity table is about 10 KB, and Bulkroad reads files up to 256 KB/);
  await tab.getByLabel('Search countries').fill('India');
  assert.equal(await tab.getByRole('spinbutton', { name: 'Your % for India' }).inputValue(), '40');
  await tab.close();
});

test('the table shows the settings in force and the data credit, both from the core', async () => {
  const tab = await connectedPage(context);
  await openParity(tab);
  // Nothing saved yet: the core's defaults (threshold 0.80, cap 60 %, step 5 %).
  assert.equal(await tab.locator('#parity-threshold').inputValue(), '0.8');
  assert.equal(await tab.locator('#parity-cap').inputValue(), '60');
  assert.equal(await tab.locator('#parity-step').inputValue(), '5');
  assert.match(await tab.locator('#parity-credit').textContent(), /^World Bank, World Development Indicators \(PA\.NUS\.PPPC\.RF\), CC BY 4\.0$/);
  // A changed cap is kept with the other settings and shapes the suggestions.
  await tab.locator('#parity-cap').fill('30');
  await tab.locator('#parity-cap').press('Tab');
  await tab.locator('#parity-table tbody tr[data-country="IN"] td:nth-child(3)', { hasText: '30 %' }).waitFor();
  const kept = await tab.evaluate(async () => (await chrome.storage.local.get('settings.parity'))['settings.parity']);
  assert.deepEqual(kept.settings, { threshold: 0.8, capPercent: 30, floorPercent: 0, stepPercent: 5 });
});
