/**
 * `scan` options → ScanProfile (mirrors Invoke-CauScan). Parse (shape), normalize (plug-in argument
 * matching), rules (options that need two or more plug-ins). Every problem is reported at once.
 */
import { z } from 'zod';
import { BuiltinPluginName } from '../cluster/operations.js';
import type { PluginSpec } from '../core/types.js';
import { resolvePluginArguments, type PluginManifest } from '../plugins/manifest.js';
import { ProfileError, flattenZodIssues } from './issues.js';
import { matchPluginArguments } from './plugin-arguments.js';
import { normalizeRestart, type RestartChoice } from './restart-options.js';

export interface ScanProfile {
  readonly plugins: readonly PluginSpec[];
  readonly runPluginsSerially: boolean;
  readonly stopOnPluginFailure: boolean;
  /**
   * Invoke-CauScan's AttemptSoftReboot / RebootMode: the restart a run with these options would bring, shown
   * per update. Absent when neither was given (the scan then shows only whether a restart is needed).
   */
  readonly restart?: RestartChoice;
}

export const pluginOptionsShape = {
  cauPluginName: z.array(z.string().min(1)).optional(),
  cauPluginArguments: z.array(z.string()).optional(),
  runPluginsSerially: z.boolean().optional(),
  stopOnPluginFailure: z.boolean().optional(),
};

const rawScanOptions = z.object({ ...pluginOptionsShape, attemptSoftReboot: z.boolean().optional(), rebootMode: z.string().optional() });

/** A registered script plug-in as a command may use it: its manifest and its two scripts (src/plugins/registry.ts). */
export interface ScriptPluginDefinition {
  readonly manifest: PluginManifest;
  readonly scan: string;
  readonly install: string;
}

/**
 * Which script plug-ins a command may use. scan and run pass those registered on this host that the command
 * names; `refused` says why a command cannot use any (the CAU clustered role runs CAU's own plug-ins).
 */
export interface PluginContext {
  readonly scriptPlugins?: readonly ScriptPluginDefinition[];
  readonly refused?: string;
}

/** --cau-plugin-name values, each possibly CAU's list form `A,B` (a plug-in name holds no comma). */
export function pluginNamesOf(raw: { cauPluginName?: string[] | undefined }): string[] {
  return (raw.cauPluginName ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter((v) => v !== '');
}

const BUILTIN_LIST = BuiltinPluginName.options.join(', ');

/** Why `name` (neither a built-in nor usable here) cannot be used, and what to do. */
function unknownPlugin(name: string, index: number, context: PluginContext): string {
  if (context.scriptPlugins === undefined) {
    return `cauPluginName[${index}]: ${name} is not a built-in plug-in (${BUILTIN_LIST}); ${context.refused ?? 'registered script plug-ins are used by cauctl scan and cauctl run only'}`;
  }
  return `cauPluginName[${index}]: ${name} is neither a built-in plug-in (${BUILTIN_LIST}) nor registered on this host; register a script plug-in with cauctl register-plugin --path <folder>, and list them with cauctl get-plugin`;
}

/** Plug-in names and arguments, checked; problems are appended to `problems`. */
export function normalizePlugins(
  raw: { cauPluginName?: string[] | undefined; cauPluginArguments?: string[] | undefined; runPluginsSerially?: boolean | undefined; stopOnPluginFailure?: boolean | undefined },
  problems: string[],
  context: PluginContext = {},
): PluginSpec[] {
  const names = pluginNamesOf(raw);
  const matched = matchPluginArguments(names, raw.cauPluginArguments ?? []);
  if (!matched.ok) {
    problems.push(...matched.problems);
    return [];
  }
  const plugins: PluginSpec[] = [];
  matched.value.forEach((set, index) => {
    if (plugins.some((p) => p.plugin.toLowerCase() === set.plugin.toLowerCase())) {
      problems.push(`cauPluginName[${index}]: ${set.plugin} is named twice`);
      return;
    }
    const builtin = BuiltinPluginName.safeParse(set.plugin);
    if (builtin.success) {
      plugins.push({ plugin: builtin.data, arguments: set.arguments });
      return;
    }
    const script = context.scriptPlugins?.find((p) => p.manifest.name.toLowerCase() === set.plugin.toLowerCase());
    if (script === undefined) {
      problems.push(unknownPlugin(set.plugin, index, context));
      return;
    }
    // Checked against the plug-in's own manifest: unknown names, types, patterns, required ones; defaults added.
    const checked = resolvePluginArguments(script.manifest, set.arguments, `cauPluginArguments[${index}]`);
    problems.push(...checked.problems);
    const { manifest } = script;
    plugins.push({ plugin: manifest.name, arguments: checked.arguments, script: { version: manifest.version, scan: script.scan, install: script.install, installTimeoutMinutes: manifest.installTimeoutMinutes } });
  });
  const needTwo: Array<[boolean | undefined, string]> = [
    [raw.runPluginsSerially, '--run-plugins-serially'],
    [raw.stopOnPluginFailure, '--stop-on-plugin-failure'],
  ];
  for (const [set, flag] of needTwo) {
    if (set === true && names.length < 2) {
      problems.push(`${flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())}: ${flag} needs two or more plug-ins (--cau-plugin-name given ${names.length})`);
    }
  }
  return plugins;
}

export function parseScanProfile(raw: unknown, context: PluginContext = {}): ScanProfile {
  const parsed = rawScanOptions.safeParse(raw);
  if (!parsed.success) throw new ProfileError(flattenZodIssues(parsed.error), 'invalid scan options');
  const problems: string[] = [];
  const plugins = normalizePlugins(parsed.data, problems, context);
  const { attemptSoftReboot, rebootMode } = parsed.data;
  const restart = attemptSoftReboot === true || rebootMode !== undefined ? normalizeRestart({ attemptSoftReboot, rebootMode }, problems) : undefined;
  if (problems.length > 0) throw new ProfileError(problems, 'invalid scan options');
  return {
    plugins,
    runPluginsSerially: parsed.data.runPluginsSerially === true,
    stopOnPluginFailure: parsed.data.stopOnPluginFailure === true,
    ...(restart !== undefined ? { restart } : {}),
  };
}
