/**
 * The one place the tests find PowerShell 7 (`.tools/pwsh/pwsh` from scripts/install-pwsh.sh, else `pwsh` on
 * PATH) and Pester, and apply the skip policy: without pwsh these suites skip loudly outside CI and fail in CI.
 * Test-only; depends on node:fs and node:path.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (two levels above this file). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const INSTALL_HINT = 'run `bash scripts/install-pwsh.sh` (needs the dotnet SDK) to install PowerShell 7 and Pester under .tools/';

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Path of the pwsh the tests use, or undefined when there is none. */
export function findPwsh(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const local = join(REPO_ROOT, '.tools', 'pwsh', process.platform === 'win32' ? 'pwsh.exe' : 'pwsh');
  if (isExecutable(local)) return local;
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    for (const name of process.platform === 'win32' ? ['pwsh.exe'] : ['pwsh']) {
      const candidate = join(dir, name);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

/** Path of the Pester module manifest installed by scripts/install-pwsh.sh, or undefined. */
export function findPester(): string | undefined {
  const manifest = join(REPO_ROOT, '.tools', 'modules', 'Pester', 'Pester.psd1');
  return existsSync(manifest) ? manifest : undefined;
}

function isCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env['CI'];
  return value !== undefined && value !== '' && value !== 'false' && value !== '0';
}

/**
 * `describe` when `needs` are present. Otherwise: in CI a suite whose one test fails with the install hint;
 * outside CI a skipped suite and a loud console.warn, so a missing pwsh is never silent.
 */
export function describeWithPwsh(
  name: string,
  body: (pwsh: string) => void,
  needs: { pester?: boolean } = {},
): void {
  const pwsh = findPwsh();
  const missing = pwsh === undefined ? 'pwsh' : needs.pester === true && findPester() === undefined ? 'Pester' : undefined;
  if (pwsh !== undefined && missing === undefined) {
    describe(name, () => body(pwsh));
    return;
  }
  const message = `${name}: ${missing ?? 'pwsh'} not found; ${INSTALL_HINT}`;
  if (isCi()) {
    describe(name, () => {
      it(`needs ${missing ?? 'pwsh'}`, () => {
        throw new Error(message);
      });
    });
    return;
  }
  console.warn(`\n*** SKIPPED (not in CI): ${message} ***\n`);
  describe.skip(name, () => body(''));
}
