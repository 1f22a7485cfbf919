import { parseMaintenanceWindow, parseOfflineProfile, windowContains, windowSecondsLeft } from './offline-profile.js';

describe('parseMaintenanceWindow', () => {
  it.each([
    ['22:00-04:00', { kind: 'daily', startMinute: 1320, endMinute: 240 }],
    ['1:30-5:00', { kind: 'daily', startMinute: 90, endMinute: 300 }],
    ['2025-01-04T22:00Z/2025-01-05T04:00Z', { kind: 'absolute', startMs: Date.parse('2025-01-04T22:00Z'), endMs: Date.parse('2025-01-05T04:00Z') }],
    ['2025-01-04T22:00:00+01:00-2025-01-05T04:00:00+01:00', { kind: 'absolute', startMs: Date.parse('2025-01-04T21:00Z'), endMs: Date.parse('2025-01-05T03:00Z') }],
  ])('%s', (text, expected) => {
    expect(parseMaintenanceWindow(text)).toMatchObject(expected);
  });

  it.each([
    ['25:00-04:00', 'expected <start>-<end>'],
    ['22:00', 'expected <start>-<end>'],
    ['22:00-22:00', 'is empty'],
    ['2025-01-05T04:00Z/2025-01-04T22:00Z', 'ends before it starts'],
    ['2025-01-04T22:00/2025-01-05T04:00', 'expected <start>-<end>'],
  ])('refuses %s', (text, message) => {
    expect(() => parseMaintenanceWindow(text)).toThrow(message);
  });
});

describe('windowContains / windowSecondsLeft', () => {
  const overnight = parseMaintenanceWindow('22:00-04:00');
  const daytime = parseMaintenanceWindow('09:00-17:00');
  it.each([
    [overnight, 22 * 60, true],
    [overnight, 23 * 60 + 59, true],
    [overnight, 3 * 60 + 59, true],
    [overnight, 4 * 60, false],
    [overnight, 12 * 60, false],
    [daytime, 9 * 60, true],
    [daytime, 17 * 60, false],
    [daytime, 8 * 60 + 59, false],
  ])('daily window, local minute %#', (window, minute, inside) => {
    expect(windowContains(window, 0, minute)).toBe(inside);
  });

  it('absolute window: start inclusive, end exclusive, time of day ignored', () => {
    const w = parseMaintenanceWindow('2025-01-04T22:00Z/2025-01-05T04:00Z');
    expect(windowContains(w, Date.parse('2025-01-04T22:00Z'), 0)).toBe(true);
    expect(windowContains(w, Date.parse('2025-01-05T04:00Z'), 0)).toBe(false);
    expect(windowSecondsLeft(w, Date.parse('2025-01-05T03:00Z'), 0)).toBe(3600);
  });

  it('seconds left across midnight', () => {
    expect(windowSecondsLeft(overnight, 0, 23 * 60)).toBe(5 * 3600);
    expect(windowSecondsLeft(overnight, 0, 3 * 60 + 30, 30)).toBe(29 * 60 + 30);
  });
});

describe('parseOfflineProfile', () => {
  it('defaults: the default plug-in, 15 and 30 minutes, no window', () => {
    expect(parseOfflineProfile({})).toEqual({
      profile: { plugins: [{ plugin: 'Microsoft.WindowsUpdatePlugin', arguments: {} }], rebootTimeoutMinutes: 15, storageTimeoutMinutes: 30, allowMissingNodes: false },
      mode: { force: false, resume: false },
    });
  });

  it('takes the options', () => {
    const { profile, mode } = parseOfflineProfile({ rebootTimeoutMinutes: '40', storageTimeoutMinutes: '5', allowMissingNodes: true, maintenanceWindow: '22:00-04:00', force: true, resume: true });
    expect(profile).toMatchObject({ rebootTimeoutMinutes: 40, storageTimeoutMinutes: 5, allowMissingNodes: true });
    expect(mode).toMatchObject({ force: true, resume: true, window: { kind: 'daily', startMinute: 1320, endMinute: 240 } });
  });

  it('reports every problem at once', () => {
    expect(() => parseOfflineProfile({ rebootTimeoutMinutes: '0', storageTimeoutMinutes: 'x', maintenanceWindow: 'tonight', cauPluginName: ['Nope'] })).toThrow(
      expect.objectContaining({
        problems: expect.arrayContaining([
          expect.stringMatching(/^rebootTimeoutMinutes: /),
          expect.stringMatching(/^storageTimeoutMinutes: /),
          expect.stringMatching(/^maintenanceWindow: /),
          expect.stringMatching(/^cauPluginName\[0\]: /),
        ]),
      }),
    );
  });
});
