// picker.js — the product picker every bulk feature starts from: the cached product list
// (refreshable), search by name, filters, select all matching, and the selection count
// that stays visible on every tab. The selection is kept in storage so that closing the
// popup does not lose it.
import { MSG, currentAccount, request } from '../messages.js';
import * as storage from '../storage.js';
import { $, busy, element } from './dom.js';
import { hideError, showError } from './feedback.js';

const state = { products: [], selected: new Set(), view: 'popup', onUnauthorized: () => {} };

export function initPicker({ view, onUnauthorized }) {
  state.view = view;
  state.onUnauthorized = onUnauthorized;
  $('refresh').addEventListener('click', () => busy($('refresh'), 'Refreshing…', () => loadProducts({ refresh: true })));
  for (const id of ['search', 'filter-published', 'filter-currency', 'filter-tag', 'filter-price-min', 'filter-price-max', 'filter-has-sales']) {
    $(id).addEventListener('input', render);
  }
  $('select-matching').addEventListener('click', () => {
    for (const p of matching()) state.selected.add(p.id);
    selectionChanged();
  });
  $('select-none').addEventListener('click', () => {
    state.selected.clear();
    selectionChanged();
  });
  $('product-table').addEventListener('change', (event) => {
    const box = event.target.closest('input[type="checkbox"][data-product-id]');
    if (!box) return;
    if (box.checked) state.selected.add(box.dataset.productId);
    else state.selected.delete(box.dataset.productId);
    selectionChanged();
  });
}

/** Shows the product list: the worker's cache as it is (`cached`, read by the caller, or
 * read here), or a fresh read of Gumroad when `refresh` or when nothing is cached. */
export async function loadProducts({ refresh, cached = undefined }) {
  $('products-status').textContent = 'Loading products…';
  try {
    // The cache is read from storage directly (one hop); only a read of Gumroad needs the worker.
    const [stored, kept] = await Promise.all([
      refresh ? null : cached ?? accountStore()?.get(storage.KEYS.PRODUCTS),
      accountStore()?.get(storage.KEYS.SELECTION),
    ]);
    const listing = stored ?? (await request(MSG.PRODUCTS_LIST, { refresh }));
    setProducts(listing.items, kept ?? []);
    $('products-status').textContent = `Updated ${new Date(listing.fetchedAt).toLocaleTimeString()}`;
    // When the list can be used (the benchmarks' time-to-interactive reads it).
    performance.mark('bulkroad:products-shown');
    hideError();
  } catch (error) {
    $('products-status').textContent = '';
    if (error.kind === 'Unauthorized') state.onUnauthorized();
    showError(error, 'products');
  }
}

/** Replaces the list (and keeps only selected ids that still exist). */
export function setProducts(products, selectedIds = []) {
  state.products = products;
  const ids = new Set(products.map((p) => p.id));
  state.selected = new Set(selectedIds.filter((id) => ids.has(id)));
  fillFilterOptions();
  selectionChanged();
}

export function selectedProducts() {
  return state.products.filter((p) => state.selected.has(p.id));
}

export function allProducts() {
  return state.products;
}

/** Fills `select` with the currencies an amount may be in — those of the selection, or of
 * the whole store when nothing is selected — keeping the seller's choice where it is still
 * offered. */
export function offerCurrencies(select) {
  const source = state.selected.size ? selectedProducts() : state.products;
  const currencies = [...new Set(source.map((p) => p.currency))].sort();
  const chosen = select.value;
  select.replaceChildren(...currencies.map((c) => element('option', { value: c }, c.toUpperCase())));
  if (currencies.includes(chosen)) select.value = chosen;
}

function selectionChanged() {
  const n = state.selected.size;
  $('selection-count').textContent = `${n} selected`;
  for (const el of document.querySelectorAll('.selected-n')) el.textContent = String(n);
  accountStore()?.set({ [storage.KEYS.SELECTION]: [...state.selected] });
  render();
}

function matching() {
  const query = $('search').value.trim().toLocaleLowerCase();
  const published = $('filter-published').value;
  const currency = $('filter-currency').value;
  const tag = $('filter-tag').value;
  const min = parseFloat($('filter-price-min').value);
  const max = parseFloat($('filter-price-max').value);
  const hasSales = $('filter-has-sales').checked;
  return state.products.filter((p) => {
    const units = p.price_decimal;
    return (
      (!query || p.name.toLocaleLowerCase().includes(query)) &&
      (!published || (published === 'published') === p.published) &&
      (!currency || p.currency === currency) &&
      (!tag || (p.tags ?? []).includes(tag)) &&
      (Number.isNaN(min) || units >= min) &&
      (Number.isNaN(max) || units <= max) &&
      (!hasSales || (p.sales_count ?? 0) > 0)
    );
  });
}

function fillFilterOptions() {
  const fill = (select, values, label = (v) => v) => {
    const chosen = select.value;
    select.replaceChildren(element('option', { value: '' }, 'Any'), ...values.map((v) => element('option', { value: v }, label(v))));
    select.value = values.includes(chosen) ? chosen : '';
  };
  fill($('filter-currency'), [...new Set(state.products.map((p) => p.currency))].sort(), (c) => c.toUpperCase());
  fill($('filter-tag'), [...new Set(state.products.flatMap((p) => p.tags ?? []))].sort());
}

function render() {
  const shown = matching();
  const total = state.products.length;
  $('product-count').textContent = shown.length === total ? `(${total})` : `(${shown.length} of ${total})`;
  const full = state.view === 'full';
  const rows = shown.map((p) =>
    element('tr', { 'data-product-id': p.id, class: state.selected.has(p.id) ? 'selected' : null }, [
      element('td', { class: 'pick' }, element('input', {
        type: 'checkbox',
        'data-product-id': p.id,
        'aria-label': `Select ${p.name}`,
        checked: state.selected.has(p.id),
      })),
      element('td', { class: 'name' }, p.name),
      element('td', { class: 'num' }, p.formatted_price),
      full ? element('td', {}, p.currency.toUpperCase()) : null,
      element('td', {}, element('span', { class: p.published ? 'badge on' : 'badge off' }, p.published ? 'Published' : 'Unpublished')),
      full ? element('td', {}, productKind(p)) : null,
      full ? element('td', { class: 'tags' }, (p.tags ?? []).join(', ')) : null,
      element('td', { class: 'num sales-col' }, p.sales_count == null ? '—' : p.sales_count.toLocaleString()),
    ]),
  );
  $('product-table').tBodies[0].replaceChildren(...rows);
  $('products-empty').textContent =
    total === 0 ? 'No products in this store yet.' : shown.length === 0 ? 'No product matches this search.' : '';
}

function productKind(p) {
  if (p.is_tiered_membership) return 'Membership (tiers)';
  if (p.customizable_price) return 'Pay what you want';
  return 'Fixed price';
}

/** The storage of the account this page shows (the selection is that account's). */
function accountStore() {
  return currentAccount() ? storage.account(currentAccount()) : null;
}
