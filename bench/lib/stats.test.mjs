// Tests for lib/stats.mjs (node --test bench/).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { quantile, round, summarize } from './stats.mjs';

test('median of an odd and an even sample', () => {
  assert.equal(quantile([5, 1, 3], 0.5), 3);
  assert.equal(quantile([4, 1, 3, 2], 0.5), 2.5);
});

test('p90 interpolates between closest ranks and ignores input order', () => {
  const samples = Array.from({ length: 15 }, (_, i) => 15 - i); // 15..1
  // (15 - 1) * 0.9 = 12.6: between the 13th (13) and 14th (14) smallest.
  assert.ok(Math.abs(quantile(samples, 0.9) - 13.6) < 1e-9);
  assert.equal(quantile(samples, 0), 1);
  assert.equal(quantile(samples, 1), 15);
});

test('quantile refuses no samples and q outside 0..1', () => {
  assert.throws(() => quantile([], 0.5), RangeError);
  assert.throws(() => quantile([1], 1.5), RangeError);
});

test('summarize reports n, median, p90, min and max', () => {
  assert.deepEqual(summarize([2, 4, 6]), { n: 3, median: 4, p90: 5.6, min: 2, max: 6 });
  assert.equal(round(1.23456, 2), 1.23);
});
