/**
 * Issue 16 §1: --what-if on the role commands that change the role (add, set, enable, disable, remove):
 * they print the operation and the CAU cmdlet that would be sent, and the simulated cluster's role is
 * exactly as before.
 */
import { aCluster, parseJson, sandbox, type Sandbox } from '../support/cli.js';

interface RoleDoc {
  status: string;
  enabled: boolean;
  parameters: Array<{ name: string; value: unknown }>;
  schedule: unknown;
}

interface WhatIfDoc {
  action: string;
  whatIf: boolean;
  operation: string;
  params: Record<string, unknown>;
  cmdlet: string;
}

let box: Sandbox;
let model: string;
beforeEach(() => {
  box = sandbox();
  model = box.fixture(aCluster('WHATIF01', [1, 1, 1], {}, { timeZone: 'Europe/Berlin' }));
});
afterEach(() => box.cleanup());

const sim = (...args: string[]): ReturnType<Sandbox['run']> => box.run([...args, '--simulate', model]);

/** The role as get-role reads it, without the next runs (they move with the clock). */
function role(): RoleDoc {
  const got = sim('get-role', '--json');
  expect(got.code).toBe(0);
  const { status, enabled, parameters, schedule } = parseJson<RoleDoc>(got);
  return { status, enabled, parameters, schedule };
}

describe('role commands --what-if', () => {
  it('add-role --what-if prints the Add-CauClusterRole call and adds nothing', () => {
    const whatIf = sim('add-role', '--days-of-week', 'Tuesday', '--weeks-of-month', '2', '--start-date', '2030-01-08T03:00', '--max-retries-per-node', '2', '--what-if', '--json');
    expect(whatIf.code).toBe(0);
    expect(parseJson<WhatIfDoc>(whatIf)).toMatchObject({
      action: 'add',
      whatIf: true,
      operation: 'add-cau-role',
      params: { schedule: { kind: 'MonthlyDayOfWeek', startDate: '2030-01-08T03:00', daysOfWeek: 4, weeksOfMonth: [2] }, options: { MaxRetriesPerNode: 2 } },
      cmdlet: "Add-CauClusterRole -StartDate '2030-01-08 03:00' -DaysOfWeek 4 -WeeksOfMonth 2 -MaxRetriesPerNode 2 -Force",
    });
    expect(sim('get-role').code).toBe(5);
    const human = sim('add-role', '--days-of-week', 'Tuesday', '--weeks-of-month', '2', '--start-date', '2030-01-08T03:00', '--what-if');
    expect(human.code).toBe(0);
    expect(human.stdout).toContain("What if: add-role would send add-cau-role to WHATIF01, running on the node:\n  Add-CauClusterRole -StartDate '2030-01-08 03:00' -DaysOfWeek 4 -WeeksOfMonth 2 -Force\nNothing was changed.");
    expect(sim('get-role').code).toBe(5);
  });

  it('set, disable, enable and remove with --what-if leave the role exactly as it was', () => {
    expect(sim('add-role', '--days-of-week', 'Tuesday', '--weeks-of-month', '2', '--start-date', '2030-01-08T03:00').code).toBe(0);
    const before = role();

    const set = sim('set-role', '--days-of-week', 'Saturday', '--interval-weeks', '1', '--stop-after', '4h', '--what-if', '--json');
    expect(set.code).toBe(0);
    expect(parseJson<WhatIfDoc>(set)).toMatchObject({ operation: 'set-cau-role', cmdlet: "Set-CauClusterRole -StartDate '2030-01-08 03:00' -DaysOfWeek 64 -IntervalWeeks 1 -StopAfter '04:00:00' -Force" });
    expect(role()).toEqual(before);

    for (const [verb, cmdlet] of [
      ['disable', 'Disable-CauClusterRole -Force'],
      ['enable', 'Enable-CauClusterRole -Force'],
      // No --force and stdin is not a terminal: a real remove would refuse; --what-if asks nothing.
      ['remove', 'Remove-CauClusterRole -Force'],
    ] as const) {
      const r = sim(`${verb}-role`, '--what-if', '--json');
      expect({ verb, code: r.code }).toEqual({ verb, code: 0 });
      expect(parseJson<WhatIfDoc>(r)).toMatchObject({ action: verb, whatIf: true, operation: 'change-cau-role', params: { action: verb[0]!.toUpperCase() + verb.slice(1) }, cmdlet });
      expect(role()).toEqual(before);
    }

    // The same commands without --what-if do change it: the comparison above can fail.
    expect(sim('disable-role').code).toBe(0);
    expect(role()).not.toEqual(before);
  });

  it('--what-if on a cluster without the role is exit 5 like the real command', () => {
    for (const verb of ['set-role', 'enable-role', 'disable-role', 'remove-role']) {
      const r = sim(verb, '--what-if', ...(verb === 'set-role' ? ['--days-of-week', 'Monday'] : []));
      expect({ verb, code: r.code }).toEqual({ verb, code: 5 });
    }
  });

  it.each(['add-role', 'set-role', 'enable-role', 'disable-role', 'remove-role'])('%s --help lists --what-if with an example', (command) => {
    const help = box.run([command, '--help']);
    expect(help.stdout).toContain('--what-if');
    expect(help.stdout).toMatch(new RegExp(`\\$ cauctl ${command} .*--what-if`));
  });
});
