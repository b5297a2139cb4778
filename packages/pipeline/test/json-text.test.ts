import { describe, expect, it } from 'vitest';
import { arrayElements, JSON_TEXT_LIMITS, textProblem, utf8Text } from '../src/json-text.js';

const nested = (levels: number, open = '{"a":', close = '}') => `${open.repeat(levels)}1${close.repeat(levels)}`;

describe('textProblem', () => {
  it('finds nothing in ordinary JSON, escapes and surrogate pairs included', () => {
    for (const text of ['{"a":1}', '[1,[2,{"b":"c"}]]', '"text"', '42', '{"s":"\\"\\\\\\n\\u0041 \\ud83d\\ude00 \\uD83D\\uDE00"}', '{"\\ud83d\\ude00":true}']) {
      expect(textProblem(text)).toBeUndefined();
    }
  });

  it(`lets ${JSON_TEXT_LIMITS.depth} levels through and names where the next one opens`, () => {
    expect(textProblem(nested(JSON_TEXT_LIMITS.depth))).toBeUndefined();
    expect(textProblem(nested(JSON_TEXT_LIMITS.depth, '['))).toBeUndefined();
    expect(textProblem(nested(JSON_TEXT_LIMITS.depth + 1))).toEqual({
      field: Array(JSON_TEXT_LIMITS.depth).fill('a').join('.'),
      kind: 'range',
      reason: `must not nest deeper than ${JSON_TEXT_LIMITS.depth} levels`,
    });
    expect(textProblem(`{"lines":[1,${nested(JSON_TEXT_LIMITS.depth - 1, '[', ']')}]}`)?.field).toBe(`lines[1]${'[0]'.repeat(JSON_TEXT_LIMITS.depth - 2)}`);
  });

  it('stops at the limit, whatever the depth, without recursion', () => {
    expect(textProblem(nested(1_000_000, '['))).toMatchObject({ kind: 'range' });
  });

  it('does not count brackets inside strings', () => {
    expect(textProblem(`{"a":"${'['.repeat(1000)}"}`)).toBeUndefined();
  });

  it(`counts keys at every depth together, at most ${JSON_TEXT_LIMITS.keys}`, () => {
    const keys = (n: number) => `{${Array.from({ length: n }, (_, i) => `"k${i}":{"x":1}`).join(',')}}`;
    expect(textProblem(keys(JSON_TEXT_LIMITS.keys / 2))).toBeUndefined();
    expect(textProblem(keys(JSON_TEXT_LIMITS.keys / 2 + 1))).toEqual({
      field: '(document)',
      kind: 'range',
      reason: `must not hold more than ${JSON_TEXT_LIMITS.keys} keys`,
    });
    expect(textProblem(`{"a":"${':'.repeat(JSON_TEXT_LIMITS.keys + 1)}"}`)).toBeUndefined();
  });

  it.each([
    ['a lone high surrogate', '{"Description":"a\\ud800b"}', '\\ud800'],
    ['a lone low surrogate', '{"Description":"\\uDC00"}', '\\uDC00'],
    ['a high surrogate at the end of the string', '{"Description":"x\\uD83D"}', '\\uD83D'],
    ['two high surrogates', '{"Description":"\\ud83d\\ud83d"}', '\\ud83d'],
    ['a high surrogate before a plain character', '{"Description":"\\ud83dA"}', '\\ud83d'],
  ])('refuses %s, naming the field', (_case, text, escape) => {
    expect(textProblem(text)).toEqual({
      field: 'Description',
      kind: 'malformed_json',
      reason: `holds the escape ${escape}, a lone UTF-16 surrogate: no character, refused by I-JSON (RFC 7493)`,
    });
  });

  it('names a lone surrogate in a key, in an array, and at the top', () => {
    expect(textProblem('{"customer":{"id":1,"e\\ud800":2}}')).toMatchObject({ field: 'customer.e\ud800', reason: expect.stringMatching(/^has a key that holds/) });
    expect(textProblem('{"lines":[{"sku":"a"},{"sku":"\\ud800"}]}')?.field).toBe('lines[1].sku');
    expect(textProblem('"\\ud800"')?.field).toBe('(document)');
  });
});

describe('textProblem and numbers', () => {
  it('lets through every number a double holds as written', () => {
    for (const n of ['0', '-0', '2.55', '17850', '1.0', '1e2', '0.1', '-1.5E-7', '9007199254740991', '0.30000000000000004', '1.7976931348623157e308', '123456789012345.6']) {
      expect(textProblem(`{"Quantity":${n}}`), n).toBeUndefined();
    }
  });

  it('refuses, naming where, a number beyond the range of a double or more precise than one', () => {
    expect(textProblem('{"Quantity":1e309}')).toEqual({ field: 'Quantity', kind: 'range', reason: expect.stringMatching(/^holds the number 1e309, beyond the range of a double/) });
    expect(textProblem('{"lines":[{"qty":-1e400}]}')?.field).toBe('lines[0].qty');
    expect(textProblem('{"id":9007199254740993}')?.reason).toMatch(/more precise than a double holds .* stored as 9007199254740992$/);
    expect(textProblem('[1, 0.12345678901234567890]')?.reason).toMatch(/more precise than a double/);
    // Digits in strings and keys are text, not numbers.
    expect(textProblem('{"9007199254740993":"1e309"}')).toBeUndefined();
  });
});

describe('arrayElements', () => {
  it('gives where each element of a top-level array is', () => {
    const text = ' [ {"a":[1,2]} , "x,]" ,3 ] ';
    expect(arrayElements(text)?.map(([start, end]) => text.slice(start, end).trim())).toEqual(['{"a":[1,2]}', '"x,]"', '3']);
    expect(arrayElements('[]')).toEqual([]);
    expect(arrayElements('[1,]')?.map(([start, end]) => end - start)).toEqual([1, 0]);
  });

  it('is undefined for anything but an array that closes', () => {
    for (const text of ['{"a":1}', '"x"', '', '[1,2', '[1] 2', '["a]', '   ']) expect(arrayElements(text)).toBeUndefined();
  });
});

describe('utf8Text', () => {
  it('decodes UTF-8 exactly, a byte order mark and U+FFFD included', () => {
    expect(utf8Text(Buffer.from('\uFEFF{"a":"é \uFFFD 😀"}'))).toBe('\uFEFF{"a":"é \uFFFD 😀"}');
  });

  it.each([
    ['a lone continuation byte', [0x61, 0x80], 1],
    ['a truncated sequence', [0x61, 0x62, 0xe2, 0x82], 2],
    ['an encoded surrogate', [0xed, 0xa0, 0x80], 0],
    ['an overlong encoding', [0xc0, 0xaf], 0],
    ['0xFF after a real U+FFFD', [0xef, 0xbf, 0xbd, 0xff], 3],
  ])('refuses %s, naming the byte', (_case, bytes, offset) => {
    expect(utf8Text(Buffer.from(bytes))).toEqual({ reason: `is not valid UTF-8: byte ${offset} does not start a valid sequence` });
  });
});
