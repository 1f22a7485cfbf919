// Runs src/plugins/check-syntax.ps1 under the real pwsh: every .ps1 under src/ parses with PowerShell's own parser
// and uses no syntax Windows PowerShell 5.1 lacks; the fixtures prove the checker catches what it claims to.
import { join } from 'node:path';
import { execa } from 'execa';
import { REPO_ROOT, describeWithPwsh } from './pwsh-path.js';

describeWithPwsh('check-syntax.ps1 (PowerShell parser + 5.1 rules)', (pwsh) => {
  async function check(...paths: string[]): Promise<{ exitCode: number | undefined; lines: string[] }> {
    const result = await execa(pwsh, ['-NoProfile', '-NonInteractive', '-File', join(REPO_ROOT, 'src/plugins/check-syntax.ps1'), ...paths], {
      reject: false,
    });
    return { exitCode: result.exitCode, lines: result.stdout.split(/\r?\n/).filter((l) => l !== '') };
  }
  const fixture = (name: string): string => join(REPO_ROOT, 'test/ps/fixtures', name);
  const rules = (lines: string[]): string[] => lines.flatMap((l) => /^.+:\d+:\d+: ([a-z0-9-]+): /.exec(l)?.[1] ?? []).sort();

  it('passes every .ps1 under src/', async () => {
    const { exitCode, lines } = await check(join(REPO_ROOT, 'src'));
    expect(lines).toEqual([expect.stringMatching(/^checked \d+ file\(s\), 0 issue\(s\)$/)]);
    expect(Number(/checked (\d+)/.exec(lines[0]!)![1])).toBeGreaterThanOrEqual(17);
    expect(exitCode).toBe(0);
  });

  it('reports the syntax error in broken-syntax.ps1', async () => {
    const { exitCode, lines } = await check(fixture('broken-syntax.ps1'));
    expect(exitCode).toBe(1);
    expect(rules(lines)).toContain('parse-error');
    expect(lines[0]).toMatch(/broken-syntax\.ps1:\d+:\d+: parse-error: Missing closing '}'/);
  });

  it('refuses the ternary in uses-ternary.ps1, with its line', async () => {
    const { exitCode, lines } = await check(fixture('uses-ternary.ps1'));
    expect(exitCode).toBe(1);
    expect(lines[0]).toMatch(/uses-ternary\.ps1:3:\d+: ternary: /);
  });

  it('refuses a ternary inside an embedded worker here-string', async () => {
    const { exitCode, lines } = await check(fixture('embedded-ternary.ps1'));
    expect(exitCode).toBe(1);
    expect(lines[0]).toMatch(/embedded-ternary\.ps1:4:\d+: ternary: /);
  });

  it('refuses each PowerShell 7-only construct in uses-ps7-only.ps1', async () => {
    const { exitCode, lines } = await check(fixture('uses-ps7-only.ps1'));
    expect(exitCode).toBe(1);
    expect(rules(lines)).toEqual(
      [
        'null-coalescing',
        'null-coalescing-assignment',
        'null-conditional',
        'null-conditional',
        'pipeline-chain',
        'foreach-parallel',
        'convertfrom-json-ashashtable',
        'ps7-variable',
        'ps7-variable',
        'unicode-escape',
        'ps7-command',
        'convertto-json-asarray',
      ].sort(),
    );
  });
});
