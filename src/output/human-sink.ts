/**
 * Human progress on stderr. On a TTY, one spinner shows the phases under way and each finished phase is
 * printed as a line; off a TTY, plain lines stamped with the local time and zone. A restart (the `reboot`
 * phase, then `wait-node` until the node is back) is one `restart` line with its whole duration. Results go to
 * stdout elsewhere.
 */
import { hostTimeZone } from '../platform/zone.js';
import type { OutStream } from './stream.js';
import type { EventSink, NodePhase, RunEvent } from '../core/events.js';
import { formatAttempt, formatDuration, formatTime, plural } from './format.js';
import { terminalWidth } from './table.js';
import { lineSafe } from './sanitize.js';
import type { Theme } from './theme.js';
import { wrapText } from './wrap.js';

/** The part of an ora spinner we use, so tests can pass a fake. */
export interface Spinner {
  text: string;
  start(): unknown;
  stop(): unknown;
  readonly isSpinning: boolean;
}

export type SpinnerFactory = (stream: OutStream) => Spinner;

/** What a person calls a phase: the restart and the wait for the node to come back are one step. */
export function phaseWord(phase: NodePhase | string): string {
  return phase === 'reboot' || phase === 'wait-node' ? 'restart' : phase;
}

/** What a person calls an offline update's cluster-wide step. */
export function clusterStepWord(step: string): string {
  const words: Record<string, string> = {
    stage: 'staging',
    'disks-offline': 'virtual disks offline',
    'stop-cluster': 'cluster stop',
    'services-disabled': 'cluster service disabled',
    update: 'install on every node',
    restore: 'restore',
    'services-automatic': 'cluster service back to Automatic',
    'start-cluster': 'cluster start',
    quorum: 'quorum wait',
    'disks-online': 'virtual disks online',
    watch: 'storage watch',
  };
  return words[step] ?? step;
}

/** `(attempt 2)` from the second attempt on; the first is not worth a word. */
function attemptNote(attempt: number): string {
  return attempt > 1 ? ` (${formatAttempt(attempt)})` : '';
}

/**
 * The line an event reads as, or undefined for an event that prints nothing by itself (a phase that starts,
 * the `reboot` half of a restart). `restartSeconds`: how long the restart's `reboot` half took, given with the
 * `wait-node` that completes it.
 */
export function describeEvent(event: RunEvent, theme: Theme, restartSeconds = 0): string | undefined {
  switch (event.type) {
    case 'run-started':
      return `${event.resumed ? 'Resuming' : 'Starting'} run ${event.runId} on ${event.clusterName}: ${event.nodes.join(' → ')}`;
    case 'preflight':
      return `preflight ${event.check}: ${event.ok ? theme.ok('ok') : theme.err('failed')} (${event.detail})`;
    case 'phase-started':
      return undefined;
    case 'phase-completed':
      if (event.phase === 'reboot') return undefined;
      return `${event.node}  ${phaseWord(event.phase)} done in ${formatDuration(event.durationSeconds + (event.phase === 'wait-node' ? restartSeconds : 0))}${event.detail ? ` (${event.detail})` : ''}`;
    case 'attempt-failed':
      return theme.warn(`${event.node}  ${formatAttempt(event.attempt)} failed in ${phaseWord(event.phase)}: ${event.message}${event.willRetry ? ' — retrying' : ''}`);
    case 'node-completed':
      return `${event.node}  ${theme.status(event.status)} after ${plural(event.attempts, 'attempt')}: ${event.numberOfSucceededUpdates} updated, ${event.numberOfFailedUpdates} failed`;
    case 'storage-progress':
      return undefined;
    case 'cluster-step-started':
      return `cluster  ${clusterStepWord(event.step)} started`;
    case 'cluster-step-completed':
      return `cluster  ${clusterStepWord(event.step)} done in ${formatDuration(event.durationSeconds)}`;
    case 'warning':
      return theme.warn(`warning: ${event.node ? `${event.node}: ` : ''}${event.message}`);
    case 'run-halted':
      return theme.err(`run halted (${event.code}): ${event.message}`);
    case 'run-completed':
      return `run ${theme.status(event.status)}${event.errorCode ? ` (${event.errorCode})` : ''}`;
  }
}

export interface HumanSinkOptions {
  /** IANA zone of the times on plain lines. @default this host's zone */
  readonly timeZone?: string;
}

export class HumanSink implements EventSink {
  private readonly active = new Map<string, string>();
  /** Per node: how long the `reboot` half of the restart under way took. */
  private readonly rebootSeconds = new Map<string, number>();
  private readonly spinner: Spinner | undefined;
  private readonly timeZone: string;

  constructor(
    private readonly stream: OutStream,
    private readonly theme: Theme,
    spinnerFactory?: SpinnerFactory,
    options: HumanSinkOptions = {},
  ) {
    this.spinner = stream.isTTY && spinnerFactory ? spinnerFactory(stream) : undefined;
    this.timeZone = options.timeZone ?? hostTimeZone();
  }

  emit(event: RunEvent): void {
    let restartSeconds = 0;
    if (event.type === 'phase-started') {
      this.active.set(`${event.node}/${event.phase}`, `${event.node} ${phaseWord(event.phase)}${attemptNote(event.attempt)}`);
      // The restart's line starts with its `reboot` half; `wait-node` goes on with it.
      if (this.spinner === undefined && event.phase !== 'wait-node') this.stream.write(`${this.stamp(event)}  ${event.node}  ${phaseWord(event.phase)} started${attemptNote(event.attempt)}\n`);
    } else if (event.type === 'phase-completed') {
      this.active.delete(`${event.node}/${event.phase}`);
      if (event.phase === 'reboot') this.rebootSeconds.set(event.node, event.durationSeconds);
      if (event.phase === 'wait-node') {
        restartSeconds = this.rebootSeconds.get(event.node) ?? 0;
        this.rebootSeconds.delete(event.node);
      }
    } else if (event.type === 'attempt-failed') {
      this.rebootSeconds.delete(event.node);
    }
    const line = describeEvent(event, this.theme, restartSeconds);
    if (line !== undefined) this.print(this.spinner ? line : `${this.stamp(event)}  ${line}`);
    this.refresh();
  }

  private stamp(event: RunEvent): string {
    return formatTime(event.time, this.timeZone);
  }

  private print(line: string): void {
    const spinning = this.spinner?.isSpinning === true;
    if (spinning) this.spinner!.stop();
    // On a terminal a long line wraps as a paragraph within its width; off it, a line stays one record.
    const safe = lineSafe(line);
    this.stream.write(`${this.stream.isTTY ? wrapText(safe, terminalWidth(this.stream.columns, {})) : safe}\n`);
    if (spinning) this.spinner!.start();
  }

  private refresh(): void {
    if (this.spinner === undefined) return;
    if (this.active.size === 0) {
      if (this.spinner.isSpinning) this.spinner.stop();
      return;
    }
    const list = [...this.active.values()];
    // ora draws on the raw stderr: node names are made terminal-safe here.
    this.spinner.text = lineSafe(list.length > 3 ? `${list.slice(0, 3).join(', ')} and ${list.length - 3} more` : list.join(', '));
    if (!this.spinner.isSpinning) this.spinner.start();
  }

  close(): void {
    if (this.spinner?.isSpinning) this.spinner.stop();
  }
}

/** `--output ndjson`: one event per line on stdout, as it happens. */
export class NdjsonSink implements EventSink {
  constructor(private readonly stream: OutStream) {}

  emit(event: RunEvent): void {
    this.stream.write(`${JSON.stringify(event)}\n`);
  }
}
