// one-at-a-time.js — a queue that runs async work one piece after another, in the order
// given. Changes of a job's or an export's status go through one, so two pages (or a page
// and an alarm, or a double click) cannot both pass a check like "nothing is running" before
// either has recorded what it started.

/** A function that runs `work()` once every piece queued before it has settled, and
 * resolves or rejects as `work` does; a failed piece does not stop the ones after it. */
export function oneAtATime() {
  let last = Promise.resolve();
  return (work) => {
    const result = last.then(() => work());
    last = result.catch(() => {});
    return result;
  };
}
