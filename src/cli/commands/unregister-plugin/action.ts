/** The body of `cauctl unregister-plugin`: remove the copy from the state directory (registry.ts). */
import { ExitCode } from '../../../errors.js';
import { writeResult } from '../../../output/result.js';
import { resolveStateDir } from '../../../platform/fs.js';
import { removeRegistered } from '../../../plugins/registry.js';
import type { CommandEnv } from '../../command-env.js';
import { resultEnvFor } from '../../context.js';
import type { GlobalProfile } from '../../global-options.js';
import type { UnregisterPluginProfile } from './index.js';

export async function runUnregisterPluginCommand(profile: UnregisterPluginProfile, globals: GlobalProfile, env: CommandEnv): Promise<number> {
  const removed = removeRegistered(resolveStateDir(env.io.env as NodeJS.ProcessEnv, env.io.platform), profile.name);
  writeResult(resultEnvFor(globals, env.io), { schemaVersion: 1, name: removed.name, version: removed.version, unregistered: true }, (out) => {
    out.line(`Unregistered ${removed.name} ${removed.version}.`);
  });
  return ExitCode.ok;
}
