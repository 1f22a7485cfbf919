// Tests for lib/figures.mjs (node --test bench/).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { figure, formatFigure, meetsGoal } from './figures.mjs';

test('a goal is met or missed by its operator', () => {
  assert.equal(meetsGoal(1.02, { op: '<=', value: 1.02 }), true);
  assert.equal(meetsGoal(1.02, { op: '<', value: 1.02 }), false);
  assert.equal(meetsGoal(Number.NaN, { op: '<=', value: 1 }), false);
  assert.throws(() => meetsGoal(1, { op: '==', value: 1 }), RangeError);
});

test('figure records met only when it has a goal', () => {
  assert.equal(figure('a', 'A', 1, 'x').met, undefined);
  assert.equal(figure('a', 'A', 1.6, 'x', { goal: { op: '<=', value: 1.5 } }).met, false);
});

test('formatFigure says met or MISSED next to the value', () => {
  const missed = formatFigure(figure('r', '--version / bare node', 1.6, 'x', { goal: { op: '<=', value: 1.5 } }));
  assert.match(missed, /1\.600 x\s+goal <= 1\.500 x: MISSED/);
  const met = formatFigure(figure('m', 'median', 74.25, 'ms', { goal: { op: '<', value: 100 }, detail: 'p90 80 ms' }));
  assert.match(met, /74\.3 ms\s+goal < 100 ms: met\s+\(p90 80 ms\)/);
  assert.match(formatFigure(figure('c', 'modules', 3, '')), / 3$/);
});
