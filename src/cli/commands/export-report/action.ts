/** The body of `cauctl export-report`: select runs from the history, render HTML or CSV, write the file. */
import { existsSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ExitCode, usageError } from '../../../errors.js';
import { renderCsvReport } from '../../../output/report-csv.js';
import { renderHtmlReport } from '../../../output/report-html.js';
import { plural } from '../../../output/format.js';
import { writeResult } from '../../../output/result.js';
import { systemClock } from '../../../platform/clock.js';
import { fsUserError, writeFileAtomic } from '../../../platform/fs.js';
import { VERSION } from '../../../version.js';
import type { CommandEnv } from '../../command-env.js';
import { resultEnvFor } from '../../context.js';
import type { GlobalProfile } from '../../global-options.js';
import type { ExportReportProfile } from './index.js';
import { printDetailed, readHistory, resolveHistoryTarget, selectOrExplain } from '../get-report/action.js';

export async function runExportReportCommand(profile: ExportReportProfile, globals: GlobalProfile, env: CommandEnv): Promise<number> {
  const path = resolve(profile.path);
  // Checked before anything is read, so a mistyped path never costs the user a file.
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw usageError('REPORT_PATH_IS_FOLDER', `${profile.path} is a folder; nothing was written.`, { hint: `Give a file path, for example --path ${join(profile.path, `report.${profile.format}`)}` });
  }
  if (existsSync(path) && !profile.force) {
    throw usageError('REPORT_FILE_EXISTS', `${profile.path} already exists; nothing was written.`, { hint: 'Add --force to overwrite it, or choose another --path.' });
  }
  const target = await resolveHistoryTarget(globals, env.io);
  const history = await readHistory(target, env.io, profile.includeCluster ? { globals } : undefined);
  const selected = selectOrExplain(history, profile.query, env.io);
  if (selected === undefined) {
    throw usageError('NO_REPORTS', `No report to export for ${target.clusterName}; nothing was written.`, { hint: 'List the runs with: cauctl get-report' });
  }
  const content =
    profile.format === 'html'
      ? renderHtmlReport(selected, { timeZone: profile.timeZone, generatedAt: new Date(systemClock.now()).toISOString(), version: VERSION })
      : renderCsvReport(selected, { timeZone: profile.timeZone });
  if (profile.whatIf === true) {
    const replaces = existsSync(path);
    const bytes = Buffer.byteLength(content, 'utf8');
    const document = { schemaVersion: 1, whatIf: true, clusterName: target.clusterName, format: profile.format, path, timeZone: profile.timeZone, runIds: selected.map((r) => r.runId), bytes, replaces };
    writeResult(resultEnvFor(globals, env.io), document, (out) => {
      out.line(`What if: export-report would write the ${profile.format.toUpperCase()} report of ${plural(selected.length, 'run')} of ${target.clusterName} (${bytes} bytes) to ${profile.path}${replaces ? ', replacing the file there' : ''}. Nothing was written.`);
    });
    return ExitCode.ok;
  }
  try {
    writeFileAtomic(path, content);
  } catch (error) {
    // Named by the path the user gave, not the temporary file beside it (which is removed).
    throw fsUserError(error, profile.path) ?? error;
  }
  // People get the confirmation on stderr, so stdout stays empty for a redirect, unless --pass-thru asks
  // for the reports there too (Export-CauReport -PassThru), in the file's time zone.
  const document = { schemaVersion: 1, clusterName: target.clusterName, format: profile.format, path, timeZone: profile.timeZone, runIds: selected.map((r) => r.runId), ...(profile.passThru ? { reports: selected } : {}) };
  writeResult(resultEnvFor(globals, env.io), document, (out) => {
    env.io.stderr.write(`Wrote the ${profile.format.toUpperCase()} report of ${plural(selected.length, 'run')} of ${target.clusterName} to ${profile.path}.\n`);
    if (profile.passThru) printDetailed(selected, out, profile.timeZone);
  });
  return ExitCode.ok;
}
