/**
 * Issue 14 §8 (the parts outside the transport): a --password-file that others can read is refused unless
 * --allow-insecure-password-file, and the cluster names "." and ".." are refused before anything is touched.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sandbox, type Sandbox } from '../support/cli.js';

let box: Sandbox;
beforeEach(() => {
  box = sandbox();
});
afterEach(() => box.cleanup());

it.each(['.', '..'])('refuses the cluster name %j with exit 2', (name) => {
  const result = box.run(['scan', '--cluster-name', name, '--json']);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('is not a cluster name');
});

it('refuses a password file that other users can read, and names the fix', () => {
  const file = join(box.dir, 'password');
  writeFileSync(file, 'secret\n');
  chmodSync(file, 0o644);
  const result = box.run(['scan', '--cluster-name', 'HCI01', '--username', 'CONTOSO\\admin', '--password-file', file, '--json']);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain(`try: Make it yours only with: chmod 600 ${file}`);
  expect(result.stdout + result.stderr).not.toContain('secret');
});
