/**
 * Jest runs the TypeScript sources as ESM through ts-jest; e2e tests run the built CLI from dist/.
 * Two projects: `slow` holds the tests that start many processes or real peers and wait on them (crash and
 * resume, the property test, signals, interrupts, the lock and progress, the racing coordinators, the WinRM
 * end-to-end runs, snapshot/record/replay over every shipped model, the smoke suite, Pester and every other test that starts the real pwsh, Chromium, the interop peers, the
 * Kerberos realm);
 * `fast` holds the rest: the developer loop, under 2 minutes on a quiet 2-core machine (docs/testing.md).
 * `npm test` runs both, `npm run test:fast` only the fast lane (`--selectProjects fast`). CI runs both.
 */
const SLOW_TESTS = [
  'test/cli/crash-resume.test.ts',
  'test/cli/issue-18-crash-resume.test.ts',
  'test/cli/interrupt.test.ts',
  'test/cli/lock-and-progress.test.ts',
  'test/cli/signals-and-pipes.test.ts',
  'test/cli/feature-update-resume.test.ts',
  'test/cli/readme-examples.test.ts',
  'test/cli/live-view-tmux.test.ts',
  'test/cli/lock-race.test.ts',
  'test/cli/winrm-e2e.test.ts',
  'test/cli/snapshot.test.ts',
  'test/cli/record-replay.test.ts',
  'test/smoke/',
  // End-to-end suites of many CLI runs each: over 60 s on the loaded 2-core machine (session 3's timings).
  'test/cli/cau-role-surface.test.ts',
  'test/cli/hardening.test.ts',
  'test/cli/run-scenarios.test.ts',
  'test/cli/state-accidents.test.ts',
  'test/cli/plugins.test.ts',
  'test/cli/role.test.ts',
  'test/report/get-report.e2e.test.ts',
  'test/cli/foundation.test.ts',
  'test/webhook/webhook.e2e.test.ts',
  'test/cli/issue-12-plan-capacity.test.ts',
  'test/cli/native-cau.test.ts',
  'test/cli/cau-run-parameters.test.ts',
  'test/cli/clusterless-run.test.ts',
  // Multi-process end to end (session 4's measurement, docs/testing.md): the WinRM test server with the built CLI,
  // two CLI processes racing on one simulated cluster, and runs killed with SIGKILL then finished by --resume.
  'test/cli/feature-update-credentials.test.ts',
  'test/security/winrm-secrets.test.ts',
  'test/cli/sim-shared-store.test.ts',
  'test/cli/offline-update.test.ts',
  'test/cli/resume-selection.test.ts',
  // Runs at --sim-speed 300 watched through get-run polled in real time (session 8: 40 s and 20 s).
  'test/cli/unattended-predicted-finish.test.ts',
  'test/cli/concurrent-predicted-finish.test.ts',
  // The WS-Man test server with its NTLM acceptor, a python3-gssapi (gss-ntlmssp) peer process.
  'test/wsman-server/wsman-server.test.ts',
  'test/wsman-server/lifecycle.test.ts',
  'test/property/',
  'test/pwsh/pester.test.ts',
  'test/pwsh/bootstrap.test.ts',
  'test/pwsh/bootstrap-loop.test.ts',
  'test/pwsh/check-syntax.test.ts',
  'test/pwsh/local-pwsh.test.ts',
  'test/report/html-chromium.test.ts',
  'test/interop/',
  'test/kerberos/',
];

const base = {
  testEnvironment: 'node',
  // Stryker's sandbox copies of the project (npm run mutate) are not this project.
  modulePathIgnorePatterns: ['<rootDir>/.stryker-tmp/'],
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
