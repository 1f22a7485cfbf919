/** `cauctl get-clusterless-run` (Get-ClusterlessCauRun): the clusterless run in progress, from this state directory. */
import { Command } from 'commander';
import type { CommandEnv } from '../../command-env.js';
import { globalsOf } from '../../command-env.js';
import { examples } from '../../help.js';

export function buildGetClusterlessRunCommand(env: CommandEnv): Command {
  return new Command('get-clusterless-run')
    .description('Show the clusterless run in progress (mirrors Get-ClusterlessCauRun): run id, start time, coordinator, and every server of the run with its phase or result (Waiting for the servers not reached yet), in the shape of cauctl get-run. It reads the lock the run keeps in this state directory (standalone servers have no cluster to keep it in), so it sees runs coordinated from this host and state directory only.')
    .option('--wait-for-start', 'wait until a clusterless run is in progress, then show it')
    .option('--wait-for-completion', 'stream updates until the run ends')
    .addHelpText(
      'after',
      examples([
        ['snapshot of a rehearsal', 'cauctl get-clusterless-run --simulate fixtures/clusters/standalone-3.json'],
        ['follow it as JSON lines', 'cauctl get-clusterless-run --simulate fixtures/clusters/standalone-3.json --wait-for-completion --json'],
        ['real servers (runs are filed under CLUSTERLESS)', 'cauctl get-clusterless-run --json'],
      ]) +
        '\nPrints RunNotInProgress (exit 0) when no clusterless run is in progress; RunFailed when its coordinator died holding the lock (continue it with cauctl clusterless-run --resume).\n' +
        'Additional exit codes: 3 for RunFailed, and with --wait-for-completion when the run ends Failed or Canceled; 6 when it ends PartiallyFailed (as cauctl clusterless-run would exit).\n',
    )
    .action(async (opts: { waitForStart?: boolean; waitForCompletion?: boolean }, cmd: Command) => {
      const globals = globalsOf(cmd, env.io);
      const { runGetClusterlessRunCommand } = await import('./action.js');
      env.setExitCode(await runGetClusterlessRunCommand({ waitForStart: opts.waitForStart === true, waitForCompletion: opts.waitForCompletion === true, showClusterNodeState: false }, globals, env));
    });
}
