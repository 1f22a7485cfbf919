/**
 * What every command that drives a rolling run builds the same way: the progress sinks for the chosen output
 * (spinner or plain lines on stderr, NDJSON on stdout) and the coordinator's dependencies from the cluster
 * context.
 */
import type { CoordinatorDeps, StopSwitch } from '../core/coordinator.js';
import type { RunJournal } from '../journal/journal.js';
import type { EventSink } from '../core/events.js';
import { HumanSink, NdjsonSink } from '../output/human-sink.js';
import type { CommandEnv } from './command-env.js';
import { isProcessAlive, type ClusterContext } from './context.js';
import type { GlobalProfile } from './global-options.js';

/** Real seconds a coordinator's lock lives without a heartbeat. */
export const LEASE_SECONDS = 300;

export interface ProgressSinks {
  readonly sinks: EventSink[];
  /** Stops spinners; call before printing results. Safe to call twice. */
  close(): void;
}

export async function createProgressSinks(globals: GlobalProfile, env: CommandEnv, ctx: ClusterContext): Promise<ProgressSinks> {
  const humans: HumanSink[] = [];
  const sinks: EventSink[] = [];
  if (globals.output === 'human') {
    const spinnerFactory = env.io.stderr.isTTY ? (await import('./commands/spinner.js')).oraSpinnerFactory : undefined;
    const human = new HumanSink(env.io.stderr, ctx.theme, spinnerFactory);
    humans.push(human);
    sinks.push(human);
  } else if (globals.output === 'ndjson') {
    sinks.push(new NdjsonSink(env.io.stdout));
  }
  return { sinks, close: () => humans.forEach((h) => h.close()) };
}

export function coordinatorDeps(ctx: ClusterContext, run: { sink: EventSink; journal: RunJournal; stop: StopSwitch; runId: string }): CoordinatorDeps {
  return {
    gateway: ctx.gateway,
    clock: ctx.clock,
    wallClock: ctx.wallClock,
    sink: run.sink,
    journal: run.journal,
    owner: ctx.owner,
    isProcessAlive,
    stop: run.stop,
    newRunId: () => run.runId,
    leaseSeconds: LEASE_SECONDS,
    ...(ctx.sim ? { onHalt: () => ctx.sim!.noteHalt() } : {}),
  };
}
