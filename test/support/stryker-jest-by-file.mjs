// Mutation runs only (stryker.config.mjs, testRunner 'jest-by-file'): Stryker's jest runner, except that a mutant's
// run loads only the test files holding the tests that reached the mutant, one file after the other, and stops at
// the first file that kills it. The stock runner hands jest the mutated file with --findRelatedTests, so jest loads
// every test file that imports it, however indirectly (for a node step: every node-step test file), only to skip
// most of their tests by name; loading a test file costs far more than running its tests. Which file holds which
// test comes from the initial (dry) run, and is kept beside the sandbox so that a test process started again after
// a timeout still knows it. The file holding most of the mutant's tests goes first: most mutants are killed there,
// and the other files are then never loaded (a survivor pays one jest start per file instead).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import process from 'node:process';
import { commonTokens, declareFactoryPlugin, PluginKind, tokens } from '@stryker-mutator/api/plugin';
import { strykerPlugins as jestPlugins } from '@stryker-mutator/jest-runner';

/** In the sandbox: the test process works there (it loads this module before it moves there). */
const mapFile = () => join(process.cwd(), '.stryker-test-files.json');

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function jestByFileFactory(injector) {
  const jest = jestPlugins.find((p) => p.name === 'jest');
  if (jest === undefined) throw new Error('the jest test runner plugin is not installed');
  const inner = jest.factory(injector);
  /** Test id (its full name) → the test file that holds it. */
  let fileOf = existsSync(mapFile()) ? new Map(JSON.parse(readFileSync(mapFile(), 'utf8'))) : new Map();
  let only;
  // The runner's one way into jest: with testFiles, jest runs those files (as path patterns) instead of the
  // files related to the mutated one.
  const run = inner.run.bind(inner);
  inner.run = (settings) => run(only === undefined ? settings : { ...settings, testFiles: only });
  return {
    capabilities: () => inner.capabilities(),
    init: () => inner.init?.(),
    dispose: () => inner.dispose?.(),
    async dryRun(options) {
      const result = await inner.dryRun(options);
      if (result.status === 'complete') {
        fileOf = new Map(result.tests.filter((t) => t.fileName !== undefined).map((t) => [t.id, t.fileName]));
        writeFileSync(mapFile(), JSON.stringify([...fileOf]));
      }
      return result;
    },
    async mutantRun(options) {
      const ids = options.testFilter;
      // No per-test coverage for this mutant (or a test the dry run did not see): the stock runner's way.
      if (ids === undefined || ids.length === 0 || ids.some((id) => !fileOf.has(id))) return inner.mutantRun(options);
      /** The mutant's tests by file, the file with most of them first. */
      const byFile = new Map();
      for (const id of ids) byFile.set(fileOf.get(id), [...(byFile.get(fileOf.get(id)) ?? []), id]);
      const order = [...byFile].sort(([a, x], [b, y]) => y.length - x.length || a.localeCompare(b));
      let nrOfTests = 0;
      let result;
      for (const [file, tests] of order) {
        only = [`^${escapeRegExp(file)}$`];
        try {
          result = await inner.mutantRun({ ...options, testFilter: tests });
        } finally {
          only = undefined;
        }
        // Killed, timed out or an error: that is the mutant's result, whatever the other files would say.
        if (result.status !== 'survived') return result;
        nrOfTests += result.nrOfTests;
      }
      return { ...result, nrOfTests };
    },
  };
}
jestByFileFactory.inject = tokens(commonTokens.injector);

export const strykerPlugins = [declareFactoryPlugin(PluginKind.TestRunner, 'jest-by-file', jestByFileFactory)];
