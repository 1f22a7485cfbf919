import type { RoleRunOptions } from '../cluster/operations-role.js';
import { cauRoleParameters } from '../sim/role-parameters.js';
import { describeRoleCmdlet, ianaZoneOf, mergeSchedule, parseRoleParameters, roleFacts, scheduleParams, timeSpanMs } from './cau-role.js';
import type { CauSchedule } from './schedule.js';

/** The pairs a node sends for a role (the simulator's model of Get-CauClusterRole through get-cau-role.ps1). */
function pairsOf(schedule: CauSchedule, options: RoleRunOptions, enabled = true): ReturnType<typeof cauRoleParameters> {
  return cauRoleParameters({ groupName: 'CAUx', enabled, schedule: scheduleParams(schedule), options });
}

const monthly: CauSchedule = { kind: 'MonthlyDayOfWeek', startDate: '2024-01-09T03:00', daysOfWeek: 4, weeksOfMonth: [2] };
const weekly: CauSchedule = { kind: 'Weekly', startDate: '2024-01-07T22:00', daysOfWeek: 1, intervalWeeks: 2 };
const once: CauSchedule = { kind: 'Once', startDate: '2099-06-01T23:30' };

describe('parseRoleParameters', () => {
  it.each([['monthly', monthly], ['weekly', weekly], ['once', once]])('reads back a %s role with options, as a node sends it', (_n, schedule) => {
    const options: RoleRunOptions = { MaxRetriesPerNode: 2, WarnAfter: '01:30:00', RequireAllNodesOnline: true, CauPluginArguments: [{ A: '1' }], FailbackMode: 'Policy', NodeOrder: ['N2', 'N1'] };
    const parsed = parseRoleParameters(pairsOf(schedule, options, false));
    expect(parsed).toEqual({ status: 'Offline', enabled: false, schedule, options, problems: [] });
  });

  it("reads Set-CauClusterRole's documented output (example 2): group, status, start, options, then the recurrence", () => {
    const parsed = parseRoleParameters([
      { name: 'ResourceGroupName', value: 'CAUCAUCldy8' },
      { name: 'Status', value: 'Online' },
      { name: 'StartDate', value: '2011-10-14T03:00' },
      { name: 'PostUpdateScript', value: 'G:\\verifyupdatesinstalled.ps1' },
      { name: 'RebootTimeoutMinutes', value: 10 },
      { name: 'DaysOfWeek', value: 4 },
      { name: 'WeeksInterval', value: 2 },
    ]);
    expect(parsed).toEqual({
      status: 'Online',
      enabled: true,
      schedule: { kind: 'Weekly', startDate: '2011-10-14T03:00', daysOfWeek: 4, intervalWeeks: 2 },
      options: { PostUpdateScript: 'G:\\verifyupdatesinstalled.ps1', RebootTimeoutMinutes: 10 },
      problems: [],
    });
  });

  it('reads what a node sends: flags as text with spaces or a number, a DateTime with seconds, numbers as text', () => {
    const parsed = parseRoleParameters([
      { name: 'Status', value: 'Online' },
      { name: 'StartDate', value: '2024-01-09 03:00:00' },
      { name: 'DaysOfWeek', value: 'Tuesday, Thursday' },
      { name: 'WeeksOfMonth', value: '2 4' },
      { name: 'RebootTimeoutMinutes', value: '30' },
    ]);
    expect(parsed.schedule).toEqual({ kind: 'MonthlyDayOfWeek', startDate: '2024-01-09T03:00', daysOfWeek: 0x14, weeksOfMonth: [2, 4] });
    expect(parsed.options).toEqual({ RebootTimeoutMinutes: 30 });
    expect(parseRoleParameters([{ name: 'StartDate', value: '2024-01-09T03:00' }, { name: 'DaysOfWeek', value: 20 }, { name: 'WeeksInterval', value: 1 }]).schedule).toEqual({ kind: 'Weekly', startDate: '2024-01-09T03:00', daysOfWeek: 20, intervalWeeks: 1 });
  });

  it('names what it cannot read', () => {
    expect(parseRoleParameters([{ name: 'StartDate', value: 'soon' }]).problems[0]).toMatch(/^StartDate: /);
    expect(parseRoleParameters([{ name: 'StartDate', value: '2024-01-09T03:00' }, { name: 'DaysOfWeek', value: 'Tuesday' }]).problems[0]).toMatch(/^WeeksOfMonth\/WeeksInterval/);
    expect(parseRoleParameters([{ name: 'StartDate', value: '2024-01-09T03:00' }, { name: 'DaysOfWeek', value: 'Funday' }]).problems[0]).toMatch(/^DaysOfWeek: /);
  });
});

describe('mergeSchedule', () => {
  it.each<[string, CauSchedule | null, Parameters<typeof mergeSchedule>[1], CauSchedule | string]>([
    ['days only keep the weeks and start', monthly, { daysOfWeek: 0x14 }, { ...monthly, daysOfWeek: 0x14 }],
    ['nothing given re-sends the current schedule', monthly, {}, monthly],
    ['start only keeps the kind', weekly, { startDate: '2024-02-01T01:00' }, { ...weekly, startDate: '2024-02-01T01:00' }],
    ['interval switches monthly to weekly, keeping days', monthly, { intervalWeeks: 1 }, { kind: 'Weekly', startDate: monthly.startDate, daysOfWeek: 4, intervalWeeks: 1 }],
    ['weeks switch weekly to monthly', weekly, { weeksOfMonth: [5] }, { kind: 'MonthlyDayOfWeek', startDate: weekly.startDate, daysOfWeek: 1, weeksOfMonth: [5] }],
    ['run once', monthly, { runOnce: true, startDate: '2099-01-01T00:00' }, { kind: 'Once', startDate: '2099-01-01T00:00' }],
    ['add: default start date', null, { daysOfWeek: 4, weeksOfMonth: [3] }, { kind: 'MonthlyDayOfWeek', startDate: '2030-05-05T03:00', daysOfWeek: 4, weeksOfMonth: [3] }],
    ['add with nothing', null, {}, 'schedule: give one'],
    ['add with days only', null, { daysOfWeek: 4 }, 'weeksOfMonth: --days-of-week needs'],
    ['once + days', once, { daysOfWeek: 4 }, 'daysOfWeek: the role runs once'],
    ['once + weeks, no days', once, { weeksOfMonth: [2] }, 'daysOfWeek: --weeks-of-month needs --days-of-week (the role now runs once'],
    ['an impossible date', monthly, { startDate: '2024-02-30T03:00' }, 'startDate: must be a local date'],
  ])('%s', (_name, current, change, expected) => {
    const result = mergeSchedule(current, change, '2030-05-05T03:00');
    if (typeof expected === 'string') {
      expect(result.schedule).toBeUndefined();
      expect(result.problems.join('\n')).toContain(expected);
    } else {
      expect(result).toEqual({ schedule: expected, problems: [] });
    }
  });
});

describe('time zones and spans', () => {
  it.each([
    ['W. Europe Standard Time', null, 'Europe/Berlin'],
    ['Pacific Standard Time', null, 'America/Los_Angeles'],
    ['Some Standard Time', 'Asia/Tokyo', 'Asia/Tokyo'],
    ['Europe/Paris', null, 'Europe/Paris'],
    ['UTC', null, 'UTC'],
    ['Mars Standard Time', null, undefined],
  ])('%s (node: %s) → %s', (id, iana, expected) => {
    expect(ianaZoneOf(id, iana)).toBe(expected);
  });

  it.each([['01:30:00', 5_400_000], ['1.00:00:00', 86_400_000], ['00:00:01.5', 1500], ['90m', undefined]])('timeSpanMs(%s) = %s', (text, ms) => {
    expect(timeSpanMs(text)).toBe(ms);
  });
});

describe('roleFacts (test-setup rules 11-19)', () => {
  it('no role: not present', () => {
    expect(roleFacts(null).present).toBe(false);
  });

  it('a role: enabled, plug-ins (WindowsUpdate by default), owners, spans and option problems', () => {
    const facts = roleFacts({ possibleOwners: ['N1', 'N2'], parameters: pairsOf(monthly, { WarnAfter: '02:00:00', StopAfter: '01:00:00', PreUpdateScript: '\\\\fs\\pre.cmd' }) });
    expect(facts).toMatchObject({ present: true, enabled: true, plugins: ['Microsoft.WindowsUpdatePlugin'], possibleOwners: ['N1', 'N2'], warnAfterMs: 7_200_000, stopAfterMs: 3_600_000, preUpdateScript: '\\\\fs\\pre.cmd' });
    expect(facts.optionProblems).toEqual(['PreUpdateScript: must be a .ps1 script (\\\\fs\\pre.cmd)']);
  });
});

describe('describeRoleCmdlet', () => {
  it('shows every schedule parameter, the options and -Force, quoting text', () => {
    expect(describeRoleCmdlet('set-cau-role', { schedule: { kind: 'Weekly', startDate: '2024-01-07T22:00', daysOfWeek: 1, intervalWeeks: 2 }, options: { PreUpdateScript: "it's.ps1", SeparateReboots: true } })).toBe(
      "Set-CauClusterRole -StartDate '2024-01-07 22:00' -DaysOfWeek 1 -IntervalWeeks 2 -PreUpdateScript 'it''s.ps1' -SeparateReboots -Force",
    );
    expect(describeRoleCmdlet('add-cau-role', { schedule: { kind: 'Once', startDate: '2099-06-01T23:30' }, options: {}, groupName: 'G' })).toBe("Add-CauClusterRole -StartDate '2099-06-01 23:30' -RunOnce -GroupName 'G' -Force");
  });
});
