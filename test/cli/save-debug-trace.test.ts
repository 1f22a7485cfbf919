/**
 * Issue 16 §3: save-debug-trace (Save-CauDebugTrace) on the built CLI. Secrets planted in a real run's state
 * (journal, sidecar, run profile, history) and in the environment never reach the archive; the rest does.
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { VERSION } from '../../src/version.js';
import { aCluster, parseJson, sandbox, type Sandbox } from '../support/cli.js';

let box: Sandbox;
let model: string;
beforeEach(() => {
  box = sandbox();
  model = box.fixture(aCluster('TRACE01', [0, 1]));
});
afterEach(() => box.cleanup());

const sim = (...args: string[]): ReturnType<Sandbox['run']> => box.run([...args, '--simulate', model]);

function runOnce(): string {
  const run = sim('run', '--force', '--json');
  expect(run.code).toBe(0);
  return parseJson<{ runId: string }>(run).runId;
}

function unzip(path: string): Record<string, string> {
  const files = unzipSync(new Uint8Array(readFileSync(path)));
  return Object.fromEntries(Object.entries(files).map(([name, bytes]) => [name, strFromU8(bytes)]));
}

const runsDir = (): string => join(box.stateDir, 'runs', 'TRACE01');
const historyDir = (): string => join(box.stateDir, 'history', 'TRACE01');

describe('save-debug-trace', () => {
  it('archives journals, run profile, history and versions, with every planted secret redacted', () => {
    const runId = runOnce();
    const secrets = {
      password: 'Pa55-planted-Hunter2',
      token: 'tok-planted-9f8e7d6c5b4a',
      teams: 'planted-hook-secret-7731',
      slack: 'slacksecretplanted',
      bearer: 'eyJplantedBearerToken0123',
      env: 'env-planted-secret-4242',
    };
    const teamsUrl = `https://contoso.webhook.office.com/webhookb2/${secrets.teams}/IncomingWebhook/abc`;
    // The journal: a record carrying a password field and a message with a web hook URL and a token.
    const journal = join(runsDir(), `${runId}.jsonl`);
    appendFileSync(journal, `${JSON.stringify({ seq: 999, time: new Date().toISOString(), type: 'note', password: secrets.password, message: `post to ${teamsUrl} failed; retry with token=${secrets.token}` })}\n`);
    // The run profile: a plug-in argument that is a password.
    const profilePath = join(runsDir(), `${runId}.profile.json`);
    const profile = JSON.parse(readFileSync(profilePath, 'utf8')) as { plugins: Array<{ arguments: Record<string, string> }>; maxRetriesPerNode: number };
    expect(profile.maxRetriesPerNode).toBe(3);
    profile.plugins[0]!.arguments = { HotfixRootFolderPath: '\\\\srv\\hotfix', SharePassword: secrets.password };
    writeFileSync(profilePath, JSON.stringify(profile));
    // The history: a web hook URL under its own key and a Bearer credential in a warning.
    const [historyFile] = readdirSync(historyDir());
    const report = JSON.parse(readFileSync(join(historyDir(), historyFile!), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(historyDir(), historyFile!), JSON.stringify({ ...report, notifyWebhook: `https://hooks.slack.com/services/T0/B0/${secrets.slack}`, warnings: [`proxy said: Authorization: Bearer ${secrets.bearer}`] }));

    const zipPath = join(box.dir, 'trace.zip');
    const saved = box.run(['save-debug-trace', '--simulate', model, '--path', zipPath, '--json'], { env: { CAUCTL_PASSWORD: secrets.env } });
    expect(saved.code).toBe(0);
    const doc = parseJson<{ path: string; runIds: string[]; files: string[]; redactedValues: number }>(saved);
    expect(doc.runIds).toEqual([runId]);
    expect(doc.redactedValues).toBeGreaterThanOrEqual(6);

    const files = unzip(zipPath);
    expect(Object.keys(files).sort()).toEqual(
      [
        'README.txt',
        'versions.json',
        `journals/${runId}.jsonl`,
        `journals/${runId}.meta.json`,
        `journals/${runId}.profile.json`,
        `history/${historyFile!}`,
      ]
        .map((name) => `cauctl-debug-trace/${name}`)
        .sort(),
    );
    const all = Object.values(files).join('\n');
    for (const [what, secret] of Object.entries(secrets)) expect({ what, found: all.includes(secret) }).toEqual({ what, found: false });
    expect(all).not.toMatch(/webhookb2|services\/T0/);
    // What is not secret is all there: the run's steps, its profile, its result, the versions.
    const trace = (name: string): string => files[`cauctl-debug-trace/${name}`]!;
    const records = trace(`journals/${runId}.jsonl`).trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records[0]).toMatchObject({ type: 'run-started', runId });
    expect(records.some((r) => r.type === 'run-completed')).toBe(true);
    expect(records.at(-1)).toMatchObject({ type: 'note', password: '[REDACTED]', message: expect.stringContaining('https://contoso.webhook.office.com/[REDACTED]') });
    expect(JSON.parse(trace(`journals/${runId}.profile.json`))).toMatchObject({ maxRetriesPerNode: 3, plugins: [{ arguments: { HotfixRootFolderPath: '\\\\srv\\hotfix', SharePassword: '[REDACTED]' } }] });
    expect(JSON.parse(trace(`history/${historyFile!}`))).toMatchObject({ runId, status: 'Succeeded', notifyWebhook: '[REDACTED]' });
    expect(JSON.parse(trace('versions.json'))).toMatchObject({ cauctl: VERSION, node: process.version, clusterName: 'TRACE01', os: { platform: process.platform } });
  });

  it('--run-id takes that run only; an unknown one is exit 2 and writes nothing', () => {
    const first = runOnce();
    const second = runOnce();
    const zipPath = join(box.dir, 'one.zip');
    expect(sim('save-debug-trace', '--path', zipPath, '--run-id', first).code).toBe(0);
    const names = Object.keys(unzip(zipPath)).join('\n');
    expect(names).toContain(`journals/${first}.jsonl`);
    expect(names).not.toContain(second);

    const unknown = sim('save-debug-trace', '--path', join(box.dir, 'none.zip'), '--run-id', 'no-such-run');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('No run no-such-run of TRACE01');
    expect(unknown.stderr).toContain('try: List the runs with: cauctl get-report');
    expect(existsSync(join(box.dir, 'none.zip'))).toBe(false);
  });

  it('an existing file is exit 2 without --force and replaced with it; a folder or an unwritable path is exit 2, named, no temp file left', () => {
    runOnce();
    const zipPath = join(box.dir, 'trace.zip');
    writeFileSync(zipPath, 'keep me');
    const refused = sim('save-debug-trace', '--path', zipPath);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(`${zipPath} already exists; nothing was written.`);
    expect(refused.stderr).toContain('try: Add --force');
    expect(readFileSync(zipPath, 'utf8')).toBe('keep me');
    expect(sim('save-debug-trace', '--path', zipPath, '-f').code).toBe(0);
    expect(Object.keys(unzip(zipPath))).toContain('cauctl-debug-trace/versions.json');

    const folder = join(box.dir, 'out');
    mkdirSync(folder);
    const isFolder = sim('save-debug-trace', '--path', folder);
    expect(isFolder.code).toBe(2);
    expect(isFolder.stderr).toContain(`${folder} is a folder; nothing was written.`);

    // A file where a folder should be: the write fails whoever runs the test (root included).
    const blocked = join(box.dir, 'trace.zip', 'inside.zip');
    const failed = sim('save-debug-trace', '--path', blocked);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain(`Cannot use ${blocked}`);
    expect(failed.stderr).toContain('try: ');
    expect(readdirSync(box.dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('--help shows examples, what the archive holds and the exit codes', () => {
    const help = box.run(['save-debug-trace', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Examples:\n {2}# .+\n {2}\$ cauctl save-debug-trace --simulate --path trace\.zip/);
    expect(help.stdout).toContain('--run-id <id>');
    expect(help.stdout).toContain('[REDACTED]');
    expect(help.stdout).toMatch(/Exit codes:[\s\S]*2 +usage or profile invalid/);
  });
});
