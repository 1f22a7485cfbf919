/**
 * Jest runs the TypeScript sources as ESM through ts-jest; e2e tests run the built CLI from dist/.
 * Two projects: `slow` holds the tests that start many processes or real peers and wait on them (crash and
 * resume, the property test, signals, interrupts, the lock and progress, Pester, Chromium, the interop peers, the
 * Kerberos realm);
 * `fast` holds the rest. `npm test` runs both, `npm run test:fast` only the fast lane (`--selectProjects fast`).
 */
const SLOW_TESTS = [
  'test/cli/crash-resume.test.ts',
  'test/cli/interrupt.test.ts',
  'test/cli/lock-and-progress.test.ts',
  'test/cli/signals-and-pipes.test.ts',
  'test/cli/readme-examples.test.ts',
  'test/cli/live-view-tmux.test.ts',
  'test/property/',
  'test/pwsh/pester.test.ts',
  'test/report/html-chromium.test.ts',
  'test/interop/',
  'test/kerberos/',
];

const base = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: { ignoreCodes: [151002] } }] },
};

const escape = (path) => path.replace(/[.]/g, '\\.');

export default {
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/test/support/count-reporter.cjs'],
  projects: [
    {
      ...base,
      displayName: 'fast',
      testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', ...SLOW_TESTS.map((p) => `<rootDir>/${escape(p)}`)],
    },
    {
      ...base,
      displayName: 'slow',
      testMatch: SLOW_TESTS.map((p) => (p.endsWith('/') ? `<rootDir>/${p}**/*.test.ts` : `<rootDir>/${p}`)),
    },
  ],
};
