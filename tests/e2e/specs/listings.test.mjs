// Listings: the audit of the demo store (scores, findings matching the store, the CSV),
// a tag edit and a find-and-replace across selected products with preview, job and undo,
// and AI suggestions from the sandbox's stand-in endpoint applied through the preview — with
// a withdrawn permission and a bad key refused with clear messages and nothing sent.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  SANDBOX_URL,
  connectedPage,
  live,
  reportOutcomes,
  sandbox,
  selectProducts,
  useExtension,
  waitForJob,
  writes,
} from '../harness.mjs';

const context = useExtension();

/** The stand-in AI endpoint, on another origin than the Gumroad sandbox (localhost, not
 * 127.0.0.1), so that reaching it needs its own permission. */
const AI_URL = `http://localhost:${new URL(SANDBOX_URL).port}/ai/v1/chat/completions`;
const AI_KEY = 'sk-sandbox-good-e2e-0123456789';
const aiRequests = (log) => log.filter((r) => r.path.startsWith('/ai/'));

const tagsOf = (state, id) => state.products.find((p) => p.id === id).tags;
const descriptionOf = (state, id) => state.products.find((p) => p.id === id).description;

/** What the seller does in chrome://extensions → Site access: allow (or remove) an origin. */
async function siteAccess(ext, pattern, allow) {
  const page = await ext.context.newPage();
  try {
    await page.goto('chrome://extensions/');
    await page.evaluate(
      async ({ id, pattern, allow }) =>
        allow ? chrome.developerPrivate.addHostPermission(id, pattern) : chrome.developerPrivate.removeHostPermission(id, pattern),
      { id: ext.extensionId, pattern, allow },
    );
  } finally {
    await page.close();
  }
}

async function openListings(tab) {
  await tab.getByRole('tab', { name: 'Listings' }).click();
}

test('the audit scores every listing, its findings match the store, and it downloads as CSV', async () => {
  const tab = await connectedPage(context);
  const products = live(await sandbox.state());
  await sandbox.clearRequests();
  await openListings(tab);
  await tab.getByRole('button', { name: 'Audit all listings' }).click();
  await tab.locator('#audit-table tbody tr').first().waitFor({ timeout: 60_000 });

  const rows = await tab.locator('#audit-table tbody tr').evaluateAll((trs) =>
    trs.map((tr) => ({ id: tr.dataset.productId, score: Number(tr.querySelector('.score').textContent), name: tr.cells[1].textContent })),
  );
  assert.equal(rows.length, products.length, 'one row per product');
  for (const row of rows) assert.ok(row.score >= 0 && row.score <= 100, `${row.name}: ${row.score}`);
  // Lowest score first by default.
  assert.deepEqual(rows.map((r) => r.score), [...rows.map((r) => r.score)].sort((a, b) => a - b));

  // The category finding is exactly the products the store holds without one.
  const uncategorised = products.filter((p) => p.taxonomy_id == null).map((p) => p.id).sort();
  assert.ok(uncategorised.length > 0 && uncategorised.length < products.length, 'the demo store has both');
  await tab.locator('#audit-filter').selectOption('no-category');
  const filtered = await tab.locator('#audit-table tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.productId));
  assert.deepEqual(filtered.sort(), uncategorised);

  // A product's detail names the rule behind each finding (its name is a button).
  await tab.locator('#audit-table tbody tr').first().getByRole('button').click();
  const detail = tab.locator('#audit-detail');
  await detail.waitFor();
  assert.match(await detail.textContent(), /Discover/);
  assert.ok((await detail.locator('[data-finding="no-category"]').count()) === 1);

  // "Select these products" hands the filtered rows to every bulk feature.
  await tab.locator('#audit-select').click();
  await tab.getByText(`${uncategorised.length} selected`).waitFor();

  const [file] = await Promise.all([tab.waitForEvent('download'), tab.getByRole('button', { name: 'Download the audit (CSV)' }).click()]);
  const csv = (await (await file.createReadStream()).toArray()).join('');
  const lines = csv.trim().split(/\r?\n/);
  assert.equal(lines.length, products.length + 1, 'a header and one line per product');
  assert.match(lines[0], /score/i);

  // An audit only reads.
  assert.deepEqual(writes(await sandbox.requests()), []);
  await tab.close();
});

test('a tag edit across selected products: preview, job, the store holds it, undo puts every list back', async () => {
  const tab = await connectedPage(context);
  const start = await sandbox.state();
  const chosen = live(start).filter((p) => p.tags.length > 0 && p.tags.length < 5).slice(0, 3);
  assert.equal(chosen.length, 3);
  await selectProducts(tab, chosen);
  await openListings(tab);
  await tab.locator('#listing-kind').selectOption('tags');
  await tab.locator('#listing-tags-mode').selectOption('add');
  await tab.locator('#listing-tags').fill('Spring Sale, ' + chosen[0].tags[0]);
  await tab.locator('#listing-preview').click();
  await tab.locator('#preview').waitFor();
  // Each product's tags before → after.
  const changes = await tab.locator('#preview-table tr.changes').allTextContents();
  assert.equal(changes.length, 3);
  for (const text of changes) assert.match(text, /Tags: .*spring sale/);
  assert.deepEqual(writes(await sandbox.requests()), [], 'a preview writes nothing');

  await tab.getByRole('button', { name: 'Apply 3 changes' }).click();
  const job = await waitForJob(tab, 'spring sale');
  assert.deepEqual(await reportOutcomes(tab, job), Array(3).fill('applied'));
  const applied = await sandbox.state();
  for (const p of chosen) {
    const expected = [...new Set([...p.tags, 'spring sale', chosen[0].tags[0]])];
    assert.deepEqual(tagsOf(applied, p.id), expected, p.name);
  }
  // The full list goes with each write (tags replace all on Gumroad).
  const puts = writes(await sandbox.requests()).filter((r) => r.method === 'PUT');
  assert.equal(puts.length, 3);
  for (const put of puts) assert.match(put.body, /tags%5B%5D=spring\+sale|tags\[\]=spring/);

  await job.getByRole('button', { name: 'Undo' }).click();
  await tab.locator('#preview').waitFor();
  await tab.getByRole('button', { name: 'Apply 3 changes' }).click();
  await waitForJob(tab, 'Undo:');
  const undone = await sandbox.state();
  for (const p of chosen) assert.deepEqual(tagsOf(undone, p.id), p.tags, p.name);
  await tab.close();
});

test('find and replace in descriptions changes text only, never markup, and undo restores every byte', async () => {
  const tab = await connectedPage(context);
  const start = await sandbox.state();
  const text = (html) => (html ?? '').replace(/<[^>]*>/g, '');
  const chosen = live(start).filter((p) => /<(p|a|ul|li)\b/.test(p.description ?? '') && /\bthe\b/.test(text(p.description))).slice(0, 2);
  assert.equal(chosen.length, 2, 'two products with markup and the word to replace');
  await selectProducts(tab, chosen);
  await openListings(tab);
  await tab.locator('#listing-kind').selectOption('findReplace');
  await tab.locator('#listing-find-field').selectOption('description');
  await tab.locator('#listing-find').fill('the');
  await tab.locator('#listing-replace').fill('THE');
  await tab.locator('#listing-case').check();
  await tab.locator('#listing-preview').click();
  await tab.locator('#preview').waitFor();
  assert.ok((await tab.locator('#preview-table tr.changes ins').count()) > 0, 'the diff marks what is added');
  await tab.getByRole('button', { name: /^Apply \d+ changes?$/ }).click();
  const job = await waitForJob(tab, 'THE');

  const applied = await sandbox.state();
  const markup = (html) => (html.match(/<[^>]*>/g) ?? []).join('');
  for (const p of chosen) {
    const after = descriptionOf(applied, p.id);
    assert.equal(markup(after), markup(p.description), `${p.name}: markup untouched`);
    assert.notEqual(after, p.description);
    assert.ok(!/\bthe\b/.test(after.replace(/<[^>]*>/g, '')), `${p.name}: every "the" in the text replaced`);
  }

  await job.getByRole('button', { name: 'Undo' }).click();
  await tab.locator('#preview').waitFor();
  await tab.getByRole('button', { name: /^Apply \d+ changes?$/ }).click();
  await waitForJob(tab, 'Undo:');
  const undone = await sandbox.state();
  for (const p of chosen) assert.equal(descriptionOf(undone, p.id), p.description, p.name);
  await tab.close();
});

test('AI suggestions: a withdrawn permission and a bad key are refused clearly with nothing written; good ones apply through the preview', async () => {
  const { ext } = context;
  // Every request the sandbox saw during the test (its log is cleared between rounds).
  const seen = [];
  const takeLog = async () => {
    const log = await sandbox.requests();
    seen.push(...log);
    return log;
  };
  const tab = await connectedPage(context);
  const chosen = live(await sandbox.state()).filter((p) => !p.is_tiered_membership).slice(0, 2);
  await selectProducts(tab, chosen);
  await openListings(tab);
  await tab.locator('#ai summary').click();
  await tab.locator('#ai-status').filter({ hasText: /Off/ }).waitFor();

  // The seller allows the origin (Chrome then answers the extension's question at once).
  await siteAccess(ext, 'http://localhost/*', true);
  await tab.locator('#ai-url').fill(AI_URL);
  await tab.locator('#ai-model').fill('sandbox-good');
  await tab.locator('#ai-key').fill('sk-wrong-key-0000');
  await tab.getByRole('button', { name: 'Save' }).click();
  await tab.locator('#ai-suggest-form').waitFor();
  assert.equal(await tab.locator('#ai-key').inputValue(), '', 'the key field is cleared once saved');

  // A bad key: one request, a clear message, nothing sent to Gumroad.
  await sandbox.clearRequests();
  await tab.getByRole('button', { name: 'Suggest for the selected products' }).click();
  await tab.locator('#ai-result-list .error').first().waitFor();
  const refusedText = await tab.locator('#ai-result-list').textContent();
  assert.match(refusedText, /key/i);
  assert.ok(!refusedText.includes('sk-wrong-key-0000'), 'the refused key is not shown back');
  assert.equal(aiRequests(await takeLog()).length, 1, 'the second product was not sent');
  assert.deepEqual(writes(await takeLog()).filter((r) => r.path.startsWith('/v2/')), []);

  // The right key: suggestions, checked, applied only through the preview.
  await tab.locator('#ai-key').fill(AI_KEY);
  await tab.getByRole('button', { name: 'Save' }).click();
  await tab.locator('#ai-key').and(tab.locator('[placeholder^="Saved"]')).waitFor();
  await sandbox.clearRequests();
  await tab.getByRole('button', { name: 'Suggest for the selected products' }).click();
  await tab.locator('#ai-result-list input[type="checkbox"]').first().waitFor();
  assert.equal(aiRequests(await takeLog()).length, 2);
  // What each product was offered, as the seller reads it ("Summary: …").
  const offered = await tab.locator('#ai-result-list > li').evaluateAll((items) =>
    items.map((li) => ({
      id: li.dataset.productId,
      summary: [...li.querySelectorAll('label')].map((l) => l.textContent).find((t) => t.startsWith('Summary: '))?.slice('Summary: '.length),
    })),
  );
  assert.equal(offered.length, 2);
  for (const o of offered) assert.ok(o.summary, 'a summary was suggested');
  assert.deepEqual(writes(await takeLog()).filter((r) => r.path.startsWith('/v2/')), [], 'a suggestion writes nothing');
  await tab.getByRole('button', { name: 'Preview the chosen suggestions' }).click();
  await tab.locator('#preview').waitFor();
  assert.equal(await tab.locator('#preview-table tr.changes').count(), 2);
  await tab.getByRole('button', { name: 'Apply 2 changes' }).click();
  await waitForJob(tab, '2 products');
  const applied = await sandbox.state();
  for (const o of offered) assert.equal(applied.products.find((q) => q.id === o.id).custom_summary, o.summary);

  // The seller removes the site access: nothing is sent, and the message says why.
  await takeLog();
  await siteAccess(ext, 'http://localhost/*', false);
  await sandbox.clearRequests();
  await openListings(tab);
  await tab.getByRole('button', { name: 'Suggest for the selected products' }).click();
  await tab.getByRole('alert').waitFor();
  assert.match(await tab.getByRole('alert').textContent(), /does not allow Bulkroad to reach http:\/\/localhost/);
  assert.deepEqual(aiRequests(await takeLog()), []);

  // Neither key is anywhere a page, a log or a request body could show it.
  const page = await tab.content();
  await takeLog();
  const log = JSON.stringify(seen);
  for (const key of [AI_KEY, 'sk-wrong-key-0000']) {
    assert.ok(!page.includes(key), 'not in the page');
    assert.ok(!log.includes(key), 'not in any request body or address');
    assert.deepEqual(ext.consoleLines.filter((line) => line.includes(key)), []);
  }
  await tab.close();
});
