/**
 * What dist/cli/main.ts needs to run a command, in one module: the entry of the bundle (scripts/bundle.mjs
 * writes it to dist/cauctl.js), which main loads for every command but --version.
 */
export { runCli } from './app.js';
export { realIo } from './io.js';
export { createInterruptSource } from './interrupts.js';
