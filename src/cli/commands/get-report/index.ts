/** `cauctl get-report` (Get-CauReport): wiring only; the work is in action.ts, loaded when it runs. */
import { Command } from 'commander';
import type { CommandEnv } from '../../command-env.js';
import { globalsOf } from '../../command-env.js';
import type { GlobalProfile } from '../../global-options.js';
import { examples } from '../../help.js';
import type { ReportQuery } from '../../../core/report-query.js';

export interface GetReportProfile {
  readonly query: ReportQuery;
  readonly detailed: boolean;
  /** Also list the run summaries the cluster carries (runs coordinated from other hosts). */
  readonly includeCluster?: boolean;
}

export type GetReportRunner = (profile: GetReportProfile, globals: GlobalProfile, env: CommandEnv) => Promise<number>;

export interface RawReportFilterOptions {
  last?: boolean;
  startDate?: string;
  endDate?: string;
  runId?: string;
  includeCluster?: boolean;
}

/** The filters get-report and export-report share (Get-CauReport's parameter sets). */
export function addReportFilterOptions(command: Command): Command {
  return command
    .option('--last', 'only the most recent run')
    .option('--start-date <date>', 'runs that started on or after this date (2024-10-01, or ISO-8601 with a time; UTC unless an offset is given)')
    .option('--end-date <date>', 'runs that started on or before this date (a date alone includes the whole day)')
    .option('--run-id <id>', 'one run, by its id or the start of it')
    .option('--include-cluster', "also read the summaries of the last runs that the cluster carries (runs coordinated from other hosts; connects to the cluster)");
}

export const HISTORY_HELP = `
Reports come from this host's run history (the state directory, beside the journals): every run coordinated
from this host is saved there. A run coordinated from another host is in that host's history; the cluster
itself carries a summary of its last 10 runs (node statuses and counts, no update detail), which
--include-cluster adds to the list; the run in progress is shown by cauctl get-run.
`;

export function buildGetReportCommand(env: CommandEnv, run?: GetReportRunner): Command {
  const command = new Command('get-report').description(
    'List past updating runs of a cluster (mirrors Get-CauReport): one line per run by default, or full node and update results with --detailed.',
  );
  addReportFilterOptions(command)
    .option('--detailed', 'full results: every node, its attempts, errors and update install results')
    .addHelpText(
      'after',
      examples([
        ['runs of the simulated cluster', 'cauctl get-report --simulate'],
        ['the last run, in full, as JSON', 'cauctl get-report --simulate --last --detailed --json'],
        ['runs started in October 2024', 'cauctl get-report --cluster-name HCI01 --start-date 2024-10-01 --end-date 2024-10-31'],
        ['one run', 'cauctl get-report --cluster-name HCI01 --run-id 758c13d5 --detailed'],
      ]) + HISTORY_HELP,
    )
    .action(async (opts: RawReportFilterOptions & { detailed?: boolean }, cmd: Command) => {
      const globals = globalsOf(cmd, env.io);
      const { parseReportQuery } = await import('../../../core/report-query.js');
      const profile: GetReportProfile = { query: parseReportQuery(opts), detailed: opts.detailed === true, includeCluster: opts.includeCluster === true };
      const runner = run ?? (await import('./action.js')).runGetReportCommand;
      env.setExitCode(await runner(profile, globals, env));
    });
  return command;
}
