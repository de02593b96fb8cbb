// feedback.js: the words a seller reads for each kind of error. Pages branch on `kind`,
// never on message text; the worker's message carries the detail.
import assert from 'node:assert/strict';
import { test } from 'node:test';

const { describe: wording } = await import('../../extension/app/feedback.js');

test('each error kind gets its own words, with the detail kept', () => {
  const rows = [
    [{ kind: 'InvalidInput', message: 'Enter a discount code.' }, undefined, /^Enter a discount code\.$/],
    [{ kind: 'Rejected', message: 'Discount code must be unique.' }, undefined, /^Discount code must be unique\.$/],
    [{ kind: 'Unauthorized', message: 'Revoked.' }, 'connect', /did not accept this token, so it was not saved\. Revoked\.$/],
    [{ kind: 'Unauthorized', message: 'Revoked.' }, undefined, /no longer accepts the saved token, so it was forgotten/],
    [{ kind: 'Forbidden', message: 'x' }, 'connect', /lacks a permission \(scope\) Bulkroad needs, so it was not saved/],
    [{ kind: 'Forbidden', message: 'x' }, undefined, /lacks a permission \(scope\) this needs/],
    [{ kind: 'Network', message: 'x' }, 'connect', /to check the token, so nothing was saved/],
    [{ kind: 'Network', message: 'x' }, undefined, /^Could not reach Gumroad\. Check your connection/],
    [{ kind: 'RateLimited', message: 'x' }, undefined, /slow down/],
    [{ kind: 'Server', message: 'Gumroad had a problem.' }, undefined, /^Gumroad had a problem\.$/],
  ];
  for (const [error, during, expected] of rows) {
    assert.match(wording(error, during), expected, `${error.kind} during ${during}`);
  }
});
