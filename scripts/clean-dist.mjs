// Empties dist/ before a build: tsc never deletes its old outputs, so a file dropped from the build (a source
// removed, or excluded in tsconfig.build.json) would otherwise stay in dist/ and ship with `npm pack`.
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

rmSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'dist'), { recursive: true, force: true });
