// Issue 17 acceptance: `snapshot` of each shipped model gives back a model that rehearses the same way (same
// `run --what-if` order and predicted duration within 1%), `--anonymize` leaves no original cluster, node or role
// name in the file, and snapshot sends only operations the catalogue marks read-only (its own --record shows
// every operation it sent).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isReadOnlyOperation } from '../../src/cluster/read-only-gateway.js';
import { readRecording } from '../../src/transport/replay/format.js';
import { ROOT, hasBuild, sandbox, type Sandbox } from '../support/cli.js';

const describeIf = hasBuild() ? describe : describe.skip;
// A standalone model (`standalone: true`, clusterless-run) has no cluster to snapshot: Get-Cluster fails on its
// servers as on Windows, and run --what-if has no cluster to plan. Those models are rehearsed by
// test/cli/clusterless-run.test.ts instead.
const isStandalone = (file: string): boolean => (JSON.parse(readFileSync(join(ROOT, 'fixtures', 'clusters', file), 'utf8')) as { standalone?: boolean }).standalone === true;
const MODELS = readdirSync(join(ROOT, 'fixtures', 'clusters')).filter((f) => f.endsWith('.json') && !isStandalone(f));

interface WhatIfJson {
  totalSeconds: number;
  nodes: Array<{ node: string }>;
  wouldRefuse: boolean;
}

function whatIf(box: Sandbox, model: string, state: string): { code: number | null; plan: WhatIfJson } {
  const r = box.run(['run', '--what-if', '--simulate', model, '--json'], { env: { CAUCTL_STATE_DIR: join(box.dir, state) } });
  if (r.code !== 0 && r.code !== 5) throw new Error(`what-if on ${model}: exit ${r.code}\n${r.stderr}`);
  return { code: r.code, plan: JSON.parse(r.stdout) as WhatIfJson };
}

const wholeWord = (name: string): RegExp => new RegExp(`(?<![A-Za-z0-9_])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9_])`, 'i');

describeIf('cauctl snapshot', () => {
  it.each(MODELS)('of %s rehearses the same way: same run --what-if order, predicted duration within 1%%', (file) => {
    const box = sandbox();
    try {
      const original = join(ROOT, 'fixtures', 'clusters', file);
      const copy = join(box.dir, 'snapshot.json');
      const snap = box.run(['snapshot', '--simulate', original, '--path', copy, '--record', join(box.dir, 'rec')], { env: { CAUCTL_STATE_DIR: join(box.dir, 'snap-state') } });
      expect({ code: snap.code, stderr: snap.stderr.replace(/cauctl: warning: not read: .*\n/g, '') }).toEqual({ code: 0, stderr: '' });
      const before = whatIf(box, original, 'a');
      const after = whatIf(box, copy, 'b');
      expect(after.code).toBe(before.code);
      expect(after.plan.nodes.map((n) => n.node)).toEqual(before.plan.nodes.map((n) => n.node));
      expect(Math.abs(after.plan.totalSeconds - before.plan.totalSeconds)).toBeLessThanOrEqual(before.plan.totalSeconds * 0.01);
      // Read-only: every operation it sent is one the catalogue marks read-only.
      const sent = [...readRecording(join(box.dir, 'rec')).calls.values()].flat().map((c) => c.op);
      expect(sent.length).toBeGreaterThan(0);
      expect(sent.filter((op) => !isReadOnlyOperation(op))).toEqual([]);
    } finally {
      box.cleanup();
    }
  });

  it('--anonymize leaves no original cluster, node or role name in the file, and the model still rehearses the same way', () => {
    const box = sandbox();
    try {
      const original = join(ROOT, 'fixtures', 'clusters', 'memory-ample.json');
      const fixture = JSON.parse(readFileSync(original, 'utf8')) as { name: string; nodes: Array<{ name: string; roles?: string[] }>; vms?: Record<string, unknown> };
      const names = [fixture.name, ...fixture.nodes.map((n) => n.name), ...fixture.nodes.flatMap((n) => n.roles ?? []), ...Object.keys(fixture.vms ?? {})];
      expect(names.length).toBeGreaterThan(5);
      const copy = join(box.dir, 'anon.json');
      const snap = box.run(['snapshot', '--simulate', original, '--anonymize', '--path', copy, '--json']);
      expect(snap.code).toBe(0);
      expect(JSON.parse(snap.stdout)).toMatchObject({ anonymized: true, path: copy });
      const text = readFileSync(copy, 'utf8');
      for (const name of names) expect({ name, found: wholeWord(name).test(text) }).toEqual({ name, found: false });
      const before = whatIf(box, original, 'a');
      const after = whatIf(box, copy, 'b');
      expect(after.plan.nodes.length).toBe(before.plan.nodes.length);
      expect(Math.abs(after.plan.totalSeconds - before.plan.totalSeconds)).toBeLessThanOrEqual(before.plan.totalSeconds * 0.01);
    } finally {
      box.cleanup();
    }
  });

  it('captures fault domains: each node\'s chassis and rack, and the virtual disks\' fault domain awareness', () => {
    const box = sandbox();
    try {
      const base = JSON.parse(readFileSync(join(ROOT, 'fixtures', 'clusters', 'two-node.json'), 'utf8')) as { storage?: Record<string, unknown>; nodes: Array<Record<string, unknown>> };
      const model = box.fixture({
        ...base,
        name: 'FD01',
        storage: { ...base.storage, s2d: true, faultDomainAwareness: 'StorageChassis' },
        nodes: base.nodes.map((n, i) => ({ ...n, faultDomain: { chassis: `CH${i + 1}`, rack: 'RACK1' } })),
      });
      const r = box.run(['snapshot', '--simulate', model]);
      expect(r.code).toBe(0);
      const copy = JSON.parse(r.stdout) as { storage: { faultDomainAwareness?: string }; nodes: Array<{ faultDomain?: unknown }> };
      expect(copy.storage.faultDomainAwareness).toBe('StorageChassis');
      expect(copy.nodes.map((n) => n.faultDomain)).toEqual([
        { chassis: 'CH1', rack: 'RACK1' },
        { chassis: 'CH2', rack: 'RACK1' },
      ]);
    } finally {
      box.cleanup();
    }
  });

  it('writes the model to stdout without --path, and its description says where the timings came from', () => {
    const box = sandbox();
    try {
      const r = box.run(['snapshot', '--simulate']);
      expect(r.code).toBe(0);
      const model = JSON.parse(r.stdout) as { name: string; description: string; nodes: unknown[] };
      expect(model.name).toBe('HCI01');
      expect(model.nodes.length).toBe(4);
      expect(model.description).toContain("Timings: from the rehearsal model's own timing block");
    } finally {
      box.cleanup();
    }
  });
});
