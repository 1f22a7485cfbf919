// Tests for lib/module-summary.mjs (node --test bench/).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { packageOf, summarizeTrace } from './module-summary.mjs';

const root = join('/', 'repo');

test('packageOf names plain and scoped packages, innermost node_modules first', () => {
  assert.equal(packageOf(join(root, 'node_modules', 'zod', 'v4', 'index.js')), 'zod');
  assert.equal(packageOf(join(root, 'node_modules', '@scope', 'pkg', 'a.js')), '@scope/pkg');
  assert.equal(packageOf(join(root, 'node_modules', 'a', 'node_modules', 'b', 'x.js')), 'b');
  assert.equal(packageOf(join(root, 'dist', 'cli', 'main.js')), undefined);
});

test('summarizeTrace counts each module once and splits project files from packages', () => {
  const main = pathToFileURL(join(root, 'dist', 'cli', 'main.js')).href;
  const trace = [
    `esm ${main}`,
    `esm ${main}`,
    `esm ${pathToFileURL(join(root, 'node_modules', 'chalk', 'source', 'index.js')).href}`,
    `cjs ${join(root, 'node_modules', 'cli-table3', 'index.js')}`,
    `cjs ${join(root, 'node_modules', 'cli-table3', 'src', 'table.js')}`,
    'garbage line',
    '',
  ].join('\n');
  assert.deepEqual(summarizeTrace(trace, root), {
    moduleCount: 4,
    projectModules: ['dist/cli/main.js'],
    packages: { chalk: 1, 'cli-table3': 2 },
  });
});
