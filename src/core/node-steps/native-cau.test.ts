// The native-CAU guard (issue 13, defect 8): what the hold does for every role state and record found (pure
// table), and the guard and the restore against the simulator: a run found on any node stops the gate, the
// hold is written before the group is touched, a resumed run keeps the record it finds, a group someone brought
// back is taken again, a removed role leaves nothing to restore, and an unreadable record is never guessed at.
import { ClusterGateway } from '../../cluster/gateway.js';
import type { CauRoleGroup } from '../../cluster/operations-native-cau.js';
import { MemoryJournal } from '../../journal/journal.js';
import { openTestSim, type SimHarness } from '../../sim/test-support.js';
import { JournalWriter } from '../journal-records.js';
import { StepFailure, type StepContext } from './context.js';
import { ROLE_HOLD_PROPERTY, decideHold, guardNativeCau, parseRoleHold, restoreSelfUpdating, type RoleHold } from './native-cau.js';

const group = (state: CauRoleGroup['state'], groupName = 'CAUG'): CauRoleGroup => ({ groupName, state, ownerNode: 'N2' });
const record = (previousState: RoleHold['previousState'], groupName = 'CAUG'): RoleHold => ({ version: 1, groupName, previousState, heldAt: '2026-01-01T00:00:00.000Z' });

describe('decideHold', () => {
  it.each([
    ['no role, no record', null, null, { kind: 'nothing', why: 'no-role' }],
    ['a role disabled by its owner', group('Offline'), null, { kind: 'nothing', why: 'already-offline' }],
    ['an Online role', group('Online'), null, { kind: 'hold', record: { version: 1, groupName: 'CAUG', previousState: 'Online' } }],
    ['a Failed role (the cluster may bring it back)', group('Failed'), null, { kind: 'hold', record: { version: 1, groupName: 'CAUG', previousState: 'Failed' } }],
    ['a record and the group still Offline (a resumed run)', group('Offline'), record('Online'), { kind: 'keep' }],
    ['a record and the group brought back by someone', group('Online'), record('Online'), { kind: 'retake', groupName: 'CAUG' }],
    ['a record of a role removed since', null, record('Online'), { kind: 'keep' }],
    ['a record of another group', group('Online', 'NEW'), record('Online'), { kind: 'keep' }],
  ])('%s', (_name, role, found, expected) => {
    expect(decideHold(role, found)).toEqual(expected);
  });

  it.each([
    [null, null],
    ['not json', null],
    ['{"version":2,"groupName":"G","previousState":"Online","heldAt":"x"}', null],
    // Each field checked: a record missing one is not guessed at.
    ['{"version":1,"previousState":"Online","heldAt":"x"}', null],
    ['{"version":1,"groupName":"G","heldAt":"x"}', null],
    ['{"version":1,"groupName":"G","previousState":"Online"}', null],
    [JSON.stringify(record('Online')), record('Online')],
  ])('parseRoleHold(%s)', (value, expected) => {
    expect(parseRoleHold(value)).toEqual(expected);
  });
});

describe('guard and restore on the simulator', () => {
  let h: SimHarness;
  afterEach(() => h?.cleanup());

  function open(role: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}): { ctx: StepContext; gateway: ClusterGateway } {
    h = openTestSim({
      name: 'NC01',
      passwordHeld: false,
      nodes: [{ name: 'N1' }, { name: 'N2' }, { name: 'N3', state: 'Down' }],
      ...(role ? { cauRole: { groupName: 'CAUG', possibleOwners: ['N2'], ...role } } : {}),
      ...extra,
    });
    const gateway = new ClusterGateway(h.sim.transport);
    const ctx: StepContext = { gateway, clock: h.sim.clock, journal: new JournalWriter(new MemoryJournal(), () => h.sim.clock.now()), entry: 'NC01', heartbeat: async () => undefined };
    return { ctx, gateway };
  }
  const cluster = async (gateway: ClusterGateway) => gateway.call('NC01', 'get-cluster', {});
  const holdRecord = async (gateway: ClusterGateway) => parseRoleHold((await gateway.call('NC01', 'get-cluster-property', { name: ROLE_HOLD_PROPERTY })).value);
  const roleState = async (gateway: ClusterGateway) => (await gateway.call('N1', 'get-native-cau', {})).role?.state;

  it('stops the gate when any up node holds MSFT_CAURun, naming it, and holds nothing', async () => {
    const { ctx, gateway } = open({ selfUpdatingRun: { atSeconds: 0, seconds: 9000 } });
    await h.wait(1);
    const failure = await guardNativeCau(ctx, 'N1', await cluster(gateway)).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(StepFailure);
    expect(failure).toMatchObject({ code: 'NativeCauRunInProgress', phase: 'drain', node: 'N1', message: expect.stringMatching(/MSFT_CAURun is present on N2/) });
    expect(await holdRecord(gateway)).toBeNull();
  });

  it('holds an Online role with its record first, keeps it on a second gate, and restores it exactly once', async () => {
    const { ctx, gateway } = open({});
    await guardNativeCau(ctx, 'N1', await cluster(gateway));
    expect(await holdRecord(gateway)).toMatchObject({ groupName: 'CAUG', previousState: 'Online' });
    expect(await roleState(gateway)).toBe('Offline');
    await guardNativeCau(ctx, 'N2', await cluster(gateway));
    expect(await holdRecord(gateway)).toMatchObject({ previousState: 'Online' });
    expect(await restoreSelfUpdating(gateway, 'NC01')).toBeNull();
    expect(await roleState(gateway)).toBe('Online');
    expect(await holdRecord(gateway)).toBeNull();
    expect(await restoreSelfUpdating(gateway, 'NC01')).toBeNull();
  });

  it('takes the role again when someone brought it back while the hold was owed', async () => {
    const { ctx, gateway } = open({});
    await guardNativeCau(ctx, 'N1', await cluster(gateway));
    await gateway.call('N1', 'hold-cau-role', { groupName: 'CAUG', state: 'Online' });
    await guardNativeCau(ctx, 'N2', await cluster(gateway));
    expect(await roleState(gateway)).toBe('Offline');
    expect(await holdRecord(gateway)).toMatchObject({ previousState: 'Online' });
  });

  it('does not wait for another node that WinRM cannot reach (one try), but does ask the node to be drained', async () => {
    const { ctx, gateway } = open({ enabled: false }, { nodes: [{ name: 'N1', reachable: false }, { name: 'N2' }, { name: 'N3' }] });
    await expect(guardNativeCau(ctx, 'N2', await cluster(gateway))).resolves.toBeUndefined();
  });

  it('leaves a disabled role alone and owes nothing', async () => {
    const { ctx, gateway } = open({ enabled: false });
    await guardNativeCau(ctx, 'N1', await cluster(gateway));
    expect(await holdRecord(gateway)).toBeNull();
    expect(await restoreSelfUpdating(gateway, 'NC01')).toBeNull();
    expect(await roleState(gateway)).toBe('Offline');
  });

  it('clears the record of a role removed since, restoring nothing', async () => {
    const { ctx, gateway } = open({}, { passwordHeld: true });
    await guardNativeCau(ctx, 'N1', await cluster(gateway));
    await gateway.call('N1', 'change-cau-role', { action: 'Remove' });
    expect(await restoreSelfUpdating(gateway, 'NC01')).toBeNull();
    expect(await holdRecord(gateway)).toBeNull();
  });

  it('refuses to guess with an unreadable record: the gate stops and the restore says so, keeping it', async () => {
    const { ctx, gateway } = open({});
    await gateway.call('NC01', 'set-cluster-property', { name: ROLE_HOLD_PROPERTY, value: 'garbage', expected: null });
    await expect(guardNativeCau(ctx, 'N1', await cluster(gateway))).rejects.toMatchObject({ code: 'SelfUpdatingNotHeld' });
    expect(await restoreSelfUpdating(gateway, 'NC01')).toMatch(/cannot read/);
    expect((await gateway.call('NC01', 'get-cluster-property', { name: ROLE_HOLD_PROPERTY })).value).toBe('garbage');
    expect(await roleState(gateway)).toBe('Online');
  });
});
