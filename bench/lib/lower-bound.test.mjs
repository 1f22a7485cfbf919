// Tests for lib/lower-bound.mjs (node --test bench/).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { benchFixture } from './fixtures.mjs';
import { lowerBound, naiveSequence, nodeLowerBound, overheadBreakdown, resolvedTiming } from './lower-bound.mjs';

test('the lower bound of the 4-node bench model, by hand', () => {
  // One scan (60) + one download (600) + 4 x (install 900 + reboot 420 + services 90 + rescan 60 + resync 900)
  // + drains of 0, 2, 4 and 6 roles at 20 s each.
  const bound = lowerBound(benchFixture(4));
  assert.equal(bound.total, 60 + 600 + 4 * 2370 + 20 * 12);
  assert.deepEqual(bound.prelude, { scan: 60, download: 600 });
  assert.equal(naiveSequence(benchFixture(4)), bound.total + 3 * 600);
});

test('nodes without updates cost nothing; no reboot without a rebooting update; no resync off S2D', () => {
  const fixture = {
    name: 'X',
    timing: { scanSeconds: 10 },
    nodes: [
      { name: 'A', roles: ['r1'], updates: [] },
      { name: 'B', roles: ['r2', 'r3'], updates: [{ id: 'u', kb: 'KB1', title: 'MSRT', rebootRequired: false }] },
    ],
  };
  const t = resolvedTiming(fixture);
  assert.equal(t.scanSeconds, 10);
  assert.equal(t.installSeconds, 600, 'format default');
  assert.equal(nodeLowerBound(fixture, fixture.nodes[0]).total, 0);
  assert.deepEqual(nodeLowerBound(fixture, fixture.nodes[1]), { drain: 30, install: 600, reboot: 0, servicesStart: 0, rescan: 10, resync: 0, total: 640 });
  assert.equal(lowerBound(fixture).total, 10 + 300 + 640);
  assert.equal(naiveSequence(fixture), lowerBound(fixture).total, 'one updated node: nothing to stage twice');
});

/** A run document shaped like `cauctl run --json`, with phases laid out from `t0` by the given durations. */
function runDocument({ preludeSeconds, nodes, gapSeconds, tailSeconds, outsideSeconds }) {
  const t0 = Date.parse('2025-01-01T00:00:00Z');
  const iso = (s) => new Date(t0 + s * 1000).toISOString();
  let at = preludeSeconds;
  const nodeResults = nodes.map(({ node, phases }, i) => {
    if (i > 0) at += gapSeconds;
    return {
      node,
      phases: phases.map(([phase, seconds]) => {
        const p = { phase, attempt: 1, start: iso(at), end: iso(at + seconds), ok: true };
        at += seconds;
        return p;
      }),
    };
  });
  const end = at + tailSeconds;
  return { startTime: iso(0), endTime: iso(end), nodeResults, simulation: { virtualSeconds: end + outsideSeconds, maxNodesOutOfService: 1, violations: [] } };
}

test('the breakdown puts each extra second where it was spent, and the parts add up', () => {
  const fixture = benchFixture(2); // NODE01 has 0 roles, NODE02 has 6
  const phases = (roles, waitNode) => [['drain', 20 * roles], ['install', 900], ['reboot', 0], ['wait-node', waitNode], ['rescan', 60], ['resume', 1], ['resync', 900]];
  const doc = runDocument({
    preludeSeconds: 1320,
    nodes: [
      { node: 'NODE01', phases: phases(0, 515) },
      { node: 'NODE02', phases: phases(6, 540) },
    ],
    gapSeconds: 10,
    tailSeconds: 3,
    outsideSeconds: 7,
  });
  const b = overheadBreakdown(fixture, doc);
  assert.equal(b.lowerBoundSeconds, lowerBound(fixture).total);
  assert.equal(b.prelude.overheadSeconds, 660);
  assert.equal(b.byPhase['wait-node'], 5 + 30);
  assert.equal(b.byPhase.resume, 2);
  assert.equal(b.byPhase.drain, 0);
  assert.equal(b.gapsBetweenPhasesSeconds, 10);
  assert.equal(b.tailSeconds, 3);
  assert.equal(b.outsideRunSeconds, 7);
  assert.equal(b.overheadSeconds, 660 + 35 + 2 + 10 + 3 + 7);
  assert.equal(b.unexplainedSeconds, 0);
  assert.deepEqual(b.nodes[1].phases[3], { phase: 'wait-node', seconds: 540, expectedSeconds: 510, overheadSeconds: 30 });
});

test('a phase the run skipped counts as time saved, so the parts still add up', () => {
  const fixture = benchFixture(2);
  const doc = runDocument({
    preludeSeconds: 660,
    nodes: [
      { node: 'NODE01', phases: [['drain', 0], ['install', 900], ['wait-node', 510], ['resume', 0], ['resync', 900]] },
      { node: 'NODE02', phases: [['drain', 120], ['install', 900], ['wait-node', 510], ['rescan', 60], ['resume', 0], ['resync', 900]] },
    ],
    gapSeconds: 0,
    tailSeconds: 0,
    outsideSeconds: 0,
  });
  const b = overheadBreakdown(fixture, doc);
  assert.equal(b.byPhase.rescan, -60);
  assert.equal(b.overheadSeconds, -60);
  assert.equal(b.unexplainedSeconds, 0);
});
