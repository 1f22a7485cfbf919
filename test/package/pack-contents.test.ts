// Issue 15 §6: test-only code (the WS-Man test server, the NTLM acceptor, the simulator's test harness) is not
// shipped. Reads what `npm pack` would publish from the built dist/ (npm test builds first).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../support/cli.js';

const TEST_ONLY = [/winrm\/testing\//, /winrm\/ntlm\/acceptor\./, /sim\/test-support\./];

describe('npm pack', () => {
  it('lists no test-only module, and still ships the CLI', () => {
    expect(existsSync(join(ROOT, 'dist', 'cli', 'main.js'))).toBe(true);
    const result = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
    expect(result.status).toBe(0);
    const files = (JSON.parse(result.stdout) as Array<{ files: Array<{ path: string }> }>)[0]!.files.map((f) => f.path);
    expect(files).toContain('dist/cli/main.js');
    // What main.js runs every command but --version from (the build's bundle, scripts/bundle.mjs).
    expect(files).toContain('dist/cauctl.js');
    expect(files).toContain('dist/transport/winrm/ntlm/client.js');
    expect(files.filter((path) => TEST_ONLY.some((pattern) => pattern.test(path)))).toEqual([]);
  });
});
