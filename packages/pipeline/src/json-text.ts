import { MAX_DEPTH } from './compile/validator.js';
import type { Rejection } from './reasons.js';

/**
 * What JSON text is held to before it is parsed (every JSON body ingest takes: a document, each
 * document of a batch, a users, token or replay body; every record of an inbox topic), because what
 * comes after parsing (the schema, the forbidden key walk, serializing a rejection, BSON) works per
 * level and per key. The depth is the validator's, so a document the text check lets through is
 * never refused by the validator for its depth. Not settable: a pipeline's schema bounds its
 * documents far below them.
 */
export const JSON_TEXT_LIMITS = {
  /** Objects and arrays inside one another, the document's own braces counted. */
  depth: MAX_DEPTH,
  /** Object members in one document, at every depth together. */
  keys: 10_000,
} as const;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const U = 0x75;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COLON = 0x3a;
const COMMA = 0x2c;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Where the first byte that is not UTF-8 sits: the lenient decoder puts a U+FFFD there, told apart
 * from a U+FFFD the client sent by the three bytes that encode one.
 */
function firstInvalidByte(bytes: Uint8Array): number {
  const lenient = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  let offset = 0;
  let from = 0;
  for (let at = lenient.indexOf('\uFFFD'); at !== -1; at = lenient.indexOf('\uFFFD', from)) {
    offset += Buffer.byteLength(lenient.slice(from, at));
    if (bytes[offset] !== 0xef || bytes[offset + 1] !== 0xbf || bytes[offset + 2] !== 0xbd) return offset;
    offset += 3;
    from = at + 1;
  }
  return offset;
}

/** Why bytes are no text: the reason of a FieldError, for the caller to name the field. */
export interface NotUtf8 {
  readonly reason: string;
}

/**
 * The text of `bytes`, exactly as sent, or why they are not UTF-8: they are never replaced with
 * U+FFFD, which would store something the sender never sent. A byte order mark is kept, and
 * JSON.parse refuses it like any other stray character.
 */
export function utf8Text(bytes: Uint8Array): string | NotUtf8 {
  try {
    return utf8.decode(bytes);
  } catch {
    return { reason: `is not valid UTF-8: byte ${firstInvalidByte(bytes)} does not start a valid sequence` };
  }
}

function hexUnit(text: string, at: number): number {
  let unit = 0;
  for (let i = at; i < at + 4; i += 1) {
    const digit = Number.parseInt(text.charAt(i), 16);
    if (Number.isNaN(digit)) return -1;
    unit = unit * 16 + digit;
  }
  return unit;
}

const MINUS = 0x2d;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;
const inNumber = (c: number) => isDigit(c) || c === MINUS || c === 0x2b || c === 0x2e || c === 0x45 || c === 0x65;

/** A decimal's digits and the position of its point, without sign, leading or trailing zeros. */
function decimal(token: string): string {
  const [mantissa = '', exponent = '0'] = token.replace(/^-/, '').toLowerCase().split('e');
  const [whole = '', fraction = ''] = mantissa.split('.');
  const digits = `${whole}${fraction}`;
  const lead = digits.length - digits.replace(/^0+/, '').length;
  const significant = digits.slice(lead).replace(/0+$/, '');
  return significant === '' ? '0' : `${significant}e${whole.length - lead + Number(exponent)}`;
}

/**
 * Why a number token cannot be kept as sent: JSON.parse makes every number an IEEE 754 double,
 * so one beyond its range, or with more precision than it holds, would be stored as another
 * number. I-JSON (RFC 7493) asks for numbers a double holds exactly enough.
 */
function numberProblem(token: string): string | undefined {
  const value = Number(token);
  if (!Number.isFinite(value)) return `holds the number ${token.slice(0, 40)}, beyond the range of a double (I-JSON, RFC 7493): it would be stored as another value`;
  if (decimal(token) !== decimal(String(value))) {
    return `holds the number ${token.slice(0, 40)}, more precise than a double holds (I-JSON, RFC 7493): it would be stored as ${value}`;
  }
  return undefined;
}

const isHigh = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;
const isLow = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff;

/**
 * Finds where strings close with native searches for quotes and backslashes, rather than reading
 * each of their characters: most of a document's text is in its strings. Offsets only grow from
 * one call to the next, so the next backslash, once found, serves every string before it.
 */
class Strings {
  private backslash = -2;
  /** The first lone surrogate escape of the string last closed. */
  lone: string | undefined;

  constructor(private readonly text: string) {}

  /** Offset of the quote that closes the string opened at `open`, or -1. */
  close(open: number): number {
    const { text } = this;
    this.lone = undefined;
    let from = open + 1;
    for (;;) {
      const quote = text.indexOf('"', from);
      if (quote === -1) return -1;
      if (this.backslash !== -1 && this.backslash < from) this.backslash = text.indexOf('\\', from);
      if (this.backslash === -1 || this.backslash > quote) return quote;
      const at = this.backslash;
      if (text.charCodeAt(at + 1) !== U) {
        from = at + 2;
        continue;
      }
      const unit = hexUnit(text, at + 2);
      const paired = isHigh(unit) && text.charCodeAt(at + 6) === BACKSLASH && text.charCodeAt(at + 7) === U && isLow(hexUnit(text, at + 8));
      if ((isHigh(unit) || isLow(unit)) && !paired) this.lone ??= text.slice(at, at + 6);
      from = at + (paired ? 12 : 6);
    }
  }
}

/** An object or array being read, and which member of it the scan is in. */
interface Level {
  readonly array: boolean;
  index: number;
  /** Offsets of the current member's key, quotes included. */
  keyStart: number;
  keyEnd: number;
  expectsKey: boolean;
}

function keyText(text: string, start: number, end: number): string {
  try {
    return JSON.parse(text.slice(start, end + 1)) as string;
  } catch {
    return text.slice(start + 1, end);
  }
}

/** `lines[0].quantity`, as the validator names a field. */
function fieldAt(text: string, levels: readonly Level[], extraKey?: string): string {
  let name = '';
  const add = (key: string) => (name += name === '' ? key : `.${key}`);
  for (const level of levels) {
    if (level.array) name += `[${level.index}]`;
    else if (level.keyStart >= 0 && !level.expectsKey) add(keyText(text, level.keyStart, level.keyEnd));
  }
  if (extraKey !== undefined) add(extraKey);
  return name || '(document)';
}

function problemIn(text: string, start: number, end: number, strings: Strings): Rejection | undefined {
  const levels: Level[] = [];
  let keys = 0;
  let stringStart = -1;
  let stringEnd = -1;
  for (let i = start; i < end; i += 1) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      stringStart = i;
      const close = strings.close(i);
      i = stringEnd = close === -1 || close > end ? end : close;
      const { lone } = strings;
      if (lone !== undefined) {
        const level = levels.at(-1);
        const isKey = level !== undefined && !level.array && level.expectsKey;
        return {
          field: isKey ? fieldAt(text, levels, keyText(text, stringStart, stringEnd)) : fieldAt(text, levels),
          kind: 'malformed_json',
          reason: `${isKey ? 'has a key that holds' : 'holds'} the escape ${lone}, a lone UTF-16 surrogate: no character, refused by I-JSON (RFC 7493)`,
        };
      }
      continue;
    }
    switch (c) {
      case OPEN_OBJECT:
      case OPEN_ARRAY:
        if (levels.length >= JSON_TEXT_LIMITS.depth) {
          return { field: fieldAt(text, levels), kind: 'range', reason: `must not nest deeper than ${JSON_TEXT_LIMITS.depth} levels` };
        }
        levels.push({ array: c === OPEN_ARRAY, index: 0, keyStart: -1, keyEnd: -1, expectsKey: true });
        break;
      case CLOSE_OBJECT:
      case CLOSE_ARRAY:
        levels.pop();
        break;
      case COLON: {
        keys += 1;
        if (keys > JSON_TEXT_LIMITS.keys) {
          return { field: '(document)', kind: 'range', reason: `must not hold more than ${JSON_TEXT_LIMITS.keys} keys` };
        }
        const level = levels.at(-1);
        if (level) {
          level.keyStart = stringStart;
          level.keyEnd = stringEnd;
          level.expectsKey = false;
        }
        break;
      }
      case COMMA: {
        const level = levels.at(-1);
        if (level?.array) level.index += 1;
        else if (level) level.expectsKey = true;
        break;
      }
      default: {
        if (c !== MINUS && !isDigit(c)) break;
        let after = i + 1;
        let exponent = false;
        for (let d = text.charCodeAt(after); after < end && inNumber(d); d = text.charCodeAt(++after)) exponent ||= d === 0x45 || d === 0x65;
        // Up to 15 digits without an exponent, a double holds any decimal exactly enough: most
        // numbers are settled here without parsing them.
        if (exponent || after - i > 15) {
          const problem = numberProblem(text.slice(i, after));
          if (problem) return { field: fieldAt(text, levels), kind: 'range', reason: problem };
        }
        i = after - 1;
      }
    }
  }
  return undefined;
}

/**
 * The first rule that the JSON text of each document (`text` between each span's start and end)
 * breaks, found in one pass over the text without building anything: nesting deeper than
 * JSON_TEXT_LIMITS.depth, more than JSON_TEXT_LIMITS.keys keys, a `\u` escape of a lone UTF-16
 * surrogate, which is no character and which I-JSON (RFC 7493) refuses (decoded, it would be
 * stored as U+FFFD), or a number a double cannot hold as written. Syntax is JSON.parse's to check, afterwards: in a malformed text this may find
 * nothing, or a problem that JSON.parse would report differently, and either way the text is refused.
 */
export function textProblems(text: string, spans: readonly (readonly [number, number])[]): (Rejection | undefined)[] {
  const strings = new Strings(text);
  return spans.map(([start, end]) => problemIn(text, start, end, strings));
}

/** textProblems of a text that is one document. */
export function textProblem(text: string): Rejection | undefined {
  return problemIn(text, 0, text.length, new Strings(text));
}

/**
 * Where each element of a top-level JSON array starts and ends (whitespace around it included),
 * or undefined when the text is not an array whose brackets and strings close with nothing after.
 */
export function arrayElements(text: string): [number, number][] | undefined {
  let i = text.search(/\S/);
  if (text.charCodeAt(i) !== OPEN_ARRAY) return undefined;
  const strings = new Strings(text);
  const spans: [number, number][] = [];
  let depth = 0;
  let elementStart = i + 1;
  for (; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = strings.close(i);
      if (i === -1) return undefined;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      depth += 1;
    } else if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      depth -= 1;
      if (depth === 0) break;
    } else if (c === COMMA && depth === 1) {
      spans.push([elementStart, i]);
      elementStart = i + 1;
    }
  }
  if (depth !== 0 || /\S/.test(text.slice(i + 1))) return undefined;
  if (spans.length > 0 || /\S/.test(text.slice(elementStart, i))) spans.push([elementStart, i]);
  return spans;
}
