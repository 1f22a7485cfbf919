/**
 * Issue 13, defect 8, on the built CLI and the simulator: a native CAU Updating Run never runs beside cauctl's.
 * Before each node the run checks every node for MSFT_CAURun and stops cleanly (NativeCauRunInProgress, no node
 * touched); while it holds the cluster lock it holds the CAU role's self-updating off, and restores exactly the
 * state it found: at the end, on Ctrl-C, after a SIGKILL on --resume and on --force-recovery. The model holds no
 * password: reading MSFT_CAURun and taking the role's group offline need no network credentials.
 */
import type { ChildProcess } from 'node:child_process';
import { aCluster, parseJson, sandbox, type Sandbox } from '../support/cli.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

interface RunDoc {
  status: string;
  errorRecord: { code: string; message: string } | null;
  warnings: string[];
  nodeResults: Array<{ node: string; status: string; errorRecord: { code: string } | null }>;
  simulation: { violations: string[]; virtualSeconds: number };
}

/** Three S2D nodes with one rebooting update each, and a self-updating role due at `atSeconds`. */
function model(name: string, role: Record<string, unknown>): string {
  return box.fixture(aCluster(name, [1, 1, 1], {}, { passwordHeld: false, cauRole: { groupName: `CAU${name}`, possibleOwners: ['NODE2', 'NODE3'], ...role } }));
}

function roleStatus(fixture: string): string {
  return parseJson<{ status: string }>(box.run(['get-role', '--simulate', fixture, '--json'])).status;
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

/** Polls get-role (a second process on the same simulated cluster) until the run has taken the role offline. */
async function untilHeld(fixture: string, child: ChildProcess): Promise<void> {
  let ended = false;
  child.on('exit', () => {
    ended = true;
  });
  for (let i = 0; i < 400 && !ended; i++) {
    if (roleStatus(fixture) === 'Offline') return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('the run never held the CAU role off');
}

describe('a native CAU run beside cauctl', () => {
  it('holds self-updating off for the run, so a schedule that comes due mid-run starts nothing, then restores it Online', () => {
    const fixture = model('NCAU1', { selfUpdatingRun: { atSeconds: 3000, seconds: 7200 } });
    const result = box.run(['run', '--simulate', fixture, '--sim-reset', '--force', '--json']);
    const doc = parseJson<RunDoc>(result);
    // The schedule came due while the run was on its later nodes.
    expect(doc.simulation.virtualSeconds).toBeGreaterThan(3000);
    expect({ code: result.code, status: doc.status, violations: doc.simulation.violations, warnings: doc.warnings }).toEqual({ code: 0, status: 'Succeeded', violations: [], warnings: [] });
    expect(roleStatus(fixture)).toBe('Online');
  });

  it('stops cleanly before the first node when a native run is in progress: NativeCauRunInProgress, exit 3, nothing touched', () => {
    const fixture = model('NCAU2', { selfUpdatingRun: { atSeconds: 5, seconds: 36000 } });
    const result = box.run(['run', '--simulate', fixture, '--sim-reset', '--force', '--json']);
    const doc = parseJson<RunDoc>(result);
    expect(result.code).toBe(3);
    expect(doc.errorRecord?.code).toBe('NativeCauRunInProgress');
    expect(doc.errorRecord?.message).toMatch(/MSFT_CAURun is present on NODE2.*Get-CauRun -WaitForCompletion/);
    expect(doc.nodeResults.map((n) => `${n.node} ${n.status}`)).toEqual(['NODE1 Failed', 'NODE2 Canceled', 'NODE3 Canceled']);
    expect(doc.simulation.violations).toEqual([]);
    // Its run was not cut short: the role was never taken offline.
    expect(roleStatus(fixture)).toBe('Online');
  });

  it('leaves a role that was disabled before the run disabled', () => {
    const fixture = model('NCAU3', { enabled: false, selfUpdatingRun: { atSeconds: 3000 } });
    const result = box.run(['run', '--simulate', fixture, '--sim-reset', '--force', '--json']);
    expect({ code: result.code, violations: parseJson<RunDoc>(result).simulation.violations }).toEqual({ code: 0, violations: [] });
    expect(roleStatus(fixture)).toBe('Offline');
  });

  it('run --suspend-node refuses with exit 5 when the native run is held on another node than the one answering for the cluster', () => {
    // The run's MSFT_CAURun lives on the role owner (NODE2); the node answering for the cluster name sees none.
    const fixture = model('NCAU4', { selfUpdatingRun: { atSeconds: 0, seconds: 36000 } });
    const result = box.run(['run', '--simulate', fixture, '--sim-reset', '--force', '--suspend-node', 'NODE1', '--json']);
    expect(result.code).toBe(5);
    expect(parseJson<{ error: { code: string; message: string } }>(result).error).toMatchObject({ code: 'NativeCauRunInProgress', message: expect.stringMatching(/MSFT_CAURun is present on NODE2.*nothing was touched/) });
  });

  // MSFT_CAURun refuses the account on the node answering for the cluster (NODE1): whether a native run holds the
  // cluster is unknown. Read-only commands go on and say so; commands that change the cluster refuse (exit 5).
  describe('MSFT_CAURun that cannot be read (access denied on NODE1)', () => {
    const denied = (): string => box.fixture(aCluster('NCAU5', [1, 1, 1], { NODE1: { nativeCauProvider: 'AccessDenied' } }));
    const unknown = /native CAU.*unknown.*Could not read MSFT_CAURun on NODE1.*Access denied/;

    it('scan, run --what-if, test-setup, snapshot and get-run --show-cluster-node-state answer, with a warning naming the node', () => {
      const fixture = denied();
      const scan = box.run(['scan', '--simulate', fixture, '--sim-reset']);
      expect({ code: scan.code, stderr: scan.stderr }).toEqual({ code: 0, stderr: expect.stringMatching(unknown) });
      expect(scan.stdout).toContain('NODE1');
      const whatIf = box.run(['run', '--simulate', fixture, '--what-if', '--json']);
      // --what-if shows the plan and the refusal the run would meet (its documented exit 5 for "would refuse").
      expect(whatIf.code).toBe(5);
      expect(parseJson<{ wouldRefuse: boolean }>(whatIf).wouldRefuse).toBe(true);
      expect(parseJson<{ refusals: Array<{ code: string; message: string }> }>(whatIf).refusals).toEqual([
        expect.objectContaining({ code: 'NATIVE_CAU_UNREADABLE', message: expect.stringMatching(/NODE1.*Access denied/) }),
      ]);
      const setup = box.run(['test-setup', '--simulate', fixture]);
      expect(setup.stderr).toMatch(unknown);
      expect(setup.stdout).not.toMatch(/could not be reached/);
      const snapshot = box.run(['snapshot', '--simulate', fixture]);
      expect({ code: snapshot.code, stderr: snapshot.stderr }).toEqual({ code: 0, stderr: expect.stringMatching(unknown) });
      const state = box.run(['get-run', '--simulate', fixture, '--show-cluster-node-state', '--json']);
      expect(state.code).toBe(0);
      expect(parseJson(state)).toMatchObject({ nativeCauRunInProgress: null, nativeCauUnreadable: expect.stringMatching(/NODE1.*Access denied/) });
    });

    it('run and offline-update refuse before touching anything: exit 5 NATIVE_CAU_UNREADABLE, naming the node and what to check', () => {
      const fixture = denied();
      const run = box.run(['run', '--simulate', fixture, '--sim-reset', '--force', '--json']);
      expect(run.code).toBe(5);
      expect(parseJson<{ error: { code: string; message: string; hint: string } }>(run).error).toMatchObject({
        code: 'NATIVE_CAU_UNREADABLE',
        message: expect.stringMatching(/NODE1.*Access denied.*nothing was touched/),
        hint: expect.stringMatching(/Administrators|root\/Microsoft\/Windows\/ClusterUpdate/),
      });
      const offline = box.run(['offline-update', '--simulate', fixture, '--force', '--json']);
      expect(offline.code).toBe(5);
      expect(parseJson<{ error: { code: string; message: string } }>(offline).error).toMatchObject({ code: 'NATIVE_CAU_UNREADABLE', message: expect.stringMatching(/NODE1.*Access denied.*nothing was touched/) });
    });

    it('feature-update, run --suspend-node, post-install and set-role --update-now refuse the same way (exit 5, not a failed operation)', () => {
      const fixture = box.fixture(aCluster('NCAU6', [1, 1, 1], { NODE1: { nativeCauProvider: 'AccessDenied' } }, { cauRole: { groupName: 'CAUNCAU6', possibleOwners: ['NODE2', 'NODE3'] } }));
      const commands = [
        ['feature-update', '--wu-connected', '--force'],
        ['run', '--suspend-node', 'NODE2', '--force'],
        ['post-install', '--force'],
        ['post-install', '--what-if'],
        ['set-role', '--update-now', '--force'],
      ];
      const seen = commands.map((args) => {
        const result = box.run([...args, '--simulate', fixture, '--json']);
        const error = parseJson<{ error?: { code: string; message: string; hint: string } }>(result).error;
        return { command: args.join(' '), code: result.code, error: error?.code, named: /NODE1.*Access denied.*nothing was touched/.test(error?.message ?? ''), hint: /root\/Microsoft\/Windows\/ClusterUpdate/.test(error?.hint ?? '') };
      });
      expect(seen).toEqual(commands.map((args) => ({ command: args.join(' '), code: 5, error: 'NATIVE_CAU_UNREADABLE', named: true, hint: true })));
      // Nothing was touched: every node is still Up.
      const state = parseJson<{ nodes: Array<{ name: string; state: string }> }>(box.run(['get-run', '--simulate', fixture, '--show-cluster-node-state', '--json']));
      expect(state.nodes.map((n) => `${n.name} ${n.state}`)).toEqual(['NODE1 Up', 'NODE2 Up', 'NODE3 Up']);
    });

    it('run --resume-node goes on with the warning (resuming starts no update), and set-role reaches its site check', () => {
      const fixture = box.fixture(aCluster('NCAU7', [1, 1, 1], { NODE1: { nativeCauProvider: 'AccessDenied' }, NODE2: { state: 'Paused' } }, { cauRole: { groupName: 'CAUNCAU7', possibleOwners: ['NODE2', 'NODE3'] } }));
      const resumed = box.run(['run', '--simulate', fixture, '--sim-reset', '--force', '--resume-node', 'NODE2', '--json']);
      expect(resumed.code).toBe(0);
      expect(parseJson<{ status: string; warnings: string[] }>(resumed)).toMatchObject({ status: 'Succeeded', warnings: [expect.stringMatching(/native CAU.*unknown.*Could not read MSFT_CAURun on NODE1.*Access denied/)] });
      // The site check reads the nodes' sites only: it gets to judge the sites given (exit 2 naming the field).
      const role = box.run(['set-role', '--simulate', fixture, '--force', '--site-aware-updating-order', 'A,B']);
      expect({ code: role.code, stderr: role.stderr }).toEqual({ code: 2, stderr: expect.stringMatching(/siteAwareUpdatingOrder: A is not a site/) });
    });
  });

  it('restores the role on Ctrl-C', async () => {
    const fixture = model('NCAU5', { selfUpdatingRun: { atSeconds: 30000 } });
    box.run(['get-role', '--simulate', fixture, '--sim-reset', '--json']);
    const child = box.start(['run', '--simulate', fixture, '--force', '--json', '--sim-speed', '400']);
    const done = exited(child);
    await untilHeld(fixture, child);
    child.kill('SIGINT');
    expect(await done).toBe(3);
    expect(roleStatus(fixture)).toBe('Online');
  });

  it.each([
    ['--resume', ['run', '--resume', '--force', '--json']],
    ['--force-recovery', ['run', '--force-recovery', '--force', '--json']],
  ])('after a SIGKILL with the role held, %s restores it', async (_name, args) => {
    const fixture = model('NCAU6', { selfUpdatingRun: { atSeconds: 30000 } });
    box.run(['get-role', '--simulate', fixture, '--sim-reset', '--json']);
    const child = box.start(['run', '--simulate', fixture, '--force', '--json', '--sim-speed', '400']);
    const done = exited(child);
    await untilHeld(fixture, child);
    child.kill('SIGKILL');
    await done;
    expect(roleStatus(fixture)).toBe('Offline');
    const result = box.run([...args, '--simulate', fixture]);
    expect({ code: result.code, stderr: result.code === 0 ? '' : result.stderr }).toEqual({ code: 0, stderr: '' });
    expect(roleStatus(fixture)).toBe('Online');
  });
});
