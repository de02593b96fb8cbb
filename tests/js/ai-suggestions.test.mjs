// ai-suggestions.js: the seller's AI endpoint is saved only once Chrome allows its origin,
// the key never leaves the worker except in the Authorization header to that endpoint,
// nothing is sent once the permission is withdrawn, and a refused key ends the round.
import assert from 'node:assert/strict';
import { beforeEach, test } from 'node:test';
import { fakeChrome } from './fakes/chrome.mjs';
import { freshIndexedDB } from './fakes/indexeddb.mjs';

const ai = await import('../../extension/ai-suggestions.js');
const storage = await import('../../extension/storage.js');

const URL_A = 'https://models.example/v1/chat/completions';
const KEY = 'sk-secret-key-123456';

let chrome;
let allowedOrigins;
let sent;

/** The core's answers in their simplest form: the rules themselves are tested in Rust. */
const core = {
  aiSettingsCheck(url, model, keyTyped, savedKeyOrigin) {
    const origin = new URL(url).origin;
    if (!keyTyped && savedKeyOrigin !== origin) throw Object.assign(new Error('Enter the key.'), { kind: 'InvalidInput' });
    return { url, origin, permission: `${origin}/*`, model, refusedMessage: `Not allowed to reach ${origin}.` };
  },
  aiSettingsView(saved, allowed) {
    return saved ? { configured: true, url: saved.url, model: saved.model, hasKey: Boolean(saved.key), allowed, status: 'Saved.' } : { configured: false, status: 'Off.' };
  },
  aiSuggestCheck(saved, count) {
    if (!saved || count === 0) throw Object.assign(new Error('Set up first.'), { kind: 'InvalidInput' });
  },
  aiFailure(reason, origin) {
    return Object.assign(new Error(`${reason} ${origin}`), { kind: reason === 'permission' ? 'InvalidInput' : 'Network' });
  },
  suggestionRequest(model, product) {
    return { body: JSON.stringify({ model, product: product.name }), timeoutMs: 1000 };
  },
  readSuggestion(status, text, product) {
    // Like the core, it quotes the endpoint's own words.
    if (status >= 400) throw Object.assign(new Error(`The AI endpoint refused: ${text}`), { kind: 'Rejected', status });
    return { productId: product.id, productName: product.name, name: JSON.parse(text).name, problems: [] };
  },
};

const products = [
  { id: 'p1', name: 'One' },
  { id: 'p2', name: 'Two' },
  { id: 'p3', name: 'Three' },
];

beforeEach(() => {
  chrome = fakeChrome();
  allowedOrigins = new Set();
  chrome.permissions = {
    async contains({ origins }) {
      return origins.every((o) => allowedOrigins.has(o));
    },
    async remove({ origins }) {
      for (const o of origins) allowedOrigins.delete(o);
      return true;
    },
  };
  globalThis.chrome = chrome;
  freshIndexedDB();
  sent = [];
  globalThis.fetch = async (url, init) => {
    sent.push({ url, init });
    return init.headers.Authorization === `Bearer ${KEY}`
      ? new Response(JSON.stringify({ name: 'Better' }), { status: 200 })
      : init.headers.Authorization === 'Bearer sk-busy'
        ? new Response('{"error":{"message":"Rate limit reached"}}', { status: 429 })
        : new Response(`{"error":{"message":"Incorrect API key provided: ${init.headers.Authorization.slice(7)}"}}`, { status: 401 });
  };
});

const everythingKept = () => JSON.stringify([...chrome.data.entries()]);

test('an endpoint Chrome does not allow is not saved: the page is told to ask, and nothing is sent', async () => {
  const store = storage.account('U1');
  const answer = await ai.save(store, core, { url: URL_A, model: 'm', key: KEY });
  assert.deepEqual(answer, { needsPermission: 'https://models.example/*', refusedMessage: 'Not allowed to reach https://models.example.' });
  assert.equal(await store.get(storage.KEYS.AI_SETTINGS), undefined);
  assert.ok(!everythingKept().includes(KEY));
  assert.deepEqual(sent, []);
});

test('once allowed, the settings are saved; the page is shown whether there is a key, never the key', async () => {
  const store = storage.account('U1');
  allowedOrigins.add('https://models.example/*');
  const view = await ai.save(store, core, { url: URL_A, model: 'm', key: `  ${KEY} ` });
  assert.equal(view.hasKey, true);
  assert.ok(!JSON.stringify(view).includes(KEY));
  assert.ok(!JSON.stringify(await ai.settingsView(store, core)).includes(KEY));
  assert.equal((await store.get(storage.KEYS.AI_SETTINGS)).key, KEY, 'kept trimmed');
  // A blank key keeps the saved one for the same endpoint.
  await ai.save(store, core, { url: URL_A, model: 'm2', key: '' });
  assert.deepEqual(await store.get(storage.KEYS.AI_SETTINGS), { url: URL_A, origin: 'https://models.example', permission: 'https://models.example/*', model: 'm2', key: KEY });
  // …but never carries it to another origin.
  allowedOrigins.add('https://other.example/*');
  await assert.rejects(ai.save(store, core, { url: 'https://other.example/v1', model: 'm', key: '' }), /Enter the key/);
  assert.equal((await store.get(storage.KEYS.AI_SETTINGS)).url, URL_A);
});

test('the key goes only in the Authorization header to the saved endpoint, and nothing once the permission is withdrawn', async () => {
  const store = storage.account('U1');
  allowedOrigins.add('https://models.example/*');
  await ai.save(store, core, { url: URL_A, model: 'm', key: KEY });
  const results = await ai.suggest(store, core, products.slice(0, 2), 'be brief', undefined);
  assert.deepEqual(results.map((r) => r.name), ['Better', 'Better']);
  assert.equal(sent.length, 2);
  for (const { url, init } of sent) {
    assert.equal(url, URL_A);
    assert.equal(init.headers.Authorization, `Bearer ${KEY}`);
    assert.ok(!init.body.includes(KEY));
    assert.equal(init.redirect, 'error');
    assert.equal(init.credentials, 'omit');
  }

  allowedOrigins.clear();
  await assert.rejects(ai.suggest(store, core, products, '', undefined), (error) => error.kind === 'InvalidInput');
  assert.equal(sent.length, 2, 'nothing more was sent');
});

test('a refused key ends the round: the other products are not sent', async () => {
  const store = storage.account('U1');
  allowedOrigins.add('https://models.example/*');
  await ai.save(store, core, { url: URL_A, model: 'm', key: 'sk-wrong' });
  const results = await ai.suggest(store, core, products, '', undefined);
  assert.equal(sent.length, 1);
  assert.deepEqual(results.map((r) => [r.productId, r.kind]), [['p1', 'Rejected'], ['p2', 'Network'], ['p3', 'Network']]);
  assert.match(results[0].error, /refused/);
  assert.ok(!JSON.stringify(results).includes('sk-wrong'), 'the endpoint quoted the key; the seller is not shown it');
  assert.match(results[0].error, /\[your key\]/);
  assert.match(results[1].error, /^notAsked /);
});

test('a rate limit ends the round too', async () => {
  const store = storage.account('U1');
  allowedOrigins.add('https://models.example/*');
  await ai.save(store, core, { url: URL_A, model: 'm', key: 'sk-busy' });
  const results = await ai.suggest(store, core, products, '', undefined);
  assert.equal(sent.length, 1);
  assert.deepEqual(results.map((r) => r.status), [429, null, null]);
});

test('forgetting removes the key and gives the permission back', async () => {
  const store = storage.account('U1');
  allowedOrigins.add('https://models.example/*');
  await ai.save(store, core, { url: URL_A, model: 'm', key: KEY });
  const view = await ai.forget(store, core);
  assert.equal(view.configured, false);
  assert.equal(await store.get(storage.KEYS.AI_SETTINGS), undefined);
  assert.equal(allowedOrigins.size, 0);
  assert.ok(!everythingKept().includes(KEY));
});

test('a permission another account still uses is kept when one account forgets its endpoint', async () => {
  await chrome.storage.local.set({ [storage.ACCOUNTS]: { active: 'U1', list: [{ id: 'U1' }, { id: 'U2' }] } });
  allowedOrigins.add('https://models.example/*');
  await ai.save(storage.account('U1'), core, { url: URL_A, model: 'm', key: KEY });
  await ai.save(storage.account('U2'), core, { url: URL_A, model: 'm', key: 'sk-two' });
  await ai.forget(storage.account('U1'), core);
  assert.ok(allowedOrigins.has('https://models.example/*'), 'U2 still uses it');
  // U2 moves to another endpoint: the old origin is given back once nobody uses it.
  allowedOrigins.add('https://other.example/*');
  await ai.save(storage.account('U2'), core, { url: 'https://other.example/v1', model: 'm', key: 'sk-two' });
  assert.ok(!allowedOrigins.has('https://models.example/*'));
  assert.ok(allowedOrigins.has('https://other.example/*'));
});
