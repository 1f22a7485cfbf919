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
  /** The whole cluster is stopped while the task runs (offline-update): said if an install runs past its limit. */
  readonly clusterStopped?: boolean;
}

/** What the flow keeps as it is while an install runs on `node`, as an overdue install's warning says it. */
function whatWaits(node: string, task: TaskSpec, options: TaskOptions): string {
  if (task.mode === 'PreInstall') return `the run waits for it before ${node}'s maintenance window, so that no second install starts beside it`;
  if (options.clusterStopped === true) return `the cluster stays stopped and ${node} is not restarted until it ends, so that nothing it installs is cut by a restart`;
  if (!options.requireDrained) return `${node} is not restarted until it ends, so that nothing it installs is cut by a restart`;
  const kept = options.allowUndrained !== undefined ? 'paused' : 'drained and paused';
  return `${node} stays ${kept} until it ends, so that nothing it installs runs under load or is cut by a restart`;
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
  let status = await awaitTask(ctx, node, task, timeoutMs, whatWaits(node, task, options));
  if (status.state === 'NotFound' && options.resume) {
    // The task never started before the crash: nothing was installed by it.
    status = { state: 'Completed', results: [], rebootRequired: false };
  }
  if (options.journaled) ctx.journal.step(node, options.attempt, { step: 'task-finished', round: task.round, taskId: task.taskId, state: status.state, results: status.results });
  return status;
}

/**
 * How long past its start cauctl still waits for an install that ran over its limit: the Task Scheduler stops
 * cauctl's tasks at 12 hours (ExecutionTimeLimit in cauctl-helpers.ps1), after which the task reads as ended.
 */
const INSTALL_WAIT_CEILING_MS = 12 * 60 * 60_000 + 15 * 60_000;

async function awaitTask(ctx: StepContext, node: string, task: TaskSpec, timeoutMs: number, waiting: string): Promise<UpdateTaskStatus> {
  const started = ctx.clock.now();
  const limit = started + timeoutMs;
  // A download may be left running (the install downloads again); an install is never left behind: the node
  // would serve, restart or install again with it under way. Past its limit the step waits on, said once.
  const deadline = task.mode === 'Download' ? limit : Math.max(limit, started + INSTALL_WAIT_CEILING_MS);
  let overdueSaid = false;
  for (;;) {
    const timeoutSeconds = Math.min(StepTimings.longPollSeconds, Math.max(0, Math.ceil(remainingMs(ctx, deadline) / 1000)));
    const status = await ctx.gateway.call(node, 'wait-update-task', { taskId: task.taskId, timeoutSeconds }, { retry: { untilMs: deadline } });
    if (status.state !== 'Running') return status;
    if (ctx.clock.now() >= deadline) {
      return { ...status, state: 'Failed', message: `the task ran longer than ${Math.round((deadline - started) / 60_000)} min` };
    }
    if (ctx.clock.now() >= limit && !overdueSaid) {
      overdueSaid = true;
      ctx.notice?.({ code: 'InstallOverdue', node, message: overdueMessage(node, task, Math.round(timeoutMs / 60_000), waiting) });
    }
    await ctx.heartbeat();
  }
}

function overdueMessage(node: string, task: TaskSpec, limitMinutes: number, waiting: string): string {
  const stop = `Stop-ScheduledTask -TaskPath '\\cauctl\\' -TaskName 'cauctl-${task.taskId}'`;
  return `The ${task.mode === 'PreInstall' ? 'pre-install' : 'install'} on ${node} has run past its limit of ${limitMinutes} min and is still running: ${waiting}. The Task Scheduler ends it at 12 hours; to end it sooner, stop it on ${node} (${stop}) and the run reads it as failed.`;
}
