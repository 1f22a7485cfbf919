/**
 * Runs the built CLI (bin/cauctl.js → dist/) as a user would, in a temporary state directory, and returns
 * exit code, stdout and stderr together. Also builds fixture files from small override-taking builders.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(new URL('../..', import.meta.url).pathname);
export const BIN = join(ROOT, 'bin', 'cauctl.js');

export interface ExecResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Sandbox {
  readonly dir: string;
  readonly stateDir: string;
  /** Runs the CLI synchronously. */
  run(args: readonly string[], options?: { env?: Record<string, string>; input?: string }): ExecResult;
  /** Starts the CLI in the background. */
  start(args: readonly string[], options?: { env?: Record<string, string> }): ReturnType<typeof spawn>;
  /** Writes a fixture file and returns its path. */
  fixture(value: unknown, name?: string): string;
  cleanup(): void;
}

export function sandbox(): Sandbox {
  const dir = mkdtempSync(join(tmpdir(), 'cauctl-e2e-'));
  const stateDir = join(dir, 'state');
  const baseEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
    // A password in the developer's own environment must not leak into tests; one a test passes is kept.
    const env: NodeJS.ProcessEnv = { ...process.env, CAUCTL_STATE_DIR: stateDir, NO_COLOR: '1' };
    delete env.CAUCTL_PASSWORD;
    return { ...env, ...extra };
  };
  return {
    dir,
    stateDir,
    run(args, options = {}) {
      const r = spawnSync(process.execPath, [BIN, ...args], {
        cwd: ROOT,
        env: baseEnv(options.env),
        input: options.input ?? '',
        encoding: 'utf8',
        timeout: 120_000,
      });
      return { code: r.status, stdout: r.stdout, stderr: r.stderr };
    },
    start(args, options = {}) {
      return spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: baseEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
    },
    fixture(value, name = `fixture-${Math.random().toString(36).slice(2)}.json`) {
      const path = join(dir, name);
      writeFileSync(path, JSON.stringify(value, null, 2));
      return path;
    },
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let updateCounter = 0;

export function anUpdate(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  updateCounter += 1;
  return {
    id: `00000000-0000-4000-8000-${String(updateCounter).padStart(12, '0')}`,
    kb: `KB50${String(40000 + updateCounter)}`,
    title: `Cumulative Update ${updateCounter}`,
    rebootRequired: true,
    ...overrides,
  };
}

export function aNode(name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, state: 'Up', roles: [], updates: [anUpdate()], ...overrides };
}

/** A small S2D cluster: `roles[i]` roles on NODE<i+1>, one rebooting update each. */
export function aCluster(name: string, roles: readonly number[], nodeOverrides: Record<string, Record<string, unknown>> = {}, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name,
    storage: { s2d: true },
    quorum: { witnessType: 'Cloud', witnessState: 'Online' },
    nodes: roles.map((count, i) => {
      const nodeName = `NODE${i + 1}`;
      return aNode(nodeName, { roles: Array.from({ length: count }, (_, r) => `${nodeName}-VM${r + 1}`), ...(nodeOverrides[nodeName] ?? {}) });
    }),
    ...extra,
  };
}

export function parseJson<T = Record<string, unknown>>(result: ExecResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${result.code}):\n${result.stdout}\n--- stderr ---\n${result.stderr}`);
  }
}

/**
 * Whether the built CLI is there for the end-to-end suites: false when nothing is built (no dist/cli/main.js; the
 * suites that ask are skipped). A build that is there must run: `--help` loads dist/cauctl.js, the bundle every
 * command but `--version` runs from (`--version` alone never loads it), so a missing or broken bundle throws here,
 * naming what failed and what to run, instead of each test failing later on an exit code of 1.
 */
export function hasBuild(root: string = ROOT): boolean {
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) return false;
  const r = spawnSync(process.execPath, [join(root, 'bin', 'cauctl.js'), '--help'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  if (r.status === 0) return true;
  const why = (r.error?.message ?? r.stderr).split('\n').find((line) => /\S/.test(line) && !line.startsWith('node:') && !/^\s*(\^|throw )/.test(line)) ?? `signal ${r.signal}`;
  throw new Error(`The built CLI does not start: bin/cauctl.js --help exited ${r.status} in ${root}: ${why.trim()}. dist/cauctl.js is the bundle every command but --version loads; run npm run build.`);
}
