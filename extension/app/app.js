// app.js — the popup and the full view: one app, two layouts (index.html?view=full).
// It connects the account, switches tabs and starts the feature modules. It hands a pasted
// token to the service worker once and never reads it back: it follows the kept profile,
// which the worker stores and drops together with the token.
import { MSG, request } from '../messages.js';
import * as storage from '../storage.js';
import { initCodes } from './codes.js';
import { $, busy, element } from './dom.js';
import { initExport } from './export-view.js';
import { initJobs } from './jobs-view.js';
import { initPicker, loadProducts, setProducts } from './picker.js';
import { initParity } from './parity.js';
import { initPrices } from './prices.js';
import { hideError, showError } from './feedback.js';

const view = new URLSearchParams(location.search).get('view') === 'full' ? 'full' : 'popup';
document.body.dataset.view = view;
document.title = view === 'full' ? 'Bulkroad — full view' : 'Bulkroad';
document.querySelectorAll('[data-only]').forEach((el) => {
  if (el.dataset.only !== view) el.remove();
});

$('open-full')?.addEventListener('click', async () => {
  await chrome.tabs.create({ url: chrome.runtime.getURL('app/index.html?view=full') });
  window.close();
});

$('connect-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const input = $('token');
  await busy($('save-token'), 'Checking…', async () => {
    hideError();
    try {
      const status = await request(MSG.AUTH_CONNECT, { token: input.value });
      input.value = '';
      showConnected(status.profile);
      await loadProducts({ refresh: true });
    } catch (error) {
      showError(error, 'connect');
    }
  });
});

$('forget').addEventListener('click', async () => {
  try {
    await request(MSG.AUTH_FORGET);
    showDisconnected();
  } catch (error) {
    showError(error);
  }
});

// The worker drops a token Gumroad refuses (during a job, say), and the profile with it:
// follow it at once.
storage.watch(storage.KEYS.PROFILE, (profile) => {
  if (!profile && document.body.dataset.state === 'connected') showDisconnected();
});

for (const tab of document.querySelectorAll('[role="tab"]')) {
  tab.addEventListener('click', () => selectTab(tab.id));
}

export function selectTab(tabId) {
  for (const tab of document.querySelectorAll('[role="tab"]')) {
    const selected = tab.id === tabId;
    tab.setAttribute('aria-selected', String(selected));
    $(tab.getAttribute('aria-controls')).hidden = !selected;
  }
}

initPicker({ view, onUnauthorized: showDisconnected });
initCodes({ selectTab });
initPrices();
initParity();
initExport();
initJobs({ selectTab });
start();

async function start() {
  try {
    // The worker has the last word on the connection; asking it also wakes it, and it
    // starts its wasm at once. Meanwhile the page draws what storage already holds: the
    // profile is kept and dropped together with the token, the product list beside them.
    const status = request(MSG.AUTH_STATUS);
    const kept = await storage.getMany([storage.KEYS.PROFILE, storage.KEYS.PRODUCTS]);
    const profile = kept[storage.KEYS.PROFILE];
    if (profile) {
      showConnected(profile);
      await loadProducts({ refresh: false, cached: kept[storage.KEYS.PRODUCTS] });
    }
    const answer = await status;
    if (!answer.connected) return showDisconnected();
    if (!profile) {
      showConnected(answer.profile);
      await loadProducts({ refresh: false });
    }
  } catch (error) {
    showError(error, 'start');
  }
}

function showConnected(profile) {
  hideError();
  $('connect').hidden = true;
  $('account').hidden = false;
  $('workspace').hidden = false;
  $('connection').textContent = 'Connected';
  document.body.dataset.state = 'connected';
  $('seller-name').textContent = profile.user.name || 'Your Gumroad account';
  $('seller-email').textContent = profile.user.email || 'Email not shared with this token';
  $('scopes').textContent = profile.scopes == null
    ? 'unknown (Gumroad did not say; features that need more show their own message)'
    : profile.scopes.join(', ') || 'none';
  $('missing-features').replaceChildren(...profile.missingFeatures.map((f) => element('li', {}, f.explanation)));
  // Which scopes a feature needs is the core's rule; it names the features a token lacks.
  const salesMissing = profile.missingFeatures.some((f) => f.feature === 'ViewSales');
  document.body.classList.toggle('no-sales', salesMissing);
}

function showDisconnected() {
  // Nothing of the previous account stays on screen, not even hidden.
  setProducts([]);
  for (const id of ['inventory-table', 'download-inventory', 'inventory-filter', 'report']) $(id).hidden = true;
  $('inventory-table').tBodies[0].replaceChildren();
  $('connect').hidden = false;
  $('account').hidden = true;
  $('workspace').hidden = true;
  $('connection').textContent = 'Not connected';
  document.body.dataset.state = 'disconnected';
  $('token').focus();
}
