// ai-suggestions.js — the worker's side of AI listing suggestions: the seller's endpoint
// settings, kept per account, and the requests to that endpoint. The core checks the
// address, words every status and error, builds each request body and judges each answer
// against Gumroad's rules; this module keeps the settings and carries the bytes.
//
// The key is kept like a token: only this module reads it, it goes only in the
// Authorization header of a request to the saved endpoint (never to another origin: a new
// origin needs its own key), and no page, log, report or download is ever given it.
// Nothing is sent unless the seller saved an endpoint, Chrome allows its origin, and the
// seller asked for suggestions.
import * as storage from './storage.js';

/** What the settings form shows: never the key, only whether there is one. */
export async function settingsView(store, core) {
  const saved = await store.get(storage.KEYS.AI_SETTINGS);
  return core.aiSettingsView(saved ?? null, saved ? await allowed(saved.permission) : false);
}

/** Saves `{url, model, key}` once the core accepts it and Chrome allows the endpoint's
 * origin; otherwise answers `{needsPermission, refusedMessage}` and saves nothing (the
 * page asks the seller, then sends the form again). A blank key keeps the saved one, only
 * for the same origin. */
export async function save(store, core, { url, model, key }) {
  const saved = await store.get(storage.KEYS.AI_SETTINGS);
  const typedKey = String(key ?? '').trim();
  const endpoint = core.aiSettingsCheck(String(url ?? ''), String(model ?? ''), typedKey !== '', saved?.key ? saved.origin : null);
  if (!(await allowed(endpoint.permission))) {
    return { needsPermission: endpoint.permission, refusedMessage: endpoint.refusedMessage };
  }
  const settings = {
    url: endpoint.url,
    origin: endpoint.origin,
    permission: endpoint.permission,
    model: endpoint.model,
    key: typedKey || saved.key,
  };
  await store.set({ [storage.KEYS.AI_SETTINGS]: settings });
  if (saved?.permission && saved.permission !== settings.permission) await giveBack(saved.permission);
  return core.aiSettingsView(settings, true);
}

/** Forgets the endpoint and key, and gives the origin's permission back (unless another
 * account still uses that origin). */
export async function forget(store, core) {
  await forgetFor(store);
  return core.aiSettingsView(null, false);
}

/** What forgetting `store`'s account (or only its AI settings) does here. */
export async function forgetFor(store) {
  const saved = await store.get(storage.KEYS.AI_SETTINGS);
  await store.remove([storage.KEYS.AI_SETTINGS]);
  if (saved?.permission) await giveBack(saved.permission);
}

/** Gives Chrome's permission for `permission` back when no account's settings use it. */
async function giveBack(permission) {
  const list = (await storage.get(storage.ACCOUNTS))?.list ?? [];
  for (const { id } of list) {
    if ((await storage.account(id).get(storage.KEYS.AI_SETTINGS))?.permission === permission) return;
  }
  await chrome.permissions.remove({ origins: [permission] }).catch(() => {});
}

/** Asks the saved endpoint for a suggestion per product, one product at a time (a seller's
 * key is usually limited to a few requests a minute). Resolves to one entry per product:
 * the core's checked suggestion, or `{productId, productName, error}`. A refused key or a
 * rate limit ends the round: the other products are not sent. `stop`: the account's
 * signal. */
export async function suggest(store, core, products, instruction, stop) {
  const saved = await store.get(storage.KEYS.AI_SETTINGS);
  core.aiSuggestCheck(saved ?? null, products.length);
  if (!(await allowed(saved.permission))) throw core.aiFailure('permission', saved.origin);
  const results = [];
  for (const [at, product] of products.entries()) {
    const request = core.suggestionRequest(saved.model, product, String(instruction ?? ''));
    let status;
    let text;
    try {
      const response = await fetch(saved.url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${saved.key}` },
        body: request.body,
        signal: AbortSignal.any([stop, AbortSignal.timeout(request.timeoutMs)].filter(Boolean)),
        credentials: 'omit',
        cache: 'no-store',
        // The key must not follow a redirect to another address.
        redirect: 'error',
        referrerPolicy: 'no-referrer',
      });
      status = response.status;
      // The endpoint's own error text may be quoted to the seller: never with the key in it.
      text = (await response.text()).split(saved.key).join('[your key]');
    } catch (error) {
      if (stop?.aborted) throw core.aiFailure('stopped', saved.origin);
      results.push(failed(product, core.aiFailure(error?.name === 'TimeoutError' ? 'timeout' : 'unreachable', saved.origin)));
      continue;
    }
    try {
      results.push(core.readSuggestion(status, text, product));
    } catch (error) {
      results.push(failed(product, error));
      // The endpoint refused the key (401/403) or limits its requests (429): every other
      // product would meet the same, so they are not sent.
      if (error.status === 401 || error.status === 403 || error.status === 429) {
        const notAsked = core.aiFailure('notAsked', saved.origin);
        for (const rest of products.slice(at + 1)) results.push(failed(rest, notAsked));
        break;
      }
    }
  }
  return results;
}

function failed(product, error) {
  return { productId: product.id, productName: product.name, error: error.message, kind: error.kind ?? null, status: error.status ?? null };
}

async function allowed(permission) {
  if (!permission) return false;
  return chrome.permissions.contains({ origins: [permission] }).catch(() => false);
}
