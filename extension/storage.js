// storage.js — the only module that touches chrome.storage. Keys are dotted namespaces;
// the token lives under `auth.token` in chrome.storage.local and is read only by the
// service worker (pages never ask for it back).

export const KEYS = Object.freeze({
  TOKEN: 'auth.token',
  PROFILE: 'auth.profile',
  PRODUCTS: 'cache.products',
});

const area = () => chrome.storage.local;

export async function get(key) {
  const found = await area().get(key);
  return found[key];
}

export async function set(entries) {
  await area().set(entries);
}

export async function remove(keys) {
  await area().remove(keys);
}
