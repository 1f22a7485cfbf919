/**
 * Issue 12 (the gateway): the one-shot commands use the run's retry policy. On the built CLI and the
 * simulator: a scan whose reply is lost on one node (a connectionLoss fault) retries that node's scan, says so
 * on stderr, and reports every node scanned, where it used to report the node as failed (exit 6).
 */
import { aCluster, parseJson, sandbox, type Sandbox } from '../support/cli.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

describe('issue 12: scan uses the retrying gateway', () => {
  it('a lost scan reply is retried within the deadline, with a warning, and the node is scanned', () => {
    const fixture = box.fixture(aCluster('SCANRETRY', [0, 0, 0], { NODE2: { faults: [{ kind: 'connectionLoss', phase: 'scan', seconds: 120 }] } }));
    const result = box.run(['scan', '--simulate', fixture, '--sim-reset', '--sim-speed', 'max', '--json']);
    expect(result.code).toBe(0);
    const nodes = new Set(parseJson<Array<{ nodeName: string; error?: unknown }>>(result).map((e) => e.nodeName));
    expect([...nodes].sort()).toEqual(['NODE1', 'NODE2', 'NODE3']);
    expect(result.stderr).toMatch(/warning: scan-updates on NODE2: .*connection dropped[^;]*[^.]; retrying \(not a failure until 1\d min pass\)/);
  });
});
