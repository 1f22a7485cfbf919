// normalizeRestart: every combination of --reboot-mode, --attempt-soft-reboot and --disable-soft-reboot that run and
// scan accept or refuse, with the message each refusal gives.
import { normalizeRestart, type RawRestartOptions, type RestartChoice } from './restart-options.js';

describe('normalizeRestart', () => {
  it.each<[RawRestartOptions, RestartChoice, string[]]>([
    [{}, { attemptSoftReboot: false }, []],
    [{ attemptSoftReboot: true }, { attemptSoftReboot: true }, []],
    [{ attemptSoftReboot: false }, { attemptSoftReboot: false }, []],
    [{ disableSoftReboot: true }, { attemptSoftReboot: false }, []],
    [{ rebootMode: 'softreboot' }, { attemptSoftReboot: true, rebootMode: 'SoftReboot' }, []],
    [{ rebootMode: 'FULLREBOOT' }, { attemptSoftReboot: false, rebootMode: 'FullReboot' }, []],
    [{ rebootMode: 'ClusProp' }, { attemptSoftReboot: false, rebootMode: 'ClusProp' }, []],
    [{ rebootMode: 'ClusProp', attemptSoftReboot: true }, { attemptSoftReboot: true, rebootMode: 'ClusProp' }, []],
    [{ rebootMode: 'SoftReboot', attemptSoftReboot: true }, { attemptSoftReboot: true, rebootMode: 'SoftReboot' }, []],
    [{ rebootMode: 'FullReboot', disableSoftReboot: true }, { attemptSoftReboot: false, rebootMode: 'FullReboot' }, []],
    [{ rebootMode: 'Soft' }, { attemptSoftReboot: false }, ['rebootMode: must be one of ClusProp, FullReboot, SoftReboot, PluginCustomReboot, OrchestratorDefault (got "Soft")']],
    [{ rebootMode: 'Soft', attemptSoftReboot: true }, { attemptSoftReboot: true }, ['rebootMode: must be one of ClusProp, FullReboot, SoftReboot, PluginCustomReboot, OrchestratorDefault (got "Soft")']],
    [{ rebootMode: 'FullReboot', attemptSoftReboot: true }, { attemptSoftReboot: false, rebootMode: 'FullReboot' }, ['rebootMode: --reboot-mode FullReboot and --attempt-soft-reboot conflict']],
    [{ rebootMode: 'SoftReboot', disableSoftReboot: true }, { attemptSoftReboot: true, rebootMode: 'SoftReboot' }, ['rebootMode: --reboot-mode SoftReboot and --disable-soft-reboot conflict']],
    [{ attemptSoftReboot: true, disableSoftReboot: true }, { attemptSoftReboot: true }, ['attemptSoftReboot: --attempt-soft-reboot and --disable-soft-reboot conflict']],
    [
      { rebootMode: 'SoftReboot', attemptSoftReboot: true, disableSoftReboot: true },
      { attemptSoftReboot: true, rebootMode: 'SoftReboot' },
      ['rebootMode: --reboot-mode SoftReboot and --disable-soft-reboot conflict', 'attemptSoftReboot: --attempt-soft-reboot and --disable-soft-reboot conflict'],
    ],
  ])('%j', (raw, choice, expected) => {
    const problems: string[] = [];
    // Strict: no rebootMode key at all when none was given.
    expect(normalizeRestart(raw, problems)).toStrictEqual(choice);
    expect(problems).toEqual(expected);
  });

  it('appends to the problems already found', () => {
    const problems = ['earlier: a problem'];
    normalizeRestart({ attemptSoftReboot: true, disableSoftReboot: true }, problems);
    expect(problems).toHaveLength(2);
  });
});
