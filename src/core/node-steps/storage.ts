/**
 * The storage wait, written once: long polls of wait-storage-healthy until every repair job is done and every
 * virtual disk and pool is Healthy, or the deadline passes. Used before a drain, after a resume, by
 * single-node maintenance and at the end of the offline update. Depends on the step context only.
 */
import type { StorageJob } from '../../cluster/operations.js';
import { judgeStorage, type StorageVerdict } from '../policy.js';
import { StepTimings, remainingMs, type StepContext } from './context.js';

/** How far the repair jobs still running are: percent of their bytes done, and bytes left. */
export interface RepairProgress {
  readonly percentComplete: number;
  readonly bytesLeft: number;
}

/** The repair jobs not yet completed, as one figure; undefined when none is left. */
export function repairProgress(jobs: readonly StorageJob[]): RepairProgress | undefined {
  const running = jobs.filter((j) => j.jobState !== 'Completed');
  if (running.length === 0) return undefined;
  const total = running.reduce((s, j) => s + j.bytesTotal, 0);
  const done = running.reduce((s, j) => s + Math.min(j.bytesProcessed, j.bytesTotal), 0);
  return { percentComplete: total > 0 ? Math.floor((done / total) * 100) : 0, bytesLeft: total - done };
}

/**
 * Waits for healthy storage for at most `timeoutMinutes`; returns the last verdict (never throws for "unhealthy").
 * `onProgress` hears the repair's progress after each poll that found it still running.
 */
export async function awaitHealthyStorage(ctx: StepContext, timeoutMinutes: number, onProgress?: (progress: RepairProgress) => void): Promise<StorageVerdict> {
  const deadline = ctx.clock.now() + timeoutMinutes * 60_000;
  for (;;) {
    const remainingS = Math.ceil(remainingMs(ctx, deadline) / 1000);
    const view = await ctx.gateway.call(
      ctx.entry,
      'wait-storage-healthy',
      { timeoutSeconds: Math.min(remainingS, StepTimings.longPollSeconds), pollSeconds: 5 },
      { retry: { untilMs: deadline } },
    );
    const verdict = judgeStorage(view);
    if (verdict.healthy || ctx.clock.now() >= deadline) return verdict;
    const progress = repairProgress(view.jobs);
    if (progress !== undefined) onProgress?.(progress);
    await ctx.heartbeat();
  }
}
