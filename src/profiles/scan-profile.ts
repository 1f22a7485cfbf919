/**
 * `scan` options → ScanProfile (mirrors Invoke-CauScan). Parse (shape), normalize (plug-in argument
 * matching), rules (options that need two or more plug-ins). Every problem is reported at once.
 */
import { z } from 'zod';
import type { PluginName } from '../cluster/operations.js';
import { PluginName as PluginNameSchema } from '../cluster/operations.js';
import type { PluginSpec } from '../core/types.js';
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

/** Plug-in names and arguments, checked; problems are appended to `problems`. */
export function normalizePlugins(
  raw: { cauPluginName?: string[] | undefined; cauPluginArguments?: string[] | undefined; runPluginsSerially?: boolean | undefined; stopOnPluginFailure?: boolean | undefined },
  problems: string[],
): PluginSpec[] {
  const matched = matchPluginArguments(raw.cauPluginName ?? [], raw.cauPluginArguments ?? []);
  if (!matched.ok) {
    problems.push(...matched.problems);
    return [];
  }
  const plugins: PluginSpec[] = [];
  matched.value.forEach((set, index) => {
    const known = PluginNameSchema.safeParse(set.plugin);
    if (!known.success) {
      problems.push(`cauPluginName[${index}]: ${set.plugin} is not a plug-in cauctl can run (known: ${PluginNameSchema.options.join(', ')})`);
      return;
    }
    if (plugins.some((p) => p.plugin === known.data)) {
      problems.push(`cauPluginName[${index}]: ${set.plugin} is named twice`);
      return;
    }
    plugins.push({ plugin: known.data as PluginName, arguments: set.arguments });
  });
  const needTwo: Array<[boolean | undefined, string]> = [
    [raw.runPluginsSerially, '--run-plugins-serially'],
    [raw.stopOnPluginFailure, '--stop-on-plugin-failure'],
  ];
  for (const [set, flag] of needTwo) {
    if (set === true && (raw.cauPluginName ?? []).length < 2) {
      problems.push(`${flag.replace(/^--/, '').replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())}: ${flag} needs two or more plug-ins (--cau-plugin-name given ${(raw.cauPluginName ?? []).length} time(s))`);
    }
  }
  return plugins;
}

export function parseScanProfile(raw: unknown): ScanProfile {
  const parsed = rawScanOptions.safeParse(raw);
  if (!parsed.success) throw new ProfileError(flattenZodIssues(parsed.error), 'invalid scan options');
  const problems: string[] = [];
  const plugins = normalizePlugins(parsed.data, problems);
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
