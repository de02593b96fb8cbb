// Module hooks for the job tests: the jobs module gets a stand-in for the wasm core (the
// core's rules have their own tests in Rust; these tests are about what the worker keeps).
export async function resolve(specifier, context, next) {
  if (specifier === './core.js' && context.parentURL?.includes('/extension/jobs.js')) {
    return { url: new URL('./core.mjs', import.meta.url).href, shortCircuit: true };
  }
  return next(specifier, context);
}
