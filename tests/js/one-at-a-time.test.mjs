// one-at-a-time.js: the queue that keeps two status changes from passing the same check.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { oneAtATime } from '../../extension/one-at-a-time.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

test('runs pieces one after another, in the order queued, each seeing what the last recorded', async () => {
  const queue = oneAtATime();
  let running = null;
  const started = [];
  const piece = (name, delay) => queue(async () => {
    // What a second start checks: nothing may be running when a piece begins.
    assert.equal(running, null, `${name} began while ${running} ran`);
    running = name;
    started.push(name);
    await new Promise((resolve) => setTimeout(resolve, delay));
    running = null;
    return name;
  });
  const results = await Promise.all([piece('a', 20), piece('b', 0), piece('c', 5)]);
  assert.deepEqual(results, ['a', 'b', 'c']);
  assert.deepEqual(started, ['a', 'b', 'c']);
});

test('a failed piece rejects its own caller and does not stop the next one', async () => {
  const queue = oneAtATime();
  const failed = queue(async () => {
    throw new Error('An export is already running.');
  });
  const next = queue(async () => 'ran');
  await assert.rejects(failed, /already running/);
  assert.equal(await next, 'ran');
});

test('a piece queued while another waits does not start before it settles', async () => {
  const queue = oneAtATime();
  let release;
  const first = queue(() => new Promise((resolve) => (release = resolve)));
  let secondStarted = false;
  const second = queue(async () => {
    secondStarted = true;
  });
  await tick();
  assert.equal(secondStarted, false);
  release();
  await first;
  await second;
  assert.equal(secondStarted, true);
});
