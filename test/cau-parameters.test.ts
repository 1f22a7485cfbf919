/**
 * Issue 16's acceptance: every parameter of each mirrored CAU cmdlet (test/cau-parameters.ts, from
 * cau-surface.md) has an option listed in the command's --help (or cauctl's global --help), in kebab case
 * unless a reason is given, or a documented reason why not. Runs the built CLI.
 */
import { CAU_PARAMETER_TABLES, kebabOption, type ParameterMapping } from './cau-parameters.js';
import { sandbox, type Sandbox } from './support/cli.js';

let box: Sandbox;
beforeAll(() => {
  box = sandbox();
});
afterAll(() => box.cleanup());

const helps = new Map<string, Set<string>>();

/** The long options a --help lists (read once per command). */
function helpOptions(args: readonly string[]): Set<string> {
  const key = args.join(' ');
  if (!helps.has(key)) helps.set(key, readHelp(args));
  return helps.get(key)!;
}

function readHelp(args: readonly string[]): Set<string> {
  const result = box.run([...args, '--help']);
  if (result.code !== 0) throw new Error(`cauctl ${args.join(' ')} --help exited ${result.code}: ${result.stderr}`);
  // Option lines: two spaces, optional short flag, then the long flag.
  return new Set([...result.stdout.matchAll(/^ {2}(?:-[a-zA-Z], )?(--[a-z][a-z0-9-]*)/gm)].map((m) => m[1]!));
}

const rows = CAU_PARAMETER_TABLES.flatMap((table) => Object.entries(table.parameters).map(([parameter, mapping]) => [table.cmdlet, parameter, table.command, mapping] as const));

describe('CAU parameters and cauctl options', () => {
  it('the tables are not empty (Invoke-CauRun, Invoke-CauScan)', () => {
    expect(CAU_PARAMETER_TABLES.map((t) => t.cmdlet)).toEqual(expect.arrayContaining(['Invoke-CauRun', 'Invoke-CauScan', 'Add-CauClusterRole', 'Set-CauClusterRole', 'Export-CauReport', 'Save-CauDebugTrace']));
    expect(rows.length).toBeGreaterThan(40);
  });

  it.each(rows)('%s -%s (cauctl %s): %j', (_cmdlet, parameter, command, mapping: ParameterMapping) => {
    if ('option' in mapping) {
      expect(helpOptions([command])).toContain(mapping.option);
      if (mapping.renamed === undefined) expect(mapping.option).toBe(kebabOption(parameter));
    } else if ('global' in mapping) {
      expect(helpOptions([])).toContain(mapping.global);
      if (mapping.renamed === undefined) expect(mapping.global).toBe(kebabOption(parameter));
    } else if ('reason' in mapping) {
      expect(mapping.reason.length).toBeGreaterThan(30);
      // A reason is for a parameter cauctl does not offer: an option of that name would contradict it.
      expect(helpOptions([command])).not.toContain(kebabOption(parameter));
    } else {
      // Not offered yet: once the option exists, the table must say so (move the entry to `option`).
      expect(helpOptions([command])).not.toContain(kebabOption(parameter));
    }
  });

  it('kebab case as the reference writes it', () => {
    expect(kebabOption('WaitForStorageRepairTimeoutMinutes')).toBe('--wait-for-storage-repair-timeout-minutes');
    expect(kebabOption('ForcePauseNoDrain')).toBe('--force-pause-no-drain');
    expect(kebabOption('WhatIf')).toBe('--what-if');
  });
});
