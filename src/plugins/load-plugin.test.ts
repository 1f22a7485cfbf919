// loadPluginFolder's syntax check runs PowerShell with the same child environment as every other PowerShell
// cauctl starts (childEnvironment of the local-pwsh transport): what that list lets through arrives, what it
// keeps out does not.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { describeWithPwsh, REPO_ROOT } from '../../test/pwsh/pwsh-path.js';
import { loadPluginFolder } from './load-plugin.js';

describeWithPwsh('loadPluginFolder: the checker child environment', (pwsh) => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cauctl-load-plugin-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('is childEnvironment(env): PowerShell sees XDG_CACHE_HOME (its cache goes there), which the allow-list passes', async () => {
    const cache = join(dir, 'cache');
    const env = { ...process.env, PATH: `${dirname(pwsh)}${delimiter}${process.env['PATH'] ?? ''}`, XDG_CACHE_HOME: cache };
    const loaded = await loadPluginFolder(join(REPO_ROOT, 'examples', 'plugins', 'contoso-firmware'), env, process.platform);
    expect(loaded.manifest.name).toBeDefined();
    // pwsh writes its startup cache below XDG_CACHE_HOME only when the variable reached it.
    expect(existsSync(join(cache, 'powershell'))).toBe(true);
  }, 120_000);
});
