// Profile problems as `path: message` lines, and the error that carries all of them at once. Depends on zod's error type and src/errors.ts only.
import type { ZodError } from 'zod';
import { AppError, ExitCode } from '../errors.js';

type PathSegment = PropertyKey;

interface IssueLike {
  readonly code?: string;
  readonly path: readonly PathSegment[];
  readonly message: string;
  readonly keys?: readonly string[];
  readonly expected?: unknown;
  readonly errors?: ReadonlyArray<ReadonlyArray<IssueLike>>;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * Renders a path the way a user would write it in a profile: `cauPluginArguments[1].QueryString`.
 * Keys that are not identifiers (a node name with a dash, a key with a space) are written `["NODE-1"]`.
 */
export function formatIssuePath(path: readonly PathSegment[], prefix = ''): string {
  let out = prefix;
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'symbol') out += `[${segment.description ?? 'symbol'}]`;
    else if (IDENTIFIER.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

function line(path: string, message: string): string {
  return path === '' ? message : `${path}: ${message}`;
}

/**
 * zod reports a failed union as "Invalid input" with the branches' issues nested. When every branch failed on
 * its type alone, naming the accepted types tells the operator more than "Invalid input" does.
 */
function unionMessage(issue: IssueLike): string {
  const branches = issue.errors ?? [];
  const expected: string[] = [];
  for (const branch of branches) {
    const only = branch.length === 1 ? branch[0] : undefined;
    if (only === undefined || only.code !== 'invalid_type' || only.path.length !== 0 || typeof only.expected !== 'string') {
      return issue.message;
    }
    if (!expected.includes(only.expected)) expected.push(only.expected);
  }
  return expected.length === 0 ? issue.message : `expected ${expected.join(' or ')}`;
}

/**
 * Flattens a ZodError into one `path: message` line per problem, in zod's order. `prefix` names the root
 * (for example `cauPluginArguments[1]`) when the schema validated only part of a profile. Unknown keys get
 * one line each, at the key's own path, so the operator sees which option to remove.
 */
export function flattenZodIssues(error: ZodError, prefix = ''): string[] {
  const lines: string[] = [];
  for (const issue of error.issues as readonly IssueLike[]) {
    if (issue.code === 'unrecognized_keys' && issue.keys !== undefined && issue.keys.length > 0) {
      for (const key of issue.keys) lines.push(line(formatIssuePath([...issue.path, key], prefix), 'unknown key'));
      continue;
    }
    const message = issue.code === 'invalid_union' ? unionMessage(issue) : issue.message;
    lines.push(line(formatIssuePath(issue.path, prefix), message));
  }
  return lines;
}

/**
 * A profile that failed parse, normalize or rules. Carries every problem found, so the operator fixes them all
 * in one go; the message lists them one per line under `heading`. Exit 2 (usage).
 */
export class ProfileError extends AppError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[], heading = 'invalid options', options: { hint?: string; cause?: unknown } = {}) {
    const list = problems.length === 0 ? ['(no details)'] : problems;
    super('PROFILE_INVALID', ExitCode.usage, `${heading}:\n${list.map((p) => `  ${p}`).join('\n')}`, {
      ...options,
      details: { problems: [...list] },
    });
    this.name = 'ProfileError';
    this.problems = Object.freeze([...list]);
  }

  static fromZod(error: ZodError, prefix = '', heading?: string): ProfileError {
    return new ProfileError(flattenZodIssues(error, prefix), heading);
  }
}

/** Throws a ProfileError when `problems` is not empty; the usual last line of a rules step. */
export function throwIfProblems(problems: readonly string[], heading?: string): void {
  if (problems.length > 0) throw new ProfileError(problems, heading);
}
