/**
 * hasBuild(), which the end-to-end suites ask before running the built CLI: a build without its bundle
 * (dist/cauctl.js, which every command but --version loads) is refused with what to run, not taken for a build.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, hasBuild } from './cli.js';

/** A copy of the CLI's entry (bin/, dist/cli/main.js, dist/version.js), with the bundle when `bundle` is set. */
function partialBuild(dir: string, bundle: boolean): void {
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'dist', 'cli'), { recursive: true });
  copyFileSync(join(ROOT, 'bin', 'cauctl.js'), join(dir, 'bin', 'cauctl.js'));
  copyFileSync(join(ROOT, 'dist', 'cli', 'main.js'), join(dir, 'dist', 'cli', 'main.js'));
  copyFileSync(join(ROOT, 'dist', 'version.js'), join(dir, 'dist', 'version.js'));
  if (bundle) copyFileSync(join(ROOT, 'dist', 'cauctl.js'), join(dir, 'dist', 'cauctl.js'));
}

const describeIf = hasBuild() ? describe : describe.skip;

describeIf('hasBuild', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cauctl-has-build-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is false where nothing is built', () => {
    expect(hasBuild(dir)).toBe(false);
  });

  it('refuses a build whose bundle is missing, although --version answers there, naming the bundle and the build', () => {
    partialBuild(dir, false);
    expect(() => hasBuild(dir)).toThrow(/bin\/cauctl\.js --help exited 1 .*Cannot find module .*dist\/cauctl\.js.*run npm run build/);
  });

  it('is true for this build', () => {
    expect(hasBuild()).toBe(true);
  });
});
