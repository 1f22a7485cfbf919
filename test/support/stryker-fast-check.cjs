// Mutation runs only (stryker.config.mjs maps 'fast-check' here): the test process's one fast-check, which
// test/support/stryker-bail-environment.cjs loads once and puts on each test file's global (why: see there).
const shared = globalThis.__cauctlStrykerFastCheck;
if (shared === undefined) throw new Error('stryker-fast-check.cjs: no shared fast-check; the test environment must be test/support/stryker-bail-environment.cjs');
module.exports = shared;
