import type { UpdateInfo } from '../cluster/operations.js';
import { DEFAULT_TIMING, predictPlan } from './plan.js';
import { checkFeatureOffers } from './scan.js';

const update = (kb: string, rebootRequired = true): UpdateInfo => ({ updateId: kb, kb, title: kb, rebootRequired });

describe('predictPlan', () => {
  const timing = { scanSeconds: 30, downloadSeconds: 300, drainSecondsPerRole: 15, installSeconds: 600, rebootSeconds: 300, servicesStartSeconds: 60, resyncSeconds: 600 };

  it('adds up the phases of each node in order, plus one scan and one staged download', () => {
    const plan = predictPlan({
      clusterName: 'C',
      order: ['A', 'B', 'C', 'D'],
      roles: new Map([['A', 0], ['B', 2], ['C', 1], ['D', 1]]),
      updates: new Map([['A', [update('KB1')]], ['B', [update('KB2', false)]], ['D', [update('KB3')]]]),
      offline: new Set(['D']),
      timing,
      timingSource: 'model',
      s2d: true,
    });
    expect(plan.preflight).toEqual([{ phase: 'scan', seconds: 30 }, { phase: 'stage', seconds: 300 }]);
    expect(plan.nodes.map((n) => [n.node, n.seconds])).toEqual([['A', 0 + 600 + 300 + 60 + 30 + 0 + 600], ['B', 30 + 600 + 30 + 600], ['C', 0], ['D', 0]]);
    expect(plan.nodes[2]!.note).toMatch(/no applicable updates/);
    expect(plan.nodes[3]!.note).toMatch(/offline/);
    expect(plan.totalSeconds).toBe(330 + 1590 + 1260);
  });

  it('has no resync without Storage Spaces Direct, and defaults for real clusters', () => {
    const plan = predictPlan({ clusterName: 'C', order: ['A'], roles: new Map(), updates: new Map([['A', [update('KB1')]]]), offline: new Set(), timing: DEFAULT_TIMING, timingSource: 'defaults', s2d: false });
    expect(plan.nodes[0]!.phases.map((p) => p.phase)).toEqual(['drain', 'install', 'reboot', 'wait-node', 'rescan', 'resume']);
  });
});

describe('checkFeatureOffers (the mixed-patch-level check)', () => {
  const scanned = (node: string) => ({ node, status: 'Scanned' as const, error: null });
  const offer = (nodeName: string, featureUpdate: string) => ({ ...update('FU'), nodeName, plugin: 'Microsoft.RollingUpgradePlugin', featureUpdate });
  it.each([
    ['the same offer everywhere', [offer('A', '24H2'), offer('B', '24H2')], true],
    ['different offers', [offer('A', '24H2'), offer('B', '23H2')], false],
    ['an offer missing on one node', [offer('A', '24H2')], false],
  ])('%s', (_name, entries, consistent) => {
    expect(checkFeatureOffers({ clusterName: 'C', nodes: [scanned('A'), scanned('B')], entries }).consistent).toBe(consistent);
  });
});
