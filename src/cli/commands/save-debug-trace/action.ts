/**
 * The body of `cauctl save-debug-trace`: collect the cluster's journals (with their sidecars and run
 * profiles) and history reports from this host's state directory, redact them, add the versions, and write
 * one zip (fflate: pure JavaScript, no native build) atomically.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { arch, release, type as osType } from 'node:os';
import { join, resolve } from 'node:path';
import { strToU8, zipSync, type Zippable } from 'fflate';
import { ExitCode, usageError } from '../../../errors.js';
import { historyDir } from '../../../journal/history.js';
import { journalDir } from '../../../journal/journal.js';
import { plural } from '../../../output/format.js';
import { writeResult } from '../../../output/result.js';
import { systemClock } from '../../../platform/clock.js';
import { encodePathSegment, fsUserError, writeFileAtomic } from '../../../platform/fs.js';
import { VERSION } from '../../../version.js';
import type { CommandEnv } from '../../command-env.js';
import { resultEnvFor } from '../../context.js';
import type { GlobalProfile } from '../../global-options.js';
import { redactFile, type RedactionCount } from './redact.js';
import { resolveHistoryTarget } from '../get-report/action.js';
import type { SaveDebugTraceProfile } from './index.js';

const ROOT = 'cauctl-debug-trace';

interface TraceFile {
  readonly name: string;
  readonly text: string;
}

/** The journal files (journal, sidecar, run profile) of the runs asked for, by run id. */
function journalFiles(dir: string, runId: string | undefined): { files: TraceFile[]; runIds: Set<string> } {
  const files: TraceFile[] = [];
  const runIds = new Set<string>();
  if (!existsSync(dir)) return { files, runIds };
  const prefix = runId === undefined ? undefined : `${encodePathSegment(runId)}.`;
  for (const name of readdirSync(dir).sort()) {
    if (!/\.(jsonl|meta\.json|profile\.json)$/.test(name)) continue;
    if (prefix !== undefined && !name.startsWith(prefix)) continue;
    files.push({ name, text: readFileSync(join(dir, name), 'utf8') });
    if (name.endsWith('.jsonl')) runIds.add(name.slice(0, -'.jsonl'.length));
  }
  return { files, runIds };
}

/** The history reports of the runs asked for. A file that is not JSON is kept (redacted as text): it may be the clue. */
function historyFiles(dir: string, runId: string | undefined): { files: TraceFile[]; runIds: Set<string> } {
  const files: TraceFile[] = [];
  const runIds = new Set<string>();
  if (!existsSync(dir)) return { files, runIds };
  for (const name of readdirSync(dir).sort()) {
    if (!name.endsWith('.json')) continue;
    const text = readFileSync(join(dir, name), 'utf8');
    let id: string | undefined;
    try {
      const parsed = JSON.parse(text) as { runId?: unknown };
      id = typeof parsed.runId === 'string' ? parsed.runId : undefined;
    } catch {
      id = undefined;
    }
    if (runId !== undefined && id !== runId) continue;
    files.push({ name, text });
    if (id !== undefined) runIds.add(encodePathSegment(id));
  }
  return { files, runIds };
}

export async function runSaveDebugTraceCommand(profile: SaveDebugTraceProfile, globals: GlobalProfile, env: CommandEnv): Promise<number> {
  const path = resolve(profile.path);
  // Checked before anything is read, so a mistyped path never costs the user a file.
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw usageError('TRACE_PATH_IS_FOLDER', `${profile.path} is a folder; nothing was written.`, { hint: `Give a file path, for example --path ${join(profile.path, 'trace.zip')}` });
  }
  if (existsSync(path) && !profile.force) {
    throw usageError('TRACE_FILE_EXISTS', `${profile.path} already exists; nothing was written.`, { hint: 'Add --force to overwrite it, or choose another --path.' });
  }
  const target = await resolveHistoryTarget(globals, env.io);
  const journals = journalFiles(journalDir(target.stateDir, target.clusterName), profile.runId);
  const history = historyFiles(historyDir(target.stateDir, target.clusterName), profile.runId);
  if (profile.runId !== undefined && journals.files.length === 0 && history.files.length === 0) {
    throw usageError('TRACE_RUN_NOT_FOUND', `No run ${profile.runId} of ${target.clusterName} in this host's journals or history; nothing was written.`, {
      hint: 'List the runs with: cauctl get-report (or leave --run-id out to take every run).',
    });
  }
  const counter: RedactionCount = { count: 0 };
  const createdAt = new Date(systemClock.now()).toISOString();
  const versions = {
    schemaVersion: 1,
    createdAt,
    clusterName: target.clusterName,
    runId: profile.runId ?? null,
    cauctl: VERSION,
    node: process.version,
    os: { type: osType(), release: release(), platform: process.platform, arch: arch() },
  };
  const readme =
    `cauctl debug trace of ${target.clusterName}, written ${createdAt} by cauctl ${VERSION}.\n` +
    `${profile.runId === undefined ? 'Every run in the state of the host that wrote it.' : `Run ${profile.runId} only.`}\n\n` +
    'versions.json  cauctl, Node and OS versions\n' +
    'journals/      <run>.jsonl: the write-ahead journal, one step per line (cauctl keeps no other log);\n' +
    '               <run>.meta.json: when it started, whether it was abandoned; <run>.profile.json: its options\n' +
    'history/       the result of each run, as get-report --detailed reads it\n\n' +
    'Secrets were replaced by [REDACTED] before archiving (values under secret-like keys, the path and query\n' +
    'of http(s) URLs, key=value secrets, Bearer/Basic credentials).\n';
  const entries: Zippable = {
    [`${ROOT}/README.txt`]: strToU8(readme),
    [`${ROOT}/versions.json`]: strToU8(`${JSON.stringify(versions, null, 2)}\n`),
  };
  for (const file of journals.files) entries[`${ROOT}/journals/${file.name}`] = strToU8(redactFile(file.name, file.text, counter));
  for (const file of history.files) entries[`${ROOT}/history/${file.name}`] = strToU8(redactFile(file.name, file.text, counter));
  const zip = zipSync(entries, { level: 6, mtime: new Date(createdAt) });
  try {
    writeFileAtomic(path, zip);
  } catch (error) {
    // Named by the path the user gave, not the temporary file beside it (which is removed).
    throw fsUserError(error, profile.path) ?? error;
  }
  const runIds = [...new Set([...journals.runIds, ...history.runIds])].sort();
  const files = Object.keys(entries).map((name) => name.slice(ROOT.length + 1));
  writeResult(resultEnvFor(globals, env.io), { schemaVersion: 1, clusterName: target.clusterName, path, runIds, files, redactedValues: counter.count }, () => {
    env.io.stderr.write(
      `Wrote the debug trace of ${plural(runIds.length, 'run')} of ${target.clusterName} to ${profile.path} (${plural(files.length, 'file')}, ${plural(counter.count, 'secret')} redacted).\n`,
    );
  });
  return ExitCode.ok;
}
