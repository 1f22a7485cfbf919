// Mutation runs only (stryker.config.mjs): jest's node environment that stops a mutant's run at its first failed
// test, as `jest --bail` would within a file (Stryker cannot pass --bail to jest). The remaining tests of that run
// are skipped: the mutant is already killed, and a mutant that hangs every test it reaches then costs one test
// timeout instead of a Stryker timeout and a new test process. Runs without a mutant (the initial run) never skip.
const { TestEnvironment } = require('jest-environment-node');

/** The mutant whose run has already failed a test. */
let failedMutant;

class BailEnvironment extends TestEnvironment {
  async handleTestEvent(event) {
    const mutant = process.env.__STRYKER_ACTIVE_MUTANT__;
    if (mutant === undefined) return;
    if (event.name === 'test_fn_failure' || event.name === 'hook_failure') failedMutant = mutant;
    else if (event.name === 'test_start' && failedMutant === mutant) event.test.mode = 'skip';
  }
}

module.exports = BailEnvironment;
