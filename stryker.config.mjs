// StrykerJS mutation testing (`npm run mutate`, docs/testing.md). Not part of CI: it takes long on 2 cores.
// scripts/mutate.mjs runs Stryker once per area (its own `mutate` glob, its own report and score); this file
// holds what every area shares. One test process at a time (`concurrency: 1`) and per-test coverage, so a
// mutant runs only the tests that reach it.
import process from 'node:process';

/**
 * The areas, each scored on its own (docs/testing.md): the files mutated, and the unit tests that may kill their
 * mutants (in-process tests of that layer; the e2e tests run the built CLI from dist/, which is not mutated).
 * Test files are never mutated.
 */
export const AREAS = {
  core: { mutate: ['src/core/**/*.ts'], tests: ['src/core/**/*.test.ts'] },
  ntlm: { mutate: ['src/transport/winrm/ntlm/**/*.ts'], tests: ['src/transport/winrm/ntlm/**/*.test.ts'] },
  profiles: { mutate: ['src/profiles/**/*.ts'], tests: ['src/profiles/**/*.test.ts'] },
};

const area = process.env.CAUCTL_MUTATE_AREA ?? 'ntlm';
if (!(area in AREAS)) throw new Error(`CAUCTL_MUTATE_AREA: unknown area ${area}; known: ${Object.keys(AREAS).join(', ')}`);
// CAUCTL_MUTATE_FILES narrows an area to some files (comma-separated globs), for a quicker look at one module.
const globs = process.env.CAUCTL_MUTATE_FILES ? process.env.CAUCTL_MUTATE_FILES.split(',') : AREAS[area].mutate;

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: [...globs, '!src/**/*.test.ts'],
  jsonReporter: { fileName: `reports/mutation/${area}.json` },
  htmlReporter: { fileName: `reports/mutation/${area}.html` },
  // Re-runs only mutants whose code or tests changed since the last run of this area.
  incremental: true,
  incrementalFile: `reports/mutation/${area}.incremental.json`,
  packageManager: 'npm',
  testRunner: 'jest',
  testRunnerNodeArgs: ['--experimental-vm-modules'],
  coverageAnalysis: 'perTest',
  concurrency: 1,
  // A mutant that makes a loop spin is a timeout (counted as killed); keep the wait short of forever.
  timeoutMS: 5000,
  timeoutFactor: 2,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  ignorePatterns: ['dist', 'reports', 'test-artifacts', 'bench/results', '.tools'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  jest: {
    projectType: 'custom',
    enableFindRelatedTests: false,
    config: {
      testEnvironment: 'node',
      extensionsToTreatAsEsm: ['.ts'],
      moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
      transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json', diagnostics: false }] },
      testMatch: AREAS[area].tests.map((glob) => `<rootDir>/${glob}`),
      testTimeout: 60000,
    },
  },
};
