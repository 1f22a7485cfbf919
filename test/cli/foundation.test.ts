/**
 * Issue 2 acceptance on the built CLI: test-setup with per-node detail and --fix, scan with an unreachable
 * node, and a clear message with exit code 2 for every kind of bad input — exit code, stdout and stderr
 * checked together.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { VERSION } from '../../src/version.js';
import { ROOT, parseJson, sandbox, type Sandbox } from '../support/cli.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

const setupProblems = join(ROOT, 'fixtures', 'clusters', 'setup-problems.json');
const unreachable = join(ROOT, 'fixtures', 'clusters', 'unreachable-node.json');

interface RuleDoc {
  id: string;
  severity: string;
  state: string;
  remedy: string;
  nodes: Array<{ node: string; state: string; detail: string }>;
}

describe('test-setup', () => {
  it('lists the failing rules of the setup-problems model with per-node detail and remedies, then --fix clears the fixable ones', () => {
    const before = box.run(['test-setup', '--simulate', setupProblems, '--sim-reset', '--json']);
    expect(before.code).toBe(5);
    const rules = parseJson<{ rules: RuleDoc[] }>(before).rules;
    const rule = (id: string) => rules.find((r) => r.id === id)!;
    expect(rules).toHaveLength(26);
    expect(rule('CAU-09')).toMatchObject({ state: 'Fail', severity: 'Error', remedy: "Set-NetFirewallRule -Group '@firewallapi.dll,-36751' -Profile Domain -Enabled True" });
    expect(rule('CAU-09').nodes.filter((n) => n.state === 'Fail').map((n) => n.node)).toEqual(['NODE2', 'NODE4']);
    expect(rule('CAUCTL-01').nodes.find((n) => n.node === 'NODE3')).toMatchObject({ state: 'Fail', detail: 'missing RSAT-Clustering-PowerShell' });
    expect(rule('CAU-07').nodes.find((n) => n.node === 'NODE1')?.state).toBe('Fail');
    expect(rule('CAU-08').state).toBe('Fail');
    expect(rule('CAUCTL-04').nodes.find((n) => n.node === 'NODE3')?.state).toBe('Fail');
    for (const id of ['CAU-11', 'CAU-12', 'CAU-13', 'CAU-14', 'CAU-15', 'CAU-16', 'CAU-17', 'CAU-18', 'CAU-19']) expect(rule(id).state).toBe('NotApplicable');

    const human = box.run(['test-setup', '--simulate', setupProblems]);
    expect(human.code).toBe(5);
    expect(human.stdout).toMatch(/CAU-09 The firewall rule group that allows remote shutdown is enabled on each node — Error\n {2}NODE2: Remote Shutdown rules disabled\n {2}NODE4: Remote Shutdown rules disabled\n {2}remedy \(cauctl test-setup --fix\): Set-NetFirewallRule/);

    const refused = box.run(['test-setup', '--simulate', setupProblems, '--fix']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/needs confirmation, but stdin is not a terminal[\s\S]*--force/);

    const fixed = box.run(['test-setup', '--simulate', setupProblems, '--fix', '--force', '--json']);
    const after = parseJson<{ rules: RuleDoc[]; fixesApplied: Array<{ node: string; applied: string[] }>; before: { errors: number } }>(fixed);
    const ruleAfter = (id: string) => after.rules.find((r) => r.id === id)!;
    expect(ruleAfter('CAU-09').state).toBe('Pass');
    expect(ruleAfter('CAUCTL-01').state).toBe('Pass');
    expect(ruleAfter('CAUCTL-04').state).toBe('Pass');
    // Not safe to fix automatically: still failing, still reported.
    expect(ruleAfter('CAU-07').state).toBe('Fail');
    expect(ruleAfter('CAU-08').state).toBe('Fail');
    expect(after.fixesApplied.map((f) => f.node).sort()).toEqual(['NODE2', 'NODE3', 'NODE4']);
    expect(after.before.errors).toBeGreaterThan(0);
    expect(fixed.code).toBe(0);
    // The model keeps the fixes between invocations.
    expect(box.run(['test-setup', '--simulate', setupProblems]).code).toBe(0);
  });

  it('passes on the built-in model', () => {
    const result = box.run(['test-setup', '--simulate', '--sim-reset']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/16 passed, 0 errors, 0 warnings, 10 not applicable\./);
  });
});

describe('scan', () => {
  it('lists updates for every node as JSON', () => {
    const result = box.run(['scan', '--simulate', '--sim-reset', '--json']);
    expect(result.code).toBe(0);
    const list = parseJson<Array<Record<string, unknown>>>(result);
    expect(new Set(list.map((e) => e.nodeName))).toEqual(new Set(['NODE1', 'NODE2', 'NODE3', 'NODE4']));
    for (const entry of list) expect(Object.keys(entry).sort()).toEqual(['kb', 'nodeName', 'plugin', 'rebootRequired', 'updateId', 'updateTitle']);
  });

  it('streams one entry per line with --output ndjson', () => {
    const json = parseJson<unknown[]>(box.run(['scan', '--simulate', '--sim-reset', '--json']));
    const lines = box.run(['scan', '--simulate', '--output', 'ndjson']).stdout.trim().split('\n');
    expect(lines.map((l) => JSON.parse(l) as unknown)).toEqual(json);
  });

  it('reports an unreachable node as failed while the others are listed', () => {
    const result = box.run(['scan', '--simulate', unreachable, '--sim-reset', '--json']);
    expect(result.code).toBe(6);
    const list = parseJson<Array<{ nodeName: string; updateId: string | null; error?: { code: string; message: string } }>>(result);
    const failed = list.filter((e) => e.error);
    expect(failed.map((e) => e.nodeName)).toEqual(['NODE3']);
    expect(failed[0]!.error!.code).toBe('TRANSPORT_UNREACHABLE');
    const fixtureNodes = (JSON.parse(readFileSync(unreachable, 'utf8')) as { nodes: Array<{ name: string }> }).nodes.map((n) => n.name);
    expect(fixtureNodes.length).toBeGreaterThan(2);
    expect(new Set(list.filter((e) => e.updateId).map((e) => e.nodeName))).toEqual(new Set(fixtureNodes.filter((n) => n !== 'NODE3')));
    expect(result.stderr).toMatch(/NODE3 was not scanned: NODE3 is not reachable over WinRM/);
  });

  it('honours QueryString and IncludeRecommendedUpdates', () => {
    const drivers = parseJson<Array<{ kb: string }>>(box.run(['scan', '--simulate', '--sim-reset', '--json', '--cau-plugin-arguments', `@{ 'QueryString'="IsInstalled=0 and Type='Driver' and IsHidden=0" }`]));
    expect(drivers.length).toBeGreaterThan(0);
    expect(drivers.every((d) => d.kb.startsWith('DRV'))).toBe(true);
    const plain = parseJson<unknown[]>(box.run(['scan', '--simulate', '--json']));
    const recommended = parseJson<unknown[]>(box.run(['scan', '--simulate', '--json', '--cau-plugin-arguments', 'IncludeRecommendedUpdates=true']));
    expect(recommended.length).toBeGreaterThan(plain.length);
  });

  it('names the nodes offered different feature updates and refuses with exit 5', () => {
    const mixed = join(ROOT, 'fixtures', 'clusters', 'mixed-feature-offers.json');
    const result = box.run(['scan', '--simulate', mixed, '--sim-reset', '--cau-plugin-name', 'Microsoft.RollingUpgradePlugin', '--cau-plugin-arguments', "@{ 'WuConnected'='true' }"]);
    expect(result.code).toBe(5);
    expect(result.stderr).toMatch(/offered different feature updates/);
    expect(result.stderr).toMatch(/mixed-patch-level/);
  });
});

describe('bad input gets a clear message and exit 2', () => {
  it.each([
    ['an unknown option, pointing to that command\'s help', ['scan', '--simulate', '--bogus'], /unknown option '--bogus'[\s\S]*try: cauctl scan --help\n/],
    ['an option without its value, pointing to that command\'s help', ['get-report', '--simulate', '--run-id'], /argument missing[\s\S]*try: cauctl get-report --help\n/],
    ['a typo in a command', ['scna'], /unknown command 'scna'[\s\S]*Did you mean scan\?[\s\S]*try: cauctl --help\n/],
    ['a malformed hashtable', ['scan', '--simulate', '--cau-plugin-arguments', "@{ 'QueryString'='unterminated }"], /cauPluginArguments.*(unterminated|end of input)/i],
    ['code in a hashtable', ['scan', '--simulate', '--cau-plugin-arguments', '@{ QueryString = $(Remove-Item C:\\) }'], /cauPluginArguments/],
    ['an unknown plug-in argument', ['scan', '--simulate', '--cau-plugin-arguments', 'Querystrin=x'], /unknown argument for Microsoft\.WindowsUpdatePlugin; known: QueryString, IncludeRecommendedUpdates/],
    ['a negative number', ['run', '--simulate', '--force', '--max-retries-per-node', '-1'], /maxRetriesPerNode: --max-retries-per-node must be an integer from 0 to 64 \(got -1\)/],
    ['an out-of-range number', ['run', '--simulate', '--force', '--max-retries-per-node', '65'], /from 0 to 64 \(got 65\)/],
    ['a bad duration', ['run', '--simulate', '--force', '--warn-after', 'soon'], /warnAfter:/],
    ['WarnAfter not below StopAfter', ['run', '--simulate', '--force', '--warn-after', '2h', '--stop-after', '90m'], /warnAfter: must be less than stopAfter/],
    ['options that need two plug-ins', ['run', '--simulate', '--force', '--separate-reboots', '--stop-on-plugin-failure'], /(?=[\s\S]*separateReboots: --separate-reboots needs two or more plug-ins)(?=[\s\S]*stopOnPluginFailure: --stop-on-plugin-failure needs two or more plug-ins)/],
    ['a missing fixture file', ['scan', '--simulate', 'no/such/model.json'], /no\/such\/model\.json/],
    ['a bad --sim-speed', ['scan', '--simulate', '--sim-speed', 'fast'], /--sim-speed must be a positive number or max/],
    ['MaxFailedNodes beyond nodes − 1', ['run', '--simulate', '--sim-reset', '--force', '--max-failed-nodes', '4'], /maxFailedNodes: must be at most nodes − 1 = 3/],
    ['an unknown node in NodeOrder', ['run', '--simulate', '--sim-reset', '--force', '--node-order', 'NODE9'], /nodeOrder: NODE9 is not a node of HCI01/],
    ['a run without --force off a terminal', ['run', '--simulate'], /stdin is not a terminal; nothing was touched[\s\S]*--force/],
  ])('%s', (_what, args, message) => {
    const result = box.run(args);
    expect(result.stderr).toMatch(message);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).not.toMatch(/\n\s+at .+\(.+:\d+:\d+\)/);
  });

  it('reports every problem of a run profile at once', () => {
    const result = box.run(['run', '--simulate', '--force', '--max-retries-per-node', '99', '--reboot-timeout-minutes', '0', '--warn-after', '3h', '--stop-after', '1h', '--attempt-soft-reboot', '--disable-soft-reboot']);
    expect(result.code).toBe(2);
    for (const path of ['maxRetriesPerNode:', 'rebootTimeoutMinutes:', 'warnAfter:', 'attemptSoftReboot:']) expect(result.stderr).toContain(path);
  });

  it('names the bad field of a malformed fixture', () => {
    const path = box.fixture({ name: 'BAD', nodes: [{ name: 'N1', faults: [{ kind: 'installFails', times: -1 }] }, { name: 'N2', state: 'Sleeping' }] });
    const result = box.run(['scan', '--simulate', path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/nodes\[0\]\.faults\[0\]\.times/);
    expect(result.stderr).toMatch(/nodes\[1\]\.state/);
    const broken = join(box.dir, 'broken.json');
    writeFileSync(broken, '{ "name": ');
    const bad = box.run(['scan', '--simulate', broken]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/broken\.json is not valid JSON/);
  });

  it('prints a JSON error document with --json', () => {
    const result = box.run(['run', '--simulate', '--json']);
    expect(result.code).toBe(2);
    expect(parseJson(result).error).toMatchObject({ code: 'CONFIRMATION_REQUIRED', exitCode: 2 });
  });

  it('shows a stack trace only with --verbose', () => {
    const result = box.run(['scan', '--simulate', 'no/such/model.json', '--verbose']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/\n\s+at .+:\d+:\d+/);
  });
});

describe('help and version', () => {
  it('prints the version of package.json', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(VERSION).toBe(pkg.version);
    const result = box.run(['--version']);
    expect(result).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
  });

  it.each(['test-setup', 'scan', 'run', 'get-run', 'stop-run'])('%s --help shows examples and the exit codes', (command) => {
    const result = box.run([command, '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Examples:\n {2}# .+\n {2}\$ cauctl /);
    expect(result.stdout).toMatch(/Exit codes:[\s\S]*5 +refused before touching anything[\s\S]*130 +interrupted/);
  });

  it('lists every command in the top-level help', () => {
    const result = box.run(['--help']);
    for (const command of ['test-setup', 'scan', 'run', 'get-run', 'stop-run']) expect(result.stdout).toContain(command);
    expect(result.stdout).toMatch(/--simulate \[file\]/);
  });
});
