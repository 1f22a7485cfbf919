import fc from 'fast-check';
import {
  formatHashtable,
  formatHashtableList,
  HashtableSyntaxError,
  parseHashtable,
  parseHashtableList,
} from './hashtable.js';

function syntaxError(run: () => unknown): HashtableSyntaxError {
  try {
    run();
  } catch (error) {
    if (error instanceof HashtableSyntaxError) return error;
    throw error;
  }
  throw new Error('expected a HashtableSyntaxError');
}

describe('parseHashtable: what admins copy from the docs', () => {
  it.each([
    ['quoted and bare keys, number value', "@{ 'a'='b'; c = 1 }", { a: 'b', c: '1' }],
    ['WUA query in double quotes', `@{QueryString="IsInstalled=0 and Type='Software'"}`, { QueryString: "IsInstalled=0 and Type='Software'" }],
    ['RollingUpgrade flag', "@{ 'WuConnected'='true' }", { WuConnected: 'true' }],
    ['doc example with three entries', "@{WuConnected='false';PathToSetupMedia='\\\\srv\\iso';UpdateClusterFunctionalLevel='true'}", {
      WuConnected: 'false',
      PathToSetupMedia: '\\\\srv\\iso',
      UpdateClusterFunctionalLevel: 'true',
    }],
    ['doubled single quote', "@{QueryString='UpdateID=''5d1c'' and IsInstalled=0'}", { QueryString: "UpdateID='5d1c' and IsInstalled=0" }],
    ['doubled double quote', '@{a="say ""hi"""}', { a: 'say "hi"' }],
    ['backtick escapes', '@{a="t`tn`nq`"d`$b``z`x"}', { a: 't\tn\nq"d$b`zx' }],
    ['more escapes', '@{a="`0`a`b`e`f`r`v"}', { a: '\0\x07\b\x1b\f\r\v' }],
    ['unicode escape', '@{a="`u{263A}`u{1F600}"}', { a: '\u263a\u{1f600}' }],
    ['single quotes keep backticks and dollars', "@{a='`n $x $(y)'}", { a: '`n $x $(y)' }],
    ['lone dollar in double quotes is literal', '@{a="cost $ 5 $"}', { a: 'cost $ 5 $' }],
    ['booleans and null', '@{a=$true; b=$False; c=$NULL}', { a: 'True', b: 'False', c: '' }],
    ['$true inside double quotes', '@{a="is $true"}', { a: 'is True' }],
    ['numbers keep their text', '@{a=-1; b=1.5; c=0x10; d=007}', { a: '-1', b: '1.5', c: '0x10', d: '007' }],
    ['bareword value', '@{HotfixRootFolderPath=\\\\fs01\\hotfix}', { HotfixRootFolderPath: '\\\\fs01\\hotfix' }],
    ['empty', '@{}', {}],
    ['empty with spaces', ' @{ ; } ', {}],
    ['trailing semicolon', "@{a='1';}", { a: '1' }],
    ['typographic quotes from a web page', '@{ \u2018WuConnected\u2019=\u2019true\u2019; b=\u201cx\u201d }', { WuConnected: 'true', b: 'x' }],
    ['quoted key with spaces', "@{'odd key'='v'}", { 'odd key': 'v' }],
    ['dashed and dotted bare keys', '@{a-b=1; c.d=2}', { 'a-b': '1', 'c.d': '2' }],
    ['empty quoted key and value', "@{''=''}", { '': '' }],
    ['value spanning lines', "@{a='one\ntwo'}", { a: 'one\ntwo' }],
    ['newline after =', '@{a=\n  1}', { a: '1' }],
    ['backtick line continuation', '@{a = `\n 1}', { a: '1' }],
  ])('%s', (_name, text, expected) => {
    expect(parseHashtable(text)).toEqual(expected);
  });

  it('reads a multi-line hashtable with comments', () => {
    const text = [
      '@{',
      "  # which updates",
      "  QueryString = 'IsInstalled=0 and Type=''Driver'''",
      '  IncludeRecommendedUpdates = $true   # also recommended',
      '  <# block',
      '     comment #>',
      '}',
    ].join('\r\n');
    expect(parseHashtable(text)).toEqual({ QueryString: "IsInstalled=0 and Type='Driver'", IncludeRecommendedUpdates: 'True' });
  });

  it('keeps a __proto__ key as data', () => {
    const parsed = parseHashtable("@{'__proto__'='x'}");
    expect(Object.keys(parsed)).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(parsed, '__proto__')?.value).toBe('x');
  });
});

describe('parseHashtable: the key=value form', () => {
  it.each([
    ['splits at the first =', "QueryString=IsInstalled=0 and Type='Software'", { QueryString: "IsInstalled=0 and Type='Software'" }],
    ['several pairs', 'WuConnected=false; PathToSetupMedia=D:\\media', { WuConnected: 'false', PathToSetupMedia: 'D:\\media' }],
    ['pairs on lines', 'a=1\nb=2\r\nc=3', { a: '1', b: '2', c: '3' }],
    ['trims around key and value', '  a =  b c  ', { a: 'b c' }],
    ['unquotes a value that is one string', "WuConnected='true'", { WuConnected: 'true' }],
    ['unquotes doubled quotes', "a='it''s'", { a: "it's" }],
    ['keeps a ; inside quotes', "QueryString=Title='a;b' and IsInstalled=0", { QueryString: "Title='a;b' and IsInstalled=0" }],
    ['empty value', 'a=', { a: '' }],
    ['blank text', '  ', {}],
    ['dollar is plain data here', 'a=cost $5', { a: 'cost $5' }],
  ])('%s', (_name, text, expected) => {
    expect(parseHashtable(text)).toEqual(expected);
  });
});

describe('parseHashtable: refusals name the position', () => {
  it.each([
    ['sub-expression', '@{a=$(Get-Date)}', 1, 5, "'$(' is a sub-expression and would run code"],
    ['environment variable', '@{a=$env:PATH}', 1, 5, "'$env' is a variable"],
    ['variable', '@{a=$x}', 1, 5, "'$x' is a variable"],
    ['braced variable', '@{a=${x}}', 1, 5, "'${' is a variable"],
    ['$true with a member', '@{a=$true.ToString()}', 1, 5, "'$true' is a variable"],
    ['sub-expression in double quotes', '@{a="x$(1)"}', 1, 7, "'$(' is a sub-expression"],
    ['variable in double quotes', '@{a="x$foo"}', 1, 7, "'$foo' is a variable"],
    ['script block', '@{a={ rm -r C:\\ }}', 1, 5, 'a script block would run code'],
    ['parenthesised expression', '@{a=(1+1)}', 1, 5, "'(' starts an expression"],
    ['type cast', '@{a=[int]5}', 1, 5, "'[' starts a type cast"],
    ['pipeline inside a bareword', '@{a=x|y}', 1, 6, "'|' would invoke a command"],
    ['call operator', "@{a=& 'x'}", 1, 5, "'&' would invoke a command"],
    ['variable key', '@{$k=1}', 1, 3, "'$k' is a variable"],
    ['unterminated single quote', "@{a='oops}", 1, 5, 'unterminated string'],
    ['unterminated double quote', '@{a="oops}', 1, 5, 'unterminated string'],
    ['duplicate key', '@{a=1; a=2}', 1, 8, "duplicate key 'a'"],
    ['duplicate key ignoring case', '@{WuConnected=1; wuconnected=2}', 1, 18, "same as 'WuConnected': keys ignore case"],
    ['missing brace', '@{a=1', 1, 1, "missing '}'"],
    ['missing =', '@{a 1}', 1, 5, "expected '=' after the key 'a'"],
    ['two words', '@{a=hello world}', 1, 11, "unexpected 'w' after the value of 'a'"],
    ['array value', '@{a=1,2}', 1, 6, 'a list of values'],
    ['nested hashtable', '@{a=@{b=1}}', 1, 5, 'a nested hashtable'],
    ['array sub-expression value', '@{a=@(1)}', 1, 5, 'an array is not supported'],
    ['here-string', "@{a=@'\nx\n'@}", 1, 5, 'here-strings are not supported'],
    ['missing value', '@{a=}', 1, 5, "missing value for 'a'"],
    ['missing key', '@{=1}', 1, 3, 'expected a key'],
    ['bad unicode escape', '@{a="`u{110000}"}', 1, 6, 'invalid escape'],
    ['text after the hashtable', '@{a=1} junk', 1, 8, "unexpected 'j' after the hashtable"],
    ['a list where one is expected', '@{},@{a=1}', 1, 4, 'expected a single hashtable'],
    ['not a hashtable', '@(1)', 1, 1, "expected '@{'"],
    ['error on a later line', "@{\n  a = 'x'\n  b = $(evil)\n}", 3, 7, "'$(' is a sub-expression"],
    ['unterminated block comment', '@{ <# a=1 }', 1, 4, 'unterminated block comment'],
    ['key=value without =', 'novalue', 1, 1, 'expected key=value'],
    ['key=value with empty key', 'a=1; =2', 1, 6, "'' is not a valid key"],
    ['key=value with a space in the key', 'my key=1', 1, 1, "'my key' is not a valid key"],
    ['key=value duplicate', 'a=1;A=2', 1, 5, "duplicate key 'A'"],
    ['key=value unterminated quote', "a='x", 1, 3, 'unterminated string'],
    ['key=value sub-expression in a quoted value', 'a="$(evil)"', 1, 4, "'$(' is a sub-expression"],
  ])('%s', (_name, text, line, column, reason) => {
    const error = syntaxError(() => parseHashtable(text));
    expect(error.code).toBe('PROFILE_HASHTABLE_SYNTAX');
    expect(error.exitCode).toBe(2);
    expect(error.reason).toContain(reason);
    expect({ line: error.line, column: error.column }).toEqual({ line, column });
    expect(error.message).toContain(line > 1 ? `line ${line}, column ${column}: ` : `, column ${column}: `);
    expect(error.hint).toBeTruthy();
  });
});

describe('parseHashtableList', () => {
  it.each([
    ['empty and one entry', '@{},@{k=v}', [{}, { k: 'v' }]],
    ['spaces and a line break after the comma', "@{a=1} ,\n @{b='2'}", [{ a: '1' }, { b: '2' }]],
    ['array sub-expression', '@(@{a=1}, @{b=2})', [{ a: '1' }, { b: '2' }]],
    ['array sub-expression on lines', '@(\n  @{a=1}\n  @{b=2}\n)', [{ a: '1' }, { b: '2' }]],
    ['empty array', '@()', []],
    ['one hashtable', "@{ 'WuConnected'='true' }", [{ WuConnected: 'true' }]],
    ['key=value is a list of one', 'a=1;b=2', [{ a: '1', b: '2' }]],
    ['blank', ' \n', []],
    ['three', '@{},@{},@{x=1}', [{}, {}, { x: '1' }]],
  ])('%s', (_name, text, expected) => {
    expect(parseHashtableList(text)).toEqual(expected);
  });

  it.each([
    ['missing comma', '@{} @{}', 5, "expected ',' between hashtables"],
    ['trailing comma', '@{a=1},', 8, "expected '@{'"],
    ['unclosed array', '@(@{}', 1, "missing ')'"],
    ['code inside an element', '@{},@{a=$(x)}', 9, 'sub-expression'],
    ['junk inside an array', '@(@{} x)', 7, "expected ',' or ')'"],
  ])('rejects %s', (_name, text, column, reason) => {
    const error = syntaxError(() => parseHashtableList(text));
    expect(error.column).toBe(column);
    expect(error.reason).toContain(reason);
  });
});

describe('formatHashtable', () => {
  it.each([
    ['empty', {}, '@{}'],
    ['plain', { QueryString: 'IsInstalled=0' }, "@{QueryString='IsInstalled=0'}"],
    ['quotes doubled, nothing expanded', { a: "it's $(x) `n" }, "@{a='it''s $(x) `n'}"],
    ['odd keys quoted', { 'odd key': '1', '1a': '2', 'a-b': '3' }, "@{'odd key'='1'; '1a'='2'; 'a-b'='3'}"],
    ['typographic quotes doubled', { a: '\u2019' }, "@{a='\u2019\u2019'}"],
  ])('%s', (_name, value, expected) => {
    expect(formatHashtable(value)).toBe(expected);
  });

  it('formats lists', () => {
    expect(formatHashtableList([{}, { k: 'v' }])).toBe("@{},@{k='v'}");
    expect(formatHashtableList([])).toBe('@()');
  });
});

describe('round trips', () => {
  // The arbitraries are built inside the tests, not when the file is collected: building fast-check's binary
  // string arbitraries costs about a second of CPU, which every other test of this file would pay too (the
  // mutation run loads this file again for each mutant; docs/testing.md).
  function arbitraries() {
    // Characters that matter to the grammar, mixed into arbitrary unicode so that the interesting cases come up often.
    const tricky = fc.constantFrom("'", '\u2018', '\u2019', '\u201a', '\u201b', '"', '\u201c', '\u201d', '\u201e', '$', '`', '@', '{', '}', '(', ';', ',', '=', '#', '<#', '\n', '\r', ' ', '\t', '\u2028');
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 12 }),
      fc.string({ unit: fc.oneof(tricky, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 12 }),
      fc.constantFrom('__proto__', 'constructor', 'QueryString', 'toString'),
    );
    // Keys are case-insensitive in PowerShell hashtables, so a record may not hold two keys that differ only in case.
    const entries = fc.uniqueArray(fc.tuple(text, text), { selector: ([key]) => key.toLowerCase(), maxLength: 6 });
    const record = entries.map((pairs) => {
      const result: Record<string, string> = {};
      for (const [key, value] of pairs) Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true });
      return result;
    });
    return { tricky, record };
  }

  it('parseHashtable(formatHashtable(r)) equals r', () => {
    const { record } = arbitraries();
    fc.assert(
      fc.property(record, (r) => {
        expect(parseHashtable(formatHashtable(r))).toEqual(r);
      }),
      { numRuns: 1000 },
    );
  });

  it('parseHashtableList(formatHashtableList(l)) equals l', () => {
    const { record } = arbitraries();
    fc.assert(
      fc.property(fc.array(record, { maxLength: 4 }), (list) => {
        expect(parseHashtableList(formatHashtableList(list))).toEqual(list);
      }),
      { numRuns: 300 },
    );
  });

  it('arbitrary input either parses or fails with a HashtableSyntaxError', () => {
    const { tricky } = arbitraries();
    const input = fc.string({ unit: fc.oneof(tricky, fc.constantFrom('a', 'b', '1', '@{', '$true', '"', '`u{'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 30 });
    fc.assert(
      fc.property(fc.oneof(input, input.map((s) => `@{${s}}`)), (s) => {
        for (const parse of [parseHashtable, parseHashtableList]) {
          try {
            parse(s);
          } catch (error) {
            if (!(error instanceof HashtableSyntaxError)) throw error;
          }
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('parseHashtable: line breaks and continuations of every kind', () => {
  it.each([
    ['LF between entries with barewords', '@{\n  a = 1\n  b = two\n}', { a: '1', b: 'two' }],
    ['CR alone between entries', '@{a=1\rb=2}', { a: '1', b: '2' }],
    ['U+2028 and U+2029 between entries', '@{a=1\u2028b=2\u2029c=3}', { a: '1', b: '2', c: '3' }],
    ['backtick, LF, then the value', '@{a = `\n1}', { a: '1' }],
    ['backtick, CR, then the value', '@{a = `\r1}', { a: '1' }],
    ['backtick, CRLF, then the value', '@{a = `\r\n1}', { a: '1' }],
    ['a comment running to the end of a line', '@{a=1 # note\nb=2}', { a: '1', b: '2' }],
    ['a block comment between key and =', "@{a <# c #> = 'x'}", { a: 'x' }],
    ['a tab before the value', "@{a =\t'x'}", { a: 'x' }],
    ['a doubled typographic single quote', '@{a=\u2018it\u2019\u2019s\u2019}', { a: 'it\u2019s' }],
    ['a doubled typographic double quote', '@{a=\u201csay \u201d\u201dhi\u201d\u201d\u201d}', { a: 'say \u201dhi\u201d' }],
    ['an unknown backtick escape is the character', '@{a="`q`u"}', { a: 'qu' }],
    ['a `u without braces', '@{a="`u0041"}', { a: 'u0041' }],
    ['the highest code point', '@{a="`u{10FFFF}"}', { a: '\u{10ffff}' }],
    ['$ followed by a space in double quotes', '@{a="$ x"}', { a: '$ x' }],
    ['$null in double quotes', '@{a="[$null]"}', { a: '[]' }],
    ['a bareword ending at ;', '@{a=x;b=y}', { a: 'x', b: 'y' }],
    ['key with digits first', '@{1a=1}', { '1a': '1' }],
  ])('%s', (_name, text, expected) => {
    expect(parseHashtable(text)).toEqual(expected);
  });
});

describe('parseHashtable: each refusal, its whole reason and position', () => {
  it.each([
    ['a redirection <', '@{a=<x}', 1, 5, "'<' is a redirection; quote the value instead"],
    ['a redirection > inside a bareword', '@{a=x>y}', 1, 6, "'>' is a redirection; quote the value instead"],
    ['a backtick outside quotes', '@{a=`x}', 1, 5, 'backtick escapes work only inside double quotes; quote the value instead'],
    ['= inside a bareword', '@{a=x=y}', 1, 6, "unexpected '=' in a value; quote values that contain '='"],
    ['@ before a bareword', '@{a=@x}', 1, 5, "'@' starts an array or splat; quote the value instead"],
    ['a closing bracket', '@{a=x]}', 1, 6, "unexpected ']' in a value; quote the value instead"],
    ['a quote inside a bareword', '@{a=x"y"}', 1, 6, "unexpected '\"' in a value; quote the value instead"],
    ['a lone $', '@{a=$}', 1, 5, "'$' would start a variable; only $true, $false and $null are accepted"],
    ['$true followed by :', '@{a=$true:x}', 1, 5, "'$true' is a variable; only $true, $false and $null are accepted"],
    ['$null followed by [', '@{a=$null[0]}', 1, 5, "'$null' is a variable; only $true, $false and $null are accepted"],
    ['a key in parentheses', '@{(k)=1}', 1, 3, "'(' starts an expression and would run code; quote the value instead"],
    ['a key in brackets', '@{[k]=1}', 1, 3, "'[' starts a type cast or index; quote the value instead"],
    ['a key that is a brace', '@{{=1}', 1, 3, "expected a key, found '{'"],
    ['a value that is ;', '@{a=;}', 1, 5, "missing value for 'a'"],
    ['the text ends after the key', '@{a', 1, 4, "expected '=' after the key 'a', found the end of the text"],
    ['a line break after the key', '@{a\n=1}', 1, 4, "expected '=' after the key 'a', found a line break"],
    ['< that opens no comment', '@{ <a=1}', 1, 4, "expected a key, found '<'"],
    ['<#> is not a closed comment', '@{<#>a=1}', 1, 3, "unterminated block comment '<#'"],
    ['a backtick ending the text inside double quotes', '@{a="x`', 1, 5, 'unterminated string: no closing double quote for the one opened here'],
    ['a here-string with double quotes', '@{a=@"\nx\n"@}', 1, 5, 'here-strings are not supported'],
    ['a list where a value is', '@{a=x,y}', 1, 6, "a list of values for 'a' is not supported; plug-in arguments are single strings"],
    ['a duplicate key written the same', "@{a=1; 'a'=2}", 1, 8, "duplicate key 'a'"],
    ['a duplicate key in another case', '@{a=1; A=2}', 1, 8, "duplicate key 'A' (same as 'a': keys ignore case)"],
    ['a 7-digit unicode escape', '@{a="`u{0000041}"}', 1, 6, "invalid escape '`u{...}': expected 1 to 6 hex digits up to 10FFFF"],
    ['an error after CRLF counts one line', '@{\r\n a=$x}', 2, 4, "'$x' is a variable; only $true, $false and $null are accepted"],
    ['an error after CR counts one line', '@{\r a=$x}', 2, 4, "'$x' is a variable; only $true, $false and $null are accepted"],
    ['an error after U+2028', '@{\u2028a=$x}', 2, 3, "'$x' is a variable; only $true, $false and $null are accepted"],
    ['an error after U+2029', '@{\u2029a=$x}', 2, 3, "'$x' is a variable; only $true, $false and $null are accepted"],
    ['key=value: a piece without =', 'a=1; b', 1, 6, "expected key=value, found 'b'"],
    ['key=value: a key of one dash', '-=1', 1, 1, "'-' is not a valid key; use letters, digits, '_', '-' or '.'"],
    ['key=value: a key with a slash', 'a/b=1', 1, 1, "'a/b' is not a valid key; use letters, digits, '_', '-' or '.'"],
    ['key=value: the same key twice', 'a=1; a=2', 1, 6, "duplicate key 'a'"],
    ['key=value: a key in another case', ' a=1;\n A=2', 2, 2, "duplicate key 'A' (same as 'a': keys ignore case)"],
    ['key=value: an unterminated double quote', 'a="x;b=2', 1, 3, 'unterminated string: no closing double quote for the one opened here'],
  ])('%s', (_name, text, line, column, reason) => {
    const error = syntaxError(() => parseHashtable(text));
    expect(error.reason).toBe(reason);
    expect({ line: error.line, column: error.column }).toEqual({ line, column });
    expect(error.name).toBe('HashtableSyntaxError');
    expect(error.details).toEqual({ line, column });
  });

  it('a refusal says the line only past the first, and keeps its own hint', () => {
    const first = syntaxError(() => parseHashtable('@{a=$x}'));
    expect(first.message).toBe("hashtable syntax, column 5: '$x' is a variable; only $true, $false and $null are accepted");
    expect(first.hint).toBe("write values as single-quoted strings, e.g. @{ QueryString = 'IsInstalled=0' }; nothing in them is evaluated");
    const duplicate = syntaxError(() => parseHashtable('@{a=1\na=2}'));
    expect(duplicate.message).toBe("hashtable syntax, line 2, column 1: duplicate key 'a'");
    expect(duplicate.hint).toBe('each argument may appear once per hashtable');
  });
});

describe('parseHashtable: the key=value form, quotes and splitting', () => {
  it.each([
    ['a ; inside a double-quoted value', 'a="x;y";b=2', { a: 'x;y', b: '2' }],
    ['an escaped quote inside double quotes does not end them', 'a="x`";y";b=2', { a: 'x";y', b: '2' }],
    ['a backtick outside quotes is plain', 'a=x`;b=2', { a: 'x`', b: '2' }],
    ['a quoted value followed by more text is kept verbatim', "a='x' y", { a: "'x' y" }],
    ['a value that starts with a quote only', "a='x'y'z'", { a: "'x'y'z'" }],
    ['spaces after =', "a=   'x'", { a: 'x' }],
    ['a line of spaces between pairs', 'a=1\n   \nb=2', { a: '1', b: '2' }],
    ['a single-quoted value with a ; and a line break inside', "a='x;\ny';b=2", { a: 'x;\ny', b: '2' }],
  ])('%s', (_name, text, expected) => {
    expect(parseHashtable(text)).toEqual(expected);
  });
});

describe('parseHashtableList: the array form and its separators', () => {
  it.each([
    ['a line break before the list', ' \n@{a=1},@{b=2}', [{ a: '1' }, { b: '2' }]],
    ['; between elements of @()', '@(@{a=1}; @{b=2})', [{ a: '1' }, { b: '2' }]],
    ['a comma then a line break in @()', '@(@{a=1},\n@{b=2})', [{ a: '1' }, { b: '2' }]],
    ['a comment after the list', '@{a=1},@{b=2} # two', [{ a: '1' }, { b: '2' }]],
  ])('%s', (_name, text, expected) => {
    expect(parseHashtableList(text)).toEqual(expected);
  });

  it.each([
    ['@( never closed after an element', '@(@{a=1},', 1, "missing ')' for the '@(' opened here"],
    ['@( ending after an element and a space', '@(@{a=1} ', 1, "missing ')' for the '@(' opened here"],
    ['junk after the list', '@{a=1}, @{b=2} x', 16, "expected ',' between hashtables, found 'x'"],
  ])('rejects %s', (_name, text, column, reason) => {
    const error = syntaxError(() => parseHashtableList(text));
    expect(error.reason).toBe(reason);
    expect(error.column).toBe(column);
  });
});
