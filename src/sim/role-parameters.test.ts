import { cauRoleParameters, invariantTimeSpan } from './role-parameters.js';

describe('cauRoleParameters (Get-CauClusterRole through get-cau-role.ps1)', () => {
  it("prints group, status and start first, the options given, then the recurrence, as CAU's documented example does", () => {
    const pairs = cauRoleParameters({
      groupName: 'CAUCAUCldy8',
      enabled: true,
      schedule: { kind: 'Weekly', startDate: '2011-10-14T03:00', daysOfWeek: 4, intervalWeeks: 2 },
      options: { PostUpdateScript: 'G:\\verifyupdatesinstalled.ps1', RebootTimeoutMinutes: 10 },
    });
    expect(pairs).toEqual([
      { name: 'ResourceGroupName', value: 'CAUCAUCldy8' },
      { name: 'Status', value: 'Online' },
      { name: 'StartDate', value: '2011-10-14T03:00' },
      { name: 'PostUpdateScript', value: 'G:\\verifyupdatesinstalled.ps1' },
      { name: 'RebootTimeoutMinutes', value: 10 },
      { name: 'DaysOfWeek', value: 4 },
      { name: 'WeeksInterval', value: 2 },
    ]);
  });

  it('writes DaysOfWeek (a flags enum) as its number, the weeks of the month as a list, a disabled role Offline', () => {
    const pairs = cauRoleParameters({ groupName: 'G', enabled: false, schedule: { kind: 'MonthlyDayOfWeek', startDate: '2024-01-09T03:00', daysOfWeek: 0x14, weeksOfMonth: [2, 4] }, options: {} });
    expect(pairs).toContainEqual({ name: 'Status', value: 'Offline' });
    expect(pairs).toContainEqual({ name: 'DaysOfWeek', value: 20 });
    expect(pairs).toContainEqual({ name: 'WeeksOfMonth', value: [2, 4] });
  });

  it('writes switches as true, TimeSpans in the invariant form, lists and tables as given', () => {
    const pairs = cauRoleParameters({
      groupName: 'G',
      enabled: true,
      schedule: { kind: 'Once', startDate: '2099-06-01T23:30' },
      options: { RequireAllNodesOnline: true, WarnAfter: '1.01:00:00', StopAfter: '00:00:01.5', CauPluginArguments: [{ IncludeRecommendedUpdates: 'False' }], NodeOrder: ['N2', 'N1'] },
    });
    expect(Object.fromEntries(pairs.map((p) => [p.name, p.value]))).toMatchObject({
      RequireAllNodesOnline: true,
      WarnAfter: '1.01:00:00',
      StopAfter: '00:00:01.5000000',
      CauPluginArguments: [{ IncludeRecommendedUpdates: 'False' }],
      NodeOrder: ['N2', 'N1'],
      RunOnce: true,
    });
  });

  it.each([
    ['01:30:00', '01:30:00'],
    ['1.02:03:04', '1.02:03:04'],
    ['00:00:00.25', '00:00:00.2500000'],
  ])('TimeSpan %s prints as %s', (given, printed) => {
    expect(invariantTimeSpan(given)).toBe(printed);
  });
});
