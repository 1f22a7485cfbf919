/**
 * The body of `cauctl snapshot`: read the cluster through a read-only gateway, make the model (model.ts), take
 * its timings from the model itself in a rehearsal, else from this host's run history, else the defaults,
 * rename with `--anonymize`, validate against the fixture schema, and write it.
 */
import type { ClusterFixture } from '../../../sim/index.js';
import { ReadOnlyGateway } from '../../../cluster/read-only-gateway.js';
import { DEFAULT_TIMING, type PhaseTiming } from '../../../core/plan.js';
import { AppError, ExitCode } from '../../../errors.js';
import { loadReports } from '../../../journal/history.js';
import { plural } from '../../../output/format.js';
import { writeResult } from '../../../output/result.js';
import { writeFileAtomic } from '../../../platform/fs.js';
import { validateClusterModel } from '../../../transport/factory.js';
import { Anonymizer } from '../../../transport/replay/anonymize.js';
import type { CommandEnv } from '../../command-env.js';
import { openCluster, resultEnvFor, type ClusterContext } from '../../context.js';
import type { GlobalProfile } from '../../global-options.js';
import type { SnapshotProfile } from './index.js';
import { snapshotCluster, type ModelJson, type ModelUpdate } from './model.js';
import { timingFromHistory, type HistoryReport } from './timing.js';

type FixtureUpdate = ClusterFixture['nodes'][number]['updates'][number];

function asModelUpdate(u: FixtureUpdate): ModelUpdate {
  return {
    id: u.id,
    kb: u.kb,
    title: u.title,
    rebootRequired: u.rebootRequired,
    ...(u.followUps.length > 0 ? { followUps: u.followUps.map(asModelUpdate) } : {}),
  };
}

/** In a rehearsal, the follow-ups the model declares (as `run --what-if` reads them); a real cluster has none to show. */
function fixtureFollowUps(fixture: ClusterFixture): (node: string, updateId: string) => readonly ModelUpdate[] {
  return (node, updateId) => {
    const find = (list: readonly FixtureUpdate[]): FixtureUpdate | undefined => {
      for (const u of list) {
        if (u.id.toLowerCase() === updateId.toLowerCase()) return u;
        const inner = find(u.followUps);
        if (inner) return inner;
      }
      return undefined;
    };
    const update = find(fixture.nodes.find((n) => n.name.toUpperCase() === node.toUpperCase())?.updates ?? []);
    return (update?.followUps ?? []).map(asModelUpdate);
  };
}

function timingFor(ctx: ClusterContext, roles: (node: string) => number): { timing: PhaseTiming; note: string } {
  if (ctx.sim) return { timing: { ...ctx.sim.timing }, note: "from the rehearsal model's own timing block" };
  const history = loadReports(ctx.stateDir, ctx.entry);
  const measured = timingFromHistory(history.reports as unknown as HistoryReport[], roles, DEFAULT_TIMING);
  if (measured.measured.length === 0) return { timing: DEFAULT_TIMING, note: 'the documented defaults (this host has no run history of this cluster)' };
  return {
    timing: measured.timing,
    note: `medians of ${plural(measured.runs, 'run')} in this host's history (${measured.measured.join(', ')}); the documented defaults for the rest`,
  };
}

/** Every name of the cluster's own in the model: the cluster, nodes, roles and VMs, the CAU role's group. */
function anonymize(model: ModelJson): ModelJson {
  const a = new Anonymizer();
  a.add('cluster', model['name'] as string);
  const nodes = model['nodes'] as Array<{ name: string; roles: string[] }>;
  for (const n of nodes) a.add('node', n.name);
  for (const n of nodes) for (const r of n.roles) a.add('role', r);
  for (const vm of Object.keys((model['vms'] as Record<string, unknown> | undefined) ?? {})) a.add('role', vm);
  const role = model['cauRole'] as { groupName?: string } | undefined;
  a.add('role', role?.groupName);
  return a.value(model) as ModelJson;
}

export async function runSnapshotCommand(profile: SnapshotProfile, globals: GlobalProfile, env: CommandEnv): Promise<number> {
  // readOnly: in a rehearsal the model is never written, as on a real cluster nothing is changed.
  const ctx = await openCluster(globals, env.io, { readOnly: true, anonymizesOutput: true });
  try {
    const gateway = new ReadOnlyGateway(ctx.gateway, 'snapshot');
    const result = await snapshotCluster({
      gateway,
      entry: ctx.entry,
      plugins: profile.scan.plugins,
      timingFor: (roles) => timingFor(ctx, roles),
      ...(ctx.sim ? { followUpsOf: fixtureFollowUps(ctx.sim.fixture) } : {}),
      now: () => ctx.wallClock.now(),
    });
    const model = globals.anonymize ? anonymize(result.model) : result.model;
    try {
      await validateClusterModel(model, 'made by snapshot');
    } catch (error) {
      throw new AppError('SNAPSHOT_INVALID', ExitCode.internal, `The model snapshot made of ${ctx.entry} does not pass the fixture schema: ${(error as Error).message}`, {
        hint: 'This is a bug in cauctl: report it with --record <dir> of this snapshot attached (add --anonymize to share it).',
        cause: error,
      });
    }
    const text = `${JSON.stringify(model, null, 2)}\n`;
    const name = String(model['name']);
    const nodes = model['nodes'] as Array<{ updates: unknown[] }>;
    const updates = nodes.reduce((sum, n) => sum + n.updates.length, 0);
    if (profile.path === undefined) {
      env.io.stdout.write(text);
    } else {
      writeFileAtomic(profile.path, text);
      writeResult(
        resultEnvFor(globals, env.io),
        { schemaVersion: 1, path: profile.path, clusterName: name, nodes: nodes.length, updates, anonymized: globals.anonymize, notRead: result.gaps },
        (out) => {
          out.line(`Wrote the model of ${name} (${plural(nodes.length, 'node')}, ${plural(updates, 'update')} offered) to ${profile.path}.`);
          out.line(`Rehearse on it: cauctl run --what-if --simulate ${profile.path}`);
        },
      );
    }
    if (globals.output === 'human') for (const gap of result.gaps) env.io.stderr.write(`cauctl: warning: not read: ${gap}\n`);
    return ExitCode.ok;
  } finally {
    await ctx.close();
  }
}
