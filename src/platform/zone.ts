/**
 * Time zones, in one place: an IANA zone read through Intl, its UTC offset at an instant, the wall-clock parts
 * of an instant, and the instant a wall time names (across DST changes). Pure: no Date.now, no node:*; so core
 * (schedules) and output (reports, human times) share it. Depends on src/errors.ts only.
 */
import { usageError } from '../errors.js';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** The wall clock of an instant in a zone. */
export interface ZonedParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  /** Minutes east of UTC at that instant. */
  readonly offsetMinutes: number;
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** `+02:00`, `-04:00`, `+05:30`. */
export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

export class TimeZone {
  private constructor(
    readonly name: string,
    private readonly format: Intl.DateTimeFormat,
  ) {}

  /** The zone, or undefined when Intl does not know the name. */
  static find(name: string): TimeZone | undefined {
    try {
      const format = new Intl.DateTimeFormat('en-US', {
        timeZone: name,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
      return new TimeZone(name, format);
    } catch {
      return undefined;
    }
  }

  /** The zone; an unknown name is a usage error (`USAGE_TIME_ZONE`, exit 2) naming the option. */
  static of(name: string, option = '--time-zone'): TimeZone {
    const zone = TimeZone.find(name);
    if (zone === undefined) {
      throw usageError('USAGE_TIME_ZONE', `${option} ${JSON.stringify(name)} is not a known IANA time zone.`, {
        hint: 'Use a name such as UTC, Europe/Paris or America/New_York.',
      });
    }
    return zone;
  }

  /** The wall-clock parts of an instant (whole seconds) and the offset then. */
  partsAt(utcMs: number): ZonedParts {
    const whole = utcMs - (((utcMs % 1000) + 1000) % 1000);
    const parts: Record<string, number> = {};
    for (const part of this.format.formatToParts(whole)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
    const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
    return {
      year: parts.year!,
      month: parts.month!,
      day: parts.day!,
      hour: parts.hour!,
      minute: parts.minute!,
      second: parts.second!,
      offsetMinutes: Math.round((wall - whole) / MINUTE_MS),
    };
  }

  /** Milliseconds to add to a UTC instant to get the wall clock in this zone. */
  offsetAt(utcMs: number): number {
    return this.partsAt(utcMs).offsetMinutes * MINUTE_MS;
  }

  /**
   * The instant a wall time (ms since the epoch, read as if UTC) names. When the clock falls back and the time
   * happens twice, the first (earlier) instant. When the clock springs forward over it, the time does not exist
   * and it moves forward by the gap (02:30 becomes 03:30). This is Temporal's "compatible" disambiguation.
   */
  resolve(wallMs: number): number {
    const before = this.offsetAt(wallMs - DAY_MS);
    const after = this.offsetAt(wallMs + DAY_MS);
    const candidates = [wallMs - before, wallMs - after].filter((utc) => utc + this.offsetAt(utc) === wallMs);
    return candidates.length > 0 ? Math.min(...candidates) : wallMs - before;
  }

  /** ISO-8601 with this zone's offset, to the second: `2024-10-08T16:03:22+02:00`. */
  iso(utcMs: number): string {
    const p = this.partsAt(utcMs);
    return `${p.year}-${pad(p.month)}-${pad(p.day)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${formatOffset(p.offsetMinutes)}`;
  }
}

/** Checks an IANA time-zone name (`Europe/Paris`, `UTC`); returns it as given. Throws `USAGE_TIME_ZONE` (exit 2). */
export function assertTimeZone(name: string): string {
  return TimeZone.of(name).name;
}

/** ISO-8601 with the zone's offset: `2024-10-08T16:03:22+02:00`. Unparseable input is returned as is. */
export function isoInTimeZone(iso: string, zone: string): string {
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? TimeZone.of(zone).iso(ms) : iso;
}

/**
 * This host's zone, as Intl resolves it (the TZ variable, then the system's setting). Human output shows times
 * in it; machine output never does (UTC there).
 */
export function hostTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}
