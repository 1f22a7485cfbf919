import fc from 'fast-check';
import { isAppError } from '../errors.js';
import {
  DEFAULT_WUA_QUERY,
  evaluateWuaQuery,
  formatWuaQuery,
  parseWuaQuery,
  type WuaQuery,
  type WuaUpdateFacts,
} from './wua-query.js';

const anUpdate = (over: Partial<WuaUpdateFacts> = {}): WuaUpdateFacts => ({
  updateId: '5d1c0f5e-0000-4000-8000-000000000001',
  type: 'Software',
  isInstalled: false,
  isHidden: false,
  isAssigned: true,
  rebootRequired: true,
  ...over,
});

describe('parseWuaQuery + evaluateWuaQuery', () => {
  it.each<[string, string, Partial<WuaUpdateFacts>, boolean]>([
    ['default matches a pending software update', DEFAULT_WUA_QUERY, {}, true],
    ['default skips installed', DEFAULT_WUA_QUERY, { isInstalled: true }, false],
    ['default skips hidden', DEFAULT_WUA_QUERY, { isHidden: true }, false],
    ['default skips drivers', DEFAULT_WUA_QUERY, { type: 'Driver' }, false],
    ['default skips unassigned', DEFAULT_WUA_QUERY, { isAssigned: false }, false],
    ['drivers query', "IsInstalled=0 and Type='Driver' and IsHidden=0", { type: 'Driver' }, true],
    ['keywords and names are case-insensitive', "isinstalled=0 AND type='software'", {}, true],
    ['UpdateID matches case-insensitively', "UpdateID='5D1C0F5E-0000-4000-8000-000000000001' and IsInstalled=0", {}, true],
    ['UpdateID mismatch', "UpdateID='other' and IsInstalled=0", {}, false],
    ['doubled quotes from Add-CauClusterRole docs', "UpdateID=''5d1c0f5e-0000-4000-8000-000000000001'' and IsInstalled=0", {}, true],
    ['or', "Type='Driver' or IsHidden=1", { isHidden: true }, true],
    ['and binds tighter than or', "IsInstalled=1 and IsHidden=1 or Type='Software'", { isInstalled: false }, true],
    ['parentheses override', "IsInstalled=1 and (IsHidden=1 or Type='Software')", { isInstalled: false }, false],
    ['RebootRequired', 'RebootRequired=0', { rebootRequired: false }, true],
  ])('%s', (_name, text, over, expected) => {
    expect(evaluateWuaQuery(parseWuaQuery(text), anUpdate(over))).toBe(expected);
  });

  it.each<[string, string, RegExp]>([
    ['unknown criterion', "CategoryIDs contains 'x'", /unsupported criterion 'CategoryIDs'/],
    ['unsupported operator', 'IsInstalled!=0', /operator '!=' is not supported/],
    ['contains', "Type contains 'x'", /'contains' is not supported/],
    ['boolean needs 0/1', 'IsInstalled=2', /IsInstalled takes 0 or 1/],
    ['string needs quotes', 'Type=Software', /Type takes a quoted string/],
    ['bad type', "Type='Firmware'", /'Software' or 'Driver'/],
    ['unterminated string', "Type='Software", /unterminated string/],
    ['missing paren', "(IsInstalled=0 and Type='Software'", /expected '\)'/],
    ['dangling and', 'IsInstalled=0 and', /found the end/],
    ['missing junction', 'IsInstalled=0 IsHidden=0', /join criteria with 'and' or 'or'/],
    ['stray character', 'IsInstalled=0 & IsHidden=0', /unexpected character '&'/],
    ['empty', '', /expected a criterion/],
  ])('rejects %s with a clear message', (_name, text, message) => {
    let caught: unknown;
    try {
      parseWuaQuery(text);
    } catch (e) {
      caught = e;
    }
    expect(isAppError(caught) && caught.code).toBe('WUA_QUERY_INVALID');
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).toContain('0x80240032');
  });
});

// Property: formatting any query and parsing it back gives a query that decides every update the same way.
const compareArb: fc.Arbitrary<WuaQuery> = fc.oneof(
  fc.record({
    kind: fc.constant('compare' as const),
    field: fc.constantFrom('IsInstalled' as const, 'IsHidden' as const, 'IsAssigned' as const, 'RebootRequired' as const),
    value: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('compare' as const), field: fc.constant('Type' as const), value: fc.constantFrom('Software', 'Driver') }),
  fc.record({ kind: fc.constant('compare' as const), field: fc.constant('UpdateID' as const), value: fc.constantFrom('a', 'b', 'c') }),
);
const queryArb: fc.Arbitrary<WuaQuery> = fc.letrec<{ q: WuaQuery }>((tie) => ({
  q: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    compareArb,
    fc.record({ kind: fc.constantFrom('and' as const, 'or' as const), items: fc.array(tie('q'), { minLength: 2, maxLength: 3 }) }),
  ),
})).q;
const factsArb: fc.Arbitrary<WuaUpdateFacts> = fc.record({
  updateId: fc.constantFrom('a', 'B', 'c'),
  type: fc.constantFrom('Software' as const, 'Driver' as const),
  isInstalled: fc.boolean(),
  isHidden: fc.boolean(),
  isAssigned: fc.boolean(),
  rebootRequired: fc.boolean(),
});

it('format → parse preserves the meaning of any query', () => {
  fc.assert(
    fc.property(queryArb, fc.array(factsArb, { minLength: 1, maxLength: 5 }), (query, updates) => {
      const reparsed = parseWuaQuery(formatWuaQuery(query));
      for (const u of updates) expect(evaluateWuaQuery(reparsed, u)).toBe(evaluateWuaQuery(query, u));
    }),
    { numRuns: 300 },
  );
});
