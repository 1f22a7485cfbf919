// Module hooks (they run on the loader thread) for lib/module-trace.mjs: appends each resolved ES module URL to
// the trace file. Only file: URLs are kept; node: built-ins are not what the figure is about.
import { appendFileSync } from 'node:fs';

let traceFile;

export function initialize(data) {
  traceFile = data.traceFile;
}

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  if (traceFile && resolved.url.startsWith('file:')) appendFileSync(traceFile, `esm ${resolved.url}\n`);
  return resolved;
}
