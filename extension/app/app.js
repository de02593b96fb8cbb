// app.js — the popup and the full view: one app, two layouts (index.html?view=full).
// It connects accounts, switches between them, forgets them, switches tabs and starts the
// feature modules. It hands a pasted token to the service worker once and never reads it
// back. A page shows one account (the active one when it opened) and every request it
// sends names it; switching reloads the page, so nothing of the other account stays on it.
import { MSG, currentAccount, request, useAccount } from '../messages.js';
import * as storage from '../storage.js';
import { initAi } from './ai-view.js';
import { initCodes } from './codes.js';
import { $, busy, element } from './dom.js';
import { initExport } from './export-view.js';
import { initInsights } from './insights.js';
import { initJobs } from './jobs-view.js';
import { initListings } from './listings.js';
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
      await request(MSG.AUTH_CONNECT, { token: input.value, accountId: null });
      input.value = '';
      // The account of that token is the active one now (a new one, or the same one with
      // its token replaced): the page starts again on it.
      location.reload();
    } catch (error) {
      showError(error, 'connect');
    }
  });
});

// Sign in with Gumroad: the worker runs the whole flow (this popup may close meanwhile,
// when the sign-in window takes focus; the worker finishes it and the next popup shows it).
$('sign-in').addEventListener('click', async () => {
  await busy($('sign-in'), 'Waiting for Gumroad…', async () => {
    hideError();
    try {
      await request(MSG.AUTH_SIGN_IN, { readOnly: $('sign-in-read-only').checked, accountId: null });
      location.reload();
    } catch (error) {
      showError(error, 'connect');
    }
  });
});

$('copy-redirect-uri').addEventListener('click', () => navigator.clipboard.writeText($('redirect-uri').textContent));
$('save-client-id').addEventListener('click', async () => {
  try {
    // Stays open: the seller is looking at it.
    await showOAuthSettings(await request(MSG.AUTH_OAUTH_SETTINGS, { clientId: $('client-id').value }), { keepOpen: true });
  } catch (error) {
    showError(error);
  }
});

/** The redirect URI to register and the application id in use; a build without its own
 * application opens "Use my own application" until the seller has entered one. */
function showOAuthSettings({ buildClientId, clientId, redirectUri }, { keepOpen = false } = {}) {
  $('redirect-uri').textContent = redirectUri;
  $('client-id').value = clientId ?? '';
  if (!keepOpen) $('own-app').open = !buildClientId && !clientId;
}

$('forget').addEventListener('click', async () => {
  try {
    const what = await request(MSG.AUTH_FORGET_PREVIEW);
    showForgetDialog(what);
  } catch (error) {
    showError(error);
  }
});

$('add-account').addEventListener('click', () => {
  $('connect-note').textContent = 'Paste a token of another Gumroad account. Your other accounts stay connected.';
  $('connect-note').hidden = false;
  $('connect').hidden = false;
  $('token').focus();
});

// What forgetting deletes, with the account's open end times first: the seller may have
// them run now (else the codes stay on Gumroad).
function showForgetDialog(what) {
  $('forget-title').textContent = `Forget ${what.name}?`;
  $('forget-revoke').textContent = what.signedIn
    ? 'Bulkroad first tells Gumroad to revoke its access to this account.'
    : 'This account was connected with a pasted token: to cut it off on Gumroad too, remove the application under Settings → Advanced → Applications.';
  $('forget-end-times').hidden = what.openEndTimes.length === 0;
  $('forget-end-time-list').replaceChildren(
    ...what.openEndTimes.map((e) => element('li', {}, `${e.label} — end time ${new Date(e.endAt).toLocaleString()}`)),
  );
  $('forget-summary').textContent =
    `Bulkroad stops this account's running job and export, then deletes its token, its product list, ` +
    `${what.jobs} job${what.jobs === 1 ? '' : 's'} with their reports and end times, ` +
    `${what.export ? 'its export and file, ' : ''}from this browser. Nothing changes on Gumroad.`;
  $('forget-dialog').showModal();
}

$('forget-cancel').addEventListener('click', () => $('forget-dialog').close());
$('forget-run-end-times').addEventListener('click', async () => {
  try {
    await request(MSG.JOBS_RUN_END_TIMES_NOW);
    $('forget-dialog').close();
    selectTab('tab-jobs');
  } catch (error) {
    $('forget-dialog').close();
    showError(error);
  }
});
$('forget-confirm').addEventListener('click', async () => {
  try {
    await request(MSG.AUTH_FORGET);
    location.reload();
  } catch (error) {
    $('forget-dialog').close();
    showError(error);
  }
});

// Another page switched or forgot the account, or the worker found the token refused
// (during a job, say): follow it at once.
storage.watch(storage.ACCOUNTS, (accounts) => {
  if ((accounts?.active ?? null) !== currentAccount()) return location.reload();
  const shown = accounts.list.find((a) => a.id === currentAccount());
  if (shown?.needsReconnect && document.body.dataset.state === 'connected') showDisconnected(shown);
});

// The tab strip follows the WAI-ARIA tabs pattern: one tab in the Tab order (the selected
// one), Left and Right move to the previous and next tab shown (round the ends), Home and
// End to the first and last, and the tab reached is selected at once (every panel is
// already on the page). A click, Enter or Space select the tab too.
for (const tab of document.querySelectorAll('[role="tab"]')) {
  tab.addEventListener('click', () => selectTab(tab.id));
}
document.querySelector('[role="tablist"]').addEventListener('keydown', (event) => {
  const tabs = [...document.querySelectorAll('[role="tab"]')].filter((tab) => tab.getClientRects().length > 0);
  const at = tabs.indexOf(event.target);
  if (at < 0 || event.altKey || event.ctrlKey || event.metaKey) return;
  const to = { ArrowLeft: at - 1, ArrowRight: at + 1, Home: 0, End: tabs.length - 1 }[event.key];
  if (to === undefined) return;
  event.preventDefault();
  const tab = tabs[(to + tabs.length) % tabs.length];
  selectTab(tab.id);
  tab.focus();
});

/** Shows the panel of tab `tabId`: the one way a tab is selected (a click, the keyboard, or a
 * feature sending the seller to another tab). A tab's `tabselected` event says it was selected. */
export function selectTab(tabId) {
  for (const tab of document.querySelectorAll('[role="tab"]')) {
    const selected = tab.id === tabId;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
    $(tab.getAttribute('aria-controls')).hidden = !selected;
  }
  $(tabId).dispatchEvent(new Event('tabselected'));
}

// The account this page shows: the active one, read before anything draws.
useAccount((await storage.get(storage.ACCOUNTS))?.active ?? null);

initPicker({ view, onUnauthorized: () => showDisconnected() });
initCodes({ selectTab });
initPrices();
initParity();
initListings();
initInsights();
initAi();
initExport();
initJobs({ selectTab });
start();

async function start() {
  try {
    // The worker has the last word on the connection; asking it also wakes it, and it
    // starts its wasm at once. Meanwhile the page draws what storage already holds: the
    // profile is kept beside the token, the product list beside them.
    const status = request(MSG.AUTH_STATUS);
    request(MSG.AUTH_OAUTH_SETTINGS).then(showOAuthSettings, () => {});
    const store = currentAccount() ? storage.account(currentAccount()) : null;
    const kept = store ? await store.getMany([storage.KEYS.PROFILE, storage.KEYS.PICKER_ROWS]) : {};
    const profile = kept[storage.KEYS.PROFILE];
    if (profile) {
      showConnected(profile);
      await loadProducts({ refresh: false, cached: kept[storage.KEYS.PICKER_ROWS] });
    }
    const answer = await status;
    // The worker moved an earlier version's data into its account just now.
    if (answer.active !== currentAccount()) return location.reload();
    showAccounts(answer);
    if (!answer.connected) return showDisconnected(answer.accounts.find((a) => a.id === answer.active));
    if (!profile) {
      showConnected(answer.profile);
      await loadProducts({ refresh: false });
    }
  } catch (error) {
    showError(error, 'start');
  }
}

/** The header's accounts: the one shown, and one button per other account to switch. */
function showAccounts({ active, accounts }) {
  $('accounts').hidden = accounts.length === 0;
  const shown = accounts.find((a) => a.id === active);
  $('active-account').textContent = shown ? shown.name : '';
  $('account-switches').replaceChildren(
    ...accounts
      .filter((a) => a.id !== active)
      .map((a) =>
        element(
          'button',
          { type: 'button', class: 'link', 'data-account': a.id, onclick: () => switchTo(a.id), title: a.needsReconnect ? `${a.name} needs reconnecting` : null },
          `Switch to ${a.name}`,
        ),
      ),
  );
}

async function switchTo(accountId) {
  try {
    await request(MSG.AUTH_SWITCH, { accountId });
    location.reload();
  } catch (error) {
    showError(error);
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

/** No usable token for the shown account (`account`: the account waiting for one, if any). */
function showDisconnected(account = null) {
  // Nothing of the previous account stays on screen, not even hidden.
  setProducts([]);
  for (const id of ['inventory-table', 'download-inventory', 'inventory-filter', 'report']) $(id).hidden = true;
  $('inventory-table').tBodies[0].replaceChildren();
  $('connect').hidden = false;
  $('account').hidden = true;
  $('workspace').hidden = true;
  $('connection').textContent = account ? `${account.name} needs reconnecting` : 'Not connected';
  $('connect-note').hidden = !account;
  $('connect-note').textContent = account
    ? `Gumroad no longer accepts the token of ${account.name}. Paste a new token for it: its jobs, end times and export wait and go on.`
    : '';
  document.body.dataset.state = 'disconnected';
  $('token').focus();
}
