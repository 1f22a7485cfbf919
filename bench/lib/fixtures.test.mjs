// Tests for lib/fixtures.mjs and the committed bench models (node --test bench/).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { BENCH_TIMING, benchClusterName, benchFixture, benchFixtureFile, fixtureText, rolesFor } from './fixtures.mjs';
import { NODE_COUNTS } from '../sections/20-coordinator-overhead.mjs';

const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..');

test('roles spread from 0 on the first node to 6 on the last, never decreasing', () => {
  for (const n of [2, 4, 8, 16, 64]) {
    const roles = Array.from({ length: n }, (_, i) => rolesFor(i, n));
    assert.equal(roles[0], 0);
    assert.equal(roles.at(-1), 6);
    assert.ok(roles.every((r, i) => i === 0 || r >= roles[i - 1]), `${n}: ${roles}`);
  }
  assert.deepEqual(Array.from({ length: 4 }, (_, i) => rolesFor(i, 4)), [0, 2, 4, 6]);
});

test('a bench model: S2D, realistic timing, one rebooting update per node, unique names, no faults', () => {
  const fixture = benchFixture(16);
  assert.equal(fixture.name, 'BENCH16');
  assert.ok(fixture.name.length <= 15);
  assert.deepEqual(fixture.timing, { ...BENCH_TIMING });
  assert.equal(fixture.storage.s2d, true);
  assert.equal(fixture.nodes.length, 16);
  assert.equal(new Set(fixture.nodes.map((n) => n.name)).size, 16);
  const roles = fixture.nodes.flatMap((n) => n.roles);
  assert.equal(new Set(roles).size, roles.length);
  for (const node of fixture.nodes) {
    assert.equal(node.updates.length, 1);
    assert.equal(node.updates[0].rebootRequired, true);
    assert.deepEqual(node.updates[0].followUps, []);
    assert.deepEqual(node.faults, []);
  }
  assert.equal(benchFixture(64).nodes[63].name, 'NODE64');
  assert.equal(benchClusterName(2), 'BENCH02');
  assert.throws(() => benchFixture(1), RangeError);
});

test('the committed bench models are what the generator writes (node bench/fixtures/generate.mjs)', () => {
  for (const n of NODE_COUNTS) {
    const committed = readFileSync(join(benchDir, 'fixtures', benchFixtureFile(n)), 'utf8');
    assert.equal(committed, fixtureText(benchFixture(n)), `bench/fixtures/${benchFixtureFile(n)} is stale`);
  }
});
