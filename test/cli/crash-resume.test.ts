/**
 * Crash test (issue 3): SIGKILL the CLI at many random points of a simulated run. Each time, `run --resume`
 * must finish the run, leave no node paused, update no node twice (the simulator flags a repeated install as
 * a violation), and the journal must stay parseable.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readJournal } from '../../src/journal/journal.js';
import { aCluster, anUpdate, parseJson, sandbox, type Sandbox } from '../support/cli.js';

const KILLS = Number(process.env.CAUCTL_CRASH_POINTS ?? 50);

interface RunDoc {
  status: string;
  resumed: boolean;
  nodeResults: Array<{ node: string; status: string }>;
  simulation: { violations: string[]; maxNodesOutOfService: number };
}

function journals(stateDir: string): string[] {
  const dir = join(stateDir, 'runs', 'CRASHY');
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.jsonl')).map((f) => join(dir, f));
  } catch {
    return [];
  }
}

/** A deterministic pseudo-random sequence, so a failing kill point can be replayed. */
function randomSequence(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x * 1664525 + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

describe('crash and resume', () => {
  let box: Sandbox;
  beforeAll(() => {
    box = sandbox();
  });
  afterAll(() => box.cleanup());

  it(`finishes the run with --resume after SIGKILL at ${KILLS} random points`, async () => {
    const followUp = anUpdate({ kb: 'KB-FOLLOW', rebootRequired: false });
    const fixture = box.fixture(
      aCluster('CRASHY', [2, 1, 3], {
        NODE1: { updates: [anUpdate({ followUps: [followUp] }), anUpdate({ rebootRequired: false })] },
        NODE3: { faults: [{ kind: 'installFails', times: 1, errorCode: '0x80240022' }] },
      }),
    );
    // A finite simulation speed stretches the run over about 1.5 s of real time, so kill points land inside
    // it rather than in process start-up; then measure how long a whole run really takes.
    const probe = parseJson<{ simulation: { virtualSeconds: number } }>(box.run(['run', '--simulate', fixture, '--sim-reset', '--force', '--json']));
    const speed = String(Math.max(1, Math.round(probe.simulation.virtualSeconds / 1.5)));
    const t0 = Date.now();
    const full = box.run(['run', '--simulate', fixture, '--sim-reset', '--force', '--json', '--sim-speed', speed]);
    expect(full.code).toBe(0);
    const fullMs = Date.now() - t0;

    const random = randomSequence(Number(process.env.CAUCTL_CRASH_SEED ?? 7));
    const outcomes: string[] = [];
    for (let i = 0; i < KILLS; i++) {
      const delayMs = Math.floor(random() * fullMs * 1.1);
      const child = box.start(['run', '--simulate', fixture, '--sim-reset', '--force', '--json', '--sim-speed', speed]);
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      child.kill('SIGKILL');
      const killedCode = await exited;

      for (const path of journals(box.stateDir)) expect(() => readJournal(path)).not.toThrow();

      const resumed = box.run(['run', '--simulate', fixture, '--resume', '--force', '--json']);
      const doc = parseJson<RunDoc>(resumed);
      const context = `kill point ${i} after ${delayMs} ms (killed child exit ${killedCode}):\n${resumed.stderr}`;
      if (resumed.code !== 0 || doc.status !== 'Succeeded' || doc.simulation.violations.length > 0) {
        throw new Error(`${context}\n${JSON.stringify(doc, null, 2).slice(0, 3000)}`);
      }
      expect(doc.nodeResults.map((r) => r.status)).toEqual(['Succeeded', 'Succeeded', 'Succeeded']);
      expect(doc.simulation.maxNodesOutOfService).toBeLessThanOrEqual(1);

      const state = parseJson<{ runState: string }>(box.run(['get-run', '--simulate', fixture, '--json']));
      expect(state.runState).toBe('RunNotInProgress');
      const nodes = parseJson<{ nodes: Array<{ name: string; state: string }> }>(box.run(['get-run', '--simulate', fixture, '--show-cluster-node-state', '--json']));
      expect(nodes.nodes.every((n) => n.state === 'Up')).toBe(true);
      for (const path of journals(box.stateDir)) expect(() => readJournal(path)).not.toThrow();
      outcomes.push(doc.resumed ? 'resumed' : 'fresh');
    }
    // Most kill points land inside the run, so most recoveries are real resumes.
    expect(outcomes.filter((o) => o === 'resumed').length).toBeGreaterThan(KILLS / 3);
  }, 600_000);
});
