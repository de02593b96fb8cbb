// core.js — the one module that imports the wasm glue. `ready()` initialises the module
// once per worker instance and is awaited by every handler; a failed start is not
// memoised, so the next message tries again.
import init, * as wasm from './pkg/bulkroad.js';

let starting = null;

export function ready() {
  starting ??= init({ module_or_path: chrome.runtime.getURL('pkg/bulkroad_bg.wasm') })
    .then(() => {
      // User Timing marks cost nothing and show in DevTools; the benchmarks read this one.
      performance.mark('bulkroad:wasm-ready');
      return wasm;
    })
    .catch((error) => {
      starting = null;
      throw error;
    });
  return starting;
}
