/**
 * The CAU clustered role's configuration as a node reports it: Get-CauClusterRole's Name/Value pairs, made JSON
 * as get-cau-role.ps1 makes them. Written from CAU's documentation (Set-CauClusterRole, example 2: the pairs in
 * the order the cmdlet prints them, group, status and start date first, the run options given, then the
 * recurrence) and from the script's conversions (a flags enum such as DaysOfWeek as its number, a DateTime as
 * the node's wall time, a TimeSpan in .NET's invariant "c" form), never from src/core: the coordinator's own
 * reading of these pairs (core/cau-role.ts) is what this model tests. Pure; depends on the catalogue's types.
 */
import type { RoleParameter, RoleRunOptions, RoleScheduleParams } from '../cluster/operations-role.js';

/** What the role's resource keeps, as the simulator holds it. */
export interface StoredCauRole {
  readonly groupName: string;
  /** The role's group is Online (self-updating enabled) or Offline (Disable-CauClusterRole). */
  readonly enabled: boolean;
  readonly schedule: RoleScheduleParams;
  readonly options: RoleRunOptions;
}

/**
 * TimeSpan.ToString('c'): `[d.]hh:mm:ss[.fffffff]`, the fraction in seven digits and only when there is one, a
 * day part only when there are days (so `25:00:00` given to the cmdlet reads back as `1.01:00:00`).
 */
export function invariantTimeSpan(text: string): string {
  const match = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,7}))?$/.exec(text);
  if (match === null) return text;
  const ticks = (BigInt(match[1] ?? '0') * 86400n + BigInt(match[2]!) * 3600n + BigInt(match[3]!) * 60n + BigInt(match[4]!)) * 10_000_000n + BigInt((match[5] ?? '').padEnd(7, '0') || '0');
  const fraction = ticks % 10_000_000n;
  let seconds = ticks / 10_000_000n;
  const days = seconds / 86400n;
  seconds %= 86400n;
  const two = (n: bigint): string => n.toString().padStart(2, '0');
  const clock = `${two(seconds / 3600n)}:${two((seconds % 3600n) / 60n)}:${two(seconds % 60n)}`;
  return `${days > 0n ? `${days}.` : ''}${clock}${fraction > 0n ? `.${fraction.toString().padStart(7, '0')}` : ''}`;
}

/** One run option's value as the script writes it: switches true, TimeSpans invariant, lists and tables copied. */
function optionValue(name: keyof RoleRunOptions, value: NonNullable<RoleRunOptions[keyof RoleRunOptions]>): RoleParameter['value'] {
  if (name === 'WarnAfter' || name === 'StopAfter') return invariantTimeSpan(value as string);
  if (Array.isArray(value)) return value.map((item) => (typeof item === 'object' ? { ...item } : item));
  return value as RoleParameter['value'];
}

/** Get-CauClusterRole's pairs for `role`, as get-cau-role.ps1 sends them. */
export function cauRoleParameters(role: StoredCauRole): RoleParameter[] {
  const pairs: RoleParameter[] = [
    { name: 'ResourceGroupName', value: role.groupName },
    { name: 'Status', value: role.enabled ? 'Online' : 'Offline' },
    { name: 'StartDate', value: role.schedule.startDate },
  ];
  for (const [name, value] of Object.entries(role.options) as Array<[keyof RoleRunOptions, RoleRunOptions[keyof RoleRunOptions]]>) {
    if (value !== undefined) pairs.push({ name, value: optionValue(name, value) });
  }
  const schedule = role.schedule;
  switch (schedule.kind) {
    case 'MonthlyDayOfWeek':
      pairs.push({ name: 'DaysOfWeek', value: schedule.daysOfWeek }, { name: 'WeeksOfMonth', value: [...schedule.weeksOfMonth] });
      break;
    case 'Weekly':
      pairs.push({ name: 'DaysOfWeek', value: schedule.daysOfWeek }, { name: 'WeeksInterval', value: schedule.intervalWeeks });
      break;
    case 'Once':
      pairs.push({ name: 'RunOnce', value: true });
      break;
  }
  return pairs;
}
