/**
 * `--transport replay --replay <dir>`: answers every operation from a recording (format.ts), in order per
 * node, and fails with a message naming the node, the operation and what was expected when the run asks
 * something the recording did not see. Its clock follows the recording (a call ends at its recorded end; a
 * sleep passes at once), so a replay is deterministic and takes no real time.
 *
 * Two things are not answered in order:
 * - Identifiers the run makes up afresh (its run id, the task ids built from it) are matched as tokens: a
 *   recorded id stands for the id this run uses in the same place, and replies carry this run's id.
 * - Cluster private properties (get-/set-cluster-property: cauctl's lock, stop request and run summary) are
 *   written at a rate set by real time, so they are kept in a register seeded from the recording's first
 *   reads, with the compare-and-set semantics of the operation (src/cluster/operations.ts).
 * Depends on the Transport interface, the recording format, the Clock interface and errors.
 */
import { AppError, ExitCode, connectionError, type ExitCodeValue } from '../../errors.js';
import { abortReason, type Clock } from '../../platform/clock.js';
import type { RunOptions, ScriptInvocation, ScriptOutcome, Transport } from '../transport.js';
import { readRecording, type RecordedCall, type Recording } from './format.js';
import { REDACTED } from './redact.js';

const GET_PROPERTY = 'get-cluster-property';
const SET_PROPERTY = 'set-cluster-property';

/** How far ahead of the next recorded call a call may be found: calls that ran in parallel may start in another order. */
const LOOKAHEAD = 8;

/** A run id (UUID) or the 8-character prefix of one that task ids carry. */
const VOLATILE_TOKEN = /(?<![0-9A-Za-z])[0-9a-f]{8}(?:-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})?(?![0-9A-Za-z])/gi;

/** The recording's clock: starts at the first recorded call, jumps to each replayed call's end, sleeps at once. */
export class ReplayClock implements Clock {
  private nowMs: number;

  constructor(startMs: number) {
    this.nowMs = startMs;
  }

  now(): number {
    return this.nowMs;
  }

  /** At least `ms` (a recorded end time may lie ahead). */
  reach(ms: number): void {
    if (ms > this.nowMs) this.nowMs = ms;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw abortReason(signal);
    this.nowMs += Math.max(0, ms);
    // Let other work (parallel nodes, timers) run, as a real wait would.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (signal?.aborted) throw abortReason(signal);
  }
}

/** Recorded token → this run's token, both ways, so two recorded ids never become one. */
class TokenMap {
  private readonly forward = new Map<string, string>();
  private readonly backward = new Map<string, string>();

  /** Binds each pair if consistent with what is bound; binds nothing when any pair conflicts. */
  bindAll(pairs: ReadonlyArray<readonly [string, string]>): boolean {
    const forward = new Map(this.forward);
    const backward = new Map(this.backward);
    for (const [recorded, actual] of pairs) {
      const r = recorded.toLowerCase();
      const a = actual.toLowerCase();
      if ((forward.get(r) ?? a) !== a || (backward.get(a) ?? r) !== r) return false;
      forward.set(r, a);
      backward.set(a, r);
    }
    for (const [r, a] of forward) this.forward.set(r, a);
    for (const [a, r] of backward) this.backward.set(a, r);
    return true;
  }

  /** `text` with every bound recorded token replaced by this run's. */
  apply(text: string): string {
    if (this.forward.size === 0) return text;
    return text.replace(VOLATILE_TOKEN, (token) => this.forward.get(token.toLowerCase()) ?? token);
  }

  value(value: unknown): unknown {
    if (typeof value === 'string') return this.apply(value);
    if (Array.isArray(value)) return value.map((v) => this.value(v));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.value(v)]));
    }
    return value;
  }
}

function splitTokens(text: string): { literals: string[]; tokens: string[] } {
  const literals: string[] = [];
  const tokens: string[] = [];
  let last = 0;
  for (const match of text.matchAll(VOLATILE_TOKEN)) {
    literals.push(text.slice(last, match.index));
    tokens.push(match[0]);
    last = match.index + match[0].length;
  }
  literals.push(text.slice(last));
  return { literals, tokens };
}

function short(value: unknown): string {
  const text = JSON.stringify(value) ?? 'undefined';
  return text.length > 240 ? `${text.slice(0, 240)}…` : text;
}

/**
 * Compares recorded parameters with the run's: equal, or equal but for fresh ids (collected into `pairs`),
 * or a [REDACTED] value (anything matches it). Returns the first difference, or undefined when they match.
 */
function difference(expected: unknown, actual: unknown, path: string, pairs: Array<[string, string]>): string | undefined {
  if (expected === REDACTED) return undefined;
  if (typeof expected === 'string' && typeof actual === 'string') {
    if (expected === actual) return undefined;
    const e = splitTokens(expected);
    const a = splitTokens(actual);
    if (e.tokens.length === a.tokens.length && e.literals.every((l, i) => l === a.literals[i])) {
      e.tokens.forEach((t, i) => pairs.push([t, a.tokens[i]!]));
      return undefined;
    }
    return `${path}: expected ${short(expected)}, got ${short(actual)}`;
  }
  if (Array.isArray(expected) && Array.isArray(actual)) {
    if (expected.length !== actual.length) return `${path}: expected ${expected.length} items, got ${actual.length}`;
    for (let i = 0; i < expected.length; i++) {
      const d = difference(expected[i], actual[i], `${path}[${i}]`, pairs);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  if (expected !== null && actual !== null && typeof expected === 'object' && typeof actual === 'object' && !Array.isArray(expected) && !Array.isArray(actual)) {
    const e = expected as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    const keys = [...new Set([...Object.keys(e), ...Object.keys(a)])].filter((k) => e[k] !== undefined || a[k] !== undefined);
    for (const key of keys) {
      const d = difference(e[key], a[key], `${path}.${key}`, pairs);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  return expected === actual ? undefined : `${path}: expected ${short(expected)}, got ${short(actual)}`;
}

interface NodeQueue {
  /** The node's name as recorded. */
  readonly node: string;
  readonly calls: readonly RecordedCall[];
  readonly used: boolean[];
  /** Index of the first call not used yet. */
  first: number;
}

function ordinal(n: number): string {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  return `${n}${teen || n % 10 > 3 ? 'th' : ['th', 'st', 'nd', 'rd'][n % 10]!}`;
}

export class ReplayTransport implements Transport {
  readonly name = 'replay';
  readonly clock: ReplayClock;
  private readonly queues = new Map<string, NodeQueue>();
  private readonly properties = new Map<string, string | null>();
  private readonly tokens = new TokenMap();
  private readonly asked = new Map<string, number>();
  /** The first way the run left the recording: the command ends with it even if a caller caught it. */
  private failure: AppError | undefined;

  constructor(private readonly recording: Recording) {
    const all = [...recording.calls.values()].flat();
    const firstAt = all.map((c) => Date.parse(c.at)).filter((t) => Number.isFinite(t));
    this.clock = new ReplayClock(firstAt.length > 0 ? Math.min(...firstAt) : 0);
    for (const [node, calls] of recording.calls) {
      const ordered = calls.filter((c) => c.op !== GET_PROPERTY && c.op !== SET_PROPERTY);
      this.queues.set(node.toUpperCase(), { node, calls: ordered, used: ordered.map(() => false), first: 0 });
    }
    // Each property starts as the recording first read it.
    for (const call of [...all].sort((a, b) => a.seq - b.seq)) {
      const name = call.params['name'];
      if (call.op !== GET_PROPERTY || typeof name !== 'string' || this.properties.has(name) || call.outcome.kind !== 'ok') continue;
      const value = (call.outcome.data as { value?: unknown } | null)?.value;
      this.properties.set(name, typeof value === 'string' ? value : null);
    }
  }

  /** Where the recording came from (for messages). */
  get dir(): string {
    return this.recording.dir;
  }

  /** The entry (cluster name) the recording used. */
  get entry(): string | null {
    return this.recording.manifest.entry;
  }

  async run(node: string, invocation: ScriptInvocation, options?: RunOptions): Promise<ScriptOutcome> {
    if (options?.signal?.aborted) throw abortReason(options.signal);
    if (this.failure !== undefined) throw this.failure;
    if (invocation.name === GET_PROPERTY || invocation.name === SET_PROPERTY) return this.property(invocation);
    const count = (this.asked.get(node.toUpperCase()) ?? 0) + 1;
    this.asked.set(node.toUpperCase(), count);
    const queue = this.queues.get(node.toUpperCase());
    if (queue === undefined || queue.first >= queue.calls.length) throw this.fail(this.exhausted(node, invocation.name, queue));
    let mismatch: string | undefined;
    for (let i = queue.first, seen = 0; i < queue.calls.length && seen < LOOKAHEAD; i++) {
      if (queue.used[i]) continue;
      seen++;
      const call = queue.calls[i]!;
      const pairs: Array<[string, string]> = [];
      const diff = call.op === invocation.name ? difference(call.params, invocation.params, 'params', pairs) : `operation: expected ${call.op}, got ${invocation.name}`;
      if (diff === undefined && this.tokens.bindAll(pairs)) {
        queue.used[i] = true;
        while (queue.first < queue.calls.length && queue.used[queue.first]) queue.first++;
        return this.answer(call);
      }
      mismatch ??= diff ?? 'params: an id this run made up stands where the recording had another';
    }
    const expected = queue.calls[queue.first]!;
    throw this.fail(
      connectionError(
        'REPLAY_DIVERGED',
        `The run left the recording in ${this.recording.dir} on ${node}: it asked for ${invocation.name} ${short(invocation.params)} as its ${ordinal(count)} operation there, and the recording's next operation on ${queue.node} is ${expected.op} ${short(expected.params)} (recorded call #${expected.seq}); ${mismatch ?? 'no recorded call matches'}.`,
        {
          hint: 'Replay the command line, options and cauctl version the recording was made with (recording.json names the version), or record this run again with --record.',
          details: { node, operation: invocation.name, expectedOperation: expected.op, recordedSeq: expected.seq },
        },
      ),
    );
  }

  private exhausted(node: string, op: string, queue: NodeQueue | undefined): AppError {
    const known = [...this.queues.values()].map((q) => q.node).join(', ');
    const message =
      queue === undefined
        ? `The recording in ${this.recording.dir} has no operations for ${node}, and the run asked it for ${op} (the recording holds ${known || 'no node'}).`
        : `The recording in ${this.recording.dir} ran out of replies for ${node}: the run asked for ${op} after the ${queue.calls.length} operations recorded there.`;
    return connectionError('REPLAY_EXHAUSTED', message, {
      hint: 'The run went further than the recorded one: replay the command line the recording was made with, or record this run again with --record.',
      details: { node, operation: op },
    });
  }

  private fail(error: AppError): AppError {
    this.failure ??= error;
    return error;
  }

  private answer(call: RecordedCall): ScriptOutcome {
    this.clock.reach(Date.parse(call.at) + call.durationMs);
    const outcome = call.outcome;
    if (outcome.kind === 'threw') {
      const exitCode = (Object.values(ExitCode) as number[]).includes(outcome.exitCode) ? (outcome.exitCode as ExitCodeValue) : ExitCode.internal;
      throw new AppError(outcome.code, exitCode, this.tokens.apply(outcome.message), { transient: outcome.transient });
    }
    const warnings = outcome.warnings ? { warnings: outcome.warnings.map((w) => this.tokens.apply(w)) } : {};
    if (outcome.kind === 'failed') return { ok: false, error: { ...outcome.error, message: this.tokens.apply(outcome.error.message) }, ...warnings };
    return { ok: true, data: this.tokens.value(outcome.data), ...warnings };
  }

  /** The cluster's private properties, with compare-and-set as Set-ClusterParameter guarded by the script does. */
  private property(invocation: ScriptInvocation): ScriptOutcome {
    const name = String(invocation.params['name']);
    const current = this.properties.get(name) ?? null;
    if (invocation.name === GET_PROPERTY) return { ok: true, data: { value: current } };
    const expected = invocation.params['expected'];
    if (expected !== undefined && expected !== current) return { ok: true, data: { applied: false, current } };
    const value = invocation.params['value'];
    this.properties.set(name, typeof value === 'string' ? value : null);
    return { ok: true, data: { applied: true, current: typeof value === 'string' ? value : null } };
  }

  /** Recorded calls the run never asked for, per node (a shorter run than the recorded one). */
  unused(): Array<{ node: string; count: number; first: string }> {
    return [...this.queues.values()]
      .map((q) => ({ node: q.node, left: q.calls.filter((_, i) => !q.used[i]) }))
      .filter((q) => q.left.length > 0)
      .map((q) => ({ node: q.node, count: q.left.length, first: q.left[0]!.op }));
  }

  /** Ends with the first divergence, so a run that caught it as a node failure still exits with it. */
  close(): Promise<void> {
    return this.failure === undefined ? Promise.resolve() : Promise.reject(this.failure);
  }
}

/** Opens a recording folder for replay (validated; exit 2 naming the file and line when it is not one). */
export function openReplayTransport(dir: string): ReplayTransport {
  return new ReplayTransport(readRecording(dir));
}
