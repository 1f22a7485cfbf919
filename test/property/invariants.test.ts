/**
 * Property test (issues 3 and 12): thousands of random clusters and fault mixes, each run in-process against
 * the simulator at max speed. Mixes include failed and hung drains, memory shortfalls and VMs that cannot
 * live-migrate. The simulator's audit must find no breach of the invariants (1–4, and 8: no install or restart
 * of a node that is not drained, no running VM taken down by the run), and the reported status must agree with
 * the policy and with the cluster. The checks here use the scenario and the simulator only, never src/core's
 * own numbers or formulas.
 */
import fc from 'fast-check';
import { randomInt } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterGateway } from '../../src/cluster/gateway.js';
import { RollingRun } from '../../src/core/coordinator.js';
import type { RunProfile, RunResult } from '../../src/core/types.js';
import { AppError } from '../../src/errors.js';
import { MemoryJournal } from '../../src/journal/journal.js';
import { nullSink } from '../../src/core/events.js';
import { systemClock } from '../../src/platform/clock.js';
import { openSimulator, type Simulator } from '../../src/sim/index.js';

/**
 * Mixes drawn from this run's seed; at least MIN_COMPLETED of them must run to the end (not refused). The seed is
 * fresh on every run and printed; `npm run property -- --seed N` (scripts/property.mjs) sets
 * CAUCTL_PROPERTY_SEED and replays it.
 */
const RUNS = Number(process.env.CAUCTL_PROPERTY_RUNS ?? 3200);
const MIN_COMPLETED = Number(process.env.CAUCTL_PROPERTY_MIN_COMPLETED ?? 2000);
const DRAWN_SEED = process.env.CAUCTL_PROPERTY_SEED !== undefined ? Number(process.env.CAUCTL_PROPERTY_SEED) : randomInt(0, 2 ** 31 - 1);
/** The seed CI replayed before seeds were drawn (issue 20): kept, with fewer mixes. */
const FIXED_SEED = 20261125;
const FIXED_RUNS = Number(process.env.CAUCTL_PROPERTY_FIXED_RUNS ?? 400);

/**
 * Named regression cases: a seed that once failed, with fast-check's `path` to its shrunk counterexample, so the
 * case replays alone. Add one per failing seed found (the failure message prints both).
 */
const REGRESSIONS: { name: string; seed: number; path: string; drawn?: boolean }[] = [
  // Issue 18: a rack-aware group restarted while another rack's repair (after a crash) was still running; the
  // restart gate's allowance for the group's own degraded storage must not cover a repair job. Drawn mixes.
  {
    name: "issue 18: a group's restart waits for another fault domain's repair",
    seed: 2041101020,
    path: '1460:0:1:0:0:0:4:0:5:5:5:10:9:9:9:8:1:6:6:11:10:10:10:10:14:13:12:12:13:12:14:8:0:8:0:12:13:13:11:12:8:11:8:11:8:12:0:11:11:11:11:11:12:13:15:13:13:14:14',
    drawn: true,
  },
  // A node that crashes during its hung drain and stays down past the failure path's resume: the run ended with
  // it Paused (ResumeFailed). Found by two drawn seeds on the same day; serial SAN mixes.
  {
    name: 'a node that crashed during its hung drain is resumed once it is back, not left Paused',
    seed: 1170624881,
    path: '2660:0:0:1:0:0:1:11:2:15:16:16:16:0:0:0:0:0:0:0:0:0:0:0:0',
    drawn: true,
  },
  // Issue 20's three coordinator mutations, each caught by seed 1889756699; the shrunk mixes replay alone.
  { name: 'issue 20: a node reported Succeeded without its install (KB10 still applicable)', seed: 1889756699, path: '0:0:0:0:3:1:1:1:1:1:1:0:0:0:1:1:1:1' },
  { name: "issue 20: the run ends during the resync after the last node's resume (S2D)", seed: 1889756699, path: '1:1:2:2:2:3:3:3:1:1:1:1:1:1' },
  {
    name: 'issue 20: a restart while two other nodes are Down (one crashed) and quorum would not survive it',
    seed: 1889756699,
    path: '111:2:6:4:4:6:6:7:7:7:3:3:3:7:4:4:4:4:4:4:4:5:5:6:7:7:7:8:8:8:8:9:9:7:1:7:7:8:8:8:8',
  },
  {
    // Issue 12: N2 crashes during its hung drain; the failed drain resumes it, and the run ended while it resynced.
    name: 'issue 12: a node that crashed in a hung drain (S2D) gets its resync wait before the run ends',
    seed: 1685642654,
    path: '70:1:1:2:4:4:4:5:5:10:6:3:5:5:5:5:5:5:5:5:5:7:6:6:6:5:5:5:7:7:7:7:7:7:7:7:8:8:9:9',
  },
];

const faultArb = fc.oneof(
  fc.record({ kind: fc.constant('installFails'), times: fc.integer({ min: 1, max: 6 }), errorCode: fc.constant('0x80240022') }),
  fc.record({ kind: fc.constant('drainFails'), times: fc.integer({ min: 1, max: 5 }) }),
  fc
    .record({ kind: fc.constant('drainHangs'), times: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }) })
    .map((f) => (f.times === undefined ? { kind: f.kind } : f)),
  fc.record({ kind: fc.constant('rebootHangs') }),
  fc.record({ kind: fc.constant('slowReboot'), seconds: fc.integer({ min: 60, max: 1500 }) }),
  fc.record({ kind: fc.constant('connectionLoss'), phase: fc.constantFrom('scan', 'stage', 'drain', 'install', 'reboot', 'resume', 'resync'), seconds: fc.integer({ min: 5, max: 900 }) }),
  fc.record({ kind: fc.constant('storageRepairStuck') }),
  fc.record({ kind: fc.constant('nodeCrash'), atSeconds: fc.integer({ min: 0, max: 20000 }), seconds: fc.option(fc.integer({ min: 60, max: 3600 }), { nil: undefined }) }).map((f) => (f.seconds === undefined ? { kind: f.kind, atSeconds: f.atSeconds } : f)),
);

/** A VM behind a role: its memory and whether it runs. */
const vmArb = fc.record({
  memoryGB: fc.constantFrom(1, 2, 4, 8, 16, 32),
  off: fc.constantFrom(false, false, false, false, false, false, false, false, false, true),
});

const nodeArb = fc.record({
  state: fc.constantFrom('Up', 'Up', 'Up', 'Up', 'Down'),
  roles: fc.array(vmArb, { maxLength: 4 }),
  /** Index into the memory sizes of the cluster's memory kind. */
  memorySize: fc.integer({ min: 0, max: 3 }),
  updates: fc.integer({ min: 0, max: 2 }),
  followUp: fc.boolean(),
  faults: fc
    .uniqueArray(faultArb, { maxLength: 2, selector: (f) => f.kind })
    // slowReboot and rebootHangs contradict each other; the fixture validation refuses the pair.
    .map((list) => (list.some((f) => f.kind === 'rebootHangs') ? list.filter((f) => f.kind !== 'slowReboot') : list)),
});

const scenarioArb = fc
  .record({
    s2d: fc.boolean(),
    witness: fc.boolean(),
    // Without memory figures placement goes by availability only; tight clusters are often short of room.
    memory: fc.constantFrom('none', 'none', 'none', 'none', 'ample', 'ample', 'ample', 'ample', 'tight', 'tight'),
    // One VM pinned to its host (a DDA device, say) in about 1 cluster in 12: the n-th VM of the cluster.
    pinnedVm: fc.integer({ min: 0, max: 11 }).chain((k) => (k === 0 ? fc.integer({ min: 0, max: 7 }) : fc.constant(undefined))),
    nodes: fc.array(nodeArb, { minLength: 2, maxLength: 8 }),
    maxRetriesPerNode: fc.integer({ min: 0, max: 3 }),
    budgetFraction: fc.double({ min: 0, max: 1, noNaN: true }),
    useDefaultBudget: fc.boolean(),
    requireAllNodesOnline: fc.constantFrom(false, false, false, true),
    failbackMode: fc.constantFrom('Immediate', 'Policy', 'NoFailback'),
    attemptSoftReboot: fc.boolean(),
    forcePauseAndDrain: fc.boolean(),
  })
  // The first node is always Up: a cluster with every node down cannot be reached at all (exit 4, not a run).
  .map((s) => ({ ...s, nodes: s.nodes.map((n, i) => (i === 0 ? { ...n, state: 'Up' } : n)) }))
  .map((s) => ({ ...s, maxFailedNodes: s.useDefaultBudget ? undefined : Math.floor(s.budgetFraction * (s.nodes.length - 1)) }));

/**
 * Issue 18's draws: `--pre-install` and `--max-concurrent-nodes` 1-4, on SAN, on S2D with its servers in
 * fault domains (chassis = rack here) and rack- or chassis-aware disks, and on plain S2D (node-aware). Only the
 * drawn-seed property uses them; the fixed seed and the named regressions replay the mixes they were found on.
 */
const modeArb = fc.record({
  storage: fc.constantFrom('san', 's2d', 's2d-fault-domains'),
  awareness: fc.constantFrom('StorageRack', 'StorageChassis'),
  /** Each node's fault domain (a chassis in a rack of the same number), by node index. */
  domains: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 8, maxLength: 8 }),
  preInstall: fc.boolean(),
  k: fc.integer({ min: 1, max: 4 }),
});
type Mode = typeof modeArb extends fc.Arbitrary<infer T> ? T : never;

type Scenario = (typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never) & { mode?: Mode };

const drawnArb: fc.Arbitrary<Scenario> = fc.tuple(scenarioArb, modeArb).map(([s, mode]) => ({ ...s, s2d: mode.storage !== 'san', mode }));

/** At most this many nodes may be out of service at once: k, and one on S2D whose disks are only node-aware. */
function outOfServiceLimit(s: Scenario): number {
  if (s.mode === undefined) return 1;
  return s.mode.storage === 's2d' ? 1 : s.mode.k;
}

let counter = 0;
function fixtureOf(s: Scenario): Record<string, unknown> {
  counter += 1;
  const MB_PER_GB = 1024;
  const withMemory = s.memory !== 'none';
  const roleName = (i: number, r: number): string => `N${i + 1}-R${r}`;
  const vms: Record<string, Record<string, unknown>> = {};
  let nth = 0;
  s.nodes.forEach((n, i) =>
    n.roles.forEach((vm, r) => {
      vms[roleName(i, r)] = {
        ...(vm.off ? { state: 'Off' } : {}),
        ...(withMemory ? { memoryMB: vm.memoryGB * MB_PER_GB } : {}),
        ...(nth++ === s.pinnedVm ? { liveMigratable: false } : {}),
      };
    }),
  );
  const withDomains = s.mode?.storage === 's2d-fault-domains';
  return {
    name: `PROP${counter}`,
    storage: { s2d: s.s2d, ...(withDomains ? { faultDomainAwareness: s.mode!.awareness } : {}) },
    quorum: s.witness ? { witnessType: 'Cloud', witnessState: 'Online' } : { witnessType: 'None', witnessState: 'NotConfigured' },
    vms,
    nodes: s.nodes.map((n, i) => {
      // A node holds at least the VMs it runs at the start (the fixture requires it); tight clusters follow.
      const runningGB = n.roles.filter((vm) => !vm.off).reduce((sum, vm) => sum + vm.memoryGB, 0);
      const sizeGB = (s.memory === 'tight' ? [16, 32, 64, 128] : [256, 384, 512, 768])[n.memorySize]!;
      return {
        name: `N${i + 1}`,
        state: n.state,
        roles: n.roles.map((_, r) => roleName(i, r)),
        ...(withMemory ? { memoryMB: Math.max(sizeGB, runningGB) * MB_PER_GB } : {}),
        updates: Array.from({ length: n.updates }, (_, u) => ({
          id: `u-${i}-${u}`,
          kb: `KB${i}${u}`,
          title: `update ${u}`,
          rebootRequired: u === 0,
          followUps: n.followUp && u === 0 ? [{ id: `f-${i}-${u}`, kb: `KBF${i}${u}`, title: 'follow-up', rebootRequired: false }] : [],
        })),
        faults: n.faults,
        ...(withDomains ? { faultDomain: { chassis: `C${s.mode!.domains[i]}`, rack: `R${s.mode!.domains[i]}` } } : {}),
      };
    }),
  };
}

function profileOf(s: Scenario): RunProfile {
  return {
    plugins: [{ plugin: 'Microsoft.WindowsUpdatePlugin', arguments: {} }],
    ...(s.maxFailedNodes !== undefined ? { maxFailedNodes: s.maxFailedNodes } : {}),
    maxRetriesPerNode: s.maxRetriesPerNode,
    configurationName: 'Microsoft.PowerShell',
    requireAllNodesOnline: s.requireAllNodesOnline,
    rebootTimeoutMinutes: 30,
    separateReboots: false,
    enableFirewallRules: false,
    failbackMode: s.failbackMode,
    runPluginsSerially: false,
    stopOnPluginFailure: false,
    suspendClusterNodeTimeoutMinutes: 20,
    waitForStorageRepairTimeoutMinutes: 40,
    forcePauseAndDrain: s.forcePauseAndDrain,
    attemptSoftReboot: s.attemptSoftReboot,
    ...(s.mode?.preInstall === true ? { preInstall: true } : {}),
    ...(s.mode !== undefined && s.mode.k > 1 ? { maxConcurrentNodes: s.mode.k } : {}),
  };
}

const failedStatuses = new Set(['Failed', 'PartiallyFailed']);

/**
 * The failure budget the run must apply, from the scenario: MaxFailedNodes as given, or CAU's default of
 * about a third of the nodes ("for most clusters"), which the run reports and which is checked for that.
 */
function budgetOf(s: Scenario, result: RunResult, problems: string[]): number {
  if (s.maxFailedNodes !== undefined) {
    if (result.maxFailedNodes !== s.maxFailedNodes) problems.push(`budget ${result.maxFailedNodes} reported, ${s.maxFailedNodes} given`);
    return s.maxFailedNodes;
  }
  const n = s.nodes.length;
  if (result.maxFailedNodes < 0 || result.maxFailedNodes > n - 1 || Math.abs(result.maxFailedNodes - n / 3) > 1) {
    problems.push(`default budget ${result.maxFailedNodes} is not about a third of ${n} nodes`);
  }
  return result.maxFailedNodes;
}

function checkPolicy(s: Scenario, result: RunResult): string[] {
  const problems: string[] = [];
  const failed = result.nodeResults.filter((r) => failedStatuses.has(r.status)).length;
  const budget = budgetOf(s, result, problems);
  if (result.errorRecord?.code === 'MaxFailedNodesExceeded' && failed <= budget) problems.push(`MaxFailedNodesExceeded with ${failed} failed, budget ${budget}`);
  if (failed > budget && result.status !== 'Failed') problems.push(`${failed} failed > budget ${budget} but status ${result.status}`);
  if (result.status === 'PartiallyFailed' && failed > budget) problems.push(`PartiallyFailed beyond the budget`);
  if (result.status === 'Succeeded' && failed > 0) problems.push('Succeeded with failed nodes');
  const halted = result.nodeResults.findIndex((r) => r.status === 'Canceled');
  if (halted >= 0) {
    for (const r of result.nodeResults.slice(halted)) {
      if (r.status !== 'Canceled') problems.push(`${r.node} was ${r.status} after a Canceled node`);
      // A pre-install comes before the canary's successors' windows, so before any halt; the audit judges the rest.
      if (r.phases.some((p) => p.phase !== 'scan' && p.phase !== 'stage' && p.phase !== 'pre-install')) problems.push(`${r.node} was touched after the halt`);
    }
  }
  return problems;
}

/**
 * Liveness, judged on the model's end state and never on the coordinator's own numbers (issue 20): a node
 * reported Succeeded has nothing applicable left (a fresh scan of the model); its update counts match what the
 * model recorded as installed and failed; a fault-free cluster with room to spare ends Succeeded.
 */
async function checkLiveness(s: Scenario, sim: Simulator, gateway: ClusterGateway, result: RunResult): Promise<string[]> {
  const problems: string[] = [];
  const record = new Map(sim.installRecord().map((r) => [r.node, r]));
  for (const r of result.nodeResults) {
    const model = record.get(r.node);
    if (model === undefined) {
      problems.push(`${r.node} is in the report but not in the cluster`);
      continue;
    }
    // Failed: not installed, and the last install task said Failed (at least) or gave any other result, such
    // as Aborted by a crash, which the coordinator may never read (at most).
    const notInstalled = Object.entries(model.lastResults).filter(([id]) => !model.installed.includes(id));
    const failedAtLeast = notInstalled.filter(([, code]) => code === 'Failed').length;
    if (r.numberOfSucceededUpdates !== model.installed.length) {
      problems.push(`${r.node} reports ${r.numberOfSucceededUpdates} update(s) succeeded; the model installed ${model.installed.length} (${model.installed.join(', ')})`);
    }
    if (r.numberOfFailedUpdates < failedAtLeast || r.numberOfFailedUpdates > notInstalled.length) {
      problems.push(`${r.node} reports ${r.numberOfFailedUpdates} update(s) failed; the model failed ${failedAtLeast} and did not install ${notInstalled.length} it was given`);
    }
    if (r.status !== 'Succeeded') continue;
    let left: string[];
    try {
      left = (await gateway.call(r.node, 'scan-updates', { plugin: 'Microsoft.WindowsUpdatePlugin', arguments: {} })).updates.map((u) => u.kb);
    } catch {
      // A node that crashed after its turn cannot be scanned; what the model holds installed still speaks.
      left = s.nodes[Number(r.node.slice(1)) - 1]!.updates > model.installed.filter((id) => id.startsWith('u-')).length ? ['(not all installed)'] : [];
    }
    if (left.length > 0) problems.push(`${r.node} reported Succeeded with ${left.join(', ')} still applicable`);
  }
  const reported = new Set(result.nodeResults.map((r) => r.node));
  for (const name of sim.nodeNames) if (!reported.has(name)) problems.push(`${name} is missing from nodeResults`);
  if (isCalm(s) && result.status !== 'Succeeded') problems.push(`a cluster with no fault, every node Up and room to spare ended ${result.status}`);
  return problems;
}

/** No node fault, every node Up, no pinned VM and no tight memory: nothing stands in the run's way. */
function isCalm(s: Scenario): boolean {
  return s.pinnedVm === undefined && s.memory !== 'tight' && s.nodes.every((n) => n.state === 'Up' && n.faults.length === 0);
}

/** One mix: the fixture and the run against the simulator, then every check; throws with all problems found. */
async function runMix(dir: string, scenario: Scenario, tally: { refused: number; completed: number }): Promise<void> {
  const fixturePath = join(dir, `f${counter + 1}.json`);
  const fixture = fixtureOf(scenario);
  writeFileSync(fixturePath, JSON.stringify(fixture));
  const sim = openSimulator({ fixturePath, stateDir: join(dir, 'state'), speed: 'max', reset: true, ephemeral: true });
  const gateway = new ClusterGateway(sim.transport);
  const run = new RollingRun(
    profileOf(scenario),
    {
      gateway,
      clock: sim.clock,
      wallClock: systemClock,
      sink: nullSink,
      journal: new MemoryJournal(),
      owner: { host: 'prop-host', user: 'prop', pid: process.pid },
      isProcessAlive: () => true,
      stop: { requested: false },
      newRunId: () => `run-${counter}`,
      onHalt: () => sim.noteHalt(),
    },
    { entry: sim.clusterName, forceRecovery: false },
  );
  let result: RunResult;
  try {
    result = await run.execute();
  } catch (error) {
    // Refusals before anything is touched are a legitimate outcome (RequireAllNodesOnline, quorum, capacity),
    // and so is a cluster that no node answers for at preflight (exit 4): the audit shows nothing was touched.
    if (error instanceof AppError && (error.exitCode === 5 || error.exitCode === 4)) {
      tally.refused += 1;
      const audit = sim.audit();
      expect({ violations: audit.violations, maxNodesOutOfService: audit.maxNodesOutOfService }).toEqual({ violations: [], maxNodesOutOfService: 0 });
      return;
    }
    throw error;
  }
  tally.completed += 1;
  sim.noteRunEnd();
  const audit = sim.audit();
  const problems = [...audit.violations, ...checkPolicy(scenario, result), ...(await checkLiveness(scenario, sim, gateway, result))];
  if (audit.maxNodesOutOfService > outOfServiceLimit(scenario)) problems.push(`max nodes out of service ${audit.maxNodesOutOfService}, allowed ${outOfServiceLimit(scenario)}`);
  if (problems.length > 0) throw new Error(`${problems.join('\n')}\nfixture: ${JSON.stringify(fixture)}\nresult: ${JSON.stringify(result.nodeResults.map((r) => [r.node, r.status, r.attempts, r.errorRecord?.code]))} ${result.status} ${result.errorRecord?.code}`);
}

/** Runs the property; a failure names the seed and the command that replays it. */
async function assertMixes(dir: string, params: fc.Parameters<[Scenario]>, arbitrary: fc.Arbitrary<Scenario> = scenarioArb): Promise<{ refused: number; completed: number }> {
  const tally = { refused: 0, completed: 0 };
  try {
    await fc.assert(
      fc.asyncProperty(arbitrary, (scenario) => runMix(dir, scenario, tally)),
      params,
    );
  } catch (error) {
    const reproduce = `Reproduce with: npm run property -- --seed ${String(params.seed)}`;
    throw new Error(`${reproduce}\n${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return tally;
}

describe('safety invariants under random clusters and faults', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cauctl-prop-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`hold for ${RUNS} mixes from the drawn seed ${DRAWN_SEED} (with --pre-install and --max-concurrent-nodes 1-4 drawn), and the status agrees with the budget`, async () => {
    // Printed before the run, so that a timeout still shows it.
    console.log(`property seed: ${DRAWN_SEED} (reproduce with: npm run property -- --seed ${DRAWN_SEED})`);
    const { completed, refused } = await assertMixes(dir, { numRuns: RUNS, seed: DRAWN_SEED }, drawnArb);
    expect(completed).toBeGreaterThanOrEqual(Math.min(MIN_COMPLETED, RUNS * 0.6));
    console.log(`property: seed ${DRAWN_SEED}: ${completed} runs completed, ${refused} refused before touching anything`);
  }, 600_000);

  it(`hold for ${FIXED_RUNS} mixes from the fixed seed ${FIXED_SEED}`, async () => {
    const { completed } = await assertMixes(dir, { numRuns: FIXED_RUNS, seed: FIXED_SEED });
    expect(completed).toBeGreaterThan(FIXED_RUNS / 2);
  }, 600_000);

  it.each(REGRESSIONS)('regression: $name (seed $seed)', async ({ seed, path, drawn }) => {
    await assertMixes(dir, { numRuns: 1, seed, path }, drawn === true ? drawnArb : scenarioArb);
  });
});
