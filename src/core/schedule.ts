// CAU's self-updating schedules (MonthlyDayOfWeek, Weekly, Once) and when they fire, in the cluster's IANA time zone.
// Pure: no Date.now, no node:*; time zones only through platform/zone. Depends on src/errors.ts and platform/zone.
import { AppError, ExitCode, usageError } from '../errors.js';
import { TimeZone } from '../platform/zone.js';

/**
 * A CAU clustered-role schedule (cau-surface.md §5). `startDate` is a local wall time `YYYY-MM-DDTHH:mm` in the
 * cluster's time zone: the earliest moment a run may fire, and its time of day is the time of every run.
 * `daysOfWeek` holds CAU's Weekdays flags (Sunday=0x01, Monday=0x02 … Saturday=0x40). `weeksOfMonth` numbers the
 * occurrences of those weekdays in a month (1–4), where 5 means the last one (the 4th in a month that has four).
 * `intervalWeeks` counts Sunday-to-Saturday weeks from the week that holds startDate: 1 is every week, 2 every
 * other week.
 */
export type CauSchedule =
  | { kind: 'MonthlyDayOfWeek'; startDate: string; daysOfWeek: number; weeksOfMonth: number[] }
  | { kind: 'Weekly'; startDate: string; daysOfWeek: number; intervalWeeks: number }
  | { kind: 'Once'; startDate: string };

/** One planned run: `utc` as ISO-8601 (`2024-03-12T02:00:00.000Z`), `local` as `2024-03-12T03:00+01:00` in the zone. */
export interface ScheduledRun {
  readonly utc: string;
  readonly local: string;
}

/** CAU's Weekdays flags, Sunday first (bit n is JavaScript's getUTCDay() === n). */
export const WEEKDAY_FLAGS = {
  Sunday: 0x01,
  Monday: 0x02,
  Tuesday: 0x04,
  Wednesday: 0x08,
  Thursday: 0x10,
  Friday: 0x20,
  Saturday: 0x40,
} as const;

const WEEKDAY_NAMES = Object.keys(WEEKDAY_FLAGS) as Array<keyof typeof WEEKDAY_FLAGS>;
const ALL_DAYS = 0x7f;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const LOCAL_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;
/** Past this we stop looking; Date handles far more, but no cluster schedule means the year 10000. */
const LAST_DAY = Date.UTC(10000, 0, 1) / DAY_MS;

const DAYS_OF_WEEK_FORMS =
  'use day names separated by commas (Tuesday,Thursday or Tue,Thu), a number 1-127 (Sunday=1, Monday=2, Tuesday=4 … Saturday=64) or hex such as 0x14';

function daysOfWeekError(message: string, text: string): AppError {
  return usageError('SCHEDULE_DAYS_OF_WEEK', `${message}; ${DAYS_OF_WEEK_FORMS}`, { details: { value: text } });
}

/**
 * Reads a DaysOfWeek value as Add-CauClusterRole takes it: `Tuesday,Thursday` (names in any case, or their first
 * three letters), `4` or `0x14`. Returns the flags (1–127). Throws AppError `SCHEDULE_DAYS_OF_WEEK` (exit 2) naming
 * the day it could not read.
 */
export function parseDaysOfWeek(text: string): number {
  const trimmed = text.trim();
  let flags: number;
  if (/^\d+$/.test(trimmed)) flags = Number(trimmed);
  else if (/^0x[0-9a-f]+$/i.test(trimmed)) flags = Number.parseInt(trimmed.slice(2), 16);
  else {
    flags = 0;
    for (const piece of trimmed.split(',')) {
      const name = piece.trim().toLowerCase();
      const day = WEEKDAY_NAMES.find((full) => full.toLowerCase() === name || (name.length === 3 && full.toLowerCase().startsWith(name)));
      if (day === undefined) {
        throw daysOfWeekError(name === '' ? `empty day name in ${JSON.stringify(text)}` : `unknown day ${JSON.stringify(piece.trim())} in ${JSON.stringify(text)}`, text);
      }
      flags |= WEEKDAY_FLAGS[day];
    }
  }
  if (!(flags >= 1 && flags <= ALL_DAYS)) throw daysOfWeekError(`days of week ${JSON.stringify(text)} must name at least one day and at most all seven (1-127)`, text);
  return flags;
}

/** `0x14` → `Tuesday,Thursday`, Sunday first; `None` for 0, as PowerShell prints the enum. */
export function formatDaysOfWeek(flags: number): string {
  const names = WEEKDAY_NAMES.filter((name) => (flags & WEEKDAY_FLAGS[name]) !== 0);
  return names.length === 0 ? 'None' : names.join(',');
}

interface WallTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
}

function parseWallTime(text: unknown): WallTime | undefined {
  if (typeof text !== 'string') return undefined;
  const match = LOCAL_DATE_TIME.exec(text);
  if (match === null) return undefined;
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59) return undefined;
  return { year, month, day, hour, minute };
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function epochDay(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / DAY_MS;
}

/** 0 = Sunday … 6 = Saturday; 1970-01-01 (day 0) was a Thursday. */
function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

function isInteger(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min && value <= max;
}

/**
 * Every problem with a schedule, as `path: message` (empty when valid). Checks the kind, the startDate format and
 * calendar date, DaysOfWeek flags (1–127), WeeksOfMonth (non-empty, each 1–5, no repeats) and IntervalWeeks (≥ 1).
 * Written defensively, since schedules also come from JSON (a role read back from a cluster, a profile file).
 */
export function validateSchedule(s: CauSchedule): string[] {
  const problems: string[] = [];
  const value = s as unknown as Record<string, unknown>;
  const kind = value.kind;
  if (kind !== 'MonthlyDayOfWeek' && kind !== 'Weekly' && kind !== 'Once') {
    return [`kind: must be MonthlyDayOfWeek, Weekly or Once (got ${JSON.stringify(kind)})`];
  }
  if (parseWallTime(value.startDate) === undefined) {
    problems.push(`startDate: must be a local date and time YYYY-MM-DDTHH:mm, such as 2024-01-09T03:00 (got ${JSON.stringify(value.startDate)})`);
  }
  if (kind === 'Once') return problems;
  if (!isInteger(value.daysOfWeek, 1, ALL_DAYS)) {
    problems.push(`daysOfWeek: must be Weekdays flags from 1 to 127 (Sunday=1 … Saturday=64) (got ${JSON.stringify(value.daysOfWeek)})`);
  }
  if (kind === 'MonthlyDayOfWeek') {
    const weeks = value.weeksOfMonth;
    if (!Array.isArray(weeks) || weeks.length === 0) {
      problems.push('weeksOfMonth: must list at least one week, 1-4 or 5 for the last');
    } else {
      weeks.forEach((week: unknown, index) => {
        if (!isInteger(week, 1, 5)) problems.push(`weeksOfMonth[${index}]: must be 1-4, or 5 for the last week (got ${JSON.stringify(week)})`);
        else if (weeks.indexOf(week) !== index) problems.push(`weeksOfMonth[${index}]: week ${week} is listed twice`);
      });
    }
  } else if (!isInteger(value.intervalWeeks, 1, Number.MAX_SAFE_INTEGER)) {
    problems.push(`intervalWeeks: must be a whole number of weeks, at least 1 (got ${JSON.stringify(value.intervalWeeks)})`);
  }
  return problems;
}

/** A run at `utcMs`, described in the zone: `local` to the minute with the zone's offset. */
function describeRun(zone: TimeZone, utcMs: number): ScheduledRun {
  const local = zone.iso(utcMs);
  return { utc: new Date(utcMs).toISOString(), local: `${local.slice(0, 16)}${local.slice(19)}` };
}

function zoneOf(name: string): TimeZone {
  const zone = TimeZone.find(name);
  if (zone === undefined) throw usageError('SCHEDULE_TIME_ZONE', `unknown time zone ${JSON.stringify(name)}; use an IANA name such as Europe/Berlin or America/New_York`);
  return zone;
}

/** Whether a MonthlyDayOfWeek schedule fires on this date (day number since the epoch). */
function firesMonthly(day: number, daysOfWeek: number, weeksOfMonth: readonly number[]): boolean {
  if ((daysOfWeek & (1 << weekday(day))) === 0) return false;
  const date = new Date(day * DAY_MS);
  const dayOfMonth = date.getUTCDate();
  const occurrence = Math.ceil(dayOfMonth / 7);
  const isLast = dayOfMonth + 7 > daysInMonth(date.getUTCFullYear(), date.getUTCMonth() + 1);
  return (occurrence <= 4 && weeksOfMonth.includes(occurrence)) || (isLast && weeksOfMonth.includes(5));
}

/**
 * The next `count` runs of a schedule strictly after `afterUtcMs`, in order, in the IANA `timeZone` of the
 * cluster. No run is earlier than startDate. `Once` gives its one run if it is still ahead, otherwise none. Each
 * run is at startDate's time of day on a matching date; see TimeZone.resolve for the days the clock changes.
 * Throws AppError `SCHEDULE_INVALID` (exit 2) listing validateSchedule's problems, or `SCHEDULE_TIME_ZONE` for a
 * zone Intl does not know.
 */
export function nextRuns(schedule: CauSchedule, timeZone: string, afterUtcMs: number, count: number): ScheduledRun[] {
  const problems = validateSchedule(schedule);
  if (problems.length > 0) {
    throw usageError('SCHEDULE_INVALID', `invalid schedule:\n${problems.map((p) => `  ${p}`).join('\n')}`, { details: { problems } });
  }
  if (!Number.isFinite(afterUtcMs)) throw new AppError('SCHEDULE_TIME', ExitCode.internal, `nextRuns needs a time, got ${afterUtcMs}`);
  const zone = zoneOf(timeZone);
  const start = parseWallTime(schedule.startDate)!;
  const startDay = epochDay(start.year, start.month, start.day);
  const timeOfDayMs = (start.hour * 60 + start.minute) * MINUTE_MS;
  const startUtc = zone.resolve(startDay * DAY_MS + timeOfDayMs);
  const runs: ScheduledRun[] = [];
  if (count <= 0) return runs;
  if (schedule.kind === 'Once') {
    if (startUtc > afterUtcMs) runs.push(describeRun(zone, startUtc));
    return runs;
  }
  // Two days before the local date of `afterUtcMs`: a run on an earlier date can still land after it once a
  // spring-forward gap has pushed it later.
  const afterDay = Math.floor((afterUtcMs + zone.offsetAt(afterUtcMs)) / DAY_MS) - 2;
  const startWeekSunday = startDay - weekday(startDay);
  let day = Math.max(startDay, afterDay);
  let lastUtc = Number.NEGATIVE_INFINITY;
  while (runs.length < count && day < LAST_DAY) {
    if (schedule.kind === 'Weekly') {
      const week = Math.floor((day - startWeekSunday) / 7);
      const offWeeks = week % schedule.intervalWeeks;
      if (offWeeks !== 0) {
        // Jump to the Sunday of the next week the schedule runs in, so a long interval costs nothing.
        day = startWeekSunday + (week + schedule.intervalWeeks - offWeeks) * 7;
        continue;
      }
    }
    const fires =
      schedule.kind === 'Weekly'
        ? (schedule.daysOfWeek & (1 << weekday(day))) !== 0
        : firesMonthly(day, schedule.daysOfWeek, schedule.weeksOfMonth);
    if (fires) {
      const utc = zone.resolve(day * DAY_MS + timeOfDayMs);
      // `> lastUtc`: a date the zone skipped entirely (Pacific/Apia, 2011-12-30) resolves onto the next day's run.
      if (utc > afterUtcMs && utc >= startUtc && utc > lastUtc) {
        runs.push(describeRun(zone, utc));
        lastUtc = utc;
      }
    }
    day += 1;
  }
  return runs;
}
