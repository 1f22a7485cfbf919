import type { CauSchedule } from '../core/schedule.js';
import { describeSchedule } from './describe-schedule.js';

describe('describeSchedule', () => {
  it.each<[string, CauSchedule, string]>([
    ['Patch Tuesday', { kind: 'MonthlyDayOfWeek', startDate: '2024-01-09T03:00', daysOfWeek: 0x04, weeksOfMonth: [2] }, 'the 2nd Tuesday of every month at 03:00, from 2024-01-09'],
    ['two days in two weeks, and the last week', { kind: 'MonthlyDayOfWeek', startDate: '2024-01-01T22:30', daysOfWeek: 0x14, weeksOfMonth: [5, 1] }, 'the 1st and last Tuesday and Thursday of every month at 22:30, from 2024-01-01'],
    ['every other Sunday', { kind: 'Weekly', startDate: '2024-01-07T22:00', daysOfWeek: 0x01, intervalWeeks: 2 }, 'every 2 weeks on Sunday at 22:00, from 2024-01-07'],
    ['every week on three days', { kind: 'Weekly', startDate: '2024-01-01T03:00', daysOfWeek: 0x2a, intervalWeeks: 1 }, 'every week on Monday, Wednesday and Friday at 03:00, from 2024-01-01'],
    ['once', { kind: 'Once', startDate: '2024-03-02T04:15' }, 'once, on 2024-03-02 at 04:15'],
  ])('%s', (_name, schedule, text) => {
    expect(describeSchedule(schedule)).toBe(text);
  });
});
