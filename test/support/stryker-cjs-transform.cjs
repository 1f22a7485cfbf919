// Mutation runs only (stryker.config.mjs): ts-jest compiling to CommonJS, so jest loads a test's modules with
// require (compiled once per process) instead of as ES modules under --experimental-vm-modules (compiled again
// for every test file of every mutant run). `import.meta.url`, the one ESM-only expression the sources use, becomes
// the module's file URL.
const { TsJestTransformer } = require('ts-jest');

const IMPORT_META_URL = /\bimport\.meta\.url\b/g;
const FILE_URL = "require('node:url').pathToFileURL(__filename).href";

class CommonJsTransformer extends TsJestTransformer {
  process(source, path, options) {
    return super.process(source.replace(IMPORT_META_URL, FILE_URL), path, options);
  }
  async processAsync(source, path, options) {
    return super.processAsync(source.replace(IMPORT_META_URL, FILE_URL), path, options);
  }
  getCacheKey(source, path, options) {
    return super.getCacheKey(source.replace(IMPORT_META_URL, FILE_URL), path, options);
  }
  async getCacheKeyAsync(source, path, options) {
    return super.getCacheKeyAsync(source.replace(IMPORT_META_URL, FILE_URL), path, options);
  }
}

module.exports = {
  createTransformer: (options) => new CommonJsTransformer(options),
};
