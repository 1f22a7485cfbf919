/**
 * The bodies of the self-updating-mode commands: read the role, merge the change into its schedule so the
 * schedule always travels whole, call the role operation, and print the role with its next runs. Also the
 * role probe test-setup uses for rules 11-19.
 */
import type { Gateway } from '../../../cluster/gateway.js';
import { OperationFailedError } from '../../../cluster/gateway.js';
import type { OperationName, OperationParams, OperationResult } from '../../../cluster/operations.js';
import type { NativeCauView } from '../../../cluster/operations-native-cau.js';
import { RoleErrorCode, type CauRoleView, type RoleParameter, type RoleRunOptions } from '../../../cluster/operations-role.js';
import { describeOwner, readLock } from '../../../core/cluster-lock.js';
import { refusingUnreadableNativeCau } from '../../../core/native-cau-unreadable.js';
import { orderBySite } from '../../../core/site-order.js';
import { describeRoleCmdlet, ianaZoneOf, mergeSchedule, parseRoleParameters, roleFacts, scheduleParams } from '../../../core/cau-role.js';
import type { CauRoleFacts } from '../../../core/readiness.js';
import { formatDaysOfWeek, nextRuns, type CauSchedule, type ScheduledRun } from '../../../core/schedule.js';
import { ExitCode, refusedError, usageError } from '../../../errors.js';
import { describeSchedule } from '../../../output/describe-schedule.js';
import { writeResult, type HumanPrinter } from '../../../output/result.js';
import { TimeZone } from '../../../platform/zone.js';
import { ProfileError } from '../../../profiles/issues.js';
import type { RoleProfile, RoleVerb } from '../../../profiles/role-profile.js';
import type { CommandEnv } from '../../command-env.js';
import { commandGateway } from '../../command-gateway.js';
import { openCluster, resultEnvFor, type ClusterContext } from '../../context.js';
import type { GlobalProfile } from '../../global-options.js';
import type { RoleActionProfile, RoleChangeMode } from './index.js';

const NEXT_RUNS = 5;
/** CAU's own wording (Get-CauClusterRole on a cluster without the role). */
const NO_ROLE_MESSAGE = 'The current cluster is not configured with a Cluster-Aware Updating clustered role.';

function noRole(clusterName: string): Error {
  return refusedError('CAU_ROLE_NOT_FOUND', `${NO_ROLE_MESSAGE} (cluster ${clusterName})`, { hint: 'Add one with: cauctl add-role --days-of-week Tuesday --weeks-of-month 2' });
}

/** Runs a role operation on the cluster, printing it first with --verbose (the parameters carry no secrets). */
async function call<N extends OperationName>(ctx: ClusterContext, name: N, params: OperationParams<N>): Promise<OperationResult<N>> {
  if (ctx.globals.verbose) {
    ctx.io.stderr.write(`cauctl: ${name} on ${ctx.entry} ${JSON.stringify(params)}\n`);
    ctx.io.stderr.write(`cauctl:   ${describeRoleCmdlet(name, params as Record<string, unknown>)}\n`);
  }
  try {
    return await commandGateway(ctx).call(ctx.entry, name, params);
  } catch (error) {
    if (error instanceof OperationFailedError && error.scriptCode === RoleErrorCode.notFound) throw noRole(ctx.entry);
    if (error instanceof OperationFailedError && error.scriptCode === RoleErrorCode.exists) {
      throw refusedError('CAU_ROLE_EXISTS', `Cluster ${ctx.entry} already has a CAU clustered role.`, { hint: 'Change it with cauctl set-role, or remove-role first.' });
    }
    throw error;
  }
}

interface Zone {
  readonly zone: string;
  readonly source: 'option' | 'cluster' | 'fallback';
}

function zoneOf(view: CauRoleView, override: string | undefined, ctx: ClusterContext): Zone {
  if (override !== undefined) return { zone: override, source: 'option' };
  const zone = ianaZoneOf(view.timeZoneId, view.ianaTimeZone);
  if (zone !== undefined) return { zone, source: 'cluster' };
  ctx.io.stderr.write(`cauctl: warning: the cluster's time zone ${JSON.stringify(view.timeZoneId)} has no known IANA name; next runs are shown in UTC (give --time-zone to choose).\n`);
  return { zone: 'UTC', source: 'fallback' };
}

/** Today's date in the zone at 03:00, as `YYYY-MM-DDTHH:mm`: add-role's start when none is given. */
function todayAt3(zone: string, nowMs: number): string {
  return `${TimeZone.of(zone).iso(nowMs).slice(0, 10)}T03:00`;
}

function formatValue(value: RoleParameter['value']): string {
  if (value === null) return '';
  if (Array.isArray(value)) return value.map((v) => (v !== null && typeof v === 'object' ? formatValue(v as Record<string, unknown>) : String(v))).join(', ');
  if (typeof value === 'object') return `@{ ${Object.entries(value).map(([k, v]) => `'${k}'='${String(v)}'`).join('; ')} }`;
  return String(value);
}

/**
 * A pair's value for the table. DaysOfWeek is a flags enum, which a node sends as its number
 * (get-cau-role.ps1); the table names the days as PowerShell prints the enum (`Tuesday, Thursday`).
 */
function formatPair(pair: RoleParameter): string {
  if (pair.name.toLowerCase() === 'daysofweek' && typeof pair.value === 'number' && Number.isSafeInteger(pair.value)) return formatDaysOfWeek(pair.value).split(',').join(', ');
  return formatValue(pair.value);
}

function printRuns(out: HumanPrinter, runs: readonly ScheduledRun[], zone: string): void {
  out.line();
  if (runs.length === 0) {
    out.line('No run ahead (a one-time run that has passed).');
    return;
  }
  out.line(runs.length === 1 ? 'Next run:' : `Next ${runs.length} runs:`);
  out.table(['#', `Local (${zone})`, 'UTC'], runs.map((r, i) => [String(i + 1), r.local, r.utc]));
}

function runsOf(schedule: CauSchedule | null, zone: string, nowMs: number): ScheduledRun[] {
  return schedule === null ? [] : nextRuns(schedule, zone, nowMs, NEXT_RUNS);
}

async function readRole(ctx: ClusterContext): Promise<CauRoleView> {
  return call(ctx, 'get-cau-role', {});
}

/** add-role and set-role. */
/**
 * --what-if: what would be sent (the operation, its parameters, the cmdlet it runs on the node), after the
 * read-only get-cau-role only; nothing is changed. Exit 0.
 */
function printWhatIf(ctx: ClusterContext, env: CommandEnv, verb: string, operation: OperationName, params: Record<string, unknown>, extra: { schedule?: CauSchedule; timeZone?: string; nextRuns?: ScheduledRun[] } = {}): number {
  const cmdlet = describeRoleCmdlet(operation, params);
  const document = { schemaVersion: 1, clusterName: ctx.entry, action: verb, whatIf: true, operation, params, cmdlet, ...extra };
  writeResult(resultEnvFor(ctx.globals, env.io), document, (out) => {
    out.line(`What if: ${verb}-role would send ${operation} to ${ctx.entry}, running on the node:`);
    out.line(`  ${cmdlet}`);
    out.line('Nothing was changed.');
    if (extra.nextRuns !== undefined && extra.timeZone !== undefined) printRuns(out, extra.nextRuns, extra.timeZone);
  });
  return ExitCode.ok;
}

/** How long set-role --update-now looks for the run the role's coordinator starts, and how often. */
const UPDATE_NOW_WAIT_MS = 60_000;
const UPDATE_NOW_POLL_MS = 5_000;

/** The native-CAU view of the node hosting the role (where its coordinator keeps MSFT_CAURun). */
async function roleOwnerView(ctx: ClusterContext): Promise<NativeCauView> {
  const entry = await ctx.gateway.call(ctx.entry, 'get-native-cau', {});
  const owner = entry.role?.ownerNode;
  return owner === undefined || owner === '' || owner.toUpperCase() === entry.node.toUpperCase() ? entry : ctx.gateway.call(owner, 'get-native-cau', {});
}

/**
 * set-role --update-now: Set-CauClusterRole -UpdateNow, after the checks that keep two coordinators apart (no
 * cauctl run holding the lock, no native run in progress) and that the role is enabled (a disabled role starts
 * nothing); then the run the role's coordinator started, read back from the node hosting the role.
 */
async function updateNow(ctx: ClusterContext, env: CommandEnv, view: CauRoleView, mode: RoleChangeMode): Promise<number> {
  const role = view.role!;
  const parsed = parseRoleParameters(role.parameters);
  if (!parsed.enabled) {
    throw refusedError('CAU_ROLE_DISABLED', `The CAU clustered role ${role.groupName} of ${ctx.entry} is disabled (${parsed.status}), so it would start no run; nothing was sent.`, {
      hint: 'Enable it first (cauctl enable-role), or update from here with cauctl run.',
    });
  }
  const { lock } = await readLock({ gateway: ctx.gateway, entryNode: ctx.entry });
  if (lock !== null) {
    throw refusedError('LOCK_HELD', `A cauctl run holds cluster ${ctx.entry} (${describeOwner(lock)}): a self-updating run now would be a second coordinator; nothing was sent.`, {
      hint: 'Wait for it (cauctl get-run --wait-for-completion), or stop it (cauctl stop-run).',
    });
  }
  // Asking for a native run while it cannot be told whether one holds the cluster could start a second coordinator.
  const before = await refusingUnreadableNativeCau(() => roleOwnerView(ctx), `set-role --update-now will not start a self-updating run on ${ctx.entry}`, 'run cauctl set-role --update-now again');
  if (before.runInProgress) {
    throw refusedError('NATIVE_CAU_RUN_IN_PROGRESS', `A native CAU Updating Run is already in progress on ${before.node} (orchestrator ${before.orchestratorGuid ?? 'unknown'}); nothing was sent.`, {
      hint: 'Watch it with Get-CauRun on the cluster; a leftover of a failed run is cleared with Invoke-CauRun -ForceRecovery.',
    });
  }
  if (mode.whatIf) return printWhatIf(ctx, env, 'set', 'update-cau-role-now', {});
  const result = await call(ctx, 'update-cau-role-now', {});
  let after = await roleOwnerView(ctx);
  for (let waited = 0; !after.runInProgress && waited < UPDATE_NOW_WAIT_MS; waited += UPDATE_NOW_POLL_MS) {
    await ctx.clock.sleep(UPDATE_NOW_POLL_MS);
    after = await roleOwnerView(ctx);
  }
  if (!after.runInProgress) {
    throw refusedError('UPDATE_NOW_NOT_STARTED', `Set-CauClusterRole -UpdateNow was sent to ${ctx.entry}, but no Updating Run of the role ${result.groupName} appeared on ${after.node} within ${UPDATE_NOW_WAIT_MS / 1000} s.`, {
      hint: "Look at the role's events on that node (Microsoft-Windows-ClusterAwareUpdating-Management/Admin) and at Get-CauRun before asking again.",
    });
  }
  const document = { schemaVersion: 1, clusterName: ctx.entry, action: 'update-now', groupName: result.groupName, status: result.status, started: true, node: after.node, orchestratorGuid: after.orchestratorGuid };
  writeResult(resultEnvFor(ctx.globals, env.io), document, (out) => {
    out.line(`The CAU clustered role ${result.groupName} of ${ctx.entry} started an Updating Run: its coordinator runs on ${after.node} (orchestrator ${after.orchestratorGuid ?? 'unknown'}).`);
    out.line('CAU runs it, not cauctl: watch it with Get-CauRun on the cluster; cauctl run refuses to start while it lasts.');
  });
  return ExitCode.ok;
}

const FORCE_SWITCHES = ['ForcePauseNoDrain', 'ForcePauseAndDrain', 'ForcePauseDrainAndReboot'] as const;

/**
 * Set-CauClusterRole keeps the options it is not given, and a switch can only be given as on: a force switch
 * added beside another the role holds would leave it with two alternatives. -UseDefault drops the other.
 */
function checkForceSwitches(current: RoleRunOptions, change: RoleRunOptions): void {
  const given = FORCE_SWITCHES.filter((name) => change[name] === true);
  const kept = FORCE_SWITCHES.filter((name) => current[name] === true && !given.includes(name));
  if (given.length > 0 && kept.length > 0) {
    const field = given[0]!.charAt(0).toLowerCase() + given[0]!.slice(1);
    throw new ProfileError([`${field}: the role already has ${kept.join(' and ')}, and CAU's ForcePause* switches are alternatives; add --use-default to drop it (the other options given are then all the role keeps)`], 'invalid set-role options');
  }
}

/** The site names of --site-aware-updating-order against the cluster's fault domains, before anything is sent. */
async function checkSites(ctx: ClusterContext, sites: readonly string[] | undefined): Promise<void> {
  if (sites === undefined) return;
  // Only the nodes' sites are needed: the role's options change no node, so the native CAU state does not matter here.
  const cluster = await ctx.gateway.call(ctx.entry, 'get-cluster', { reportUnreadableNativeCau: true });
  const checked = orderBySite(cluster.nodes.map((n) => n.name), cluster.nodes, sites);
  if (!checked.ok) throw new ProfileError([...checked.problems], `the role's options do not fit cluster ${cluster.name}`);
}

export async function runRoleChange(verb: RoleVerb, profile: RoleProfile, globals: GlobalProfile, env: CommandEnv, mode: RoleChangeMode = { whatIf: false }): Promise<number> {
  const ctx = await openCluster(globals, env.io);
  try {
    const view = await readRole(ctx);
    if (verb === 'add' && view.role !== null) {
      throw refusedError('CAU_ROLE_EXISTS', `Cluster ${ctx.entry} already has a CAU clustered role (${view.role.groupName}).`, { hint: 'Change it with cauctl set-role, or remove-role first.' });
    }
    if (verb === 'set' && view.role === null) throw noRole(ctx.entry);
    if (verb === 'set' && profile.updateNow === true) return await updateNow(ctx, env, view, mode);
    await checkSites(ctx, profile.options.SiteAwareUpdatingOrder);
    const zone = zoneOf(view, profile.timeZone, ctx);
    const now = ctx.clock.now();
    const current = view.role === null ? null : parseRoleParameters(view.role.parameters);
    if (current !== null && current.schedule === null && profile.schedule.runOnce !== true && (profile.schedule.daysOfWeek === undefined || (profile.schedule.weeksOfMonth === undefined && profile.schedule.intervalWeeks === undefined))) {
      // Sending nothing would let CAU write its default; guessing would be worse.
      throw usageError('ROLE_SCHEDULE_UNREADABLE', `The role's current schedule could not be read (${current.problems.join('; ')}), so it cannot be re-sent.`, {
        hint: 'Give the whole schedule: --days-of-week with --weeks-of-month or --interval-weeks, or --run-once --start-date.',
      });
    }
    if (verb === 'set' && current !== null && profile.useDefault !== true) checkForceSwitches(current.options, profile.options);
    const merged = mergeSchedule(current?.schedule ?? null, profile.schedule, todayAt3(zone.zone, now));
    if (merged.schedule === undefined) throw new ProfileError(merged.problems, `invalid ${verb}-role schedule`);
    const schedule = merged.schedule;
    if (mode.whatIf) {
      const operation = verb === 'add' ? 'add-cau-role' : 'set-cau-role';
      const params = {
        schedule: scheduleParams(schedule),
        options: profile.options,
        ...(verb === 'set' && profile.useDefault === true ? { useDefault: true } : {}),
        ...(verb === 'add' && profile.virtualComputerObjectName !== undefined ? { virtualComputerObjectName: profile.virtualComputerObjectName } : {}),
        ...(verb === 'add' && profile.groupName !== undefined ? { groupName: profile.groupName } : {}),
      };
      return printWhatIf(ctx, env, verb, operation, params, { schedule, timeZone: zone.zone, nextRuns: runsOf(schedule, zone.zone, now) });
    }
    const result =
      verb === 'add'
        ? await call(ctx, 'add-cau-role', {
            schedule: scheduleParams(schedule),
            options: profile.options,
            ...(profile.virtualComputerObjectName !== undefined ? { virtualComputerObjectName: profile.virtualComputerObjectName } : {}),
            ...(profile.groupName !== undefined ? { groupName: profile.groupName } : {}),
          })
        : await call(ctx, 'set-cau-role', { schedule: scheduleParams(schedule), options: profile.options, ...(profile.useDefault === true ? { useDefault: true as const } : {}) });
    const runs = runsOf(schedule, zone.zone, now);
    const document = { schemaVersion: 1, clusterName: ctx.entry, action: verb, groupName: result.groupName, status: result.status, schedule, options: profile.options, ...(profile.useDefault === true ? { useDefault: true } : {}), timeZone: zone.zone, nextRuns: runs };
    writeResult(resultEnvFor(globals, env.io), document, (out) => {
      out.line(`${verb === 'add' ? 'Added' : 'Changed'} the CAU clustered role ${result.groupName} of ${ctx.entry} (${result.status}).`);
      if (profile.useDefault === true) out.line("Every run option not listed below is back to CAU's default.");
      out.table(['Name', 'Value'], [['Schedule', describeSchedule(schedule)], ...Object.entries(profile.options).map(([k, v]) => [k, formatValue(v as RoleParameter['value'])])]);
      printRuns(out, runs, zone.zone);
    });
    return ExitCode.ok;
  } finally {
    await ctx.close();
  }
}

/** get-role, enable-role, disable-role, remove-role. */
export async function runRoleAction(verb: 'get' | 'enable' | 'disable' | 'remove', profile: RoleActionProfile, globals: GlobalProfile, env: CommandEnv): Promise<number> {
  const ctx = await openCluster(globals, env.io);
  try {
    const view = await readRole(ctx);
    const role = view.role;
    if (role === null) throw noRole(ctx.entry);
    if (verb === 'get') return printRole(ctx, env, view, role, profile);
    const action = verb === 'remove' ? 'Remove' : verb === 'enable' ? 'Enable' : 'Disable';
    if (profile.whatIf === true) return printWhatIf(ctx, env, verb, 'change-cau-role', { action });
    if (verb === 'remove' && !profile.force) {
      if (!env.io.stdinIsTty) {
        throw usageError('CONFIRMATION_REQUIRED', 'remove-role removes the CAU clustered role and asks for confirmation, but stdin is not a terminal; nothing was touched.', { hint: 'Add --force to remove it without asking.' });
      }
      const answer = (await env.io.promptLine(`Remove the CAU clustered role ${role.groupName} from ${ctx.entry}? [y/N] `)).trim().toLowerCase();
      if (answer !== 'y' && answer !== 'yes') {
        env.io.stderr.write('Nothing changed.\n');
        return ExitCode.refused;
      }
    }
    const result = await call(ctx, 'change-cau-role', { action });
    const status = result.status;
    writeResult(resultEnvFor(globals, env.io), { schemaVersion: 1, clusterName: ctx.entry, action: verb, groupName: result.groupName, status }, (out) => {
      const what = verb === 'remove' ? 'Removed' : verb === 'enable' ? 'Enabled' : 'Disabled';
      out.line(`${what} the CAU clustered role ${result.groupName} of ${ctx.entry}${verb === 'remove' ? '' : ` (status ${status})`}.`);
    });
    return ExitCode.ok;
  } finally {
    await ctx.close();
  }
}

function printRole(ctx: ClusterContext, env: CommandEnv, view: CauRoleView, role: NonNullable<CauRoleView['role']>, profile: RoleActionProfile): number {
  const zone = zoneOf(view, profile.timeZone, ctx);
  const parsed = parseRoleParameters(role.parameters);
  const runs = runsOf(parsed.schedule, zone.zone, ctx.clock.now());
  for (const problem of parsed.problems) ctx.io.stderr.write(`cauctl: warning: ${problem}\n`);
  const document = {
    schemaVersion: 1,
    clusterName: ctx.entry,
    groupName: role.groupName,
    status: parsed.status,
    enabled: parsed.enabled,
    possibleOwners: role.possibleOwners,
    parameters: role.parameters,
    schedule: parsed.schedule,
    timeZone: zone.zone,
    timeZoneId: view.timeZoneId,
    nextRuns: runs,
  };
  writeResult(resultEnvFor(ctx.globals, env.io), document, (out) => {
    out.table(['Name', 'Value'], role.parameters.map((p) => [p.name, formatPair(p)]));
    out.line();
    if (parsed.schedule !== null) out.line(`Schedule: ${describeSchedule(parsed.schedule)}`);
    out.line(`Possible owners: ${role.possibleOwners.join(', ')}`);
    out.line(`Time zone: ${zone.zone}${view.timeZoneId !== zone.zone ? ` (cluster: ${view.timeZoneId})` : ''}`);
    printRuns(out, runs, zone.zone);
  });
  return ExitCode.ok;
}

/**
 * test-setup's role probe: the facts rules 11-19 judge, read with get-cau-role. A cluster without the role
 * gives `present: false` (the rules are NotApplicable); a failed read gives null, which they treat alike.
 */
export async function probeCauRole(gateway: Gateway, entry: string): Promise<CauRoleFacts | null> {
  try {
    const view = await gateway.call(entry, 'get-cau-role', {});
    return roleFacts(view.role);
  } catch {
    return null;
  }
}
