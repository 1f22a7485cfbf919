/** `cauctl stop-run` (Stop-CauRun): wiring only; the work is in action.ts, loaded when the command runs. */
import { Command } from 'commander';
import type { CommandEnv } from '../../command-env.js';
import { globalsOf } from '../../command-env.js';
import { examples } from '../../help.js';

export function buildStopRunCommand(env: CommandEnv): Command {
  return new Command('stop-run')
    .description('Cancel the run in progress (mirrors Stop-CauRun) at its next safe point: the current node is finished and resumed, no further node is touched, and the remaining nodes are Canceled.')
    .option('--wait', 'wait until the canceled run has ended')
    .option('-f, --force', 'accepted for compatibility with Stop-CauRun; stop-run never prompts')
    .addHelpText('after', examples([['stop the simulated run from another terminal and wait for it', 'cauctl stop-run --simulate --wait']]) + '\nPrints RunNotInProgress (exit 0) when there is nothing to stop.\n')
    .action(async (opts: { wait?: boolean }, cmd: Command) => {
      const globals = globalsOf(cmd, env.io);
      const { runStopRunCommand } = await import('./action.js');
      env.setExitCode(await runStopRunCommand({ wait: opts.wait === true }, globals, env));
    });
}
