/**
 * The timings of a snapshot's model from this host's run history of that cluster: the median of each phase
 * over every node and run that went through it, and the documented defaults for the phases the history does
 * not show. Pure. Depends on plan's timing type only.
 */
import type { PhaseTiming } from '../../../core/plan.js';

interface HistoryPhase {
  readonly phase: string;
  readonly start: string;
  readonly end: string;
  readonly ok?: boolean;
}

export interface HistoryReport {
  readonly nodeResults?: ReadonlyArray<{ readonly node: string; readonly phases?: readonly HistoryPhase[] }>;
}

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Which timing field each reported phase measures (the restart and the wait for the node make one). */
const FIELD_OF_PHASE: Readonly<Record<string, keyof PhaseTiming>> = {
  rescan: 'scanSeconds',
  scan: 'scanSeconds',
  stage: 'downloadSeconds',
  install: 'installSeconds',
  reboot: 'rebootSeconds',
  'wait-node': 'rebootSeconds',
  resync: 'resyncSeconds',
};

/**
 * `roles(node)`: how many clustered roles the node owns now (a drain's time is per role). Returns the timing
 * and the fields that came from the history (none: the defaults, said so in the model's description).
 */
export function timingFromHistory(reports: readonly HistoryReport[], roles: (node: string) => number, defaults: PhaseTiming): { timing: PhaseTiming; measured: Array<keyof PhaseTiming>; runs: number } {
  const samples = new Map<keyof PhaseTiming, number[]>();
  let runs = 0;
  for (const report of reports) {
    let used = false;
    for (const result of report.nodeResults ?? []) {
      // Per node and attempt: the restart and the wait for the node add up to one reboot.
      const perAttempt = new Map<string, number>();
      for (const p of result.phases ?? []) {
        const seconds = (Date.parse(p.end) - Date.parse(p.start)) / 1000;
        if (p.ok === false || !Number.isFinite(seconds) || seconds < 0) continue;
        if (p.phase === 'drain') {
          const n = roles(result.node);
          if (n > 0) (samples.get('drainSecondsPerRole') ?? samples.set('drainSecondsPerRole', []).get('drainSecondsPerRole')!).push(seconds / n);
          used = true;
          continue;
        }
        const field = FIELD_OF_PHASE[p.phase];
        if (field === undefined) continue;
        const key = `${field}:${(p as { attempt?: number }).attempt ?? 1}:${field === 'installSeconds' || field === 'scanSeconds' ? p.start : ''}`;
        perAttempt.set(key, (perAttempt.get(key) ?? 0) + seconds);
        used = true;
      }
      for (const [key, seconds] of perAttempt) {
        const field = key.split(':')[0] as keyof PhaseTiming;
        (samples.get(field) ?? samples.set(field, []).get(field)!).push(seconds);
      }
    }
    if (used) runs++;
  }
  const timing: Record<keyof PhaseTiming, number> = { ...defaults };
  const measured: Array<keyof PhaseTiming> = [];
  for (const [field, values] of samples) {
    const m = median(values);
    if (m === undefined) continue;
    timing[field] = Math.round(m);
    measured.push(field);
  }
  // The wait for the node measured the services' start too.
  if (measured.includes('rebootSeconds')) timing.servicesStartSeconds = 0;
  return { timing, measured: measured.sort(), runs };
}
