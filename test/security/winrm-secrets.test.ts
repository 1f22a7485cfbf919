// No secret in argv, output, logs or the journal: a whole `cauctl run --transport winrm --verbose` against the
// WS-Man test server with a distinctive password, then a search for that password, plain, base64 and
// UTF-16LE base64, in the argv of the cauctl process and its children, stdout, stderr (the --verbose log), and
// every file of the state dir (journal, history, lock files).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasBuild } from '../support/cli.js';
import { runCli } from '../wsman-server/cli-run.js';
import { ntlmAcceptorMissing } from '../wsman-server/ntlm-sidecar.js';
import { USER, peersAvailable, shortFixture, startServer, type ServerHarness } from '../wsman-server/test-support.js';

const describeIf = peersAvailable('secrets over WinRM', ntlmAcceptorMissing()) && hasBuild() && existsSync('/proc/self/cmdline') ? describe : describe.skip;

const SECRET = 'Xq9-Tangerine#Vault!2031';

/** Every form in which a careless program could leak the password. */
const FORMS: ReadonlyArray<[string, string]> = [
  ['plain', SECRET],
  ['base64', Buffer.from(SECRET, 'utf8').toString('base64')],
  ['utf16le base64', Buffer.from(SECRET, 'utf16le').toString('base64')],
  ['basic header', Buffer.from(`${USER}:${SECRET}`, 'utf8').toString('base64')],
  ['utf16le bytes', Buffer.from(SECRET, 'utf16le').toString('latin1')],
];

function leaks(where: string, text: string): string[] {
  return FORMS.filter(([, form]) => text.includes(form)).map(([name]) => `${where}: ${name}`);
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** argv of `pid` and of its descendants, as far as /proc shows them now. */
function argvOfTree(pid: number): string[] {
  const out: string[] = [];
  const pending = [pid];
  while (pending.length > 0) {
    const p = pending.pop()!;
    try {
      out.push(readFileSync(`/proc/${p}/cmdline`, 'latin1').replace(/\0/g, ' '));
    } catch {
      continue; // exited
    }
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (ppid === p) pending.push(Number(entry));
      } catch {
        // gone meanwhile
      }
    }
  }
  return out;
}

describeIf('no secret leaks from a winrm run', () => {
  let dir: string;
  let h: ServerHarness | undefined;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'cauctl-secrets-'));
  });
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the password out of argv, stdout, stderr, the --verbose log and the state dir', async () => {
    const fixturePath = join(dir, 'fixture.json');
    writeFileSync(fixturePath, JSON.stringify(shortFixture('SEC01', 2)));
    h = await startServer({ fixturePath, users: { [USER]: SECRET }, auth: ['ntlm'], speed: 50, receiveHoldMs: 20 });
    const stateDir = join(dir, 'cli-state');
    const argvSeen: string[] = [];
    let sampler: NodeJS.Timeout | undefined;
    const result = await runCli(
      ['run', '--transport', 'winrm', '--cluster-name', 'SEC01', '--username', USER, ...h.server.nodeAddressArgs(), '--force', '--json', '--verbose'],
      {
        stateDir,
        password: SECRET,
        onStart: (pid) => {
          // Sample the process tree while it runs: argv is visible to every user of the machine.
          argvSeen.push(...argvOfTree(pid));
          sampler = setInterval(() => argvSeen.push(...argvOfTree(pid)), 100);
        },
      },
    ).finally(() => clearInterval(sampler));
    if (result.code !== 0) throw new Error(`exit ${result.code}\n${result.stderr.slice(-4000)}`);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 'Succeeded' });
    expect(result.stderr).toContain('winrm:'); // the --verbose log really is there

    const files = filesUnder(stateDir);
    expect(files.some((f) => /journal|history|runs/i.test(f))).toBe(true);
    expect(argvSeen.some((a) => a.includes('cauctl.js'))).toBe(true);

    const found = [
      ...argvSeen.flatMap((a) => leaks('argv', a)),
      ...leaks('stdout', result.stdout),
      ...leaks('stderr', result.stderr),
      ...files.flatMap((f) => leaks(f.slice(stateDir.length), readFileSync(f, 'latin1'))),
      ...files.flatMap((f) => leaks(f.slice(stateDir.length), readFileSync(f, 'utf8'))),
      // And nothing inside a message, even sealed: the server saw every request decrypted.
      ...h.server.requests.flatMap((r) => leaks(`request ${r.action}`, r.xml)),
    ];
    expect(found).toEqual([]);
    // The search itself works: the forms are present where they are expected to be.
    expect(leaks('self-check', `x${FORMS.map(([, f]) => f).join('|')}x`)).toHaveLength(FORMS.length);
  }, 90_000);
});
