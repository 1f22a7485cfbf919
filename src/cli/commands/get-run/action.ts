/** The body of `cauctl get-run`. Polls in real time: the run it watches may live in another process. */
import { existsSync } from 'node:fs';
import { LOCK_PROPERTY, STOP_PROPERTY } from '../../../core/cluster-lock.js';
import { readRunView, type RunView } from '../../../core/run-state.js';
import { ExitCode, usageError } from '../../../errors.js';
import { journalPath, readJournal } from '../../../journal/journal.js';
import { readClusterSummaries } from '../../../core/run-history.js';
import { formatTime, plural } from '../../../output/format.js';
import { LiveBlock, renderBoard } from '../../../output/live-view.js';
import { RunBoard } from '../../../output/run-board.js';
import { writeResult, type HumanPrinter, type ResultEnv } from '../../../output/result.js';
import { hostTimeZone } from '../../../platform/zone.js';
import type { CommandEnv } from '../../command-env.js';
import { nativeCauUnknown } from '../../native-cau-unknown.js';
import { isProcessAlive, openCluster, resultEnvFor, type ClusterContext } from '../../context.js';
import type { GlobalProfile } from '../../global-options.js';

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

/** One row per node of the run, in the run's order, those not reached yet included (Waiting). */
export interface NodeRow {
  readonly node: string;
  readonly status: string;
  /** When the node got this status; null for a node still waiting. */
  readonly since: string | null;
}

/**
 * The run's nodes in its order: the order the local journal recorded, else the cluster's nodes (a run coordinated
 * from another host carries no order in its lock), with the nodes the view names but the cluster no longer lists.
 */
async function runOrder(runId: string, ctx: ClusterContext): Promise<string[]> {
  const path = journalPath(ctx.stateDir, ctx.entry, runId);
  const started = existsSync(path) ? readJournal(path).find((r) => r.type === 'run-started') : undefined;
  return Array.isArray(started?.order) ? started.order.map(String) : (await ctx.gateway.call(ctx.entry, 'get-cluster', { reportUnreadableNativeCau: true })).nodes.map((n) => n.name);
}

/** `orders` keeps each run's order, read once: --wait-for-completion asks for it on every change. */
async function nodeRows(view: RunView, ctx: ClusterContext, orders: Map<string, string[]>): Promise<NodeRow[]> {
  if (view.runState === 'RunNotInProgress' || view.runId === null) return [];
  const order = orders.get(view.runId) ?? (await runOrder(view.runId, ctx));
  orders.set(view.runId, order);
  const notes = new Map(view.nodeStatusNotifications.map((n) => [n.node, n]));
  const names = [...order, ...[...notes.keys()].filter((n) => !order.includes(n))];
  return names.map((node) => {
    const note = notes.get(node);
    return { node, status: note?.status ?? 'Waiting', since: note?.timestamp ?? null };
  });
}

function printView(view: RunView, nodes: readonly NodeRow[], out: HumanPrinter, entry: string, variant?: GetRunVariant): void {
  if (view.runState === 'RunNotInProgress') {
    out.line(variant ? `RunNotInProgress: ${variant.none}` : `RunNotInProgress: no cauctl run is in progress on ${entry}.`);
    return;
  }
  const zone = hostTimeZone();
  const done = nodes.filter((n) => RESULT_STATUSES.has(n.status)).length;
  out.line(`${view.runState}: run ${view.runId} on ${entry}${view.stopRequested ? ' — stop requested' : ''}`);
  out.line(`  started ${view.runStartTime === null ? 'at an unknown time' : formatTime(view.runStartTime, zone)} by ${view.currentOrchestrator} (from the ${view.source === 'journal' ? 'local journal' : 'cluster lock'})`);
  if (view.detail) out.line(`  ${view.detail}`);
  if (view.runState === 'RunInProgress' && view.predictedEndTime !== null) out.line(`  predicted finish: ${formatTime(view.predictedEndTime, zone)}`);
  out.line(`  ${done} of ${plural(nodes.length, 'node')} done${view.currentNode ? `; current: ${view.currentNode} — ${view.currentPhase}` : ''}`);
  out.table(['Node', 'Status', 'Since'], nodes.map((n) => [n.node, out.theme.status(n.status), n.since === null ? '' : formatTime(n.since, zone)]));
}

/** The statuses a node ends with, as opposed to the phase it is in. */
const RESULT_STATUSES = new Set(['Succeeded', 'PartiallyFailed', 'Failed', 'Canceled']);

/** How long a watcher waits for an ended run's summary to reach the cluster (it is written just after the lock goes). */
const SUMMARY_WAIT_MS = 15_000;

/**
 * How the watched run ended: from the local journal when this host coordinated it, else from the summary the run
 * leaves on the cluster, waited for a little since it is written after the lock is released. Undefined when
 * neither says (a run killed before its end).
 */
async function endedStatus(ctx: ClusterContext, runId: string): Promise<string | undefined> {
  const path = journalPath(ctx.stateDir, ctx.entry, runId);
  const completed = existsSync(path) ? readJournal(path).find((r) => r.type === 'run-completed') : undefined;
  if (typeof completed?.status === 'string') return completed.status;
  for (let waited = 0; waited <= SUMMARY_WAIT_MS; waited += POLL_MS) {
    const summary = (await readClusterSummaries(ctx.gateway, ctx.entry)).find((s) => s.runId === runId);
    if (summary !== undefined) return summary.status;
    await ctx.wallClock.sleep(POLL_MS);
  }
  return undefined;
}

/**
 * Exit code of get-run (its help lists them): 3 when the run it shows failed or was canceled, or its coordinator
 * died holding the lock (RunFailed); 6 when it ended PartiallyFailed; otherwise 0. Only --wait-for-completion
 * sees a run end.
 */
async function exitCodeOf(view: RunView, ctx: ClusterContext, watchedRunId: string | null): Promise<number> {
  if (view.runState === 'RunFailed') return ExitCode.runFailed;
  if (watchedRunId === null || view.runState === 'RunInProgress') return ExitCode.ok;
  const status = await endedStatus(ctx, watchedRunId);
  return status === 'Failed' || status === 'Canceled' ? ExitCode.runFailed : status === 'PartiallyFailed' ? ExitCode.partiallyFailed : ExitCode.ok;
}

/** get-clusterless-run: the same view of a clusterless run, whose lock is in the state directory. */
export interface GetRunVariant {
  readonly open: () => Promise<ClusterContext>;
  /** What "no run" says (RunNotInProgress). */
  readonly none: string;
  /** The command that continues or clears the run, in the view's advice (cauctl run by default). */
  readonly command: string;
}

export async function runGetRunCommand(options: GetRunOptions, globals: GlobalProfile, env: CommandEnv, variant?: GetRunVariant): Promise<number> {
  const chosen = [options.waitForStart, options.waitForCompletion, options.showClusterNodeState].filter(Boolean).length;
  if (chosen > 1) throw usageError('USAGE_CONFLICT', '--wait-for-start, --wait-for-completion and --show-cluster-node-state conflict: choose one.');
  const ctx = variant ? await variant.open() : await openCluster(globals, env.io, { readOnly: true });
  const output = resultEnvFor(globals, env.io);
  // While waiting, each view is one line (JSON lines in --json too), so a pipeline can read them as they come.
  const streamed: ResultEnv = output.format === 'json' ? { ...output, format: 'ndjson' } : output;
  const orders = new Map<string, string[]>();
  const read = async (): Promise<RunView> => {
    const view = await readView(ctx);
    return variant && view.detail ? { ...view, detail: view.detail.replace(/cauctl run /g, `cauctl ${variant.command} `) } : view;
  };
  const write = async (view: RunView, target: ResultEnv): Promise<void> => {
    const nodes = await nodeRows(view, ctx, orders);
    writeResult(target, { schemaVersion: 1, ...view, nodes }, (out) => printView(view, nodes, out, ctx.entry, variant));
  };
  try {
    if (options.showClusterNodeState) {
      // Read-only: an MSFT_CAURun that cannot be read shows as unknown (null in JSON), with why.
      const cluster = await ctx.gateway.call(ctx.entry, 'get-cluster', { reportUnreadableNativeCau: true });
      const lock = await ctx.gateway.call(ctx.entry, 'get-cluster-property', { name: LOCK_PROPERTY });
      const stop = await ctx.gateway.call(ctx.entry, 'get-cluster-property', { name: STOP_PROPERTY });
      const unreadable = typeof cluster.nativeCauUnreadable === 'string' ? cluster.nativeCauUnreadable : null;
      const native = unreadable === null ? { nativeCauRunInProgress: cluster.nativeCauRunInProgress } : { nativeCauRunInProgress: null, nativeCauUnreadable: unreadable };
      const unknown = nativeCauUnknown(cluster);
      if (unknown !== undefined) env.io.stderr.write(`cauctl: warning: ${unknown}\n`);
      writeResult(output, { schemaVersion: 1, nodes: cluster.nodes, ...native, lockProperty: lock.value, stopRequestProperty: stop.value }, (out) => {
        out.table(['Node', 'State', 'Drain', 'Roles'], cluster.nodes.map((n) => [n.name, n.state, n.drainStatus, String(n.roles.length)]));
        out.line(`native CAU run in progress: ${unreadable !== null ? 'unknown (see the warning)' : cluster.nativeCauRunInProgress ? 'yes' : 'no'}`);
        out.line(`${LOCK_PROPERTY}: ${lock.value ?? '(none)'}`);
        out.line(`${STOP_PROPERTY}: ${stop.value ?? '(none)'}`);
      });
      return ExitCode.ok;
    }
    let view = await read();
    if (options.waitForStart) {
      while (view.runState !== 'RunInProgress') {
        await ctx.wallClock.sleep(POLL_MS);
        view = await read();
      }
      await write(view, streamed);
      return ExitCode.ok;
    }
    if (!options.waitForCompletion) {
      await write(view, output);
      return exitCodeOf(view, ctx, null);
    }
    const watched = view.runState === 'RunInProgress' ? view.runId : null;
    // A person at a terminal gets the run's live view, redrawn in place at each poll; the end is printed below it.
    const block = output.format === 'human' && output.stdout.isTTY ? new LiveBlock(output.stdout) : undefined;
    let last = '';
    for (;;) {
      const text = JSON.stringify(view);
      if (block !== undefined && view.runState === 'RunInProgress' && view.runId !== null) {
        const board = RunBoard.fromPublished(output.theme, { ...view, runId: view.runId, clusterName: ctx.entry, startTime: view.runStartTime, nodes: await nodeRows(view, ctx, orders) });
        // The run's clock may be another process's (virtual in a rehearsal): never show a time before what it published.
        const nowMs = Math.max(ctx.clock.now(), board.latestMs() ?? 0);
        block.draw(renderBoard(board, { width: output.width, rows: output.stdout.rows, nowMs, zone: hostTimeZone() }));
      } else if (text !== last) {
        await write(view, streamed);
      }
      last = text;
      if (view.runState !== 'RunInProgress') return exitCodeOf(view, ctx, watched);
      await ctx.wallClock.sleep(POLL_MS);
      view = await read();
    }
  } finally {
    await ctx.close();
  }
}
