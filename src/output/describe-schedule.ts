/**
 * A CAU self-updating schedule in words: `the 2nd Tuesday of every month at 03:00, from 2024-01-09`, never a
 * flags number. Depends on core/schedule (the schedule type and its day flags) and output/format.
 */
import { formatDaysOfWeek, type CauSchedule } from '../core/schedule.js';
import { listInWords } from './format.js';

const ORDINALS: Readonly<Record<number, string>> = { 1: '1st', 2: '2nd', 3: '3rd', 4: '4th', 5: 'last' };

function days(flags: number): string {
  return listInWords(formatDaysOfWeek(flags).split(','));
}

/** `2024-01-09T03:00` → `at 03:00, from 2024-01-09`. */
function fromStart(startDate: string): string {
  return `at ${startDate.slice(11, 16)}, from ${startDate.slice(0, 10)}`;
}

export function describeSchedule(s: CauSchedule): string {
  switch (s.kind) {
    case 'MonthlyDayOfWeek':
      return `the ${listInWords([...s.weeksOfMonth].sort((a, b) => a - b).map((w) => ORDINALS[w] ?? `week ${w}`))} ${days(s.daysOfWeek)} of every month ${fromStart(s.startDate)}`;
    case 'Weekly':
      return `${s.intervalWeeks === 1 ? 'every week' : `every ${s.intervalWeeks} weeks`} on ${days(s.daysOfWeek)} ${fromStart(s.startDate)}`;
    case 'Once':
      return `once, on ${s.startDate.slice(0, 10)} at ${s.startDate.slice(11, 16)}`;
  }
}
