// codes.js — the discount-code features: apply one code to the selection (or a universal
// code), remove a code, the inventory of every code (uses per product and in total, its
// limit, used up; sortable by uses), the campaign view (codes by prefix, and the batches
// Bulkroad created with what became of their codes) and the clean-ups it offers. The
// form's raw text goes to the worker, and the wasm core validates it before any request:
// a bad code or 150 % comes back as a clear InvalidInput message and nothing is written.
// Every sentence about a code or a batch is the core's.
import { MSG, request } from '../messages.js';
import { localeSeparators } from './number-locale.js';
import { $, busy, download, element } from './dom.js';
import { hideError, showError } from './feedback.js';
import { allProducts, offerCurrencies, selectedProducts } from './picker.js';
import { initPreview, showPreview } from './preview.js';

let inventory = null;
/** The inventory's sort: by uses, or null (the core's order, by code). */
let sortDescending = null;

export function initCodes({ selectTab }) {
  initPreview({ onStarted: () => selectTab('tab-jobs') });

  $('code-type').addEventListener('change', syncCurrencyField);
  $('tab-codes').addEventListener('tabselected', syncCurrencyField);

  $('apply-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(event.target);
    const universal = data.get('scope') === 'universal';
    const endLocal = $('code-end').value;
    const form = {
      code: $('code-name').value,
      amount: $('code-amount').value,
      type: $('code-type').value,
      currency: $('code-type').value === 'fixed' ? $('code-currency').value || null : null,
      maxUses: $('code-max').value,
      minimumAmount: $('code-minimum').value,
      minimumCurrency: $('code-type').value === 'fixed' ? null : $('code-minimum-currency').value || null,
      universal,
      productIds: universal ? [] : selectedProducts().map((p) => p.id),
      onConflict: data.get('conflict'),
      separators: localeSeparators(),
    };
    await preview($('preview-apply'), MSG.CODES_PREVIEW_APPLY, form, endLocal ? new Date(endLocal).toISOString() : null);
  });

  $('batch-type').addEventListener('change', syncBatchFields);
  $('tab-codes').addEventListener('tabselected', syncBatchFields);
  $('batch-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const fixed = $('batch-type').value === 'fixed';
    const target = $('batch-product').value;
    const form = {
      prefix: $('batch-prefix').value,
      count: $('batch-count').value,
      amount: $('batch-amount').value,
      type: $('batch-type').value,
      currency: fixed ? $('batch-currency').value || null : null,
      maxUses: $('batch-uses').value,
      universal: target === UNIVERSAL,
      productId: target === UNIVERSAL ? null : target || null,
      separators: localeSeparators(),
    };
    await preview($('preview-batch'), MSG.CODES_PREVIEW_BATCH, form, null);
  });

  $('remove-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const everywhere = $('remove-scope').value === 'all';
    const form = { code: $('remove-name').value, productIds: everywhere ? [] : selectedProducts().map((p) => p.id), everywhere };
    await preview($('preview-remove'), MSG.CODES_PREVIEW_REMOVE, form, null);
  });

  $('load-inventory').addEventListener('click', () =>
    busy($('load-inventory'), 'Reading every code…', async () => {
      hideError();
      try {
        inventory = await request(MSG.CODES_INVENTORY);
        $('inventory-table').hidden = false;
        $('download-inventory').hidden = false;
        $('inventory-filter').hidden = false;
        $('cleanup-used-up').hidden = false;
        renderInventory();
        renderCampaigns();
      } catch (error) {
        showError(error);
      }
    }),
  );
  $('inventory-filter').addEventListener('input', renderInventory);
  $('inventory-table').querySelector('th[data-sort="uses"] button').addEventListener('click', () => {
    // A first press sorts the most used first; the next one reverses.
    sortDescending = sortDescending === null ? true : !sortDescending;
    $('inventory-table').querySelector('th[data-sort="uses"]').setAttribute('aria-sort', sortDescending ? 'descending' : 'ascending');
    if (inventory) renderInventory();
  });
  $('preview-cleanup-used-up').addEventListener('click', async () => {
    const form = { criterion: 'usedUp', productIds: $('cleanup-selected').checked ? selectedProducts().map((p) => p.id) : [] };
    await preview($('preview-cleanup-used-up'), MSG.CODES_PREVIEW_CLEAN_UP, form, null);
  });
  $('download-inventory').addEventListener('click', () => {
    if (inventory) download(`bulkroad-discount-codes-${new Date().toISOString().slice(0, 10)}.csv`, inventory.csv);
  });
}

async function preview(button, type, form, endAt) {
  await busy(button, 'Reading your products…', async () => {
    hideError();
    try {
      showPreview(await request(type, { form }), { endAt });
    } catch (error) {
      showError(error);
    }
  });
}

// A fixed amount and a minimum order are in one currency: offer the currencies of the
// selection (or store). A fixed code's minimum is in the amount's currency.
function syncCurrencyField() {
  const fixed = $('code-type').value === 'fixed';
  $('code-currency').hidden = !fixed;
  $('code-minimum-currency').hidden = fixed;
  offerCurrencies($('code-currency'));
  offerCurrencies($('code-minimum-currency'));
}

const UNIVERSAL = '*';

// The batch's product: one of the store's (the first selected one first), or universal.
function syncBatchFields() {
  const fixed = $('batch-type').value === 'fixed';
  $('batch-currency').hidden = !fixed;
  offerCurrencies($('batch-currency'));
  const select = $('batch-product');
  const chosen = select.value;
  const selected = selectedProducts();
  const products = [...selected, ...allProducts().filter((p) => !selected.includes(p))];
  select.replaceChildren(
    ...products.map((p) => element('option', { value: p.id }, p.name)),
    element('option', { value: UNIVERSAL }, 'Every product (universal codes)'),
  );
  if ([...select.options].some((o) => o.value === chosen)) select.value = chosen;
}

function renderInventory() {
  const query = $('inventory-filter').value.trim().toLocaleLowerCase();
  const rows = inventory.rows.filter(
    (row) => !query || row.code.toLocaleLowerCase().includes(query) || row.products.some((n) => n.toLocaleLowerCase().includes(query)),
  );
  // Array.prototype.sort is stable: codes with as many uses keep the core's order.
  if (sortDescending !== null) rows.sort((a, b) => (sortDescending ? b.timesUsed - a.timesUsed : a.timesUsed - b.timesUsed));
  $('inventory-table').tBodies[0].replaceChildren(
    ...rows.map((row) =>
      element('tr', { class: row.usedUp ? 'used-up' : null }, [
        element('td', { class: 'code' }, row.code),
        element('td', {}, row.formattedDiscount),
        element('td', { class: 'products' }, row.universal ? 'All products' : row.products.join(', ')),
        element('td', { class: 'num' }, [
          String(row.timesUsed),
          // A product code on several products: its uses on each.
          row.uses.length > 1 ? element('span', { class: 'muted small per-product' }, row.uses.map((u) => `${u.product}: ${u.timesUsed}`).join(' · ')) : null,
        ]),
        element('td', {}, row.limitText),
        element('td', { class: 'used-up-cell' }, row.usedUpText),
        element('td', {}, row.universal ? 'Yes' : 'No'),
      ]),
    ),
  );
}

function renderCampaigns() {
  const { prefixes, batches } = inventory.campaigns;
  $('campaigns').hidden = false;
  $('prefixes-empty').hidden = prefixes.length > 0;
  $('prefix-table').hidden = prefixes.length === 0;
  $('prefix-table').tBodies[0].replaceChildren(
    ...prefixes.map((group) => element('tr', {}, [element('td', { class: 'code' }, group.prefix), element('td', {}, group.text)])),
  );
  $('batches-empty').hidden = batches.length > 0;
  $('batch-list').replaceChildren(...batches.map(batchItem));
}

/** One batch: what became of its codes, and its clean-ups (a preview first). */
function batchItem(batch) {
  const days = element('input', { type: 'number', min: '1', step: '1', value: '30', class: 'days', 'aria-label': `Days unused (${batch.title})` });
  const ref = { jobId: batch.jobId, title: batch.title, createdAt: batch.createdAt, codes: batch.codes };
  const productIds = () => ($('cleanup-selected').checked ? selectedProducts().map((p) => p.id) : []);
  const removeAll = element('button', { type: 'button', class: 'cleanup-batch' }, 'Remove its codes');
  removeAll.addEventListener('click', () =>
    preview(removeAll, MSG.CODES_PREVIEW_CLEAN_UP, { criterion: 'batch', batch: ref, productIds: productIds() }, null),
  );
  const removeUnused = element('button', { type: 'button', class: 'cleanup-unused' }, 'Remove those unused for');
  removeUnused.addEventListener('click', () =>
    preview(removeUnused, MSG.CODES_PREVIEW_CLEAN_UP, { criterion: 'unusedFor', batch: ref, days: Number(days.value), productIds: productIds() }, null),
  );
  return element('li', { class: 'batch', 'data-job': batch.jobId }, [
    element('strong', {}, batch.title),
    ' ',
    element('span', { class: 'batch-text' }, batch.text),
    element('span', { class: 'row' }, [removeAll, removeUnused, days, element('span', {}, 'days')]),
  ]);
}
