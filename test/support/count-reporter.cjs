// Prints the plain closing line CI reads ("N passed, N failed") and appends the counts to
// $CAUCTL_COUNT_FILE when set, so .ci/run can add the PowerShell (Pester) counts to jest's.
const { appendFileSync } = require('node:fs');

class CountReporter {
  onRunComplete(_contexts, results) {
    const passed = results.numPassedTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests;
    process.stdout.write(`jest: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
    if (process.env.CAUCTL_COUNT_FILE) {
      appendFileSync(process.env.CAUCTL_COUNT_FILE, `jest ${passed} ${failed} ${skipped}\n`);
    }
  }
}
module.exports = CountReporter;
