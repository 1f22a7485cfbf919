/** `cauctl run` (Invoke-CauRun): wiring only; the work is in action.ts, loaded when the command runs. */
import { Command, Option } from 'commander';
import type { CommandEnv } from '../../command-env.js';
import { globalsOf } from '../../command-env.js';
import type { GlobalProfile } from '../../global-options.js';
import { SIGNALS_HELP, examples } from '../../help.js';
import type { RunProfile } from '../../../core/types.js';
import { REBOOT_MODE_MEANING } from '../../../core/types.js';
import type { RunMode } from '../../../profiles/run-profile.js';
import { addPluginOptions, registeredPluginContext } from '../scan/index.js';

/** Where the run's progress is announced besides the terminal. */
export interface RunNotifyOptions {
  /** --notify-webhook (CAUCTL_WEBHOOK_URL) or --notify-webhook-file: posts run start, node results and run end as JSON. */
  readonly webhook?: URL;
}

export type RunRunner = (profile: RunProfile, mode: RunMode, globals: GlobalProfile, env: CommandEnv, notify?: RunNotifyOptions) => Promise<number>;

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

export function buildRunCommand(env: CommandEnv, run?: RunRunner): Command {
  const command = new Command('run').description(
    'Update the cluster one node at a time (mirrors Invoke-CauRun): drain, install, restart, wait, resume, wait for storage, next node. Enforces MaxFailedNodes, MaxRetriesPerNode and RequireAllNodesOnline, and never drains a node while storage or quorum is at risk.',
  );
  command.configureHelp({ optionTerm: (option) => (option.long === '--notify-webhook' ? '--notify-webhook' : option.flags) });
  addPluginOptions(command, true)
    .option('--max-failed-nodes <n>', 'stop once more than this many nodes failed (default: a third of the nodes, rounded down)')
    .option('--max-retries-per-node <n>', 'retries of the whole per-node process, 0-64 (default 3)')
    .addOption(new Option('--node-order <names>', 'update these nodes first, in this order (comma-separated or repeated)').argParser(collect))
    .addOption(new Option('--site-aware-updating-order <sites>', "update the nodes site by site (each node's Site fault domain, Get-ClusterFaultDomain): every node of the first site, then the next; comma-separated or repeated. Every site of the cluster must be named and every node must be in a site, otherwise the run is refused (exit 2) before anything is touched; --node-order and the fewest-roles rule order the nodes inside each site").argParser(collect))
    .option('--pre-update-script <path>', '.ps1 run on each node before it is drained; if it fails the node is not updated')
    .option('--post-update-script <path>', '.ps1 run on each node after it is resumed')
    .option('--configuration-name <name>', 'PowerShell session configuration for the scripts (default Microsoft.PowerShell)')
    .option('--require-all-nodes-online', 'refuse to start unless every node is online')
    .option('--warn-after <duration>', 'warn when the run is still going after this long (01:30:00, 90m, 2h)')
    .option('--stop-after <duration>', 'stop at the next safe point after this long')
    .option('--reboot-timeout-minutes <n>', 'time for a restart and all auto-start services (default 15)')
    .option('--separate-reboots', "restart after each plug-in's installs (needs two or more plug-ins)")
    .option('--enable-firewall-rules', 'enable the Remote Shutdown firewall group on every node first')
    .addOption(new Option('--failback-mode <mode>', 'how drained roles return on resume (default Immediate)').choices(['Immediate', 'Policy', 'NoFailback']))
    .option('--suspend-cluster-node-timeout-minutes <n>', 'keep retrying a suspend refused for degraded storage this long (default 30)')
    .option('--wait-for-storage-repair-timeout-minutes <n>', 'wait this long for storage repair after a node resumes (default 60)')
    .option('--force-pause-and-drain', 'force the drain: VMs that cannot move live (no room, not live-migratable) are stopped and moved as failed roles; a capacity shortfall is then named before the run starts instead of refusing it, and each node\'s result lists the VMs stopped (explicit only, never a default)')
    .option('--force-pause-no-drain', 'pause each node without moving its roles: they stay on it and go down while it installs and restarts. The run names them before it starts, does not refuse for capacity, and each node\'s result (forced.rolesDown) lists them')
    .option('--force-pause-drain-and-reboot', 'drain as usual, but when a drain fails (DrainStatus Failed) keep the node paused, update and restart it anyway, and list the roles that went down in its result (forced.rolesDown); a drain that only times out is still undone. The three --force-pause-* switches exclude each other')
    .option('--attempt-soft-reboot', 'use Kernel Soft Reboot for this run')
    .option('--reboot-mode <mode>', `the restart each node gets (its kind shows in nodeResults[].nodeRebootResult.bootType). ${Object.entries(REBOOT_MODE_MEANING).map(([mode, meaning]) => `${mode}: ${meaning}`).join('. ')}.`)
    .option('--suspend-retries-per-node <n>', 'suspends tried on a node before its attempt fails, 1-64: a failed drain is undone (NoFailback) and the suspend sent again; not counted in --max-retries-per-node (default 1; CAU\'s default is undocumented)')
    .option('--skip-update-checks', "CAU only says 'skips update checks' (UNCONFIRMED). cauctl's reading: no rescan in maintenance mode after a node's installs, so each node installs what the run's scan found, once; updates that become applicable only afterwards (follow-ups) wait for the next run, and a node's result rests on its install results alone. Every safety check (quorum, storage, drain, capacity) still runs")
    .option('--disable-soft-reboot', 'use a full restart for this run (the default)')
    .option('--pre-install', "canary, then pre-install: the first node with updates goes through the whole cycle; if it succeeds, the other nodes install their Software updates of the Windows Update plug-in while they still serve, with no restart, and each node's maintenance window then holds only the drain, the restart, a rescan (follow-ups, drivers, hotfixes and script plug-ins install there), the resume and the resync. Trade-off: nodes carry installed, not yet active updates for longer, as a Windows Update 'install now, restart later' policy does. A failed pre-install is a failed attempt of that node, retried in its window; a failed canary falls back to the serial run")
    .option('--pre-install-concurrency <n>', 'with --pre-install: nodes that pre-install at once, 1-64 (default: all)')
    .option('--max-concurrent-nodes <k>', 'nodes in maintenance at once, 1-64 (default 1): a group of up to k leaves together only while the other nodes can host all their running VMs, quorum survives with all k down (witness included), no more nodes could fail than MaxFailedNodes allows and, on Storage Spaces Direct, every node of the group sits in one chassis or rack whose level every virtual disk\'s FaultDomainAwareness reaches, with storage Healthy first (otherwise S2D stays at one node). --what-if shows the groups')
    .option('-f, --force', 'do not ask for confirmation (required when stdin is not a terminal)')
    .option('--what-if', 'print the ordered plan with predicted durations and the capacity check of each drain, touching nothing; exits 5 when the run would be refused, 2 when the options do not fit the cluster')
    .option('--resume', "continue the run that holds this cluster's lock (a coordinator that died), from its journal, after re-reading the cluster; with nothing to resume it exits 5 and touches nothing")
    .option('--run-id <id>', 'with --resume: the interrupted run to continue when no lock names one (cauctl get-report lists runs)')
    // `[url]` only to catch a URL typed on the command line and refuse it with a clear message (webhook-url.ts);
    // help shows the flag alone.
    .option('--notify-webhook [url]', "post the run's start, each node's result and the run's end as JSON to the web hook URL in CAUCTL_WEBHOOK_URL (Teams, Slack, any web hook); retried, never blocks or fails the run. The URL is the hook's secret, so one typed on the command line is refused")
    .option('--notify-webhook-file <path>', 'the same, with the URL on the first line of this file (readable by you only)')
    .option('--force-recovery', "clear a cluster lock left by a dead coordinator and abandon its run, which --resume then never revives (a live lock is never cleared)")
    .option('--recover', 'the same as --force-recovery (CAU\'s alias -Recover)')
    .option('--clear-corrupt-reports', 'with --force-recovery: first move damaged run journals and history files (and a journal\'s sidecars) aside into a quarantine/ folder beside them, never deleting them, and list each move')
    .option('--suspend-node <name>', 'single-node maintenance: drain this node under the rolling run\'s preconditions and leave it paused')
    .option('--resume-node <name>', 'single-node maintenance: wait for storage jobs, resume this node with failback, check storage health')
    .addHelpText(
      'after',
      examples([
        ['rehearse a run on the built-in model', 'cauctl run --simulate --force'],
        ['see the plan and predicted durations first', 'cauctl run --simulate --what-if'],
        ['watch it at 300x in real time', 'cauctl run --simulate --sim-speed 300 --force'],
        ['a scripted run: no prompt, JSON result', 'cauctl run --cluster-name HCI01 --username CONTOSO\\admin --force --json'],
        ['continue after a crash', 'cauctl run --simulate --resume --force'],
        ['pause one node for manual work, then bring it back', 'cauctl run --simulate --suspend-node NODE2 --force   then   cauctl run --simulate --resume-node NODE2 --force'],
      ]) + SIGNALS_HELP + '\n\nStatus → exit code: Succeeded 0, PartiallyFailed 6, Failed or Canceled 3; refused before touching anything 5.\n',
    )
    .action(async (_opts: unknown, cmd: Command) => {
      const globals = globalsOf(cmd, env.io);
      const { parseRunProfile } = await import('../../../profiles/run-profile.js');
      const { profile, mode } = parseRunProfile(cmd.opts(), await registeredPluginContext(cmd.opts(), env));
      const webhook = await (await import('../../webhook-url.js')).resolveWebhookUrl(cmd.opts(), env.io);
      const notify: RunNotifyOptions = webhook === undefined ? {} : { webhook };
      const runner = run ?? (await import('./action.js')).runRunCommand;
      env.setExitCode(await runner(profile, mode, globals, env, notify));
    });
  return command;
}
