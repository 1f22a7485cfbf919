/**
 * What dist/cli/main.ts needs to run a command, in one module: the entry of the bundle (scripts/bundle.mjs
 * writes it to dist/cauctl.js), which main loads for every command but --version.
 *
 * `zod/compile` first, before any module that builds a schema: zod then compiles each schema into a fast path on
 * its first parse (a run parses some 28,000 node replies and operation parameters, and every journal record).
 * Valid input takes the compiled path; anything else falls back to zod's parser, so what is refused, and the
 * issues named, stay the same (test/cli/reply-schema.test.ts checks a refused reply through the shipped CLI).
 */
import 'zod/compile';
export { runCli } from './app.js';
export { realIo } from './io.js';
export { createInterruptSource } from './interrupts.js';
