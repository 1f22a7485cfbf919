// StrykerJS mutation testing (`npm run mutate`, docs/testing.md). Not part of CI: it takes long on 2 cores.
// scripts/mutate.mjs runs Stryker once per part of an area (its own `mutate` globs, its own tests, report and
// incremental file), then adds the parts up to one score per area. Two test processes (the machine it was sized
// for has 2 cores; `npm run mutate -- --concurrency <n>` passes another figure) and per-test coverage, so a mutant
// runs only the tests that reach it.
import process from 'node:process';

/**
 * The areas, each scored on its own (docs/testing.md), in parts: the files mutated, and the in-process unit tests
 * that may kill their mutants (the e2e tests run the built CLI from dist/, which is not mutated; the slow
 * multi-process tests would not fit the half hour). Test files are never mutated. Jest spends most of a mutant's
 * run loading test files, so each part lists only the test files about its modules, and of those, jest loads
 * only the ones that import the mutated file (`enableFindRelatedTests`) and runs only the tests that reached the
 * mutant (`coverageAnalysis: 'perTest'`).
 */
export const AREAS = {
  // The rolling run's decisions: policy, the node steps, where an interrupted attempt resumes (the journal's
  // replay and the attempt's state machine), and the journal (its typed records and its durable storage).
  core: {
    policy: { mutate: ['src/core/policy.ts'], tests: ['src/core/policy.test.ts'] },
    'node-steps': {
      mutate: ['src/core/node-steps/**/*.ts'],
      tests: ['src/core/node-steps/*.test.ts', 'src/core/node-decisions.test.ts', 'src/core/pre-install.test.ts'],
    },
    resume: {
      mutate: ['src/core/journal-replay.ts', 'src/core/node-attempt.ts'],
      tests: ['src/core/journal-replay.test.ts', 'src/core/node-attempt.test.ts'],
    },
    journal: {
      mutate: ['src/core/journal-records.ts', 'src/journal/journal.ts'],
      tests: ['src/journal/journal.test.ts', 'src/core/journal-replay.test.ts'],
    },
  },
  ntlm: { all: { mutate: ['src/transport/winrm/ntlm/**/*.ts'], tests: ['src/transport/winrm/ntlm/**/*.test.ts'] } },
  profiles: { all: { mutate: ['src/profiles/**/*.ts'], tests: ['src/profiles/**/*.test.ts'] } },
};

/** The folder each area scores, as `npm run mutate` names it in its last lines. */
export const FOLDERS = { core: 'src/core/', ntlm: 'src/transport/winrm/ntlm/', profiles: 'src/profiles/' };

const area = process.env.CAUCTL_MUTATE_AREA ?? 'ntlm';
if (!(area in AREAS)) throw new Error(`CAUCTL_MUTATE_AREA: unknown area ${area}; known: ${Object.keys(AREAS).join(', ')}`);
const partName = process.env.CAUCTL_MUTATE_PART ?? Object.keys(AREAS[area])[0];
const part = AREAS[area][partName];
if (part === undefined) throw new Error(`CAUCTL_MUTATE_PART: unknown part ${partName} of ${area}; known: ${Object.keys(AREAS[area]).join(', ')}`);
// CAUCTL_MUTATE_FILES narrows a part to some files (comma-separated globs), for a quicker look at one module.
const globs = process.env.CAUCTL_MUTATE_FILES ? process.env.CAUCTL_MUTATE_FILES.split(',') : part.mutate;
const name = `${area}-${partName}`;

// The mutation run's jest compiles the TypeScript to CommonJS (test/support/stryker-cjs-transform.cjs): jest then
// loads each module with require, about a quarter cheaper per mutant than ES modules under
// --experimental-vm-modules, where every test file of every run compiles its modules again. npm test and CI run
// the same tests as ES modules. asn1js (and its one dependency) ship only as ES modules: compiled the same way.
const ESM_ONLY_PACKAGES = 'asn1js|@peculiar/utils';
const TRANSFORM = '<rootDir>/test/support/stryker-cjs-transform.cjs';
const COMMONJS = { target: 'ES2022', module: 'commonjs', moduleResolution: 'node', esModuleInterop: true, isolatedModules: true, resolveJsonModule: true };

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: [...globs, '!src/**/*.test.ts'],
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  // Re-runs only mutants whose code or tests changed since the last run of this part.
  incremental: true,
  incrementalFile: `reports/mutation/${name}.incremental.json`,
  packageManager: 'npm',
  // Stryker's jest runner, loading for each mutant only the test files of the tests that reached it.
  testRunner: 'jest-by-file',
  appendPlugins: ['./test/support/stryker-jest-by-file.mjs'],
  coverageAnalysis: 'perTest',
  // A mutant in code that runs when a module loads (a top-level constant, a zod schema) would need every test of
  // the part in a fresh module registry; those are left out of the score (docs/testing.md says so).
  ignoreStatic: true,
  // scripts/mutate.mjs passes its own --concurrency (2 by default: 2 cores assumed, docs/testing.md).
  concurrency: 2,
  // A fresh test process every 100 mutant runs: jest keeps part of each run's module registry alive, so a test
  // process that ran all of a part grew to 1 GB of heap and spent ever more of its CPU collecting it (session 6).
  maxTestRunnerReuse: 100,
  // A mutant that makes a loop spin is a timeout (counted as killed); keep the wait short of forever, and long
  // enough that a loaded machine does not turn a slow run into a timeout.
  timeoutMS: 10000,
  timeoutFactor: 2,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  ignorePatterns: ['dist', 'reports', 'test-artifacts', 'bench/results', '.tools', '.stryker-test-files.json'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  jest: {
    projectType: 'custom',
    // Not jest.config.js: its two lanes (`projects`) would replace the part's own test files below (they did
    // until session 4: every mutant loaded every related test file of both lanes). package.json has no jest key,
    // so the config is exactly the one here.
    configFile: 'package.json',
    enableFindRelatedTests: true,
    config: {
      // jest's node environment, stopping a mutant's run at its first failed test (jest --bail).
      testEnvironment: './test/support/stryker-bail-environment.cjs',
      // fast-check: the test process's one copy (test/support/stryker-bail-environment.cjs says why).
      moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1', '^fast-check$': '<rootDir>/test/support/stryker-fast-check.cjs' },
      transform: {
        '^.+\\.ts$': [TRANSFORM, { tsconfig: COMMONJS, diagnostics: false }],
        [`^.+/node_modules/(${ESM_ONLY_PACKAGES})/.+\\.js$`]: [TRANSFORM, { tsconfig: { ...COMMONJS, allowJs: true }, diagnostics: false }],
      },
      transformIgnorePatterns: [`/node_modules/(?!(${ESM_ONLY_PACKAGES})/)`],
      testMatch: part.tests.map((glob) => `<rootDir>/${glob}`),
      // Jest maps (and, for findRelatedTests, resolves) every file under its roots on each mutant's run: src only.
      roots: ['<rootDir>/src'],
      watchman: false,
      // A mutant that leaves a promise unsettled fails its test here (a unit test of these areas takes under
      // 1.3 s even at load 10) instead of waiting for Stryker's timeout and a new test process.
      testTimeout: 5000,
    },
  },
};
