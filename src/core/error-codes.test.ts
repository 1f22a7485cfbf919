import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, exitCodeFor } from './error-codes.js';

const doc = readFileSync(join(new URL('../..', import.meta.url).pathname, 'docs', 'error-codes.md'), 'utf8');

describe('the error-code catalogue', () => {
  it('is documented in docs/error-codes.md, code by code, with its meaning', () => {
    const documented = [...doc.matchAll(/^\| `([A-Za-z]+)` \| ([^|]+) \|$/gm)].map((m) => [m[1]!, m[2]!] as const);
    const catalogue = Object.entries(ErrorCodes).map(([code, info]) => [code, info.summary] as const);
    expect(documented.filter(([code]) => code in ErrorCodes).sort()).toEqual(catalogue.sort());
  });

  it('has one spelling per event (no SHOUTING_CASE twins of a CamelCase code)', () => {
    const codes = Object.keys(ErrorCodes);
    expect(codes.filter((c) => !/^[A-Z][A-Za-z]+$/.test(c))).toEqual([]);
  });
});

describe('exitCodeFor: the one status → exit code mapping', () => {
  it.each([
    ['Succeeded', 0],
    ['PartiallyFailed', 6],
    ['Failed', 3],
    ['Canceled', 3],
  ] as const)('%s → %i', (status, code) => {
    expect(exitCodeFor({ status })).toBe(code);
  });
});
