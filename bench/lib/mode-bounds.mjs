// Lower bounds of issue 18's two modes, on a bench model, in virtual seconds, written out as the serial one is
// (lower-bound.mjs) and never taken from src/core. Pure: takes a fixture object; no I/O.
import { lowerBound, nodeLowerBound, resolvedTiming } from './lower-bound.mjs';

/** The order a run without --node-order takes: fewest roles first, then by name. */
export function benchOrder(fixture) {
  return [...fixture.nodes].sort((a, b) => (a.roles ?? []).length - (b.roles ?? []).length || a.name.localeCompare(b.name));
}

const withUpdates = (fixture) => benchOrder(fixture).filter((n) => (n.updates ?? []).length > 0);

/**
 * --pre-install: the prelude (one scan, one staged download), the canary's whole window (the first node of the
 * order with updates), one install on all the other nodes at once while they serve, then each other node's
 * window without its install: drain, restart, services, rescan, resync.
 */
export function preInstallLowerBound(fixture) {
  const { prelude } = lowerBound(fixture);
  const t = resolvedTiming(fixture);
  const [canary, ...others] = withUpdates(fixture);
  if (canary === undefined) return { total: prelude.scan, prelude, canary: null, preInstall: 0, windows: 0 };
  const canarySeconds = nodeLowerBound(fixture, canary).total;
  const preInstall = others.length > 0 ? t.installSeconds : 0;
  const windows = others.reduce((sum, n) => sum + nodeLowerBound(fixture, n).total - nodeLowerBound(fixture, n).install, 0);
  return { total: prelude.scan + prelude.download + canarySeconds + preInstall + windows, prelude, canary: canary.name, canarySeconds, preInstall, windows };
}

/**
 * The groups a run with --max-concurrent-nodes k can at best form: walking the order, a group is the first node
 * left and the next nodes left that may go with it, up to k. On S2D with rack (or chassis) awareness they must
 * share the first one's rack (chassis); on S2D otherwise a group is one node; without S2D any node may join
 * (the bench models have the memory and the quorum for k).
 */
export function benchGroups(fixture, k) {
  const awareness = fixture.storage?.faultDomainAwareness;
  const field = awareness === 'StorageRack' ? 'rack' : awareness === 'StorageChassis' ? 'chassis' : undefined;
  const s2d = fixture.storage?.s2d === true;
  let left = withUpdates(fixture);
  const groups = [];
  while (left.length > 0) {
    const [first, ...rest] = left;
    const group = [first];
    for (const n of rest) {
      if (group.length >= k) break;
      const fits = !s2d || (field !== undefined && n.faultDomain?.[field] !== undefined && n.faultDomain[field] === first.faultDomain?.[field]);
      if (fits) group.push(n);
    }
    groups.push(group);
    left = left.filter((n) => !group.includes(n));
  }
  return groups;
}

/** --max-concurrent-nodes k: the prelude plus, for each group, its longest node window (they run side by side). */
export function concurrencyLowerBound(fixture, k) {
  const { prelude } = lowerBound(fixture);
  const groups = benchGroups(fixture, k).map((g) => ({ nodes: g.map((n) => n.name), seconds: Math.max(...g.map((n) => nodeLowerBound(fixture, n).total)) }));
  return { total: prelude.scan + prelude.download + groups.reduce((sum, g) => sum + g.seconds, 0), prelude, groups };
}
