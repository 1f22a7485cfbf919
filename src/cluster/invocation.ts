/**
 * Builds a ScriptInvocation for a catalogue operation: checks the parameters with zod and pairs them with
 * the script text, byte for byte the `.ps1` file, and the node helpers the script may call. Values never
 * enter the script text.
 */
import { readAsset } from '../platform/assets.js';
import type { ScriptInvocation } from '../transport/transport.js';
import { compiledSchema } from './compiled-schema.js';
import { needsNetworkCredential } from './operations-credential.js';
import { operations, type OperationName, type OperationParams } from './operations.js';

/** Script texts by operation name: read once per process (a run sends thousands of operations). */
const scripts = new Map<string, string>();
let helpers: string | undefined;

export function scriptText(name: string): string {
  let text = scripts.get(name);
  if (text === undefined) {
    text = readAsset(new URL(`./scripts/${name}.ps1`, import.meta.url));
    scripts.set(name, text);
  }
  return text;
}

/** The shared node-side functions (`New-CauctlError`, the role lookups, ...), byte for byte the file. */
export function nodeHelpersText(): string {
  helpers ??= readAsset(new URL('./node-helpers/cauctl-helpers.ps1', import.meta.url));
  return helpers;
}

export function buildInvocation<N extends OperationName>(name: N, params: OperationParams<N>): ScriptInvocation {
  const checked = compiledSchema(operations[name].params).parse(params) as Record<string, unknown>;
  const invocation: ScriptInvocation = { name, script: scriptText(name), params: checked, helpers: nodeHelpersText() };
  return needsNetworkCredential(name, checked) ? { ...invocation, networkCredential: true } : invocation;
}
