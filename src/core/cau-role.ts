// The CAU clustered role as data: the Name/Value pairs Get-CauClusterRole gives read back into a schedule and run
// options, a schedule merged with a change, and the role judged for test-setup. Pure: no clock, no node:*, no I/O.
// Depends on the role catalogue's types, the schedule math, the readiness facts' type and zone.ts's names only.
import type { RoleParameter, RoleRunOptions, RoleScheduleParams } from '../cluster/operations-role.js';
import { ROLE_OPTION_NAMES } from '../cluster/operations-role.js';
import type { CauRoleFacts } from './readiness.js';
import { parseDaysOfWeek, validateSchedule, type CauSchedule } from './schedule.js';
import { ianaZoneName } from '../platform/zone.js';

/** What the user asked to change in a schedule; every field optional (set-role keeps the rest). */
export interface ScheduleChange {
  readonly startDate?: string;
  readonly daysOfWeek?: number;
  readonly weeksOfMonth?: readonly number[];
  readonly intervalWeeks?: number;
  readonly runOnce?: boolean;
}

/** What Get-CauClusterRole's pairs say, read back; `problems` lists what could not be read. */
export interface ParsedRole {
  readonly status: string;
  readonly enabled: boolean;
  readonly schedule: CauSchedule | null;
  readonly options: RoleRunOptions;
  readonly problems: readonly string[];
}

/** CAU's default when Set-CauClusterRole is given no schedule: the third Tuesday (cau-surface.md §5). */
export const CAU_DEFAULT_SCHEDULE = { daysOfWeek: 0x04, weeksOfMonth: [3] } as const;

export function scheduleParams(schedule: CauSchedule): RoleScheduleParams {
  switch (schedule.kind) {
    case 'MonthlyDayOfWeek':
      return { kind: 'MonthlyDayOfWeek', startDate: schedule.startDate, daysOfWeek: schedule.daysOfWeek, weeksOfMonth: [...schedule.weeksOfMonth] };
    case 'Weekly':
      return { kind: 'Weekly', startDate: schedule.startDate, daysOfWeek: schedule.daysOfWeek, intervalWeeks: schedule.intervalWeeks };
    case 'Once':
      return { kind: 'Once', startDate: schedule.startDate };
  }
}

function findValue(pairs: readonly RoleParameter[], name: string): RoleParameter['value'] | undefined {
  return pairs.find((p) => p.name.toLowerCase() === name.toLowerCase())?.value;
}

function asInt(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

function asIntList(value: unknown): number[] | undefined {
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(/[,\s]+/).filter((s) => s !== '') : [value];
  const ints = items.map(asInt);
  return ints.every((i): i is number => i !== undefined) ? ints : undefined;
}

/** `2024-01-09T03:00`, `2024-01-09T03:00:00`, `2024-01-09 03:00:00` → `2024-01-09T03:00`. */
function asWallTime(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2})(:\d{2}(\.\d+)?)?$/.exec(value.trim());
  return match ? `${match[1]}T${match[2]}` : undefined;
}

function asBool(value: unknown): boolean {
  return value === true || (typeof value === 'string' && value.toLowerCase() === 'true');
}

/** Reads a schedule out of the pairs; undefined with problems when they do not hold one. */
export function scheduleFromParameters(pairs: readonly RoleParameter[], problems: string[]): CauSchedule | null {
  const startDate = asWallTime(findValue(pairs, 'StartDate'));
  if (startDate === undefined) {
    problems.push(`StartDate: not a date and time (${JSON.stringify(findValue(pairs, 'StartDate') ?? null)})`);
    return null;
  }
  if (asBool(findValue(pairs, 'RunOnce'))) return { kind: 'Once', startDate };
  const rawDays = findValue(pairs, 'DaysOfWeek');
  let daysOfWeek: number | undefined;
  try {
    // PowerShell prints flags as `Tuesday, Thursday`; parseDaysOfWeek takes `Tuesday,Thursday` or the number.
    daysOfWeek = parseDaysOfWeek(typeof rawDays === 'number' ? String(rawDays) : typeof rawDays === 'string' ? rawDays.replace(/\s+/g, '') : '');
  } catch {
    problems.push(`DaysOfWeek: not a set of days (${JSON.stringify(rawDays ?? null)})`);
    return null;
  }
  const interval = asInt(findValue(pairs, 'WeeksInterval') ?? findValue(pairs, 'IntervalWeeks'));
  const weeksRaw = findValue(pairs, 'WeeksOfMonth');
  const weeks = weeksRaw === undefined || weeksRaw === null ? undefined : asIntList(weeksRaw);
  const schedule: CauSchedule | null =
    weeks !== undefined && weeks.length > 0
      ? { kind: 'MonthlyDayOfWeek', startDate, daysOfWeek, weeksOfMonth: weeks }
      : interval !== undefined && interval > 0
        ? { kind: 'Weekly', startDate, daysOfWeek, intervalWeeks: interval }
        : null;
  if (schedule === null) {
    problems.push('WeeksOfMonth/WeeksInterval: the role has days of week but neither weeks of the month nor an interval');
    return null;
  }
  const invalid = validateSchedule(schedule);
  if (invalid.length > 0) {
    problems.push(...invalid);
    return null;
  }
  return schedule;
}

/** Run options out of the pairs: known names only, values coerced to the catalogue's types. */
export function optionsFromParameters(pairs: readonly RoleParameter[], problems: string[]): RoleRunOptions {
  const options: Record<string, unknown> = {};
  const strings = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.map(String) : typeof v === 'string' && v !== '' ? v.split(',').map((s) => s.trim()) : undefined);
  for (const name of ROLE_OPTION_NAMES) {
    const value = findValue(pairs, name);
    if (value === undefined || value === null || value === '') continue;
    switch (name) {
      case 'CauPluginName':
      case 'NodeOrder':
      case 'SiteAwareUpdatingOrder':
        options[name] = strings(value);
        break;
      case 'CauPluginArguments': {
        const list = Array.isArray(value) ? value : [value];
        options[name] = list.map((table) => Object.fromEntries(Object.entries((table ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)])));
        break;
      }
      case 'MaxFailedNodes':
      case 'MaxRetriesPerNode':
      case 'RebootTimeoutMinutes':
      case 'SuspendClusterNodeTimeoutMinutes':
      case 'WaitForStorageRepairTimeoutMinutes':
      case 'SuspendRetriesPerNode': {
        const n = asInt(value);
        if (n === undefined) problems.push(`${name}: not a whole number (${JSON.stringify(value)})`);
        else options[name] = n;
        break;
      }
      case 'RequireAllNodesOnline':
      case 'SeparateReboots':
      case 'EnableFirewallRules':
      case 'ForcePauseAndDrain':
      case 'AttemptSoftReboot':
      case 'RunPluginsSerially':
      case 'StopOnPluginFailure':
      case 'ForcePauseNoDrain':
      case 'ForcePauseDrainAndReboot':
      case 'SkipUpdateChecks':
        if (asBool(value)) options[name] = true;
        break;
      default:
        options[name] = String(value);
    }
  }
  return options as RoleRunOptions;
}

export function parseRoleParameters(pairs: readonly RoleParameter[]): ParsedRole {
  const problems: string[] = [];
  const status = String(findValue(pairs, 'Status') ?? 'Unknown');
  const schedule = scheduleFromParameters(pairs, problems);
  const options = optionsFromParameters(pairs, problems);
  // Disable-CauClusterRole leaves the role Offline; anything else (Online, Running) is enabled.
  const enabled = !/^(offline|disabled|stopped)$/i.test(status);
  return { status, enabled, schedule, options, problems };
}

/**
 * The schedule a change leads to. `current` is the role's schedule (null when adding). Returns the new
 * schedule, or the problems that stop it, as `path: message` lines naming the flags.
 */
export function mergeSchedule(current: CauSchedule | null, change: ScheduleChange, defaultStartDate: string): { schedule?: CauSchedule; problems: string[] } {
  const problems: string[] = [];
  const startDate = change.startDate ?? current?.startDate ?? defaultStartDate;
  const currentDays = current !== null && current.kind !== 'Once' ? current.daysOfWeek : undefined;
  const days = change.daysOfWeek ?? currentDays;
  let schedule: CauSchedule | undefined;
  if (change.runOnce === true) {
    schedule = { kind: 'Once', startDate };
  } else if (change.weeksOfMonth !== undefined || change.intervalWeeks !== undefined) {
    if (days === undefined) {
      problems.push(`daysOfWeek: --${change.weeksOfMonth !== undefined ? 'weeks-of-month' : 'interval-weeks'} needs --days-of-week${current?.kind === 'Once' ? ' (the role now runs once and has no days)' : ''}`);
    } else if (change.weeksOfMonth !== undefined) {
      schedule = { kind: 'MonthlyDayOfWeek', startDate, daysOfWeek: days, weeksOfMonth: [...change.weeksOfMonth] };
    } else {
      schedule = { kind: 'Weekly', startDate, daysOfWeek: days, intervalWeeks: change.intervalWeeks! };
    }
  } else if (current === null) {
    problems.push(
      change.daysOfWeek !== undefined
        ? 'weeksOfMonth: --days-of-week needs --weeks-of-month (monthly, 5 = last week) or --interval-weeks (weekly)'
        : 'schedule: give one: --days-of-week with --weeks-of-month (monthly) or --interval-weeks (weekly), or --run-once with --start-date',
    );
  } else if (current.kind === 'Once') {
    if (change.daysOfWeek !== undefined) problems.push('daysOfWeek: the role runs once; with --days-of-week give --weeks-of-month or --interval-weeks too');
    else schedule = { kind: 'Once', startDate };
  } else {
    schedule = { ...current, startDate, daysOfWeek: days! } as CauSchedule;
  }
  if (schedule !== undefined) {
    for (const p of validateSchedule(schedule)) problems.push(p);
  }
  return problems.length > 0 || schedule === undefined ? { problems } : { schedule, problems };
}

/**
 * The cluster's IANA zone from what the node reported: its own conversion first, then the id itself when it
 * is an IANA name (nodes and the simulator may report one), then CLDR's table for a Windows id (zone.ts).
 * Undefined when unknown.
 */
export function ianaZoneOf(timeZoneId: string, ianaTimeZone: string | null): string | undefined {
  if (ianaTimeZone !== null && ianaTimeZone !== '') return ianaTimeZone;
  return ianaZoneName(timeZoneId);
}

/** `d.hh:mm:ss(.fff)` → milliseconds, as .NET's TimeSpan.Parse reads the forms cauctl sends. */
export function timeSpanMs(text: string): number | undefined {
  const match = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$/.exec(text.trim());
  if (match === null) return undefined;
  const [, d, h, m, s, f] = match;
  const fraction = f === undefined ? 0 : Math.round(Number(`0.${f}`) * 1000);
  return (((Number(d ?? 0) * 24 + Number(h)) * 60 + Number(m)) * 60 + Number(s)) * 1000 + fraction;
}

/** The facts test-setup's rules 11–19 judge, from what get-cau-role returned (null: no role). */
export function roleFacts(role: { possibleOwners: readonly string[]; parameters: readonly RoleParameter[] } | null): CauRoleFacts {
  if (role === null) {
    return { present: false, enabled: false, plugins: [], possibleOwners: [], preUpdateScript: null, postUpdateScript: null, warnAfterMs: null, stopAfterMs: null, optionProblems: [] };
  }
  const parsed = parseRoleParameters(role.parameters);
  const o = parsed.options;
  const problems = [...parsed.problems];
  const warnAfterMs = o.WarnAfter === undefined ? null : (timeSpanMs(o.WarnAfter) ?? null);
  const stopAfterMs = o.StopAfter === undefined ? null : (timeSpanMs(o.StopAfter) ?? null);
  if (o.WarnAfter !== undefined && warnAfterMs === null) problems.push(`WarnAfter: not a TimeSpan (${o.WarnAfter})`);
  if (o.StopAfter !== undefined && stopAfterMs === null) problems.push(`StopAfter: not a TimeSpan (${o.StopAfter})`);
  for (const [name, path] of [['PreUpdateScript', o.PreUpdateScript], ['PostUpdateScript', o.PostUpdateScript]] as const) {
    if (path !== undefined && !/\.ps1$/i.test(path)) problems.push(`${name}: must be a .ps1 script (${path})`);
  }
  return {
    present: true,
    enabled: parsed.enabled,
    plugins: o.CauPluginName ?? ['Microsoft.WindowsUpdatePlugin'],
    possibleOwners: [...role.possibleOwners],
    preUpdateScript: o.PreUpdateScript ?? null,
    postUpdateScript: o.PostUpdateScript ?? null,
    warnAfterMs,
    stopAfterMs,
    optionProblems: problems,
  };
}

const CMDLETS: Readonly<Record<string, string>> = {
  'get-cau-role': 'Get-CauClusterRole',
  'add-cau-role': 'Add-CauClusterRole',
  'set-cau-role': 'Set-CauClusterRole',
  'update-cau-role-now': 'Set-CauClusterRole -UpdateNow',
};

function psLiteral(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? '$true' : '$false';
  if (Array.isArray(value)) return value.map(psLiteral).join(',');
  if (value !== null && typeof value === 'object') {
    return `@{ ${Object.entries(value).map(([k, v]) => `${psLiteral(k)}=${psLiteral(v)}`).join('; ')} }`;
  }
  return `'${String(value).replace(/'/g, "''")}'`;
}

/**
 * How the node-side script calls the cmdlet for these parameters, as one PowerShell line, for `--verbose`.
 * Display only: the script builds the same call from the JSON parameters by splatting, never from this text.
 */
export function describeRoleCmdlet(operation: string, params: Readonly<Record<string, unknown>>): string {
  // change-cau-role calls Enable-, Disable- or Remove-CauClusterRole per its action.
  const cmdlet = operation === 'change-cau-role' ? `${String(params.action)}-CauClusterRole` : (CMDLETS[operation] ?? operation);
  const parts: string[] = [cmdlet];
  const schedule = params.schedule as RoleScheduleParams | undefined;
  if (schedule !== undefined) {
    parts.push(`-StartDate ${psLiteral(schedule.startDate.replace('T', ' '))}`);
    if (schedule.kind === 'Once') parts.push('-RunOnce');
    else {
      parts.push(`-DaysOfWeek ${schedule.daysOfWeek}`);
      if (schedule.kind === 'MonthlyDayOfWeek') parts.push(`-WeeksOfMonth ${schedule.weeksOfMonth.join(',')}`);
      else parts.push(`-IntervalWeeks ${schedule.intervalWeeks}`);
    }
  }
  if (typeof params.virtualComputerObjectName === 'string') parts.push(`-VirtualComputerObjectName ${psLiteral(params.virtualComputerObjectName)}`);
  if (typeof params.groupName === 'string') parts.push(`-GroupName ${psLiteral(params.groupName)}`);
  if (params.useDefault === true) parts.push('-UseDefault');
  const options = (params.options ?? {}) as Record<string, unknown>;
  for (const [name, value] of Object.entries(options)) parts.push(value === true ? `-${name}` : `-${name} ${psLiteral(value)}`);
  if (operation !== 'get-cau-role') parts.push('-Force');
  return parts.join(' ');
}
