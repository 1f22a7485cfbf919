// `npm run property -- --seed N`: runs only the property test (test/property/), with the mixes drawn from seed N,
// as a CI run printed it ("property seed: N"). Without --seed, a fresh seed is drawn and printed. Other arguments
// go to jest (for example -t 'drawn seed' to skip the fixed-seed and regression cases).
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const env = { ...process.env };
const rest = [];
for (let i = 0; i < args.length; i++) {
  const arg = args[i];
  const inline = arg.startsWith('--seed=') ? arg.slice('--seed='.length) : undefined;
  if (arg !== '--seed' && inline === undefined) {
    rest.push(arg);
    continue;
  }
  const value = inline ?? args[++i];
  if (value === undefined || !/^-?\d+$/.test(value)) {
    process.stderr.write(`--seed takes an integer (the "property seed" a run printed), not ${value ?? 'nothing'}\n`);
    process.exit(2);
  }
  env.CAUCTL_PROPERTY_SEED = value;
}
const jest = join(root, 'node_modules', 'jest', 'bin', 'jest.js');
const result = spawnSync(process.execPath, ['--experimental-vm-modules', jest, 'test/property/', '--selectProjects', 'slow', ...rest], { cwd: root, env, stdio: 'inherit' });
process.exit(result.status ?? 1);
