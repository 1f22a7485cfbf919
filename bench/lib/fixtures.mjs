// Rehearsal models for the coordinator-overhead and CPU figures: S2D clusters with realistic timing, one
// cumulative update that needs a reboot on every node, roles spread 0..6, no faults, no follow-ups.
// Pure: builds objects; writing them is the caller's business.

/** Realistic per-operation timing (virtual seconds), as the benchmark brief fixes it. */
export const BENCH_TIMING = Object.freeze({
  scanSeconds: 60,
  downloadSeconds: 600,
  drainSecondsPerRole: 20,
  installSeconds: 900,
  rebootSeconds: 420,
  servicesStartSeconds: 90,
  resyncSeconds: 900,
});

/** Timing defaults of the fixture format (fixtures/clusters/README.md), for models that leave fields out. */
export const FIXTURE_TIMING_DEFAULTS = Object.freeze({
  scanSeconds: 30,
  downloadSeconds: 300,
  drainSecondsPerRole: 15,
  installSeconds: 600,
  rebootSeconds: 300,
  servicesStartSeconds: 60,
  resyncSeconds: 600,
});

const CUMULATIVE_UPDATE = Object.freeze({
  id: '6f0c2a1e-5b7d-4c3a-9e21-b3a4d5c6e7f8',
  kb: 'KB5044281',
  title: '2024-10 Cumulative Update for Microsoft server operating system version 21H2 for x64-based Systems (KB5044281)',
  rebootRequired: true,
  followUps: [],
});

/**
 * Roles on node `index` of `nodeCount`: spread evenly from 0 (first node) to 6 (last node), so every cluster
 * size has both an empty node and a full one.
 */
export function rolesFor(index, nodeCount) {
  if (nodeCount === 1) return 0;
  return Math.round((index * 6) / (nodeCount - 1));
}

/** The name of the n-node bench model (a NetBIOS name: at most 15 characters). */
export function benchClusterName(nodeCount) {
  return `BENCH${String(nodeCount).padStart(2, '0')}`;
}

/** An n-node bench model in the fixture format. */
export function benchFixture(nodeCount) {
  if (!Number.isInteger(nodeCount) || nodeCount < 2 || nodeCount > 99) throw new RangeError(`node count ${nodeCount} is not 2..99`);
  const width = String(nodeCount).length < 2 ? 2 : String(nodeCount).length;
  const nodes = Array.from({ length: nodeCount }, (_, i) => {
    const name = `NODE${String(i + 1).padStart(width, '0')}`;
    const roles = Array.from({ length: rolesFor(i, nodeCount) }, (_, k) => `VM-${name}-${k + 1}`);
    return { name, state: 'Up', roles, updates: [{ ...CUMULATIVE_UPDATE }], faults: [] };
  });
  return {
    name: benchClusterName(nodeCount),
    description: `Benchmark model: ${nodeCount} S2D nodes, one cumulative update with a reboot per node, 0-6 roles per node, realistic timing, no faults.`,
    timing: { ...BENCH_TIMING },
    storage: { s2d: true },
    quorum: { witnessType: 'Cloud', witnessState: 'Online' },
    nodes,
  };
}

/** The committed file name of the n-node bench model under bench/fixtures/. */
export function benchFixtureFile(nodeCount) {
  return `bench-${String(nodeCount).padStart(2, '0')}.json`;
}

/** Fixture JSON text as committed: two-space indent and a final newline. */
export function fixtureText(fixture) {
  return `${JSON.stringify(fixture, null, 2)}\n`;
}
