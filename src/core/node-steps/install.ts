/**
 * installViaTask, written once: Windows Update refuses to download or install from a remote logon, so the
 * work runs in the node's one-shot scheduled task, and the flow long-polls its result file. The start is
 * journaled before it is sent (its taskId makes a repeat harmless), the wait has a deadline, and a dropped
 * connection during the wait is retried by the gateway: it is never reported as a failed install.
 * Depends on the step context only.
 */
import type { UndrainedAllowance, UpdateTaskStatus } from '../../cluster/operations.js';
import type { PluginSpec } from '../types.js';
import { StepTimings, remainingMs, type StepContext } from './context.js';
import { requireDrained } from './drained.js';

export interface TaskSpec {
  readonly spec: PluginSpec;
  /** PreInstall: on a serving node, no restart, Windows Update Software only (run --pre-install). */
  readonly mode: 'Download' | 'Install' | 'PreInstall';
  readonly updateIds: readonly string[];
  /** Unique per run, node, attempt, round and plug-in. */
  readonly taskId: string;
  readonly round: number;
  readonly pluginIndex: number;
}

export interface TaskOptions {
  readonly attempt: number;
  /** The task was started before a crash: only wait for it. */
  readonly resume: boolean;
  /** Install: the node must be drained first (invariant 8). Download, or a stopped cluster: not. */
  readonly requireDrained: boolean;
  /** Invariant 8's exception for this node: the force switch that paused it undrained (see requireDrained). */
  readonly allowUndrained?: UndrainedAllowance;
  /** Write `task-started`/`task-finished` (installs); a download ahead of the drain needs no resume point. */
  readonly journaled: boolean;
  /** @default StepTimings.taskTimeoutMs */
  readonly timeoutMs?: number;
}

/** Starts (or, on resume, rejoins) the task and waits for its end; a task past its deadline reads as Failed. */
export async function installViaTask(ctx: StepContext, node: string, task: TaskSpec, options: TaskOptions): Promise<UpdateTaskStatus> {
  // A script plug-in's manifest says how long its install.ps1 may run (installTimeoutMinutes).
  const timeoutMs = options.timeoutMs ?? (task.spec.script !== undefined ? task.spec.script.installTimeoutMinutes * 60_000 : StepTimings.taskTimeoutMs);
  if (!options.resume) {
    if (options.requireDrained) await requireDrained(ctx, node, 'install', 'updated', options.allowUndrained);
    if (options.journaled) ctx.journal.step(node, options.attempt, { step: 'task-started', round: task.round, taskId: task.taskId, pluginIndex: task.pluginIndex });
    await ctx.gateway.call(node, 'start-update-task', {
      plugin: task.spec.plugin,
      arguments: { ...task.spec.arguments },
      mode: task.mode,
      updateIds: [...task.updateIds],
      taskId: task.taskId,
      // A script plug-in's install.ps1 travels as data; the same SYSTEM task runs it (start-update-task.ps1).
      ...(task.spec.script !== undefined ? { pluginScript: task.spec.script.install } : {}),
    });
  }
  let status = await awaitTask(ctx, node, task.taskId, timeoutMs);
  if (status.state === 'NotFound' && options.resume) {
    // The task never started before the crash: nothing was installed by it.
    status = { state: 'Completed', results: [], rebootRequired: false };
  }
  if (options.journaled) ctx.journal.step(node, options.attempt, { step: 'task-finished', round: task.round, taskId: task.taskId, state: status.state, results: status.results });
  return status;
}

async function awaitTask(ctx: StepContext, node: string, taskId: string, timeoutMs: number): Promise<UpdateTaskStatus> {
  const deadline = ctx.clock.now() + timeoutMs;
  for (;;) {
    const timeoutSeconds = Math.min(StepTimings.longPollSeconds, Math.max(0, Math.ceil(remainingMs(ctx, deadline) / 1000)));
    const status = await ctx.gateway.call(node, 'wait-update-task', { taskId, timeoutSeconds }, { retry: { untilMs: deadline } });
    if (status.state !== 'Running') return status;
    if (ctx.clock.now() >= deadline) {
      return { ...status, state: 'Failed', message: `the task ran longer than ${Math.round(timeoutMs / 60_000)} min` };
    }
    await ctx.heartbeat();
  }
}
