/** Test helpers for simulator scenarios: temporary state dirs, fixtures from objects, typed op calls. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OperationName, OperationParams } from '../cluster/operations.js';
import type { ScriptOutcome } from '../transport/transport.js';
import { openSimulator, type Simulator } from './index.js';

export interface SimHarness {
  sim: Simulator;
  /** Temporary root: the fixture file and `state/`. */
  dir: string;
  fixturePath: string | undefined;
  /** Runs an operation; resolves to the outcome (or rejects with the transport's AppError). */
  run<N extends OperationName>(node: string, name: N, params: OperationParams<N>): Promise<ScriptOutcome>;
  /** Runs an operation that must succeed and returns its data. */
  ok<N extends OperationName>(node: string, name: N, params: OperationParams<N>): Promise<Record<string, unknown>>;
  /** Lets virtual time pass. */
  wait(seconds: number): Promise<void>;
  reopen(options?: { reset?: boolean }): SimHarness;
  cleanup(): void;
}

function harness(sim: Simulator, dir: string, fixturePath: string | undefined): SimHarness {
  const run = <N extends OperationName>(node: string, name: N, params: OperationParams<N>): Promise<ScriptOutcome> =>
    sim.transport.run(node, { name, script: '', params: params as Record<string, unknown> });
  return {
    sim,
    dir,
    fixturePath,
    run,
    async ok(node, name, params) {
      const outcome = await run(node, name, params);
      if (!outcome.ok) throw new Error(`${name} on ${node} failed: ${outcome.error.code} ${outcome.error.message}`);
      return outcome.data as Record<string, unknown>;
    },
    wait: (seconds) => sim.clock.sleep(seconds * 1000),
    reopen: (options = {}) =>
      harness(openSimulator({ stateDir: join(dir, 'state'), speed: 'max', reset: options.reset ?? false, ...(fixturePath ? { fixturePath } : {}) }), dir, fixturePath),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Opens a simulator at max speed in a fresh state dir, from a fixture object or the built-in model. */
export function openTestSim(fixture?: Record<string, unknown>): SimHarness {
  const dir = mkdtempSync(join(tmpdir(), 'cauctl-sim-'));
  let fixturePath: string | undefined;
  if (fixture) {
    fixturePath = join(dir, 'fixture.json');
    writeFileSync(fixturePath, JSON.stringify(fixture));
  }
  return harness(openSimulator({ stateDir: join(dir, 'state'), speed: 'max', reset: false, ...(fixturePath ? { fixturePath } : {}) }), dir, fixturePath);
}

export const WU = { plugin: 'Microsoft.WindowsUpdatePlugin', arguments: {} } as const;
