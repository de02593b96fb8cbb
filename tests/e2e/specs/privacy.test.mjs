// The token stays private across a whole session: after a job, an export and two downloads,
// it is found only in `auth.token` — never in another storage key, a report, a download, a
// console line, a request URL or body.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { accountKey, connectedPage, extensionRecords, extensionStorage, live, sandbox, selectProducts, useExtension, waitForJob } from '../harness.mjs';

const context = useExtension();

async function downloadText(tab, click) {
  const [download] = await Promise.all([tab.waitForEvent('download'), click()]);
  return readFile(await download.path(), 'utf8');
}

test("after a job, an export and downloads the token is only in its account's auth.token", async () => {
  await sandbox.reset({ products: 12, sales: 300 });
  const { full } = context.tokens;
  const tab = await connectedPage(context);
  await selectProducts(tab, live(await sandbox.state()).filter((p) => p.price_cents >= 1000).slice(0, 2));

  await tab.getByRole('tab', { name: 'Discount codes' }).click();
  await tab.getByLabel('Code', { exact: true }).fill('PRIVATE10');
  await tab.locator('#code-amount').fill('10');
  await tab.getByRole('button', { name: 'Preview', exact: true }).click();
  await tab.locator('#preview-confirm').click();
  const job = await waitForJob(tab, 'Apply PRIVATE10');
  await job.getByRole('button', { name: 'Report' }).click();
  await tab.locator('#report:not([hidden]) #report-table tbody tr').first().waitFor();

  await tab.getByRole('tab', { name: 'Discount codes' }).click();
  await tab.getByRole('button', { name: 'Show every code' }).click();
  const inventory = await downloadText(tab, () => tab.getByRole('button', { name: 'Download CSV' }).click());

  await tab.getByRole('tab', { name: 'Export' }).click();
  await tab.getByRole('button', { name: 'Start export' }).click();
  await tab.locator('#export-status[data-status="ready"]').waitFor({ timeout: 120_000 });
  const sales = await downloadText(tab, () => tab.getByRole('button', { name: 'Download' }).click());

  const stored = await extensionStorage(tab);
  const tokenKey = await accountKey(tab, 'auth.token');
  assert.equal(stored[tokenKey], full);
  for (const [key, value] of Object.entries(stored)) {
    if (key !== tokenKey) assert.ok(!JSON.stringify(value).includes(full), `token in storage key ${key}`);
  }
  const records = await extensionRecords(tab);
  assert.ok(records.some((r) => r.key.startsWith('reports.')), "the job's report is among the records read");
  for (const { key, value } of records) assert.ok(!JSON.stringify(value).includes(full), `token in the record ${key}`);
  for (const [name, text] of [['inventory CSV', inventory], ['sales CSV', sales]]) {
    assert.ok(text.length > 100, `${name} has content`);
    assert.ok(!text.includes(full), `token in the ${name}`);
  }
  for (const line of context.ext.consoleLines) assert.ok(!line.includes(full), 'token in a console line');
  const log = await sandbox.requests();
  assert.ok(log.length > 10);
  for (const entry of log) {
    assert.ok(!entry.url.includes(full) && !(entry.body ?? '').includes(full), `token in ${entry.method} ${entry.path}`);
    assert.equal(entry.authorization, `Bearer ${full}`);
  }
  assert.ok(!(await tab.content()).includes(full), 'token in the page');
  await tab.close();
});
