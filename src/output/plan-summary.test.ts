import type { ModePrediction } from '../core/mode-plan.js';
import type { RunPlan } from '../core/plan.js';
import { describePlan } from './plan-summary.js';
import { createTheme } from './theme.js';
import { visibleWidth } from './wrap.js';

const update = { kb: 'KB1', title: 'CU', rebootRequired: true };
const plan: RunPlan = {
  clusterName: 'HCI01',
  order: ['NODE4', 'NODE2', 'NODE1'],
  maxFailedNodes: 1,
  timingSource: 'model',
  followUpsKnown: true,
  preflight: [{ phase: 'scan', seconds: 30 }],
  nodes: [
    { node: 'NODE4', position: 1, roles: 1, updates: [update, update], followUps: [[update]], phases: [], seconds: 2535, capacity: { ok: true, basis: 'placement', moves: [{ vm: 'VM-RDS01', from: 'NODE4', to: 'NODE2', memoryMB: null }], summary: '' } },
    { node: 'NODE2', position: 2, roles: 0, updates: [update], followUps: [], phases: [], seconds: 1200, capacity: { ok: true, basis: 'memory', moves: [], summary: '' } },
    { node: 'NODE1', position: 3, roles: 2, updates: [update], followUps: [], phases: [], seconds: 1265, capacity: { ok: false, code: 'InsufficientMemory', message: 'NODE1 leaves VM-SQL01 (16384 MB) without a host', unplaced: ['VM-SQL01'], notMigratable: [], basis: 'memory' } },
  ],
  totalSeconds: 5030,
};

describe('describePlan: what the confirmation prompt says the run will do', () => {
  const text = describePlan(plan, { theme: createTheme(false), width: 80, nowMs: Date.parse('2026-01-01T00:00:00Z'), zone: 'Europe/Paris', refusals: [{ code: 'InsufficientMemory', message: 'the capacity check fails for NODE1' }] });

  it('lists the nodes in order with their updates, predicted time and capacity check', () => {
    const rows = text.split('\n').filter((l) => /^│ \d\. NODE/.test(l));
    expect(rows.map((r) => r.split('│')[1]!.trim())).toEqual(['1. NODE4', '2. NODE2', '3. NODE1']);
    expect(rows[0]).toMatch(/│ 2 \+ 1 follow-up │ 42m 15s\s+│ Pass: VM-RDS01 → NODE2/);
    expect(rows[1]).toMatch(/│ 1\s+│ 20m 00s\s+│ Pass: nothing to move/);
    expect(rows[2]).toMatch(/│ 1\s+│ 21m 05s\s+│ Fail InsufficientMemory: NODE1 /);
  });

  it('gives the predicted duration and finish time, the budget, the placement-only note and the refusal', () => {
    const words = text.replace(/\s+/g, ' ');
    expect(words).toContain('Predicted duration 1h 23m 50s (durations from the model\'s timing): finish ~02:23:50 +01:00.');
    expect(words).toContain('Capacity judged on placement only where a node reports no memory figures.');
    expect(text).toContain('MaxFailedNodes: 1.');
    expect(words).toContain('The run will refuse before touching anything: InsufficientMemory: the capacity check fails for NODE1');
  });

  it('fits the terminal', () => {
    for (const line of text.split('\n')) expect(visibleWidth(line)).toBeLessThanOrEqual(80);
  });

  it('in a mode, says how the nodes are taken and predicts the mode, beside one node at a time', () => {
    const mode: ModePrediction = {
      preInstall: true,
      maxConcurrentNodes: 2,
      canary: 'NODE4',
      preInstallSeconds: 900,
      groups: [{ nodes: ['NODE2', 'NODE1'], limit: 'k', reason: '' }],
      windows: {},
      serialSeconds: 5030,
      predictedSeconds: 3600,
    };
    const words = describePlan(plan, { theme: createTheme(false), width: 80, nowMs: Date.parse('2026-01-01T00:00:00Z'), zone: 'Europe/Paris', mode }).replace(/\s+/g, ' ');
    expect(words).toContain('Rolling run of HCI01: 3 nodes, NODE4 first (the canary), then the others pre-install while they serve; up to 2 at once where capacity, quorum and storage allow (1 group: NODE2 + NODE1), in this order:');
    expect(words).toContain("Predicted duration 1h 00m 00s (one node at a time: 1h 23m 50s; durations from the model's timing): finish ~02:00:00 +01:00.");
  });

  it('says why a group holds fewer nodes than asked for', () => {
    const mode: ModePrediction = {
      preInstall: false,
      maxConcurrentNodes: 2,
      canary: null,
      preInstallSeconds: 0,
      groups: [
        { nodes: ['NODE4', 'NODE2'], limit: 'k', reason: '2 nodes at once (--max-concurrent-nodes 2)' },
        { nodes: ['NODE1'], limit: 'failure-budget', reason: '1 of 2: with NODE3 too, 2 nodes could fail at once and MaxFailedNodes leaves room for 1' },
      ],
      windows: {},
      serialSeconds: 5030,
      predictedSeconds: 3600,
    };
    const words = describePlan(plan, { theme: createTheme(false), width: 80, nowMs: Date.parse('2026-01-01T00:00:00Z'), zone: 'Europe/Paris', mode }).replace(/\s+/g, ' ');
    expect(words).toContain('(2 groups: NODE4 + NODE2, NODE1; group 2 holds 1 of 2: with NODE3 too, 2 nodes could fail at once and MaxFailedNodes leaves room for 1), in this order:');
  });

  it('with the serial mode given, says it as before', () => {
    const serial: ModePrediction = { preInstall: false, maxConcurrentNodes: 1, canary: null, preInstallSeconds: 0, groups: [], windows: {}, serialSeconds: 5030, predictedSeconds: 5030 };
    expect(describePlan(plan, { theme: createTheme(false), width: 80, nowMs: Date.parse('2026-01-01T00:00:00Z'), zone: 'Europe/Paris', mode: serial })).toBe(describePlan(plan, { theme: createTheme(false), width: 80, nowMs: Date.parse('2026-01-01T00:00:00Z'), zone: 'Europe/Paris' }));
  });
});
