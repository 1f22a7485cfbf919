/**
 * Issue 13 on the built CLI and the simulator: Application Control (a node in ConstrainedLanguage mode) is an
 * Error-level test-setup rule, and offline-update brings the cluster back with the cluster service started
 * node by node while every second hop is denied (the model holds no password).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseJson, sandbox, type Sandbox } from '../support/cli.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

interface RuleDoc {
  id: string;
  severity: string;
  state: string;
  remedy: string;
  nodes: Array<{ node: string; state: string; detail: string }>;
}

function fixture(name: string, body: Record<string, unknown>): string {
  const path = join(box.dir, `${name}.json`);
  writeFileSync(path, JSON.stringify({ name, ...body }));
  return path;
}

describe('Application Control (WDAC)', () => {
  it('test-setup on a node in ConstrainedLanguage mode exits 5 naming CAUCTL-12 and that node', () => {
    const model = fixture('WDAC01', { nodes: [{ name: 'NODE1' }, { name: 'NODE2', setup: { languageMode: 'ConstrainedLanguage' } }, { name: 'NODE3' }] });
    const result = box.run(['test-setup', '--simulate', model, '--sim-reset', '--json']);
    expect(result.code).toBe(5);
    const rule = parseJson<{ rules: RuleDoc[] }>(result).rules.find((r) => r.id === 'CAUCTL-12')!;
    expect(rule).toMatchObject({ severity: 'Error', state: 'Fail' });
    expect(rule.remedy).toMatch(/supplemental Application Control policy/);
    expect(rule.nodes.filter((n) => n.state === 'Fail').map((n) => n.node)).toEqual(['NODE2']);
  });
});

describe('the second hop', () => {
  it('offline-update brings the cluster back with every second hop denied', () => {
    const model = fixture('HOP02', {
      passwordHeld: false,
      nodes: ['NODE1', 'NODE2', 'NODE3'].map((name) => ({ name, updates: [{ id: `cu-${name}`, kb: 'KB5031364', title: 'Cumulative Update', rebootRequired: true }] })),
    });
    const result = box.run(['offline-update', '--simulate', model, '--sim-reset', '--force', '--json']);
    expect({ code: result.code, stderr: result.code === 0 ? '' : result.stderr }).toEqual({ code: 0, stderr: '' });
    const doc = parseJson<{ simulation: { violations: string[] } }>(result);
    expect(doc.simulation.violations).toEqual([]);
  });
});

describe('services after a restart', () => {
  it('a node with a stopped trigger-start service still finishes its restart (only services that ran before are awaited)', () => {
    const model = fixture('SVC02', {
      nodes: ['NODE1', 'NODE2', 'NODE3'].map((name) => ({
        name,
        updates: [{ id: `cu-${name}`, kb: 'KB5031364', title: 'Cumulative Update', rebootRequired: true }],
        ...(name === 'NODE2' ? { faults: [{ kind: 'serviceStaysStopped', service: 'MapsBroker' }] } : {}),
      })),
    });
    const result = box.run(['run', '--simulate', model, '--sim-reset', '--force', '--json']);
    expect({ code: result.code, stderr: result.code === 0 ? '' : result.stderr }).toEqual({ code: 0, stderr: '' });
    const doc = parseJson<{ status: string; nodeResults: Array<{ node: string; status: string; rebooted: boolean }>; simulation: { violations: string[] } }>(result);
    expect(doc.nodeResults.find((n) => n.node === 'NODE2')).toMatchObject({ status: 'Succeeded', rebooted: true });
    expect(doc.simulation.violations).toEqual([]);
  });
});

describe('Application Control and run', () => {
  it('run on a cluster with a ConstrainedLanguage node exits 5 and touches nothing', () => {
    const model = fixture('WDAC02', {
      nodes: ['NODE1', 'NODE2'].map((name) => ({
        name,
        updates: [{ id: `cu-${name}`, kb: 'KB5031364', title: 'Cumulative Update', rebootRequired: true }],
        ...(name === 'NODE2' ? { setup: { languageMode: 'ConstrainedLanguage' } } : {}),
      })),
    });
    const result = box.run(['run', '--simulate', model, '--sim-reset', '--force', '--json']);
    expect(result.code).toBe(5);
    const scan = box.run(['scan', '--simulate', model, '--json']);
    expect(scan.stdout).toContain('cu-NODE1');
  });
});
