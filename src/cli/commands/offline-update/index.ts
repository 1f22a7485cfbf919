/** `cauctl offline-update` (the documented "fast, offline" update): wiring only; the body is action.ts. */
import { Command } from 'commander';
import type { CommandEnv } from '../../command-env.js';
import { globalsOf } from '../../command-env.js';
import type { GlobalProfile } from '../../global-options.js';
import { examples } from '../../help.js';
import type { OfflineProfile } from '../../../core/offline-update.js';
import type { OfflineMode } from '../../../profiles/offline-profile.js';
import { addPluginOptions } from '../scan/index.js';

export type OfflineRunner = (profile: OfflineProfile, mode: OfflineMode, globals: GlobalProfile, env: CommandEnv) => Promise<number>;

export function buildOfflineUpdateCommand(env: CommandEnv, run?: OfflineRunner): Command {
  const command = new Command('offline-update').description(
    'Update every node at once, with downtime, inside a maintenance window: virtual disks offline, Stop-Cluster, cluster service Disabled, install and restart all nodes in parallel, then always bring the cluster back (service Automatic, Start-Cluster, the same disks online, storage watched).',
  );
  addPluginOptions(command)
    .option('--maintenance-window <start-end>', 'refuse to start outside this window: local times (22:00-04:00) or ISO instants (2025-01-04T22:00Z/2025-01-05T04:00Z)')
    .option('-f, --force', 'no window check and no typed confirmation (required off a terminal unless --maintenance-window is given)')
    .option('--allow-missing-nodes', 'go on when nodes cannot be reached; they are left alone and reported as not updated')
    .option('--reboot-timeout-minutes <n>', 'time for each restart and its auto-start services (default 15)')
    .option('--storage-timeout-minutes <n>', 'time for quorum and a Healthy pool after Start-Cluster, and for Healthy storage at the end (default 30)')
    .option('--resume', 'continue the interrupted offline update of this cluster from its journal (completes the update or the restore); with none it exits 5 and touches nothing, with several it names them for --run-id')
    .option('--run-id <id>', 'with --resume: the interrupted offline update to continue (cauctl get-report lists runs)')
    .addHelpText(
      'after',
      examples([
        ['rehearse on the built-in model', 'cauctl offline-update --simulate --force'],
        ['scheduled inside a nightly window, JSON result', 'cauctl offline-update --cluster-name HCI01 --maintenance-window 22:00-04:00 --json'],
        ['bring the cluster back after a crash of cauctl', 'cauctl offline-update --simulate --resume --force'],
      ]) + '\nStatus → exit code: Succeeded 0; PartiallyFailed 6 (some nodes failed, the cluster is back); Failed, Canceled or restore incomplete 3; refused before touching anything (outside the window, a node unreachable) 5; no --force or window off a terminal 2.\n',
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const globals = globalsOf(cmd, env.io);
      const { parseOfflineProfile } = await import('../../../profiles/offline-profile.js');
      const { profile, mode } = parseOfflineProfile(cmd.opts());
      const runner = run ?? (await import('./action.js')).runOfflineUpdateCommand;
      env.setExitCode(await runner(profile, mode, globals, env));
    });
  return command;
}
