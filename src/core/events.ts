/**
 * The event stream contract (`--output ndjson`, webhooks, the human renderer). Every event is one JSON object
 * with `schemaVersion`, `type` and `time`. Documented in docs/events.md; zod schemas here are the source of
 * truth and a test validates every emitted event against them. Depends on zod only.
 */
import { z } from 'zod';

export const EVENT_SCHEMA_VERSION = 1;

/** Per-node phases, in the order a node goes through them. */
export const NodePhase = z.enum([
  'scan',
  'stage',
  // run --pre-install: Software updates installed while the node still serves, before its window (issue 18).
  'pre-install',
  'pre-script',
  'drain',
  'install',
  'reboot',
  'wait-node',
  'rescan',
  'resume',
  'resync',
  'post-script',
]);
export type NodePhase = z.infer<typeof NodePhase>;

export const RunStatus = z.enum(['Succeeded', 'PartiallyFailed', 'Failed', 'Canceled']);
export type RunStatus = z.infer<typeof RunStatus>;

const base = { schemaVersion: z.literal(EVENT_SCHEMA_VERSION), time: z.string(), runId: z.string() };

export const RunEvent = z.discriminatedUnion('type', [
  z.object({
    ...base,
    type: z.literal('run-started'),
    clusterName: z.string(),
    nodes: z.array(z.string()),
    plugins: z.array(z.string()),
    resumed: z.boolean(),
  }),
  z.object({ ...base, type: z.literal('preflight'), check: z.string(), ok: z.boolean(), detail: z.string() }),
  z.object({
    ...base,
    type: z.literal('phase-started'),
    node: z.string(),
    phase: NodePhase,
    attempt: z.number().int(),
  }),
  z.object({
    ...base,
    type: z.literal('phase-completed'),
    node: z.string(),
    phase: NodePhase,
    attempt: z.number().int(),
    durationSeconds: z.number(),
    detail: z.string().optional(),
  }),
  z.object({
    ...base,
    type: z.literal('attempt-failed'),
    node: z.string(),
    phase: NodePhase,
    attempt: z.number().int(),
    code: z.string(),
    message: z.string(),
    willRetry: z.boolean(),
  }),
  z.object({
    ...base,
    type: z.literal('node-completed'),
    node: z.string(),
    status: RunStatus,
    attempts: z.number().int(),
    numberOfSucceededUpdates: z.number().int(),
    numberOfFailedUpdates: z.number().int(),
  }),
  z.object({
    ...base,
    type: z.literal('storage-progress'),
    node: z.string(),
    percentComplete: z.number(),
    bytesLeft: z.number(),
  }),
  // The offline update's cluster-wide steps (Stop-Cluster, Start-Cluster, the disks...); nodes' own phases are above.
  z.object({ ...base, type: z.literal('cluster-step-started'), step: z.string() }),
  z.object({ ...base, type: z.literal('cluster-step-completed'), step: z.string(), durationSeconds: z.number() }),
  z.object({ ...base, type: z.literal('warning'), code: z.string(), message: z.string(), node: z.string().optional() }),
  z.object({ ...base, type: z.literal('run-halted'), code: z.string(), message: z.string() }),
  z.object({ ...base, type: z.literal('run-completed'), status: RunStatus, errorCode: z.string().nullable() }),
]);
export type RunEvent = z.infer<typeof RunEvent>;
export type RunEventType = RunEvent['type'];

/** Distributes the event without its envelope fields, so emitters only state what is specific. */
type WithoutEnvelope<T> = T extends unknown ? Omit<T, 'schemaVersion' | 'time' | 'runId'> : never;
export type RunEventBody = WithoutEnvelope<RunEvent>;

/** Where core sends events. Implementations render, stream or forward them; `emit` never throws. */
export interface EventSink {
  emit(event: RunEvent): void;
}

export const nullSink: EventSink = { emit: () => undefined };

export function fanOut(...sinks: EventSink[]): EventSink {
  return {
    emit(event) {
      for (const sink of sinks) sink.emit(event);
    },
  };
}
