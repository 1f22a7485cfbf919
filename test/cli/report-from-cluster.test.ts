/**
 * Issue 8: a run's report is retrievable on a host that did not coordinate it, from the summary the cluster
 * carries. The other host is played by removing this host's history after the run.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { aCluster, parseJson, sandbox, type Sandbox } from '../support/cli.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

it('lists runs coordinated elsewhere from the cluster with --include-cluster', () => {
  const fixture = box.fixture(aCluster('ELSEWHERE', [0, 1], { NODE2: { faults: [{ kind: 'installFails', times: 9, errorCode: '0x80240022' }] } }));
  const run = parseJson<{ runId: string; status: string }>(box.run(['run', '--simulate', fixture, '--sim-reset', '--force', '--json', '--max-retries-per-node', '0', '--max-failed-nodes', '1']));
  expect(run.status).toBe('PartiallyFailed');
  rmSync(join(box.stateDir, 'history'), { recursive: true, force: true });

  const local = box.run(['get-report', '--simulate', fixture]);
  expect(local.code).toBe(0);
  expect(local.stderr).toMatch(/No reports of ELSEWHERE in this host's history[\s\S]*--include-cluster/);

  const fromCluster = parseJson<{ reports: Array<{ runId: string; status: string; nodeResults: Array<{ node: string; status: string; numberOfFailedUpdates: number }>; source?: string; coordinator?: string }> }>(
    box.run(['get-report', '--simulate', fixture, '--include-cluster', '--detailed', '--json']),
  );
  expect(fromCluster.reports).toHaveLength(1);
  expect(fromCluster.reports[0]).toMatchObject({ runId: run.runId, status: 'PartiallyFailed', source: 'cluster', coordinator: expect.stringContaining('@') });
  expect(fromCluster.reports[0]!.nodeResults.map((n) => [n.node, n.status, n.numberOfFailedUpdates])).toEqual([
    ['NODE1', 'Succeeded', 0],
    ['NODE2', 'Failed', 1],
  ]);

  const csvPath = join(box.dir, 'from-cluster.csv');
  const exported = box.run(['export-report', '--simulate', fixture, '--include-cluster', '--format', 'csv', '--path', csvPath]);
  expect(exported.code).toBe(0);
});
