/**
 * register-plugin's checks of a plug-in folder, every problem at once: the manifest (JSON, then the zod schema,
 * each issue as `plugin.json: <field>: <message>`), a name that clashes with a built-in, and both scripts parsed
 * by PowerShell's own parser under the Windows PowerShell 5.1 rules (check-syntax.ps1, run by the pwsh or
 * powershell.exe found on PATH, with the file paths as argv elements: nothing is spliced into a script).
 * Depends on node:fs/node:path, execa, the manifest schema and the local-pwsh transport's PATH lookup and child
 * environment.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { AppError, ExitCode, refusedError } from '../errors.js';
import { flattenZodIssues } from '../profiles/issues.js';
import { POWERSHELL_NAMES, childEnvironment, findOnPath } from '../transport/local-pwsh/local-pwsh-transport.js';
import { INSTALL_SCRIPT, MANIFEST_FILE, PluginManifest, SCAN_SCRIPT } from './manifest.js';
import { isBuiltin } from './registry.js';

const CHECKER = fileURLToPath(new URL('./check-syntax.ps1', import.meta.url));

export interface LoadedPlugin {
  readonly folder: string;
  readonly manifest: PluginManifest;
  readonly manifestText: string;
  readonly scan: string;
  readonly install: string;
}

/** A plug-in folder that fails its checks: exit 2, every problem listed, each naming the file and field. */
export class PluginInvalidError extends AppError {
  readonly problems: readonly string[];
  constructor(folder: string, problems: readonly string[]) {
    super('PLUGIN_INVALID', ExitCode.usage, `The plug-in in ${folder} is invalid; nothing was registered:\n  ${problems.join('\n  ')}`, {
      hint: 'Fix the listed files; the plug-in contract is in docs/plugins.md.',
      details: { folder, problems: [...problems] },
    });
    this.name = 'PluginInvalidError';
    this.problems = problems;
  }
}

function readText(folder: string, file: string, problems: string[]): string | undefined {
  const path = join(folder, file);
  if (!existsSync(path)) {
    problems.push(`${file}: missing (a plug-in folder holds ${MANIFEST_FILE}, ${SCAN_SCRIPT} and ${INSTALL_SCRIPT})`);
    return undefined;
  }
  return readFileSync(path, 'utf8');
}

/** PowerShell's parser under the 5.1 rules, on the two scripts; problems as `scan.ps1:3:5: ternary: …`. */
async function checkScripts(folder: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): Promise<string[]> {
  const pwsh = POWERSHELL_NAMES.map((name) => findOnPath(name, env, platform)).find((p) => p !== undefined);
  if (pwsh === undefined) {
    throw refusedError('PLUGIN_CHECK_NEEDS_POWERSHELL', `register-plugin parses ${SCAN_SCRIPT} and ${INSTALL_SCRIPT} with PowerShell's own parser, and found neither pwsh nor powershell.exe on PATH; nothing was registered.`, {
      hint: 'Install PowerShell 7 on this host (https://aka.ms/install-powershell) or register from a Windows machine.',
    });
  }
  const files = [join(folder, SCAN_SCRIPT), join(folder, INSTALL_SCRIPT)];
  // Only what PowerShell needs to start: no password or token of this process reaches the child.
  // The same allow-list as every other PowerShell cauctl starts (local-pwsh's childEnvironment): no secret of
  // this process reaches the child.
  const result = await execa(pwsh, ['-NoProfile', '-NonInteractive', '-File', CHECKER, ...files], { reject: false, timeout: 120_000, extendEnv: false, env: { ...childEnvironment(env), NO_COLOR: '1' } });
  const lines = result.stdout.split(/\r?\n/).filter((l) => l.trim() !== '');
  const issues = lines.filter((l) => !/^checked \d+ file\(s\), \d+ issue\(s\)$/.test(l)).map((l) => {
    for (const [i, file] of files.entries()) if (l.startsWith(`${file}:`)) return `${[SCAN_SCRIPT, INSTALL_SCRIPT][i]}${l.slice(file.length)}`;
    return l;
  });
  if (result.exitCode !== 0 && issues.length === 0) {
    throw new AppError('PLUGIN_CHECK_FAILED', ExitCode.internal, `PowerShell's parser could not be run on the plug-in's scripts (${pwsh} exited ${String(result.exitCode)}): ${result.stderr.trim().slice(-500)}`);
  }
  return issues;
}

/** Reads and checks a plug-in folder; throws PluginInvalidError (exit 2) naming every problem. */
export async function loadPluginFolder(path: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): Promise<LoadedPlugin> {
  const folder = resolve(path);
  if (!existsSync(folder) || !statSync(folder).isDirectory()) {
    throw new PluginInvalidError(folder, [`--path: ${existsSync(folder) ? 'not a folder' : 'no such folder'}`]);
  }
  const problems: string[] = [];
  const manifestText = readText(folder, MANIFEST_FILE, problems);
  const scan = readText(folder, SCAN_SCRIPT, problems);
  const install = readText(folder, INSTALL_SCRIPT, problems);
  let manifest: PluginManifest | undefined;
  if (manifestText !== undefined) {
    let raw: unknown;
    try {
      raw = JSON.parse(manifestText);
    } catch (error) {
      problems.push(`${MANIFEST_FILE}: not valid JSON: ${(error as Error).message}`);
    }
    if (raw !== undefined) {
      const parsed = PluginManifest.safeParse(raw);
      if (parsed.success) manifest = parsed.data;
      else problems.push(...flattenZodIssues(parsed.error).map((line) => `${MANIFEST_FILE}: ${line}`));
    }
  }
  if (manifest !== undefined && isBuiltin(manifest.name)) {
    problems.push(`${MANIFEST_FILE}: name: ${manifest.name} is a built-in plug-in's name; choose your own (Vendor.SomethingPlugin)`);
  }
  if (scan !== undefined && install !== undefined) problems.push(...(await checkScripts(folder, env, platform)));
  if (problems.length > 0 || manifest === undefined || manifestText === undefined || scan === undefined || install === undefined) {
    throw new PluginInvalidError(folder, problems);
  }
  return { folder, manifest, manifestText, scan, install };
}
