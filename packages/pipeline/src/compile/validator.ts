import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import type { DataValidateFunction } from 'ajv/dist/types/index.js';
import addFormats from 'ajv-formats';
import type { FieldError, Rejection } from '../reasons.js';
import { dateFormat } from './date-format.js';

export type ValidationResult =
  | { readonly ok: true; readonly doc: Record<string, unknown> }
  | { readonly ok: false; readonly errors: Rejection[] };

export type Validator = (value: unknown) => ValidationResult;

/** Deeper documents are refused before the schema runs: every later step (Kafka, BSON, JSON) recurses. */
export const MAX_DEPTH = 64;

/**
 * Problems listed for one document; the rest are counted in one last entry. Every answer, rejected
 * record and stored rejection repeats the list, so its length must not grow with what a client sends.
 */
export const MAX_ERRORS = 100;

/** Keys that could reach MongoDB operators, dotted paths or prototype pollution, at any depth. */
function isForbiddenKey(key: string): boolean {
  return key.startsWith('$') || key.includes('.') || key === '__proto__' || key === 'constructor';
}

const FORBIDDEN_REASON = 'keys may not start with $ or contain a dot, and __proto__ and constructor are refused';

/** `lines[0].quantity` from path segments, as the API names a field. */
function fieldName(segments: readonly (string | number)[]): string {
  let name = '';
  for (const segment of segments) {
    if (typeof segment === 'number') name += `[${segment}]`;
    else name += name === '' ? segment : `.${segment}`;
  }
  return name || '(document)';
}

function pointerSegments(pointer: string): (string | number)[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s.replaceAll('~1', '/').replaceAll('~0', '~')));
}

function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (Number.isInteger(value)) return 'integer';
  return typeof value;
}

interface Walked {
  readonly forbidden: string[];
  readonly tooDeep: boolean;
}

/** Finds forbidden keys at every depth, without recursion, so no document can exhaust the stack. */
function walk(doc: object): Walked {
  const forbidden: string[] = [];
  const stack: { value: object; path: (string | number)[] }[] = [{ value: doc, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop() as { value: object; path: (string | number)[] };
    if (path.length >= MAX_DEPTH) return { forbidden, tooDeep: true };
    const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
    for (const [key, child] of entries) {
      if (typeof key === 'string' && isForbiddenKey(key)) forbidden.push(fieldName([...path, key]));
      if (typeof child === 'object' && child !== null) stack.push({ value: child, path: [...path, key] });
    }
  }
  return { forbidden: forbidden.sort(), tooDeep: false };
}

/** The first MAX_ERRORS problems, and one entry that counts those not listed. */
function capped(errors: Rejection[]): Rejection[] {
  if (errors.length <= MAX_ERRORS) return errors;
  const unlisted = errors.length - MAX_ERRORS;
  const first = errors[MAX_ERRORS] as Rejection;
  return [...errors.slice(0, MAX_ERRORS), { field: '(document)', kind: first.kind, reason: `has ${unlisted} more problems, not listed` }];
}

function fromAjv(error: ErrorObject, forbidden: ReadonlySet<string>): Rejection | undefined {
  const at = pointerSegments(error.instancePath);
  const field = fieldName(at);
  switch (error.keyword) {
    case 'required':
      return { field: fieldName([...at, String(error.params['missingProperty'])]), kind: 'missing', reason: 'is required' };
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const extra = fieldName([...at, String(error.params['additionalProperty'] ?? error.params['unevaluatedProperty'])]);
      return forbidden.has(extra) ? undefined : { field: extra, kind: 'unknown_field', reason: 'is not a known field' };
    }
    case 'type':
      return error.data === null
        ? { field, kind: 'null', reason: 'must not be null' }
        : { field, kind: 'type', reason: `must be ${String(error.params['type'])}, got ${describeType(error.data)}` };
    case 'pattern':
    case 'format': {
      const message = (error.parentSchema as Record<string, unknown> | undefined)?.['x-error-message'];
      return { field, kind: 'format', reason: typeof message === 'string' ? message : `must match ${String(error.params[error.keyword])}` };
    }
    case 'x-date-format':
      return { field, kind: error.params['kind'] as 'format' | 'date', reason: error.message ?? 'is not a date' };
    default:
      return { field, kind: 'range', reason: error.message ?? 'is out of range' };
  }
}

function newAjv(): Ajv2020 {
  // verbose: the error path reads the failing value (null or another type) and its schema's x-error-message.
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictRequired: false, verbose: true });
  addFormats.default(ajv);
  ajv.addKeyword({ keyword: 'x-error-message', schemaType: 'string' });
  ajv.addKeyword({
    keyword: 'x-date-format',
    type: 'string',
    schemaType: 'string',
    errors: true,
    compile(format: string) {
      const parser = dateFormat(format);
      // ajv leaves the path of a keyword's own errors to the keyword.
      const check: DataValidateFunction = (text: string, context) => {
        const date = parser.parse(text);
        if (date instanceof Date) return true;
        const instancePath = context?.instancePath ?? '';
        check.errors = [
          date === undefined
            ? { keyword: 'x-date-format', instancePath, params: { kind: 'format' }, message: `must be formatted ${format}` }
            : { keyword: 'x-date-format', instancePath, params: { kind: 'date' }, message: 'is not a real calendar date and time' },
        ];
        return false;
      };
      return check;
    },
  });
  return ajv;
}

/**
 * Compiles a document's JSON Schema into a validator that explains every problem as
 * {field, reason}. Unknown fields and dangerous keys are refused rather than stripped, so what is
 * stored is exactly what was sent. Throws for a schema that is not valid JSON Schema.
 */
export function compileValidator(schema: unknown): Validator {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) throw new Error('the schema must be a JSON Schema object');
  const check = newAjv().compile(schema);
  const wantsObject = (schema as { type?: unknown }).type === 'object';
  return (value) => {
    if (wantsObject && (typeof value !== 'object' || value === null || Array.isArray(value))) {
      return { ok: false, errors: [{ field: '(document)', kind: 'type', reason: `must be a JSON object, got ${describeType(value)}` }] };
    }
    const walked = typeof value === 'object' && value !== null ? walk(value) : { forbidden: [], tooDeep: false };
    if (walked.tooDeep) {
      return { ok: false, errors: [{ field: '(document)', kind: 'range', reason: `must not nest deeper than ${MAX_DEPTH} levels` }] };
    }
    const errors: Rejection[] = walked.forbidden.map((field) => ({ field, kind: 'forbidden_key', reason: FORBIDDEN_REASON }));
    if (!check(value)) {
      const forbidden = new Set(walked.forbidden);
      // One error per field and kind, found in linear time however many keys the document has.
      const seen = new Set(errors.map((e) => `${e.field}\u0000${e.kind}`));
      // Calendar checks come last, so the first reason (the metric label) is the structural one.
      const calendar: Rejection[] = [];
      for (const error of check.errors ?? []) {
        const rejection = fromAjv(error, forbidden);
        if (!rejection) continue;
        const key = `${rejection.field}\u0000${rejection.kind}`;
        if (seen.has(key)) continue;
        seen.add(key);
        (rejection.kind === 'date' ? calendar : errors).push(rejection);
      }
      errors.push(...calendar);
    }
    return errors.length === 0 ? { ok: true, doc: value as Record<string, unknown> } : { ok: false, errors: capped(errors) };
  };
}

/** The API and the rejected topic show {field, reason}; the kind is only a metric label. */
export function withoutKind(errors: readonly Rejection[]): FieldError[] {
  return errors.map(({ field, reason }) => ({ field, reason }));
}
