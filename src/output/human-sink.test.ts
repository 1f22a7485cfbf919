import { EVENT_SCHEMA_VERSION, type RunEvent } from './events.js';
import { HumanSink, formatSeconds, type Spinner } from './human-sink.js';
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

describe('formatSeconds', () => {
  it.each([[0, '0s'], [89.4, '89s'], [90, '1m30s'], [599.6, '10m'], [3601, '60m01s']])('%d → %s', (s, text) => {
    expect(formatSeconds(s)).toBe(text);
  });
});

describe('HumanSink', () => {
  it('writes timestamped plain lines off a terminal', () => {
    const stream = fakeStream(false);
    const sink = new HumanSink(stream, createTheme(false));
    for (const e of events) sink.emit(e);
    expect(stream.text).toBe(
      '2026-01-01T00:00:00.000Z  N1  drain started (attempt 1)\n' +
        '2026-01-01T00:00:00.000Z  N1  drain done in 10m\n' +
        '2026-01-01T00:00:00.000Z  N1  Succeeded after 1 attempt(s): 2 updated, 0 failed\n',
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
    expect(stream.text).toBe('N1  drain done in 10m\n');
    expect(log[0]).toBe('start:N1 drain');
    expect(log.at(-1)).toBe('stop');
  });
});
