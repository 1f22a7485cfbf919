import { EVENT_SCHEMA_VERSION, type RunEvent } from '../core/events.js';
import { HumanSink, type Spinner } from './human-sink.js';
import type { OutStream } from './stream.js';
import { createTheme } from './theme.js';

function fakeStream(isTTY: boolean): OutStream & { text: string } {
  return { isTTY, text: '', write(t: string) { this.text += t; } };
}

const base = { schemaVersion: EVENT_SCHEMA_VERSION, time: '2026-01-01T00:00:00.000Z', runId: 'r' } as const;
const events: RunEvent[] = [
  { ...base, type: 'phase-started', node: 'N1', phase: 'drain', attempt: 1 },
  { ...base, type: 'phase-completed', node: 'N1', phase: 'drain', attempt: 1, durationSeconds: 599.6 },
  { ...base, type: 'node-completed', node: 'N1', status: 'Succeeded', attempts: 1, numberOfSucceededUpdates: 2, numberOfFailedUpdates: 0 },
];

describe('HumanSink', () => {
  it('writes timestamped plain lines off a terminal', () => {
    const stream = fakeStream(false);
    const sink = new HumanSink(stream, createTheme(false), undefined, { timeZone: 'Europe/Paris' });
    for (const e of events) sink.emit(e);
    expect(stream.text).toBe(
      '2026-01-01 01:00:00 +01:00  N1  drain started\n' +
        '2026-01-01 01:00:00 +01:00  N1  drain done in 10m 00s\n' +
        '2026-01-01 01:00:00 +01:00  N1  Succeeded after 1 attempt: 2 updated, 0 failed\n',
    );
  });

  it('spins on a terminal while a phase runs, and prints finished phases as lines', () => {
    const stream = fakeStream(true);
    const log: string[] = [];
    const state = { spinning: false };
    const spinner: Spinner = {
      text: '',
      get isSpinning() { return state.spinning; },
      start() { state.spinning = true; log.push(`start:${this.text}`); },
      stop() { state.spinning = false; log.push('stop'); },
    };
    const sink = new HumanSink(stream, createTheme(false), () => spinner);
    sink.emit(events[0]!);
    expect(spinner.isSpinning).toBe(true);
    expect(spinner.text).toBe('N1 drain');
    sink.emit(events[1]!);
    expect(spinner.isSpinning).toBe(false);
    expect(stream.text).toBe('N1  drain done in 10m 00s\n');
    expect(log[0]).toBe('start:N1 drain');
    expect(log.at(-1)).toBe('stop');
  });

  it('shows reboot and wait-node as one restart line with the duration of both, and numbers attempts from 1', () => {
    const stream = fakeStream(false);
    const sink = new HumanSink(stream, createTheme(false), undefined, { timeZone: 'UTC' });
    const at = (time: string) => ({ ...base, time });
    const restart: RunEvent[] = [
      { ...at('2026-01-01T00:10:00.000Z'), type: 'phase-started', node: 'N1', phase: 'reboot', attempt: 2 },
      { ...at('2026-01-01T00:10:02.000Z'), type: 'phase-completed', node: 'N1', phase: 'reboot', attempt: 2, durationSeconds: 2 },
      { ...at('2026-01-01T00:10:02.000Z'), type: 'phase-started', node: 'N1', phase: 'wait-node', attempt: 2 },
      { ...at('2026-01-01T00:15:20.000Z'), type: 'phase-completed', node: 'N1', phase: 'wait-node', attempt: 2, durationSeconds: 318 },
      { ...at('2026-01-01T00:16:00.000Z'), type: 'node-completed', node: 'N1', status: 'Succeeded', attempts: 2, numberOfSucceededUpdates: 1, numberOfFailedUpdates: 0 },
    ];
    for (const e of restart) sink.emit(e);
    expect(stream.text).toBe(
      '2026-01-01 00:10:00 +00:00  N1  restart started (attempt 2)\n' +
        '2026-01-01 00:15:20 +00:00  N1  restart done in 5m 20s\n' +
        '2026-01-01 00:16:00 +00:00  N1  Succeeded after 2 attempts: 1 updated, 0 failed\n',
    );
  });

  it('names a failed wait for the node as a failed restart', () => {
    const stream = fakeStream(false);
    const sink = new HumanSink(stream, createTheme(false), undefined, { timeZone: 'UTC' });
    sink.emit({ ...base, type: 'attempt-failed', node: 'N2', phase: 'wait-node', attempt: 1, code: 'RebootTimeout', message: 'N2 did not come back', willRetry: true });
    expect(stream.text).toBe('2026-01-01 00:00:00 +00:00  N2  attempt 1 failed in restart: N2 did not come back — retrying\n');
  });

  it('wraps a long line within the terminal\'s width on a terminal', () => {
    const stream = { ...fakeStream(true), columns: 40 };
    const idle: Spinner = { text: '', isSpinning: false, start: () => undefined, stop: () => undefined };
    const sink = new HumanSink(stream, createTheme(false), () => idle, { timeZone: 'UTC' });
    sink.emit({ ...base, type: 'run-started', clusterName: 'HCI01', nodes: ['NODE4', 'NODE2', 'NODE1', 'NODE3'], plugins: [], resumed: false });
    expect(stream.text).toBe('Starting run r on HCI01: NODE4 → NODE2 →\n  NODE1 → NODE3\n');
  });
});
