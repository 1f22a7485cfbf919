/**
 * `--record <dir>`: a Transport decorator that writes every operation, its parameters, its reply and its
 * timing to the recording folder (format.ts), whatever transport it wraps. Lines are written in the order the
 * calls started on each node, so a replay answers them in that order. Secrets are redacted before anything is
 * written; with anonymization, names are replaced once the session ends (every name is known by then).
 * Depends on the Transport interface, the clock interface, the platform file helpers and errors.
 */
import { appendFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isAppError } from '../../errors.js';
import type { Clock } from '../../platform/clock.js';
import { ensurePrivateDir, PRIVATE_FILE_MODE, writeFileAtomic } from '../../platform/fs.js';
import type { RunOptions, ScriptInvocation, ScriptOutcome, Transport } from '../transport.js';
import type { Anonymizer } from './anonymize.js';
import {
  MANIFEST_FILE,
  nodeFileName,
  RECORDING_FORMAT,
  RECORDING_SCHEMA_VERSION,
  type RecordedCall,
  type RecordedOutcome,
  type RecordingManifest,
} from './format.js';
import type { Redactor } from './redact.js';

export interface RecordingOptions {
  readonly dir: string;
  /** The run's clock (virtual in simulation): call times and durations. */
  readonly clock: Clock;
  readonly redact: Redactor;
  /** The reply as the gateway will see it (validated by the operation's schema), when it validates. */
  readonly normalize?: (op: string, data: unknown) => unknown;
  /** With anonymization: learns the names a reply carries; the whole recording is renamed at close. */
  readonly anonymize?: { readonly anonymizer: Anonymizer; readonly learn: (op: string, params: unknown, data: unknown, node: string) => void };
  readonly cauctlVersion: string;
  /** Where cluster-wide operations go, when known. */
  readonly entry: string | null;
  /** The recording host's wall clock, for the manifest's createdAt. */
  readonly wallNow: () => number;
  /**
   * A write to the recording failed (full disk, folder removed): told once, and the recording stops. The
   * command goes on as if it were not recorded: a recording never changes what happens to the cluster.
   */
  readonly onProblem?: (message: string) => void;
}

interface NodeLog {
  readonly file: string;
  /** Index the next call that starts will take. */
  started: number;
  /** Calls written so far (their indexes are 0..written-1). */
  written: number;
  readonly finished: Map<number, RecordedCall>;
}

function outcomeOf(outcome: ScriptOutcome, op: string, normalize: RecordingOptions['normalize']): RecordedOutcome {
  const warnings = outcome.warnings && outcome.warnings.length > 0 ? { warnings: [...outcome.warnings] } : {};
  if (outcome.ok) return { kind: 'ok', data: normalize ? normalize(op, outcome.data) : outcome.data, ...warnings };
  return { kind: 'failed', error: { ...outcome.error }, ...warnings };
}

function thrownOf(error: unknown): RecordedOutcome {
  if (isAppError(error)) return { kind: 'threw', code: error.code, message: error.message, exitCode: error.exitCode, transient: error.transient };
  const e = error instanceof Error ? error : new Error(String(error));
  return { kind: 'threw', code: e.name, message: e.message, exitCode: 1, transient: false };
}

export class RecordingTransport implements Transport {
  readonly name: string;
  private readonly logs = new Map<string, NodeLog>();
  private seq = 0;
  private readonly createdAt: string;
  /** Set once a write failed: nothing more is written. */
  private broken = false;

  constructor(
    private readonly inner: Transport,
    private readonly options: RecordingOptions,
  ) {
    this.name = inner.name;
    this.createdAt = new Date(options.wallNow()).toISOString();
    // The folder is made before the first operation, so a folder that cannot be made fails the command at once.
    ensurePrivateDir(options.dir);
    if (options.entry !== null) options.anonymize?.anonymizer.add('cluster', options.entry);
    this.writeManifest(false);
  }

  async run(node: string, invocation: ScriptInvocation, runOptions?: RunOptions): Promise<ScriptOutcome> {
    const log = this.logFor(node);
    const index = log.started++;
    const seq = ++this.seq;
    const startMs = this.options.clock.now();
    const finish = (outcome: RecordedOutcome): void => {
      const call: RecordedCall = {
        seq,
        op: invocation.name,
        params: this.options.redact({ ...invocation.params }) as Record<string, unknown>,
        at: new Date(startMs).toISOString(),
        durationMs: Math.max(0, this.options.clock.now() - startMs),
        outcome: this.options.redact(outcome) as RecordedOutcome,
      };
      log.finished.set(index, call);
      this.flush(log);
    };
    try {
      const outcome = await this.inner.run(node, invocation, runOptions);
      if (this.options.anonymize && outcome.ok) this.options.anonymize.learn(invocation.name, invocation.params, outcome.data, node);
      finish(outcomeOf(outcome, invocation.name, this.options.normalize));
      return outcome;
    } catch (error) {
      finish(thrownOf(error));
      throw error;
    }
  }

  private logFor(node: string): NodeLog {
    let log = this.logs.get(node);
    if (log === undefined) {
      const created: NodeLog = { file: nodeFileName(node), started: 0, written: 0, finished: new Map() };
      log = created;
      this.logs.set(node, log);
      this.options.anonymize?.anonymizer.add('node', node);
      this.guard(() => {
        appendFileSync(join(this.options.dir, created.file), '', { mode: PRIVATE_FILE_MODE });
        this.writeManifest(false);
      });
    }
    return log;
  }

  /** Runs a write; a failure stops the recording (said once) and never reaches the operation's caller. */
  private guard(write: () => void): void {
    if (this.broken) return;
    try {
      write();
    } catch (error) {
      this.broken = true;
      this.options.onProblem?.(`the recording in ${this.options.dir} stopped: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}; the command went on unrecorded from there`);
    }
  }

  /** Writes the finished calls that every earlier call of this node precedes. */
  private flush(log: NodeLog): void {
    let lines = '';
    while (log.finished.has(log.written)) {
      lines += `${JSON.stringify(log.finished.get(log.written))}\n`;
      log.finished.delete(log.written);
      log.written++;
    }
    if (lines !== '') this.guard(() => appendFileSync(join(this.options.dir, log.file), lines, { mode: PRIVATE_FILE_MODE }));
  }

  private manifest(anonymized: boolean, rename: (name: string) => string): RecordingManifest {
    return {
      format: RECORDING_FORMAT,
      schemaVersion: RECORDING_SCHEMA_VERSION,
      cauctlVersion: this.options.cauctlVersion,
      createdAt: this.createdAt,
      transport: this.inner.name,
      entry: this.options.entry === null ? null : rename(this.options.entry),
      anonymized,
      nodes: [...this.logs.entries()].map(([node, log]) => ({ node: rename(node), file: nodeFileName(rename(node)), operations: log.written })),
    };
  }

  private writeManifest(anonymized: boolean, rename: (name: string) => string = (n) => n): void {
    writeFileAtomic(join(this.options.dir, MANIFEST_FILE), `${JSON.stringify(this.manifest(anonymized, rename), null, 2)}\n`);
  }

  /** Renames every learnt name in every file, then writes each node's file under its new name. */
  private anonymizeFiles(anonymizer: Anonymizer): void {
    for (const [node, log] of this.logs) {
      const path = join(this.options.dir, log.file);
      let text: string;
      try {
        text = readFileSync(path, 'utf8');
      } catch {
        continue;
      }
      const renamed = text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => JSON.stringify(anonymizer.value(JSON.parse(line))))
        .join('\n');
      rmSync(path, { force: true });
      writeFileAtomic(join(this.options.dir, nodeFileName(anonymizer.nameFor(node))), renamed === '' ? '' : `${renamed}\n`);
    }
    this.writeManifest(true, (name) => anonymizer.nameFor(name));
  }

  async close(): Promise<void> {
    try {
      for (const log of this.logs.values()) this.flush(log);
      if (this.options.anonymize && this.broken) {
        this.options.onProblem?.(`the recording in ${this.options.dir} is NOT anonymized (it stopped before the end): do not share it as it is`);
      } else if (this.options.anonymize) {
        const { anonymizer } = this.options.anonymize;
        this.guard(() => this.anonymizeFiles(anonymizer));
      } else this.guard(() => this.writeManifest(false));
    } finally {
      await this.inner.close();
    }
  }
}
