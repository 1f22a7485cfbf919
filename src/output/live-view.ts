/**
 * The live run view on a terminal: the run board (output/run-board.ts) drawn as a block of lines that is redrawn
 * in place a few times a second, never wider than the terminal and never taller than it (so that moving the
 * cursor back up always reaches the block's first line, and the screen does not scroll). `run` feeds it events;
 * `get-run --wait-for-completion` feeds it the run's published state. Off a terminal nothing here is used.
 * Depends on output/ and core's event and plan types only; the timer comes in as a Ticker.
 */
import type { EventSink, RunEvent } from '../core/events.js';
import type { RunPlan } from '../core/plan.js';
import { formatClock, formatBytes, formatDuration, formatZoneOffset, plural } from './format.js';
import { clusterStepWord, phaseWord } from './human-sink.js';
import { RECENT_EVENTS, RunBoard, type BoardNode } from './run-board.js';
import { lineSafe, terminalSafe } from './sanitize.js';
import type { OutStream } from './stream.js';
import type { Theme } from './theme.js';
import { cutToWidth, visibleWidth } from './wrap.js';

/** Calls `fn` every `ms` of real time until the returned function is called. */
export type Ticker = (ms: number, fn: () => void) => () => void;

/** Real milliseconds between redraws: at most four a second. */
export const REDRAW_MS = 250;
/** Rows assumed when the terminal does not say. */
const DEFAULT_ROWS = 24;

export interface BoardFrame {
  /** Columns and rows of the terminal; no line is wider, and the block keeps one row free. @default rows 24 */
  readonly width: number;
  readonly rows?: number | undefined;
  readonly nowMs: number;
  readonly zone: string;
}

function nodeLine(n: BoardNode, board: RunBoard, nameWidth: number, frame: BoardFrame): string {
  const theme = board.theme;
  const name = n.node.padEnd(nameWidth);
  if (n.state === 'done') {
    const took = n.startMs !== undefined && n.endMs !== undefined ? ` · ${formatDuration((n.endMs - n.startMs) / 1000)}` : '';
    const updates = n.updatesOk !== undefined ? ` · ${n.updatesOk} updated, ${n.updatesFailed ?? 0} failed` : '';
    const mark = n.status === 'Succeeded' ? theme.ok('✓') : n.status === 'Failed' ? theme.err('✗') : theme.warn('!');
    return `  ${mark} ${name}  ${theme.status(n.status ?? 'done')}${updates}${took}`;
  }
  if (n.state === 'current' && n.phase !== undefined) {
    const spent = n.phaseStartMs !== undefined ? ` ${formatDuration((frame.nowMs - n.phaseStartMs) / 1000)}` : '';
    const attempt = n.attempt > 1 ? ` (attempt ${n.attempt})` : '';
    const resync = board.resync?.node === n.node ? ` · ${board.resync.percentComplete}%, ${formatBytes(board.resync.bytesLeft)} left` : '';
    return `  ${theme.bold('▶')} ${theme.bold(name)}  ${phaseWord(n.phase)}${spent}${resync}${attempt}`;
  }
  const preflight = n.phase !== undefined && n.phaseStartMs !== undefined ? `${n.phase} ${formatDuration((frame.nowMs - n.phaseStartMs) / 1000)}` : 'waiting';
  const planned = n.plannedSeconds !== undefined && n.plannedSeconds > 0 ? theme.dim(` · ~${formatDuration(n.plannedSeconds)} planned`) : '';
  return `  · ${name}  ${preflight}${planned}`;
}

/** The lines of the view, each within `frame.width`, at most `frame.rows - 1` of them. */
export function renderBoard(board: RunBoard, frame: BoardFrame): string[] {
  const theme = board.theme;
  const { at, of } = board.position();
  const zone = formatZoneOffset(frame.nowMs, frame.zone);
  // An offline update works on every node at once: how many are done, not which one is under way.
  const parallel = board.nodes.filter((n) => n.state === 'current').length > 1;
  const done = board.nodes.filter((n) => n.state === 'done').length;
  const head: string[] = [board.clusterName || 'run', parallel ? `nodes ${done}/${of} done` : `node ${at}/${of}`];
  if (board.startMs !== undefined) {
    const end = board.endMs ?? frame.nowMs;
    head.push(`${board.endMs !== undefined ? 'took' : 'elapsed'} ${formatDuration((end - board.startMs) / 1000)}`);
  }
  const predicted = board.predictedEndMs(frame.nowMs);
  if (board.status !== undefined) head.push(`${theme.status(board.status)} at ${formatClock(board.endMs ?? frame.nowMs, frame.zone)} ${zone}`);
  else if (predicted !== undefined) head.push(`finish ~${formatClock(predicted, frame.zone, frame.nowMs)} ${zone}${board.startMs !== undefined ? ` (in ${formatDuration(Math.max(0, predicted - frame.nowMs) / 1000)})` : ''}`);
  else head.push('finish: not predicted here');
  if (board.stopRequested) head.push(theme.warn('stop requested'));
  const failed = board.failedNodes();
  const budget =
    board.maxFailedNodes === undefined
      ? `failed nodes ${failed}`
      : `failed nodes ${failed} of MaxFailedNodes ${board.maxFailedNodes} (${Math.max(0, board.maxFailedNodes - failed)} left)`;
  const step = board.clusterStep;
  const cluster = step === undefined ? '' : `cluster: ${clusterStepWord(step.step)} ${formatDuration(Math.max(0, frame.nowMs - step.startMs) / 1000)} · `;
  const lines = [head.join(' · '), `${cluster}${plural(board.retries, 'retry', 'retries')} · ${budget}`];

  const room = Math.max(3, (frame.rows ?? DEFAULT_ROWS) - 1);
  const nameWidth = Math.max(0, ...board.nodes.map((n) => visibleWidth(n.node)));
  let rows = board.nodes.map((n) => nodeLine(n, board, nameWidth, frame));
  const nodeRoom = Math.max(1, room - lines.length);
  if (rows.length > nodeRoom) {
    // Too many nodes for the screen: the waiting ones at the end are counted instead of listed.
    const waiting = board.nodes.filter((n) => n.state === 'waiting').map((n) => n.node);
    const listed = rows.slice(0, nodeRoom - 1);
    rows = [...listed, `  · ${plural(board.nodes.length - listed.length, 'more node')}: ${waiting.slice(-(board.nodes.length - listed.length)).join(', ')}`];
  }
  lines.push(...rows);
  // The events' lines are kept even while fewer events are known, so the block never grows (nor scrolls).
  const eventRoom = Math.min(RECENT_EVENTS, room - lines.length);
  if (eventRoom > 0) {
    const recent = board.events.slice(-eventRoom).map((e) => `  ${theme.dim(formatClock(e.ms, frame.zone, frame.nowMs))}  ${e.text.replace(/\s*\n\s*/g, ' ')}`);
    lines.push(...recent, ...Array<string>(eventRoom - recent.length).fill(''));
  }
  // Made terminal-safe before the cut, so an escaped control in a node's value still fits the width.
  return lines.slice(0, room).map((line) => cutToWidth(lineSafe(line), frame.width));
}

/**
 * A block of lines redrawn in place on a terminal stream: the cursor goes back to the block's first line and
 * each line is rewritten and cleared to its end, then whatever is left below is cleared. Text said while the
 * block is up goes above it.
 */
export class LiveBlock {
  private height = 0;
  private last = '';

  private readonly out: OutStream;

  constructor(stream: OutStream) {
    this.out = stream.raw ?? stream;
  }

  draw(lines: readonly string[]): void {
    const text = lines.join('\n');
    if (text === this.last) return;
    this.last = text;
    // The cursor controls are ours; the text is made safe here, and goes beneath the stream's own filter.
    this.out.write(`${this.up()}${lines.map((l) => `${lineSafe(l)}\u001b[K\n`).join('')}\u001b[J`);
    this.height = lines.length;
  }

  /** Writes `text` (whole lines) where the block was; the next draw puts the block under it. */
  say(text: string): void {
    this.out.write(`${this.up()}\u001b[J${terminalSafe(text.endsWith('\n') ? text : `${text}\n`)}`);
    this.height = 0;
    this.last = '';
  }

  private up(): string {
    return this.height > 0 ? `\u001b[${this.height}F` : '';
  }
}

export interface LiveViewOptions {
  readonly stream: OutStream;
  readonly theme: Theme;
  readonly plan?: RunPlan;
  /** A board made for the flow (an offline update's), instead of one from `plan`. */
  readonly board?: RunBoard;
  /** The run's clock (virtual in a rehearsal), for the elapsed time and the time spent in a phase. */
  readonly now: () => number;
  readonly ticker: Ticker;
  /** IANA zone of the times shown. */
  readonly zone: string;
  /** The terminal's size now (it may be resized during the run). */
  readonly size: () => { readonly width: number; readonly rows?: number | undefined };
}

/** The live view of a run this process coordinates: an event sink that redraws at most every REDRAW_MS. */
export class LiveView implements EventSink {
  readonly board: RunBoard;
  private readonly block: LiveBlock;
  private stopTicker: (() => void) | undefined;

  constructor(private readonly options: LiveViewOptions) {
    this.board = options.board ?? new RunBoard(options.theme, options.plan);
    this.block = new LiveBlock(options.stream);
  }

  emit(event: RunEvent): void {
    this.board.apply(event);
    if (event.type === 'run-completed') {
      this.close();
      return;
    }
    this.stopTicker ??= this.options.ticker(REDRAW_MS, () => this.redraw());
  }

  redraw(): void {
    const size = this.options.size();
    this.block.draw(renderBoard(this.board, { width: size.width, rows: size.rows, nowMs: this.options.now(), zone: this.options.zone }));
  }

  /** A message from outside the run (an interrupt's notice) above the view. */
  say(text: string): void {
    this.block.say(text);
    this.redraw();
  }

  /** Draws the last frame and stops redrawing; the frame stays on screen. Safe to call twice. */
  close(): void {
    if (this.stopTicker === undefined && this.board.startMs === undefined) return;
    this.stopTicker?.();
    this.stopTicker = undefined;
    this.redraw();
  }
}
