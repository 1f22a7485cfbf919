import {
  classifyHotfixExitCode,
  DEFAULT_HOTFIX_RULES,
  exitCodeToUint32,
  formatExitCode,
  HotfixExitRules,
} from './hotfix-rules.js';

describe('classifyHotfixExitCode with the default rules', () => {
  it.each([
    [0, 'Succeeded', false, '0x0'],
    [3010, 'Succeeded', true, '0xBC2'],
    [0x00240006, 'AlreadyInstalled', false, '0x240006'],
    [0x80240017, 'NotApplicable', false, '0x80240017'],
    ['0x80240017', 'NotApplicable', false, '0x80240017'],
    [-2145124329, 'NotApplicable', false, '0x80240017'],
    [1603, 'Failed', false, '0x643'],
    [1, 'Failed', false, '0x1'],
  ] as const)('%s → %s (reboot %s)', (code, resultCode, rebootRequired, errorCode) => {
    expect(classifyHotfixExitCode(code)).toEqual({ resultCode, rebootRequired, errorCode });
  });
});

describe('custom rules as data', () => {
  const rules = HotfixExitRules.parse({
    success: [0, '0x1'],
    failRebootRequired: [1641],
    notApplicable: [],
  });

  it('applies the listed codes and fails anything else without restart', () => {
    expect(classifyHotfixExitCode(1, rules).resultCode).toBe('Succeeded');
    expect(classifyHotfixExitCode(1641, rules)).toEqual({ resultCode: 'Failed', rebootRequired: true, errorCode: '0x669' });
    expect(classifyHotfixExitCode(3010, rules)).toEqual({ resultCode: 'Failed', rebootRequired: false, errorCode: '0xBC2' });
    expect(classifyHotfixExitCode(0x80240017, rules).resultCode).toBe('Failed');
  });

  it('alwaysReboot turns every success into success with restart', () => {
    const always = HotfixExitRules.parse({ success: [0], alwaysReboot: true });
    expect(classifyHotfixExitCode(0, always)).toEqual({ resultCode: 'Succeeded', rebootRequired: true, errorCode: '0x0' });
  });

  it('rejects malformed rules', () => {
    expect(HotfixExitRules.safeParse({ success: [] }).success).toBe(false);
    expect(HotfixExitRules.safeParse({ success: ['80240017'] }).success).toBe(false);
    expect(HotfixExitRules.safeParse({ success: [0], typo: [] }).success).toBe(false);
  });

  it('normalizes codes', () => {
    expect(exitCodeToUint32('0xFFFFFFFF')).toBe(0xffffffff);
    expect(exitCodeToUint32(-1)).toBe(0xffffffff);
    expect(formatExitCode(DEFAULT_HOTFIX_RULES.alreadyInstalled[0]!)).toBe('0x240006');
  });
});
