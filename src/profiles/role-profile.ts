/**
 * add-role / set-role options → RoleProfile (mirrors Add- and Set-CauClusterRole): the schedule change
 * (MonthlyDayOfWeek, Weekly or Once), the run options under CAU's parameter names (only those given, checked
 * with the `run` profile's own rules) and, for add-role, the VCO and group name. Every problem at once.
 * Depends on zod, the run profile, the schedule math and the role catalogue's types.
 */
import { z } from 'zod';
import type { RoleRunOptions } from '../cluster/operations-role.js';
import type { ScheduleChange } from '../core/cau-role.js';
import { parseDaysOfWeek } from '../core/schedule.js';
import { describeError } from '../errors.js';
import { formatDuration } from './duration.js';
import { ProfileError, flattenZodIssues } from './issues.js';
import { parseIntOption } from './numbers.js';
import { parseRunProfile } from './run-profile.js';

export type RoleVerb = 'add' | 'set';

export interface RoleProfile {
  readonly schedule: ScheduleChange;
  /** Only the run options given on the command line, under the cmdlet's parameter names. */
  readonly options: RoleRunOptions;
  readonly virtualComputerObjectName?: string;
  readonly groupName?: string;
  /** --time-zone: the IANA zone to read the schedule in, instead of the cluster's. */
  readonly timeZone?: string;
  /** set-role --use-default (-UseDefault): run options not given return to CAU's defaults. */
  readonly useDefault?: boolean;
  /** set-role --update-now (-UpdateNow, its own parameter set): start a self-updating run now, change nothing. */
  readonly updateNow?: boolean;
}

/** The run options the role takes, by their raw (camelCase) option names; `run`'s parser checks them. */
const RUN_OPTION_KEYS = [
  'cauPluginName',
  'cauPluginArguments',
  'runPluginsSerially',
  'stopOnPluginFailure',
  'maxFailedNodes',
  'maxRetriesPerNode',
  'nodeOrder',
  'preUpdateScript',
  'postUpdateScript',
  'configurationName',
  'requireAllNodesOnline',
  'warnAfter',
  'stopAfter',
  'rebootTimeoutMinutes',
  'separateReboots',
  'enableFirewallRules',
  'failbackMode',
  'suspendClusterNodeTimeoutMinutes',
  'waitForStorageRepairTimeoutMinutes',
  'forcePauseAndDrain',
  'attemptSoftReboot',
  'forcePauseNoDrain',
  'forcePauseDrainAndReboot',
  'skipUpdateChecks',
  'siteAwareUpdatingOrder',
  'rebootMode',
  'suspendRetriesPerNode',
] as const;

const rawRoleOptions = z.looseObject({
  startDate: z.string().optional(),
  daysOfWeek: z.string().optional(),
  weeksOfMonth: z.array(z.string()).optional(),
  intervalWeeks: z.string().optional(),
  runOnce: z.boolean().optional(),
  virtualComputerObjectName: z.string().optional(),
  groupName: z.string().optional(),
  timeZone: z.string().optional(),
  useDefault: z.boolean().optional(),
  updateNow: z.boolean().optional(),
});

const NETBIOS = /^[A-Za-z0-9][A-Za-z0-9-]{0,14}$/;

/**
 * `2024-01-09`, `2024-01-09T03:00`, `2024-01-09 03:00` or with `:00` seconds → `2024-01-09T03:00`. A date alone
 * means 03:00, the time of day CAU's own examples use. Undefined when the text is none of these.
 */
export function normalizeStartDate(text: string): string | undefined {
  const match = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::00)?)?$/.exec(text.trim());
  if (match === null) return undefined;
  return `${match[1]}T${match[2] ?? '03'}:${match[3] ?? '00'}`;
}

/** `2,4`, repeated flags, and `last` for 5. */
function weeksOfMonth(raw: readonly string[], problems: string[]): number[] | undefined {
  const weeks: number[] = [];
  for (const piece of raw.flatMap((v) => v.split(',')).map((v) => v.trim())) {
    if (piece.toLowerCase() === 'last') weeks.push(5);
    else if (/^[1-5]$/.test(piece)) weeks.push(Number(piece));
    else {
      problems.push(`weeksOfMonth: ${JSON.stringify(piece)} is not a week of the month; use 1-4, or 5 (or last) for the last week`);
      return undefined;
    }
  }
  return weeks;
}

function runOptionsOf(raw: Record<string, unknown>, problems: string[]): RoleRunOptions {
  const given = Object.fromEntries(RUN_OPTION_KEYS.filter((k) => raw[k] !== undefined).map((k) => [k, raw[k]]));
  let profile: ReturnType<typeof parseRunProfile>['profile'];
  try {
    // The role's runs are CAU's own, on the cluster, with the plug-ins CAU has: a cauctl script plug-in is not one.
    profile = parseRunProfile(given, { refused: "the CAU clustered role runs CAU's own plug-ins on the cluster; a script plug-in registered with cauctl register-plugin runs in cauctl scan and cauctl run only" }).profile;
  } catch (error) {
    if (error instanceof ProfileError) problems.push(...error.problems);
    else problems.push(describeError(error));
    return {};
  }
  const has = (key: (typeof RUN_OPTION_KEYS)[number]): boolean => given[key] !== undefined && given[key] !== false;
  const options: Record<string, unknown> = {};
  if (has('cauPluginName')) options.CauPluginName = profile.plugins.map((p) => p.plugin);
  if (has('cauPluginArguments')) options.CauPluginArguments = profile.plugins.map((p) => ({ ...p.arguments }));
  if (has('maxFailedNodes')) options.MaxFailedNodes = profile.maxFailedNodes;
  if (has('maxRetriesPerNode')) options.MaxRetriesPerNode = profile.maxRetriesPerNode;
  if (has('nodeOrder')) options.NodeOrder = profile.nodeOrder;
  if (has('preUpdateScript')) options.PreUpdateScript = profile.preUpdateScript;
  if (has('postUpdateScript')) options.PostUpdateScript = profile.postUpdateScript;
  if (has('configurationName')) options.ConfigurationName = profile.configurationName;
  if (has('requireAllNodesOnline')) options.RequireAllNodesOnline = true;
  if (has('warnAfter') && profile.warnAfterMs !== undefined) options.WarnAfter = formatDuration(profile.warnAfterMs);
  if (has('stopAfter') && profile.stopAfterMs !== undefined) options.StopAfter = formatDuration(profile.stopAfterMs);
  if (has('rebootTimeoutMinutes')) options.RebootTimeoutMinutes = profile.rebootTimeoutMinutes;
  if (has('separateReboots')) options.SeparateReboots = true;
  if (has('enableFirewallRules')) options.EnableFirewallRules = true;
  if (has('failbackMode')) options.FailbackMode = profile.failbackMode;
  if (has('suspendClusterNodeTimeoutMinutes')) options.SuspendClusterNodeTimeoutMinutes = profile.suspendClusterNodeTimeoutMinutes;
  if (has('waitForStorageRepairTimeoutMinutes')) options.WaitForStorageRepairTimeoutMinutes = profile.waitForStorageRepairTimeoutMinutes;
  if (has('forcePauseAndDrain')) options.ForcePauseAndDrain = true;
  if (has('attemptSoftReboot')) options.AttemptSoftReboot = true;
  if (has('runPluginsSerially')) options.RunPluginsSerially = true;
  if (has('stopOnPluginFailure')) options.StopOnPluginFailure = true;
  if (has('forcePauseNoDrain')) options.ForcePauseNoDrain = true;
  if (has('forcePauseDrainAndReboot')) options.ForcePauseDrainAndReboot = true;
  if (has('skipUpdateChecks')) options.SkipUpdateChecks = true;
  if (has('siteAwareUpdatingOrder')) options.SiteAwareUpdatingOrder = profile.siteAwareUpdatingOrder;
  if (has('rebootMode')) options.RebootMode = profile.rebootMode;
  if (has('suspendRetriesPerNode')) options.SuspendRetriesPerNode = profile.suspendRetriesPerNode;
  return options as RoleRunOptions;
}

/**
 * Parses, normalizes and checks the options of add-role (`verb: 'add'`) or set-role. Whether the schedule is
 * complete is judged later, against the role's current schedule (mergeSchedule); conflicts between the three
 * schedule sets are judged here.
 */
export function parseRoleProfile(raw: unknown, verb: RoleVerb): RoleProfile {
  const parsed = rawRoleOptions.safeParse(raw);
  if (!parsed.success) throw new ProfileError(flattenZodIssues(parsed.error), `invalid ${verb}-role options`);
  const o = parsed.data;
  const problems: string[] = [];

  // normalize
  let startDate: string | undefined;
  if (o.startDate !== undefined) {
    startDate = normalizeStartDate(o.startDate);
    if (startDate === undefined) problems.push(`startDate: ${JSON.stringify(o.startDate)} is not a date; use YYYY-MM-DD or YYYY-MM-DDTHH:mm (the cluster's local time), such as 2024-01-09T03:00`);
  }
  let daysOfWeek: number | undefined;
  if (o.daysOfWeek !== undefined) {
    try {
      daysOfWeek = parseDaysOfWeek(o.daysOfWeek);
    } catch (error) {
      problems.push(`daysOfWeek: ${describeError(error)}`);
    }
  }
  const weeks = o.weeksOfMonth === undefined ? undefined : weeksOfMonth(o.weeksOfMonth, problems);
  let intervalWeeks: number | undefined;
  if (o.intervalWeeks !== undefined) {
    try {
      intervalWeeks = parseIntOption('--interval-weeks', o.intervalWeeks, { min: 1, max: 520 });
    } catch (error) {
      problems.push(`intervalWeeks: ${describeError(error)}`);
    }
  }
  const options = runOptionsOf(o, problems);

  // rules: one parameter set at a time, as the cmdlets' parameter sets allow
  if (o.runOnce === true) {
    for (const [value, flag] of [[o.daysOfWeek, '--days-of-week'], [o.weeksOfMonth, '--weeks-of-month'], [o.intervalWeeks, '--interval-weeks']] as const) {
      if (value !== undefined) problems.push(`runOnce: --run-once and ${flag} conflict (a one-time run has no recurrence)`);
    }
    if (o.startDate === undefined) problems.push('startDate: --run-once needs --start-date, the date and time of the one run');
  }
  if (o.weeksOfMonth !== undefined && o.intervalWeeks !== undefined) {
    problems.push('weeksOfMonth: --weeks-of-month (monthly) and --interval-weeks (weekly) conflict; choose one schedule');
  }
  if (verb === 'add') {
    if (o.virtualComputerObjectName !== undefined && !NETBIOS.test(o.virtualComputerObjectName)) {
      problems.push(`virtualComputerObjectName: ${JSON.stringify(o.virtualComputerObjectName)} is not a NetBIOS name (1-15 letters, digits, hyphens)`);
    }
    if (o.groupName !== undefined && !NETBIOS.test(o.groupName)) {
      problems.push(`groupName: ${JSON.stringify(o.groupName)} is not a NetBIOS name (1-15 letters, digits, hyphens)`);
    }
  } else {
    for (const [value, flag] of [[o.virtualComputerObjectName, '--virtual-computer-object-name'], [o.groupName, '--group-name']] as const) {
      if (value !== undefined) problems.push(`${flag.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())}: ${flag} is fixed when the role is added; remove-role and add-role to change it`);
    }
  }
  if (o.updateNow === true) {
    // CAU's UpdateNow parameter set holds nothing else: the run uses the role's settings as they are.
    const others = Object.entries(o).filter(([key, value]) => key !== 'updateNow' && key !== 'force' && key !== 'whatIf' && value !== undefined && value !== false);
    for (const [key] of others) problems.push(`updateNow: --update-now and ${kebabOf(key)} conflict (it starts a run with the role's settings; change them with set-role first)`);
  }
  if (o.useDefault === true && verb === 'add') problems.push('useDefault: --use-default is a set-role option');
  if (o.updateNow === true && verb === 'add') problems.push('updateNow: --update-now is a set-role option');
  if (problems.length > 0) throw new ProfileError(problems, `invalid ${verb}-role options`);

  const schedule: ScheduleChange = {
    ...(startDate !== undefined ? { startDate } : {}),
    ...(daysOfWeek !== undefined ? { daysOfWeek } : {}),
    ...(weeks !== undefined ? { weeksOfMonth: weeks } : {}),
    ...(intervalWeeks !== undefined ? { intervalWeeks } : {}),
    ...(o.runOnce === true ? { runOnce: true } : {}),
  };
  return {
    schedule,
    options,
    ...(o.virtualComputerObjectName !== undefined ? { virtualComputerObjectName: o.virtualComputerObjectName } : {}),
    ...(o.groupName !== undefined ? { groupName: o.groupName } : {}),
    ...(o.timeZone !== undefined ? { timeZone: o.timeZone } : {}),
    ...(o.useDefault === true ? { useDefault: true } : {}),
    ...(o.updateNow === true ? { updateNow: true } : {}),
  };
}

/** `siteAwareUpdatingOrder` → `--site-aware-updating-order`. */
function kebabOf(key: string): string {
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}
