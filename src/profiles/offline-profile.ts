/**
 * `offline-update` options → OfflineProfile plus its guards (maintenance window, --force, --resume), in
 * three steps: parse (zod shape), normalize (plug-ins as `run`, numbers, the window), rules (conflicts).
 * Every problem is reported at once as `path: message`. Pure: the window check takes the time as arguments.
 */
import { z } from 'zod';
import type { OfflineProfile } from '../core/offline-update.js';
import { describeError } from '../errors.js';
import { ProfileError, flattenZodIssues } from './issues.js';
import { parseIntOption } from './numbers.js';
import { normalizePlugins, pluginOptionsShape } from './scan-profile.js';

/** A window every day in local time (`22:00-04:00` crosses midnight), or between two instants. */
export type MaintenanceWindow =
  | { readonly kind: 'daily'; readonly startMinute: number; readonly endMinute: number; readonly text: string }
  | { readonly kind: 'absolute'; readonly startMs: number; readonly endMs: number; readonly text: string };

export interface OfflineMode {
  readonly force: boolean;
  readonly resume: boolean;
  /** With --resume: the interrupted offline update to continue when there are several. */
  readonly runId?: string;
  readonly window?: MaintenanceWindow;
}

const rawOfflineOptions = z.object({
  ...pluginOptionsShape,
  rebootTimeoutMinutes: z.string().optional(),
  storageTimeoutMinutes: z.string().optional(),
  allowMissingNodes: z.boolean().optional(),
  maintenanceWindow: z.string().optional(),
  force: z.boolean().optional(),
  resume: z.boolean().optional(),
  runId: z.string().min(1).optional(),
});

export const OFFLINE_DEFAULTS = { rebootTimeoutMinutes: 15, storageTimeoutMinutes: 30 } as const;

const CLOCK = /^([01]?\d|2[0-3]):([0-5]\d)$/;
const INSTANT = String.raw`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})`;
const ABSOLUTE = new RegExp(`^(${INSTANT})(?:-|/)(${INSTANT})$`);

/** `22:00-04:00` (local, daily) or `2025-01-04T22:00Z/2025-01-05T04:00Z` (`-` also separates instants). */
export function parseMaintenanceWindow(text: string): MaintenanceWindow {
  const trimmed = text.trim();
  const absolute = ABSOLUTE.exec(trimmed);
  if (absolute) {
    const startMs = Date.parse(absolute[1]!);
    const endMs = Date.parse(absolute[2]!);
    if (Number.isNaN(startMs) || Number.isNaN(endMs)) throw new Error(`${JSON.stringify(text)} has an instant that is not a date`);
    if (endMs <= startMs) throw new Error(`${JSON.stringify(text)} ends before it starts`);
    return { kind: 'absolute', startMs, endMs, text: trimmed };
  }
  const parts = trimmed.split('-');
  const start = parts.length === 2 ? CLOCK.exec(parts[0]!.trim()) : null;
  const end = parts.length === 2 ? CLOCK.exec(parts[1]!.trim()) : null;
  if (!start || !end) {
    throw new Error(`expected <start>-<end> as local times (22:00-04:00) or ISO instants with a zone (2025-01-04T22:00Z/2025-01-05T04:00Z), got ${JSON.stringify(text)}`);
  }
  const startMinute = Number(start[1]) * 60 + Number(start[2]);
  const endMinute = Number(end[1]) * 60 + Number(end[2]);
  if (startMinute === endMinute) throw new Error(`${JSON.stringify(text)} is empty: start and end are the same time`);
  return { kind: 'daily', startMinute, endMinute, text: trimmed };
}

/**
 * Whether `nowMs` falls in the window; `localMinuteOfDay` is now's local time of day (minutes since local
 * midnight) for daily windows. Start inclusive, end exclusive.
 */
export function windowContains(window: MaintenanceWindow, nowMs: number, localMinuteOfDay: number): boolean {
  if (window.kind === 'absolute') return nowMs >= window.startMs && nowMs < window.endMs;
  if (window.startMinute < window.endMinute) return localMinuteOfDay >= window.startMinute && localMinuteOfDay < window.endMinute;
  return localMinuteOfDay >= window.startMinute || localMinuteOfDay < window.endMinute;
}

/** Seconds left in the window at `nowMs` (assumes it contains now). */
export function windowSecondsLeft(window: MaintenanceWindow, nowMs: number, localMinuteOfDay: number, localSecondOfMinute = 0): number {
  if (window.kind === 'absolute') return Math.max(0, (window.endMs - nowMs) / 1000);
  const nowSecond = localMinuteOfDay * 60 + localSecondOfMinute;
  let left = window.endMinute * 60 - nowSecond;
  if (left <= 0) left += 24 * 3600;
  return left;
}

export function parseOfflineProfile(raw: unknown): { profile: OfflineProfile; mode: OfflineMode } {
  const parsed = rawOfflineOptions.safeParse(raw);
  if (!parsed.success) throw new ProfileError(flattenZodIssues(parsed.error), 'invalid offline-update options');
  const o = parsed.data;
  const problems: string[] = [];
  const plugins = normalizePlugins(o, problems);
  const minutes = (value: string | undefined, name: 'rebootTimeoutMinutes' | 'storageTimeoutMinutes', flag: string): number => {
    if (value === undefined) return OFFLINE_DEFAULTS[name];
    try {
      return parseIntOption(flag, value, { min: 1, max: 1440 });
    } catch (error) {
      problems.push(`${name}: ${describeError(error)}`);
      return OFFLINE_DEFAULTS[name];
    }
  };
  const rebootTimeoutMinutes = minutes(o.rebootTimeoutMinutes, 'rebootTimeoutMinutes', '--reboot-timeout-minutes');
  const storageTimeoutMinutes = minutes(o.storageTimeoutMinutes, 'storageTimeoutMinutes', '--storage-timeout-minutes');
  let window: MaintenanceWindow | undefined;
  if (o.maintenanceWindow !== undefined) {
    try {
      window = parseMaintenanceWindow(o.maintenanceWindow);
    } catch (error) {
      problems.push(`maintenanceWindow: ${describeError(error)}`);
    }
  }
  if (o.runId !== undefined && o.resume !== true) problems.push('runId: --run-id goes with --resume (it names the interrupted offline update to continue)');
  if (problems.length > 0) throw new ProfileError(problems, 'invalid offline-update options');
  return {
    profile: { plugins, rebootTimeoutMinutes, storageTimeoutMinutes, allowMissingNodes: o.allowMissingNodes === true },
    mode: { force: o.force === true, resume: o.resume === true, ...(o.runId !== undefined ? { runId: o.runId } : {}), ...(window !== undefined ? { window } : {}) },
  };
}
