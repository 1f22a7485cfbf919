/** `cauctl test-setup` (Test-CauSetup): wiring only; the work is in action.ts. */
import { Command } from 'commander';
import type { CommandEnv } from '../../command-env.js';
import { globalsOf } from '../../command-env.js';
import type { GlobalProfile } from '../../global-options.js';
import { examples } from '../../help.js';
import { ONE_SHOT_RETRY_HELP } from '../../one-shot-retry.js';

export interface TestSetupProfile {
  readonly fix: boolean;
  readonly force: boolean;
}

export type TestSetupRunner = (profile: TestSetupProfile, globals: GlobalProfile, env: CommandEnv) => Promise<number>;

export function buildTestSetupCommand(env: CommandEnv, run?: TestSetupRunner): Command {
  return new Command('test-setup')
    .description('Check that the cluster is ready for Cluster-Aware Updating (mirrors Test-CauSetup, plus quorum, storage, features and CredSSP checks). Each rule shows per-node detail and the exact PowerShell remedy.')
    .option('--fix', 'apply the safe remedies (Remote Shutdown firewall group, missing clustering features, CredSSP server role off), then check again')
    .option('-f, --force', 'apply --fix without asking')
    .addHelpText(
      'after',
      examples([
        ['check the built-in simulated cluster', 'cauctl test-setup --simulate'],
        ['check a model with setup problems, then fix the safe ones', 'cauctl test-setup --simulate fixtures/clusters/setup-problems.json --fix --force'],
        ['machine-readable', 'cauctl test-setup --simulate --json'],
      ]) + `\nExit code 5 when any Error-severity rule still fails.\n${ONE_SHOT_RETRY_HELP}\n`,
    )
    .action(async (opts: { fix?: boolean; force?: boolean }, cmd: Command) => {
      const globals = globalsOf(cmd, env.io);
      const runner = run ?? (await import('./action.js')).runTestSetupCommand;
      env.setExitCode(await runner({ fix: opts.fix === true, force: opts.force === true }, globals, env));
    });
}
