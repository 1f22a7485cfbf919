/** `cauctl scan` (Invoke-CauScan): wiring only; the work is in action.ts, loaded when the command runs. */
import { Command, Option } from 'commander';
import type { CommandEnv } from '../../command-env.js';
import { globalsOf } from '../../command-env.js';
import type { GlobalProfile } from '../../global-options.js';
import { examples } from '../../help.js';
import { ONE_SHOT_RETRY_HELP } from '../../one-shot-retry.js';
import { REBOOT_MODE_MEANING } from '../../../core/types.js';
import type { PluginContext, ScanProfile } from '../../../profiles/scan-profile.js';

export type ScanRunner = (profile: ScanProfile, globals: GlobalProfile, env: CommandEnv) => Promise<number>;

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** The registered script plug-ins the command names (read from the state directory only when one is named). */
export async function registeredPluginContext(opts: { cauPluginName?: string[] }, env: CommandEnv): Promise<PluginContext> {
  const names = opts.cauPluginName ?? [];
  if (names.length === 0) return { scriptPlugins: [] };
  const [{ scriptPluginsNamed }, { resolveStateDir }] = await Promise.all([import('../../../plugins/registry.js'), import('../../../platform/fs.js')]);
  return { scriptPlugins: scriptPluginsNamed(resolveStateDir(env.io.env as NodeJS.ProcessEnv, env.io.platform), names) };
}

/** The plug-in options; `scriptPlugins`: the command also runs registered script plug-ins (scan, run). */
export function addPluginOptions(command: Command, scriptPlugins = false): Command {
  const which = scriptPlugins ? 'a built-in, or a script plug-in registered with register-plugin (docs/plugins.md)' : 'a built-in';
  return command
    .addOption(new Option('--cau-plugin-name <name>', `plug-in to use: ${which}; repeat, or A,B as CAU takes it, for several, in order (default Microsoft.WindowsUpdatePlugin)`).argParser(collect))
    .addOption(new Option('--cau-plugin-arguments <hashtable>', "plug-in arguments as @{ 'Name'='Value' } or Name=Value; repeat, or @{},@{...}, matched to plug-ins by position").argParser(collect))
    .option('--run-plugins-serially', 'scan and stage one plug-in after the other (needs two or more plug-ins)')
    .option('--stop-on-plugin-failure', 'skip the remaining plug-ins on a node when one fails (needs two or more plug-ins)');
}

export function buildScanCommand(env: CommandEnv, run?: ScanRunner): Command {
  const command = new Command('scan')
    .description('List the updates each node would install (mirrors Invoke-CauScan). Nodes are scanned in parallel; a failed node is reported beside the others.')
    .addHelpText(
      'after',
      examples([
        ['scan the built-in simulated cluster', 'cauctl scan --simulate'],
        ['machine-readable, drivers only', `cauctl scan --simulate --json --cau-plugin-arguments "@{ 'QueryString'=\\"IsInstalled=0 and Type='Driver' and IsHidden=0\\" }"`],
        ['check that every node is offered the same feature update', "cauctl scan --simulate --cau-plugin-name Microsoft.RollingUpgradePlugin --cau-plugin-arguments \"@{ 'WuConnected'='true' }\""],
      ]) + '\nAdditional exit codes: 5 when RollingUpgradePlugin finds nodes offered different feature updates; 6 when some node could not be scanned.\n' + `${ONE_SHOT_RETRY_HELP}\n`,
    );
  addPluginOptions(command, true)
    .option('--attempt-soft-reboot', "show the restart a run with --attempt-soft-reboot would bring: each update's Reboot column and JSON restartKind read soft (Kernel Soft Reboot, quality updates only) or full (a feature update); nothing is restarted by a scan")
    .option(
      '--reboot-mode <mode>',
      `show the restart a run with this --reboot-mode would bring (soft or full per update, as above). ${Object.entries(REBOOT_MODE_MEANING).map(([mode, meaning]) => `${mode}: ${meaning}`).join('. ')}.`,
    )
    .action(async (_opts: unknown, cmd: Command) => {
    const globals = globalsOf(cmd, env.io);
    const { parseScanProfile } = await import('../../../profiles/scan-profile.js');
    const profile = parseScanProfile(cmd.opts(), await registeredPluginContext(cmd.opts(), env));
    const runner = run ?? (await import('./action.js')).runScanCommand;
    env.setExitCode(await runner(profile, globals, env));
  });
  return command;
}
