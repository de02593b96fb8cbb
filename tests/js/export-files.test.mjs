// export-files.js: how the pages of an export are cut into batches for writing the file —
// in file order, resumable from any page, each range one shard's run (one key range).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pageBatches } from '../../extension/export-files.js';

const ranges = (runs, skip, size) => [...pageBatches(runs, skip, size)].map((batch) => batch.map(({ shard, first, last }) => `${shard}:${first}-${last}`).join(' '));

test('batches follow the runs in file order, span runs, and never split a page', () => {
  // A split shard's lower half (id 7) comes between shards 0 and 1.
  const runs = [{ shard: 0, pages: 3 }, { shard: 7, pages: 5 }, { shard: 1, pages: 1 }];
  // (skip, size, batches)
  const rows = [
    [0, 100, ['0:1-3 7:1-5 1:1-1']],
    [0, 4, ['0:1-3 7:1-1', '7:2-5', '1:1-1']],
    [0, 3, ['0:1-3', '7:1-3', '7:4-5 1:1-1']],
    [0, 1, ['0:1-1', '0:2-2', '0:3-3', '7:1-1', '7:2-2', '7:3-3', '7:4-4', '7:5-5', '1:1-1']],
    // Resumed after 4 pages were written: on from shard 7's second page.
    [4, 4, ['7:2-5', '1:1-1']],
    [3, 2, ['7:1-2', '7:3-4', '7:5-5 1:1-1']],
    [8, 10, ['1:1-1']],
    [9, 10, []],
    [20, 10, []],
  ];
  for (const [skip, size, expected] of rows) assert.deepEqual(ranges(runs, skip, size), expected, `skip ${skip}, size ${size}`);
});

test('every page is in exactly one batch, whatever the size and the start', () => {
  const runs = [{ shard: 3, pages: 17 }, { shard: 9, pages: 2 }, { shard: 4, pages: 40 }];
  const all = runs.flatMap(({ shard, pages }) => Array.from({ length: pages }, (_, i) => `${shard}:${i + 1}`));
  for (const size of [1, 2, 7, 19, 59, 100]) {
    for (const skip of [0, 1, 16, 17, 18, 30, 59]) {
      const pages = [...pageBatches(runs, skip, size)].flatMap((batch) => {
        assert.ok(batch.reduce((n, r) => n + r.last - r.first + 1, 0) <= size, 'no batch over its size');
        return batch.flatMap(({ shard, first, last }) => Array.from({ length: last - first + 1 }, (_, i) => `${shard}:${first + i}`));
      });
      assert.deepEqual(pages, all.slice(skip), `size ${size}, skip ${skip}`);
    }
  }
});

test('runs without pages give nothing', () => {
  assert.deepEqual(ranges([], 0, 10), []);
  assert.deepEqual(ranges([{ shard: 1, pages: 0 }], 0, 10), []);
});
