/**
 * Issue 12 (the gateway): the one-shot commands use the run's retry rules with their own short deadline
 * (src/cli/one-shot-retry.ts). On the built CLI and the simulator: a scan whose reply is lost on one node (a
 * connectionLoss fault shorter than the deadline) retries that node's scan, says so on stderr, and reports
 * every node scanned. A cluster that does not answer at all ends with exit 4 after the one-shot minute, not
 * after the run's 15 minutes: at --sim-speed 12 that is about 5 s of real time, where 15 virtual minutes
 * would be 75 s, past the test's timeout.
 */
import type { ChildProcess } from 'node:child_process';
import { aCluster, parseJson, sandbox, type ExecResult, type Sandbox } from '../support/cli.js';

let box: Sandbox;
const children: ChildProcess[] = [];
beforeEach(() => {
  box = sandbox();
});
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  box.cleanup();
});

/** Runs the CLI without blocking the test's event loop, so the test's own timeout can end a long wait. */
function runAsync(args: readonly string[]): Promise<ExecResult> {
  const child = box.start(args);
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

/** Every node of the cluster is Up but none answers WinRM: the cluster name does not answer either. */
function silentCluster(name: string): string {
  return box.fixture(aCluster(name, [0, 0, 0], { NODE1: { reachable: false }, NODE2: { reachable: false }, NODE3: { reachable: false } }));
}

const GIVE_UP_HINT = (node: string): RegExp =>
  new RegExp(`try: Check that ${node} is up and that WinRM answers on it \\(Test-WSMan ${node}; the WinRM service, the firewall, DNS\\), then run the command again\\. One-shot commands retry for 1 min`);

describe('issue 12: scan uses the retrying gateway', () => {
  it('a lost scan reply is retried within the deadline, with a warning, and the node is scanned', () => {
    const fixture = box.fixture(aCluster('SCANRETRY', [0, 0, 0], { NODE2: { faults: [{ kind: 'connectionLoss', phase: 'scan', seconds: 30 }] } }));
    const result = box.run(['scan', '--simulate', fixture, '--sim-reset', '--sim-speed', 'max', '--json']);
    expect(result.code).toBe(0);
    const nodes = new Set(parseJson<Array<{ nodeName: string; error?: unknown }>>(result).map((e) => e.nodeName));
    expect([...nodes].sort()).toEqual(['NODE1', 'NODE2', 'NODE3']);
    expect(result.stderr).toMatch(/warning: scan-updates on NODE2: .*connection dropped[^;]*[^.]; retrying \(not a failure until 1 min pass\)/);
  });

  it('a node away longer than the one-shot minute is reported as not scanned (exit 6), the others are listed', () => {
    const fixture = box.fixture(aCluster('SCANGONE', [0, 0, 0], { NODE2: { faults: [{ kind: 'connectionLoss', phase: 'scan', seconds: 600 }] } }));
    const result = box.run(['scan', '--simulate', fixture, '--sim-reset', '--sim-speed', 'max', '--json']);
    expect(result.code).toBe(6);
    const entries = parseJson<Array<{ nodeName: string; error?: { message: string } }>>(result);
    expect(entries.find((e) => e.nodeName === 'NODE2')?.error?.message).toMatch(/NODE2 is not reachable over WinRM/);
    expect(entries.some((e) => e.nodeName === 'NODE1' && e.error === undefined)).toBe(true);
  });
});

describe('one-shot commands give up after 1 min, not the run 15 min', () => {
  it('scan of a cluster that does not answer: exit 4, naming the cluster and what to check', async () => {
    const result = await runAsync(['scan', '--simulate', silentCluster('SILENT01'), '--sim-reset', '--sim-speed', '12']);
    expect(result.stderr).toMatch(/warning: get-cluster on SILENT01: .*not reachable over WinRM.*; retrying \(not a failure until 1 min pass\)/);
    expect(result.stderr).toMatch(/SILENT01 is not reachable over WinRM/);
    expect(result.stderr).toMatch(GIVE_UP_HINT('SILENT01'));
    expect(result.stderr).not.toMatch(/coordinator should wait/);
    expect(result.code).toBe(4);
  });

  it('get-role (a role command) on a cluster that does not answer: exit 4 with the same hint', () => {
    const result = box.run(['get-role', '--simulate', silentCluster('SILENT02'), '--sim-reset', '--sim-speed', 'max']);
    expect(result.stderr).toMatch(/retrying \(not a failure until 1 min pass\)/);
    expect(result.stderr).toMatch(GIVE_UP_HINT('SILENT02'));
    expect(result.code).toBe(4);
  });

  it('test-setup with one node that does not answer: its rules fail naming the node (exit 5), after the one-shot minute', async () => {
    const fixture = box.fixture(aCluster('ONEGONE', [0, 0, 0], { NODE3: { reachable: false } }));
    const result = await runAsync(['test-setup', '--simulate', fixture, '--sim-reset', '--sim-speed', '12']);
    expect(result.stderr).toMatch(/warning: get-node-setup on NODE3: .*; retrying \(not a failure until 1 min pass\)/);
    expect(result.stdout).toMatch(/NODE3: not reachable: NODE3 is not reachable over WinRM/);
    expect(result.stdout).toMatch(/remedy: Set-Service -Name WinRM -StartupType Automatic/);
    expect(result.code).toBe(5);
  });

  it('--help of the one-shot commands says how long they retry', () => {
    for (const command of ['scan', 'test-setup', 'get-role', 'set-role']) {
      expect(box.run([command, '--help']).stdout.replace(/\s+/g, ' ')).toMatch(/A node that does not answer is retried for 1 min \(a refused connection 10 s, a name that does not resolve not at all\)/);
    }
  });
});
