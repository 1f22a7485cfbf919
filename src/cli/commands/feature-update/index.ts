/** `cauctl feature-update` (the RollingUpgradePlugin flow): wiring only; the work is in action.ts. */
import { Command, Option } from 'commander';
import type { CommandEnv } from '../../command-env.js';
import { globalsOf } from '../../command-env.js';
import type { GlobalProfile } from '../../global-options.js';
import { examples } from '../../help.js';
import type { FeatureUpdateRequest } from './action.js';

export type FeatureUpdateRunner = (request: FeatureUpdateRequest, globals: GlobalProfile, env: CommandEnv) => Promise<number>;

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function buildFeatureUpdateCommand(env: CommandEnv, run?: FeatureUpdateRunner): Command {
  const command = new Command('feature-update')
    .description(
      'Upgrade every node to a new OS version, one node at a time (Microsoft.RollingUpgradePlugin): readiness, Test-Cluster, a same-offer scan, a coordinator outside the cluster, the rolling run, the Storage Replica second restart and, when asked, the functional level.',
    )
    .option('--wu-connected', "take the feature update from Windows Update (WuConnected='true')")
    .option('--path-to-setup-media <path>', "take it from the extracted setup media at this path on every node (WuConnected='false')")
    .addOption(new Option('--cau-plugin-arguments <hashtable>', "the plug-in's arguments as in Microsoft's docs: \"@{ WuConnected='true' }\"").argParser(collect))
    .option('--prepare', 'first run Set-WSManQuickConfig, Enable-PSRemoting and enable the Remote Shutdown firewall group on every node')
    .option('--update-cluster-functional-level', 'raise the cluster functional level at the end, only when every node runs the new build (cannot be undone)')
    .option('--storage-replica-restart', 'when Storage Replica is in use, restart every node a second time, one at a time, without asking')
    .option('--no-storage-replica-restart', 'when Storage Replica is in use, do not offer the second restart (do it later)')
    .option('--max-failed-nodes <n>', 'stop once more than this many nodes failed')
    .option('--max-retries-per-node <n>', 'retries of the whole per-node process (default 3)')
    .option('--reboot-timeout-minutes <n>', 'time for an upgrade restart and all auto-start services (default 60)')
    .option('--wait-for-storage-repair-timeout-minutes <n>', 'wait this long for storage repair after a node resumes (default 60)')
    .addOption(new Option('--failback-mode <mode>', 'how drained roles return on resume (default Immediate)').choices(['Immediate', 'Policy', 'NoFailback']))
    .addOption(new Option('--node-order <names>', 'upgrade these nodes first, in this order').argParser(collect))
    .option(
      '--resume',
      "continue the interrupted feature update of this cluster (a stop at a safe point, a closed terminal, a crash of cauctl, a failed node): no readiness, Test-Cluster or same-offer scan again (mid-upgrade the nodes run different builds), its rolling run continued from its journal, then the Storage Replica restart and the functional level, each done once; the source is the one it started with. With none it exits 5 and touches nothing; with several it names them for --run-id",
    )
    .option('--run-id <id>', "with --resume: the feature update to continue (its id, or its rolling run's)")
    .option('-f, --force', 'do not ask for confirmation (required when stdin is not a terminal)')
    .addHelpText(
      'after',
      examples([
        ['rehearse an upgrade of the built-in 4-node model', 'cauctl feature-update --simulate --wu-connected --force'],
        ['from setup media, raising the functional level at the end', "cauctl feature-update --cluster-name HCI01 --path-to-setup-media 'D:\\24H2' --update-cluster-functional-level --force"],
        ["as Microsoft's docs write it", "cauctl feature-update --simulate --cau-plugin-arguments \"@{ WuConnected='true' }\" --force --json"],
        ['continue one that was interrupted (Ctrl-C, SIGTERM, a crash)', 'cauctl feature-update --simulate --resume --force'],
      ]) +
        '\nStatus → exit code: Succeeded 0, PartiallyFailed 6, Failed or Canceled 3; refused before touching anything (readiness, Test-Cluster, mixed offers, coordinator in the cluster) 5; --resume with nothing to resume, or several without --run-id, 5.\n' +
        'Ctrl-C, SIGTERM and SIGHUP stop at the next safe point (the current node is finished and resumed); continue with --resume.\n',
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const globals = globalsOf(cmd, env.io);
      const { parseFeatureResumeProfile, parseFeatureUpdateProfile } = await import('../../../profiles/feature-profile.js');
      const opts = cmd.opts() as Record<string, unknown>;
      // commander's --no-x sets x to false; the profile wants the two flags apart.
      const raw = { ...opts, storageReplicaRestart: opts['storageReplicaRestart'] === true ? true : undefined, noStorageReplicaRestart: opts['storageReplicaRestart'] === false ? true : undefined };
      const request = opts['resume'] === true ? { resume: true as const, ...parseFeatureResumeProfile(raw) } : { resume: false as const, ...parseFeatureUpdateProfile(raw) };
      const runner = run ?? (await import('./action.js')).runFeatureUpdateCommand;
      env.setExitCode(await runner(request, globals, env));
    });
  return command;
}
