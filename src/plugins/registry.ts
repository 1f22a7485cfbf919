/**
 * The script plug-ins registered on this host (register-plugin, get-plugin, unregister-plugin; docs/plugins.md),
 * kept in the state directory: `plugins/<name>/` holds a copy of the plug-in's manifest and two scripts as they
 * were when registered and checked, so editing the source folder afterwards changes nothing until it is
 * registered again. Built-in plug-ins are listed beside them and can be neither registered over nor removed.
 * Depends on node:fs/node:path, the manifest schema and platform/fs.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AppError, ExitCode, usageError } from '../errors.js';
import { ensurePrivateDir, writeFileAtomic } from '../platform/fs.js';
import { INSTALL_SCRIPT, MANIFEST_FILE, PluginManifest, SCAN_SCRIPT } from './manifest.js';

/** The plug-ins cauctl ships (CAU's built-ins, and the feature-update one it drives itself). */
export const BUILTIN_PLUGINS: ReadonlyArray<{ readonly name: string; readonly description: string }> = [
  { name: 'Microsoft.WindowsUpdatePlugin', description: 'Windows Update Agent on each node (Windows Update, Microsoft Update or WSUS); the default' },
  { name: 'Microsoft.HotfixPlugin', description: 'hotfixes and vendor packages from an SMB hotfix root folder' },
  { name: 'Microsoft.RollingUpgradePlugin', description: 'feature (OS version) updates, for cauctl feature-update and scan' },
];

export interface RegisteredPlugin {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly manifest: PluginManifest;
  /** Where it was registered from (for get-plugin; the copy under the state directory is what runs). */
  readonly source: string;
  readonly registeredAt: string;
  readonly folder: string;
}

interface RegistryRecord {
  readonly source: string;
  readonly registeredAt: string;
}

export function pluginsDir(stateDir: string): string {
  return join(stateDir, 'plugins');
}

export function isBuiltin(name: string): boolean {
  return BUILTIN_PLUGINS.some((p) => p.name.toLowerCase() === name.toLowerCase());
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8')) as unknown;
}

/** Every registered plug-in, by name; a damaged entry is named in an exit-2 error rather than skipped. */
export function listRegistered(stateDir: string): RegisteredPlugin[] {
  const dir = pluginsDir(stateDir);
  if (!existsSync(dir)) return [];
  const plugins: RegisteredPlugin[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const folder = join(dir, entry);
    if (!statSync(folder).isDirectory()) continue;
    try {
      const manifest = PluginManifest.parse(readJson(join(folder, MANIFEST_FILE)));
      const record = readJson(join(folder, 'registration.json')) as RegistryRecord;
      plugins.push({ name: manifest.name, version: manifest.version, description: manifest.description, manifest, source: String(record.source), registeredAt: String(record.registeredAt), folder });
    } catch (cause) {
      throw new AppError('PLUGIN_REGISTRY_DAMAGED', ExitCode.usage, `The registered plug-in in ${folder} cannot be read: ${(cause as Error).message}`, {
        cause,
        hint: `Remove that folder, then register the plug-in again with cauctl register-plugin --path <folder>.`,
      });
    }
  }
  return plugins;
}

export function findRegistered(stateDir: string, name: string): RegisteredPlugin | undefined {
  return listRegistered(stateDir).find((p) => p.name.toLowerCase() === name.toLowerCase());
}

/**
 * The registered script plug-ins that --cau-plugin-name values name, with their scripts as registered, for
 * scan and run. The registry is read only when some name is not a built-in, so a damaged registry never
 * stops a run of the built-ins. Names not registered are left out (the profile's check names them).
 */
export function scriptPluginsNamed(stateDir: string, names: readonly string[]): Array<{ manifest: PluginManifest; scan: string; install: string }> {
  const wanted = names.flatMap((v) => v.split(',')).map((v) => v.trim().toLowerCase()).filter((v) => v !== '' && !isBuiltin(v));
  if (wanted.length === 0) return [];
  return listRegistered(stateDir)
    .filter((p) => wanted.includes(p.name.toLowerCase()))
    .map((p) => ({ manifest: p.manifest, scan: readFileSync(join(p.folder, SCAN_SCRIPT), 'utf8'), install: readFileSync(join(p.folder, INSTALL_SCRIPT), 'utf8') }));
}

/** Records a checked plug-in: its three files copied into the state directory, replacing an older version. */
export function saveRegistered(stateDir: string, manifest: PluginManifest, files: { manifestText: string; scan: string; install: string }, source: string, nowIso: string): RegisteredPlugin {
  ensurePrivateDir(stateDir);
  ensurePrivateDir(pluginsDir(stateDir));
  const folder = join(pluginsDir(stateDir), manifest.name);
  ensurePrivateDir(folder);
  writeFileAtomic(join(folder, SCAN_SCRIPT), files.scan, { durable: true });
  writeFileAtomic(join(folder, INSTALL_SCRIPT), files.install, { durable: true });
  writeFileAtomic(join(folder, MANIFEST_FILE), files.manifestText, { durable: true });
  const record: RegistryRecord = { source, registeredAt: nowIso };
  writeFileAtomic(join(folder, 'registration.json'), `${JSON.stringify(record, null, 2)}\n`, { durable: true });
  return { name: manifest.name, version: manifest.version, description: manifest.description, manifest, source, registeredAt: nowIso, folder };
}

/** Removes a registered plug-in; built-ins and unknown names are exit 2, named. */
export function removeRegistered(stateDir: string, name: string): RegisteredPlugin {
  if (isBuiltin(name)) {
    throw usageError('PLUGIN_BUILTIN', `${name} is a built-in plug-in and cannot be unregistered.`, { hint: 'cauctl get-plugin lists the plug-ins you registered.' });
  }
  const found = findRegistered(stateDir, name);
  if (found === undefined) {
    const known = listRegistered(stateDir).map((p) => p.name);
    throw usageError('PLUGIN_NOT_REGISTERED', `No plug-in named ${name} is registered on this host.`, {
      hint: known.length > 0 ? `Registered: ${known.join(', ')}.` : 'No plug-in is registered here; cauctl get-plugin lists the built-ins.',
    });
  }
  rmSync(found.folder, { recursive: true, force: true });
  return found;
}
