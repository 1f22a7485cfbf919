/**
 * The predicted finish of a run that takes several nodes out of service at once (`--max-concurrent-nodes`, and
 * `--pre-install`'s canary, pre-install and windows): every prediction the run publishes for get-run, from its
 * scan to its end, lands near the run's actual end. A board that summed every node's window one after the other
 * predicted a k=3 run about twice too long. The run is watched through get-run, polled until it ends, never on a
 * clock.
 */
import { sandbox, type Sandbox } from '../support/cli.js';
import { watchPredictions, type RunView } from '../support/predictions.js';
import { collect } from '../support/state-checks.js';

/** Short phases, so that a run of six nodes lasts a few real seconds at --sim-speed 300. */
const TIMING = { scanSeconds: 30, downloadSeconds: 120, drainSecondsPerRole: 15, installSeconds: 300, rebootSeconds: 120, servicesStartSeconds: 30, resyncSeconds: 120 };

/** A SAN cluster (no S2D, disk witness) of six nodes with memory for three of them away: groups of three. */
const SAN6 = {
  name: 'ETAK',
  timing: TIMING,
  storage: { s2d: false },
  quorum: { witnessType: 'Disk', witnessState: 'Online' },
  vms: Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`VM${i + 1}`, { memoryMB: 16 * 1024 }])),
  nodes: Array.from({ length: 6 }, (_, i) => ({ name: `NODE${i + 1}`, roles: [`VM${i + 1}`], memoryMB: 128 * 1024, updates: [{ id: `cu-${i}`, kb: 'KB1', title: 'CU' }] })),
};

/** An S2D cluster of six nodes in three racks of two, its virtual disks rack-aware: a rack's two nodes go together. */
const RACKS6 = {
  name: 'ETAR',
  timing: TIMING,
  storage: { s2d: true, faultDomainAwareness: 'StorageRack' },
  quorum: { witnessType: 'Cloud', witnessState: 'Online' },
  vms: SAN6.vms,
  nodes: SAN6.nodes.map((n, i) => ({ ...n, faultDomain: { rack: `RACK${Math.floor(i / 2) + 1}`, chassis: `CHASSIS${i + 1}` } })),
};

interface RunDoc {
  status: string;
  startTime: string;
  endTime: string;
  simulation: { maxNodesOutOfService: number; violations: string[] };
}

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

/** How far each prediction lands from the run's actual end, in percent of the whole run (startTime to endTime). */
function percentsOff(predicted: readonly RunView[], doc: Pick<RunDoc, 'startTime' | 'endTime'>): Array<{ at: string; percentOff: number }> {
  const startMs = Date.parse(doc.startTime);
  const endMs = Date.parse(doc.endTime);
  return predicted.map((v) => ({ at: `${v.currentNode} ${v.currentPhase}`, percentOff: Math.round((Math.abs(Date.parse(v.predictedEndTime!) - endMs) / (endMs - startMs)) * 100) }));
}

describe('run --force --json with several nodes out of service at once', () => {
  it.each([
    ['--max-concurrent-nodes 3', SAN6, 3, ['--max-concurrent-nodes', '3', '--max-failed-nodes', '3']],
    ['--pre-install --max-concurrent-nodes 3', SAN6, 3, ['--pre-install', '--max-concurrent-nodes', '3', '--max-failed-nodes', '3']],
    // The groups depend on the racks, which the run reads only at its first group: the prediction reads them once.
    ['--max-concurrent-nodes 4 on S2D in racks of 2', RACKS6, 2, ['--max-concurrent-nodes', '4', '--max-failed-nodes', '3']],
  ])('%s publishes every prediction within 15%% of the run of its actual end', async (_name, model, together, mode) => {
    const fixture = box.fixture(model);
    const run = box.start(['run', '--simulate', fixture, '--sim-reset', '--force', '--json', '--sim-speed', '300', ...mode]);
    const done = collect(run);
    const { predicted } = await watchPredictions(box, fixture, run);
    const result = await done;
    expect(result.code).toBe(0);
    const doc = JSON.parse(result.stdout) as RunDoc;
    expect({ status: doc.status, violations: doc.simulation.violations }).toEqual({ status: 'Succeeded', violations: [] });
    // The nodes really went together: the prediction is checked on the mode, not on a serial run.
    expect(doc.simulation.maxNodesOutOfService).toBe(together);
    expect(predicted.length).toBeGreaterThan(0);
    const off = percentsOff(predicted, doc);
    // 5% at most on a quiet machine; the margin is for a loaded one, where real time spent between two virtual
    // steps stretches the virtual run. A board that summed the windows was 155% off (and 138% with --pre-install).
    expect(off.filter((o) => o.percentOff > 15)).toEqual([]);
  }, 60000);
});
