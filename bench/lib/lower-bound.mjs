// The rolling run's lower bound (DESIGN.md, "Benchmarks") and the breakdown of a run's time beyond it, phase
// by phase. Pure: takes a fixture object and a `run --json` document; no I/O.
import { FIXTURE_TIMING_DEFAULTS } from './fixtures.mjs';

/** The fixture's timing with the format's defaults filled in. */
export function resolvedTiming(fixture) {
  return { ...FIXTURE_TIMING_DEFAULTS, ...(fixture.timing ?? {}) };
}

function needsReboot(node) {
  return (node.updates ?? []).some((u) => u.rebootRequired !== false);
}

/**
 * The least time any coordinator could need on this model, in virtual seconds, for each node in turn.
 * Only nodes offered updates count; a node needs reboot and services time only if one of its updates needs a
 * restart, and resync only on S2D (elsewhere storage is always healthy).
 */
export function nodeLowerBound(fixture, node) {
  const t = resolvedTiming(fixture);
  if ((node.updates ?? []).length === 0) return { drain: 0, install: 0, reboot: 0, servicesStart: 0, rescan: 0, resync: 0, total: 0 };
  const parts = {
    drain: t.drainSecondsPerRole * (node.roles ?? []).length,
    install: t.installSeconds,
    reboot: needsReboot(node) ? t.rebootSeconds : 0,
    servicesStart: needsReboot(node) ? t.servicesStartSeconds : 0,
    rescan: t.scanSeconds,
    resync: fixture.storage?.s2d ? t.resyncSeconds : 0,
  };
  return { ...parts, total: Object.values(parts).reduce((a, b) => a + b, 0) };
}

/**
 * One scan, plus one download staged on every node at once, plus Σ over nodes of drain, install, reboot,
 * services start, the rescan in maintenance mode, and resync.
 */
export function lowerBound(fixture) {
  const t = resolvedTiming(fixture);
  const anyUpdates = fixture.nodes.some((n) => (n.updates ?? []).length > 0);
  const perNode = fixture.nodes.map((n) => ({ node: n.name, ...nodeLowerBound(fixture, n) }));
  const prelude = { scan: t.scanSeconds, download: anyUpdates ? t.downloadSeconds : 0 };
  const total = prelude.scan + prelude.download + perNode.reduce((sum, n) => sum + n.total, 0);
  return { total, prelude, perNode };
}

/** The naive sequence: the lower bound with each node's download inside its own window instead of staged once. */
export function naiveSequence(fixture) {
  const t = resolvedTiming(fixture);
  const updated = fixture.nodes.filter((n) => (n.updates ?? []).length > 0).length;
  return lowerBound(fixture).total + Math.max(0, updated - 1) * t.downloadSeconds;
}

/** Virtual seconds each per-node phase of the coordinator should take on this model, at best. */
function expectedPhaseSeconds(fixture, node, phase) {
  const t = resolvedTiming(fixture);
  switch (phase) {
    case 'drain':
      return t.drainSecondsPerRole * (node?.roles ?? []).length;
    case 'install':
      return t.installSeconds;
    case 'wait-node':
      return t.rebootSeconds + t.servicesStartSeconds;
    case 'rescan':
      return t.scanSeconds;
    case 'resync':
      return fixture.storage?.s2d ? t.resyncSeconds : 0;
    default:
      // reboot (the restart call itself), resume, pre-/post-script: no model time is owed to them.
      return 0;
  }
}

const seconds = (fromIso, toIso) => (Date.parse(toIso) - Date.parse(fromIso)) / 1000;

/**
 * Where a run's virtual time went beyond the lower bound: before the first drain (scan and staging), inside
 * each per-node phase (actual − expected), between phases (gaps), after the last phase, and outside the run's
 * own start..end (preflight before `startTime`). The parts add up to `virtualSeconds − lowerBound`.
 */
export function overheadBreakdown(fixture, runDocument) {
  const bound = lowerBound(fixture);
  const virtualSeconds = runDocument.simulation.virtualSeconds;
  const byName = new Map(fixture.nodes.map((n) => [n.name, n]));
  const runSeconds = seconds(runDocument.startTime, runDocument.endTime);
  const results = runDocument.nodeResults.filter((r) => (r.phases ?? []).length > 0);
  const byPhase = {};
  const nodes = [];
  let gaps = 0;
  let cursor = null;
  for (const result of results) {
    const node = byName.get(result.node);
    const phases = [];
    for (const p of result.phases) {
      if (cursor !== null) gaps += seconds(cursor, p.start);
      const actual = seconds(p.start, p.end);
      const expected = expectedPhaseSeconds(fixture, node, p.phase);
      byPhase[p.phase] = (byPhase[p.phase] ?? 0) + (actual - expected);
      phases.push({ phase: p.phase, seconds: actual, expectedSeconds: expected, overheadSeconds: actual - expected });
      cursor = p.end;
    }
    nodes.push({ node: result.node, roles: (node?.roles ?? []).length, phases });
  }
  // A phase the model owes time to but the run never entered (e.g. no rescan) is time the run saved.
  for (const b of bound.perNode) {
    if (b.total === 0) continue;
    const result = results.find((r) => r.node === b.node);
    const seen = new Set((result?.phases ?? []).map((p) => p.phase));
    const owed = { drain: b.drain, install: b.install, 'wait-node': b.reboot + b.servicesStart, rescan: b.rescan, resync: b.resync };
    for (const [phase, value] of Object.entries(owed)) {
      if (!seen.has(phase) && value > 0) byPhase[phase] = (byPhase[phase] ?? 0) - value;
    }
  }
  const firstStart = results[0]?.phases[0]?.start ?? runDocument.endTime;
  const preludeSeconds = seconds(runDocument.startTime, firstStart);
  const preludeExpected = bound.prelude.scan + bound.prelude.download;
  const tail = cursor === null ? 0 : seconds(cursor, runDocument.endTime);
  const outsideRun = virtualSeconds - runSeconds;
  const overheadSeconds = virtualSeconds - bound.total;
  const explained = preludeSeconds - preludeExpected + Object.values(byPhase).reduce((a, b) => a + b, 0) + gaps + tail + outsideRun;
  return {
    virtualSeconds,
    lowerBoundSeconds: bound.total,
    overheadSeconds,
    prelude: { seconds: preludeSeconds, expectedSeconds: preludeExpected, overheadSeconds: preludeSeconds - preludeExpected, what: 'run start to the first drain: scan and staging on every node' },
    byPhase,
    gapsBetweenPhasesSeconds: gaps,
    tailSeconds: tail,
    outsideRunSeconds: outsideRun,
    unexplainedSeconds: overheadSeconds - explained,
    nodes,
  };
}
