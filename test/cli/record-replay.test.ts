// Issue 17 acceptance: a run recorded with --record (on the simulator, and over the winrm transport against the
// WS-Man test server in front of the simulator) replays with --transport replay to the same `run --json` result
// (runId and times aside); a replay that runs out of recorded replies fails with exit 4 naming the node and the
// operation; no recording carries the password.
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasBuild, sandbox } from '../support/cli.js';
import { runCli } from '../wsman-server/cli-run.js';
import { PASSWORD, USER, shortFixture, startServer } from '../wsman-server/test-support.js';

const describeIf = hasBuild() ? describe : describe.skip;

interface RunJson {
  runId: string;
  status: string;
  clusterName: string;
  errorRecord: unknown;
  nodeResults: Array<Record<string, unknown>>;
  [key: string]: unknown;
}

/**
 * The result without what differs by construction: the run id, times and durations (a replay's clock follows
 * the recorded calls, not the time the recording host spent between them), and where this host keeps the journal.
 */
function comparable(r: RunJson): unknown {
  const { runId: _runId, startTime: _s, endTime: _e, journalPath: _j, simulation: _sim, ...rest } = r;
  const isoTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z$/;
  return JSON.parse(
    JSON.stringify(rest, (key, value: unknown) => (typeof value === 'string' && isoTime.test(value) ? '<time>' : typeof value === 'number' && /(?:Seconds|Ms)$/.test(key) ? '<duration>' : value)),
  ) as unknown;
}

function recordingText(dir: string): string {
  return readdirSync(dir)
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
}

describeIf('--record and --transport replay', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cauctl-record-replay-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a simulated run replays to the same --json result, and a truncated recording fails with exit 4 naming node and operation', () => {
    const box = sandbox();
    try {
      const rec = join(box.dir, 'rec');
      const recorded = box.run(['run', '--simulate', '--force', '--json', '--record', rec]);
      expect(recorded.code).toBe(0);
      const replayed = box.run(['run', '--transport', 'replay', '--replay', rec, '--force', '--json'], { env: { CAUCTL_STATE_DIR: join(box.dir, 'replay-state') } });
      expect({ code: replayed.code, stderr: replayed.stderr }).toEqual({ code: 0, stderr: '' });
      const [a, b] = [JSON.parse(recorded.stdout) as RunJson, JSON.parse(replayed.stdout) as RunJson];
      expect(b.runId).not.toBe(a.runId);
      expect(comparable(b)).toEqual(comparable(a));
      expect(a.nodeResults.length).toBe(4);

      // NODE3 loses the tail of its recording: the replay stops there, exit 4, naming NODE3 and the operation.
      const cut = join(box.dir, 'cut');
      cpSync(rec, cut, { recursive: true });
      const lines = readFileSync(join(cut, 'NODE3.jsonl'), 'utf8').split('\n').filter(Boolean);
      const kept = lines.slice(0, 30);
      const next = (JSON.parse(lines.slice(30).find((l) => !l.includes('-cluster-property"'))!) as { op: string }).op;
      writeFileSync(join(cut, 'NODE3.jsonl'), `${kept.join('\n')}\n`);
      const short = box.run(['run', '--transport', 'replay', '--replay', cut, '--force', '--json'], { env: { CAUCTL_STATE_DIR: join(box.dir, 'cut-state') } });
      expect(short.code).toBe(4);
      expect(short.stderr).toContain(`ran out of replies for NODE3: the run asked for ${next}`);
      expect(JSON.parse(short.stdout.slice(short.stdout.lastIndexOf('{\n  "schemaVersion"')))).toMatchObject({ error: { code: 'REPLAY_EXHAUSTED', exitCode: 4, details: { node: 'NODE3', operation: next } } });
    } finally {
      box.cleanup();
    }
  }, 120_000);

  it('--transport replay without --replay, and --replay with another transport, are usage errors', () => {
    const box = sandbox();
    try {
      const a = box.run(['scan', '--transport', 'replay']);
      expect({ code: a.code, err: a.stderr }).toEqual({ code: 2, err: expect.stringContaining('--transport replay needs --replay <dir>') });
      const b = box.run(['scan', '--simulate', '--replay', box.dir]);
      expect({ code: b.code, err: b.stderr }).toEqual({ code: 2, err: expect.stringContaining('--replay and --transport simulator conflict') });
      const c = box.run(['scan', '--simulate', '--anonymize']);
      expect({ code: c.code, err: c.stderr }).toEqual({ code: 2, err: expect.stringContaining('--anonymize applies to a recording') });
    } finally {
      box.cleanup();
    }
  });

  it('a run over winrm against the WS-Man test server, recorded, replays to the same run --json; the password is nowhere in the recording', async () => {
    // As in winrm-e2e: virtual time 2000x the real clock, so the coordinator's real-time reboot polls see a node
    // come back at the next poll; Receives held 25 ms.
    const h = await startServer({ fixture: shortFixture('WSM01', 3), auth: ['basic'], speed: 2000, receiveHoldMs: 25 });
    try {
      const rec = join(dir, 'winrm-rec');
      const args = ['--transport', 'winrm', '--cluster-name', 'WSM01', '--username', USER, '--authentication', 'Basic', '--allow-unencrypted', ...h.server.nodeAddressArgs()];
      const recorded = await runCli(['run', ...args, '--force', '--json', '--record', rec], { stateDir: join(dir, 'winrm-state'), password: PASSWORD, timeoutMs: 280_000 });
      if (recorded.code !== 0) throw new Error(`exit ${recorded.code}\n${recorded.stderr.slice(-4000)}`);
      const served = h.server.invocations.length;
      const replayed = await runCli(['run', '--transport', 'replay', '--replay', rec, '--force', '--json'], { stateDir: join(dir, 'replay-state') });
      expect({ code: replayed.code, stderr: replayed.stderr }).toEqual({ code: 0, stderr: '' });
      // The replay reached no node.
      expect(h.server.invocations.length).toBe(served);
      const [a, b] = [JSON.parse(recorded.stdout) as RunJson, JSON.parse(replayed.stdout) as RunJson];
      expect(a.status).toBe('Succeeded');
      expect(a.nodeResults.map((n) => n['rebooted'])).toEqual([true, true, true]);
      expect(comparable(b)).toEqual(comparable(a));

      const text = recordingText(rec);
      expect(JSON.parse(readFileSync(join(rec, 'recording.json'), 'utf8'))).toMatchObject({ transport: 'winrm', entry: 'WSM01', schemaVersion: 1 });
      for (const secret of [PASSWORD, Buffer.from(`${USER}:${PASSWORD}`).toString('base64')]) expect(text.includes(secret)).toBe(false);
    } finally {
      await h.close();
    }
  }, 300_000);
});
