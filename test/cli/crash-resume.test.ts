/**
 * Crash test (issue 3, issue 14): SIGKILL the CLI at many random points of a simulated run, and every fifth
 * point SIGTERM or SIGHUP instead. After a SIGKILL, `run --resume` must finish the run (or, when the lock was
 * not yet taken or already released, refuse with exit 5 and touch nothing); after SIGTERM or SIGHUP the run
 * itself stops at a safe point (exit 3) or finishes (exit 0). Each time no node is left paused, no node is
 * updated twice (the simulator flags a repeated install as a violation), and the journal stays parseable.
 */
import { readJournal } from '../../src/journal/journal.js';
import { aCluster, anUpdate, parseJson, sandbox, type Sandbox } from '../support/cli.js';
import { collect, journalAppears, runJournals } from '../support/state-checks.js';

const KILLS = Number(process.env.CAUCTL_CRASH_POINTS ?? 50);

interface RunDoc {
  status: string;
  resumed: boolean;
  nodeResults: Array<{ node: string; status: string }>;
  simulation: { violations: string[]; maxNodesOutOfService: number };
}

const journals = (stateDir: string): string[] => runJournals(stateDir, 'CRASHY');

/** A deterministic pseudo-random sequence, so a failing kill point can be replayed. */
function randomSequence(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x * 1664525 + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

/** Real milliseconds from start to the run-started event, and to the end of a whole (successful) run. */
async function timeRun(box: Sandbox, args: string[]): Promise<{ startedMs: number; fullMs: number }> {
  const t0 = Date.now();
  const child = box.start(args);
  let startedMs: number | undefined;
  let pending = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    if (startedMs === undefined && /"type":"run-started"/.test(pending)) startedMs = Date.now() - t0;
  });
  const done = await collect(child);
  if (done.code !== 0 || startedMs === undefined) throw new Error(`the timing run failed (exit ${done.code}, run-started seen: ${startedMs !== undefined}):\n${done.stderr}`);
  return { startedMs, fullMs: Date.now() - t0 };
}

describe('crash and resume', () => {
  let box: Sandbox;
  beforeAll(() => {
    box = sandbox();
  });
  afterAll(() => box.cleanup());

  it(`finishes the run with --resume after SIGKILL, SIGTERM or SIGHUP at ${KILLS} random points`, async () => {
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
    // Time the run: when its run-started event arrives (the lock is taken and the pre-state recorded) and when
    // it ends. Process start-up is a large, load-dependent share of the whole on a busy machine, so two kill
    // points in three are counted from the moment the run's journal appears (an observable, not a guess in
    // real time) and drawn inside the run's remaining time; the third is drawn anywhere in [0, 1.1 × end]
    // from the spawn, which also covers start-up and the run's end. The share of real resumes then does not
    // depend on the machine's load.
    const { startedMs, fullMs } = await timeRun(box, ['run', '--simulate', fixture, '--sim-reset', '--force', '--output', 'ndjson', '--sim-speed', speed]);

    const random = randomSequence(Number(process.env.CAUCTL_CRASH_SEED ?? 7));
    const outcomes: string[] = [];
    for (let i = 0; i < KILLS; i++) {
      const fromJournal = i % 3 !== 2;
      const delayMs = fromJournal ? Math.floor(random() * (fullMs - startedMs)) : Math.floor(random() * fullMs * 1.1);
      const signal: NodeJS.Signals = i % 5 === 3 ? 'SIGTERM' : i % 5 === 4 ? 'SIGHUP' : 'SIGKILL';
      const journalsBefore = new Set(journals(box.stateDir));
      const child = box.start(['run', '--simulate', fixture, '--sim-reset', '--force', '--json', '--sim-speed', speed]);
      const exited = collect(child);
      if (fromJournal) await journalAppears(box.stateDir, 'CRASHY', journalsBefore, exited);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      child.kill(signal);
      const killed = await exited;
      const context = `${signal} at point ${i} after ${delayMs} ms${fromJournal ? ' from its journal' : ''} (exit ${killed.code}, signal ${killed.signal}):\n${killed.stderr}`;

      for (const path of journals(box.stateDir)) expect(() => readJournal(path)).not.toThrow();
      if (signal !== 'SIGKILL' && killed.code !== null) {
        // Handled: a safe halt (3) or the run's own end (0); never an internal error.
        if (killed.code !== 0 && killed.code !== 3) throw new Error(context);
        const own = parseJson<RunDoc>(killed);
        if ((own.simulation?.violations.length ?? 0) > 0) throw new Error(`${context}\n${JSON.stringify(own.simulation.violations)}`);
      }

      const resumed = box.run(['run', '--simulate', fixture, '--resume', '--force', '--json']);
      const doc = parseJson<RunDoc & { error?: { code: string } }>(resumed);
      const resumeContext = `${context}\n--- resume (exit ${resumed.code}) ---\n${resumed.stderr}`;
      if (resumed.code === 5 && doc.error?.code === 'NOTHING_TO_RESUME') {
        outcomes.push(`${signal}:nothing`);
      } else {
        if (resumed.code !== 0 || doc.status !== 'Succeeded' || doc.simulation.violations.length > 0) {
          throw new Error(`${resumeContext}\n${JSON.stringify(doc, null, 2).slice(0, 3000)}`);
        }
        expect(doc.nodeResults.map((r) => r.status)).toEqual(['Succeeded', 'Succeeded', 'Succeeded']);
        expect(doc.simulation.maxNodesOutOfService).toBeLessThanOrEqual(1);
        outcomes.push(`${signal}:${doc.resumed ? 'resumed' : 'fresh'}`);
      }

      // One read of the cluster (a CLI process per point is a large share of this test's time on a loaded
      // machine): no run left in progress (get-run's RunNotInProgress is exactly "no readable lock property";
      // here no lock property at all, which is stricter) and every node Up.
      const after = parseJson<{ nodes: Array<{ name: string; state: string }>; lockProperty: string | null }>(box.run(['get-run', '--simulate', fixture, '--show-cluster-node-state', '--json']));
      if (after.lockProperty !== null) throw new Error(`${resumeContext}\nthe lock is left: ${after.lockProperty}`);
      if (!after.nodes.every((n) => n.state === 'Up')) throw new Error(`${resumeContext}\nnodes: ${JSON.stringify(after.nodes)}`);
      for (const path of journals(box.stateDir)) expect(() => readJournal(path)).not.toThrow();
    }
    // Most SIGKILL points land inside the run, so most recoveries are real resumes; SIGTERM and SIGHUP are
    // handled by the run itself, so their --resume finds nothing to continue.
    const sigkills = outcomes.filter((o) => o.startsWith('SIGKILL'));
    expect(sigkills.filter((o) => o === 'SIGKILL:resumed').length).toBeGreaterThan(sigkills.length / 3);
    expect(outcomes.filter((o) => !o.startsWith('SIGKILL') && o !== `${o.split(':')[0]}:nothing`)).toEqual([]);
  }, 900_000);
});
