// listings.js — the Listings tab: the audit of every listing (scores, findings, a product's
// detail, the CSV) and the bulk edits of text, tags and category on the selected products.
// Every score, finding and sentence comes from the core; this page sorts and filters the
// rows it was given and sends forms, which the core validates before any request. Edits
// only preview here, like every bulk write.
import { MSG, request } from '../messages.js';
import { $, busy, download, element } from './dom.js';
import { hideError, showError } from './feedback.js';
import { selectIds, selectedProducts } from './picker.js';
import { showPreview } from './preview.js';

const state = {
  audit: null,
  /** The audit as CSV text, made by the core with it. */
  csv: '',
  /** The product whose detail is open. */
  openId: null,
  categoriesLoaded: false,
};

export function initListings() {
  $('audit-run').addEventListener('click', () =>
    busy($('audit-run'), 'Reading your listings…', async () => {
      hideError();
      try {
        showAudit(await request(MSG.LISTINGS_AUDIT));
      } catch (error) {
        showError(error);
      }
    }),
  );
  $('audit-download').addEventListener('click', () => {
    download(`bulkroad-listing-audit-${new Date().toISOString().slice(0, 10)}.csv`, state.csv);
  });
  $('audit-filter').addEventListener('change', drawRows);
  $('audit-order').addEventListener('change', drawRows);
  $('audit-select').addEventListener('click', () => selectIds(shownRows().map((row) => row.productId)));
  $('audit-table').addEventListener('click', (event) => {
    const tr = event.target.closest('tr[data-product-id]');
    if (tr) openDetail(tr.dataset.productId);
  });

  $('listing-kind').addEventListener('change', syncKind);
  $('tab-listings').addEventListener('tabselected', () => {
    syncKind();
  });
  $('listing-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    await previewEdit({ productIds: selectedProducts().map((p) => p.id), edit: editOfForm() });
  });
}

/** Previews an edit of listings (`form`: `{productIds, edit}`), as the form and the AI
 * suggestions both do. */
export async function previewEdit(form, button = $('listing-preview')) {
  await busy(button, 'Reading your products…', async () => {
    hideError();
    try {
      showPreview(await request(MSG.LISTINGS_PREVIEW, { form }));
    } catch (error) {
      showError(error);
    }
  });
}

/** The edit as typed; the core checks it. */
function editOfForm() {
  const kind = $('listing-kind').value;
  switch (kind) {
    case 'tags':
      return { kind, mode: $('listing-tags-mode').value, tags: $('listing-tags').value };
    case 'summary':
      return { kind, mode: $('listing-summary-mode').value, text: $('listing-summary').value };
    case 'findReplace':
      return {
        kind,
        field: $('listing-find-field').value,
        find: $('listing-find').value,
        replace: $('listing-replace').value,
        caseSensitive: $('listing-case').checked,
      };
    case 'addText':
      return { kind, field: $('listing-add-field').value, position: $('listing-add-position').value, text: $('listing-add-text').value };
    case 'category':
      return { kind, taxonomyId: $('listing-category').value === '' ? null : Number($('listing-category').value) };
    default:
      return { kind };
  }
}

function syncKind() {
  const kind = $('listing-kind').value;
  for (const part of document.querySelectorAll('#listing-form [data-kind]')) part.hidden = part.dataset.kind !== kind;
  if (kind === 'category' && !state.categoriesLoaded) loadCategories();
}

async function loadCategories() {
  const select = $('listing-category');
  try {
    const categories = await request(MSG.LISTINGS_CATEGORIES);
    select.replaceChildren(
      element('option', { value: '' }, 'Choose a category'),
      ...categories.map((c) => element('option', { value: String(c.id) }, c.path ? `${c.label} — ${c.path}` : c.label)),
    );
    state.categoriesLoaded = true;
  } catch (error) {
    select.replaceChildren(element('option', { value: '' }, 'Categories could not be read'));
    showError(error);
  }
}

function showAudit({ audit, csv }) {
  state.audit = audit;
  state.csv = csv;
  state.openId = null;
  $('audit-summary').textContent = audit.summary;
  $('audit-notes').replaceChildren(...audit.notes.map((note) => element('li', {}, note)));
  const filter = $('audit-filter');
  const chosen = filter.value;
  filter.replaceChildren(
    element('option', { value: '' }, `Every product (${audit.rows.length})`),
    ...audit.findingKinds.map((kind) => element('option', { value: kind.id }, `${kind.label} (${kind.count})`)),
  );
  if (audit.findingKinds.some((kind) => kind.id === chosen)) filter.value = chosen;
  $('audit-controls').hidden = false;
  $('audit-download').hidden = false;
  $('audit-table').hidden = false;
  $('audit-detail').hidden = true;
  drawRows();
}

function shownRows() {
  if (!state.audit) return [];
  const finding = $('audit-filter').value;
  const rows = finding ? state.audit.rows.filter((row) => row.findings.some((f) => f.id === finding)) : [...state.audit.rows];
  const order = $('audit-order').value;
  const byName = (a, b) => a.name.localeCompare(b.name);
  rows.sort(order === 'name' ? byName : order === 'score-desc' ? (a, b) => b.score - a.score || byName(a, b) : (a, b) => a.score - b.score || byName(a, b));
  return rows;
}

function drawRows() {
  const rows = shownRows();
  $('audit-select').disabled = rows.length === 0;
  $('audit-table').tBodies[0].replaceChildren(
    ...rows.map((row) =>
      element('tr', { 'data-product-id': row.productId, 'aria-current': row.productId === state.openId ? 'true' : null }, [
        element('td', { class: 'num' }, [
          element('span', { class: `score ${row.band}`, 'aria-hidden': 'true' }, String(row.score)),
          element('span', { class: 'visually-hidden' }, `${row.score}, ${row.bandLabel}`),
        ]),
        element('td', { class: 'name' }, element('button', { type: 'button', class: 'link', 'aria-controls': 'audit-detail' }, row.name)),
        element('td', { class: 'findings' }, row.findings.length ? row.findings.map((f) => f.message).slice(0, 2).join(' · ') : '—'),
      ]),
    ),
  );
}

function openDetail(productId) {
  const row = state.audit?.rows.find((r) => r.productId === productId);
  if (!row) return;
  state.openId = productId;
  for (const tr of $('audit-table').tBodies[0].rows) {
    if (tr.dataset.productId === productId) tr.setAttribute('aria-current', 'true');
    else tr.removeAttribute('aria-current');
  }
  const detail = $('audit-detail');
  detail.replaceChildren(
    element('h4', {}, [row.name, ' ', element('span', { class: `score ${row.band}` }, `${row.score} · ${row.bandLabel}`)]),
    element('p', { class: 'parts' }, row.parts.map((part) => element('span', {}, `${part.label} (${part.weight} %): ${part.score}`))),
    // replaceChildren would write a null out as the text "null": no snippet, no paragraph.
    ...(row.snippet ? [element('p', { class: 'snippet' }, ['Search engines show: ', element('q', {}, row.snippet)])] : []),
    row.findings.length
      ? element('ul', { class: 'findings-list' }, row.findings.map((f) =>
          element('li', { 'data-severity': f.severity, 'data-finding': f.id }, [
            f.message,
            element('span', { class: 'rule' }, f.rule),
            f.fix ? element('span', { class: 'fix' }, f.fix) : null,
          ]),
        ))
      : element('p', {}, 'Nothing to fix.'),
  );
  detail.hidden = false;
}
