// Runs the Pester suite (test/ps/*.Tests.ps1) under the real pwsh from .tools, fails on any failed Pester test,
// reports the counts to $CAUCTL_COUNT_FILE, then checks every JSON document the scripts produced through the
// bootstrap (test-artifacts/ps-json) against the catalogue's zod result schema.
import { appendFileSync, existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { operations, type OperationName } from '../../src/cluster/operations.js';
import { REPO_ROOT, describeWithPwsh, findPester } from './pwsh-path.js';

const JSON_DIR = join(REPO_ROOT, 'test-artifacts', 'ps-json');

describeWithPwsh(
  'Pester suite under real pwsh',
  (pwsh) => {
    it('passes every Pester test', async () => {
      rmSync(JSON_DIR, { recursive: true, force: true });
      const result = await execa(
        pwsh,
        ['-NoProfile', '-NonInteractive', '-File', join(REPO_ROOT, 'test/ps/run-pester.ps1'), '-PesterManifest', findPester()!],
        { reject: false, env: { NO_COLOR: '1' }, timeout: 15 * 60_000 },
      );
      const match = /^PESTER-COUNTS (\d+) (\d+) (\d+)$/m.exec(result.stdout);
      const countFile = process.env['CAUCTL_COUNT_FILE'];
      if (match !== null && countFile !== undefined && countFile !== '') {
        appendFileSync(countFile, `pester ${match[1]} ${match[2]} ${match[3]}\n`);
      }
      if (match === null || match[2] !== '0' || result.exitCode !== 0) {
        throw new Error(`Pester failed (exit ${result.exitCode}):\n${result.stdout.slice(-20000)}\n${result.stderr.slice(-5000)}`);
      }
      expect(Number(match[1])).toBeGreaterThan(0);
    }, 16 * 60_000);

    it('produced JSON for every catalogue operation', () => {
      const files = existsSync(JSON_DIR) ? readdirSync(JSON_DIR) : [];
      const covered = new Set(files.map((f) => f.split('.')[0]));
      expect(Object.keys(operations).filter((op) => !covered.has(op))).toEqual([]);
    });

    it("every produced JSON is { ok: true, data } and data matches the operation's result schema", () => {
      const files = existsSync(JSON_DIR) ? readdirSync(JSON_DIR).filter((f) => f.endsWith('.json')) : [];
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) {
        const operation = file.split('.')[0] as OperationName;
        expect({ file, known: operation in operations }).toEqual({ file, known: true });
        const outcome = JSON.parse(readFileSync(join(JSON_DIR, file), 'utf8')) as { ok: boolean; data: unknown };
        expect({ file, ok: outcome.ok }).toEqual({ file, ok: true });
        const parsed = operations[operation].result.safeParse(outcome.data);
        expect({ file, issues: parsed.success ? [] : parsed.error.issues }).toEqual({ file, issues: [] });
      }
    });
  },
  { pester: true },
);
