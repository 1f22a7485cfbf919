// Preloaded with `node --import` in a traced child: records every module the process loads, ES modules through
// a resolve hook (lib/module-trace-hooks.mjs) and CommonJS ones from require.cache at exit, one file URL or
// path a line, into the file named by $BENCH_MODULE_TRACE. Used only for the optional "modules loaded" figure.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import process from 'node:process';

const traceFile = process.env.BENCH_MODULE_TRACE;
if (traceFile) {
  register('./module-trace-hooks.mjs', import.meta.url, { data: { traceFile } });
  const require = createRequire(import.meta.url);
  process.on('exit', () => {
    const lines = Object.keys(require.cache).map((path) => `cjs ${path}\n`);
    if (lines.length > 0) appendFileSync(traceFile, lines.join(''));
  });
}
