import { describeAudit, formatAttempt, formatBytes, formatClock, formatDuration, formatTime, formatZoneOffset, listInWords, plural } from './format.js';

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [-3, '0s'],
    [45.4, '45s'],
    [59.6, '1m 00s'],
    [720, '12m 00s'],
    [1938, '32m 18s'],
    [3725, '1h 02m 05s'],
    [90000, '25h 00m 00s'],
  ])('%d s is %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe('formatTime', () => {
  it.each([
    ['ISO text, in Paris in summer', '2024-07-08T14:03:22Z', 'Europe/Paris', '2024-07-08 16:03:22 +02:00'],
    ['ms since the epoch, in UTC', Date.parse('2024-07-08T14:03:22.700Z'), 'UTC', '2024-07-08 14:03:22 +00:00'],
    ['across the date line', '2024-10-08T23:45:00Z', 'Asia/Kolkata', '2024-10-09 05:15:00 +05:30'],
    ['text that is not a time, as it is', 'not a time', 'UTC', 'not a time'],
  ])('%s', (_name, time, zone, text) => {
    expect(formatTime(time, zone)).toBe(text);
  });
});

describe('words', () => {
  it.each([
    [0, 'node', undefined, '0 nodes'],
    [1, 'node', undefined, '1 node'],
    [2, 'node', undefined, '2 nodes'],
    [1, 'entry', 'entries', '1 entry'],
    [3, 'entry', 'entries', '3 entries'],
  ])('plural(%d, %s)', (count, singular, pluralForm, text) => {
    expect(plural(count, singular, pluralForm)).toBe(text);
  });

  it('numbers attempts from 1, with the limit when known', () => {
    expect(formatAttempt(1)).toBe('attempt 1');
    expect(formatAttempt(2, 4)).toBe('attempt 2 of 4');
  });

  it.each([
    [[], ''],
    [['Tuesday'], 'Tuesday'],
    [['Tuesday', 'Thursday'], 'Tuesday and Thursday'],
    [['Monday', 'Wednesday', 'Friday'], 'Monday, Wednesday and Friday'],
  ])('listInWords(%j)', (items, text) => {
    expect(listInWords(items)).toBe(text);
  });
});

describe('describeAudit', () => {
  it.each([
    ['a rolling run', { virtualSeconds: 3725, maxNodesOutOfService: 1, violations: [] }, 'Simulation: 1h 02m 05s of virtual time, at most 1 node out of service, 0 invariant violations.'],
    ['an offline update', { virtualSeconds: 60, violations: ['disk offline'], kind: 'end-state' as const }, 'Simulation: 1m 00s of virtual time, 1 end-state violation.'],
    ['a feature update', { maxNodesOutOfService: 2, violations: ['a', 'b'] }, 'Simulation: at most 2 nodes out of service, 2 invariant violations.'],
  ])('%s', (_name, audit, text) => {
    expect(describeAudit(audit)).toBe(text);
  });
});

describe('formatClock, formatZoneOffset, formatBytes', () => {
  const ms = Date.parse('2024-10-08T14:03:22Z');
  it.each([
    ['the time of day in the zone', formatClock(ms, 'Europe/Paris'), '16:03:22'],
    ['with the date when not on the same local day', formatClock(ms + 10 * 3600_000, 'Europe/Paris', ms), '2024-10-09 02:03:22'],
    ['the offset at that instant', formatZoneOffset(ms, 'Europe/Paris'), '+02:00'],
    ['bytes', formatBytes(512), '512 B'],
    ['binary units, one decimal', formatBytes(12.34 * 1024 ** 3), '12.3 GiB'],
  ])('%s', (_name, got, expected) => {
    expect(got).toBe(expected);
  });
});
