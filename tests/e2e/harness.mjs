// harness.mjs — what every end-to-end spec needs: the built extension loaded in headless
// Chromium, the sandbox's inspection endpoint, and a way to stop the service worker.
//
// Environment (set by ./build.sh test): SANDBOX_URL, EXTENSION_DIR (a build for the
// sandbox origin), RELEASE_DIR (the release build), CHROMIUM (optional binary path).
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { after, afterEach, before, beforeEach } from 'node:test';
import { chromium } from 'playwright-core';

export const SANDBOX_URL = required('SANDBOX_URL');
export const EXTENSION_DIR = required('EXTENSION_DIR');
export const RELEASE_DIR = process.env.RELEASE_DIR;

function required(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the specs through ./build.sh test`);
  return value;
}

/** Launches Chromium with one unpacked extension; resolves once its worker runs.
 * `extraArgs` go to Chromium as they are (the benchmarks add theirs). */
export async function launchExtension(extensionDir = EXTENSION_DIR, extraArgs = []) {
  const userDataDir = await mkdtemp(path.join(tmpdir(), 'bulkroad-e2e-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: [
      `--disable-extensions-except=${extensionDir}`,
      `--load-extension=${extensionDir}`,
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      ...extraArgs,
    ],
  });
  const consoleLines = [];
  context.on('console', (message) => consoleLines.push(message.text()));
  context.on('weberror', (error) => consoleLines.push(String(error.error())));
  const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker', { timeout: 20_000 }));
  const extensionId = new URL(worker.url()).host;
  return {
    context,
    extensionId,
    userDataDir,
    consoleLines,
    url: (page) => `chrome-extension://${extensionId}/${page}`,
    async close() {
      await context.close();
      await rm(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Opens one of the extension's pages in a tab, recording the page's own console. */
export const POPUP = 'app/index.html';
export const FULL_VIEW = 'app/index.html?view=full';

export async function openPage(ext, page = POPUP) {
  const tab = await ext.context.newPage();
  tab.on('console', (message) => ext.consoleLines.push(message.text()));
  tab.on('pageerror', (error) => ext.consoleLines.push(String(error)));
  await tab.goto(ext.url(page));
  return tab;
}

/** Everything the extension keeps in chrome.storage.local, read through one of its pages. */
export async function extensionStorage(tab) {
  return tab.evaluate(() => chrome.storage.local.get(null));
}

/** Every account's bulky records in IndexedDB (plans, job rows, reports, previews, product
 * lists), read through one of the extension's pages: [{ account, key, value }]. */
export async function extensionRecords(tab) {
  return tab.evaluate(
    () => new Promise((resolve, reject) => {
      const open = indexedDB.open('bulkroad-exports');
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const db = open.result;
        if (!db.objectStoreNames.contains('records')) return resolve([]);
        const all = db.transaction('records').objectStore('records').getAll();
        all.onsuccess = () => resolve(all.result);
        all.onerror = () => reject(all.error);
      };
    }),
  );
}

/** Asks the running worker for its per-instance id (a new id means a restarted worker). */
export async function workerInstanceId(tab) {
  return tab.evaluate(async () => {
    const reply = await chrome.runtime.sendMessage({ type: 'worker.ping', payload: {} });
    return reply.value.instanceId;
  });
}

/** Stops the extension's service worker the way Chrome does when it is idle. */
export async function killServiceWorker(ext, tab) {
  const cdp = await ext.context.newCDPSession(tab);
  try {
    const { targetInfos } = await cdp.send('Target.getTargets');
    const workers = targetInfos.filter(
      (t) => t.type === 'service_worker' && t.url.startsWith(`chrome-extension://${ext.extensionId}/`),
    );
    if (workers.length === 0) throw new Error('no running service worker to stop');
    for (const target of workers) await cdp.send('Target.closeTarget', { targetId: target.targetId });
  } finally {
    await cdp.detach();
  }
}

// The sandbox runs with two stores (build.sh starts it with --stores 2): store 0, the one
// every spec uses unless it says otherwise, and store 1, a second seller with its own
// tokens (`tokens.stores[1].tokens.full`), products and sales. `{ store: N }` picks one.
export const sandbox = {
  /** Store 0's tokens by name (`full`, `read_only`, `account`, `no_read_scope`, `revoked`)
   * and `stores`: `[{ index, user_id, resource_owner_id, name, email, tokens }]`, one per store. */
  async tokens() {
    return get('/__sandbox/tokens');
  },
  async state({ store } = {}) {
    return get(ofStore('/__sandbox/state', store));
  },
  /** Every sale, newest first, as the API serves them. */
  async sales({ store } = {}) {
    return get(ofStore('/__sandbox/sales', store));
  },
  /** Every subscription, any status, newest first. */
  async subscribers({ store } = {}) {
    return get(ofStore('/__sandbox/subscribers', store));
  },
  async requests() {
    return get('/__sandbox/requests');
  },
  async clearRequests() {
    await send('DELETE', '/__sandbox/requests');
  },
  /** Reseeds every store (optionally `{ products, sales, seed, stores }` other than at
   * start) and clears faults and log. */
  async reset(options) {
    await send('POST', '/__sandbox/reset', options);
    await sandbox.faults({});
  },
  /** Reads the API as the extension would, for expectations (it shows in the request log). */
  async api(pathname, token) {
    const response = await fetch(SANDBOX_URL + pathname, { headers: { authorization: `Bearer ${token}` } });
    return response.json();
  },
  async faults(faults) {
    await send('POST', '/__sandbox/faults', {
      latency_ms: 0,
      rate_429: 0,
      rate_5xx: 0,
      rate_drop: 0,
      ...faults,
    });
  },
  /** Records `uses` uses of offer code `id` as purchases would (a single-use code is then
   * deleted, as Gumroad does); resolves to the code, with `deleted`. */
  async useCode(id, uses = 1) {
    return sendJson('POST', '/__sandbox/offer_codes/use', { id, uses });
  },
  // The OAuth server ("Sign in with Gumroad"). Every reset (so every test) brings it back
  // to its start: the default application (`client_id` J9gZg3564QGGjCJpgme38bPpFVXK4Ua3-_y6TvNRVaE)
  // without redirect URIs, nothing issued, tokens that never expire.
  /** Registers redirect URIs on an application: the default one with
   * `{ clientId: <default id>, redirectUris }`, a new one (fresh `client_id`) without
   * `clientId`. Resolves to `{ client_id, client_secret, name, redirect_uris, confidential }`. */
  async registerApplication({ redirectUris, clientId, confidential, name } = {}) {
    return sendJson('POST', '/__sandbox/applications', {
      ...(redirectUris !== undefined && { redirect_uris: redirectUris }),
      ...(clientId !== undefined && { client_id: clientId }),
      ...(confidential !== undefined && { confidential }),
      ...(name !== undefined && { name }),
    });
  },
  /** Tokens issued from now on expire `accessTokenExpiresIn` seconds after issue (null:
   * never, the default); `advanceSeconds` moves the OAuth server's clock ahead (codes live
   * 600 s). Resolves to `oauthState()`. */
  async oauthConfig({ accessTokenExpiresIn, advanceSeconds } = {}) {
    return sendJson('POST', '/__sandbox/oauth', {
      ...(accessTokenExpiresIn !== undefined && { access_token_expires_in: accessTokenExpiresIn }),
      ...(advanceSeconds !== undefined && { advance_seconds: advanceSeconds }),
    });
  },
  /** Revokes every issued token (and pending code) of `store`, of every store without
   * one: the seller removing the app on Gumroad. Resolves to `{ revoked: pairs }`. */
  async revokeAllIssued({ store } = {}) {
    return sendJson('POST', '/__sandbox/oauth/revoke_all', store == null ? {} : { store });
  },
  /** `{ access_token_expires_in, code_expires_in, clock_offset_seconds, issued: [{ label,
   * store, client_id, scope, created_at, expires_at, expired, revoked }], grants: [{ store,
   * client_id, scope, redirect_uri, code_challenge_method, created_at, expires_at, revoked }] }`
   * (no token strings). `label` is what the request log's `token` says (`issued.1`…). */
  async oauthState() {
    return get('/__sandbox/oauth');
  },
};

/** `pathname` for one store; store 0 (the side door's default) without `store`. */
function ofStore(pathname, store) {
  return store == null ? pathname : `${pathname}?store=${encodeURIComponent(store)}`;
}

async function get(pathname) {
  const response = await fetch(SANDBOX_URL + pathname);
  if (!response.ok) throw new Error(`sandbox ${pathname}: HTTP ${response.status}`);
  return response.json();
}

/** A side-door call with a JSON body; its JSON answer. */
async function sendJson(method, pathname, body) {
  const response = await fetch(SANDBOX_URL + pathname, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok) throw new Error(`sandbox ${method} ${pathname}: HTTP ${response.status} ${answer.error ?? ''}`);
  return answer;
}

async function send(method, pathname, body) {
  const response = await fetch(SANDBOX_URL + pathname, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!response.ok) throw new Error(`sandbox ${method} ${pathname}: HTTP ${response.status}`);
}

/** One extension per spec file (the sandbox build, or the build in `extensionDir`), a
 * fresh sandbox store per test. Returns a context whose `ext` and `tokens` are set once the
 * file's `before` hook has run.
 *
 * Every test of every spec is also a token scan: after it, no request the extension sent
 * carries a sandbox token outside its `Authorization` header, or sends that header as
 * anything but `Bearer <token>`; after the file, no console line (pages and worker) holds
 * a token. */
export function useExtension(extensionDir = EXTENSION_DIR) {
  const context = { ext: null, tokens: null };
  before(async () => {
    context.tokens = await sandbox.tokens();
    context.ext = await launchExtension(extensionDir);
  });
  after(async () => {
    const leaks = context.ext?.consoleLines.filter((line) => holdsToken(line, context.tokens)) ?? [];
    await context.ext?.close();
    assert.deepEqual(leaks, [], 'a console line holds a token');
  });
  beforeEach(async () => {
    await sandbox.reset();
  });
  afterEach(async () => {
    for (const entry of await sandbox.requests()) {
      const where = `${entry.method} ${entry.path}`;
      assert.ok(!holdsToken(entry.url, context.tokens) && !holdsToken(entry.body ?? '', context.tokens), `a token in the URL or body of ${where}`);
      if (entry.authorization != null) assert.match(entry.authorization, /^Bearer [A-Za-z0-9_-]+$/, `the Authorization header of ${where}`);
    }
  });
  return context;
}

/** Whether `text` holds any token the sandbox listed: store 0's and every store's. */
function holdsToken(text, tokens) {
  const stores = (tokens?.stores ?? []).flatMap((store) => Object.values(store.tokens ?? {}));
  return [...Object.values(tokens ?? {}), ...stores].some(
    (token) => typeof token === 'string' && token.length > 0 && text.includes(token),
  );
}

export const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
export const writes = (log) => log.filter((r) => WRITE_METHODS.has(r.method));
/** The store's products that are not deleted. */
export const live = (state) => state.products.filter((p) => !p.deleted_at);

/** Fills the token field and saves; resolves once the page has started again on the
 * connected account (it reloads) or shows why the token was not kept. */
export async function connect(tab, token) {
  await tab.getByLabel('Access token').fill(token);
  const reloaded = tab.waitForEvent('load', { timeout: 60_000 }).then(() => true, () => false);
  await tab.getByRole('button', { name: 'Save' }).click();
  await Promise.race([reloaded, tab.getByRole('alert').waitFor({ timeout: 60_000 }).catch(() => {})]);
  await tab.locator('body[data-state]').waitFor();
}

/** Waits until the app has asked the worker (body[data-state]) and forgets any token. */
/** Forgets every account, through the page as a seller would (and, for accounts waiting
 * for a token, through the same message the page sends). */
export async function forgetIfConnected(tab) {
  await tab.locator('body[data-state]').waitFor();
  while ((await tab.locator('body').getAttribute('data-state')) === 'connected') {
    await tab.getByRole('button', { name: 'Forget account' }).click();
    await tab.locator('#forget-dialog').waitFor();
    await Promise.all([tab.waitForEvent('load'), tab.getByRole('button', { name: 'Forget', exact: true }).click()]);
    await tab.locator('body[data-state]').waitFor();
  }
  const waiting = await tab.evaluate(async () => ((await chrome.storage.local.get('accounts')).accounts?.list ?? []).map((a) => a.id));
  if (waiting.length === 0) return;
  // The page reloads itself when its account goes.
  const reloaded = tab.waitForEvent('load', { timeout: 5_000 }).catch(() => {});
  for (const accountId of waiting) {
    await tab.evaluate((id) => chrome.runtime.sendMessage({ type: 'auth.forget', payload: { accountId: id } }), accountId);
  }
  await reloaded;
  await tab.locator('body[data-state]').waitFor();
}

/** The key under which the active account keeps `key` (`acct.<userId>.<key>`). */
export async function accountKey(tab, key) {
  const active = await tab.evaluate(async () => (await chrome.storage.local.get('accounts')).accounts?.active);
  assert.ok(active, 'an account is active');
  return `acct.${active}.${key}`;
}

/** The stored keys that hold a token (`acct.<userId>.auth.token`). */
export function tokenKeys(stored) {
  return Object.keys(stored).filter((key) => key.endsWith('.auth.token'));
}

export async function connectedPage({ ext, tokens }, page = FULL_VIEW) {
  const tab = await openPage(ext, page);
  await forgetIfConnected(tab);
  await connect(tab, tokens.full);
  const n = live(await sandbox.state()).length;
  await tab.waitForFunction((count) => document.querySelectorAll('#product-table tbody tr').length === count, n);
  await tab.getByRole('button', { name: 'Clear selection' }).click();
  return tab;
}

/** Ticks each product's checkbox in the picker and waits for the count to say so. */
export async function selectProducts(tab, products) {
  for (const p of products) await tab.getByRole('checkbox', { name: `Select ${p.name}` }).check();
  await tab.getByText(`${products.length} selected`).waitFor();
}

/** Waits for the job whose label holds `text` to reach `status` (history outlives tests). */
export async function waitForJob(tab, text, status = 'finished') {
  const entry = tab.locator(`#job-list li[data-status="${status}"]`, { hasText: text }).first();
  await entry.waitFor({ timeout: 120_000 });
  return entry;
}

/** Opens the report of the job entry `job` and resolves to its rows' outcomes. */
export async function reportOutcomes(tab, job) {
  await job.getByRole('button', { name: 'Report' }).click();
  await tab.locator('#report:not([hidden]) #report-table tbody tr').first().waitFor();
  return tab.locator('#report-table tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.outcome));
}

/** The WCAG 2.0 and 2.1 A and AA rules: what the pages are held to. */
export const WCAG_AA_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

let axeSource = null;

/** Runs axe-core (the copy in node_modules, pinned in package.json) on `page` and resolves
 * to its violations as readable lines, one per rule and element: `rule (impact): help —
 * selector: what is wrong`. An empty list is a page with no violation.
 *
 * Options: `include` / `exclude` (CSS selectors, the part of the page to check; the whole
 * page by default), `tags` (WCAG 2.0/2.1 A and AA by default) and `rules` (axe's own
 * per-rule options: a rule switched off here needs its reason written beside it).
 *
 * An extension page's CSP allows no inline or remote script, so axe is not added as a
 * <script>: its text is evaluated through the DevTools protocol, in the page's own world,
 * which a page's script-src does not govern. */
export async function axeViolations(page, { include = null, exclude = null, tags = WCAG_AA_TAGS, rules = {} } = {}) {
  axeSource ??= await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(`${axeSource}\n;void 0`);
  const violations = await page.evaluate(
    async ({ include, exclude, tags, rules }) => {
      const context = include || exclude ? { include: include ?? [document], exclude: exclude ?? [] } : document;
      const result = await window.axe.run(context, { runOnly: { type: 'tag', values: tags }, rules, resultTypes: ['violations'] });
      return result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary })),
      }));
    },
    { include, exclude, tags, rules },
  );
  return violations.flatMap((v) =>
    v.nodes.map((n) => `${v.id} (${v.impact}): ${v.help} — ${n.target}: ${n.summary.replace(/\s+/g, ' ').trim()}`),
  );
}

/** RFC 4180: quoted fields may hold commas, quotes ("") and line breaks; cells are split at
 * `separator`. */
export function parseCsv(text, separator = ',') {
  const rows = [];
  let row = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === separator) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** What the buyer of a sandbox `sale` paid and kept, in minor units of its currency:
 * nothing after a full refund or a chargeback, what is still refundable after a partial
 * refund, else the price — as the customers file and the parity table's revenue count it. */
export function keptMinorUnits(sale) {
  if (sale.refunded || sale.chargedback) return 0;
  if (!sale.partially_refunded) return sale.price;
  const scale = sale.currency === 'jpy' ? 1 : 100;
  return Math.round(Number(sale.amount_refundable_in_currency) * scale);
}

/** Alive product-specific codes named `code` in a sandbox `state`, per product id. */
export function codesByProduct(state, code) {
  const found = new Map();
  for (const c of state.offer_codes) {
    if (c.deleted_at || c.code !== code) continue;
    found.set(c.product_id, [...(found.get(c.product_id) ?? []), c]);
  }
  return found;
}

/** A datetime-local value `ms` from now, in the browser's own time zone. */
export function localTimeIn(tab, ms) {
  return tab.evaluate((offset) => {
    const d = new Date(Date.now() + offset);
    const pad = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  }, ms);
}
