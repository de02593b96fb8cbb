// insights.js — the Insights tab: sales over a range, drawn. The core reads Gumroad's
// summaries and sends back every number placed and every sentence written (bars in the
// chart's own coordinates, axis ticks, one readout per bar, the table, the CSV); this page
// turns them into SVG and table rows and moves a readout along the bars with the pointer
// or the keyboard. The chart is drawn here from the core's geometry, not by a charting
// library: a bar chart is a few rectangles, and geometry from the core keeps every rule in
// one place at no cost in bytes.
import { MSG, request } from '../messages.js';
import { $, busy, download, element } from './dom.js';
import { hideError, showError } from './feedback.js';

const SVG = 'http://www.w3.org/2000/svg';

const state = {
  /** The view as the core gave it (null until one is shown). */
  view: null,
  /** The point each section's readout is on, by section index. */
  active: new Map(),
};

export function initInsights() {
  $('insights-range').addEventListener('change', syncCustom);
  $('insights-form').addEventListener('submit', (event) => {
    event.preventDefault();
    show();
  });
  $('insights-metric').addEventListener('change', draw);
  // The first visit shows the default range at once: that is what the seller came for
  // (by a click or from the keyboard: the tab's `tabselected` event).
  $('tab-insights').addEventListener('tabselected', () => {
    if (!state.view && !$('insights-show').disabled) show();
  });
  syncCustom();
}

/** The seller's own date (this browser's clock and time zone), `YYYY-MM-DD`. */
export function today() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

/** The range as the core reads it, from a range select and two date fields. */
export function rangeOf(kind, from, to) {
  return kind === 'custom' ? { kind, from: from || null, to: to || null } : { kind };
}

function syncCustom() {
  const custom = $('insights-range').value === 'custom';
  for (const label of document.querySelectorAll('#insights-form [data-custom]')) label.hidden = !custom;
  $('insights-to').max = today();
  $('insights-from').max = today();
}

async function show() {
  const insights = {
    range: rangeOf($('insights-range').value, $('insights-from').value, $('insights-to').value),
    groupBy: $('insights-group').value || null,
    today: today(),
  };
  await busy($('insights-show'), 'Reading your sales…', async () => {
    hideError();
    $('insights-status').textContent = 'Reading your sales…';
    try {
      state.view = await request(MSG.INSIGHTS_VIEW, { request: insights });
      state.active.clear();
      $('insights-status').textContent = state.view.status;
      draw();
    } catch (error) {
      $('insights-status').textContent = '';
      showError(error);
    }
  });
}

function draw() {
  const { view } = state;
  if (!view) return;
  const metric = $('insights-metric').value;
  $('insights-notes').replaceChildren(...view.notes.map((note) => element('li', {}, note)));
  $('insights-sections').replaceChildren(...view.sections.map((section, i) => sectionOf(view, section, i, metric)));
}

function sectionOf(view, section, index, metric) {
  const chart = section.charts.find((c) => c.metric === metric) ?? section.charts[0];
  const id = `insights-${index}`;
  const readout = element('p', { id: `${id}-readout`, class: 'readout', 'aria-live': 'polite' });
  const figure = chartOf(view, section, chart, index, readout);
  return element('section', { class: 'insights-section', 'aria-labelledby': `${id}-title`, 'data-currency': section.currency }, [
    element('h3', { id: `${id}-title` }, section.title),
    element('dl', { class: 'totals' }, section.totals.flatMap((t) => [element('dt', {}, t.label), element('dd', {}, t.text)])),
    figure,
    readout,
    section.chartNote ? element('p', { class: 'muted small' }, section.chartNote) : null,
    element('div', { class: 'row' }, [
      element('button', { type: 'button', onclick: () => download(section.fileName, section.csv) }, 'Download these figures (CSV)'),
    ]),
    tableOf(section.table),
  ]);
}

/** The chart as SVG, inside a focusable figure: arrow keys, Home and End move the readout
 * from bar to bar; the pointer does the same. The SVG itself is hidden from assistive
 * technology, which reads the figure's caption (the core's summary), the readout as it
 * moves, and the table below. */
function chartOf(view, section, chart, index, readout) {
  const svg = svgElement('svg', { viewBox: view.viewBox.join(' '), class: `chart metric-${chart.metric}`, 'aria-hidden': 'true', focusable: 'false' });
  const { frame } = view;
  const [, , width] = view.viewBox;
  for (const tick of chart.ticks) {
    svg.append(
      svgElement('line', { x1: frame.left, x2: frame.right, y1: tick.y, y2: tick.y, class: 'grid' }),
      svgText(tick.text, { x: frame.tickX, y: tick.y, 'text-anchor': 'end', 'dominant-baseline': 'middle', class: 'tick' }),
    );
  }
  const bars = section.points.map((point, i) => {
    const bar = chart.bars[i];
    const rect = svgElement('rect', { x: point.x, width: point.w, y: bar.y, height: Math.max(bar.h, 0), class: 'bar', 'data-key': point.key });
    svg.append(rect);
    return rect;
  });
  svg.append(svgElement('line', { x1: frame.left, x2: frame.right, y1: chart.zeroY, y2: chart.zeroY, class: 'axis' }));
  for (const label of section.xLabels) svg.append(svgText(label.text, { x: label.x, y: frame.labelY, 'text-anchor': 'middle', class: 'x-label' }));

  const figure = element('figure', {
    class: 'chart-figure',
    tabindex: section.points.length ? '0' : null,
    role: 'group',
    'aria-label': chart.label,
    'aria-describedby': `insights-${index}-caption insights-keys`,
  }, [svg, element('figcaption', { id: `insights-${index}-caption`, class: 'muted small' }, chart.summary)]);

  const point = (i) => {
    const at = Math.max(0, Math.min(section.points.length - 1, i));
    state.active.set(index, at);
    bars.forEach((rect, j) => rect.classList.toggle('active', j === at));
    readout.textContent = section.points[at]?.readout ?? '';
  };
  figure.addEventListener('keydown', (event) => {
    const at = state.active.get(index) ?? -1;
    const moves = { ArrowRight: at + 1, ArrowLeft: at - 1, ArrowUp: at + 1, ArrowDown: at - 1, Home: 0, End: section.points.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    point(at < 0 && event.key.startsWith('Arrow') ? 0 : moves[event.key]);
  });
  figure.addEventListener('focus', () => {
    if (!state.active.has(index) && section.points.length) point(section.points.length - 1);
  });
  svg.addEventListener('pointermove', (event) => {
    const box = svg.getBoundingClientRect();
    const x = ((event.clientX - box.left) / box.width) * width;
    const nearest = section.points.reduce((best, p, i) => (Math.abs(p.x + p.w / 2 - x) < Math.abs(section.points[best].x + section.points[best].w / 2 - x) ? i : best), 0);
    if (section.points.length) point(nearest);
  });
  if (state.active.has(index)) point(state.active.get(index));
  return figure;
}

function tableOf(table) {
  // The table scrolls in its own box: the box takes the keyboard's focus so it can be scrolled.
  return element('div', { class: 'table-wrap insights-table', tabindex: '0', role: 'region', 'aria-label': table.caption }, element('table', {}, [
    element('caption', {}, table.caption),
    element('thead', {}, element('tr', {}, table.columns.map((c, i) => element('th', { scope: 'col', class: i ? 'num' : null }, c)))),
    element('tbody', {}, table.rows.map((row) => element('tr', {}, row.map((cell, i) => (i ? element('td', { class: 'num' }, cell) : element('th', { scope: 'row' }, cell)))))),
    element('tfoot', {}, element('tr', {}, table.total.map((cell, i) => (i ? element('td', { class: 'num' }, cell) : element('th', { scope: 'row' }, cell))))),
  ]));
}

function svgElement(tag, attributes) {
  const el = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) el.setAttribute(name, String(value));
  return el;
}

function svgText(text, attributes) {
  const el = svgElement('text', attributes);
  el.textContent = text;
  return el;
}
