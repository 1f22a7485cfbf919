/**
 * What the live run view shows, as data: each node done, current or waiting (with its result, or its phase and
 * when that phase began), the retries and the failure budget, the storage resync under way, the last events,
 * and the predicted finish. Fed by the run's events (`run`) or by the run's published state (`get-run`).
 * The prediction starts from the plan (core/plan.ts) and moves as phases end: each finished phase takes its
 * planned seconds off what is left, a retry puts the node's phases back, and a phase that overruns its plan
 * pushes the finish out. A run in a mode (`--max-concurrent-nodes`, `--pre-install`: core/mode-plan.ts) is predicted
 * as it runs: the canary's window, the pre-install of the others side by side, then each group of nodes out of
 * service together as long as its longest window. Pure: times come in with the events and as `nowMs`. Depends on
 * core's plan and event types and on output/ only.
 */
import type { NodePhase, RunEvent, RunStatus } from '../core/events.js';
import type { ModePrediction } from '../core/mode-plan.js';
import type { RunPlan } from '../core/plan.js';
import { describeEvent, phaseWord } from './human-sink.js';
import type { Theme } from './theme.js';

/** How many events the view keeps. */
export const RECENT_EVENTS = 5;

export interface BoardNode {
  readonly node: string;
  state: 'waiting' | 'current' | 'done';
  /** The node's result, once done. */
  status?: RunStatus | string;
  phase?: NodePhase | string;
  phaseStartMs?: number;
  /** Whether that phase is still under way (it has not completed). */
  phaseOpen?: boolean;
  attempt: number;
  /** When its first phase began, and when it ended, for the time it took. */
  startMs?: number;
  endMs?: number;
  updatesOk?: number;
  updatesFailed?: number;
  /** Seconds the plan gives this node. */
  plannedSeconds?: number;
}

export interface ResyncProgress {
  readonly node: string;
  readonly percentComplete: number;
  readonly bytesLeft: number;
}

/** The statuses a node ends with, as opposed to the phase it is in. */
const RESULTS: ReadonlySet<string> = new Set(['Succeeded', 'PartiallyFailed', 'Failed', 'Canceled']);

/** What a run publishes for watchers on other hosts (get-run): no events, each node's latest status and since when. */
export interface PublishedRun {
  readonly clusterName: string;
  readonly runId: string;
  readonly startTime: string | null;
  readonly currentNode: string | null;
  readonly stopRequested: boolean;
  /** The finish the run predicts (ISO-8601), when it has a plan. */
  readonly predictedEndTime?: string | null;
  /** Every node in the run's order; `status` is its phase while under way, its result once done. */
  readonly nodes: ReadonlyArray<{ readonly node: string; readonly status: string; readonly since: string | null }>;
}

/**
 * One planned step: a phase of a node (or of the whole run, before the first drain), or a cluster-wide step of
 * an offline update (`cluster`: Stop-Cluster, the update of every node at once, Start-Cluster...), with its seconds.
 */
interface Step {
  readonly node: string | null;
  readonly phase: NodePhase | string;
  readonly seconds: number;
  readonly cluster?: boolean;
  done: boolean;
  /** The node's first install, done by its pre-install (--pre-install) rather than in its window, while it is. */
  byPreInstall?: boolean;
}

/**
 * How a run in a mode takes its nodes out of service (mode-plan.ts's prediction): the canary alone first, then the
 * pre-install of the others (`preInstallConcurrency` at a time, all when absent), then the groups in order.
 */
export interface BoardMode {
  readonly canary: ModePrediction['canary'];
  readonly groups: ReadonlyArray<{ readonly nodes: readonly string[] }>;
  readonly preInstallConcurrency?: number;
}

/** Phases a node of a group goes through before the group's first drains meet (the coordinator's barrier). */
const BEFORE_BARRIER: ReadonlySet<string> = new Set(['pre-script', 'drain']);

/** An offline update's plan: its cluster-wide steps in order, with their planned seconds. */
export interface ClusterStepPlan {
  readonly clusterName: string;
  readonly nodes: readonly string[];
  readonly steps: ReadonlyArray<{ readonly step: string; readonly seconds: number }>;
}

export class RunBoard {
  clusterName = '';
  runId = '';
  startMs: number | undefined;
  endMs: number | undefined;
  status: string | undefined;
  readonly nodes: BoardNode[] = [];
  /** Whole-node retries so far (an attempt that failed and is tried again). */
  retries = 0;
  maxFailedNodes: number | undefined;
  resync: ResyncProgress | undefined;
  stopRequested = false;
  /** The offline update's cluster-wide step under way, and since when. */
  clusterStep: { readonly step: string; readonly startMs: number } | undefined;
  /** The finish a run elsewhere predicted and published (get-run), when the board has no plan of its own. */
  publishedEndMs: number | undefined;
  readonly events: Array<{ readonly ms: number; readonly text: string }> = [];
  private readonly steps: Step[] = [];
  /** The prediction's anchor: at `anchorMs`, the planned steps not done yet were what was left. */
  private anchorMs: number | undefined;
  /** The `reboot` half of each node's restart, given with the `wait-node` that completes it. */
  private readonly rebootSeconds = new Map<string, number>();
  /** Nodes drained in their attempt and not installing yet: a rescan of theirs now comes before the install. */
  private readonly drainedNotInstalled = new Set<string>();
  /** The run's mode; undefined for a serial run, predicted as the sum of what is left. */
  private readonly mode: BoardMode | undefined;
  /** Nodes whose window is under way: out of service, or about to be, until their result. */
  private readonly inWindow = new Set<string>();
  /**
   * The group out of service now: the nodes whose windows began since none was under way. It is forming until
   * one of them is past the drains (the coordinator starts every member before any installs or restarts).
   */
  private group: { readonly nodes: string[]; formed: boolean } | undefined;
  /** Set when a group did not come out as planned: the nodes still waiting go in groups of this size instead. */
  private regroupSize: number | undefined;

  constructor(
    readonly theme: Theme,
    plan?: RunPlan,
    mode?: BoardMode,
  ) {
    if (plan === undefined) return;
    this.clusterName = plan.clusterName;
    this.maxFailedNodes = plan.maxFailedNodes;
    this.mode = mode;
    for (const p of plan.preflight) this.steps.push({ node: null, phase: p.phase, seconds: p.seconds, done: false });
    for (const n of plan.nodes) {
      this.nodes.push({ node: n.node, state: 'waiting', attempt: 0, plannedSeconds: n.seconds });
      // Under --pre-install every node after the canary installs while it serves: its first install becomes its
      // pre-install, and its window holds the rest (mode-plan.ts's windows).
      const firstInstall = mode?.canary != null && n.node !== mode.canary ? n.phases.find((p) => p.phase === 'install') : undefined;
      if (firstInstall !== undefined) this.steps.push({ node: n.node, phase: 'pre-install', seconds: firstInstall.seconds, done: false });
      for (const p of n.phases) this.steps.push({ node: n.node, phase: p.phase, seconds: p.seconds, done: p === firstInstall, ...(p === firstInstall ? { byPreInstall: true } : {}) });
    }
  }

  /** The board of an offline update: its nodes all at once, the prediction from its cluster-wide steps. */
  static forClusterSteps(theme: Theme, plan: ClusterStepPlan): RunBoard {
    const board = new RunBoard(theme);
    board.clusterName = plan.clusterName;
    for (const n of plan.nodes) board.node(n);
    for (const s of plan.steps) board.steps.push({ node: null, phase: s.step, seconds: s.seconds, cluster: true, done: false });
    return board;
  }

  /** Cluster-wide steps an interrupted offline update did before it was resumed: nothing of them is left. */
  clusterStepsDone(steps: readonly string[]): void {
    for (const s of this.steps) if (s.cluster === true && steps.includes(String(s.phase))) s.done = true;
  }

  /**
   * The board of a run watched from elsewhere: done, current or waiting from each node's published status, and
   * the nodes' latest changes as the recent events. It has no plan, so it predicts no finish.
   */
  static fromPublished(theme: Theme, run: PublishedRun): RunBoard {
    const board = new RunBoard(theme);
    board.clusterName = run.clusterName;
    board.runId = run.runId;
    board.stopRequested = run.stopRequested;
    if (run.predictedEndTime !== undefined && run.predictedEndTime !== null) board.publishedEndMs = Date.parse(run.predictedEndTime);
    if (run.startTime !== null) board.startMs = Date.parse(run.startTime);
    for (const n of run.nodes) {
      const row = board.node(n.node);
      const since = n.since === null ? undefined : Date.parse(n.since);
      if (RESULTS.has(n.status)) Object.assign(row, { state: 'done', status: n.status, endMs: since });
      else if (n.node === run.currentNode) Object.assign(row, { state: 'current', phase: n.status, phaseStartMs: since, phaseOpen: true });
    }
    const changes = run.nodes.filter((n) => n.since !== null && n.status !== 'Waiting').sort((a, b) => Date.parse(a.since!) - Date.parse(b.since!));
    for (const n of changes.slice(-RECENT_EVENTS)) board.events.push({ ms: Date.parse(n.since!), text: `${n.node}  ${RESULTS.has(n.status) ? theme.status(n.status) : phaseWord(n.status)}` });
    return board;
  }

  /** The latest time the board knows of: what a watcher elsewhere takes for now when its clock is not the run's. */
  latestMs(): number | undefined {
    const times = [this.startMs, ...this.nodes.flatMap((n) => [n.phaseStartMs, n.endMs]), ...this.events.map((e) => e.ms)].filter((t): t is number => t !== undefined && Number.isFinite(t));
    return times.length > 0 ? Math.max(...times) : undefined;
  }

  /** Whether the board predicts a finish: it was given a plan. */
  get planned(): boolean {
    return this.steps.length > 0;
  }

  node(name: string): BoardNode {
    let row = this.nodes.find((n) => n.node === name);
    if (row === undefined) {
      row = { node: name, state: 'waiting', attempt: 0 };
      this.nodes.push(row);
    }
    return row;
  }

  /** `2/4`: the node under way (or the last one done) among all. */
  position(): { readonly at: number; readonly of: number } {
    const current = this.nodes.findIndex((n) => n.state === 'current' && n.phase !== 'scan' && n.phase !== 'stage');
    const done = this.nodes.filter((n) => n.state === 'done').length;
    return { at: current >= 0 ? done + 1 : done, of: this.nodes.length };
  }

  /** Planned seconds not done yet. */
  private remainingSeconds(): number {
    return this.steps.reduce((s, step) => s + (step.done ? 0 : step.seconds), 0);
  }

  /**
   * The predicted end (ms), or undefined without a plan. A phase under way longer than its plan moves the end
   * out by as much; the end of a finished run is its end.
   */
  predictedEndMs(nowMs: number): number | undefined {
    if (this.endMs !== undefined) return this.endMs;
    if (!this.planned) return this.publishedEndMs;
    if (this.anchorMs === undefined) return undefined;
    if (this.mode !== undefined) return this.anchorMs + this.modeRemainingSeconds(this.anchorMs, nowMs) * 1000;
    let overrun = 0;
    if (this.clusterStep !== undefined) {
      const step = this.steps.find((s) => s.cluster === true && !s.done && s.phase === this.clusterStep!.step);
      if (step !== undefined) overrun = (nowMs - this.clusterStep.startMs) / 1000 - step.seconds;
    }
    for (const n of this.nodes) {
      if (n.state !== 'current' || n.phaseOpen !== true || n.phaseStartMs === undefined) continue;
      const step = this.nextStep(n.node, n.phase as NodePhase);
      // The phases of an offline update's nodes are inside its cluster-wide `update` step.
      if (step === undefined && this.steps.some((s) => s.cluster === true)) continue;
      const spent = (nowMs - n.phaseStartMs) / 1000;
      overrun = Math.max(overrun, spent - this.plannedSeconds(step));
    }
    return this.anchorMs + (this.remainingSeconds() + Math.max(0, overrun)) * 1000;
  }

  /**
   * What is left at `anchorMs` in a mode, stage by stage as the run goes: the preflight, the group out of service
   * now (as long as its longest window), the pre-install still to do, and the groups still waiting. Stages done
   * count nothing, so the order in which they are added does not matter.
   */
  private modeRemainingSeconds(anchorMs: number, nowMs: number): number {
    const preflight = this.steps.reduce((sum, s) => sum + (s.node === null && !s.done ? s.seconds : 0), 0);
    const current = this.currentGroup();
    const currentSeconds = Math.max(0, ...current.map((node) => this.windowLeftSeconds(node, anchorMs, nowMs)));
    const waiting = this.nodes.map((n) => n.node).filter((node) => !current.includes(node) && !this.inWindow.has(node) && this.windowLeftSeconds(node, anchorMs, nowMs) > 0);
    const waitingSeconds = this.waitingGroups(waiting).reduce((sum, g) => sum + Math.max(...g.map((node) => this.windowLeftSeconds(node, anchorMs, nowMs))), 0);
    return preflight + currentSeconds + this.preInstallLeftSeconds(anchorMs, nowMs) + waitingSeconds;
  }

  /** The group out of service now; while it forms, with the waiting nodes the plan puts in it (they start next). */
  private currentGroup(): string[] {
    if (this.group === undefined) return [];
    const out = this.group.nodes.filter((node) => this.inWindow.has(node));
    if (this.group.formed) return out;
    const mates = this.plannedGroupOf(this.group.nodes[0]!).filter((node) => !this.group!.nodes.includes(node) && this.node(node).state !== 'done');
    return [...out, ...mates];
  }

  /** The planned group of `node` (the canary's is itself alone); a node in none goes alone. */
  private plannedGroupOf(node: string): readonly string[] {
    if (node === this.mode?.canary) return [node];
    return this.mode?.groups.find((g) => g.nodes.includes(node))?.nodes ?? [node];
  }

  /**
   * The waiting nodes in the groups they will go in: the planned ones (the canary first, alone), or, once a group
   * came out otherwise, groups of that group's size in the run's order. The board cannot judge the groups again
   * (the coordinator does, on the capacity, quorum and storage of the moment, which the board does not see), so it
   * takes the last group the coordinator formed as the best guess of what the cluster allows now.
   */
  private waitingGroups(waiting: readonly string[]): string[][] {
    if (this.regroupSize !== undefined) {
      const size = this.regroupSize;
      return Array.from({ length: Math.ceil(waiting.length / size) }, (_, i) => waiting.slice(i * size, (i + 1) * size));
    }
    const planned = [...(this.mode?.canary != null ? [[this.mode.canary]] : []), ...(this.mode?.groups ?? []).map((g) => [...g.nodes])];
    const groups = planned.map((g) => g.filter((node) => waiting.includes(node))).filter((g) => g.length > 0);
    // A node the plan put in no group (none is expected) goes alone.
    for (const node of waiting) if (!groups.some((g) => g.includes(node))) groups.push([node]);
    return groups;
  }

  /**
   * The seconds left at `anchorMs` of `node`'s window: its planned steps not done, its phase under way counted from
   * the anchor (a phase of a group member often began before another member's phase ended and moved the anchor),
   * and no sooner than now when it runs over its plan.
   */
  private windowLeftSeconds(node: string, anchorMs: number, nowMs: number): number {
    const left = this.steps.reduce((sum, s) => sum + (s.node === node && s.phase !== 'pre-install' && !s.done ? s.seconds : 0), 0);
    const row = this.node(node);
    if (!this.inWindow.has(node) || row.phaseOpen !== true || row.phaseStartMs === undefined || row.phase === 'pre-install') return left;
    return left + this.openPhaseExtraSeconds(this.nextStep(node, row.phase as NodePhase), row.phaseStartMs, anchorMs, nowMs);
  }

  /**
   * What a phase under way since `startMs` adds to its planned seconds, counted from `anchorMs`: less the part of
   * it already spent at the anchor, more its overrun. Never below the part of it still ahead.
   */
  private openPhaseExtraSeconds(step: Step | undefined, startMs: number, anchorMs: number, nowMs: number): number {
    const planned = this.plannedSeconds(step);
    const spent = (nowMs - startMs) / 1000;
    const spentAtAnchor = Math.max(0, (anchorMs - startMs) / 1000);
    return Math.max(planned, spent) - planned - spentAtAnchor;
  }

  /** The pre-install still to do: the ones under way, then the ones not started, `preInstallConcurrency` at a time. */
  private preInstallLeftSeconds(anchorMs: number, nowMs: number): number {
    const left = this.steps.filter((s) => s.phase === 'pre-install' && !s.done);
    if (left.length === 0) return 0;
    const open = left.filter((s) => this.node(s.node!).phase === 'pre-install' && this.node(s.node!).phaseOpen === true);
    const queued = left.filter((s) => !open.includes(s));
    const underWay = Math.max(0, ...open.map((s) => s.seconds + this.openPhaseExtraSeconds(s, this.node(s.node!).phaseStartMs ?? anchorMs, anchorMs, nowMs)));
    const batches = Math.ceil(queued.length / Math.max(1, this.mode?.preInstallConcurrency ?? left.length));
    return underWay + batches * Math.max(0, ...queued.map((s) => s.seconds));
  }

  /** A node starts its window: it joins the group out of service now, or begins the next one. */
  private enterWindow(node: string): void {
    // The pre-install is over once a window after the canary's begins (the run waits for all of it): a node not
    // pre-installed by then (only the Windows Update plug-in's software updates are) installs in its window.
    if (node !== this.mode?.canary) for (const s of this.steps) if (s.phase === 'pre-install' && !s.done) this.installInWindow(s.node!);
    if (this.inWindow.size === 0 || this.group === undefined) this.group = { nodes: [], formed: false };
    this.inWindow.add(node);
    if (!this.group.nodes.includes(node)) this.group.nodes.push(node);
  }

  /**
   * The group is past its drains: every member has started. Whether it came out as planned decides how the
   * waiting nodes are grouped (waitingGroups).
   */
  private groupFormed(): void {
    const group = this.group!;
    group.formed = true;
    const planned = this.plannedGroupOf(group.nodes[0]!).filter((node) => group.nodes.includes(node) || this.node(node).state !== 'done');
    const asPlanned = planned.length === group.nodes.length && planned.every((node) => group.nodes.includes(node));
    this.regroupSize = asPlanned ? undefined : group.nodes.length;
  }

  /** Under --pre-install: `node` installs in its window after all (its pre-install failed, or none was made). */
  private installInWindow(node: string | undefined): void {
    for (const s of this.steps) {
      if (node !== undefined && s.node !== node) continue;
      if (s.phase === 'pre-install') s.done = true;
      if (s.byPreInstall === true) {
        s.byPreInstall = false;
        s.done = false;
      }
    }
  }

  /** The seconds the plan gives the phase under way at `step`: a wait for the node also has its restart's reboot. */
  private plannedSeconds(step: Step | undefined): number {
    if (step === undefined) return 0;
    const before = this.steps[this.steps.indexOf(step) - 1];
    const reboot = step.phase === 'wait-node' && before !== undefined && before.node === step.node && before.phase === 'reboot' && !before.done ? before.seconds : 0;
    return step.seconds + reboot;
  }

  /** The first planned step not done of `node` (null: the whole run's) in `phase`. */
  private nextStep(node: string, phase: NodePhase): Step | undefined {
    const whole = phase === 'scan' || phase === 'stage';
    return this.steps.find((s) => !s.done && s.cluster !== true && s.phase === phase && (whole ? s.node === null : s.node === node));
  }

  /** Marks `step` done, with every step of its node before it (phases the run did not need). */
  private finish(step: Step): void {
    for (const s of this.steps) {
      if (s === step) break;
      if (s.node === step.node) s.done = true;
    }
    step.done = true;
  }

  apply(event: RunEvent): void {
    const ms = Date.parse(event.time);
    this.runId = event.runId;
    switch (event.type) {
      case 'run-started':
        this.clusterName = event.clusterName;
        this.startMs = ms;
        this.anchorMs = ms;
        for (const name of event.nodes) this.node(name);
        break;
      case 'phase-started': {
        const row = this.node(event.node);
        if (event.phase === 'scan' || event.phase === 'stage') {
          if (row.state === 'waiting') Object.assign(row, { phase: event.phase, phaseStartMs: ms });
          break;
        }
        // The run is past its scan and staging once a node is drained.
        for (const s of this.steps) if (s.node === null && s.cluster !== true) s.done = true;
        if (event.phase !== 'pre-install' && !this.inWindow.has(event.node)) this.enterWindow(event.node);
        // A pre-installed node's window has no first install: its rescan is the one after the restart.
        if (event.phase === 'drain' && !this.steps.some((s) => s.node === event.node && s.byPreInstall === true)) this.drainedNotInstalled.add(event.node);
        if (!BEFORE_BARRIER.has(event.phase) && this.group?.formed === false && this.group.nodes.includes(event.node)) this.groupFormed();
        if (event.phase === 'install') this.drainedNotInstalled.delete(event.node);
        row.state = 'current';
        row.phase = event.phase;
        row.phaseStartMs = ms;
        row.phaseOpen = true;
        row.attempt = event.attempt;
        row.startMs ??= ms;
        if (event.phase !== 'resync') this.resync = undefined;
        break;
      }
      case 'phase-completed': {
        const row = this.node(event.node);
        const step = this.nextStep(event.node, event.phase);
        // A retried attempt, and every window of a resumed run, rescans between the drain and the install: that
        // rescan is not the planned one after an install, and takes nothing off what is left.
        const beforeInstall = event.phase === 'rescan' && this.drainedNotInstalled.has(event.node);
        // The run's `reboot` phase is only the restart call: the node is away during `wait-node`, which the plan
        // gives its services' start only. The planned reboot stays ahead until the node is back (the wait-node
        // that follows finishes both), or each restart would take it off at once and put it back as overrun.
        if (step !== undefined && !beforeInstall && event.phase !== 'reboot') this.finish(step);
        if (row.phase === event.phase) row.phaseOpen = false;
        this.anchorMs = ms;
        if (row.state === 'waiting') {
          row.phase = undefined;
          row.phaseStartMs = undefined;
        }
        if (event.phase === 'resync') this.resync = undefined;
        break;
      }
      case 'attempt-failed': {
        // A failed pre-install is the node's first attempt: its window installs instead.
        if (event.phase === 'pre-install') this.installInWindow(event.node);
        if (event.willRetry) {
          this.retries += 1;
          // The node starts over: its phases are ahead again (a pre-install is never done again).
          for (const s of this.steps) if (s.node === event.node && s.phase !== 'pre-install' && s.byPreInstall !== true) s.done = false;
          this.anchorMs = ms;
        }
        break;
      }
      case 'node-completed': {
        const row = this.node(event.node);
        Object.assign(row, { state: 'done', status: event.status, attempt: event.attempts, endMs: ms, updatesOk: event.numberOfSucceededUpdates, updatesFailed: event.numberOfFailedUpdates });
        row.phase = undefined;
        this.drainedNotInstalled.delete(event.node);
        this.inWindow.delete(event.node);
        for (const s of this.steps) if (s.node === event.node) s.done = true;
        this.anchorMs = ms;
        if (this.resync?.node === event.node) this.resync = undefined;
        break;
      }
      case 'run-completed':
        this.endMs = ms;
        this.status = event.status;
        for (const n of this.nodes) if (n.state === 'current') n.state = 'done';
        break;
      case 'cluster-step-started':
        this.clusterStep = { step: event.step, startMs: ms };
        break;
      case 'cluster-step-completed': {
        const step = this.steps.find((s) => s.cluster === true && !s.done && s.phase === event.step);
        if (step !== undefined) this.finish(step);
        this.anchorMs = ms;
        if (this.clusterStep?.step === event.step) this.clusterStep = undefined;
        break;
      }
      case 'storage-progress':
        this.resync = { node: event.node, percentComplete: event.percentComplete, bytesLeft: event.bytesLeft };
        break;
      case 'warning':
        // The canary did not succeed: nothing is pre-installed, every node installs in its window.
        if (event.code === 'PreInstallFallback') this.installInWindow(undefined);
        break;
      case 'preflight':
      case 'run-halted':
        break;
    }
    this.note(event, ms);
  }

  /** Keeps the event's line among the last few, the two halves of a restart as one line. */
  private note(event: RunEvent, ms: number): void {
    let restartSeconds = 0;
    if (event.type === 'phase-completed' && event.phase === 'reboot') this.rebootSeconds.set(event.node, event.durationSeconds);
    if (event.type === 'phase-completed' && event.phase === 'wait-node') {
      restartSeconds = this.rebootSeconds.get(event.node) ?? 0;
      this.rebootSeconds.delete(event.node);
    }
    const text = describeEvent(event, this.theme, restartSeconds);
    if (text === undefined) return;
    this.events.push({ ms, text });
    if (this.events.length > RECENT_EVENTS) this.events.splice(0, this.events.length - RECENT_EVENTS);
  }

  /** Failed nodes so far. */
  failedNodes(): number {
    return this.nodes.filter((n) => n.state === 'done' && n.status === 'Failed').length;
  }
}

/**
 * The board of a run that has its plan only once its scan is known (an unattended run: no what-if before it). The
 * run's events until then are kept and given to the board made from the plan, so that it stands where a board
 * given the plan at the start would. Once the run is past its scan without a plan (none could be made), nothing
 * more is kept and nothing is predicted.
 */
export class RunBoardAfterScan {
  private board: RunBoard | undefined;
  private early: RunEvent[] | undefined = [];

  constructor(private readonly theme: Theme) {}

  apply(event: RunEvent): void {
    if (this.board !== undefined) {
      this.board.apply(event);
      return;
    }
    if (this.early === undefined) return;
    // The plan comes right after the scan, before staging: a later phase means none is coming.
    if (event.type === 'phase-started' && event.phase !== 'scan') {
      this.early = undefined;
      return;
    }
    this.early.push(event);
  }

  /** The run's plan (and mode), made from its scan: the board predicts from it from now on. */
  plan(plan: RunPlan, mode?: BoardMode): void {
    const board = new RunBoard(this.theme, plan, mode);
    for (const event of this.early ?? []) board.apply(event);
    this.early = undefined;
    this.board = board;
  }

  /** The predicted end (ms), or undefined while there is no plan. */
  predictedEndMs(nowMs: number): number | undefined {
    return this.board?.predictedEndMs(nowMs);
  }
}
