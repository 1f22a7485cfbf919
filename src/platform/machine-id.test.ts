/**
 * The machine id kept in the state directory: created once, whole, and the same for every process that races
 * to create it (a run and a get-run started together on a fresh state directory once gave the run's lock an id
 * that the next command did not share, so the lock of a killed run read as another machine's and was never
 * cleared as dead).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createFileOnce } from './fs.js';
import { machineIdFor } from './machine-id.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cauctl-machine-id-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('createFileOnce', () => {
  it('creates the file whole and leaves no temporary file', () => {
    expect(createFileOnce(join(dir, 'id'), 'abc\n', { durable: true })).toBe(true);
    expect(readFileSync(join(dir, 'id'), 'utf8')).toBe('abc\n');
    expect(readdirSync(dir)).toEqual(['id']);
  });

  it('never replaces a file that exists, and says so', () => {
    writeFileSync(join(dir, 'id'), 'first\n');
    expect(createFileOnce(join(dir, 'id'), 'second\n')).toBe(false);
    expect(readFileSync(join(dir, 'id'), 'utf8')).toBe('first\n');
    expect(readdirSync(dir)).toEqual(['id']);
  });
});

describe('machineIdFor', () => {
  it('keeps one id: a second call reads what the first created', () => {
    const first = machineIdFor(dir);
    expect(first).toMatch(/^[0-9a-f]{32}$/);
    expect(machineIdFor(dir)).toBe(first);
    expect(readdirSync(dir)).toEqual(['machine-id']);
  });

  it('an empty id file gives no id (the host name decides), and is not replaced', () => {
    writeFileSync(join(dir, 'machine-id'), '');
    expect(machineIdFor(dir)).toBeUndefined();
    expect(readFileSync(join(dir, 'machine-id'), 'utf8')).toBe('');
  });

  it('processes racing on fresh state directories all get the same id for each', async () => {
    const dirs = Array.from({ length: 150 }, (_, i) => join(dir, `state-${i}`));
    const script = `import { machineIdFor } from ${JSON.stringify(join(ROOT, 'dist', 'platform', 'machine-id.js'))};
const dirs = JSON.parse(process.argv[1]);
const start = Number(process.argv[2]);
while (Date.now() < start) {}
process.stdout.write(JSON.stringify(dirs.map((d) => machineIdFor(d))));`;
    const start = Date.now() + 1500;
    const racer = (): Promise<string[]> =>
      new Promise((done, fail) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(dirs), String(start)], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.on('error', fail);
        child.on('exit', (code) => (code === 0 ? done(JSON.parse(out) as string[]) : fail(new Error(`racer exited ${code}`))));
      });
    const [a, b, c] = await Promise.all([racer(), racer(), racer()]);
    const differing = dirs.filter((_, i) => a![i] !== b![i] || b![i] !== c![i]);
    expect(differing).toEqual([]);
    expect(a!.every((id) => /^[0-9a-f]{32}$/.test(id))).toBe(true);
  }, 30_000);
});
