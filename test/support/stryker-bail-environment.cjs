// Mutation runs only (stryker.config.mjs): jest's node environment that stops a mutant's run at its first failed
// test, as `jest --bail` would within a file (Stryker cannot pass --bail to jest). The remaining tests of that run
// are skipped: the mutant is already killed, and a mutant that hangs every test it reaches then costs one test
// timeout instead of a Stryker timeout and a new test process. Runs without a mutant (the initial run) never skip.
//
// It also hands every test file the test process's one fast-check (test/support/stryker-fast-check.cjs maps the
// package to it): jest loads a test file's modules again for each mutant's run, and fast-check builds some of its
// arbitraries once per loaded copy (its binary string unit: 1.4 s of CPU, paid by every run of a hashtable
// property test until session 6). Shared, it builds them once per test process. In mutation runs only, a failed
// property stops at its first counterexample (fast-check's endOnFailure): the mutant is killed either way, and
// shrinking the counterexample (each step a failed expect with its diff) would only cost time.
const { TestEnvironment } = require('jest-environment-node');

/** The global through which stryker-fast-check.cjs finds the shared fast-check. */
const SHARED_FAST_CHECK = '__cauctlStrykerFastCheck';
let fastCheck;

/** The mutant whose run has already failed a test. */
let failedMutant;

class BailEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    if (fastCheck === undefined) {
      fastCheck = require('fast-check');
      fastCheck.configureGlobal({ ...fastCheck.readConfigureGlobal(), endOnFailure: true });
    }
    this.global[SHARED_FAST_CHECK] = fastCheck;
  }

  async handleTestEvent(event) {
    const mutant = process.env.__STRYKER_ACTIVE_MUTANT__;
    if (mutant === undefined) return;
    if (event.name === 'test_fn_failure' || event.name === 'hook_failure') failedMutant = mutant;
    else if (event.name === 'test_start' && failedMutant === mutant) event.test.mode = 'skip';
  }
}

module.exports = BailEnvironment;
