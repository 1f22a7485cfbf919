/** `cauctl export-report` (Export-CauReport): wiring only; the work is in action.ts. */
import { Command, Option } from 'commander';
import type { CommandEnv } from '../../command-env.js';
import { globalsOf } from '../../command-env.js';
import type { GlobalProfile } from '../../global-options.js';
import { examples } from '../../help.js';
import type { ReportQuery } from '../../../core/report-query.js';
import { addReportFilterOptions, HISTORY_HELP, type RawReportFilterOptions } from '../get-report/index.js';

export interface ExportReportProfile {
  /** Also export the run summaries the cluster carries (runs coordinated from other hosts). */
  readonly includeCluster?: boolean;
  readonly query: ReportQuery;
  readonly format: 'html' | 'csv';
  readonly path: string;
  /** IANA zone for timestamps (a Windows name given is mapped to it). @default 'UTC' */
  readonly timeZone: string;
  readonly force: boolean;
  /** Also write the exported reports to stdout (Export-CauReport -PassThru). @default false */
  readonly passThru: boolean;
  /** Export-CauReport -WhatIf: check and render, say what would be written, write nothing. @default false */
  readonly whatIf?: boolean;
}

export type ExportReportRunner = (profile: ExportReportProfile, globals: GlobalProfile, env: CommandEnv) => Promise<number>;

interface RawExportOptions extends RawReportFilterOptions {
  format: 'html' | 'csv';
  path: string;
  timeZone?: string;
  force?: boolean;
  passThru?: boolean;
  whatIf?: boolean;
}

export function buildExportReportCommand(env: CommandEnv, run?: ExportReportRunner): Command {
  const command = new Command('export-report').description(
    'Write past runs to a file (mirrors Export-CauReport): HTML with the cluster result, node results, update results and a per-node timeline, or CSV with one row per node per update. Every run in the history unless filtered.',
  );
  command
    .addOption(new Option('--format <format>', 'file format').choices(['html', 'csv']).makeOptionMandatory())
    .requiredOption('--path <file>', 'where to write the report')
    .option('--time-zone <zone>', 'time zone for the timestamps, IANA (Europe/Paris) or Windows (Romance Standard Time) (default UTC)')
    .option('-f, --force', 'overwrite the file if it exists')
    .option('--pass-thru', 'also write the exported reports to stdout: in full with --json (a reports array, as get-report --detailed --json), as get-report --detailed shows them otherwise')
    .option('--what-if', 'select and render the reports and say what would be written where (runs, bytes, whether a file is replaced), writing nothing; refused as the export would be (an existing file without --force is exit 2)');
  addReportFilterOptions(command)
    .addHelpText(
      'after',
      examples([
        ['the last simulated run as a web page', 'cauctl export-report --simulate --last --format html --path run.html'],
        ['the same times, with the zone as Windows names it', "cauctl export-report --simulate --last --format csv --path run.csv --time-zone 'Romance Standard Time'"],
        ['export the last run and read it in the same step', 'cauctl export-report --simulate --last --format html --path run.html --pass-thru --json'],
        ['every run of October, times in Paris, for a spreadsheet', 'cauctl export-report --cluster-name HCI01 --start-date 2024-10-01 --end-date 2024-10-31 --format csv --path october.csv --time-zone Europe/Paris'],
      ]) +
        '\nThe HTML file is self-contained: it loads nothing from the network and runs no script.\nAn existing file is never overwritten without --force (exit 2).\n' +
        HISTORY_HELP,
    )
    .action(async (opts: RawExportOptions, cmd: Command) => {
      const globals = globalsOf(cmd, env.io);
      const [{ parseReportQuery }, { assertTimeZone }] = await Promise.all([import('../../../core/report-query.js'), import('../../../platform/zone.js')]);
      const profile: ExportReportProfile = {
        query: parseReportQuery(opts),
        format: opts.format,
        path: opts.path,
        timeZone: assertTimeZone(opts.timeZone ?? 'UTC'),
        force: opts.force === true,
        passThru: opts.passThru === true,
        ...(opts.whatIf === true ? { whatIf: true } : {}),
        includeCluster: opts.includeCluster === true,
      };
      const runner = run ?? (await import('./action.js')).runExportReportCommand;
      env.setExitCode(await runner(profile, globals, env));
    });
  return command;
}
