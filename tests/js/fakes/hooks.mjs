// Module hooks for the worker tests: the jobs module gets a stand-in for the wasm core (the
// core's rules have their own tests in Rust; these tests are about what the worker keeps),
// and a module imported as `…?worker=N` brings its own copies of the worker's modules, as
// a freshly started worker has them (its memory is new, its storage is not: the same fake
// chrome.storage and IndexedDB, its own connection to the database).
const WORKER_MODULES = ['./accounts.js', './one-at-a-time.js', './storage.js', './account-records.js', './idb.js', './jobs.js', './export-jobs.js'];

export async function resolve(specifier, context, next) {
  const parent = context.parentURL ?? '';
  if (specifier === './core.js' && parent.includes('/extension/')) {
    return { url: new URL('./core.mjs', import.meta.url).href, shortCircuit: true };
  }
  const worker = parent.match(/\?worker=\d+$/)?.[0];
  if (worker && WORKER_MODULES.includes(specifier)) {
    return { url: new URL(specifier, parent).href.replace(/\?.*$/, '') + worker, shortCircuit: true };
  }
  return next(specifier, context);
}
