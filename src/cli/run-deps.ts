/**
 * What every command that drives a rolling run builds the same way: the progress sinks for the chosen output
 * (spinner or plain lines on stderr, NDJSON on stdout) and the coordinator's dependencies from the cluster
 * context.
 */
import type { CoordinatorDeps, StopSwitch } from '../core/coordinator.js';
import type { RunJournal } from '../journal/journal.js';
import type { EventSink } from '../core/events.js';
import type { RunPlan } from '../core/plan.js';
import { HumanSink, NdjsonSink } from '../output/human-sink.js';
import { LiveView, type Ticker } from '../output/live-view.js';
import { RunBoard, RunBoardAfterScan, type BoardMode } from '../output/run-board.js';
import { terminalWidth } from '../output/table.js';
import { hostTimeZone } from '../platform/zone.js';
import type { CommandEnv } from './command-env.js';
import { isProcessAlive, type ClusterContext } from './context.js';
import type { GlobalProfile } from './global-options.js';

/** Real seconds a coordinator's lock lives without a heartbeat. */
export const LEASE_SECONDS = 300;

export interface ProgressSinks {
  readonly sinks: EventSink[];
  /** Stops spinners and draws the live view's last frame; call before printing results. Safe to call twice. */
  close(): void;
  /** A notice for the person watching (an interrupt), on stderr, above the live view when there is one. */
  say(text: string): void;
  /** The finish predicted now (run clock, ms), from the plan or board given; for the lock (get-run elsewhere). */
  readonly predictedEnd?: () => number | undefined;
  /**
   * With `planAfterScan` and no plan given: takes the run's plan (and its mode, for a run that takes several
   * nodes out of service at once) once its own scan is done, and predictedEnd predicts from it from then on.
   */
  readonly adoptPlan?: (plan: RunPlan, mode?: BoardMode) => void;
}

/** Real time between a terminal view's redraws; unref'd, so it never keeps the process alive by itself. */
export const realTicker: Ticker = (ms, fn) => {
  const timer = setInterval(fn, ms);
  timer.unref();
  return () => clearInterval(timer);
};

/**
 * The sinks for the chosen output. With a `plan` (a run this process coordinates; with its `mode` when it takes
 * several nodes out of service at once) or a `board` made for the flow (an offline update), a person at a terminal
 * gets the live view, which predicts the finish from it; otherwise the spinner and its lines, or plain stamped
 * lines. With `planAfterScan` instead (a run with no plan at its start), the finish is predicted once the run
 * gives its plan (`adoptPlan`), for watchers elsewhere.
 */
export async function createProgressSinks(
  globals: GlobalProfile,
  env: CommandEnv,
  ctx: ClusterContext,
  live: { plan?: RunPlan; mode?: BoardMode; board?: RunBoard; planAfterScan?: boolean } = {},
): Promise<ProgressSinks> {
  const humans: HumanSink[] = [];
  const sinks: EventSink[] = [];
  const stderr = env.io.stderr;
  const planned = live.board ?? (live.plan !== undefined ? new RunBoard(ctx.theme, live.plan, live.mode) : undefined);
  if (globals.output === 'human' && stderr.isTTY && planned !== undefined) {
    const view = new LiveView({
      stream: stderr,
      theme: ctx.theme,
      board: planned,
      now: () => ctx.clock.now(),
      ticker: realTicker,
      zone: hostTimeZone(),
      size: () => ({ width: terminalWidth(stderr.columns, env.io.env), rows: stderr.rows }),
    });
    return { sinks: [view], close: () => view.close(), say: (text) => view.say(text), predictedEnd: () => view.board.predictedEndMs(ctx.clock.now()) };
  }
  // Off the live view the run still predicts its finish from its plan, for watchers elsewhere (get-run).
  const afterScan = planned === undefined && live.planAfterScan === true ? new RunBoardAfterScan(ctx.theme) : undefined;
  const board = planned ?? afterScan;
  if (board !== undefined) sinks.push({ emit: (event) => board.apply(event) });
  const predictedEnd = board === undefined ? {} : { predictedEnd: () => board.predictedEndMs(ctx.clock.now()) };
  if (globals.output === 'human') {
    const spinnerFactory = env.io.stderr.isTTY ? (await import('./spinner.js')).oraSpinnerFactory : undefined;
    const human = new HumanSink(env.io.stderr, ctx.theme, spinnerFactory);
    humans.push(human);
    sinks.push(human);
  } else if (globals.output === 'ndjson') {
    sinks.push(new NdjsonSink(env.io.stdout));
  }
  return {
    sinks,
    ...predictedEnd,
    ...(afterScan !== undefined ? { adoptPlan: (plan: RunPlan, mode?: BoardMode) => afterScan.plan(plan, mode) } : {}),
    close: () => humans.forEach((h) => h.close()),
    say: (text) => {
      humans.forEach((h) => h.close());
      stderr.write(text);
    },
  };
}

/**
 * The coordinator's dependencies. `planAfterScan` (a run with no plan at its start): the gateway that keeps the
 * run's preflight read, and the hook that plans from the run's scan (commands/run/own-scan-plan.ts).
 */
export function coordinatorDeps(
  ctx: ClusterContext,
  run: {
    sink: EventSink;
    journal: RunJournal;
    stop: StopSwitch;
    runId: string;
    predictedEnd?: (() => number | undefined) | undefined;
    planAfterScan?: Required<Pick<CoordinatorDeps, 'gateway' | 'onScanCompleted'>> | undefined;
  },
): CoordinatorDeps {
  return {
    gateway: run.planAfterScan?.gateway ?? ctx.gateway,
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
    ...(run.predictedEnd ? { predictedEnd: run.predictedEnd } : {}),
    ...(run.planAfterScan ? { onScanCompleted: run.planAfterScan.onScanCompleted } : {}),
  };
}
