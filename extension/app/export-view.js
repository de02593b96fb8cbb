// export-view.js — the export form, its progress (followed through storage, so it keeps up
// whether or not this page started it) and the download, assembled here from the parts
// the worker wrote (a worker has no URL.createObjectURL; an extension page does). The
// parts are Blobs on disk: the download joins their handles and never holds the file's
// text.
import * as files from '../export-files.js';
import { MSG, currentAccount, request } from '../messages.js';
import * as storage from '../storage.js';
import { $, download, element } from './dom.js';
import { actionButton, hideError, showError } from './feedback.js';
import { allProducts } from './picker.js';

export function initExport() {
  if (currentAccount()) storage.account(currentAccount()).watch(storage.KEYS.EXPORT, render);
  $('tab-export').addEventListener('tabselected', async () => {
    if (!$('export-column-list').childElementCount) {
      const offered = await request(MSG.EXPORT_COLUMNS).catch(() => []);
      $('export-column-list').replaceChildren(
        ...offered.map((c) => element('label', { class: 'check' }, [element('input', { type: 'checkbox', value: c.column, checked: c.default }), c.header])),
      );
    }
    const select = $('export-product');
    const chosen = select.value;
    select.replaceChildren(element('option', { value: '' }, 'All products'), ...allProducts().map((p) => element('option', { value: p.id }, p.name)));
    select.value = chosen;
    render(await request(MSG.EXPORT_STATUS).catch(() => null));
  });
  $('export-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    // Disabled at once: a second click (a double click) would only be refused.
    const button = $('export-start');
    button.disabled = true;
    hideError();
    try {
      await request(MSG.EXPORT_START, {
        kind: $('export-kind').value,
        after: $('export-after').value || null,
        before: $('export-before').value || null,
        productId: $('export-product').value || null,
        bom: $('export-bom').checked,
        // The core picks the separator for "auto" from the locale's decimal separator.
        separator: $('export-separator').value,
        decimalSeparator: decimalSeparator(),
        columns: [...$('export-column-list').querySelectorAll('input:checked')].map((box) => box.value),
      });
      // Stays disabled while the export runs: `render` enables it again when it ends.
    } catch (error) {
      showError(error);
      button.disabled = false;
    }
  });
}

/** The decimal separator of the browser's language ("." or ","). */
function decimalSeparator() {
  return new Intl.NumberFormat(navigator.language).formatToParts(1.5).find((part) => part.type === 'decimal')?.value ?? '.';
}

function render(current) {
  const box = $('export-status');
  // One export at a time per account: no second start while one runs.
  $('export-start').disabled = ['running', 'writing'].includes(current?.status);
  const w = current?.written;
  const written = w ? ` · ${w.rows.toLocaleString()} of ${w.of.toLocaleString()} rows written` : '';
  if (!current) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  box.dataset.status = current.status;
  const p = current.progress;
  const counted = p ? `${p.rows.toLocaleString()} sales · ${p.pages} pages` : 'starting';
  const estimate = p?.estimatedTotal ? ` of about ${p.estimatedTotal.toLocaleString()}` : '';
  const eta = p?.timeLeft ? ` · ${p.timeLeft}` : '';
  const children = [element('strong', {}, current.filename)];
  if (current.status === 'running') {
    children.push(element('span', {}, `Reading: ${counted}${estimate}${eta}`), actionButton('Cancel', () => request(MSG.EXPORT_CANCEL)));
  } else if (current.status === 'writing') {
    children.push(element('span', {}, `Writing the file (${counted}${written})…`), actionButton('Cancel', () => request(MSG.EXPORT_CANCEL)));
  } else if (current.status === 'interrupted') {
    const why = current.error ? ` (${current.error.message})` : '';
    children.push(
      element('span', {}, `Interrupted at ${counted}${written}${why}.`),
      actionButton('Resume', () => request(MSG.EXPORT_RESUME), 'primary'),
      actionButton('Cancel', () => request(MSG.EXPORT_CANCEL)),
    );
  } else if (current.status === 'ready') {
    children.push(element('span', {}, `${(current.rows ?? 0).toLocaleString()} rows ready.`), actionButton('Download', () => save(current), 'primary'));
  } else if (current.status === 'cancelled') {
    children.push(element('span', { class: 'muted' }, 'Cancelled.'));
  } else if (current.status === 'downloaded') {
    children.push(element('span', { class: 'muted' }, `${(current.rows ?? 0).toLocaleString()} rows downloaded; the copy kept for the download is deleted. Export again for a new one.`));
  } else if (current.status === 'expired') {
    children.push(element('span', { class: 'muted' }, 'This file was not downloaded within a day, so it was deleted. Export again for a new one.'));
  }
  box.replaceChildren(...children);
}

// Once the browser has the file, the worker deletes the copy kept for it (buyers' data
// does not stay in the extension).
async function save(current) {
  download(current.filename, new Blob(await files.parts(current.id), { type: files.CSV_TYPE }), files.CSV_TYPE);
  await request(MSG.EXPORT_DOWNLOADED, { exportId: current.id });
}

