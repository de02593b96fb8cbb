// prices.js — the price-change form: a fixed price, ±% or ±amount on the selection, with
// rounding and Gumroad's limits. Like every bulk write it only previews here; the wasm
// core validates the raw text before any request.
import { MSG, request } from '../messages.js';
import { localeSeparators } from './number-locale.js';
import { $, busy } from './dom.js';
import { hideError, showError } from './feedback.js';
import { offerCurrencies, selectedProducts } from './picker.js';
import { showPreview } from './preview.js';

const AMOUNT_LABELS = {
  percent: 'Percent (use − to lower)',
  amount: 'Amount (use − to lower)',
  set: 'New price',
};

export function initPrices() {
  $('price-mode').addEventListener('change', syncFields);
  $('tab-prices').addEventListener('tabselected', syncFields);
  $('price-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = {
      mode: $('price-mode').value,
      amount: $('price-amount').value.replace('−', '-'),
      currency: $('price-currency').hidden ? null : $('price-currency').value,
      rounding: $('price-rounding').value,
      allowFree: $('price-allow-free').checked,
      onLimit: new FormData(event.target).get('on-limit'),
      options: new FormData(event.target).get('price-options') ?? 'keep',
      productIds: selectedProducts().map((p) => p.id),
      separators: localeSeparators(),
    };
    await busy($('preview-prices'), 'Reading your products…', async () => {
      hideError();
      try {
        showPreview(await request(MSG.PRICES_PREVIEW, { form }));
      } catch (error) {
        showError(error);
      }
    });
  });
}

// An amount is in one currency: offer those of the selection (or of the store).
function syncFields() {
  const mode = $('price-mode').value;
  $('price-amount-label').textContent = AMOUNT_LABELS[mode];
  const select = $('price-currency');
  select.hidden = mode === 'percent';
  if (!select.hidden) offerCurrencies(select);
}
