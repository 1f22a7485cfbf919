/**
 * A native CAU Updating Run must never run beside cauctl's (issue 13, defect 8). Before each drain the gate asks
 * every node for its MSFT_CAURun object (a native coordinator keeps one on a node while it updates the cluster,
 * and only that node's CIM shows it), and stops with `NativeCauRunInProgress` when one exists. The first time
 * through, it holds the CAU clustered role's self-updating off for as long as cauctl holds the cluster lock:
 * the role's group is taken Offline (the state Disable-CauClusterRole leaves), through the cluster API, which
 * needs no network credentials.
 *
 * The hold is journaled on the cluster itself, write-ahead, in the private property `CauctlRoleHold` beside the
 * lock: the record is written before the group is touched, and it says what state to restore. Whoever holds the
 * lock next restores exactly that state when it lets go: this run at its end (a failure, Ctrl-C, a stop), a
 * `--resume` at its end, or `--force-recovery` from any host. A hold found already in place is kept as it is,
 * so a resumed run never mistakes its own Offline for the role's own state.
 * Depends on the gateway and the step context only (pure decisions, table-tested).
 */
import type { Gateway } from '../../cluster/gateway.js';
import type { ClusterInfo } from '../../cluster/operations.js';
import type { CauRoleGroup, ClusterGroupState, NativeCauView } from '../../cluster/operations-native-cau.js';
import { describeError, isTransient } from '../../errors.js';
import { mapBounded } from '../bounded.js';
import { StepFailure, type StepContext } from './context.js';

/** Nodes asked for their MSFT_CAURun at once, before a drain. */
const NATIVE_CAU_READS_AT_ONCE = 16;

/** The cluster private property holding the hold's record (JSON), present exactly while a hold is owed. */
export const ROLE_HOLD_PROPERTY = 'CauctlRoleHold';

/** What was held and what to restore. */
export interface RoleHold {
  readonly version: 1;
  readonly groupName: string;
  /** The group's state when cauctl found it: restored as Online unless it was Offline (then nothing was held). */
  readonly previousState: ClusterGroupState;
  /** ISO time on the flow's clock. */
  readonly heldAt: string;
}

export function parseRoleHold(value: string | null): RoleHold | null {
  if (value === null) return null;
  try {
    const parsed = JSON.parse(value) as Partial<RoleHold>;
    if (parsed.version !== 1 || typeof parsed.groupName !== 'string' || typeof parsed.previousState !== 'string' || typeof parsed.heldAt !== 'string') return null;
    return parsed as RoleHold;
  } catch {
    return null;
  }
}

/** What the hold step does, decided on the role's view and the record found (pure). */
export type HoldDecision =
  | { readonly kind: 'nothing'; readonly why: 'no-role' | 'already-offline' }
  | { readonly kind: 'keep' }
  | { readonly kind: 'retake'; readonly groupName: string }
  | { readonly kind: 'hold'; readonly record: Omit<RoleHold, 'heldAt'> };

export function decideHold(role: CauRoleGroup | null, found: RoleHold | null): HoldDecision {
  if (found !== null) {
    // A hold is owed already (this run, or an interrupted one): keep its record, which knows the state to
    // restore. Someone who brought the group back meanwhile is overruled until the lock is let go.
    if (role !== null && role.groupName === found.groupName && role.state !== 'Offline') return { kind: 'retake', groupName: role.groupName };
    return { kind: 'keep' };
  }
  if (role === null) return { kind: 'nothing', why: 'no-role' };
  // Disabled by its owner: no run can start, and there is nothing to restore.
  if (role.state === 'Offline') return { kind: 'nothing', why: 'already-offline' };
  return { kind: 'hold', record: { version: 1, groupName: role.groupName, previousState: role.state } };
}

/** The nodes whose MSFT_CAURun objects say a native run holds the cluster, with the orchestrator ids. */
export function nativeRunsIn(views: readonly NativeCauView[]): { nodes: string[]; orchestrators: string[] } {
  const running = views.filter((v) => v.runInProgress);
  return { nodes: running.map((v) => v.node), orchestrators: [...new Set(running.map((v) => v.orchestratorGuid).filter((g): g is string => g !== null))] };
}

async function readHold(gateway: Gateway, entry: string): Promise<{ raw: string | null; hold: RoleHold | null }> {
  const { value } = await gateway.call(entry, 'get-cluster-property', { name: ROLE_HOLD_PROPERTY });
  return { raw: value, hold: parseRoleHold(value) };
}

/**
 * The gate's check and hold, before `node` is drained: no native run on any node that is up, then the
 * self-updating role held off. Throws StepFailure (`NativeCauRunInProgress`, `SelfUpdatingNotHeld`) before
 * anything of `node` is touched.
 */
export async function guardNativeCau(ctx: StepContext, node: string, cluster: ClusterInfo): Promise<void> {
  const asked = cluster.nodes.filter((member) => member.state === 'Up' || member.state === 'Paused');
  // All at once (bounded): each read starts a PowerShell process on its node, and one after the other a
  // 64-node cluster waited for 63 of them in a row before every drain.
  const replies = await mapBounded(asked, NATIVE_CAU_READS_AT_ONCE, async (member): Promise<{ view?: NativeCauView; error?: unknown }> => {
    try {
      if (member.name === node) return { view: await ctx.gateway.call(member.name, 'get-native-cau', {}) };
      // Another node that WinRM cannot reach right now is not waited for (the run does not touch it, and a
      // node out of reach would otherwise hold every drain); one try, and it is left out.
      return { view: await ctx.gateway.call(member.name, 'get-native-cau', {}, { retry: false }) };
    } catch (error) {
      return member.name !== node && isTransient(error) ? {} : { error };
    }
  });
  // Every read has ended; the first failure in the cluster's order fails the step (as one at a time did).
  const failed = replies.find((reply) => reply.error !== undefined);
  if (failed !== undefined) throw failed.error;
  const views = replies.flatMap((reply) => (reply.view === undefined ? [] : [reply.view]));
  const runs = nativeRunsIn(views);
  if (runs.nodes.length > 0) {
    const who = runs.orchestrators.length > 0 ? ` (orchestrator ${runs.orchestrators.join(', ')})` : '';
    throw new StepFailure(
      'NativeCauRunInProgress',
      'drain',
      node,
      `Not safe to drain ${node}: a native CAU Updating Run is in progress on ${cluster.name}${who}; MSFT_CAURun is present on ${runs.nodes.join(', ')}. cauctl never updates the cluster beside another coordinator. Wait for it (Get-CauRun -WaitForCompletion) or stop it (Stop-CauRun), then start cauctl run again; a leftover is cleared with Invoke-CauRun -ForceRecovery -Force.`,
    );
  }
  const role = views.find((v) => v.role !== null)?.role ?? null;
  await holdSelfUpdating(ctx, node, role);
}

async function holdSelfUpdating(ctx: StepContext, node: string, role: CauRoleGroup | null): Promise<void> {
  const { raw, hold } = await readHold(ctx.gateway, ctx.entry);
  if (raw !== null && hold === null) {
    throw new StepFailure('SelfUpdatingNotHeld', 'drain', node, `Not safe to drain ${node}: the cluster property ${ROLE_HOLD_PROPERTY} holds a value cauctl cannot read, so the state of the CAU clustered role to restore is unknown. Check the role (cauctl get-role), remove the property (Set-ClusterParameter -Name ${ROLE_HOLD_PROPERTY} -Delete), and start cauctl run again.`);
  }
  const decision = decideHold(role, hold);
  let groupName: string;
  if (decision.kind === 'nothing' || decision.kind === 'keep') return;
  if (decision.kind === 'retake') {
    groupName = decision.groupName;
  } else {
    groupName = decision.record.groupName;
    const record: RoleHold = { ...decision.record, heldAt: new Date(ctx.clock.now()).toISOString() };
    // Write-ahead, compare-and-set: the record exists before the group is touched.
    const written = await ctx.gateway.call(ctx.entry, 'set-cluster-property', { name: ROLE_HOLD_PROPERTY, value: JSON.stringify(record), expected: null });
    if (!written.applied && parseRoleHold(written.current)?.groupName !== groupName) {
      throw new StepFailure('SelfUpdatingNotHeld', 'drain', node, `Not safe to drain ${node}: the record of the self-updating hold (${ROLE_HOLD_PROPERTY}) changed while cauctl wrote it; another coordinator may be at work. Check with cauctl get-run, then start cauctl run again.`);
    }
  }
  let after: CauRoleGroup;
  try {
    after = await ctx.gateway.call(ctx.entry, 'hold-cau-role', { groupName, state: 'Offline' });
  } catch (error) {
    throw new StepFailure('SelfUpdatingNotHeld', 'drain', node, `Not safe to drain ${node}: the CAU clustered role ${groupName} could not be taken offline, so self-updating could start an Updating Run beside this one: ${describeError(error)}. Disable it yourself (cauctl disable-role), or fix the cause and start cauctl run again.`, { cause: error });
  }
  if (after.state !== 'Offline') {
    throw new StepFailure('SelfUpdatingNotHeld', 'drain', node, `Not safe to drain ${node}: the CAU clustered role ${groupName} is ${after.state} after Stop-ClusterGroup, not Offline, so self-updating could start an Updating Run beside this one. Disable it yourself (cauctl disable-role), then start cauctl run again.`);
  }
}

/**
 * Restores what a hold took (called while the cluster lock is still held, at its release or its recovery):
 * the role's group back Online unless it was Offline, then the record removed. Returns a sentence for the
 * run's warnings when something is left (the record then stays, for the next holder of the lock), else null.
 */
export async function restoreSelfUpdating(gateway: Gateway, entry: string): Promise<string | null> {
  let found: { raw: string | null; hold: RoleHold | null };
  try {
    found = await readHold(gateway, entry);
  } catch (error) {
    return `The cluster property ${ROLE_HOLD_PROPERTY} could not be read, so a CAU clustered role this run may have held Offline was not checked: ${describeError(error)}. Check it with cauctl get-role; the next cauctl run or run --force-recovery restores it.`;
  }
  try {
    const { raw, hold } = found;
    if (raw === null) return null;
    if (hold === null) {
      return `The cluster property ${ROLE_HOLD_PROPERTY} holds a value cauctl cannot read, so the CAU clustered role was not restored: check it with cauctl get-role, then remove the property (Set-ClusterParameter -Name ${ROLE_HOLD_PROPERTY} -Delete).`;
    }
    const view = await gateway.call(entry, 'get-native-cau', {});
    const current = view.role;
    // The role was removed or replaced meanwhile: nothing of cauctl's is left to restore.
    if (current !== null && current.groupName === hold.groupName && hold.previousState !== 'Offline') {
      const after = await gateway.call(entry, 'hold-cau-role', { groupName: hold.groupName, state: 'Online' });
      if (after.state !== 'Online') {
        return `The CAU clustered role ${hold.groupName} was held Offline during the run and did not come back Online (it is ${after.state}): self-updating stays off until it does. Bring it online with Start-ClusterGroup -Name ${hold.groupName} (or cauctl enable-role); the next cauctl run --force-recovery tries again.`;
      }
    }
    await gateway.call(entry, 'set-cluster-property', { name: ROLE_HOLD_PROPERTY, value: null, expected: raw });
    return null;
  } catch (error) {
    return `The CAU clustered role held Offline during the run could not be restored: ${describeError(error)}. Self-updating stays off until it is: bring its group online with Start-ClusterGroup (or cauctl enable-role), or run cauctl run --force-recovery to try again.`;
  }
}
