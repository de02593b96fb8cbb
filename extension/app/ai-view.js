// ai-view.js — optional AI suggestions for listings: the seller's endpoint, model and key,
// and "Suggest" on the selected products. The page hands the key to the worker once and
// never reads it back. The endpoint's origin is asked for as an optional host permission
// here, because Chrome asks the seller only from a click on a page; the worker checks it
// again before anything is sent. A suggestion changes nothing by itself: the chosen
// fields go through the same preview as every edit.
import { MSG, request } from '../messages.js';
import { $, busy, element } from './dom.js';
import { hideError, showError } from './feedback.js';
import { previewEdit } from './listings.js';
import { selectedProducts } from './picker.js';

/** The fields a suggestion may carry, in the order shown, with their labels. */
const FIELDS = [
  ['name', 'Name'],
  ['summary', 'Summary'],
  ['descriptionOpening', 'Description opening'],
  ['tags', 'Tags'],
];

let suggestions = [];

export function initAi() {
  // Only the full view has it: Chrome's permission question would close the popup.
  if (!$('ai')) return;
  $('ai').addEventListener('toggle', () => {
    if ($('ai').open) refresh();
  });
  $('ai-settings').addEventListener('submit', async (event) => {
    event.preventDefault();
    await busy($('ai-save'), 'Saving…', save);
  });
  $('ai-forget').addEventListener('click', async () => {
    try {
      showSettings(await request(MSG.AI_FORGET));
    } catch (error) {
      showError(error);
    }
  });
  $('ai-suggest-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    await busy($('ai-suggest'), 'Asking the model…', suggest);
  });
  $('ai-apply').addEventListener('click', () => {
    const items = chosenItems();
    previewEdit({ productIds: items.map((item) => item.productId), edit: { kind: 'suggestions', items } }, $('ai-apply'));
  });
}

async function refresh() {
  try {
    showSettings(await request(MSG.AI_SETTINGS));
  } catch (error) {
    showError(error);
  }
}

async function save() {
  hideError();
  const form = { url: $('ai-url').value, model: $('ai-model').value, key: $('ai-key').value };
  try {
    let answer = await request(MSG.AI_SAVE, form);
    if (answer.needsPermission) {
      // Chrome shows its own question; the worker saves only once the origin is allowed.
      let allowed;
      try {
        allowed = await chrome.permissions.request({ origins: [answer.needsPermission] });
      } catch (error) {
        // Chrome's own reason (for example, no click to answer): nothing was saved.
        showError(error.message);
        return;
      }
      if (!allowed) {
        showError(answer.refusedMessage);
        return;
      }
      answer = await request(MSG.AI_SAVE, form);
      if (answer.needsPermission) {
        showError(answer.refusedMessage);
        return;
      }
    }
    $('ai-key').value = '';
    showSettings(answer);
  } catch (error) {
    showError(error);
  }
}

/** `settings`: what the worker says of the saved endpoint (never the key itself). */
function showSettings(settings) {
  $('ai-status').textContent = settings.status;
  $('ai-forget').hidden = !settings.configured;
  $('ai-suggest-form').hidden = !settings.configured;
  if (settings.configured) {
    if (!$('ai-url').value) $('ai-url').value = settings.url;
    if (!$('ai-model').value) $('ai-model').value = settings.model;
    $('ai-key').placeholder = settings.hasKey ? 'Saved (type a new one to replace it)' : '';
  } else {
    $('ai-key').placeholder = '';
    $('ai-results').hidden = true;
  }
}

async function suggest() {
  hideError();
  $('ai-results').hidden = true;
  try {
    suggestions = await request(MSG.AI_SUGGEST, {
      productIds: selectedProducts().map((p) => p.id),
      instruction: $('ai-instruction').value,
    });
    drawSuggestions();
  } catch (error) {
    showError(error);
  }
}

function drawSuggestions() {
  $('ai-result-list').replaceChildren(
    ...suggestions.map((s, at) =>
      element('li', { 'data-product-id': s.productId }, [
        element('strong', {}, s.productName),
        s.error
          ? element('p', { class: 'error' }, s.error)
          : element('div', {}, [
              ...FIELDS.filter(([field]) => s[field] != null).map(([field, label]) =>
                element('label', { class: 'check' }, [
                  element('input', { type: 'checkbox', checked: true, 'data-at': String(at), 'data-field': field }),
                  `${label}: ${Array.isArray(s[field]) ? s[field].join(', ') : s[field]}`,
                ]),
              ),
              ...(s.problems ?? []).map((problem) => element('p', { class: 'problem' }, problem)),
            ]),
      ]),
    ),
  );
  $('ai-results').hidden = suggestions.length === 0;
  $('ai-apply').disabled = !suggestions.some((s) => !s.error);
}

/** The ticked fields of each suggestion, as the edit's `items`. */
function chosenItems() {
  const items = new Map();
  for (const box of $('ai-result-list').querySelectorAll('input[type="checkbox"]:checked')) {
    const s = suggestions[Number(box.dataset.at)];
    if (!items.has(s.productId)) items.set(s.productId, { productId: s.productId });
    items.get(s.productId)[box.dataset.field] = s[box.dataset.field];
  }
  return [...items.values()];
}
