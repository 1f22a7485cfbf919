/**
 * Issue 13 on the built CLI: feature-update's cluster validation (Test-Cluster reaches every node: a second hop)
 * goes through the credentialed path. Over WinRM with the admin's password, cauctl sends that password as data
 * in the encrypted payload of test-cluster alone, the node runs it in a fresh logon (the model holds no
 * password of its own, so only what came over the wire lets it pass), and the password appears nowhere else:
 * not in the output, not in the state directory. Without any credential the feature update refuses before
 * touching anything (exit 5, NETWORK_CREDENTIAL_REQUIRED, naming both remedies).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILTIN_FIXTURE_PATH } from '../../src/sim/index.js';
import { runCli } from '../wsman-server/cli-run.js';
import { ntlmAcceptorMissing } from '../wsman-server/ntlm-sidecar.js';
import { PASSWORD, USER, peersAvailable, startServer, type ServerHarness } from '../wsman-server/test-support.js';
import { hasBuild, parseJson, sandbox } from '../support/cli.js';

/** The built-in 4-node model (offered 25398 → 26100), but holding no password: only the client's counts. */
function modelWithoutPassword(dir: string, name: string): string {
  const fixture = JSON.parse(readFileSync(BUILTIN_FIXTURE_PATH, 'utf8')) as Record<string, unknown>;
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify({ ...fixture, name, passwordHeld: false }));
  return path;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('feature-update without network credentials (simulation)', () => {
  it('refuses before touching anything: exit 5, NETWORK_CREDENTIAL_REQUIRED, with the password and delegation remedies', () => {
    const box = sandbox();
    try {
      const fixture = modelWithoutPassword(box.dir, 'HCINOPW');
      const result = box.run(['feature-update', '--simulate', fixture, '--sim-reset', '--sim-speed', 'max', '--wu-connected', '--force', '--json']);
      expect(result.code).toBe(5);
      const error = parseJson<{ error: { code: string; message: string; hint: string } }>(result).error;
      expect(error.code).toBe('NETWORK_CREDENTIAL_REQUIRED');
      expect(error.message).toMatch(/Test-Cluster on NODE\d must reach other machines.*Nothing was touched\./s);
      expect(error.hint).toMatch(/--password-file.*scheduled task under your account.*constrained delegation/s);
      // Nothing was touched: no node was paused.
      const status = box.run(['get-run', '--simulate', fixture, '--show-cluster-node-state', '--json']);
      expect(parseJson<{ nodes: Array<{ name: string; state: string }> }>(status).nodes.map((n) => n.state)).toEqual(['Up', 'Up', 'Up', 'Up']);
    } finally {
      box.cleanup();
    }
  });
});

const run = peersAvailable('feature-update over winrm', ntlmAcceptorMissing()) && hasBuild();
const describeIf = run ? describe : describe.skip;

describeIf('feature-update over winrm with the password (the credentialed logon)', () => {
  let dir: string;
  let h: ServerHarness | undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cauctl-fu-cred-'));
  });
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('validates through a fresh logon with the password sent as data for test-cluster only, upgrades every node, and leaks the password nowhere', async () => {
    h = await startServer({ fixturePath: modelWithoutPassword(dir, 'HCI01'), speed: 2000, receiveHoldMs: 25, auth: ['ntlm'] });
    const { server } = h;
    const stateDir = join(dir, 'cli-state');
    const result = await runCli(
      ['feature-update', '--transport', 'winrm', '--cluster-name', 'HCI01', '--username', USER, ...server.nodeAddressArgs(), '--wu-connected', '--force', '--json'],
      { stateDir, password: PASSWORD, timeoutMs: 600_000 },
    );
    if (result.code !== 0) throw new Error(`exit ${result.code}\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-4000)}`);
    const doc = JSON.parse(result.stdout) as { status: string; steps: Array<{ step: string; status: string }>; buildsAfter: Record<string, number> };
    expect(doc.status).toBe('Succeeded');
    expect(doc.steps.find((s) => s.step === 'validation')?.status).toBe('Succeeded');
    expect(Object.values(doc.buildsAfter)).toEqual([26100, 26100, 26100, 26100]);

    // The credentialed path: test-cluster carried the admin's account and password, as data in the payload.
    const validations = server.invocations.filter((i) => i.name === 'test-cluster');
    expect(validations.length).toBeGreaterThan(0);
    for (const v of validations) expect(v.params['networkCredential']).toEqual({ userName: USER, password: PASSWORD });
    // No other operation of this flow needs it, and none carried it.
    const others = server.invocations.filter((i) => i.name !== 'test-cluster' && i.name !== undefined);
    expect(others.filter((i) => JSON.stringify(i.params).includes(PASSWORD)).map((i) => i.name)).toEqual([]);
    expect(server.sim.audit().violations).toEqual([]);

    // Never in the output, the journal or anything else cauctl keeps.
    expect(result.stdout + result.stderr).not.toContain(PASSWORD);
    for (const file of filesUnder(stateDir)) expect({ file, leaked: readFileSync(file, 'utf8').includes(PASSWORD) }).toEqual({ file, leaked: false });
  }, 700_000);
});
