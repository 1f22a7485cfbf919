/**
 * Time zones, in one place: an IANA zone read through Intl, its UTC offset at an instant, the wall-clock parts
 * of an instant, and the instant a wall time names (across DST changes). Windows zone names (`W. Europe
 * Standard Time`, what `tzutil /l` and `(Get-TimeZone).Id` give) are accepted wherever a zone is, mapped to
 * IANA by CLDR's windowsZones table through the windows-iana package, never by a list of our own. Pure: no
 * Date.now, no node:*; so core (schedules) and output (reports, human times) share it. Depends on src/errors.ts
 * and windows-iana (data only).
 */
import { WINDOWS_TO_IANA_MAP } from 'windows-iana';
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

let windowsZones: ReadonlyMap<string, string> | undefined;

/**
 * The IANA zone of a Windows zone name, in any case (`w. europe standard time` → `Europe/Berlin`): CLDR's
 * mapping for territory 001, the zone Windows itself means. Undefined when the name is not a Windows zone.
 */
export function ianaOfWindowsZone(name: string): string | undefined {
  windowsZones ??= new Map(WINDOWS_TO_IANA_MAP.filter((entry) => entry.territory === '001' && entry.iana.length > 0).map((entry) => [entry.windowsName.toLowerCase(), entry.iana[0]!]));
  return windowsZones.get(name.trim().toLowerCase());
}

/** An IANA name Intl knows is returned as given; a Windows zone name becomes its IANA zone; else undefined. */
export function ianaZoneName(name: string): string | undefined {
  if (TimeZone.findIana(name) !== undefined) return name;
  const iana = ianaOfWindowsZone(name);
  return iana !== undefined && TimeZone.findIana(iana) !== undefined ? iana : undefined;
}

export class TimeZone {
  private constructor(
    /** The IANA name (a Windows name given is replaced by its IANA zone). */
    readonly name: string,
    private readonly format: Intl.DateTimeFormat,
  ) {}

  /** The zone of an IANA or Windows zone name, or undefined when it is neither. */
  static find(name: string): TimeZone | undefined {
    const iana = ianaZoneName(name);
    return iana === undefined ? undefined : TimeZone.findIana(iana);
  }

  /** The zone of an IANA name, or undefined when Intl does not know it. */
  static findIana(name: string): TimeZone | undefined {
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
      throw usageError('USAGE_TIME_ZONE', `${option} ${JSON.stringify(name)} is not a known time zone: neither an IANA name nor a Windows zone name.`, {
        hint: 'Use an IANA name such as UTC, Europe/Paris or America/New_York, or a Windows name such as W. Europe Standard Time (tzutil /l lists them on Windows).',
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

/**
 * Checks a time-zone option: an IANA name (`Europe/Paris`, `UTC`) is returned as given, a Windows name
 * (`W. Europe Standard Time`) as its IANA zone. Throws `USAGE_TIME_ZONE` (exit 2) naming `option`.
 */
export function assertTimeZone(name: string, option = '--time-zone'): string {
  return TimeZone.of(name, option).name;
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
