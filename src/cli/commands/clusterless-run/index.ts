/** `cauctl clusterless-run` (Invoke-ClusterlessCauRun): wiring only; the work is in action.ts, loaded when the command runs. */
import { Command, Option } from 'commander';
import type { CommandEnv } from '../../command-env.js';
import { globalsOf } from '../../command-env.js';
import { SIGNALS_HELP, examples } from '../../help.js';
import type { RebootMode } from '../../../core/types.js';
import { addPluginOptions, registeredPluginContext } from '../scan/index.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/**
 * --reboot-mode as clusterless-run reads it (core/types.ts REBOOT_MODE_MEANING is run's): there is no
 * --attempt-soft-reboot here, and a standalone server has no cluster property, so only SoftReboot is soft.
 */
const REBOOT_MODE_MEANING: Readonly<Record<RebootMode, string>> = {
  FullReboot: 'a full restart (firmware included), as without --reboot-mode',
  SoftReboot: 'a Kernel Soft Reboot where the server supports it (a server that cannot falls back to a full restart)',
  OrchestratorDefault: "cauctl's default: a full restart",
  ClusProp: 'UNCONFIRMED (presumably a cluster property; a standalone server has none): a full restart',
  PluginCustomReboot: "UNCONFIRMED (presumably the plug-in restarts the server itself); cauctl's plug-ins never restart a server, so cauctl restarts it fully",
};

export function buildClusterlessRunCommand(env: CommandEnv): Command {
  const command = new Command('clusterless-run').description(
    'Update standalone servers that are in no cluster (mirrors Invoke-ClusterlessCauRun, Windows Server 2025): one server at a time, in the order given: pre-update script, install, restart, wait for it, rescan for follow-ups, post-update script, next server. No drain and no storage gate (there is no cluster); the same plug-ins, scripts, retries, reboot timeout, MaxFailedNodes budget, journal, --resume, reports and JSON result as cauctl run. A cluster node is refused (update it with cauctl run).',
  );
  command
    .addOption(new Option('--computer-name <names>', 'the standalone servers to update, comma-separated or repeated, updated one at a time in this order (required, except with --resume or --force-recovery)').argParser(collect))
  addPluginOptions(command, true)
    .option('--max-failed-nodes <n>', 'stop once more than this many servers failed (default: a third of the servers, rounded down); a failed server counts, and the run goes on while within it')
    .option('--max-retries <n>', 'retries of the whole per-server process, 0-64 (default 3); a server that did not come back from its restart is not retried')
    .option('--pre-update-script <path>', '.ps1 run on each server before its updates; if it fails the server is not updated')
    .option('--post-update-script <path>', '.ps1 run on each server after its updates and restarts')
    .option('--configuration-name <name>', 'PowerShell session configuration for the scripts (default Microsoft.PowerShell)')
    .option('--reboot-timeout-minutes <n>', 'time for a restart and all auto-start services (default 15)')
    .option('--enable-firewall-rules', 'enable the Remote Shutdown firewall group on every server first')
    .option('--reboot-mode <mode>', `the restart each server gets (its kind shows in nodeResults[].nodeRebootResult.bootType). ${Object.entries(REBOOT_MODE_MEANING).map(([mode, meaning]) => `${mode}: ${meaning}`).join('. ')}.`)
    .option('-f, --force', 'do not ask for confirmation (required when stdin is not a terminal)')
    .option('--resume', 'continue the clusterless run of this state directory whose coordinator died, from its journal (its servers and order come from the journal); with nothing to resume it exits 5 and touches nothing')
    .option('--run-id <id>', 'with --resume: the interrupted run to continue when no lock names one (cauctl get-report lists runs)')
    .option('--force-recovery', 'clear the local lock left by a dead clusterless coordinator and abandon its run, which --resume then never revives (a live lock is never cleared)')
    .option('--recover', "the same as --force-recovery (CAU's alias -Recover)")
    .addHelpText(
      'after',
      examples([
        ['rehearse on three simulated standalone servers (SRV2 fails)', 'cauctl clusterless-run --simulate fixtures/clusters/standalone-3.json --computer-name SRV1,SRV2,SRV3 --force'],
        ['real servers, scripted: no prompt, JSON result', 'cauctl clusterless-run --computer-name WEB1,WEB2 --username CONTOSO\\admin --force --json'],
        ['continue after a crash', 'cauctl clusterless-run --simulate fixtures/clusters/standalone-3.json --resume --force'],
        ['see it from a second terminal', 'cauctl get-clusterless-run --simulate fixtures/clusters/standalone-3.json'],
      ]) +
        SIGNALS_HELP.replace('the current node is finished and resumed, no further node is touched', 'the current server is finished, no further server is touched') +
        '\n\nOne clusterless run at a time per state directory: its lock is kept there (there is no cluster to keep it in), so two coordinators on two hosts are not kept apart. On real servers its journals and reports are filed under the name CLUSTERLESS (cauctl get-report --cluster-name CLUSTERLESS); on the simulator under the model\'s name.\n' +
        'Status → exit code: Succeeded 0, PartiallyFailed 6, Failed or Canceled 3; refused before touching anything 5; bad input 2.\n',
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const globals = globalsOf(cmd, env.io);
      const { runClusterlessRunCommand } = await import('./action.js');
      const pluginContext = await registeredPluginContext(cmd.opts(), env);
      env.setExitCode(await runClusterlessRunCommand(cmd.opts(), globals, env, pluginContext));
    });
  return command;
}
