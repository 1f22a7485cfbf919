import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ScriptInvocation, Transport } from '../transport/transport.js';
import { CLUSTERLESS_ENTRY, clusterlessEntry, clusterlessGlobals, requireStandaloneModel } from './clusterless-state.js';

const call = (name: string, params: Record<string, unknown>): ScriptInvocation => ({ name, script: '', params });

describe('the clusterless run\'s local state, behind its entry', () => {
  let dir: string;
  const sent: string[] = [];
  const servers: Transport = {
    name: 'fake',
    async run(node, invocation) {
      sent.push(`${node}:${invocation.name}`);
      return { ok: true, data: { node } };
    },
    close: async () => undefined,
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cauctl-clusterless-'));
    sent.length = 0;
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('answers the lock calls from the state directory, compare-and-set; calls to servers pass through', async () => {
    const t = clusterlessEntry(servers, 'BRANCH3', dir);
    expect(await t.run('BRANCH3', call('get-cluster-property', { name: 'CauctlRunLock' }))).toEqual({ ok: true, data: { value: null } });
    expect(await t.run('branch3', call('set-cluster-property', { name: 'CauctlRunLock', value: 'mine', expected: null }))).toEqual({ ok: true, data: { applied: true, current: 'mine' } });
    // A second coordinator's compare-and-set against the value it saw before loses.
    const other = clusterlessEntry(servers, 'BRANCH3', dir);
    expect(await other.run('BRANCH3', call('set-cluster-property', { name: 'CauctlRunLock', value: 'theirs', expected: null }))).toEqual({ ok: true, data: { applied: false, current: 'mine' } });
    expect(await other.run('BRANCH3', call('get-cluster-property', { name: 'CauctlRunLock' }))).toEqual({ ok: true, data: { value: 'mine' } });
    expect(await t.run('SRV1', call('get-node-status', {}))).toEqual({ ok: true, data: { node: 'SRV1' } });
    expect(sent).toEqual(['SRV1:get-node-status']);
  });

  it('refuses any other cluster-wide call: a clusterless run has no cluster', async () => {
    const t = clusterlessEntry(servers, 'BRANCH3', dir);
    for (const name of ['get-cluster', 'suspend-node', 'resume-node', 'wait-storage-healthy']) {
      expect(await t.run('BRANCH3', call(name, {}))).toMatchObject({ ok: false, error: { code: 'CLUSTERLESS_NO_CLUSTER', message: expect.stringContaining(name) } });
    }
    expect(sent).toEqual([]);
  });
});

describe('the global options a clusterless command opens with', () => {
  const base = { transport: 'winrm', clusterName: undefined, simulate: undefined } as unknown as Parameters<typeof clusterlessGlobals>[0];

  it('on real servers the entry is CLUSTERLESS (where journals, reports and the lock are filed)', () => {
    expect(clusterlessGlobals(base, 'clusterless-run').clusterName).toBe(CLUSTERLESS_ENTRY);
  });

  it('on the simulator the model names it', () => {
    const sim = { ...base, transport: 'simulator', simulate: 'standalone-3.json' } as typeof base;
    expect(clusterlessGlobals(sim, 'clusterless-run')).toBe(sim);
  });

  it('--cluster-name is refused, exit 2 naming it', () => {
    expect(() => clusterlessGlobals({ ...base, clusterName: 'HCI01' } as typeof base, 'clusterless-run')).toThrow(expect.objectContaining({ code: 'USAGE_CLUSTER_NAME', exitCode: 2, message: expect.stringMatching(/--cluster-name HCI01 does not apply/) }));
  });

  it('a simulated model that is a cluster is refused; a standalone one (or none: real servers) passes', () => {
    expect(() => requireStandaloneModel({ name: 'HCI01' }, 'clusterless-run')).toThrow(expect.objectContaining({ code: 'USAGE_NOT_STANDALONE', exitCode: 2 }));
    expect(() => requireStandaloneModel({ name: 'BRANCH3', standalone: true }, 'clusterless-run')).not.toThrow();
    expect(() => requireStandaloneModel(undefined, 'clusterless-run')).not.toThrow();
  });
});
