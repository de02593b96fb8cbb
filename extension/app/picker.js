// picker.js — the product picker every bulk feature starts from: the cached product list
// (refreshable), search by name, filters, select all matching, and the selection count
// that stays visible on every tab. The selection is kept in storage so that closing the
// popup does not lose it.
//
// A store of thousands of products is not drawn whole: past `DRAW_ALL_UP_TO` matching
// products the table holds only the rows in view (and a few around them), between two
// spacer rows as tall as the rows left out, and draws the others as the list scrolls.
// Rows are built once per product and kept, and rows that stay in view are never moved,
// so a checkbox keeps its focus while the list scrolls under it.
//
// The list sorts by any column with a button in its header. The revenue column is the
// core's `productRevenue` over a range the seller picks (gross sales and a spark line per
// product, kept by the worker for the next page), so "my 20 best sellers" is a sort and
// "Select the first 20 shown".
import { MSG, currentAccount, request } from '../messages.js';
import * as storage from '../storage.js';
import { $, busy, element } from './dom.js';
import { hideError, showError } from './feedback.js';
import { rangeOf, today } from './insights.js';

/** Up to this many matching products, every row is in the table (a browser's find works
 * on them all); beyond, only the rows in view are. */
const DRAW_ALL_UP_TO = 300;
/** Rows drawn above and below the ones in view, so a quick scroll shows no gap. */
const OVERSCAN = 12;
/** A row's height before one could be measured (the table hidden). */
const ROW_HEIGHT_GUESS = 32;

const state = {
  products: [],
  selected: new Set(),
  view: 'popup',
  onUnauthorized: () => {},
  /** The products matching the search and filters, in list order. */
  shown: [],
  /** Row elements built so far, by product id (cleared when the list is replaced). */
  rows: new Map(),
  /** The height of one row in windowed mode, measured from a drawn row. */
  rowHeight: 0,
  /** The column the list is sorted by (null: Gumroad's order) and its direction. */
  sort: { key: null, descending: false },
  /** The revenue column as the worker kept it ({ range, revenue, fetchedAt }), or null. */
  revenue: null,
  /** Its products by id. */
  revenueById: new Map(),
};

/** How each sortable column orders two rows (ascending); rows without a figure sort as 0. */
const SORTS = {
  name: (a, b) => a.name.localeCompare(b.name),
  price: (a, b) => (a.priceDecimal ?? 0) - (b.priceDecimal ?? 0),
  sales: (a, b) => (a.salesCount ?? 0) - (b.salesCount ?? 0),
  revenue: (a, b) => (state.revenueById.get(a.id)?.grossCents ?? 0) - (state.revenueById.get(b.id)?.grossCents ?? 0),
};

export function initPicker({ view, onUnauthorized }) {
  state.view = view;
  state.onUnauthorized = onUnauthorized;
  $('refresh').addEventListener('click', () => busy($('refresh'), 'Refreshing…', () => loadProducts({ refresh: true })));
  for (const id of ['search', 'filter-published', 'filter-currency', 'filter-tag', 'filter-price-min', 'filter-price-max', 'filter-has-sales']) {
    $(id).addEventListener('input', () => {
      // A new search shows its matches from the top.
      $('product-table').closest('.table-wrap').scrollTop = 0;
      render();
    });
  }
  $('select-matching').addEventListener('click', () => {
    for (const p of matching()) state.selected.add(p.id);
    selectionChanged();
  });
  $('select-none').addEventListener('click', () => {
    state.selected.clear();
    selectionChanged();
  });
  $('select-first').addEventListener('click', () => {
    const n = Math.max(0, Math.floor(Number($('select-first-n').value) || 0));
    state.selected = new Set(state.shown.slice(0, n).map((p) => p.id));
    selectionChanged();
  });
  for (const th of document.querySelectorAll('#product-table th[data-sort]')) {
    th.querySelector('button').addEventListener('click', () => sortBy(th.dataset.sort));
  }
  $('revenue-range').addEventListener('change', loadRevenue);
  $('product-table').closest('.table-wrap').addEventListener('scroll', drawWindow, { passive: true });
  new ResizeObserver(drawWindow).observe($('product-table').closest('.table-wrap'));
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
    const [stored, kept, revenue] = await Promise.all([
      refresh ? null : cached ?? accountStore()?.get(storage.KEYS.PICKER_ROWS),
      accountStore()?.get(storage.KEYS.SELECTION),
      state.revenue ? null : accountStore()?.get(storage.KEYS.PICKER_REVENUE),
    ]);
    if (revenue) showRevenue(revenue);
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
  state.rows = new Map();
  const ids = new Set(products.map((p) => p.id));
  state.selected = new Set(selectedIds.filter((id) => ids.has(id)));
  fillFilterOptions();
  selectionChanged();
  render();
}

/** Makes `ids` the selection (those the list holds), as "Select these products" does. */
export function selectIds(ids) {
  const known = new Set(state.products.map((p) => p.id));
  state.selected = new Set(ids.filter((id) => known.has(id)));
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
  // Rows already built show the selection as it is now; rows built later read it.
  for (const [id, tr] of state.rows) showSelected(tr, state.selected.has(id));
}

function matching() {
  const query = $('search').value.trim().toLocaleLowerCase();
  const published = $('filter-published').value;
  const currency = $('filter-currency').value;
  const tag = $('filter-tag').value;
  const min = parseFloat($('filter-price-min').value);
  const max = parseFloat($('filter-price-max').value);
  const hasSales = $('filter-has-sales').checked;
  const shown = state.products.filter((p) => {
    const units = p.priceDecimal;
    return (
      (!query || p.name.toLocaleLowerCase().includes(query)) &&
      (!published || (published === 'published') === p.published) &&
      (!currency || p.currency === currency) &&
      (!tag || (p.tags ?? []).includes(tag)) &&
      (Number.isNaN(min) || units >= min) &&
      (Number.isNaN(max) || units <= max) &&
      (!hasSales || (p.salesCount ?? 0) > 0)
    );
  });
  const { key, descending } = state.sort;
  // Array.prototype.sort is stable: equal rows keep Gumroad's order.
  if (key) shown.sort(descending ? (a, b) => SORTS[key](b, a) : SORTS[key]);
  return shown;
}

/** Sorts by `key`: a first press sorts names A–Z and figures highest first; a second
 * press turns the order round. */
function sortBy(key) {
  const again = state.sort.key === key;
  state.sort = { key, descending: again ? !state.sort.descending : key !== 'name' };
  for (const th of document.querySelectorAll('#product-table th[data-sort]')) {
    if (th.dataset.sort === key) th.setAttribute('aria-sort', state.sort.descending ? 'descending' : 'ascending');
    else th.removeAttribute('aria-sort');
  }
  $('product-table').closest('.table-wrap').scrollTop = 0;
  render();
}

/** Asks the worker for the revenue column over the range chosen (or hides it). */
async function loadRevenue() {
  const kind = $('revenue-range').value;
  if (!kind) {
    showRevenue(null);
    return;
  }
  $('revenue-status').textContent = 'Reading your sales…';
  try {
    showRevenue(await request(MSG.INSIGHTS_REVENUE, { request: { range: rangeOf(kind), groupBy: null, today: today() } }));
    hideError();
  } catch (error) {
    $('revenue-status').textContent = '';
    showError(error);
  }
}

/** Shows `kept` (the worker's answer, or null for none) in the revenue column. */
function showRevenue(kept) {
  state.revenue = kept;
  state.revenueById = new Map((kept?.revenue.products ?? []).map((p) => [p.id, p]));
  $('revenue-range').value = kept?.range?.kind ?? '';
  $('revenue-status').textContent = kept ? [kept.revenue.status, kept.revenue.note].filter(Boolean).join(' ') : '';
  $('product-table').classList.toggle('with-revenue', Boolean(kept));
  // Rows are built once; the revenue cell is part of them.
  state.rows = new Map();
  render();
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
  state.shown = matching();
  const total = state.products.length;
  const shown = state.shown.length;
  $('product-count').textContent = shown === total ? `(${total})` : `(${shown} of ${total})`;
  const table = $('product-table');
  table.setAttribute('aria-rowcount', String(shown + 1));
  table.classList.toggle('windowed', shown > DRAW_ALL_UP_TO);
  drawWindow();
  $('products-empty').textContent =
    total === 0 ? 'No products in this store yet.' : shown === 0 ? 'No product matches this search.' : '';
}

/** Puts the rows of the matching products that are in view (all of them, for a short
 * list) into the table. */
function drawWindow() {
  const tbody = $('product-table').tBodies[0];
  const { shown } = state;
  if (shown.length <= DRAW_ALL_UP_TO) {
    place(tbody, shown.map((p, i) => rowOf(p, i)));
    return;
  }
  const wrap = tbody.closest('.table-wrap');
  if (!state.rowHeight) {
    // One row drawn alone gives the height of every row (cells do not wrap here); a
    // hidden table measures nothing, and is measured again once shown.
    place(tbody, [rowOf(shown[0], 0)]);
    state.rowHeight = tbody.rows[0].getBoundingClientRect().height;
  }
  const height = state.rowHeight || ROW_HEIGHT_GUESS;
  const inView = Math.ceil(wrap.clientHeight / height);
  const top = Math.max(0, wrap.scrollTop - tbody.offsetTop);
  const first = Math.max(0, Math.min(Math.floor(top / height), shown.length - inView) - OVERSCAN);
  const last = Math.min(shown.length, first + OVERSCAN + inView + OVERSCAN);
  const rows = [];
  for (let i = first; i < last; i += 1) rows.push(rowOf(shown[i], i));
  place(tbody, [spacer('before', first * height), ...rows, spacer('after', (shown.length - last) * height)]);
}

/** Makes `nodes` the children of `tbody`, leaving in place the ones already there (their
 * order never changes between two draws), so a focused checkbox is not taken out. */
function place(tbody, nodes) {
  const wanted = new Set(nodes);
  for (const child of [...tbody.children]) if (!wanted.has(child)) child.remove();
  let cursor = tbody.firstElementChild;
  for (const node of nodes) {
    if (node === cursor) cursor = cursor.nextElementSibling;
    else tbody.insertBefore(node, cursor);
  }
}

/** The spacer row standing for the rows left out before or after the ones drawn. */
function spacer(where, height) {
  const id = `spacer-${where}`;
  const tr = $(id) ?? element('tr', { id, class: 'spacer', 'aria-hidden': 'true' }, element('td', { colspan: '9' }));
  tr.firstElementChild.style.height = `${height}px`;
  return tr;
}

/** The row of product `p` (built once), at position `index` of the matching products. */
function rowOf(p, index) {
  let tr = state.rows.get(p.id);
  if (!tr) {
    const full = state.view === 'full';
    tr = element('tr', { 'data-product-id': p.id }, [
      element('td', { class: 'pick' }, element('input', { type: 'checkbox', 'data-product-id': p.id, 'aria-label': `Select ${p.name}` })),
      element('td', { class: 'name', title: p.name }, p.name),
      element('td', { class: 'num' }, p.formattedPrice),
      full ? element('td', {}, p.currency.toUpperCase()) : null,
      element('td', {}, element('span', { class: p.published ? 'badge on' : 'badge off' }, p.published ? 'Published' : 'Unpublished')),
      full ? element('td', {}, p.kind) : null,
      full ? element('td', { class: 'tags' }, (p.tags ?? []).join(', ')) : null,
      element('td', { class: 'num sales-col' }, p.salesCount == null ? '—' : p.salesCount.toLocaleString()),
      revenueCell(p),
    ]);
    showSelected(tr, state.selected.has(p.id));
    state.rows.set(p.id, tr);
  }
  // The header is row 1.
  tr.setAttribute('aria-rowindex', String(index + 2));
  return tr;
}

/** The revenue cell of product `p`: its gross sales and spark line, "—" without sales in
 * the range, empty while the column is not shown. */
function revenueCell(p) {
  const td = element('td', { class: 'num sales-col col-revenue' });
  if (!state.revenue) return td;
  const found = state.revenueById.get(p.id);
  if (!found) {
    td.append(element('span', { title: 'No sales in this range' }, '—'));
    return td;
  }
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', state.revenue.revenue.sparkBox.join(' '));
  svg.setAttribute('class', 'spark');
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', found.sparkLabel);
  const line = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
  line.setAttribute('points', found.spark);
  svg.append(line);
  td.append(svg, element('span', { class: 'revenue' }, found.text));
  return td;
}

function showSelected(tr, selected) {
  tr.classList.toggle('selected', selected);
  tr.querySelector('input[type="checkbox"]').checked = selected;
}

/** The storage of the account this page shows (the selection is that account's). */
function accountStore() {
  return currentAccount() ? storage.account(currentAccount()) : null;
}
