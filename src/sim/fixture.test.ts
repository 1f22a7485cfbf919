import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { isAppError } from '../errors.js';
import { BUILTIN_FIXTURE_PATH, formatIssuePath, loadFixture, parseFixture } from './fixture.js';

/** A minimal valid fixture, overridable. */
const aFixture = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  name: 'T1',
  nodes: [{ name: 'NODE1' }, { name: 'NODE2' }],
  ...over,
});
const withNode = (node: Record<string, unknown>): Record<string, unknown> => aFixture({ nodes: [{ name: 'NODE1' }, { name: 'NODE2', ...node }] });

function problems(raw: unknown): string[] {
  try {
    parseFixture(raw, 'test.json');
  } catch (e) {
    if (isAppError(e) && e.code === 'FIXTURE_INVALID') return (e.details?.problems as string[]) ?? [];
    throw e;
  }
  throw new Error('expected FIXTURE_INVALID');
}

describe('fixture defaults', () => {
  it('fills timings, storage, quorum, setup and empty lists', () => {
    const fx = parseFixture(aFixture(), 'x');
    expect(fx.timing).toEqual({
      scanSeconds: 30, downloadSeconds: 300, drainSecondsPerRole: 15, installSeconds: 600,
      rebootSeconds: 300, servicesStartSeconds: 60, resyncSeconds: 600,
    });
    expect(fx.storage.s2d).toBe(false);
    expect(fx.quorum).toEqual({ witnessType: 'None', witnessState: 'NotConfigured' });
    const node = fx.nodes[0]!;
    expect(node).toMatchObject({ state: 'Up', roles: [], updates: [], faults: [], osBuild: 20348, reachable: true });
    expect(node.setup.features).toEqual({ failoverClustering: true, rsatClusteringPowerShell: true, netFramework45: true });
    expect(node.setup.autoUpdateMode).toBe('NotifyOnly');
  });

  it('keeps given timings and fills the rest', () => {
    const fx = parseFixture(aFixture({ timing: { installSeconds: 60 } }), 'x');
    expect(fx.timing.installSeconds).toBe(60);
    expect(fx.timing.rebootSeconds).toBe(300);
  });

  it('defaults update fields, recursively through follow-ups', () => {
    const fx = parseFixture(withNode({ updates: [{ id: 'a', kb: 'KB1', title: 'A', followUps: [{ id: 'b', kb: 'KB2', title: 'B' }] }] }), 'x');
    expect(fx.nodes[1]!.updates[0]!.followUps[0]).toEqual({
      id: 'b', kb: 'KB2', title: 'B', rebootRequired: true, type: 'Software', recommended: false, hidden: false,
      plugin: 'Microsoft.WindowsUpdatePlugin', followUps: [],
    });
  });
});

describe('fixture errors name every problem by its path', () => {
  it('lists all problems at once', () => {
    const list = problems({
      name: 'T1',
      timming: {},
      nodes: [{ name: 'NODE1', roles: 'VM1' }, { name: 'NODE2', faults: [{ kind: 'installFails', times: 0, errorCode: 'oops' }] }],
    });
    expect(list).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^\(root\): Unrecognized key: "timming"/),
        expect.stringMatching(/^nodes\[0\]\.roles: /),
        expect.stringMatching(/^nodes\[1\]\.faults\[0\]\.times: /),
        expect.stringMatching(/^nodes\[1\]\.faults\[0\]\.errorCode: expected an HRESULT/),
      ]),
    );
    expect(list).toHaveLength(4);
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['installFails.times', { kind: 'installFails', times: 1.5, errorCode: '0x1' }, /^nodes\[1\]\.faults\[0\]\.times: /],
    ['installFails.errorCode missing', { kind: 'installFails', times: 1 }, /^nodes\[1\]\.faults\[0\]\.errorCode: /],
    ['drainFails.times', { kind: 'drainFails', times: 0 }, /^nodes\[1\]\.faults\[0\]\.times: /],
    ['drainHangs.times', { kind: 'drainHangs', times: 0 }, /^nodes\[1\]\.faults\[0\]\.times: /],
    ['drainHangs extra key', { kind: 'drainHangs', seconds: 60 }, /^nodes\[1\]\.faults\[0\]: Unrecognized key: "seconds"/],
    ['rebootHangs extra key', { kind: 'rebootHangs', seconds: 3 }, /^nodes\[1\]\.faults\[0\]: Unrecognized key: "seconds"/],
    ['slowReboot.seconds', { kind: 'slowReboot', seconds: 0 }, /^nodes\[1\]\.faults\[0\]\.seconds: /],
    ['connectionLoss.phase', { kind: 'connectionLoss', phase: 'boot', seconds: 10 }, /^nodes\[1\]\.faults\[0\]\.phase: /],
    ['connectionLoss.seconds', { kind: 'connectionLoss', phase: 'install' }, /^nodes\[1\]\.faults\[0\]\.seconds: /],
    ['storageRepairStuck extra key', { kind: 'storageRepairStuck', times: 1 }, /^nodes\[1\]\.faults\[0\]: Unrecognized key: "times"/],
    ['nodeCrash.atSeconds', { kind: 'nodeCrash', atSeconds: -1 }, /^nodes\[1\]\.faults\[0\]\.atSeconds: /],
    ['nodeCrash.seconds', { kind: 'nodeCrash', atSeconds: 5, seconds: 0 }, /^nodes\[1\]\.faults\[0\]\.seconds: /],
    ['unknown kind', { kind: 'meteorStrike' }, /^nodes\[1\]\.faults\[0\]\.kind: /],
  ])('validates fault %s', (_name, fault, expected) => {
    expect(problems(withNode({ faults: [fault] }))).toEqual([expect.stringMatching(expected)]);
  });

  it('accepts every fault kind in its valid form', () => {
    const fx = parseFixture(withNode({ faults: [
      { kind: 'installFails', times: 2, errorCode: '0x80240022' },
      { kind: 'drainFails', times: 1 },
      { kind: 'drainHangs' },
      { kind: 'rebootHangs' },
      { kind: 'connectionLoss', phase: 'install', seconds: 120 },
      { kind: 'connectionLoss', phase: 'reboot', seconds: 60 },
      { kind: 'storageRepairStuck' },
      { kind: 'nodeCrash', atSeconds: 100 },
      { kind: 'nodeCrash', atSeconds: 900, seconds: 300 },
    ] }), 'x');
    expect(fx.nodes[1]!.faults).toHaveLength(9);
  });

  it.each<[string, Record<string, unknown>, string[]]>([
    ['memory on some nodes only', aFixture({ nodes: [{ name: 'NODE1', memoryMB: 8192 }, { name: 'NODE2' }] }), ['nodes[1].memoryMB: missing: NODE1 give memoryMB, so every node must (or none)']],
    ['a VM entry for no role', aFixture({ vms: { VM9: { state: 'Off' } } }), ["vms.VM9: no node owns a role named VM9: list it in some node's roles"]],
    ['VM memory without node memory', aFixture({ nodes: [{ name: 'NODE1', roles: ['VM1'] }, { name: 'NODE2' }], vms: { VM1: { memoryMB: 2048 } } }), ['vms.VM1.memoryMB: VM memory needs node memory: give every node a memoryMB']],
    ['running VMs beyond the node memory', aFixture({ nodes: [{ name: 'NODE1', roles: ['VM1', 'VM2', 'VM3'], memoryMB: 4096 }, { name: 'NODE2', memoryMB: 4096 }], vms: { VM1: { memoryMB: 2048 }, VM2: { memoryMB: 3072 }, VM3: { memoryMB: 8192, state: 'Off' } } }), ['nodes[0].memoryMB: 4096 MB cannot hold the running VMs it owns (VM1, VM2: 5120 MB)']],
    ['memory not a positive integer', aFixture({ nodes: [{ name: 'NODE1', memoryMB: 0 }, { name: 'NODE2', memoryMB: 1.5 }] }), ['nodes[0].memoryMB: Too small: expected number to be >0', 'nodes[1].memoryMB: Invalid input: expected int, received number']],
    ['liveMigratable not a boolean', aFixture({ nodes: [{ name: 'NODE1', roles: ['VM1'] }, { name: 'NODE2' }], vms: { VM1: { liveMigratable: 'no' } } }), ['vms.VM1.liveMigratable: Invalid input: expected boolean, received string']],
  ])('validates memory figures: %s', (_name, fixture, expected) => {
    expect(problems(fixture)).toEqual(expected);
  });

  it('accepts memory figures that fit, and keeps them', () => {
    const fx = parseFixture(aFixture({ nodes: [{ name: 'NODE1', roles: ['VM1'], memoryMB: 8192 }, { name: 'NODE2', memoryMB: 8192 }], vms: { VM1: { memoryMB: 8192, liveMigratable: false } } }), 'x');
    expect(fx.nodes.map((n) => n.memoryMB)).toEqual([8192, 8192]);
    expect(fx.vms).toEqual({ VM1: { memoryMB: 8192, liveMigratable: false } });
  });

  it.each<[string, Record<string, unknown>, RegExp]>([
    ['duplicate node names', aFixture({ nodes: [{ name: 'NODE1' }, { name: 'node1' }] }), /^nodes\[1\]\.name: duplicate node name/],
    ['a role on two nodes', aFixture({ nodes: [{ name: 'NODE1', roles: ['VM1'] }, { name: 'NODE2', roles: ['VM1'] }] }), /^nodes\[1\]\.roles\[0\]: role VM1 is already owned by NODE1/],
    ['duplicate update id in a follow-up', withNode({ updates: [{ id: 'a', kb: 'K', title: 'T', followUps: [{ id: 'A', kb: 'K', title: 'T' }] }] }), /^nodes\[1\]\.updates\[0\]\.followUps\[0\]\.id: duplicate update id/],
    ['a typo inside a follow-up', withNode({ updates: [{ id: 'a', kb: 'K', title: 'T', followUps: [{ id: 'b', kb: 'K', title: 'T', reboot: true }] }] }), /^nodes\[1\]\.updates\[0\]\.followUps\[0\]: Unrecognized key: "reboot"/],
    ['a hotfix without folder', withNode({ updates: [{ id: 'h', kb: 'K', title: 'T', plugin: 'Microsoft.HotfixPlugin' }] }), /^nodes\[1\]\.updates\[0\]\.folder: a hotfix needs a folder/],
    ['a hotfix in another node\'s folder', withNode({ updates: [{ id: 'h', kb: 'K', title: 'T', plugin: 'Microsoft.HotfixPlugin', folder: 'NODE1' }] }), /^nodes\[1\]\.updates\[0\]\.folder: .*not 'NODE1'/],
    ['exitCode on a WU update', withNode({ updates: [{ id: 'u', kb: 'K', title: 'T', exitCode: 3010 }] }), /^nodes\[1\]\.updates\[0\]\.exitCode: exitCode applies to Microsoft\.HotfixPlugin/],
    ['bad update type', withNode({ updates: [{ id: 'u', kb: 'K', title: 'T', type: 'Firmware' }] }), /^nodes\[1\]\.updates\[0\]\.type: /],
    ['two slowReboot faults', withNode({ faults: [{ kind: 'slowReboot', seconds: 5 }, { kind: 'slowReboot', seconds: 9 }] }), /^nodes\[1\]\.faults\[1\]: duplicate slowReboot/],
    ['slowReboot with rebootHangs', withNode({ faults: [{ kind: 'rebootHangs' }, { kind: 'slowReboot', seconds: 9 }] }), /^nodes\[1\]\.faults\[1\]: slowReboot contradicts rebootHangs/],
    ['bad node state', withNode({ state: 'Sleeping' }), /^nodes\[1\]\.state: /],
    ['stopped cluster service on an Up node', withNode({ setup: { clusterServiceState: 'Stopped' } }), /^nodes\[1\]\.state: a node whose cluster service is Stopped is Down/],
    ['a setup typo', withNode({ setup: { features: { rsat: false } } }), /^nodes\[1\]\.setup\.features: Unrecognized key: "rsat"/],
    ['a bad update source', withNode({ setup: { updateSource: 'Somewhere' } }), /^nodes\[1\]\.setup\.updateSource: expected WindowsUpdate/],
    ['a feature update that is not newer', withNode({ featureUpdate: { title: 'FU', targetBuild: 20348, kb: 'K' } }), /^nodes\[1\]\.featureUpdate\.targetBuild: must be above/],
    ['witness state without witness', aFixture({ quorum: { witnessState: 'Online' } }), /^quorum\.witnessState: witnessState Online does not fit witnessType None/],
    ['virtual disks without S2D', aFixture({ storage: { virtualDisks: ['V'] } }), /^storage\.s2d: /],
    ['a negative timing', aFixture({ timing: { rebootSeconds: -5 } }), /^timing\.rebootSeconds: /],
    ['no nodes', aFixture({ nodes: [] }), /^nodes: /],
    ['a bad cluster name', aFixture({ name: 'has space' }), /^name: expected a NetBIOS name/],
  ])('rejects %s', (_name, raw, expected) => {
    expect(problems(raw)).toEqual(expect.arrayContaining([expect.stringMatching(expected)]));
  });
});

describe('loadFixture', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cauctl-fixture-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('FIXTURE_NOT_FOUND for a missing file (exit 2)', () => {
    expect(() => loadFixture(join(dir, 'nope.json'))).toThrow(expect.objectContaining({ code: 'FIXTURE_NOT_FOUND', exitCode: 2 }));
  });

  it('FIXTURE_INVALID for bad JSON, naming the file', () => {
    const path = join(dir, 'bad.json');
    writeFileSync(path, '{ "name": ');
    expect(() => loadFixture(path)).toThrow(expect.objectContaining({ code: 'FIXTURE_INVALID', exitCode: 2, message: expect.stringContaining(path) }));
  });

  it('FIXTURE_INVALID for a schema problem, naming the file and the path', () => {
    const path = join(dir, 'schema.json');
    writeFileSync(path, JSON.stringify(withNode({ faults: [{ kind: 'drainFails', times: -1 }] })));
    expect(() => loadFixture(path)).toThrow(expect.objectContaining({ message: expect.stringMatching(/schema\.json is invalid:\n {2}nodes\[1\]\.faults\[0\]\.times: /) }));
  });

  it('loads every shipped fixture', () => {
    const shipped = readdirSync(dirname(BUILTIN_FIXTURE_PATH)).filter((f) => f.endsWith('.json'));
    expect(shipped).toEqual(expect.arrayContaining(['hci01-4node-s2d.json', 'two-node.json', 'eight-node.json', 'sixteen-node.json', 'mixed-feature-offers.json', 'setup-problems.json', 'unreachable-node.json', 'single-node-vm.json', 'memory-shortfall.json', 'memory-ample.json', 'non-migratable-vm.json']));
    for (const f of shipped) expect(() => loadFixture(join(dirname(BUILTIN_FIXTURE_PATH), f))).not.toThrow();
    const builtin = loadFixture(BUILTIN_FIXTURE_PATH);
    expect(builtin.name).toBe('HCI01');
    expect(builtin.storage.s2d).toBe(true);
    expect(new Set(builtin.nodes.map((n) => n.roles.length)).size).toBeGreaterThan(1);
    expect(new Set(builtin.nodes.map((n) => n.featureUpdate?.title)).size).toBe(1);
  });
});

it('formatIssuePath', () => {
  expect(formatIssuePath(['nodes', 1, 'faults', 0, 'times'])).toBe('nodes[1].faults[0].times');
  expect(formatIssuePath([])).toBe('(root)');
});
