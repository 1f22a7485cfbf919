/** The body of `cauctl register-plugin`: check the folder (load-plugin.ts), copy it into the state directory. */
import { ExitCode } from '../../../errors.js';
import { writeResult } from '../../../output/result.js';
import { resolveStateDir } from '../../../platform/fs.js';
import { systemClock } from '../../../platform/clock.js';
import { loadPluginFolder } from '../../../plugins/load-plugin.js';
import { findRegistered, saveRegistered } from '../../../plugins/registry.js';
import type { CommandEnv } from '../../command-env.js';
import { resultEnvFor } from '../../context.js';
import type { GlobalProfile } from '../../global-options.js';
import type { RegisterPluginProfile } from './index.js';

export async function runRegisterPluginCommand(profile: RegisterPluginProfile, globals: GlobalProfile, env: CommandEnv): Promise<number> {
  const processEnv = env.io.env as NodeJS.ProcessEnv;
  const loaded = await loadPluginFolder(profile.path, processEnv, env.io.platform);
  const stateDir = resolveStateDir(processEnv, env.io.platform);
  const previous = findRegistered(stateDir, loaded.manifest.name);
  const saved = saveRegistered(stateDir, loaded.manifest, loaded, loaded.folder, new Date(systemClock.now()).toISOString());
  const document = {
    schemaVersion: 1,
    name: saved.name,
    version: saved.version,
    description: saved.description,
    arguments: saved.manifest.arguments,
    source: saved.source,
    registeredAt: saved.registeredAt,
    replaced: previous === undefined ? null : previous.version,
  };
  writeResult(resultEnvFor(globals, env.io), document, (out) => {
    out.line(`Registered ${saved.name} ${saved.version}${previous === undefined ? '' : ` (replacing ${previous.version})`} from ${saved.source}.`);
    const args = Object.entries(saved.manifest.arguments);
    if (args.length > 0) out.table(['Argument', 'Required', 'Description'], args.map(([name, spec]) => [name, spec.required ? 'yes' : 'no', spec.description]));
  });
  return ExitCode.ok;
}
