/** The body of `cauctl get-plugin`: the built-ins, then the registered script plug-ins, from the state directory. */
import { ExitCode, usageError } from '../../../errors.js';
import { writeResult } from '../../../output/result.js';
import { resolveStateDir } from '../../../platform/fs.js';
import { BUILTIN_PLUGINS, listRegistered } from '../../../plugins/registry.js';
import type { CommandEnv } from '../../command-env.js';
import { resultEnvFor } from '../../context.js';
import type { GlobalProfile } from '../../global-options.js';
import type { GetPluginProfile } from './index.js';

interface PluginRow {
  readonly name: string;
  readonly kind: 'builtin' | 'script';
  readonly version: string | null;
  readonly description: string;
  readonly arguments: Readonly<Record<string, unknown>> | null;
  readonly source: string | null;
  readonly registeredAt: string | null;
}

export async function runGetPluginCommand(profile: GetPluginProfile, globals: GlobalProfile, env: CommandEnv): Promise<number> {
  const stateDir = resolveStateDir(env.io.env as NodeJS.ProcessEnv, env.io.platform);
  const rows: PluginRow[] = [
    ...BUILTIN_PLUGINS.map((p) => ({ name: p.name, kind: 'builtin' as const, version: null, description: p.description, arguments: null, source: null, registeredAt: null })),
    ...listRegistered(stateDir).map((p) => ({ name: p.name, kind: 'script' as const, version: p.version, description: p.description, arguments: p.manifest.arguments, source: p.source, registeredAt: p.registeredAt })),
  ];
  const chosen = profile.name === undefined ? rows : rows.filter((r) => r.name.toLowerCase() === profile.name!.toLowerCase());
  if (chosen.length === 0) {
    throw usageError('PLUGIN_NOT_FOUND', `No plug-in named ${profile.name} on this host.`, { hint: `Known: ${rows.map((r) => r.name).join(', ')}.` });
  }
  writeResult(resultEnvFor(globals, env.io), chosen, (out) => {
    out.table(['Name', 'Kind', 'Version', 'Description'], chosen.map((r) => [r.name, r.kind, r.version ?? '', r.description]));
  }, { records: chosen });
  return ExitCode.ok;
}
