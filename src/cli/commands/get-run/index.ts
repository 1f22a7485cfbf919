/** `cauctl get-run` (Get-CauRun) and its body: the run in progress, from any host. */
import { Command } from 'commander';
import type { CommandEnv } from '../../command-env.js';
import { globalsOf } from '../../command-env.js';
import { examples } from '../../help.js';

export function buildGetRunCommand(env: CommandEnv): Command {
  return new Command('get-run')
    .description('Show the run in progress (mirrors Get-CauRun): run id, start time, coordinator, and every node of the run with its phase or result (Waiting for the nodes not reached yet). Works from any host: off the coordinating host it reads the progress the cluster lock carries.')
    .option('--wait-for-start', 'wait until a run is in progress, then show it')
    .option('--wait-for-completion', 'stream updates until the run ends')
    .option('--show-cluster-node-state', 'show each node\'s cluster state and the raw lock objects (to debug leftover locks)')
    .addHelpText(
      'after',
      examples([
        ['snapshot', 'cauctl get-run --simulate'],
        ['follow a run from a second terminal, as JSON lines', 'cauctl get-run --simulate --wait-for-completion --json'],
      ]) +
        '\nPrints RunNotInProgress (exit 0) when no run is in progress; RunFailed when a coordinator died holding the lock.\n' +
        'Additional exit codes: 3 for RunFailed, and with --wait-for-completion when the run ends Failed or Canceled; 6 when it ends PartiallyFailed (as cauctl run would exit).\n',
    )
    .action(async (opts: { waitForStart?: boolean; waitForCompletion?: boolean; showClusterNodeState?: boolean }, cmd: Command) => {
      const globals = globalsOf(cmd, env.io);
      const { runGetRunCommand } = await import('./action.js');
      env.setExitCode(await runGetRunCommand({ waitForStart: opts.waitForStart === true, waitForCompletion: opts.waitForCompletion === true, showClusterNodeState: opts.showClusterNodeState === true }, globals, env));
    });
}
