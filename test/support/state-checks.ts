/**
 * What must hold after every accident of issue 14 (signals, closed pipes, full disks, torn journals): no node
 * left paused by the run, the lock free (or held with a clear message), and every command that reads the
 * state still works. Used by the end-to-end tests in test/cli/.
 */
import type { ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseJson, type Sandbox } from './cli.js';

export interface ClusterView {
  runState: string;
  nodes: Array<{ name: string; state: string }>;
  reports: Array<{ runId: string; status: string }>;
}

/** Checks that every state-reading command answers, and returns what they said. */
export function readBack(box: Sandbox, fixture: string): ClusterView {
  const run = box.run(['get-run', '--simulate', fixture, '--json']);
  if (run.code !== 0) throw new Error(`get-run failed (exit ${run.code}): ${run.stderr}`);
  const nodes = box.run(['get-run', '--simulate', fixture, '--show-cluster-node-state', '--json']);
  if (nodes.code !== 0) throw new Error(`get-run --show-cluster-node-state failed (exit ${nodes.code}): ${nodes.stderr}`);
  const report = box.run(['get-report', '--simulate', fixture, '--json']);
  if (report.code !== 0) throw new Error(`get-report failed (exit ${report.code}): ${report.stderr}`);
  const exported = box.run(['export-report', '--simulate', fixture, '--format', 'html', '--path', join(box.dir, `report-${Date.now()}.html`), '--force']);
  if (exported.code !== 0 && !/No report to export/.test(exported.stderr)) {
    throw new Error(`export-report failed (exit ${exported.code}): ${exported.stderr}`);
  }
  return {
    runState: parseJson<{ runState: string }>(run).runState,
    nodes: parseJson<{ nodes: ClusterView['nodes'] }>(nodes).nodes,
    reports: parseJson<{ reports: ClusterView['reports'] }>(report).reports,
  };
}

/** No node paused and the lock free: the state a run must leave behind after a safe halt. */
export function expectCleanCluster(view: ClusterView): void {
  expect(view.nodes.filter((n) => n.state !== 'Up')).toEqual([]);
  expect(view.runState).toBe('RunNotInProgress');
}

/** Collects a child's output and resolves with its exit code and signal. */
export function collect(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

/**
 * Resolves when the child's NDJSON stream (`--output ndjson`) carries an event that matches: an event, not a
 * clock, tells the test that the run reached a given point.
 */
export function whenEvent(child: ChildProcess, match: (event: Record<string, unknown>) => boolean): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const onData = (d: Buffer): void => {
      buffer += d.toString();
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        let event: Record<string, unknown>;
        try {
          event = JSON.parse(line) as Record<string, unknown>;
        } catch {
          continue;
        }
        if (match(event)) {
          child.stdout?.off('data', onData);
          resolve(event);
          return;
        }
      }
    };
    child.stdout?.on('data', onData);
    child.on('close', () => reject(new Error('the process ended before the awaited event')));
  });
}

/**
 * Resolves when what a child wrote to `stream` so far matches `pattern` (a message the CLI prints when it
 * reached a point), with all of it; rejects if the child ends first.
 */
export function whenOutput(child: ChildProcess, stream: 'stdout' | 'stderr', pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const source = child[stream];
    const onData = (d: Buffer): void => {
      text += d.toString();
      if (pattern.test(text)) {
        source?.off('data', onData);
        resolve(text);
      }
    };
    source?.on('data', onData);
    child.on('close', () => reject(new Error(`the process ended before printing ${String(pattern)}:\n${text}`)));
  });
}

/** The NDJSON events a finished `--output ndjson` run printed, in order. */
export function ndjsonEvents(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The run journals of `cluster` (upper-case, as the state folder names it) under `stateDir`. */
export function runJournals(stateDir: string, cluster: string): string[] {
  const dir = join(stateDir, 'runs', cluster);
  try {
    return readdirSync(dir).filter((f) => f.endsWith('.jsonl')).map((f) => join(dir, f));
  } catch {
    return [];
  }
}

/**
 * Resolves once a run journal of `cluster` that is not in `before` exists (a fresh run started: its lock is
 * taken), or once the run has ended without one. Crash tests count kill points from it, so that the share
 * of kills inside the run does not depend on how long process start-up takes on a loaded machine.
 */
export async function journalAppears(stateDir: string, cluster: string, before: ReadonlySet<string>, exited: Promise<unknown>): Promise<void> {
  let ended = false;
  void exited.then(() => (ended = true));
  while (!ended && runJournals(stateDir, cluster).every((path) => before.has(path))) await new Promise((resolve) => setTimeout(resolve, 5));
}
