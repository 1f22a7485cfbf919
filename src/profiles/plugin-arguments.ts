// Matches --cau-plugin-arguments sets to --cau-plugin-name values by position, as CAU does, and checks the built-in
// plug-ins' argument names and values (cau-surface.md §8). Pure; depends on ./hashtable.ts only.
import { HashtableSyntaxError, parseHashtableList } from './hashtable.js';

export const WINDOWS_UPDATE_PLUGIN = 'Microsoft.WindowsUpdatePlugin';
export const HOTFIX_PLUGIN = 'Microsoft.HotfixPlugin';
export const ROLLING_UPGRADE_PLUGIN = 'Microsoft.RollingUpgradePlugin';

/** CAU's default when no plug-in is named. */
export const DEFAULT_PLUGIN = WINDOWS_UPDATE_PLUGIN;

export interface PluginArgumentSpec {
  /** The argument's name as Microsoft documents it; names are matched ignoring case, as in a PowerShell hashtable. */
  readonly name: string;
  /** `boolean`: 'true'/'false' in any case, normalized to lower case. `integer`: decimal digits, at least `min`. */
  readonly kind: 'string' | 'boolean' | 'integer' | 'fileName';
  readonly required?: boolean;
  readonly min?: number;
}

/** The built-in plug-ins' documented arguments (cau-surface.md §8), in documentation order. */
export const KNOWN_PLUGIN_ARGUMENTS: Readonly<Record<string, readonly PluginArgumentSpec[]>> = {
  [WINDOWS_UPDATE_PLUGIN]: [
    { name: 'QueryString', kind: 'string' },
    { name: 'IncludeRecommendedUpdates', kind: 'boolean' },
  ],
  [HOTFIX_PLUGIN]: [
    { name: 'HotfixRootFolderPath', kind: 'string', required: true },
    { name: 'HotfixConfigFileName', kind: 'fileName' },
    { name: 'RequireSmbEncryption', kind: 'boolean' },
    { name: 'DisableAclChecks', kind: 'boolean' },
    { name: 'HotfixInstallerTimeoutMinutes', kind: 'integer', min: 1 },
  ],
  [ROLLING_UPGRADE_PLUGIN]: [
    { name: 'WuConnected', kind: 'boolean' },
    { name: 'PathToSetupMedia', kind: 'string' },
    { name: 'UpdateClusterFunctionalLevel', kind: 'boolean' },
  ],
};

/** One plug-in with the arguments CAU would hand it. */
export interface PluginArgumentSet {
  readonly plugin: string;
  readonly arguments: Readonly<Record<string, string>>;
}

export type PluginArgumentsResult =
  | { readonly ok: true; readonly value: PluginArgumentSet[] }
  | { readonly ok: false; readonly problems: string[] };

function knownPluginName(plugin: string): string | undefined {
  const lower = plugin.toLowerCase();
  return Object.keys(KNOWN_PLUGIN_ARGUMENTS).find((name) => name.toLowerCase() === lower);
}

function checkValue(spec: PluginArgumentSpec, value: string): { value: string } | { problem: string } {
  switch (spec.kind) {
    case 'boolean': {
      const lower = value.trim().toLowerCase();
      if (lower === 'true' || lower === 'false') return { value: lower };
      return { problem: `must be 'true' or 'false' (got ${JSON.stringify(value)})` };
    }
    case 'integer': {
      const trimmed = value.trim();
      const min = spec.min ?? 0;
      const number = /^\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
      if (!Number.isSafeInteger(number) || number < min) return { problem: `must be a whole number of at least ${min} (got ${JSON.stringify(value)})` };
      return { value: String(number) };
    }
    case 'fileName':
      if (value.trim() === '') return { problem: 'must not be empty' };
      // The plug-in looks the file up inside HotfixRootFolderPath, so a path here can only be a mistake.
      if (/[\\/:]/.test(value)) return { problem: `must be a file name inside HotfixRootFolderPath, not a path (got ${JSON.stringify(value)})` };
      return { value };
    case 'string':
      if (value.trim() === '') return { problem: 'must not be empty' };
      return { value };
  }
}

/**
 * Checks one plug-in's arguments. For the built-in plug-ins, unknown names are problems that list the known ones,
 * names are rewritten in their documented casing, booleans become 'true'/'false' and numbers plain digits. The
 * arguments of other plug-ins pass through unchecked (CAU hands them to the plug-in as they are).
 * `path` prefixes each problem, e.g. `cauPluginArguments[1]`.
 */
export function validatePluginArguments(
  plugin: string,
  args: Readonly<Record<string, string>>,
  path: string,
): { arguments: Record<string, string>; problems: string[] } {
  const canonical = knownPluginName(plugin);
  if (canonical === undefined) return { arguments: { ...args }, problems: [] };
  const specs = KNOWN_PLUGIN_ARGUMENTS[canonical]!;
  const out: Record<string, string> = {};
  const problems: string[] = [];
  for (const [name, value] of Object.entries(args)) {
    const spec = specs.find((s) => s.name.toLowerCase() === name.toLowerCase());
    if (spec === undefined) {
      problems.push(`${path}.${name}: unknown argument for ${canonical}; known: ${specs.map((s) => s.name).join(', ')}`);
      continue;
    }
    const checked = checkValue(spec, value);
    if ('problem' in checked) problems.push(`${path}.${spec.name}: ${checked.problem}`);
    else Object.defineProperty(out, spec.name, { value: checked.value, enumerable: true, writable: true, configurable: true });
  }
  for (const spec of specs) {
    const given = Object.keys(args).some((name) => name.toLowerCase() === spec.name.toLowerCase());
    if (spec.required === true && !given) problems.push(`${path}.${spec.name}: required by ${canonical}`);
  }
  if (canonical === ROLLING_UPGRADE_PLUGIN && out.WuConnected === 'false' && out.PathToSetupMedia === undefined) {
    problems.push(`${path}.PathToSetupMedia: required when WuConnected is 'false' (the feature update then comes from setup media)`);
  }
  return { arguments: out, problems };
}

/**
 * Matches plug-in argument sets to plug-in names by position, as CAU matches `-CauPluginArguments @{},@{...}` to
 * `-CauPluginName`. `argumentTexts` are the values of a repeatable `--cau-plugin-arguments`; each may hold one
 * hashtable, a list `@{},@{k=v}` or `key=value` pairs, and all sets are taken in order. With no plug-in names,
 * CAU's default plug-in (Microsoft.WindowsUpdatePlugin) is used. Plug-ins without a set get no arguments; more
 * sets than plug-ins is a problem. Returns every problem found, as `path: message` under `path`
 * (default `cauPluginArguments`): set `i` is `cauPluginArguments[i]`. Known plug-in names come back in their
 * documented casing.
 */
export function matchPluginArguments(
  pluginNames: readonly string[],
  argumentTexts: readonly string[],
  path = 'cauPluginArguments',
): PluginArgumentsResult {
  const plugins = pluginNames.length === 0 ? [DEFAULT_PLUGIN] : pluginNames.map((name) => knownPluginName(name) ?? name);
  const problems: string[] = [];
  const sets: Array<Record<string, string>> = [];
  for (const text of argumentTexts) {
    try {
      sets.push(...parseHashtableList(text));
    } catch (error) {
      if (!(error instanceof HashtableSyntaxError)) throw error;
      // With several values, name the set the broken text would have started; the column points inside that text.
      problems.push(`${argumentTexts.length > 1 ? `${path}[${sets.length}]` : path}: ${error.message}`);
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  if (sets.length > plugins.length) {
    problems.push(
      `${path}[${plugins.length}]: ${sets.length} argument sets for ${plugins.length} plug-in${plugins.length === 1 ? '' : 's'} (${plugins.join(', ')}); sets are matched to --cau-plugin-name by position`,
    );
  }
  const value = plugins.map((plugin, index) => {
    const checked = validatePluginArguments(plugin, sets[index] ?? {}, `${path}[${index}]`);
    problems.push(...checked.problems);
    return { plugin, arguments: checked.arguments };
  });
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value };
}
