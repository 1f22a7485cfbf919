/**
 * The manifest of a script plug-in (docs/plugins.md): `plugin.json` in the plug-in's folder, beside its
 * node-side `scan.ps1` and `install.ps1`. Validated with zod, strictly: an unknown key is an error, so a typo
 * is caught at register-plugin, not on a node at 2 a.m. Depends on zod and the catalogue's name pattern.
 */
import { z } from 'zod';
import { SCRIPT_PLUGIN_NAME_PATTERN } from '../cluster/operations.js';

/** The file names a plug-in folder holds. */
export const MANIFEST_FILE = 'plugin.json';
export const SCAN_SCRIPT = 'scan.ps1';
export const INSTALL_SCRIPT = 'install.ps1';

/** CAU's plug-ins are named `Vendor.SomethingPlugin`; the same shape keeps names readable in reports. */
const pluginName = z
  .string()
  .regex(SCRIPT_PLUGIN_NAME_PATTERN, 'expected a dotted name such as Contoso.FirmwarePlugin (letters and digits, 2 to 4 parts)');

function patternOk(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

/**
 * An argument the plug-in accepts through --cau-plugin-arguments. Values travel as CAU's hashtables carry them,
 * as strings; `type` says which strings are accepted (checked before anything is sent): `integer` decimal
 * digits, `boolean` 'true' or 'false' (any case, sent in lower case).
 */
export const PluginArgumentSpec = z.strictObject({
  description: z.string().min(1).max(500),
  type: z.enum(['string', 'integer', 'boolean']).default('string'),
  required: z.boolean().default(false),
  /** A regular expression the whole value must match (checked before anything is sent). */
  pattern: z
    .string()
    .min(1)
    .max(200)
    .refine(patternOk, 'not a valid regular expression')
    .optional(),
  /** The value sent when the argument is not given; absent: the script's own default. */
  default: z.string().max(1000).optional(),
}).superRefine((spec, ctx) => {
  // A default is sent as if given: it must pass the same checks.
  if (spec.default === undefined) return;
  const typed = checkType(spec, spec.default);
  if ('problem' in typed) ctx.addIssue({ code: 'custom', path: ['default'], message: typed.problem });
  else if (spec.pattern !== undefined && patternOk(spec.pattern) && !new RegExp(`^(?:${spec.pattern})$`).test(typed.value)) ctx.addIssue({ code: 'custom', path: ['default'], message: `does not match the argument's own pattern ${spec.pattern}` });
});
export type PluginArgumentSpec = z.infer<typeof PluginArgumentSpec>;

export const PluginManifest = z.strictObject({
  name: pluginName,
  version: z.string().regex(/^\d+\.\d+(\.\d+)?$/, 'expected a version such as 1.2 or 1.2.3'),
  description: z.string().min(1).max(500),
  /** Argument names follow the built-ins' style (HotfixRootFolderPath): letters and digits. */
  arguments: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9]{0,63}$/, 'expected an argument name of letters and digits'), PluginArgumentSpec).default({}),
  /** Longest time one install.ps1 may run on a node, in minutes. @default 60 */
  installTimeoutMinutes: z.number().int().min(1).max(1440).default(60),
});
export type PluginManifest = z.infer<typeof PluginManifest>;

/** The value as its type accepts it, or why not. */
function checkType(spec: { readonly type: 'string' | 'integer' | 'boolean' }, value: string): { value: string } | { problem: string } {
  switch (spec.type) {
    case 'integer':
      return /^\s*\d{1,9}\s*$/.test(value) ? { value: String(Number(value.trim())) } : { problem: `must be a whole number (type integer in the manifest); got ${JSON.stringify(value)}` };
    case 'boolean': {
      const lower = value.trim().toLowerCase();
      return lower === 'true' || lower === 'false' ? { value: lower } : { problem: `must be 'true' or 'false' (type boolean in the manifest); got ${JSON.stringify(value)}` };
    }
    case 'string':
      return { value };
  }
}

/**
 * Checks arguments given for the plug-in against its manifest (unknown names, types, patterns, required ones)
 * and returns what is sent to the node: each argument under its manifest spelling, with the manifest's
 * defaults for those not given. `field` prefixes each problem, e.g. `cauPluginArguments[1]`.
 */
export function resolvePluginArguments(manifest: PluginManifest, given: Readonly<Record<string, string>>, field: string): { arguments: Record<string, string>; problems: string[] } {
  const problems: string[] = [];
  const out: Record<string, string> = {};
  const known = new Map(Object.keys(manifest.arguments).map((name) => [name.toLowerCase(), name]));
  const set = (name: string, value: string): void => {
    Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
  };
  for (const [name, value] of Object.entries(given)) {
    const canonical = known.get(name.toLowerCase());
    if (canonical === undefined) {
      problems.push(`${field}.${name}: unknown argument for ${manifest.name}; known: ${[...known.values()].join(', ') || '(none)'}`);
      continue;
    }
    const spec = manifest.arguments[canonical]!;
    const typed = checkType(spec, value);
    if ('problem' in typed) {
      problems.push(`${field}.${canonical}: ${typed.problem}`);
      continue;
    }
    if (spec.pattern !== undefined && !new RegExp(`^(?:${spec.pattern})$`).test(typed.value)) {
      problems.push(`${field}.${canonical}: ${JSON.stringify(value)} does not match ${spec.pattern} (${spec.description})`);
      continue;
    }
    set(canonical, typed.value);
  }
  const givenNames = new Set(Object.keys(given).map((n) => n.toLowerCase()));
  for (const [name, spec] of Object.entries(manifest.arguments)) {
    if (givenNames.has(name.toLowerCase())) continue;
    if (spec.required) problems.push(`${field}.${name}: required by ${manifest.name} (${spec.description})`);
    else if (spec.default !== undefined) set(name, spec.default);
  }
  return { arguments: out, problems };
}
