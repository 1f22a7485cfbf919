// Turns a module trace (lib/module-trace.mjs) into a summary: project modules under dist/ and, per npm package,
// how many of its files loaded. Pure: takes the trace text and the project root.
import { fileURLToPath } from 'node:url';
import { relative, sep } from 'node:path';

/** The npm package a path belongs to (`chalk`, `@scope/name`), or undefined outside node_modules. */
export function packageOf(path) {
  const parts = path.split(sep);
  const at = parts.lastIndexOf('node_modules');
  if (at < 0 || at + 1 >= parts.length) return undefined;
  const first = parts[at + 1];
  return first.startsWith('@') && at + 2 < parts.length ? `${first}/${parts[at + 2]}` : first;
}

/** Distinct modules in `traceText`, split into project files (relative to `root`) and packages with file counts. */
export function summarizeTrace(traceText, root) {
  const paths = new Set();
  for (const line of traceText.split('\n')) {
    const match = /^(esm|cjs) (.+)$/.exec(line.trim());
    if (!match) continue;
    const path = match[1] === 'esm' ? fileURLToPath(match[2]) : match[2];
    paths.add(path);
  }
  const project = [];
  const packages = {};
  for (const path of paths) {
    const pkg = packageOf(path);
    if (pkg) packages[pkg] = (packages[pkg] ?? 0) + 1;
    else project.push(relative(root, path).split(sep).join('/'));
  }
  project.sort();
  const sortedPackages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => a.localeCompare(b)));
  return { moduleCount: paths.size, projectModules: project, packages: sortedPackages };
}
