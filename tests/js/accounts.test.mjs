// accounts.js: several Gumroad accounts, keyed by user id — what an earlier version kept
// becomes the first account, a second token for the same user replaces the first, a refused
// token leaves the account (and its work) waiting, forgetting deletes one account only.
import assert from 'node:assert/strict';
import { register } from 'node:module';
import { beforeEach, test } from 'node:test';
import { fakeChrome } from './fakes/chrome.mjs';
import { freshIndexedDB } from './fakes/indexeddb.mjs';

register('./fakes/hooks.mjs', import.meta.url);
const { fakeCore } = await import('./fakes/core.mjs');

let chrome;
let workers = 0;

/** The worker's modules as a freshly started worker has them. */
async function freshWorker() {
  workers += 1;
  const load = (name) => import(`../../extension/${name}.js?worker=${workers}`);
  return { accounts: await load('accounts'), jobs: await load('jobs'), storage: await load('storage') };
}

const connection = (userId, name, token) => ({ token, user: { user_id: userId, name, email: `${name.toLowerCase().replace(' ', '')}@example.com` }, scopes: ['edit_products'], missingFeatures: [] });

beforeEach(() => {
  chrome = fakeChrome();
  globalThis.chrome = chrome;
  freshIndexedDB();
  fakeCore.calls = [];
  fakeCore.refresh = null;
});

/** A signed-in account: its token and grant as a sign-in keeps them. */
async function signedIn(accounts, grant = {}) {
  await accounts.connected(connection('U1', 'Store One', 'access-1'), { clientId: 'app', refreshToken: 'refresh-1', scope: ['view_profile'], createdAt: Math.floor(Date.now() / 1000), expiresIn: null, ...grant });
}

test('many requests meeting 401 at once renew the token once; the new refresh token is kept before use', async () => {
  const { accounts } = await freshWorker();
  await signedIn(accounts);
  let release;
  fakeCore.refresh = () => new Promise((resolve) => (release = () => resolve({ accessToken: 'access-2', refreshToken: 'refresh-2', scope: ['view_profile'], createdAt: 1, expiresIn: null })));
  const session = await accounts.session('U1');
  const renewals = Array.from({ length: 5 }, () => session.credential.renew('access-1'));
  await new Promise((resolve) => setTimeout(resolve, 10));
  release();
  assert.deepEqual(await Promise.all(renewals), Array(5).fill('access-2'));
  assert.equal(fakeCore.calls.filter((c) => c.call === 'oauthRefresh').length, 1);
  assert.equal(chrome.data.get('acct.U1.auth.token'), 'access-2');
  assert.equal(chrome.data.get('acct.U1.auth.grant').refreshToken, 'refresh-2');
  assert.equal(session.token, 'access-2', 'the session follows the renewal');
  // A request still holding the old token gets the new one, without a second refresh.
  assert.equal(await accounts.renew('U1', 'access-1'), 'access-2');
  assert.equal(fakeCore.calls.filter((c) => c.call === 'oauthRefresh').length, 1);
});

test('a refused renewal leaves the account waiting for a new sign-in', async () => {
  const { accounts } = await freshWorker();
  await signedIn(accounts);
  fakeCore.refresh = async () => {
    throw Object.assign(new Error('The sign-in expired.'), { kind: 'Unauthorized' });
  };
  assert.equal(await accounts.renew('U1', 'access-1'), null);
  assert.equal((await accounts.find('U1')).needsReconnect, true);
  await assert.rejects(accounts.session('U1'), { kind: 'NotConnected' });
});

test('a token close to its expiry is renewed before work starts; a pasted token has nothing to renew', async () => {
  const { accounts } = await freshWorker();
  await signedIn(accounts, { createdAt: Math.floor(Date.now() / 1000) - 3500, expiresIn: 3600 });
  fakeCore.refresh = async () => ({ accessToken: 'access-2', refreshToken: 'refresh-2', scope: [], createdAt: Math.floor(Date.now() / 1000), expiresIn: 3600 });
  assert.equal((await accounts.session('U1')).token, 'access-2');
  assert.equal((await accounts.session('U1')).token, 'access-2', 'renewed once');
  assert.equal(fakeCore.calls.filter((c) => c.call === 'oauthRefresh').length, 1);

  await accounts.connected(connection('U2', 'Store Two', 'pasted'));
  const pasted = await accounts.session('U2');
  assert.equal(pasted.credential, 'pasted');
  assert.equal(chrome.data.get('acct.U2.auth.grant'), undefined);
});

test("an earlier version's one token, jobs, end times and export become that user's account", async () => {
  const endAt = new Date(Date.now() + 3_600_000).toISOString();
  const legacy = {
    'auth.token': 'old-token',
    'auth.profile': { user: { user_id: 'U1', name: 'Old Store' }, scopes: null, missingFeatures: [] },
    'cache.productList': { items: [{ id: 'p1' }], fetchedAt: 'then' },
    'cache.products': [{ id: 'p1' }],
    'ui.selection': ['p1'],
    'jobs.current': { id: 'j1', status: 'finished' },
    'jobs.history': [{ id: 'j1', label: 'Apply FLASH', status: 'finished', endAt }],
    'reports.j1': { rows: [] },
    'plans.j1': { steps: [] },
    'jobrows.j2.0': { index: 0 },
    'exports.current': { id: 'e1', status: 'ready' },
    'settings.parity': { settings: {} },
  };
  for (const [key, value] of Object.entries(legacy)) chrome.data.set(key, value);
  await chrome.alarms.create('endtime:j1', { when: Date.parse(endAt) });

  const { accounts, jobs, storage } = await freshWorker();
  const index = await accounts.index();
  assert.deepEqual(index, { active: 'U1', list: [{ id: 'U1', name: 'Old Store', email: null, needsReconnect: false }] });
  const store = storage.account('U1');
  for (const [key, value] of Object.entries(legacy)) {
    if (key === 'cache.products' || key === 'settings.parity') continue;
    assert.deepEqual(await store.get(key), value, key);
    assert.ok(!chrome.data.has(key), `${key} moved`);
    // Plans, rows, reports and the product list went on to IndexedDB.
    assert.equal(chrome.data.has(`acct.U1.${key}`), !storage.isBulky(key), `${key} in its store`);
  }
  assert.ok(!chrome.data.has('cache.products'), 'the obsolete cache is dropped');
  assert.deepEqual(chrome.data.get('settings.parity'), { settings: {} }, "the seller's settings stay");
  assert.equal((await accounts.session('U1')).token, 'old-token');

  // The end time is armed again under the account's name.
  await jobs.recoverInterrupted();
  assert.deepEqual([...chrome.alarmList.keys()], ['endtime:U1:j1']);
});

test('jobs kept without a token become an "Earlier account" that nothing can spend', async () => {
  chrome.data.set('jobs.history', [{ id: 'j1', label: 'Apply FLASH', status: 'finished' }]);
  const { accounts } = await freshWorker();
  assert.deepEqual(await accounts.index(), { active: null, list: [{ id: 'earlier', name: 'Earlier account', email: null, needsReconnect: true }] });
  await assert.rejects(accounts.session('earlier'), { kind: 'NotConnected', message: /Earlier account/ });
});

test('a second token of the same user replaces the first; another user is a second account', async () => {
  const { accounts } = await freshWorker();
  await accounts.connected(connection('U1', 'Store One', 'token-a'));
  await accounts.connected(connection('U2', 'Store Two', 'token-b'));
  await accounts.connected(connection('U1', 'Store One', 'token-a2'));
  const index = await accounts.index();
  assert.equal(index.active, 'U1');
  assert.deepEqual(index.list.map((a) => a.id).sort(), ['U1', 'U2']);
  assert.equal((await accounts.session('U1')).token, 'token-a2');
  assert.equal((await accounts.session('U2')).token, 'token-b');
  assert.equal(chrome.data.get('acct.U1.auth.profile').token, undefined, 'the profile holds no token');
});

test('a refused token leaves the account and its work waiting, named; a new token revives it', async () => {
  const { accounts } = await freshWorker();
  await accounts.connected(connection('U1', 'Store One', 'token-a'));
  chrome.data.set('acct.U1.jobs.history', [{ id: 'j1' }]);
  chrome.data.set('acct.U1.insights.buyerCountries', { countries: { sales: 3 } });
  await accounts.tokenRefused('U1', 'some-other-token');
  assert.equal((await accounts.session('U1')).token, 'token-a', 'only the refused token is dropped');
  await accounts.tokenRefused('U1', 'token-a');
  await assert.rejects(accounts.session('U1'), { kind: 'NotConnected', message: /needs Store One connected/ });
  assert.equal((await accounts.find('U1')).needsReconnect, true);
  assert.deepEqual(chrome.data.get('acct.U1.jobs.history'), [{ id: 'j1' }]);
  assert.deepEqual(chrome.data.get('acct.U1.insights.buyerCountries'), { countries: { sales: 3 } }, 'where buyers are waits too');
  await accounts.connected(connection('U1', 'Store One', 'token-new'));
  assert.equal((await accounts.find('U1')).needsReconnect, false);
  assert.equal((await accounts.session('U1')).token, 'token-new');
});

test("forgetting an account aborts its requests and deletes its keys only, in both stores; the next becomes active", async () => {
  const { accounts, storage } = await freshWorker();
  const records = await import(`../../extension/account-records.js?worker=${workers}`);
  await accounts.connected(connection('U2', 'Store Two', 'token-b'));
  await accounts.connected(connection('U1', 'Store One', 'token-a'));
  const countries = storage.KEYS.BUYER_COUNTRIES;
  await storage.account('U1').set({ 'reports.j1': { rows: [] }, 'plans.j1': { steps: [] }, 'jobs.history': [{ id: 'j1' }], [countries]: { countries: { sales: 1 } } });
  await storage.account('U2').set({ 'reports.j9': { rows: [] }, 'cache.productList': { items: [] }, [countries]: { countries: { sales: 2 } } });
  // A report an earlier version kept in chrome.storage and not moved yet goes too.
  chrome.data.set('acct.U1.reports.j0', { rows: [] });
  assert.deepEqual((await records.keys('U1')).sort(), ['plans.j1', 'reports.j1']);
  const { signal } = await accounts.session('U1');
  accounts.stopAll('U1');
  assert.equal(signal.aborted, true);
  await accounts.remove('U1');
  assert.deepEqual([...chrome.data.keys()].filter((k) => k.startsWith('acct.U1.')), []);
  assert.deepEqual(await records.keys('U1'), [], "nothing of U1 is left in IndexedDB");
  assert.deepEqual((await records.keys('U2')).sort(), ['cache.productList', 'reports.j9']);
  assert.deepEqual(await storage.account('U2').get('reports.j9'), { rows: [] });
  assert.deepEqual(await storage.account('U2').get(countries), { countries: { sales: 2 } }, "the other account's buyer countries stay");
  assert.deepEqual(await accounts.index(), { active: 'U2', list: [{ id: 'U2', name: 'Store Two', email: 'storetwo@example.com', needsReconnect: false, signedIn: false }] });
  // A new session of another account is not stopped.
  assert.equal((await accounts.session('U2')).signal.aborted, false);
});
