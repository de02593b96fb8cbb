// parity.js — the per-country parity table (suggestions from price level ratios, shaped by
// the seller's settings, every row editable), its CSV import/export, the codes on the
// selected products (through the bulk engine's preview), the country → code map for the
// seller's own site, and removing parity codes by prefix. The seller's settings and edits
// are kept in storage under `settings.parity`. Beside each country, where the account's
// buyers are (sales, share and, in the full view, revenue of its last export), as the
// core words them; sortable by sales.
import { MSG, request } from '../messages.js';
import * as storage from '../storage.js';
import { $, busy, download, element } from './dom.js';
import { hideError, showError } from './feedback.js';
import { selectedProducts } from './picker.js';
import { showPreview } from './preview.js';

const KEY = 'settings.parity';
// `settings` holds only what the seller changed (null: nothing yet); the core fills in its
// defaults and sends back the settings in force with every table.
// `buyers`: the core's buyer columns ({sentence, countries}); `sort`: the
// column the rows are ordered by ('country' or 'share', the most sales first).
const state = { settings: null, overrides: {}, rows: [], shown: null, buyers: null, sort: 'country' };

export function initParity() {
  const fields = { threshold: 'parity-threshold', capPercent: 'parity-cap', floorPercent: 'parity-floor', stepPercent: 'parity-step' };
  for (const [name, id] of Object.entries(fields)) {
    $(id).addEventListener('change', () => {
      const value = Number($(id).value);
      if (Number.isFinite(value)) state.settings = { ...state.shown, ...state.settings, [name]: value };
      save();
    });
  }
  $('tab-parity').addEventListener('tabselected', load);
  $('parity-search').addEventListener('input', render);
  for (const th of document.querySelectorAll('#parity-table th[data-sort]')) {
    th.querySelector('button').addEventListener('click', () => {
      state.sort = th.dataset.sort;
      render();
    });
  }
  $('parity-reset-all').addEventListener('click', () => {
    state.overrides = {};
    save();
  });
  $('parity-table').addEventListener('change', (event) => {
    const code = event.target.closest('tr')?.dataset.country;
    if (!code) return;
    if (event.target.matches('input[type="number"]')) {
      const value = event.target.value.trim();
      if (value === '') delete state.overrides[code];
      else state.overrides[code] = Number(value);
    } else if (event.target.matches('input[type="checkbox"]')) {
      if (event.target.checked) state.overrides[code] = 'excluded';
      else delete state.overrides[code];
    }
    save();
  });
  $('parity-table').addEventListener('click', (event) => {
    const reset = event.target.closest('button[data-reset]');
    if (!reset) return;
    delete state.overrides[reset.dataset.reset];
    save();
  });
  $('parity-export').addEventListener('click', async () => {
    const csv = await request(MSG.PARITY_EXPORT, current());
    download('bulkroad-parity-table.csv', csv);
  });
  $('parity-import').addEventListener('change', async (event) => {
    const [file] = event.target.files;
    event.target.value = '';
    if (!file) return;
    hideError();
    try {
      // A file far larger than a table is refused before it is read.
      await request(MSG.PARITY_IMPORT_SIZE, { size: file.size });
      // Any bad row refuses the whole file: nothing changes.
      state.overrides = await request(MSG.PARITY_IMPORT, { text: await file.text() });
      await save();
    } catch (error) {
      showError(error);
    }
  });
  $('parity-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    await busy($('parity-preview'), 'Reading your products…', async () => {
      hideError();
      try {
        showPreview(await request(MSG.PARITY_PREVIEW, { form: codesForm() }));
      } catch (error) {
        showError(error);
      }
    });
  });
  $('parity-map-csv').addEventListener('click', () => withMap((map) => download('bulkroad-parity-map.csv', map.csv)));
  $('parity-map-json').addEventListener('click', () =>
    withMap((map) => download('bulkroad-parity-map.json', map.json, 'application/json')),
  );
  $('parity-snippet').addEventListener('click', () =>
    withMap(async (map) => {
      await navigator.clipboard.writeText(map.snippet);
      $('parity-snippet').textContent = 'Snippet copied';
    }),
  );
  $('parity-remove').addEventListener('click', () =>
    busy($('parity-remove'), 'Reading your products…', async () => {
      hideError();
      try {
        const form = { prefix: $('parity-prefix').value, productIds: selectedProducts().map((p) => p.id) };
        showPreview(await request(MSG.PARITY_PREVIEW_REMOVE, { form }));
      } catch (error) {
        showError(error);
      }
    }),
  );
}

async function load() {
  const kept = (await storage.get(KEY)) ?? {};
  state.settings = kept.settings ?? null;
  state.overrides = kept.overrides ?? {};
  const native = selectedProducts().filter((p) => p.nativeParity);
  $('parity-native-warning').hidden = native.length === 0;
  $('parity-native-warning').textContent = native.length
    ? `${native.length} selected product(s) already use Gumroad's own parity pricing. Gumroad does not combine it with discount codes: buyers get one or the other.`
    : '';
  await refreshTable();
}

async function save() {
  await storage.set({ [KEY]: { settings: state.settings, overrides: state.overrides } });
  await refreshTable();
}

async function refreshTable() {
  hideError();
  try {
    const table = await request(MSG.PARITY_TABLE, current());
    state.rows = table.rows;
    state.shown = table.settings;
    $('parity-threshold').value = table.settings.threshold;
    $('parity-cap').value = table.settings.capPercent;
    $('parity-floor').value = table.settings.floorPercent;
    $('parity-step').value = table.settings.stepPercent;
    $('parity-credit').textContent = table.credit;
    state.buyers = table.buyers;
    $('parity-buyers-note').textContent = table.buyers.sentence;
    render();
  } catch (error) {
    showError(error);
  }
}

// Settings the seller never changed are left out, so the core's defaults apply.
function current() {
  return { settings: state.settings ?? undefined, overrides: state.overrides };
}

function codesForm() {
  return {
    ...current(),
    mode: $('parity-mode').value,
    prefix: $('parity-prefix').value,
    onMinimum: $('parity-minimum').value,
    productIds: selectedProducts().map((p) => p.id),
  };
}

async function withMap(use) {
  hideError();
  try {
    // The worker maps the whole products it holds: the core checks every option and tier
    // price, as the job does.
    await use(await request(MSG.PARITY_MAP, { form: codesForm() }));
  } catch (error) {
    showError(error);
  }
}

/** The buyer cells of a row: sales, share, revenue (empty without sales). */
function buyerCells(cell) {
  return [
    element('td', { class: 'num' }, cell?.salesText ?? ''),
    element('td', { class: 'num' }, cell?.share ?? ''),
    element('td', { class: 'num parity-revenue' }, cell?.revenue ?? ''),
  ];
}

function render() {
  const query = $('parity-search').value.trim().toLocaleLowerCase();
  const found = (r) => !query || r.name.toLocaleLowerCase().includes(query) || r.code.toLowerCase() === query;
  const countries = state.buyers?.countries ?? [];
  const cells = new Map(countries.filter((c) => c.listed).map((c) => [c.code, c]));
  // Countries with sales that the table has no row for (unknown included) follow it.
  const items = [
    ...state.rows.filter(found).map((row) => ({ row, cell: cells.get(row.code) })),
    ...countries.filter((c) => !c.listed && found(c)).map((other) => ({ other, cell: other })),
  ];
  if (state.sort === 'share') items.sort((a, b) => (b.cell?.sales ?? 0) - (a.cell?.sales ?? 0));
  for (const th of document.querySelectorAll('#parity-table th[data-sort]')) {
    if (th.dataset.sort === state.sort) th.setAttribute('aria-sort', state.sort === 'share' ? 'descending' : 'ascending');
    else th.removeAttribute('aria-sort');
  }
  $('parity-table').tBodies[0].replaceChildren(
    ...items.map(({ row, other, cell }) => {
      if (other) {
        return element('tr', { 'data-buyers-only': other.code, class: 'buyers-only' }, [
          element('td', {}, other.name),
          element('td', { class: 'num' }, '—'),
          element('td', { class: 'num' }, '—'),
          ...buyerCells(cell),
          element('td', {}, ''),
          element('td', {}, ''),
        ]);
      }
      const excluded = row.override === 'excluded';
      const edited = row.override !== 'default';
      return element('tr', { 'data-country': row.code, class: edited ? 'edited' : null }, [
        element('td', {}, `${row.name} (${row.code})`),
        element('td', { class: 'num' }, row.ratio.toFixed(2)),
        element('td', { class: 'num' }, row.suggested == null ? '—' : `${row.suggested} %`),
        ...buyerCells(cell),
        element('td', {}, [
          element('input', {
            type: 'number',
            min: 1,
            max: 100,
            step: 1,
            'aria-label': `Your % for ${row.name}`,
            value: typeof row.override === 'number' ? row.override : '',
            placeholder: row.suggested == null ? 'none' : String(row.suggested),
            disabled: excluded,
          }),
          element('label', { class: 'check' }, [
            element('input', { type: 'checkbox', 'aria-label': `Exclude ${row.name}`, checked: excluded }),
            'excluded',
          ]),
        ]),
        element('td', {}, edited ? element('button', { type: 'button', 'data-reset': row.code }, 'Reset') : null),
      ]);
    }),
  );
}
