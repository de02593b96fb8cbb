// app.js — the popup and the full view: one app, two layouts (body[data-view]).
// It never sees the token after sending it once to the service worker, and it renders
// every Gumroad-supplied string with textContent (product names are seller input).
import { MSG, request } from '../messages.js';

const view = document.body.dataset.view;
const $ = (id) => document.getElementById(id);

const state = { products: [], canSeeSales: false };

document.querySelectorAll('[data-only]').forEach((el) => {
  if (el.dataset.only !== view) el.remove();
});

$('open-full')?.addEventListener('click', async () => {
  await chrome.tabs.create({ url: chrome.runtime.getURL('app/full.html') });
  window.close();
});

$('connect-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = $('token');
  await busy($('save-token'), 'Checking…', async () => {
    try {
      const status = await request(MSG.AUTH_CONNECT, { token: input.value });
      input.value = '';
      showConnected(status.profile);
      await loadProducts({ refresh: true });
    } catch (error) {
      showError(describe(error, 'connect'));
    }
  });
});

$('forget').addEventListener('click', async () => {
  await request(MSG.AUTH_FORGET);
  showDisconnected();
});

$('refresh').addEventListener('click', () => busy($('refresh'), 'Refreshing…', () => loadProducts({ refresh: true })));
$('search').addEventListener('input', renderProducts);

start();

async function start() {
  try {
    const status = await request(MSG.AUTH_STATUS);
    if (!status.connected) return showDisconnected();
    showConnected(status.profile);
    await loadProducts({ refresh: false });
  } catch (error) {
    showError(describe(error, 'start'));
  }
}

async function loadProducts({ refresh }) {
  $('products-status').textContent = 'Loading products…';
  try {
    const listing = await request(MSG.PRODUCTS_LIST, { refresh });
    state.products = listing.items;
    $('products-status').textContent = `Updated ${new Date(listing.fetchedAt).toLocaleTimeString()}`;
    renderProducts();
  } catch (error) {
    $('products-status').textContent = '';
    if (error.kind === 'Unauthorized') showDisconnected();
    showError(describe(error, 'products'));
  }
}

function showConnected(profile) {
  hideError();
  $('connect').hidden = true;
  $('account').hidden = false;
  $('products').hidden = false;
  $('connection').textContent = 'Connected';
  document.body.dataset.state = 'connected';
  $('seller-name').textContent = profile.user.name || 'Your Gumroad account';
  $('seller-email').textContent = profile.user.email || 'Email not shared with this token';
  $('scopes').textContent = profile.scopes.length ? profile.scopes.join(', ') : 'none';
  const missing = $('missing-features');
  missing.replaceChildren(
    ...profile.missingFeatures.map((feature) => element('li', {}, feature.explanation)),
  );
  state.canSeeSales = profile.scopes.some((scope) => scope === 'view_sales' || scope === 'account');
  document.body.classList.toggle('no-sales', !state.canSeeSales);
}

function showDisconnected() {
  // Nothing of the previous account stays on screen, not even hidden.
  state.products = [];
  $('product-table').tBodies[0].replaceChildren();
  $('search').value = '';
  $('connect').hidden = false;
  $('account').hidden = true;
  $('products').hidden = true;
  $('connection').textContent = 'Not connected';
  document.body.dataset.state = 'disconnected';
  $('token').focus();
}

function renderProducts() {
  const query = $('search').value.trim().toLocaleLowerCase();
  const shown = state.products.filter((p) => !query || p.name.toLocaleLowerCase().includes(query));
  $('product-count').textContent = query ? `(${shown.length} of ${state.products.length})` : `(${state.products.length})`;
  const rows = shown.map((p) =>
    element('tr', { 'data-product-id': p.id }, [
      element('td', { class: 'name' }, p.name),
      element('td', { class: 'num' }, p.formatted_price),
      view === 'full' ? element('td', {}, p.currency.toUpperCase()) : null,
      element('td', {}, element('span', { class: p.published ? 'badge on' : 'badge off' }, p.published ? 'Published' : 'Unpublished')),
      view === 'full' ? element('td', {}, productKind(p)) : null,
      view === 'full' ? element('td', { class: 'tags' }, (p.tags ?? []).join(', ')) : null,
      element('td', { class: 'num sales-col' }, p.sales_count == null ? '—' : p.sales_count.toLocaleString()),
    ]),
  );
  $('product-table').tBodies[0].replaceChildren(...rows);
  if (state.products.length === 0) $('products-status').textContent = 'No products in this store yet.';
  else if (shown.length === 0) $('products-status').textContent = 'No product matches this search.';
}

function productKind(p) {
  if (p.is_tiered_membership) return 'Membership (tiers)';
  if (p.customizable_price) return 'Pay what you want';
  return 'Fixed price';
}

// Seller-facing words for each error kind; the worker's message carries the detail.
function describe(error, during) {
  switch (error.kind) {
    case 'InvalidInput':
      return error.message;
    case 'Unauthorized':
      return during === 'connect'
        ? `Gumroad did not accept this token, so it was not saved. ${error.message}`
        : `Gumroad no longer accepts the saved token, so it was forgotten. Paste a new one. ${error.message}`;
    case 'Forbidden':
      return `This token lacks a permission (scope) Bulkroad needs, so it was not saved. ${error.message}`;
    case 'Network':
      return during === 'connect'
        ? 'Could not reach Gumroad to check the token, so nothing was saved. Check your connection and try again.'
        : 'Could not reach Gumroad. Check your connection and try again.';
    case 'RateLimited':
      return 'Gumroad asked us to slow down. Wait a minute and try again.';
    default:
      return error.message;
  }
}

function showError(text) {
  const box = $('error');
  box.textContent = text;
  box.hidden = false;
}

function hideError() {
  $('error').hidden = true;
}

async function busy(button, label, work) {
  const original = button.textContent;
  button.disabled = true;
  button.textContent = label;
  try {
    hideError();
    await work();
  } finally {
    button.disabled = false;
    button.textContent = original;
  }
}

function element(tag, attributes, children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, value);
  for (const child of [children].flat()) {
    if (child == null) continue;
    el.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return el;
}
