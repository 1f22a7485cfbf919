// Durations as admins write them (TimeSpan text, 90m, PT1H30M, minutes) <-> milliseconds. Depends on src/errors.ts only.
import { AppError, ExitCode, usageError } from '../errors.js';

const SECOND_MS = 1000;
const MINUTE_MS = 60 * SECOND_MS;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const WEEK_MS = 7 * DAY_MS;

/**
 * The largest duration accepted: .NET's TimeSpan.MaxValue (10675199.02:48:05.4775807) in whole milliseconds, so
 * whatever we accept can also be handed to a cmdlet's TimeSpan parameter.
 */
export const MAX_DURATION_MS = 922_337_203_685_477;

/** The forms parseDuration accepts, for error messages and `--help`. */
export const DURATION_FORMS =
  'hh:mm:ss (01:30:00), d.hh:mm:ss (1.02:00:00), units (90m, 2h, 1h30m, 45s, 1d), ISO 8601 (PT1H30M, P1DT2H) or a whole number of minutes (90)';

/** `[-]` is never accepted: none of CAU's durations can be negative. `d:hh:mm:ss` is TimeSpan's "g" form. */
const TIMESPAN = /^(?:(\d+)[.:](?=\d{1,2}:\d{1,2}:\d{1,2}))?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,7}))?)?$/;
const ISO = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)(?:[.,](\d{1,9}))?S)?)?$/i;
const ISO_CALENDAR = /^P(?:\d+Y)|^P(?:\d+Y)?\d+M/i;
const MINUTES = /^\d+$/;

/** Units in the order they must appear (largest first, each at most once), with the words that name them. */
const UNITS: ReadonlyArray<{ readonly ms: number; readonly names: readonly string[] }> = [
  { ms: DAY_MS, names: ['d', 'day', 'days'] },
  { ms: HOUR_MS, names: ['h', 'hr', 'hrs', 'hour', 'hours'] },
  { ms: MINUTE_MS, names: ['m', 'min', 'mins', 'minute', 'minutes'] },
  { ms: SECOND_MS, names: ['s', 'sec', 'secs', 'second', 'seconds'] },
  { ms: 1, names: ['ms', 'millisecond', 'milliseconds'] },
];

function durationError(text: string, label: string | undefined, reason?: string): AppError {
  const subject = `${label === undefined ? '' : `${label}: `}${JSON.stringify(text)}`;
  return usageError('PROFILE_DURATION', `${subject} is not a duration${reason === undefined ? '' : ` (${reason})`}; use ${DURATION_FORMS}`, {
    details: { value: text, ...(label === undefined ? {} : { option: label }) },
  });
}

/** Fraction digits of seconds to whole milliseconds; finer digits are dropped (millisecond resolution). */
function fractionMs(digits: string | undefined): number {
  if (digits === undefined) return 0;
  return Number(digits.padEnd(3, '0').slice(0, 3));
}

function fromTimeSpan(match: RegExpExecArray): number | string {
  const [, days, hours, minutes, seconds, fraction] = match;
  const h = Number(hours);
  const m = Number(minutes);
  const s = seconds === undefined ? 0 : Number(seconds);
  // TimeSpan.Parse refuses these too; "25:00:00" most likely means 1.01:00:00 and we say so rather than guess.
  if (h > 23) return `hours must be 0-23 in hh:mm:ss; write ${Math.floor(h / 24)}.${String(h % 24).padStart(2, '0')}:${minutes!.padStart(2, '0')}:${(seconds ?? '00').padStart(2, '0')} for days`;
  if (m > 59) return 'minutes must be 0-59';
  if (s > 59) return 'seconds must be 0-59';
  return Number(days ?? 0) * DAY_MS + h * HOUR_MS + m * MINUTE_MS + s * SECOND_MS + fractionMs(fraction);
}

function fromIso(match: RegExpExecArray): number | string {
  const [whole, weeks, days, hours, minutes, seconds, fraction] = match;
  if (whole === 'P' || whole === 'p') return 'ISO 8601 needs at least one component';
  return (
    Number(weeks ?? 0) * WEEK_MS +
    Number(days ?? 0) * DAY_MS +
    Number(hours ?? 0) * HOUR_MS +
    Number(minutes ?? 0) * MINUTE_MS +
    Number(seconds ?? 0) * SECOND_MS +
    fractionMs(fraction)
  );
}

function fromUnits(text: string): number | string | undefined {
  // A sticky regex carries lastIndex, so it is made per call rather than shared at module level.
  const unitPart = /(\d+)\s*([a-z]+)\s*/giy;
  let total = 0;
  let nextUnit = 0;
  let parts = 0;
  for (;;) {
    const start = unitPart.lastIndex;
    if (start === text.length) break;
    const part = unitPart.exec(text);
    if (part === null) return undefined;
    const name = part[2]!.toLowerCase();
    const index = UNITS.findIndex((unit) => unit.names.includes(name));
    if (index < 0) return parts === 0 ? undefined : `unknown unit "${part[2]}"`;
    if (index < nextUnit) return 'units go from largest to smallest, each once (1h30m, not 30m1h)';
    total += Number(part[1]) * UNITS[index]!.ms;
    nextUnit = index + 1;
    parts += 1;
  }
  return parts === 0 ? undefined : total;
}

/**
 * Parses a duration and returns whole milliseconds. Accepted (see DURATION_FORMS):
 * - TimeSpan text as PowerShell prints it: `01:30:00`, `1.02:00:00` (days), `1:02:00:00`, `00:00:01.5`, `hh:mm`;
 * - unit strings: `90m`, `2h`, `45s`, `1h30m`, `1d 2h`, `500ms` (largest unit first, case-insensitive);
 * - ISO 8601 durations: `PT1H30M`, `P1D`, `P2W`, `PT0.5S` (years and months are refused: no fixed length);
 * - a plain whole number, read as **minutes**. CAU's help describes WarnAfter/StopAfter as "time in minutes" even
 *   though the parameters are TimeSpans; PowerShell itself would read `[TimeSpan]'90'` as 90 days, which no one
 *   means. We follow the help's prose.
 * `label` (an option name such as `--stop-after`) is put in front of the message. Throws AppError
 * `PROFILE_DURATION` (exit 2) naming the input and the accepted forms.
 */
export function parseDuration(text: string, label?: string): number {
  const trimmed = text.trim();
  let result: number | string | undefined;
  if (MINUTES.test(trimmed)) {
    result = Number(trimmed) * MINUTE_MS;
  } else {
    const timeSpan = TIMESPAN.exec(trimmed);
    const iso = timeSpan === null ? ISO.exec(trimmed) : null;
    if (timeSpan !== null) result = fromTimeSpan(timeSpan);
    else if (iso !== null) result = fromIso(iso);
    else if (ISO_CALENDAR.test(trimmed)) result = 'years and months have no fixed length; use weeks or days';
    else result = fromUnits(trimmed);
  }
  if (typeof result === 'string' || result === undefined) throw durationError(text, label, result);
  if (!Number.isSafeInteger(result) || result > MAX_DURATION_MS) throw durationError(text, label, 'longer than TimeSpan.MaxValue');
  return result;
}

function two(value: number): string {
  return String(value).padStart(2, '0');
}

/**
 * Formats milliseconds the way PowerShell prints a TimeSpan: `hh:mm:ss`, with `d.` in front when there are days
 * and `.fff` when there are milliseconds (`1.02:00:00`, `00:00:01.500`). Negative values get a leading `-`.
 * Fractions of a millisecond are rounded. The result parses back with parseDuration (when not negative) and with
 * .NET's TimeSpan.Parse.
 */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) {
    throw new AppError('DURATION_NOT_FINITE', ExitCode.internal, `cannot format a duration of ${ms} ms`);
  }
  const sign = ms < 0 ? '-' : '';
  let rest = Math.round(Math.abs(ms));
  const days = Math.floor(rest / DAY_MS);
  rest -= days * DAY_MS;
  const hours = Math.floor(rest / HOUR_MS);
  rest -= hours * HOUR_MS;
  const minutes = Math.floor(rest / MINUTE_MS);
  rest -= minutes * MINUTE_MS;
  const seconds = Math.floor(rest / SECOND_MS);
  const millis = rest - seconds * SECOND_MS;
  const dayPart = days > 0 ? `${days}.` : '';
  const fraction = millis > 0 ? `.${String(millis).padStart(3, '0')}` : '';
  return `${sign}${dayPart}${two(hours)}:${two(minutes)}:${two(seconds)}${fraction}`;
}
