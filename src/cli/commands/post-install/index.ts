/** `cauctl post-install` (the finishing steps after a feature update): wiring only; the work is in action.ts. */
import { Command, Option } from 'commander';
import type { PostInstallProfile } from '../../../core/post-install.js';
import type { PostInstallMode } from '../../../profiles/feature-profile.js';
import type { CommandEnv } from '../../command-env.js';
import { globalsOf } from '../../command-env.js';
import type { GlobalProfile } from '../../global-options.js';
import { examples } from '../../help.js';

export type PostInstallRunner = (profile: PostInstallProfile, mode: PostInstallMode, globals: GlobalProfile, env: CommandEnv) => Promise<number>;

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function buildPostInstallCommand(env: CommandEnv, run?: PostInstallRunner): Command {
  const command = new Command('post-install')
    .description(
      'Finish a feature update: Update-ClusterFunctionalLevel (feasibility first), Update-StoragePool on every non-primordial pool, optionally VM configuration versions and a live-migration test, then Test-Cluster. Each step is shown; a step already done is reported and skipped, so it can be run again.',
    )
    .option('--what-if', 'show what each step would do and touch nothing')
    .option('-f, --force', 'do the irreversible steps without asking (otherwise the cluster name is typed back on a terminal)')
    .addOption(new Option('--update-vm-version <names|all>', 'update the configuration version of these VMs (comma-separated, or all)').argParser(collect))
    .option('--stop-vms', 'stop running VMs for their update and start them again (otherwise only stopped VMs are updated)')
    .option('--test-live-migration', 'move one running VM to another node and back')
    .addHelpText(
      'after',
      examples([
        ['see what is left to do', 'cauctl post-install --simulate --what-if'],
        ['finish a rehearsed upgrade', 'cauctl post-install --simulate --force --json'],
        ['also update every VM, stopping running ones', 'cauctl post-install --simulate --force --update-vm-version all --stop-vms --test-live-migration'],
      ]) + '\nStatus → exit code: Succeeded 0, PartiallyFailed 6, Failed 3; refused before touching anything (nodes not all Up on the new build, not confirmed) 5; --force missing off a terminal 2.\n',
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const globals = globalsOf(cmd, env.io);
      const { parsePostInstallProfile } = await import('../../../profiles/feature-profile.js');
      const { profile, mode } = parsePostInstallProfile(cmd.opts());
      const runner = run ?? (await import('./action.js')).runPostInstallCommand;
      env.setExitCode(await runner(profile, mode, globals, env));
    });
  return command;
}
