/**
 * The six self-updating-mode commands (Add/Get/Set/Enable/Disable/Remove-CauClusterRole): wiring only; the
 * work is in action.ts, loaded when a command runs.
 */
import { Command, Option } from 'commander';
import type { CommandEnv } from '../../command-env.js';
import { globalsOf } from '../../command-env.js';
import type { GlobalProfile } from '../../global-options.js';
import { examples } from '../../help.js';
import { ONE_SHOT_RETRY_HELP } from '../../one-shot-retry.js';
import { REBOOT_MODES } from '../../../core/types.js';
import type { RoleProfile, RoleVerb } from '../../../profiles/role-profile.js';
import { addPluginOptions } from '../scan/index.js';

/** What get, enable, disable and remove take. */
export interface RoleActionProfile {
  readonly force: boolean;
  readonly timeZone?: string;
  /** --what-if (enable, disable, remove): print what would be sent, change nothing. @default false */
  readonly whatIf?: boolean;
}

/** How add-role and set-role act. */
export interface RoleChangeMode {
  /** --what-if: read the role, print the operation and cmdlet that would be sent, change nothing. */
  readonly whatIf: boolean;
}

export type RoleChangeRunner = (verb: RoleVerb, profile: RoleProfile, globals: GlobalProfile, env: CommandEnv, mode?: RoleChangeMode) => Promise<number>;
export type RoleActionRunner = (verb: 'get' | 'enable' | 'disable' | 'remove', profile: RoleActionProfile, globals: GlobalProfile, env: CommandEnv) => Promise<number>;

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** --time-zone checked before anything is touched (exit 2 naming it), a Windows name turned into its IANA zone. */
async function withIanaTimeZone<T extends { timeZone?: string }>(opts: T): Promise<T> {
  if (opts.timeZone === undefined) return opts;
  const { assertTimeZone } = await import('../../../platform/zone.js');
  return { ...opts, timeZone: assertTimeZone(opts.timeZone, '--time-zone') };
}

const WHAT_IF_HELP = 'read the role and print the operation and the cmdlet that would be sent, changing nothing';

const NO_ROLE_EXIT = '\nAdditional exit codes: 5 when the cluster has no CAU clustered role';
const RETRY_HELP = `${ONE_SHOT_RETRY_HELP}\n`;

function addScheduleOptions(command: Command): Command {
  return command
    .option('--start-date <date>', "earliest run, in the cluster's local time: YYYY-MM-DD (03:00) or YYYY-MM-DDTHH:mm; its time of day is every run's")
    .option('--days-of-week <days>', 'days to run on: Tuesday,Thursday (or Tue,Thu), or the flags number (Sunday=1, Monday=2, Tuesday=4 ... Saturday=64)')
    .addOption(new Option('--weeks-of-month <weeks>', 'monthly: weeks of the month, 1-4 or 5 (last); comma-separated or repeated').argParser(collect))
    .option('--interval-weeks <n>', 'weekly: 1 every week, 2 every other week ...')
    .option('--run-once', 'one run at --start-date instead of a recurrence')
    .option('--time-zone <zone>', "read the schedule in this zone instead of the cluster's (for the next runs shown): an IANA name (Europe/Berlin) or a Windows one (W. Europe Standard Time)");
}

/** Every option of `run` that the role accepts (cau-surface.md §5: not ForceRecovery, SuspendNode, ...). */
function addRoleRunOptions(command: Command): Command {
  return addPluginOptions(command)
    .option('--max-failed-nodes <n>', 'stop once more than this many nodes failed')
    .option('--max-retries-per-node <n>', 'retries of the whole per-node process, 0-64')
    .addOption(new Option('--node-order <names>', 'update these nodes first, in this order (comma-separated or repeated)').argParser(collect))
    .option('--pre-update-script <path>', '.ps1 run on each node before it is drained')
    .option('--post-update-script <path>', '.ps1 run on each node after it is resumed')
    .option('--configuration-name <name>', 'PowerShell session configuration for the scripts')
    .option('--require-all-nodes-online', 'refuse to start unless every node is online')
    .option('--warn-after <duration>', 'warn when a run is still going after this long (01:30:00, 90m, 2h)')
    .option('--stop-after <duration>', 'stop a run after this long')
    .option('--reboot-timeout-minutes <n>', 'time for a restart and all auto-start services')
    .option('--separate-reboots', "restart after each plug-in's installs (needs two or more plug-ins)")
    .option('--enable-firewall-rules', 'enable the Remote Shutdown firewall group on every node first')
    .addOption(new Option('--failback-mode <mode>', 'how drained roles return on resume').choices(['Immediate', 'Policy', 'NoFailback']))
    .option('--suspend-cluster-node-timeout-minutes <n>', 'keep retrying a suspend refused for degraded storage this long')
    .option('--wait-for-storage-repair-timeout-minutes <n>', 'wait this long for storage repair after a node resumes')
    .option('--force-pause-and-drain', 'force the drain: roles that cannot move are moved anyway')
    .option('--force-pause-no-drain', 'pause each node without moving its roles: they go down while it updates (excludes the other --force-pause-* switches)')
    .option('--force-pause-drain-and-reboot', 'when a drain fails, keep the node paused and update and restart it anyway (excludes the other --force-pause-* switches)')
    .option('--attempt-soft-reboot', 'use Kernel Soft Reboot')
    .option('--reboot-mode <mode>', `the restart each node gets: ${REBOOT_MODES.join(', ')} (see cauctl run --help for what cauctl makes of each)`)
    .option('--suspend-retries-per-node <n>', 'suspends tried on a node before its attempt fails, 1-64')
    .option('--skip-update-checks', "CAU's SkipUpdateChecks, passed to the role as given (what CAU's own coordinator skips is UNCONFIRMED; cauctl run reads it as no rescan after a node's installs)")
    .addOption(new Option('--site-aware-updating-order <sites>', "update the nodes site by site, in this order (comma-separated or repeated); every site of the cluster must be named, checked against the cluster's fault domains before anything is sent").argParser(collect));
}

export function buildAddRoleCommand(env: CommandEnv, run?: RoleChangeRunner): Command {
  const command = new Command('add-role').description(
    "Add the CAU clustered role for self-updating mode (mirrors Add-CauClusterRole), always with an explicit schedule: monthly (--days-of-week with --weeks-of-month), weekly (--days-of-week with --interval-weeks) or once (--run-once).",
  );
  addRoleRunOptions(addScheduleOptions(command))
    .option('--virtual-computer-object-name <name>', 'a prestaged computer object for the role (otherwise CAU creates one)')
    .option('--group-name <name>', "the role's cluster group name")
    .option('-f, --force', 'do not ask for confirmation (accepted for compatibility; add-role never asks)')
    .option('--what-if', WHAT_IF_HELP)
    .addHelpText(
      'after',
      examples([
        ['Patch Tuesday: the second Tuesday of every month at 03:00', 'cauctl add-role --simulate --days-of-week Tuesday --weeks-of-month 2 --start-date 2024-01-09T03:00'],
        ['the last Friday, with a pre-update script', 'cauctl add-role --simulate --days-of-week 32 --weeks-of-month 5 --pre-update-script \\\\fs01\\cau\\pre.ps1'],
        ['every other Sunday at 22:00', 'cauctl add-role --simulate --days-of-week Sunday --interval-weeks 2 --start-date 2024-01-07T22:00'],
        ['see the Add-CauClusterRole call first, adding nothing', 'cauctl add-role --simulate --days-of-week Tuesday --weeks-of-month 2 --what-if'],
      ]) + `${NO_ROLE_EXIT.replace('has no', 'already has a')} (use set-role).\n${RETRY_HELP}`,
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const globals = globalsOf(cmd, env.io);
      const { parseRoleProfile } = await import('../../../profiles/role-profile.js');
      const profile = parseRoleProfile(await withIanaTimeZone(cmd.opts()), 'add');
      const runner = run ?? (await import('./action.js')).runRoleChange;
      env.setExitCode(await runner('add', profile, globals, env, { whatIf: (cmd.opts() as { whatIf?: boolean }).whatIf === true }));
    });
  return command;
}

export function buildSetRoleCommand(env: CommandEnv, run?: RoleChangeRunner): Command {
  const command = new Command('set-role').description(
    "Change the CAU clustered role (mirrors Set-CauClusterRole). Options not given keep their values; the schedule is always sent whole, re-sending the current one where you change nothing, so CAU never falls back to its default third-Tuesday schedule.",
  );
  addRoleRunOptions(addScheduleOptions(command))
    .option('--use-default', "the run options not given return to CAU's defaults (they are dropped from the role); the schedule is still sent whole, never reset to CAU's default third Tuesday")
    .option(
      '--update-now',
      "start a self-updating run now with the role's settings (Set-CauClusterRole -UpdateNow; no other option goes with it). Refused (exit 5) while the role is disabled, while a cauctl run holds the cluster's lock, or while a native CAU run is in progress; prints the node whose coordinator runs it",
    )
    .option('-f, --force', 'do not ask for confirmation (accepted for compatibility; set-role never asks)')
    .option('--what-if', WHAT_IF_HELP)
    .addHelpText(
      'after',
      examples([
        ['run on Tuesdays and Thursdays of the same weeks', 'cauctl set-role --simulate --days-of-week Tuesday,Thursday'],
        ['switch to every week on Saturday', 'cauctl set-role --simulate --days-of-week Saturday --interval-weeks 1'],
        ['change an option only (the schedule is re-sent as it is)', 'cauctl set-role --simulate --max-retries-per-node 2 --verbose'],
        ['see what would be sent, changing nothing', 'cauctl set-role --simulate --days-of-week Saturday --interval-weeks 1 --what-if'],
        ['keep only the options given, the rest back to CAU\'s defaults', 'cauctl set-role --simulate --use-default --max-retries-per-node 2'],
        ['start a self-updating run now', 'cauctl set-role --simulate --update-now'],
      ]) + `${NO_ROLE_EXIT}; 5 with --update-now when the role is disabled, a cauctl run holds the lock or a native run is in progress.\n${RETRY_HELP}`,
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const globals = globalsOf(cmd, env.io);
      const { parseRoleProfile } = await import('../../../profiles/role-profile.js');
      const profile = parseRoleProfile(await withIanaTimeZone(cmd.opts()), 'set');
      const runner = run ?? (await import('./action.js')).runRoleChange;
      env.setExitCode(await runner('set', profile, globals, env, { whatIf: (cmd.opts() as { whatIf?: boolean }).whatIf === true }));
    });
  return command;
}

function buildActionCommand(env: CommandEnv, verb: 'get' | 'enable' | 'disable' | 'remove', description: string, lines: ReadonlyArray<[string, string]>, run?: RoleActionRunner): Command {
  const command = new Command(`${verb}-role`).description(description);
  if (verb === 'get') command.option('--time-zone <zone>', "show the next runs in this zone instead of the cluster's: an IANA name (Europe/Berlin) or a Windows one (W. Europe Standard Time)");
  else {
    command
      .option('-f, --force', verb === 'remove' ? 'do not ask for confirmation (required when stdin is not a terminal)' : 'do not ask for confirmation (accepted for compatibility)')
      .option('--what-if', WHAT_IF_HELP);
  }
  command
    .addHelpText('after', examples(lines) + `${NO_ROLE_EXIT}${verb === 'remove' ? '; 2 when confirmation is needed but stdin is not a terminal' : ''}.\n${RETRY_HELP}`)
    .action(async (_opts: unknown, cmd: Command) => {
      const globals = globalsOf(cmd, env.io);
      const opts = await withIanaTimeZone(cmd.opts() as { force?: boolean; timeZone?: string; whatIf?: boolean });
      const profile: RoleActionProfile = { force: opts.force === true, ...(opts.timeZone !== undefined ? { timeZone: opts.timeZone } : {}), ...(opts.whatIf === true ? { whatIf: true } : {}) };
      const runner = run ?? (await import('./action.js')).runRoleAction;
      env.setExitCode(await runner(verb, profile, globals, env));
    });
  return command;
}

export function buildGetRoleCommand(env: CommandEnv, run?: RoleActionRunner): Command {
  return buildActionCommand(
    env,
    'get',
    "Show the CAU clustered role (mirrors Get-CauClusterRole): its Name/Value pairs and the next 5 runs of its schedule, in the cluster's time zone and in UTC.",
    [
      ['the role and its next runs', 'cauctl get-role --simulate'],
      ['as JSON, read in another zone', 'cauctl get-role --simulate --json --time-zone Europe/Berlin'],
      ['the same, with the zone as Windows names it', "cauctl get-role --simulate --time-zone 'W. Europe Standard Time'"],
    ],
    run,
  );
}

export function buildEnableRoleCommand(env: CommandEnv, run?: RoleActionRunner): Command {
  return buildActionCommand(env, 'enable', 'Re-enable self-updating (mirrors Enable-CauClusterRole). The schedule is kept.', [['enable', 'cauctl enable-role --simulate'], ['see what would be sent', 'cauctl enable-role --simulate --what-if']], run);
}

export function buildDisableRoleCommand(env: CommandEnv, run?: RoleActionRunner): Command {
  return buildActionCommand(env, 'disable', 'Suspend self-updating (mirrors Disable-CauClusterRole); the role and its schedule stay, for enable-role.', [['disable before a manual rolling upgrade', 'cauctl disable-role --simulate'], ['see what would be sent', 'cauctl disable-role --simulate --what-if']], run);
}

export function buildRemoveRoleCommand(env: CommandEnv, run?: RoleActionRunner): Command {
  return buildActionCommand(env, 'remove', 'Remove the CAU clustered role and its computer object unless it was prestaged (mirrors Remove-CauClusterRole).', [['remove without a prompt', 'cauctl remove-role --simulate --force'], ['see what would be sent, removing nothing', 'cauctl remove-role --simulate --what-if']], run);
}

/** The six builders, in the order they appear in `cauctl --help`. */
export const roleCommandBuilders = [buildAddRoleCommand, buildGetRoleCommand, buildSetRoleCommand, buildEnableRoleCommand, buildDisableRoleCommand, buildRemoveRoleCommand] as const;
