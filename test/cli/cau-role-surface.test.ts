/**
 * Issue 16 §1 on the built CLI and the simulator: set-role --update-now and --use-default, the run additions of
 * 2022 and 2025 on add-role and set-role (their values reach the role and read back from get-role), and scan's
 * --attempt-soft-reboot / --reboot-mode.
 */
import { aCluster, parseJson, sandbox, type Sandbox } from '../support/cli.js';

interface RoleDoc {
  status: string;
  parameters: Array<{ name: string; value: unknown }>;
}

let box: Sandbox;
let model: string;
beforeEach(() => {
  box = sandbox();
  model = box.fixture(aCluster('ROLE16', [1, 1, 1], { NODE1: { site: 'Seattle' }, NODE2: { site: 'Seattle' }, NODE3: { site: 'Redmond' } }));
});
afterEach(() => box.cleanup());

const sim = (...args: string[]): ReturnType<Sandbox['run']> => box.run([...args, '--simulate', model, '--sim-speed', 'max']);

function parameters(): Record<string, unknown> {
  const got = sim('get-role', '--json');
  expect(got.code).toBe(0);
  return Object.fromEntries(parseJson<RoleDoc>(got).parameters.map((p) => [p.name, p.value]));
}

const addRole = (...extra: string[]): void => {
  const added = sim('add-role', '--days-of-week', 'Tuesday', '--weeks-of-month', '2', '--start-date', '2030-01-08T03:00', ...extra);
  expect({ code: added.code, stderr: added.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
};

describe('the run additions on add-role and set-role', () => {
  it('reach the role under the cmdlet names and read back from get-role', () => {
    addRole('--force-pause-no-drain', '--skip-update-checks', '--reboot-mode', 'softreboot', '--suspend-retries-per-node', '3', '--site-aware-updating-order', 'Redmond,Seattle');
    expect(parameters()).toMatchObject({ ForcePauseNoDrain: true, SkipUpdateChecks: true, RebootMode: 'SoftReboot', SuspendRetriesPerNode: 3, SiteAwareUpdatingOrder: ['Redmond', 'Seattle'] });
    // The role keeps ForcePauseNoDrain: a second force switch would leave it holding two alternatives.
    const set = sim('set-role', '--force-pause-drain-and-reboot');
    expect(set.code).toBe(2);
    expect(set.stderr).toMatch(/forcePauseDrainAndReboot: the role already has ForcePauseNoDrain, and CAU's ForcePause\* switches are alternatives; add --use-default to drop it/);
    expect(parameters()).not.toHaveProperty('ForcePauseDrainAndReboot');
    expect(sim('set-role', '--force-pause-drain-and-reboot', '--use-default').code).toBe(0);
    expect(parameters()).toMatchObject({ ForcePauseDrainAndReboot: true });
    expect(parameters()).not.toHaveProperty('ForcePauseNoDrain');
  });

  it.each([
    ['two force switches', ['--force-pause-no-drain', '--force-pause-drain-and-reboot'], /forcePauseNoDrain: --force-pause-no-drain and --force-pause-drain-and-reboot conflict/],
    ['an unknown reboot mode', ['--reboot-mode', 'Warm'], /rebootMode: must be one of ClusProp, FullReboot, SoftReboot, PluginCustomReboot, OrchestratorDefault \(got "Warm"\)/],
    ['suspend retries out of range', ['--suspend-retries-per-node', '0'], /suspendRetriesPerNode: /],
    ['a site the cluster does not have', ['--site-aware-updating-order', 'Seattle,Tacoma'], /siteAwareUpdatingOrder: Tacoma is not a site of this cluster/],
  ])('set-role refuses %s with exit 2 and sends nothing', (_name, args, pattern) => {
    addRole();
    const before = parameters();
    const result = sim('set-role', ...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(pattern);
    expect(parameters()).toEqual(before);
  });
});

describe('set-role --use-default', () => {
  it('keeps only the options given (the others back to CAU\'s defaults) and the schedule as it was', () => {
    addRole('--max-retries-per-node', '2', '--reboot-timeout-minutes', '30', '--skip-update-checks');
    const before = parameters();
    const result = sim('set-role', '--use-default', '--max-failed-nodes', '1', '--json');
    expect(result.code).toBe(0);
    expect(parseJson<{ useDefault: boolean }>(result).useDefault).toBe(true);
    const after = parameters();
    expect(after).toMatchObject({ MaxFailedNodes: 1, StartDate: before.StartDate, DaysOfWeek: before.DaysOfWeek, WeeksOfMonth: before.WeeksOfMonth });
    expect(after).not.toHaveProperty('MaxRetriesPerNode');
    expect(after).not.toHaveProperty('RebootTimeoutMinutes');
    expect(after).not.toHaveProperty('SkipUpdateChecks');
  });

  it('without it, set-role keeps the options not given', () => {
    addRole('--max-retries-per-node', '2');
    expect(sim('set-role', '--max-failed-nodes', '1').code).toBe(0);
    expect(parameters()).toMatchObject({ MaxRetriesPerNode: 2, MaxFailedNodes: 1 });
  });

  it('--what-if shows -UseDefault in the cmdlet and changes nothing', () => {
    addRole('--max-retries-per-node', '2');
    const before = parameters();
    const result = sim('set-role', '--use-default', '--what-if', '--json');
    expect(result.code).toBe(0);
    expect(parseJson<{ cmdlet: string }>(result).cmdlet).toMatch(/^Set-CauClusterRole -StartDate '2030-01-08 03:00' -DaysOfWeek 4 -WeeksOfMonth 2 -UseDefault -Force$/);
    expect(parameters()).toEqual(before);
  });
});

describe('set-role --update-now', () => {
  it('starts a self-updating run on the node hosting the role; cauctl run and a second --update-now are then refused (exit 5)', () => {
    addRole('--max-retries-per-node', '2');
    const before = parameters();
    const started = sim('set-role', '--update-now', '--json');
    expect(started.code).toBe(0);
    expect(parseJson(started)).toMatchObject({ action: 'update-now', started: true, node: 'NODE1', orchestratorGuid: expect.any(String) });
    expect(parameters()).toEqual(before);
    const again = sim('set-role', '--update-now');
    expect(again.code).toBe(5);
    expect(again.stderr).toMatch(/A native CAU Updating Run is already in progress on NODE1/);
    const run = sim('run', '--force');
    expect(run.code).toBe(5);
    expect(run.stderr).toMatch(/NATIVE_CAU_RUN_IN_PROGRESS|native CAU/i);
  });

  it('on a disabled role: exit 5 naming it, nothing sent', () => {
    addRole();
    expect(sim('disable-role').code).toBe(0);
    const result = sim('set-role', '--update-now');
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/The CAU clustered role \S+ of ROLE16 is disabled \(Offline\), so it would start no run; nothing was sent/);
    expect(sim('run', '--force', '--json').code).not.toBe(5);
  });

  it('with any other option: exit 2 naming the conflict', () => {
    addRole();
    const result = sim('set-role', '--update-now', '--max-retries-per-node', '2', '--days-of-week', 'Friday');
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/updateNow: --update-now and --days-of-week conflict/);
    expect(result.stderr).toMatch(/updateNow: --update-now and --max-retries-per-node conflict/);
  });

  it('--what-if prints Set-CauClusterRole -UpdateNow -Force and starts nothing', () => {
    addRole();
    const result = sim('set-role', '--update-now', '--what-if', '--json');
    expect(result.code).toBe(0);
    expect(parseJson(result)).toMatchObject({ whatIf: true, operation: 'update-cau-role-now', cmdlet: 'Set-CauClusterRole -UpdateNow -Force' });
    expect(parseJson(sim('set-role', '--update-now', '--json'))).toMatchObject({ started: true });
  });

  it('on a cluster without the role: exit 5', () => {
    expect(sim('set-role', '--update-now').code).toBe(5);
  });
});

describe('scan --attempt-soft-reboot / --reboot-mode', () => {
  const builtIn = (...args: string[]): ReturnType<Sandbox['run']> => box.run(['scan', '--simulate', '--sim-reset', '--sim-speed', 'max', ...args]);
  type Entry = { nodeName: string; kb: string; rebootRequired: boolean; restartKind?: string | null };
  /** Three nodes with Kernel Soft Reboot (Azure Stack HCI 21H2+: ksrcmd.exe), one rebooting update each. */
  const withKsr = (...args: string[]): ReturnType<Sandbox['run']> => {
    const ksr = { kernelSoftReboot: 'Enabled' };
    return box.run(['scan', '--simulate', box.fixture(aCluster('KSR3', [1, 1, 1], { NODE1: ksr, NODE2: ksr, NODE3: ksr })), '--sim-speed', 'max', ...args]);
  };

  it('left out, the JSON is as before (no restartKind)', () => {
    const entries = parseJson<Entry[]>(builtIn('--json'));
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.some((e) => 'restartKind' in e)).toBe(false);
  });

  it.each([
    [['--attempt-soft-reboot'], 'SoftReboot'],
    [['--reboot-mode', 'SoftReboot'], 'SoftReboot'],
    [['--reboot-mode', 'FullReboot'], 'FullReboot'],
    [['--reboot-mode', 'ClusProp'], 'FullReboot'],
  ])('%j on nodes with Kernel Soft Reboot: each update that needs a restart shows %s, the others none', (args, kind) => {
    const entries = parseJson<Entry[]>(withKsr('--json', ...args));
    for (const e of entries) expect(e.restartKind).toBe(e.rebootRequired ? kind : null);
    expect(entries.some((e) => e.rebootRequired)).toBe(true);
  });

  it('a feature update always restarts fully, even with --attempt-soft-reboot', () => {
    const entries = parseJson<Entry[]>(builtIn('--json', '--attempt-soft-reboot', '--cau-plugin-name', 'Microsoft.RollingUpgradePlugin', '--cau-plugin-arguments', "@{ 'WuConnected'='true' }"));
    expect(entries.length).toBeGreaterThan(0);
    for (const e of entries) expect(e.restartKind).toBe('FullReboot');
  });

  it('the human table says soft or full, and a line gives each node\'s one restart', () => {
    const result = withKsr('--attempt-soft-reboot');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/\bsoft\b/);
    expect(result.stderr).toMatch(/Restart a run would bring: NODE1 SoftReboot, /);
  });

  // A soft restart falls back to a full one where the node has no KSR (Windows Server) or opts out: the
  // prediction was SoftReboot on every node. It now comes from what each node reports (get-node-setup).
  it('predicts per node from what the node reports: SoftReboot with KSR, FullReboot without it or when it opts out', () => {
    const mixed = box.fixture(aCluster('KSRMIX3', [1, 1, 1], { NODE1: { kernelSoftReboot: 'Enabled' }, NODE2: { kernelSoftReboot: 'Bypassed' } }));
    const json = box.run(['scan', '--simulate', mixed, '--sim-speed', 'max', '--attempt-soft-reboot', '--json']);
    expect(parseJson<Entry[]>(json).filter((e) => e.rebootRequired).map((e) => [e.nodeName, e.restartKind])).toEqual([
      ['NODE1', 'SoftReboot'],
      ['NODE2', 'FullReboot'],
      ['NODE3', 'FullReboot'],
    ]);
    const human = box.run(['scan', '--simulate', mixed, '--sim-speed', 'max', '--attempt-soft-reboot']);
    expect(human.stderr).toMatch(/Restart a run would bring: NODE1 SoftReboot, NODE2 FullReboot \(CauBypassSoftBootOnNode opts it out\), NODE3 FullReboot \(no Kernel Soft Reboot on this node\)\./);
    // The built-in model's nodes have no KSR: a run with --attempt-soft-reboot restarts them fully.
    for (const e of parseJson<Entry[]>(builtIn('--json', '--attempt-soft-reboot'))) expect(e.restartKind).toBe(e.rebootRequired ? 'FullReboot' : null);
  });

  it.each([
    [['--reboot-mode', 'FullReboot', '--attempt-soft-reboot'], /rebootMode: --reboot-mode FullReboot and --attempt-soft-reboot conflict/],
    [['--reboot-mode', 'Warm'], /rebootMode: must be one of /],
  ])('%j: exit 2 naming the field', (args, pattern) => {
    const result = builtIn(...args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(pattern);
  });
});
