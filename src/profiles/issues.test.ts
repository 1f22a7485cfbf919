import { z } from 'zod';
import { isAppError } from '../errors.js';
import { flattenZodIssues, formatIssuePath, ProfileError, throwIfProblems } from './issues.js';

function zodError(schema: z.ZodType, value: unknown): z.ZodError {
  const result = schema.safeParse(value);
  if (result.success) throw new Error('expected the schema to fail');
  return result.error;
}

describe('formatIssuePath', () => {
  it.each([
    ['empty', [], '', ''],
    ['one key', ['maxFailedNodes'], '', 'maxFailedNodes'],
    ['index then key', ['cauPluginArguments', 1, 'QueryString'], '', 'cauPluginArguments[1].QueryString'],
    ['odd key', ['nodes', 'NODE-1'], '', 'nodes["NODE-1"]'],
    ['with prefix', ['QueryString'], 'cauPluginArguments[1]', 'cauPluginArguments[1].QueryString'],
    ['index under prefix', [0], 'weeksOfMonth', 'weeksOfMonth[0]'],
  ])('%s', (_name, path, prefix, expected) => {
    expect(formatIssuePath(path as PropertyKey[], prefix)).toBe(expected);
  });
});

describe('flattenZodIssues', () => {
  const schema = z
    .object({
      cauPluginArguments: z.array(z.object({ QueryString: z.string() })),
      maxFailedNodes: z.number().int().min(0),
      failbackMode: z.union([z.literal('Immediate'), z.literal('NoFailback')]).optional(),
      mode: z.union([z.string(), z.number()]).optional(),
    })
    .strict();

  it('gives one path: message line per issue, in order', () => {
    const lines = flattenZodIssues(zodError(schema, { cauPluginArguments: [{ QueryString: 'x' }, { QueryString: 7 }], maxFailedNodes: -1 }));
    expect(lines).toEqual([
      'cauPluginArguments[1].QueryString: Invalid input: expected string, received number',
      'maxFailedNodes: Too small: expected number to be >=0',
    ]);
  });

  it('prefixes paths', () => {
    const lines = flattenZodIssues(zodError(z.object({ QueryString: z.string() }), {}), 'cauPluginArguments[0]');
    expect(lines).toEqual(['cauPluginArguments[0].QueryString: Invalid input: expected string, received undefined']);
  });

  it('reports each unknown key at its own path', () => {
    const lines = flattenZodIssues(zodError(schema, { cauPluginArguments: [], maxFailedNodes: 0, maxFailedNode: 1, extra: true }));
    expect(lines).toEqual(['maxFailedNode: unknown key', 'extra: unknown key']);
  });

  it('names the accepted types of a failed union', () => {
    const lines = flattenZodIssues(zodError(schema, { cauPluginArguments: [], maxFailedNodes: 0, mode: true }));
    expect(lines).toEqual(['mode: expected string or number']);
  });

  it('keeps zod’s message when union branches fail for other reasons', () => {
    const lines = flattenZodIssues(zodError(schema, { cauPluginArguments: [], maxFailedNodes: 0, failbackMode: 'Later' }));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^failbackMode: /);
  });

  it('has no leading path for a root issue without prefix', () => {
    expect(flattenZodIssues(zodError(z.string(), 3))).toEqual(['Invalid input: expected string, received number']);
  });
});

describe('ProfileError', () => {
  it('carries all problems and prints them one per line', () => {
    const error = new ProfileError(['maxFailedNodes: must be at most 3', 'nodeOrder[2]: unknown node "N9"']);
    expect(isAppError(error)).toBe(true);
    expect(error.code).toBe('PROFILE_INVALID');
    expect(error.exitCode).toBe(2);
    expect(error.problems).toEqual(['maxFailedNodes: must be at most 3', 'nodeOrder[2]: unknown node "N9"']);
    expect(error.message).toBe('invalid options:\n  maxFailedNodes: must be at most 3\n  nodeOrder[2]: unknown node "N9"');
    expect(error.details).toEqual({ problems: error.problems });
  });

  it('builds from a ZodError', () => {
    const error = ProfileError.fromZod(zodError(z.object({ a: z.string() }), {}), 'profile', 'invalid run profile');
    expect(error.message).toBe('invalid run profile:\n  profile.a: Invalid input: expected string, received undefined');
  });

  it('throwIfProblems throws only when there is something to report', () => {
    expect(() => throwIfProblems([])).not.toThrow();
    expect(() => throwIfProblems(['a: b'])).toThrow(ProfileError);
  });
});

describe('formatIssuePath: symbols and the default prefix', () => {
  it.each<[string, PropertyKey[], string]>([
    ['a described symbol', [Symbol('key')], '[key]'],
    ['a symbol without description, after a key', ['a', Symbol()], 'a[symbol]'],
    ['a symbol with an empty description', [Symbol('')], '[]'],
    ['a key, no prefix given', ['maxFailedNodes'], 'maxFailedNodes'],
    ['a key that starts with a digit', ['1a'], '["1a"]'],
    ['a key with a leading dash', ['-a'], '["-a"]'],
    ['a key with a trailing dash', ['a-'], '["a-"]'],
    ['identifier characters $ and _', ['$a', '_b9'], '$a._b9'],
  ])('%s', (_name, path, expected) => {
    expect(formatIssuePath(path)).toBe(expected);
  });
});

describe('flattenZodIssues: issue shapes, as zod reports them', () => {
  /** A ZodError holding exactly these issues (zod's own shapes, written out). */
  const errorOf = (issues: unknown[]): z.ZodError => ({ issues }) as unknown as z.ZodError;
  const typeIssue = (expected: unknown, path: PropertyKey[] = []) => ({ code: 'invalid_type', expected, path, message: `expected ${String(expected)}` });
  const union = (errors: unknown[][] | undefined) => ({ code: 'invalid_union', path: ['mode'], message: 'Invalid input', ...(errors === undefined ? {} : { errors }) });

  it.each<[string, unknown[], string[]]>([
    ['every branch failed on its type: the types, each once', [union([[typeIssue('string')], [typeIssue('number')], [typeIssue('string')]])], ['mode: expected string or number']],
    ['a branch with two issues: zod’s message', [union([[typeIssue('string'), { code: 'too_small', path: [], message: 'small' }], [typeIssue('number')]])], ['mode: Invalid input']],
    ['a branch failing on something else than its type', [union([[{ code: 'too_small', expected: 'string', path: [], message: 'small' }]])], ['mode: Invalid input']],
    ['a branch failing below its root', [union([[typeIssue('string', ['x'])]])], ['mode: Invalid input']],
    ['a branch whose expected type is not a name', [union([[typeIssue(undefined)]])], ['mode: Invalid input']],
    ['a union without branches', [union([])], ['mode: Invalid input']],
    ['a union without its branches reported', [union(undefined)], ['mode: Invalid input']],
    ['unknown keys, none named', [{ code: 'unrecognized_keys', keys: [], path: [], message: 'Unrecognized keys' }], ['Unrecognized keys']],
    ['unknown keys, no key list', [{ code: 'unrecognized_keys', path: ['a'], message: 'Unrecognized keys' }], ['a: Unrecognized keys']],
    ['another issue that carries keys', [{ code: 'custom', keys: ['b'], path: ['a'], message: 'custom' }], ['a: custom']],
  ])('%s', (_name, issues, expected) => {
    expect(flattenZodIssues(errorOf(issues))).toEqual(expected);
  });
});

describe('ProfileError: its defaults', () => {
  it('says "(no details)" when given no problem', () => {
    const error = new ProfileError([]);
    expect(error.problems).toEqual(['(no details)']);
    expect(error.message).toBe('invalid options:\n  (no details)');
    expect(error.details).toEqual({ problems: ['(no details)'] });
  });

  it('is named ProfileError, its problems frozen, and keeps the hint', () => {
    const error = new ProfileError(['a: b'], 'invalid scan options', { hint: 'try c' });
    expect(error.name).toBe('ProfileError');
    expect(Object.isFrozen(error.problems)).toBe(true);
    expect(error.message).toBe('invalid scan options:\n  a: b');
    expect(error.hint).toBe('try c');
  });

  it('fromZod without prefix or heading', () => {
    const error = ProfileError.fromZod(zodError(z.object({ a: z.string() }), {}));
    expect(error.message).toBe('invalid options:\n  a: Invalid input: expected string, received undefined');
  });

  it('throwIfProblems uses the heading given', () => {
    expect(() => throwIfProblems(['a: b'], 'invalid role options')).toThrow('invalid role options:\n  a: b');
  });
});
