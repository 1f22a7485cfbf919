import { ProfileError } from './issues.js';
import { normalizeStartDate, parseRoleProfile } from './role-profile.js';

function problems(raw: Record<string, unknown>, verb: 'add' | 'set' = 'add'): readonly string[] {
  try {
    parseRoleProfile(raw, verb);
  } catch (error) {
    if (error instanceof ProfileError) return error.problems;
    throw error;
  }
  throw new Error('expected a ProfileError');
}

describe('parseRoleProfile', () => {
  it.each<[string, Record<string, unknown>, unknown]>([
    ['monthly, names', { daysOfWeek: 'Tuesday,Thursday', weeksOfMonth: ['2,4'], startDate: '2024-01-09' }, { schedule: { daysOfWeek: 0x14, weeksOfMonth: [2, 4], startDate: '2024-01-09T03:00' }, options: {} }],
    ['monthly, flag integer and last', { daysOfWeek: '4', weeksOfMonth: ['last'] }, { schedule: { daysOfWeek: 4, weeksOfMonth: [5] }, options: {} }],
    ['weekly', { daysOfWeek: 'Sun', intervalWeeks: '2', startDate: '2024-01-07 22:00' }, { schedule: { daysOfWeek: 1, intervalWeeks: 2, startDate: '2024-01-07T22:00' }, options: {} }],
    ['once', { runOnce: true, startDate: '2099-06-01T23:30' }, { schedule: { runOnce: true, startDate: '2099-06-01T23:30' }, options: {} }],
    [
      'run options under CAU names, only those given',
      { daysOfWeek: '4', weeksOfMonth: ['2'], cauPluginName: ['Microsoft.WindowsUpdatePlugin'], cauPluginArguments: ["@{ 'IncludeRecommendedUpdates'='True' }"], maxFailedNodes: '1', warnAfter: '90m', stopAfter: '4h', requireAllNodesOnline: true, failbackMode: 'Policy', nodeOrder: ['NODE2,NODE1'] },
      {
        schedule: { daysOfWeek: 4, weeksOfMonth: [2] },
        options: { CauPluginName: ['Microsoft.WindowsUpdatePlugin'], CauPluginArguments: [{ IncludeRecommendedUpdates: 'true' }], MaxFailedNodes: 1, WarnAfter: '01:30:00', StopAfter: '04:00:00', RequireAllNodesOnline: true, FailbackMode: 'Policy', NodeOrder: ['NODE2', 'NODE1'] },
      },
    ],
    ['vco and group', { runOnce: true, startDate: '2099-01-01', virtualComputerObjectName: 'CAUVCO01', groupName: 'CAUGroup' }, { virtualComputerObjectName: 'CAUVCO01', groupName: 'CAUGroup' }],
  ])('%s', (_name, raw, expected) => {
    expect(parseRoleProfile(raw, 'add')).toMatchObject(expected as Record<string, unknown>);
  });

  it('set-role: an option alone gives an empty schedule change (the current one is re-sent)', () => {
    expect(parseRoleProfile({ maxRetriesPerNode: '2' }, 'set')).toEqual({ schedule: {}, options: { MaxRetriesPerNode: 2 } });
  });

  it('reports every problem at once', () => {
    expect(problems({ runOnce: true, daysOfWeek: 'Funday', weeksOfMonth: ['0'], intervalWeeks: '0', startDate: 'tomorrow', maxRetriesPerNode: '99' })).toEqual([
      expect.stringMatching(/^startDate: "tomorrow" is not a date/),
      expect.stringMatching(/^daysOfWeek: unknown day "Funday"/),
      expect.stringMatching(/^weeksOfMonth: "0" is not a week/),
      expect.stringMatching(/^intervalWeeks: /),
      expect.stringMatching(/^maxRetriesPerNode: /),
      'runOnce: --run-once and --days-of-week conflict (a one-time run has no recurrence)',
      'runOnce: --run-once and --weeks-of-month conflict (a one-time run has no recurrence)',
      'runOnce: --run-once and --interval-weeks conflict (a one-time run has no recurrence)',
      'weeksOfMonth: --weeks-of-month (monthly) and --interval-weeks (weekly) conflict; choose one schedule',
    ]);
  });

  it('refuses names that are not NetBIOS names, and VCO or group on set-role', () => {
    expect(problems({ virtualComputerObjectName: 'a name with spaces', groupName: 'x'.repeat(16) })).toHaveLength(2);
    expect(problems({ groupName: 'G' }, 'set')).toEqual([expect.stringMatching(/^groupName: --group-name is fixed when the role is added/)]);
  });
});

describe('normalizeStartDate', () => {
  it.each([['2024-01-09', '2024-01-09T03:00'], ['2024-01-09T22:15', '2024-01-09T22:15'], ['2024-01-09 22:15:00', '2024-01-09T22:15'], ['09/01/2024', undefined], ['2024-01-09T22:15:30', undefined]])('%s → %s', (text, expected) => {
    expect(normalizeStartDate(text)).toBe(expected);
  });
});
