// messages.js: the page side of every request to the service worker — envelopes become
// errors carrying `kind` and `status`, a silent or missing worker becomes a clear error.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, mock, test } from 'node:test';

let reply;
let sent;
globalThis.chrome = {
  runtime: {
    sendMessage: async (message) => {
      sent.push(message);
      return typeof reply === 'function' ? reply(message) : reply;
    },
  },
};
const { MSG, request } = await import('../../extension/messages.js');

beforeEach(() => {
  sent = [];
});

describe('request', () => {
  test('sends the type and payload and resolves to the value of an ok envelope', async () => {
    reply = { ok: true, value: { connected: true } };
    assert.deepEqual(await request(MSG.AUTH_STATUS, { a: 1 }), { connected: true });
    assert.deepEqual(sent, [{ type: 'auth.status', payload: { a: 1 } }]);
  });

  test('a refused envelope throws an error with its kind, status and message', async () => {
    reply = { ok: false, error: { kind: 'Forbidden', message: 'Needs edit_products.', status: 403 } };
    await assert.rejects(request(MSG.PRODUCTS_LIST), (error) => {
      assert.equal(error.name, 'BulkroadError');
      assert.equal(error.kind, 'Forbidden');
      assert.equal(error.status, 403);
      assert.equal(error.message, 'Needs edit_products.');
      return true;
    });
  });

  test('no answer at all is a Server error, never an undefined value', async () => {
    reply = undefined;
    await assert.rejects(request(MSG.PING), { kind: 'Server', status: null });
  });

  describe('a worker that never answers', () => {
    beforeEach(() => mock.timers.enable({ apis: ['setTimeout'] }));
    afterEach(() => mock.timers.reset());

    test('gives up after 90 s on a quick request, with a Network error', async () => {
      reply = () => new Promise(() => {});
      const pending = request(MSG.PING);
      mock.timers.tick(89_999);
      let settled = false;
      pending.catch(() => {}).finally(() => (settled = true));
      await Promise.resolve();
      assert.equal(settled, false);
      mock.timers.tick(1);
      await assert.rejects(pending, { kind: 'Network' });
    });

    test('waits ten minutes for a preview, which reads the whole store', async () => {
      reply = () => new Promise(() => {});
      const pending = request(MSG.CODES_PREVIEW_APPLY, { form: {} });
      let settled = false;
      pending.catch(() => {}).finally(() => (settled = true));
      mock.timers.tick(90_000);
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(settled, false, 'still waiting after 90 s');
      mock.timers.tick(10 * 60_000 - 90_000);
      await assert.rejects(pending, { kind: 'Network' });
    });
  });
});

test('message types are unique', () => {
  const values = Object.values(MSG);
  assert.equal(new Set(values).size, values.length);
});
