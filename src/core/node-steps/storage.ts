/**
 * The storage wait, written once: long polls of wait-storage-healthy until every repair job is done and every
 * virtual disk and pool is Healthy, or the deadline passes. Used before a drain, after a resume, by
 * single-node maintenance and at the end of the offline update. Depends on the step context only.
 */
import { judgeStorage, type StorageVerdict } from '../policy.js';
import { StepTimings, remainingMs, type StepContext } from './context.js';

/** Waits for healthy storage for at most `timeoutMinutes`; returns the last verdict (never throws for "unhealthy"). */
export async function awaitHealthyStorage(ctx: StepContext, timeoutMinutes: number): Promise<StorageVerdict> {
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
    await ctx.heartbeat();
  }
}
