/**
 * The recording format (docs/recordings.md): a folder with `recording.json` (the manifest) and one JSON-lines
 * file per node, each line one operation as the gateway sent it and the reply it got, in the order the calls
 * started on that node. Versioned and validated with zod; a bad line is named by file and line.
 * Depends on zod, the platform file helpers and errors only.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { usageError } from '../../errors.js';
import { encodePathSegment } from '../../platform/fs.js';

/** Bumped on any change a reader of an older version would misread. */
export const RECORDING_SCHEMA_VERSION = 1;
export const RECORDING_FORMAT = 'cauctl-recording';
export const MANIFEST_FILE = 'recording.json';

export const RecordingManifest = z.object({
  format: z.literal(RECORDING_FORMAT),
  schemaVersion: z.literal(RECORDING_SCHEMA_VERSION),
  cauctlVersion: z.string(),
  /** ISO-8601 UTC, on the recording host's wall clock. */
  createdAt: z.string(),
  /** The transport that was recorded (`winrm`, `local-pwsh`, `simulator`). */
  transport: z.string(),
  /** Where cluster-wide operations went (the cluster name as given). */
  entry: z.string().nullable(),
  /** Names were replaced consistently (cluster, nodes, roles) after the recording ended. */
  anonymized: z.boolean(),
  /** Node name → its JSON-lines file in this folder. */
  nodes: z.array(z.object({ node: z.string(), file: z.string(), operations: z.number().int().min(0) })),
});
export type RecordingManifest = z.infer<typeof RecordingManifest>;

/** What a call ended with: the script's outcome, or an error the transport threw (unreachable, timeout...). */
export const RecordedOutcome = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ok'), data: z.unknown(), warnings: z.array(z.string()).optional() }),
  z.object({
    kind: z.literal('failed'),
    error: z.object({ code: z.string(), message: z.string(), category: z.string().optional() }),
    warnings: z.array(z.string()).optional(),
  }),
  z.object({
    kind: z.literal('threw'),
    /** AppError's code, or the error's name for anything else (`AbortError`). */
    code: z.string(),
    message: z.string(),
    exitCode: z.number().int(),
    transient: z.boolean(),
  }),
]);
export type RecordedOutcome = z.infer<typeof RecordedOutcome>;

export const RecordedCall = z.object({
  /** Order of the call's start across the whole session (1-based). */
  seq: z.number().int().min(1),
  /** The operation (the catalogue name, the `.ps1` file's base name). */
  op: z.string().min(1),
  params: z.record(z.string(), z.unknown()),
  /** When the call started, ISO-8601 on the run's clock (virtual in simulation). */
  at: z.string(),
  /** How long it took, in milliseconds of the run's clock. */
  durationMs: z.number().min(0),
  outcome: RecordedOutcome,
});
export type RecordedCall = z.infer<typeof RecordedCall>;

export interface Recording {
  readonly dir: string;
  readonly manifest: RecordingManifest;
  /** Node name as recorded → its calls in order. */
  readonly calls: ReadonlyMap<string, readonly RecordedCall[]>;
}

/** The file of one node's calls. */
export function nodeFileName(node: string): string {
  return `${encodePathSegment(node)}.jsonl`;
}

function issuesText(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

function badRecording(dir: string, what: string): never {
  throw usageError('REPLAY_RECORDING_INVALID', `The recording in ${dir} cannot be replayed: ${what}.`, {
    hint: `Give --replay the folder that --record wrote (it holds ${MANIFEST_FILE} and one .jsonl file per node), made by a cauctl that writes recording schema ${RECORDING_SCHEMA_VERSION}.`,
  });
}

function readText(dir: string, file: string): string {
  try {
    return readFileSync(join(dir, file), 'utf8');
  } catch (error) {
    return badRecording(dir, `${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

/** Reads and validates a recording folder; every problem names the file (and line). */
export function readRecording(dir: string): Recording {
  let manifestJson: unknown;
  try {
    manifestJson = JSON.parse(readText(dir, MANIFEST_FILE));
  } catch (error) {
    if ((error as { code?: string }).code === 'REPLAY_RECORDING_INVALID') throw error;
    return badRecording(dir, `${MANIFEST_FILE} is not JSON`);
  }
  const version = (manifestJson as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version === 'number' && version !== RECORDING_SCHEMA_VERSION) {
    badRecording(dir, `it has schema version ${version}, and this cauctl reads version ${RECORDING_SCHEMA_VERSION}`);
  }
  const manifest = RecordingManifest.safeParse(manifestJson);
  if (!manifest.success) badRecording(dir, `${MANIFEST_FILE}: ${issuesText(manifest.error)}`);
  const listed = new Set(readdirSync(dir));
  const calls = new Map<string, RecordedCall[]>();
  for (const { node, file } of manifest.data.nodes) {
    if (!listed.has(file) || file.includes('/') || file.includes('\\')) badRecording(dir, `${MANIFEST_FILE} lists ${file} for ${node}, and the folder has no such file`);
    const lines = readText(dir, file).split('\n');
    const list: RecordedCall[] = [];
    lines.forEach((line, index) => {
      if (line.trim() === '') return;
      let json: unknown;
      try {
        json = JSON.parse(line);
      } catch {
        badRecording(dir, `${file} line ${index + 1} is not JSON`);
      }
      const parsed = RecordedCall.safeParse(json);
      if (!parsed.success) badRecording(dir, `${file} line ${index + 1}: ${issuesText(parsed.error)}`);
      list.push(parsed.data);
    });
    calls.set(node, list);
  }
  return { dir, manifest: manifest.data, calls };
}
