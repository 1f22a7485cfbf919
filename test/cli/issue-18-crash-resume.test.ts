/**
 * Issue 18: a run with --pre-install and --max-concurrent-nodes 2, killed (SIGKILL) at random points, is finished
 * by `run --resume`: a group that was in flight finishes its windows together (the journal replays every node in
 * flight, not only the last), no node is left paused, nothing is installed twice, and the audit finds nothing.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readJournal } from '../../src/journal/journal.js';
import { anUpdate, parseJson, sandbox, type Sandbox } from '../support/cli.js';
import { collect, journalAppears, runJournals } from '../support/state-checks.js';

const KILLS = Number(process.env.CAUCTL_GROUP_CRASH_POINTS ?? 8);
/** Real milliseconds the run itself lasts at the speed chosen below (virtual seconds ÷ speed). */
const RUN_MS = 1500;

interface RunDoc {
  status: string;
  resumed: boolean;
  nodeResults: Array<{ node: string; status: string }>;
  simulation: { violations: string[]; maxNodesOutOfService: number };
}

/** A deterministic pseudo-random sequence, so a failing kill point can be replayed. */
function randomSequence(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x * 1664525 + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

describe('issue 18: crash and resume with groups in flight', () => {
  let box: Sandbox;
  beforeAll(() => {
    box = sandbox();
  });
  afterAll(() => box.cleanup());

  it(`finishes the run with --resume after SIGKILL at ${KILLS} random points`, async () => {
    // Five SAN nodes with room for two away at once; MaxFailedNodes 2 leaves room for a group of two.
    const nodes = Array.from({ length: 5 }, (_, i) => ({ name: `NODE${i + 1}`, roles: [`VM${i + 1}`], memoryMB: 262144, updates: [anUpdate()] }));
    const fixture = box.fixture({
      name: 'GROUPCRASH',
      storage: { s2d: false },
      quorum: { witnessType: 'Disk', witnessState: 'Online' },
      vms: Object.fromEntries(nodes.map((n) => [n.roles[0]!, { memoryMB: 16384 }])),
      nodes,
    });
    const args = ['--pre-install', '--max-concurrent-nodes', '2', '--max-failed-nodes', '2'];
    const probe = parseJson<{ simulation: { virtualSeconds: number; maxNodesOutOfService: number } }>(box.run(['run', '--simulate', fixture, '--sim-reset', '--force', '--json', ...args]));
    expect(probe.simulation.maxNodesOutOfService).toBe(2);
    const speed = String(Math.max(1, Math.round(probe.simulation.virtualSeconds / (RUN_MS / 1000))));
    const t0 = Date.now();
    expect(box.run(['run', '--simulate', fixture, '--sim-reset', '--force', '--json', '--sim-speed', speed, ...args]).code).toBe(0);
    const fullMs = Date.now() - t0;

    const random = randomSequence(Number(process.env.CAUCTL_CRASH_SEED ?? 18));
    let resumedRuns = 0;
    for (let i = 0; i < KILLS; i++) {
      // Two kill points in three are counted from the moment the run's journal appears and drawn inside the
      // run (about RUN_MS at this speed), so that a loaded machine's slow start-up does not take them all;
      // the third is drawn anywhere in the whole run from the spawn, start-up included.
      const fromJournal = i % 3 !== 2;
      const delayMs = Math.floor(random() * (fromJournal ? RUN_MS : fullMs));
      const journalsBefore = new Set(runJournals(box.stateDir, 'GROUPCRASH'));
      const child = box.start(['run', '--simulate', fixture, '--sim-reset', '--force', '--json', '--sim-speed', speed, ...args]);
      const exited = collect(child);
      if (fromJournal) await journalAppears(box.stateDir, 'GROUPCRASH', journalsBefore, exited);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      child.kill('SIGKILL');
      const killed = await exited;
      const context = `SIGKILL at point ${i} after ${delayMs} ms${fromJournal ? ' from its journal' : ''} (exit ${killed.code}, signal ${killed.signal}):\n${killed.stderr}`;
      const resumed = box.run(['run', '--simulate', fixture, '--resume', '--force', '--json']);
      const doc = parseJson<RunDoc & { error?: { code: string } }>(resumed);
      if (resumed.code === 5 && doc.error?.code === 'NOTHING_TO_RESUME') continue;
      if (resumed.code !== 0 || doc.status !== 'Succeeded' || doc.simulation.violations.length > 0) {
        throw new Error(`${context}\n--- resume (exit ${resumed.code}) ---\n${resumed.stderr}\nviolations: ${JSON.stringify(doc.simulation?.violations)}\n${JSON.stringify(doc.nodeResults?.map((r) => [r.node, r.status]))}`);
      }
      if (doc.resumed) resumedRuns += 1;
      expect(doc.nodeResults.map((r) => r.status)).toEqual(['Succeeded', 'Succeeded', 'Succeeded', 'Succeeded', 'Succeeded']);
      const cluster = parseJson<{ nodes: Array<{ name: string; state: string }> }>(box.run(['get-run', '--simulate', fixture, '--show-cluster-node-state', '--json']));
      if (!cluster.nodes.every((n) => n.state === 'Up')) throw new Error(`${context}\nnodes: ${JSON.stringify(cluster.nodes)}`);
      const dir = join(box.stateDir, 'runs', 'GROUPCRASH');
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.jsonl'))) expect(() => readJournal(join(dir, file))).not.toThrow();
    }
    expect(resumedRuns).toBeGreaterThan(0);
  }, 600_000);
});
