/**
 * Every record kind of the run journal, as one zod discriminated union, and the one writer and reader of
 * typed records for every flow (rolling run, single-node maintenance, offline update). The journal's storage
 * (durable append, torn last line) is src/journal's; this module decides what a record may say.
 * A record that does not parse is an error naming the journal file and the line.
 * Depends on zod, the operation catalogue's schemas and the journal interface only.
 */
import { z } from 'zod';
import { compiledSchema } from '../cluster/compiled-schema.js';
import { UpdateInfo, UpdateInstallResult } from '../cluster/operations.js';
import { ClusterDisk, ServiceStartMode } from '../cluster/operations-offline.js';
import { PluginName } from '../cluster/operations.js';
import { usageError } from '../errors.js';
import type { JournalRecord, RunJournal } from '../journal/journal.js';
import { NodePhase, RunStatus } from './events.js';

const ErrorRecordSchema = z.object({ code: z.string(), message: z.string(), node: z.string().optional() });

const PhaseRecordSchema = z.object({
  phase: NodePhase,
  attempt: z.number().int(),
  start: z.string(),
  end: z.string(),
  ok: z.boolean(),
  detail: z.string().optional(),
});

export const NodeResultSchema = z.object({
  node: z.string(),
  status: RunStatus,
  attempts: z.number().int(),
  numberOfSucceededUpdates: z.number().int(),
  numberOfFailedUpdates: z.number().int(),
  installResults: z.array(UpdateInstallResult),
  rebooted: z.boolean(),
  nodeRebootResult: z.object({ bootType: z.enum(['FullReboot', 'SoftReboot', 'None']), reboots: z.number().int() }),
  forced: z.object({ switch: z.enum(['ForcePauseNoDrain', 'ForcePauseAndDrain', 'ForcePauseDrainAndReboot']), rolesDown: z.array(z.string()).readonly() }).optional(),
  errorRecord: ErrorRecordSchema.nullable(),
  nodeSuspendedTimestamp: z.string().nullable(),
  nodeSuspendedDurationSeconds: z.number().nullable(),
  phases: z.array(PhaseRecordSchema),
});

const RebootSource = z.enum(['round', 'failure']);

const stepFields = { type: z.literal('step'), node: z.string(), attempt: z.number().int() };

/**
 * The node steps' write-ahead records (src/core/node-steps), the same in every flow. Each `*-requested`
 * record is written before its call goes out: after a crash, it says the call may have acted.
 */
export const StepEntrySchema = z.discriminatedUnion('step', [
  z.object({ ...stepFields, step: z.literal('pre-script-done') }),
  /** The suspend is about to be sent: from here on the node counts as paused by this run (invariant 8). */
  z.object({ ...stepFields, step: z.literal('suspend-requested') }),
  /** The drain failed or timed out; the node is resumed next (NoFailback). */
  z.object({ ...stepFields, step: z.literal('drain-failed'), drainStatus: z.string(), reason: z.string() }),
  /** Paused, DrainStatus Completed, no running role. */
  z.object({ ...stepFields, step: z.literal('suspended') }),
  /**
   * Invariant 8's exception, taken: the node is Paused but not drained, and one of CAU's force switches
   * (ForcePauseNoDrain, or ForcePauseDrainAndReboot after a failed drain) accepts installing and restarting it
   * with `runningRoles` still on it.
   */
  z.object({ ...stepFields, step: z.literal('suspended-undrained'), allowedBy: z.enum(['ForcePauseNoDrain', 'ForcePauseDrainAndReboot']), runningRoles: z.array(z.string()) }),
  z.object({ ...stepFields, step: z.literal('task-started'), round: z.number().int(), taskId: z.string(), pluginIndex: z.number().int() }),
  z.object({ ...stepFields, step: z.literal('task-finished'), round: z.number().int(), taskId: z.string(), state: z.string(), results: z.array(UpdateInstallResult) }),
  z.object({ ...stepFields, step: z.literal('restart-requested'), round: z.number().int(), bootBefore: z.string(), source: RebootSource }),
  /**
   * The node accepted the restart and said which services were running before it: the wait for the node
   * waits for those, not for every Automatic service (trigger-start services and vendor agents may stay
   * stopped on a healthy host). Missing after a crash or a lost reply: every Automatic service is awaited.
   */
  z.object({ ...stepFields, step: z.literal('restart-issued'), round: z.number().int(), servicesBefore: z.array(z.string()), bootType: z.enum(['FullReboot', 'SoftReboot']).optional() }),
  z.object({ ...stepFields, step: z.literal('node-back'), round: z.number().int(), source: RebootSource, bootTime: z.string().optional(), rebootSeconds: z.number().optional(), softRestartFellBack: z.literal(true).optional() }),
  /**
   * The attempt failed and its failure path (resume the node, wait for its storage) begins: after a crash the
   * attempt picks up on that path and still ends failed with this error, never as a success.
   */
  z.object({ ...stepFields, step: z.literal('attempt-failed'), error: ErrorRecordSchema, phase: z.string(), fatal: z.boolean(), awaitStorage: z.boolean() }),
  z.object({ ...stepFields, step: z.literal('resume-requested') }),
  z.object({ ...stepFields, step: z.literal('resumed') }),
]);
type StepEntry = z.infer<typeof StepEntrySchema>;
/** A node step's record without the node and attempt it belongs to (the writer adds them). */
export type NodeStepRecord = StepEntry extends infer E ? (E extends StepEntry ? Omit<E, 'type' | 'node' | 'attempt'> : never) : never;

const OfflineStepName = z.enum(['stage', 'disks-offline', 'stop-cluster', 'services-disabled', 'update', 'restore', 'services-automatic', 'start-cluster', 'quorum', 'disks-online', 'watch']);
export type OfflineStep = z.infer<typeof OfflineStepName>;

const ScannedUpdateSchema = UpdateInfo.extend({ plugin: PluginName });

export const OfflinePreStateSchema = z.object({
  onlineDisks: z.array(ClusterDisk),
  services: z.record(z.string(), ServiceStartMode),
  missingNodes: z.array(z.string()),
  nodes: z.array(z.string()),
  scan: z.record(z.string(), z.array(ScannedUpdateSchema)),
});


/** One journal entry as written (the journal adds `seq` and `time`). */
export const JournalEntrySchema = z.discriminatedUnion('type', [
  // The rolling run
  z.object({
    type: z.literal('run-started'),
    runId: z.string(),
    clusterName: z.string(),
    order: z.array(z.string()),
    maxFailedNodes: z.number().int(),
    plugins: z.array(z.string()),
    downAtStart: z.array(z.string()),
  }),
  z.object({ type: z.literal('scan-completed'), scan: z.record(z.string(), z.array(UpdateInfo.extend({ plugin: PluginName.optional() }))), scanFailures: z.record(z.string(), z.string()) }),
  z.object({ type: z.literal('attempt-started'), node: z.string(), attempt: z.number().int() }),
  StepEntrySchema,
  z.object({ type: z.literal('node-completed'), node: z.string(), result: NodeResultSchema }),
  z.object({ type: z.literal('run-halted'), code: z.string(), message: z.string() }),
  z.object({ type: z.literal('run-completed'), status: RunStatus, errorRecord: ErrorRecordSchema.nullable() }),
  // Single-node maintenance (run --suspend-node / --resume-node, the feature update's second restarts)
  z.object({ type: z.literal('maintenance-started'), runId: z.string(), clusterName: z.string(), action: z.enum(['suspend', 'resume', 'restart']), nodes: z.array(z.string()) }),
  z.object({ type: z.literal('maintenance-completed'), status: RunStatus, errorRecord: ErrorRecordSchema.nullable() }),
  // The offline update
  z.object({ type: z.literal('offline-started'), runId: z.string(), clusterName: z.string(), plugins: z.array(z.string()) }),
  z.object({ type: z.literal('offline-prestate'), preState: OfflinePreStateSchema }),
  z.object({
    type: z.literal('offline-step'),
    step: OfflineStepName,
    phase: z.enum(['begin', 'done']),
    abortedBecause: z.string().nullable().optional(),
    nodes: z.array(z.string()).optional(),
    nodesUp: z.array(z.string()).optional(),
    quorum: z.boolean().optional(),
  }),
  z.object({ type: z.literal('offline-node'), node: z.string(), event: z.enum(['staged', 'failed']), errorRecord: ErrorRecordSchema.optional() }),
  z.object({ type: z.literal('offline-aborted'), reason: z.string(), kind: z.enum(['interrupted', 'failed', 'journal']).optional() }),
  z.object({ type: z.literal('offline-completed'), status: z.union([RunStatus, z.literal('Refused')]), errorRecord: ErrorRecordSchema.nullable().optional(), error: z.string().optional() }),
  // The feature update (core/feature-update.ts): its own journal beside its rolling runs', so that
  // `feature-update --resume` continues the rolling run it left and does each step after it once.
  z.object({
    type: z.literal('feature-update-started'),
    runId: z.string(),
    clusterName: z.string(),
    source: z.object({ wuConnected: z.boolean(), pathToSetupMedia: z.string().optional() }),
    offer: z.string(),
    buildsBefore: z.record(z.string(), z.number().int()),
    updateClusterFunctionalLevel: z.boolean(),
    storageReplicaRestart: z.enum(['ask', 'yes', 'no']),
  }),
  /** A rolling run of this feature update is about to start (or continue) under this id. */
  z.object({ type: z.literal('feature-update-rolling'), runId: z.string() }),
  /** A step after the rolling run is done: the Storage Replica restart of one node, or the functional level. */
  z.object({ type: z.literal('feature-update-step'), step: z.enum(['storage-replica-restart', 'functional-level']), node: z.string().optional(), detail: z.string() }),
  z.object({ type: z.literal('feature-update-completed'), status: RunStatus, errorRecord: ErrorRecordSchema.nullable() }),
]);
export type JournalEntryInput = z.infer<typeof JournalEntrySchema>;
export type TypedRecord = JournalEntryInput & { readonly seq: number; readonly time: string };
export type RecordOf<T extends TypedRecord['type']> = Extract<TypedRecord, { type: T }>;

const withMeta = z.object({ seq: z.number().int(), time: z.string() });

function issuesText(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(record)'}: ${i.message}`).join('; ');
}

/**
 * Parses a journal's records, from index `first` on (the ones before it were parsed already). `path` names the
 * file in the error; the line is the record's `seq` (one record per line, numbered from 1 as appended).
 */
export function parseJournalRecords(records: readonly JournalRecord[], path: string | undefined, first = 0): TypedRecord[] {
  return records.slice(first).map((record, offset) => {
    const index = first + offset;
    const meta = compiledSchema(withMeta).safeParse(record);
    const entry = compiledSchema(JournalEntrySchema).safeParse(record);
    if (!meta.success || !entry.success) {
      const line = typeof record.seq === 'number' ? record.seq : index + 1;
      const why = !meta.success ? issuesText(meta.error) : issuesText((entry as { error: z.ZodError }).error);
      throw usageError('JOURNAL_RECORD_INVALID', `Run journal ${path ?? '(in memory)'} line ${line}: a "${String(record.type)}" record that cauctl does not understand (${why}).`, {
        hint: 'The journal was written by another version of cauctl or edited. Move the file aside to start over; --resume re-reads the cluster itself.',
      });
    }
    return { ...entry.data, seq: meta.data.seq, time: meta.data.time } as TypedRecord;
  });
}

/**
 * The one journal writer: every entry is checked against its schema before it is appended (a malformed
 * write-ahead record is a bug, caught before it reaches the disk), and stamped with the flow's clock. The schema
 * is zod's compiled one (compiled-schema.ts): the same refusals, at a fraction of the cost per record.
 * A failed durable write throws src/journal's JournalWriteError, which the flows treat as a safe halt.
 */
export class JournalWriter {
  /** The journal's records parsed so far: the journal only grows, so each record is parsed once. */
  private parsed: TypedRecord[] = [];

  constructor(
    private readonly journal: RunJournal,
    private readonly now: () => number,
  ) {}

  get path(): string | undefined {
    return this.journal.path;
  }

  write(entry: JournalEntryInput): void {
    const checked = compiledSchema(JournalEntrySchema).parse(entry);
    this.journal.append(checked, new Date(this.now()).toISOString());
  }

  /** A node step's record, with the node and attempt it belongs to. */
  step(node: string, attempt: number, record: NodeStepRecord): void {
    this.write({ type: 'step', node, attempt, ...record } as StepEntry);
  }

  records(): TypedRecord[] {
    const all = this.journal.records();
    if (all.length < this.parsed.length) this.parsed = [];
    if (all.length > this.parsed.length) this.parsed.push(...parseJournalRecords(all, this.journal.path, this.parsed.length));
    return this.parsed.slice();
  }
}
