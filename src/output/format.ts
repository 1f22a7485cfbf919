/**
 * How human output writes durations, times, counts and attempts: one place, so every command says `32m 18s`,
 * `1 node`, `attempt 2 of 4` and `2024-10-08 16:03:22 +02:00` alike. Machine output does not come here: it keeps
 * seconds as numbers and times as UTC ISO-8601. Depends on platform/zone only.
 */
import { TimeZone } from '../platform/zone.js';

const pad = (n: number): string => String(n).padStart(2, '0');

/** `45s`, `32m 18s`, `1h 02m 05s`. Rounded to the second; never negative. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h}h ${pad(m)}m ${pad(s % 60)}s`;
  if (m > 0) return `${m}m ${pad(s % 60)}s`;
  return `${s}s`;
}

/**
 * A time for people, in `zone` with its offset: `2024-10-08 16:03:22 +02:00`. Takes ISO-8601 text or ms since
 * the epoch; text that is not a time is returned as it is (a report from an older version).
 */
export function formatTime(time: string | number, zone: string): string {
  const ms = typeof time === 'number' ? time : Date.parse(time);
  if (!Number.isFinite(ms)) return String(time);
  return TimeZone.of(zone).iso(ms).replace('T', ' ').replace(/([+-]\d{2}:\d{2})$/, ' $1');
}

/**
 * The time of day in `zone`, to the second (`16:03:22`), for a view that names the zone once; with the date
 * (`2024-10-09 01:02:03`) when the instant is not on the same local day as `today`.
 */
export function formatClock(ms: number, zone: string, today: number = ms): string {
  const tz = TimeZone.of(zone);
  const [date, time] = tz.iso(ms).split('T') as [string, string];
  const clock = time.slice(0, 8);
  return date === tz.iso(today).slice(0, 10) ? clock : `${date} ${clock}`;
}

/** The UTC offset of `zone` at an instant, as human output names it once: `+02:00`. */
export function formatZoneOffset(ms: number, zone: string): string {
  return TimeZone.of(zone).iso(ms).slice(-6);
}

/** `512 B`, `12.3 GiB`: binary units, one decimal from KiB up. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = Math.max(0, bytes);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** `1 node`, `3 nodes`, `0 updates`; `plural(2, 'entry', 'entries')`. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** Attempts are numbered from 1 everywhere: `attempt 2`, or `attempt 2 of 4` when the limit is known. */
export function formatAttempt(attempt: number, of?: number): string {
  return of === undefined ? `attempt ${attempt}` : `attempt ${attempt} of ${of}`;
}

/** `Tuesday`, `Tuesday and Thursday`, `Monday, Wednesday and Friday`. */
export function listInWords(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** What the simulator's audit found, for the line under a rehearsal's result. */
export interface AuditSummary {
  readonly virtualSeconds?: number;
  readonly maxNodesOutOfService?: number;
  readonly violations: readonly string[];
  /** `end-state` for an offline update, which checks the end state rather than the invariants. */
  readonly kind?: 'invariant' | 'end-state';
}

/** `Simulation: 1h 02m 05s of virtual time, at most 1 node out of service, 0 invariant violations.` */
export function describeAudit(audit: AuditSummary): string {
  const parts = [
    ...(audit.virtualSeconds !== undefined ? [`${formatDuration(audit.virtualSeconds)} of virtual time`] : []),
    ...(audit.maxNodesOutOfService !== undefined ? [`at most ${plural(audit.maxNodesOutOfService, 'node')} out of service`] : []),
    plural(audit.violations.length, `${audit.kind ?? 'invariant'} violation`),
  ];
  return `Simulation: ${parts.join(', ')}.`;
}
