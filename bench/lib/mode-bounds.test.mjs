// Tests for lib/mode-bounds.mjs and the issue 18 models (node --test bench/).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { CONCURRENCY_FIXTURES, racksFixture, sanFixture } from './concurrency-fixtures.mjs';
import { benchFixture, fixtureText } from './fixtures.mjs';
import { lowerBound } from './lower-bound.mjs';
import { benchGroups, concurrencyLowerBound, preInstallLowerBound } from './mode-bounds.mjs';

const benchDir = join(dirname(fileURLToPath(import.meta.url)), '..');

test('the committed issue 18 models match their generator', () => {
  for (const [file, build] of Object.entries(CONCURRENCY_FIXTURES)) {
    assert.equal(readFileSync(join(benchDir, 'fixtures', file), 'utf8'), fixtureText(build()), `${file}: run node bench/fixtures/generate.mjs`);
  }
});

test('pre-install bound on the 8-node model: prelude + canary + one install + the other windows without install', () => {
  const f = benchFixture(8);
  const t = f.timing;
  const window = (roles) => roles * t.drainSecondsPerRole + t.installSeconds + t.rebootSeconds + t.servicesStartSeconds + t.scanSeconds + t.resyncSeconds;
  const roles = f.nodes.map((n) => n.roles.length);
  const expected = t.scanSeconds + t.downloadSeconds + window(roles[0]) + t.installSeconds + roles.slice(1).reduce((s, r) => s + window(r) - t.installSeconds, 0);
  assert.equal(preInstallLowerBound(f).total, expected);
  assert.ok(preInstallLowerBound(f).total < lowerBound(f).total);
});

test('groups: 4 at a time on SAN, a rack at a time on rack-aware S2D, one at a time on node-aware S2D', () => {
  assert.deepEqual(benchGroups(sanFixture(), 4).map((g) => g.length), [4, 4, 4, 4]);
  assert.deepEqual(benchGroups(racksFixture(), 4).map((g) => g.map((n) => n.faultDomain.rack)), [['RACK1', 'RACK1', 'RACK1', 'RACK1'], ['RACK2', 'RACK2', 'RACK2', 'RACK2'], ['RACK3', 'RACK3', 'RACK3', 'RACK3'], ['RACK4', 'RACK4', 'RACK4', 'RACK4']]);
  assert.equal(benchGroups(benchFixture(16), 4).length, 16);
  assert.equal(benchGroups(racksFixture(), 2).length, 8);
});

test('concurrency bound: the prelude plus each group\'s longest window', () => {
  const f = sanFixture();
  const t = f.timing;
  const bound = concurrencyLowerBound(f, 4);
  assert.equal(bound.groups.length, 4);
  const last = t.drainSecondsPerRole * 6 + t.installSeconds + t.rebootSeconds + t.servicesStartSeconds + t.scanSeconds;
  assert.equal(bound.groups[3].seconds, last);
  assert.equal(bound.total, t.scanSeconds + t.downloadSeconds + bound.groups.reduce((s, g) => s + g.seconds, 0));
  assert.equal(concurrencyLowerBound(f, 1).total, lowerBound(f).total);
});
