/**
 * Human progress on stderr. On a TTY, one spinner shows the phases under way and each finished phase is
 * printed as a line; off a TTY, plain timestamped lines. Results go to stdout elsewhere.
 */
import type { OutStream } from './stream.js';
import type { EventSink, RunEvent } from './events.js';
import type { Theme } from './theme.js';

/** The part of an ora spinner we use, so tests can pass a fake. */
export interface Spinner {
  text: string;
  start(): unknown;
  stop(): unknown;
  readonly isSpinning: boolean;
}

export type SpinnerFactory = (stream: OutStream) => Spinner;

export function formatSeconds(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 90) return `${s}s`;
  const m = Math.floor(s / 60);
  const rest = s % 60;
  return rest === 0 ? `${m}m` : `${m}m${String(rest).padStart(2, '0')}s`;
}

export function describeEvent(event: RunEvent, theme: Theme): string | undefined {
  switch (event.type) {
    case 'run-started':
      return `${event.resumed ? 'Resuming' : 'Starting'} run ${event.runId} on ${event.clusterName}: ${event.nodes.join(' → ')}`;
    case 'preflight':
      return `preflight ${event.check}: ${event.ok ? theme.ok('ok') : theme.err('failed')} (${event.detail})`;
    case 'phase-started':
      return undefined;
    case 'phase-completed':
      return `${event.node}  ${event.phase} done in ${formatSeconds(event.durationSeconds)}${event.detail ? ` (${event.detail})` : ''}`;
    case 'attempt-failed':
      return theme.warn(`${event.node}  attempt ${event.attempt} failed in ${event.phase}: ${event.message}${event.willRetry ? ' — retrying' : ''}`);
    case 'node-completed':
      return `${event.node}  ${theme.status(event.status)} after ${event.attempts} attempt(s): ${event.numberOfSucceededUpdates} updated, ${event.numberOfFailedUpdates} failed`;
    case 'warning':
      return theme.warn(`warning: ${event.node ? `${event.node}: ` : ''}${event.message}`);
    case 'run-halted':
      return theme.err(`run halted (${event.code}): ${event.message}`);
    case 'run-completed':
      return `run ${theme.status(event.status)}${event.errorCode ? ` (${event.errorCode})` : ''}`;
  }
}

export class HumanSink implements EventSink {
  private readonly active = new Map<string, string>();
  private readonly spinner: Spinner | undefined;

  constructor(
    private readonly stream: OutStream,
    private readonly theme: Theme,
    spinnerFactory?: SpinnerFactory,
  ) {
    this.spinner = stream.isTTY && spinnerFactory ? spinnerFactory(stream) : undefined;
  }

  emit(event: RunEvent): void {
    if (event.type === 'phase-started') {
      this.active.set(`${event.node}/${event.phase}`, `${event.node} ${event.phase}${event.attempt > 1 ? ` (attempt ${event.attempt})` : ''}`);
      if (this.spinner === undefined) this.stream.write(`${event.time}  ${event.node}  ${event.phase} started (attempt ${event.attempt})\n`);
    } else if (event.type === 'phase-completed') {
      this.active.delete(`${event.node}/${event.phase}`);
    }
    const line = describeEvent(event, this.theme);
    if (line !== undefined) this.print(this.spinner ? line : `${event.time}  ${line}`);
    this.refresh();
  }

  private print(line: string): void {
    const spinning = this.spinner?.isSpinning === true;
    if (spinning) this.spinner!.stop();
    this.stream.write(`${line}\n`);
    if (spinning) this.spinner!.start();
  }

  private refresh(): void {
    if (this.spinner === undefined) return;
    if (this.active.size === 0) {
      if (this.spinner.isSpinning) this.spinner.stop();
      return;
    }
    const list = [...this.active.values()];
    this.spinner.text = list.length > 3 ? `${list.slice(0, 3).join(', ')} and ${list.length - 3} more` : list.join(', ');
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
