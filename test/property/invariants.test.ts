/**
 * Property test (issue 3): thousands of random clusters and fault mixes, each run in-process against the
 * simulator at max speed. The simulator's audit must find no breach of invariants 1–4, and the reported
 * status must agree with the policy (failed nodes against the budget).
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClusterGateway } from '../../src/cluster/gateway.js';
import { RollingRun } from '../../src/core/coordinator.js';
import type { RunProfile, RunResult } from '../../src/core/types.js';
import { AppError } from '../../src/errors.js';
import { MemoryJournal } from '../../src/journal/journal.js';
import { nullSink } from '../../src/output/events.js';
import { systemClock } from '../../src/platform/clock.js';
import { openSimulator } from '../../src/sim/index.js';

/** Random clusters per CI run; at least MIN_COMPLETED of them must run to the end (not refused). */
const RUNS = Number(process.env.CAUCTL_PROPERTY_RUNS ?? 2600);
const MIN_COMPLETED = Number(process.env.CAUCTL_PROPERTY_MIN_COMPLETED ?? 2000);

const faultArb = fc.oneof(
  fc.record({ kind: fc.constant('installFails'), times: fc.integer({ min: 1, max: 6 }), errorCode: fc.constant('0x80240022') }),
  fc.record({ kind: fc.constant('drainFails'), times: fc.integer({ min: 1, max: 5 }) }),
  fc.record({ kind: fc.constant('rebootHangs') }),
  fc.record({ kind: fc.constant('slowReboot'), seconds: fc.integer({ min: 60, max: 1500 }) }),
  fc.record({ kind: fc.constant('connectionLoss'), phase: fc.constantFrom('scan', 'stage', 'drain', 'install', 'reboot', 'resume', 'resync'), seconds: fc.integer({ min: 5, max: 900 }) }),
  fc.record({ kind: fc.constant('storageRepairStuck') }),
  fc.record({ kind: fc.constant('nodeCrash'), atSeconds: fc.integer({ min: 0, max: 20000 }), seconds: fc.option(fc.integer({ min: 60, max: 3600 }), { nil: undefined }) }).map((f) => (f.seconds === undefined ? { kind: f.kind, atSeconds: f.atSeconds } : f)),
);

const nodeArb = fc.record({
  state: fc.constantFrom('Up', 'Up', 'Up', 'Up', 'Down'),
  roles: fc.integer({ min: 0, max: 4 }),
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

type Scenario = typeof scenarioArb extends fc.Arbitrary<infer T> ? T : never;

let counter = 0;
function fixtureOf(s: Scenario): Record<string, unknown> {
  counter += 1;
  return {
    name: `PROP${counter}`,
    storage: { s2d: s.s2d },
    quorum: s.witness ? { witnessType: 'Cloud', witnessState: 'Online' } : { witnessType: 'None', witnessState: 'NotConfigured' },
    nodes: s.nodes.map((n, i) => ({
      name: `N${i + 1}`,
      state: n.state,
      roles: Array.from({ length: n.roles }, (_, r) => `N${i + 1}-R${r}`),
      updates: Array.from({ length: n.updates }, (_, u) => ({
        id: `u-${i}-${u}`,
        kb: `KB${i}${u}`,
        title: `update ${u}`,
        rebootRequired: u === 0,
        followUps: n.followUp && u === 0 ? [{ id: `f-${i}-${u}`, kb: `KBF${i}${u}`, title: 'follow-up', rebootRequired: false }] : [],
      })),
      faults: n.faults,
    })),
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
  };
}

const failedStatuses = new Set(['Failed', 'PartiallyFailed']);

function checkPolicy(result: RunResult): string[] {
  const problems: string[] = [];
  const failed = result.nodeResults.filter((r) => failedStatuses.has(r.status)).length;
  const budget = result.maxFailedNodes;
  if (result.errorRecord?.code === 'MaxFailedNodesExceeded' && failed <= budget) problems.push(`MaxFailedNodesExceeded with ${failed} failed, budget ${budget}`);
  if (failed > budget && result.status !== 'Failed') problems.push(`${failed} failed > budget ${budget} but status ${result.status}`);
  if (result.status === 'PartiallyFailed' && failed > budget) problems.push(`PartiallyFailed beyond the budget`);
  if (result.status === 'Succeeded' && failed > 0) problems.push('Succeeded with failed nodes');
  const halted = result.nodeResults.findIndex((r) => r.status === 'Canceled');
  if (halted >= 0) {
    for (const r of result.nodeResults.slice(halted)) {
      if (r.status !== 'Canceled') problems.push(`${r.node} was ${r.status} after a Canceled node`);
      if (r.phases.some((p) => p.phase !== 'scan' && p.phase !== 'stage')) problems.push(`${r.node} was touched after the halt`);
    }
  }
  return problems;
}

describe('safety invariants under random clusters and faults', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cauctl-prop-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it(`hold for ${RUNS} random runs, and the status agrees with the budget`, async () => {
    let refused = 0;
    let completed = 0;
    await fc.assert(
      fc.asyncProperty(scenarioArb, async (scenario) => {
        const fixturePath = join(dir, `f${counter + 1}.json`);
        const fixture = fixtureOf(scenario);
        writeFileSync(fixturePath, JSON.stringify(fixture));
        const sim = openSimulator({ fixturePath, stateDir: join(dir, 'state'), speed: 'max', reset: true, ephemeral: true });
        const run = new RollingRun(
          profileOf(scenario),
          {
            gateway: new ClusterGateway(sim.transport),
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
          // Refusals before anything is touched are a legitimate outcome (RequireAllNodesOnline, quorum).
          if (error instanceof AppError && error.exitCode === 5) {
            refused += 1;
            const audit = sim.audit();
            expect(audit.violations).toEqual([]);
            return;
          }
          throw error;
        }
        completed += 1;
        sim.noteRunEnd();
        const audit = sim.audit();
        const problems = [...audit.violations, ...checkPolicy(result)];
        if (audit.maxNodesOutOfService > 1) problems.push(`max nodes out of service ${audit.maxNodesOutOfService}`);
        if (problems.length > 0) throw new Error(`${problems.join('\n')}\nfixture: ${JSON.stringify(fixture)}\nresult: ${JSON.stringify(result.nodeResults.map((r) => [r.node, r.status, r.attempts, r.errorRecord?.code]))} ${result.status} ${result.errorRecord?.code}`);
      }),
      { numRuns: RUNS, seed: Number(process.env.CAUCTL_PROPERTY_SEED ?? 20261125) },
    );
    expect(completed).toBeGreaterThanOrEqual(Math.min(MIN_COMPLETED, RUNS * 0.8));
    console.log(`property: ${completed} runs completed, ${refused} refused before touching anything`);
  }, 600_000);
});
