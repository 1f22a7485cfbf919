/** The body of `cauctl get-run`. Polls in real time: the run it watches may live in another process. */
import { existsSync } from 'node:fs';
import { LOCK_PROPERTY, STOP_PROPERTY } from '../../core/cluster-lock.js';
import { readRunView, type RunView } from '../../core/run-state.js';
import { ExitCode, usageError } from '../../errors.js';
import { journalPath, readJournal } from '../../journal/journal.js';
import { renderTable } from '../../output/table.js';
import type { CommandEnv } from '../command-env.js';
import { isProcessAlive, openCluster, type ClusterContext } from '../context.js';
import type { GlobalProfile } from '../global-options.js';

export interface GetRunOptions {
  readonly waitForStart: boolean;
  readonly waitForCompletion: boolean;
  readonly showClusterNodeState: boolean;
}

/** Real-time poll interval while waiting. */
const POLL_MS = 500;

export function readView(ctx: ClusterContext): Promise<RunView> {
  return readRunView({
    gateway: ctx.gateway,
    entry: ctx.entry,
    owner: ctx.owner,
    isProcessAlive,
    nowWallMs: ctx.wallClock.now(),
    localJournal: (runId) => {
      const path = journalPath(ctx.stateDir, ctx.entry, runId);
      return existsSync(path) ? readJournal(path) : undefined;
    },
  });
}

function printView(view: RunView, env: CommandEnv, ctx: ClusterContext): void {
  if (view.runState === 'RunNotInProgress') {
    env.io.stdout.write(`RunNotInProgress: no cauctl run is in progress on ${ctx.entry}.\n`);
    return;
  }
  env.io.stdout.write(`${view.runState}: run ${view.runId} started ${view.runStartTime} by ${view.currentOrchestrator}${view.stopRequested ? ' — stop requested' : ''} (from the ${view.source === 'journal' ? 'local journal' : 'cluster lock'})\n`);
  if (view.detail) env.io.stdout.write(`  ${view.detail}\n`);
  if (view.currentNode) env.io.stdout.write(`  current: ${view.currentNode} — ${view.currentPhase}\n`);
  const rows = view.nodeStatusNotifications.map((n) => [n.node, ctx.theme.status(n.status), n.timestamp]);
  if (rows.length > 0) env.io.stdout.write(renderTable(['Node', 'Status', 'Since'], rows, { tty: env.io.stdout.isTTY }));
}

export async function runGetRunCommand(options: GetRunOptions, globals: GlobalProfile, env: CommandEnv): Promise<number> {
  const chosen = [options.waitForStart, options.waitForCompletion, options.showClusterNodeState].filter(Boolean).length;
  if (chosen > 1) throw usageError('USAGE_CONFLICT', '--wait-for-start, --wait-for-completion and --show-cluster-node-state conflict: choose one.');
  const ctx = await openCluster(globals, env.io, { readOnly: true });
  const json = globals.output !== 'human';
  const emit = (view: RunView): void => {
    if (json) env.io.stdout.write(`${JSON.stringify({ schemaVersion: 1, ...view })}\n`);
    else printView(view, env, ctx);
  };
  try {
    if (options.showClusterNodeState) {
      const cluster = await ctx.gateway.call(ctx.entry, 'get-cluster', {});
      const lock = await ctx.gateway.call(ctx.entry, 'get-cluster-property', { name: LOCK_PROPERTY });
      const stop = await ctx.gateway.call(ctx.entry, 'get-cluster-property', { name: STOP_PROPERTY });
      if (json) {
        env.io.stdout.write(`${JSON.stringify({ schemaVersion: 1, nodes: cluster.nodes, nativeCauRunInProgress: cluster.nativeCauRunInProgress, lockProperty: lock.value, stopRequestProperty: stop.value }, null, 2)}\n`);
      } else {
        env.io.stdout.write(renderTable(['Node', 'State', 'Drain', 'Roles'], cluster.nodes.map((n) => [n.name, n.state, n.drainStatus, String(n.roles.length)]), { tty: env.io.stdout.isTTY }));
        env.io.stdout.write(`native CAU run in progress: ${cluster.nativeCauRunInProgress ? 'yes' : 'no'}\n${LOCK_PROPERTY}: ${lock.value ?? '(none)'}\n${STOP_PROPERTY}: ${stop.value ?? '(none)'}\n`);
      }
      return ExitCode.ok;
    }
    let view = await readView(ctx);
    if (options.waitForStart) {
      while (view.runState !== 'RunInProgress') {
        await ctx.wallClock.sleep(POLL_MS);
        view = await readView(ctx);
      }
      emit(view);
      return ExitCode.ok;
    }
    if (!options.waitForCompletion) {
      if (json) env.io.stdout.write(`${JSON.stringify({ schemaVersion: 1, ...view }, null, 2)}\n`);
      else printView(view, env, ctx);
      return ExitCode.ok;
    }
    let last = '';
    for (;;) {
      const text = JSON.stringify(view);
      if (text !== last) {
        emit(view);
        last = text;
      }
      if (view.runState !== 'RunInProgress') return ExitCode.ok;
      await ctx.wallClock.sleep(POLL_MS);
      view = await readView(ctx);
    }
  } finally {
    await ctx.close();
  }
}
