// codes.js — the discount-code features: apply one code to the selection (or a universal
// code), remove a code, and the inventory of every code. The form's raw text goes to the
// worker, and the wasm core validates it before any request: a bad code or 150 % comes
// back as a clear InvalidInput message and nothing is written.
import { MSG, request } from '../messages.js';
import { localeSeparators } from './number-locale.js';
import { $, busy, download, element } from './dom.js';
import { hideError, showError } from './feedback.js';
import { allProducts, offerCurrencies, selectedProducts } from './picker.js';
import { initPreview, showPreview } from './preview.js';

let inventory = null;

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
        renderInventory();
      } catch (error) {
        showError(error);
      }
    }),
  );
  $('inventory-filter').addEventListener('input', renderInventory);
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
  $('inventory-table').tBodies[0].replaceChildren(
    ...rows.map((row) =>
      element('tr', {}, [
        element('td', { class: 'code' }, row.code),
        element('td', {}, row.formattedDiscount),
        element('td', { class: 'products' }, row.universal ? 'All products' : row.products.join(', ')),
        element('td', { class: 'num' }, `${row.timesUsed} / ${row.maxPurchaseCount ?? '∞'}`),
        element('td', {}, row.universal ? 'Yes' : 'No'),
      ]),
    ),
  );
}
