/**
 * Issue 5 acceptance, end to end on the simulator: add-role, get-role with its next runs, set-role changing the
 * days, disable, enable, remove, each with --json and in human form; every call that can carry a schedule
 * carries it whole (--verbose); no role → exit 5; test-setup's role rules; `run` from a scheduler.
 */
import { aCluster, parseJson, sandbox, type Sandbox } from '../support/cli.js';

interface RoleDoc {
  schemaVersion: number;
  clusterName: string;
  groupName: string;
  status: string;
  enabled: boolean;
  parameters: Array<{ name: string; value: unknown }>;
  schedule: Record<string, unknown> | null;
  timeZone: string;
  timeZoneId: string;
  nextRuns: Array<{ local: string; utc: string }>;
}

let box: Sandbox;
let model: string;
beforeEach(() => {
  box = sandbox();
  // Berlin: the local and UTC columns differ, and DST moves the offset between the runs shown.
  model = box.fixture(aCluster('ROLE01', [1, 1, 1], {}, { timeZone: 'Europe/Berlin' }));
});
afterEach(() => box.cleanup());

const sim = (...args: string[]): ReturnType<Sandbox['run']> => box.run([...args, '--simulate', model]);
const param = (doc: RoleDoc, name: string): unknown => doc.parameters.find((p) => p.name === name)?.value;

/** The operation lines --verbose prints: `cauctl: <op> on <cluster> <json params>`. */
function sentOps(stderr: string): Array<{ op: string; params: Record<string, unknown> }> {
  return [...stderr.matchAll(/^cauctl: ([a-z-]+-cau-role) on \S+ (\{.*\})$/gm)].map((m) => ({ op: m[1]!, params: JSON.parse(m[2]!) as Record<string, unknown> }));
}

describe('CAU clustered role (simulation)', () => {
  it('the built-in model starts with no role: get-role says so as CAU does and exits 5', () => {
    const human = box.run(['get-role', '--simulate', '--sim-reset']);
    expect(human.code).toBe(5);
    expect(human.stderr).toContain('The current cluster is not configured with a Cluster-Aware Updating clustered role.');
    const json = box.run(['get-role', '--simulate', '--json']);
    expect(json.code).toBe(5);
    expect(parseJson<{ error: { code: string; exitCode: number } }>(json).error).toMatchObject({ code: 'CAU_ROLE_NOT_FOUND', exitCode: 5 });
    for (const verb of ['set-role', 'enable-role', 'disable-role', 'remove-role']) {
      const r = box.run([verb, '--simulate', '--force', '--days-of-week', 'Monday'].slice(0, verb === 'set-role' ? 5 : 3));
      expect({ verb, code: r.code }).toEqual({ verb, code: 5 });
    }
  });

  it('add → get (next runs) → set (days) → disable → enable → remove, with --json, each schedule sent whole', () => {
    // add: Patch Tuesday at 03:00 Berlin time, with two run options.
    const add = sim('add-role', '--days-of-week', 'Tuesday', '--weeks-of-month', '2', '--start-date', '2024-01-09T03:00', '--max-retries-per-node', '2', '--warn-after', '90m', '--json', '--verbose');
    expect(add.code).toBe(0);
    const added = parseJson<{ action: string; status: string; groupName: string; schedule: unknown; nextRuns: Array<{ local: string }> }>(add);
    expect(added).toMatchObject({ action: 'add', status: 'Online', schedule: { kind: 'MonthlyDayOfWeek', startDate: '2024-01-09T03:00', daysOfWeek: 4, weeksOfMonth: [2] } });
    expect(sentOps(add.stderr).find((o) => o.op === 'add-cau-role')?.params).toEqual({
      schedule: { kind: 'MonthlyDayOfWeek', startDate: '2024-01-09T03:00', daysOfWeek: 4, weeksOfMonth: [2] },
      options: { MaxRetriesPerNode: 2, WarnAfter: '01:30:00' },
    });
    expect(add.stderr).toContain("Add-CauClusterRole -StartDate '2024-01-09 03:00' -DaysOfWeek 4 -WeeksOfMonth 2 -MaxRetriesPerNode 2 -WarnAfter '01:30:00' -Force");

    // get: Name/Value pairs as CAU gives them, and the next five second Tuesdays at 03:00 in Berlin.
    const get = sim('get-role', '--json');
    expect(get.code).toBe(0);
    const role = parseJson<RoleDoc>(get);
    expect(role).toMatchObject({ schemaVersion: 1, clusterName: 'ROLE01', status: 'Online', enabled: true, timeZone: 'Europe/Berlin' });
    // As Get-CauClusterRole prints them (Set-CauClusterRole's example 2): the recurrence after the run options;
    // DaysOfWeek is a flags enum, which get-cau-role.ps1 sends as its number (Tuesday = 4).
    expect(role.parameters.map((p) => p.name)).toEqual(['ResourceGroupName', 'Status', 'StartDate', 'MaxRetriesPerNode', 'WarnAfter', 'DaysOfWeek', 'WeeksOfMonth']);
    expect(param(role, 'DaysOfWeek')).toBe(4);
    expect(param(role, 'WeeksOfMonth')).toEqual([2]);
    expect(role.nextRuns).toHaveLength(5);
    for (const run of role.nextRuns) {
      const local = new Date(run.local.slice(0, 10) + 'T00:00:00Z');
      expect(local.getUTCDay()).toBe(2); // Tuesday
      expect(Math.ceil(local.getUTCDate() / 7)).toBe(2); // the second one of its month
      expect(run.local).toMatch(/T03:00\+0[12]:00$/); // 03:00 local, CET or CEST
      expect(Date.parse(run.utc)).toBe(Date.parse(run.local.replace(/(\+\d\d:\d\d)$/, ':00$1')));
    }
    const human = sim('get-role');
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^DaysOfWeek\tTuesday$/m);
    expect(human.stdout).toContain('Next 5 runs:');
    expect(human.stdout).toContain('Schedule: the 2nd Tuesday of every month at 03:00, from 2024-01-09');
    expect(human.stdout).toContain('Local (Europe/Berlin)');

    // set: only the days change; the weeks and start date are re-sent, never left to CAU's default.
    const set = sim('set-role', '--days-of-week', 'Tuesday,Thursday', '--json', '--verbose');
    expect(set.code).toBe(0);
    expect(sentOps(set.stderr).find((o) => o.op === 'set-cau-role')?.params).toEqual({
      schedule: { kind: 'MonthlyDayOfWeek', startDate: '2024-01-09T03:00', daysOfWeek: 0x14, weeksOfMonth: [2] },
      options: {},
    });
    expect(set.stderr).toContain("Set-CauClusterRole -StartDate '2024-01-09 03:00' -DaysOfWeek 20 -WeeksOfMonth 2 -Force");
    const afterSet = parseJson<RoleDoc>(sim('get-role', '--json'));
    expect(param(afterSet, 'DaysOfWeek')).toBe(0x14);
    expect(param(afterSet, 'MaxRetriesPerNode')).toBe(2); // options not given are kept
    expect(afterSet.nextRuns.some((r) => new Date(r.local.slice(0, 10)).getUTCDay() === 4)).toBe(true);

    // an option-only change still re-sends the schedule whole
    const optionOnly = sim('set-role', '--reboot-timeout-minutes', '45', '--verbose');
    expect(optionOnly.code).toBe(0);
    expect(sentOps(optionOnly.stderr).find((o) => o.op === 'set-cau-role')?.params).toEqual({
      schedule: { kind: 'MonthlyDayOfWeek', startDate: '2024-01-09T03:00', daysOfWeek: 0x14, weeksOfMonth: [2] },
      options: { RebootTimeoutMinutes: 45 },
    });

    // disable, enable: the schedule stays.
    const disable = sim('disable-role', '--json', '--verbose');
    expect(disable.code).toBe(0);
    expect(parseJson(disable)).toMatchObject({ action: 'disable', status: 'Offline' });
    expect(sentOps(disable.stderr).map((o) => o.op)).toEqual(['get-cau-role', 'change-cau-role']);
    expect(parseJson<RoleDoc>(sim('get-role', '--json'))).toMatchObject({ status: 'Offline', enabled: false, schedule: { daysOfWeek: 0x14, weeksOfMonth: [2] } });
    const enable = sim('enable-role', '--json');
    expect(enable.code).toBe(0);
    expect(parseJson(enable)).toMatchObject({ action: 'enable', status: 'Online' });
    expect(sim('enable-role').stdout).toMatch(/^Enabled the CAU clustered role \S+ of ROLE01 \(status Online\)\.$/m);

    // remove: asks for confirmation; not on a non-terminal stdin without --force.
    const refused = sim('remove-role');
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('stdin is not a terminal');
    const remove = sim('remove-role', '--force', '--json');
    expect(remove.code).toBe(0);
    expect(parseJson(remove)).toMatchObject({ action: 'remove', groupName: added.groupName });
    expect(sim('get-role').code).toBe(5);
  });

  it('weekly and once schedules, and add-role on a cluster that has a role already', () => {
    const weekly = sim('add-role', '--days-of-week', 'Sunday', '--interval-weeks', '2', '--start-date', '2024-01-07T22:00', '--json');
    expect(weekly.code).toBe(0);
    const doc = parseJson<RoleDoc>(sim('get-role', '--json'));
    expect(param(doc, 'WeeksInterval')).toBe(2);
    const gaps = doc.nextRuns.slice(1).map((r, i) => (Date.parse(r.utc) - Date.parse(doc.nextRuns[i]!.utc)) / 86_400_000);
    expect(gaps.every((g) => g >= 13.9 && g <= 14.1)).toBe(true);
    const again = sim('add-role', '--days-of-week', 'Monday', '--weeks-of-month', '1');
    expect(again.code).toBe(5);
    expect(again.stderr).toContain('already has a CAU clustered role');
    const once = sim('set-role', '--run-once', '--start-date', '2099-06-01T23:30', '--json', '--verbose');
    expect(once.code).toBe(0);
    expect(sentOps(once.stderr).find((o) => o.op === 'set-cau-role')?.params.schedule).toEqual({ kind: 'Once', startDate: '2099-06-01T23:30' });
    expect(parseJson<RoleDoc>(sim('get-role', '--json')).nextRuns).toEqual([{ local: '2099-06-01T23:30+02:00', utc: '2099-06-01T21:30:00.000Z' }]);
  });

  it('reports every impossible combination at once, with exit 2, touching nothing', () => {
    const r = sim('add-role', '--run-once', '--days-of-week', 'Funday', '--weeks-of-month', '6', '--interval-weeks', '0', '--warn-after', '2h', '--stop-after', '1h');
    expect(r.code).toBe(2);
    for (const text of ['daysOfWeek: ', 'weeksOfMonth: "6"', 'intervalWeeks: ', 'runOnce: --run-once and --days-of-week conflict', 'startDate: --run-once needs --start-date', 'warnAfter: must be less than stopAfter']) {
      expect(r.stderr).toContain(text);
    }
    const noSchedule = sim('add-role', '--json');
    expect(noSchedule.code).toBe(2);
    expect(parseJson<{ error: { details: { problems: string[] } } }>(noSchedule).error.details.problems[0]).toMatch(/^schedule: give one/);
    expect(sim('get-role').code).toBe(5);
  });

  it('--time-zone overrides the cluster zone for the next runs', () => {
    sim('add-role', '--days-of-week', '4', '--weeks-of-month', '5', '--start-date', '2024-01-01T03:00');
    const doc = parseJson<RoleDoc>(sim('get-role', '--json', '--time-zone', 'America/New_York'));
    expect(doc.timeZone).toBe('America/New_York');
    expect(doc.timeZoneId).toBe('Europe/Berlin');
    expect(doc.nextRuns.every((r) => /T03:00-0[45]:00$/.test(r.local))).toBe(true);
  });
});

describe('test-setup and the role (rules CAU-11..19)', () => {
  type Rule = { id: string; state: string; detail: string };
  const roleRules = (stdout: string): Rule[] => (JSON.parse(stdout) as { rules: Rule[] }).rules.filter((r) => /^CAU-1[1-9]$/.test(r.id));

  it('without a role the self-updating rules are NotApplicable', () => {
    const rules = roleRules(sim('test-setup', '--json').stdout);
    expect(rules).toHaveLength(9);
    expect(rules.every((r) => r.state === 'NotApplicable')).toBe(true);
  });

  it('with a role they are evaluated: a disabled role fails CAU-12, the others pass', () => {
    expect(sim('add-role', '--days-of-week', 'Tuesday', '--weeks-of-month', '2', '--warn-after', '2h').code).toBe(0);
    expect(sim('disable-role').code).toBe(0);
    const rules = roleRules(sim('test-setup', '--json').stdout);
    const state = Object.fromEntries(rules.map((r) => [r.id, r.state]));
    expect(state).toMatchObject({ 'CAU-11': 'Pass', 'CAU-12': 'Fail', 'CAU-13': 'Pass', 'CAU-15': 'Pass', 'CAU-16': 'Pass', 'CAU-19': 'Pass' });
    expect(rules.find((r) => r.id === 'CAU-19')?.detail).toContain('WarnAfter 7200000 ms');
    expect(rules.some((r) => r.state === 'NotApplicable')).toBe(false);
  });
});

describe('run from a scheduler', () => {
  it('never prompts when stdin is not a terminal: without --force it refuses with exit 2 and says why', () => {
    const r = box.run(['run', '--simulate', model]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('stdin is not a terminal');
    expect(r.stderr).toContain('--force');
    const json = box.run(['run', '--simulate', model, '--json']);
    expect(json.code).toBe(2);
    expect(parseJson<{ error: { code: string } }>(json).error.code).toBe('CONFIRMATION_REQUIRED');
  });

  it('a non-interactive run --force --json writes its JSON result with the path of its journal', () => {
    const r = box.run(['run', '--simulate', model, '--force', '--json']);
    expect(r.code).toBe(0);
    const doc = parseJson<{ status: string; journalPath: string; runId: string }>(r);
    expect(doc.status).toBe('Succeeded');
    expect(doc.journalPath.startsWith(box.stateDir)).toBe(true);
    expect(doc.journalPath).toContain(doc.runId);
  });
});
