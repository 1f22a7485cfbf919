/**
 * The manifest of a script plug-in (docs/plugins.md): `plugin.json` in the plug-in's folder, beside its
 * node-side `scan.ps1` and `install.ps1`. Validated with zod, strictly: an unknown key is an error, so a typo
 * is caught at register-plugin, not on a node at 2 a.m. Depends on zod only.
 */
import { z } from 'zod';

/** The file names a plug-in folder holds. */
export const MANIFEST_FILE = 'plugin.json';
export const SCAN_SCRIPT = 'scan.ps1';
export const INSTALL_SCRIPT = 'install.ps1';

/** CAU's plug-ins are named `Vendor.SomethingPlugin`; the same shape keeps names readable in reports. */
const pluginName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9]{0,31}(\.[A-Za-z][A-Za-z0-9]{0,31}){1,3}$/, 'expected a dotted name such as Contoso.FirmwarePlugin (letters and digits, 2 to 4 parts)');

/** An argument the plug-in accepts through --cau-plugin-arguments, as CAU's hashtables carry it: a string. */
export const PluginArgumentSpec = z.strictObject({
  description: z.string().min(1).max(500),
  required: z.boolean().default(false),
  /** A regular expression the whole value must match (checked before anything is sent). */
  pattern: z
    .string()
    .min(1)
    .max(200)
    .refine((source) => {
      try {
        new RegExp(source);
        return true;
      } catch {
        return false;
      }
    }, 'not a valid regular expression')
    .optional(),
  /** The value used when the argument is not given; absent: the script's own default. */
  default: z.string().max(1000).optional(),
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

/** Checks arguments given for the plug-in against its manifest: unknown names, missing required ones, patterns. */
export function checkPluginArguments(manifest: PluginManifest, given: Readonly<Record<string, string>>, field: string): string[] {
  const problems: string[] = [];
  const known = new Map(Object.keys(manifest.arguments).map((name) => [name.toLowerCase(), name]));
  for (const [name, value] of Object.entries(given)) {
    const canonical = known.get(name.toLowerCase());
    if (canonical === undefined) {
      problems.push(`${field}.${name}: unknown argument for ${manifest.name}; known: ${[...known.values()].join(', ') || '(none)'}`);
      continue;
    }
    const pattern = manifest.arguments[canonical]!.pattern;
    if (pattern !== undefined && !new RegExp(`^(?:${pattern})$`).test(value)) problems.push(`${field}.${canonical}: ${JSON.stringify(value)} does not match ${pattern}`);
  }
  const givenNames = new Set(Object.keys(given).map((n) => n.toLowerCase()));
  for (const [name, spec] of Object.entries(manifest.arguments)) {
    if (spec.required && !givenNames.has(name.toLowerCase())) problems.push(`${field}.${name}: required by ${manifest.name} (${spec.description})`);
  }
  return problems;
}
