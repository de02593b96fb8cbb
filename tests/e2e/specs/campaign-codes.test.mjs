// Usage at a glance and clean-up: the inventory shows each code's uses and limit, sorts by
// uses, marks a used-up code, and removes every used-up code in one job from its preview,
// with undo offered; the campaign view groups codes and says when there is no batch.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { connectedPage, sandbox, useExtension, waitForJob, writes } from '../harness.mjs';

const context = useExtension();

const aliveCodes = (state) => [...state.offer_codes, ...state.universal_offer_codes].filter((c) => !c.deleted_at);
const usedUp = (c) => c.max_purchase_count != null && c.times_used >= c.max_purchase_count;

describe('usage at a glance and clean-up', () => {
  test('sort by uses, see a used-up code, remove every used-up code from the preview', async () => {
    const start = await sandbox.state();
    const alive = aliveCodes(start).filter((c) => !c.universal);
    // A code name whose every copy has a limit: buyers use all of them up.
    const names = [...new Set(alive.map((c) => c.code))];
    const limitedName = names.find((name) => alive.filter((c) => c.code === name).every((c) => c.max_purchase_count != null));
    assert.ok(limitedName, 'the seeded store has a code with max uses');
    for (const c of alive.filter((c) => c.code === limitedName)) await sandbox.useCode(c.id, c.max_purchase_count - c.times_used);
    // A code without a limit gets more uses than any other.
    const popular = alive.find((c) => c.max_purchase_count == null && alive.filter((o) => o.code === c.code).length === 1);
    assert.ok(popular, 'the seeded store has an unlimited code on one product');
    await sandbox.useCode(popular.id, 5000);

    const before = await sandbox.state();
    const expected = aliveCodes(before).filter(usedUp).map((c) => c.id).sort();
    assert.ok(expected.length >= 1);

    const tab = await connectedPage(context);
    await tab.getByRole('tab', { name: 'Discount codes' }).click();
    await tab.getByRole('button', { name: 'Show every code' }).click();
    await tab.locator('#inventory-table tbody tr').first().waitFor();

    // Sorted by uses: the most used first, then the other way round.
    const uses = tab.locator('#inventory-table th[data-sort="uses"]');
    await uses.getByRole('button', { name: 'Uses' }).click();
    assert.equal(await uses.getAttribute('aria-sort'), 'descending');
    assert.equal(await tab.locator('#inventory-table tbody tr td.code').first().textContent(), popular.code);
    const counts = async () =>
      (await tab.locator('#inventory-table tbody tr td.num').evaluateAll((tds) => tds.map((td) => td.firstChild.textContent))).map(Number);
    const down = await counts();
    assert.deepEqual(down, [...down].sort((a, b) => b - a));
    assert.equal(down[0], popular.times_used + 5000);
    await uses.getByRole('button', { name: 'Uses' }).click();
    assert.equal(await uses.getAttribute('aria-sort'), 'ascending');
    const up = await counts();
    assert.deepEqual(up, [...up].sort((a, b) => a - b));

    // The used-up code is marked, with its limit.
    const row = tab.locator('#inventory-table tbody tr', { has: tab.locator('td.code', { hasText: new RegExp(`^${limitedName}$`) }) }).first();
    assert.match(await row.getAttribute('class'), /used-up/);
    assert.match(await row.textContent(), /Used up/);
    assert.match(await row.textContent(), /per product/);

    // The campaign view is there; no batch was created by Bulkroad yet.
    assert.equal(await tab.locator('#campaigns').isVisible(), true);
    assert.equal(await tab.locator('#batches-empty').isVisible(), true);

    // The clean-up: a preview first (nothing written), which says uses restart if undone.
    await sandbox.clearRequests();
    await tab.getByRole('button', { name: 'Remove used-up codes' }).click();
    await tab.locator('#preview').waitFor();
    assert.match(await tab.locator('#preview-summary').textContent(), new RegExp(`^${expected.length} to remove`));
    assert.match(await tab.locator('#preview-notes').textContent(), /use counts restart at 0/);
    assert.equal(writes(await sandbox.requests()).length, 0, 'a preview writes nothing');
    await tab.locator('#preview-confirm').click();
    const job = await waitForJob(tab, 'Remove used-up codes');

    const after = await sandbox.state();
    const removed = aliveCodes(before).map((c) => c.id).filter((id) => !aliveCodes(after).some((c) => c.id === id)).sort();
    assert.deepEqual(removed, expected, 'exactly the used-up codes are gone');
    assert.equal(aliveCodes(after).filter(usedUp).length, 0);
    assert.equal(await job.getByRole('button', { name: 'Undo' }).count(), 1, 'undo is offered');
    await tab.close();
  });
});
