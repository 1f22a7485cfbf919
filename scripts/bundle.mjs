// Bundles the built CLI (after tsc) into one ES module, dist/cauctl.js, which bin/cauctl.js loads through
// dist/cli/main.js for every command but --version. A fresh process then compiles one file instead of some 245
// modules (issue 18: start-up was 250–300 ms of a 64-node run's CPU), and zod's 64 locale modules are left out.
// tsc's per-file dist/ stays as it is (tests, the package's other entry points).
//
// What the bundle keeps as in dist/:
// - `import.meta.url`: each module's own URL (its file in dist/), so the .ps1 scripts and fixtures it reads next to
//   it are found where copy-assets put them;
// - dynamic imports: inlined, evaluated when first imported, as before; `import(name)` of a computed name (the
//   optional `kerberos` package) stays a runtime import;
// - CommonJS packages (commander, windows-iana): wrapped by esbuild, with a real `require` for their requires.
// zod: its namespaces re-export `locales` (every language), which pins all of them in a bundle; nothing of cauctl
// reads them (English, the default, is imported by zod's schemas directly), so those re-export lines are dropped.
// The build fails if zod's files no longer have them, rather than silently bundling every locale again.
import { build } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const outfile = join(dist, 'cauctl.js');

/** Each dist module's `import.meta.url`, as its own file's URL, relative to the bundle's. */
const ownModuleUrl = {
  name: 'own-module-url',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, async (args) => {
      if (!args.path.startsWith(dist + sep)) return undefined;
      const text = await readFile(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return { contents: text, loader: 'js' };
      const own = relative(dirname(outfile), args.path).split(sep).join('/');
      return { contents: text.replaceAll('import.meta.url', `new URL(${JSON.stringify(`./${own}`)}, import.meta.url).href`), loader: 'js' };
    });
  },
};

const LOCALES_LINE = /^export \* as locales from "\.\.\/locales\/index\.js";$/m;

/** zod's `export * as locales` lines, dropped (see the header). */
const zodWithoutLocales = {
  name: 'zod-without-locales',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]zod[\\/]v4[\\/](classic[\\/]external|core[\\/]index|mini[\\/]external)\.js$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!LOCALES_LINE.test(text)) throw new Error(`${args.path}: no "export * as locales" line; update scripts/bundle.mjs for this zod version`);
      return { contents: text.replace(LOCALES_LINE, ''), loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

const result = await build({
  absWorkingDir: root,
  entryPoints: [join(dist, 'cli', 'run-entry.js')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  plugins: [zodWithoutLocales, ownModuleUrl],
  banner: { js: "import { createRequire as __cauctlCreateRequire } from 'node:module'; const require = __cauctlCreateRequire(import.meta.url);" },
  logLevel: 'warning',
  metafile: true,
});
const zodLocales = Object.keys(result.metafile.outputs[relative(root, outfile).split(sep).join('/')]?.inputs ?? {}).filter((p) => /zod\/v4\/locales\/(?!en\.js)/.test(p));
if (zodLocales.length > 0) throw new Error(`dist/cauctl.js still holds zod locales: ${zodLocales.join(', ')}`);
