import { Ajv, type ErrorObject } from 'ajv';
import { parseInvoiceDate } from './date.js';
import { InvoiceSchema, type Invoice, type Rejection } from './schema.js';

export type ValidationResult =
  | { readonly ok: true; readonly invoice: Invoice }
  | { readonly ok: false; readonly errors: Rejection[] };

// Compiled once at import: validation is on the hot path of every request.
const ajv = new Ajv({ allErrors: true, strict: true });
const checkSchema = ajv.compile<Invoice>(InvoiceSchema);

const PATTERN_REASONS: Record<string, string> = {
  InvoiceNo: 'must be six digits, optionally prefixed with C for a cancellation',
  InvoiceDate: 'must be formatted dd/mm/YYYY HH:MM',
};

/** Keys that could reach MongoDB operators, dotted paths or prototype pollution. */
function isForbiddenKey(key: string): boolean {
  return key.startsWith('$') || key.includes('.') || key === '__proto__' || key === 'constructor';
}

function describeType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (Number.isInteger(value)) return 'integer';
  return typeof value;
}

function fromAjv(error: ErrorObject, doc: Record<string, unknown>, forbidden: Set<string>): Rejection | undefined {
  const field = error.instancePath.slice(1) || '(document)';
  switch (error.keyword) {
    case 'required': {
      const missing = String(error.params['missingProperty']);
      return { field: missing, kind: 'missing', reason: 'is required' };
    }
    case 'additionalProperties': {
      const extra = String(error.params['additionalProperty']);
      return forbidden.has(extra) ? undefined : { field: extra, kind: 'unknown_field', reason: 'is not a known field' };
    }
    case 'type': {
      const value = doc[field];
      return value === null
        ? { field, kind: 'null', reason: 'must not be null' }
        : { field, kind: 'type', reason: `must be ${String(error.params['type'])}, got ${describeType(value)}` };
    }
    case 'pattern':
      return { field, kind: 'format', reason: PATTERN_REASONS[field] ?? `must match ${String(error.params['pattern'])}` };
    default:
      return { field, kind: 'range', reason: error.message ?? 'is out of range' };
  }
}

/**
 * Validates one document and explains every problem as {field, reason}. Unknown fields and
 * dangerous keys are refused rather than stripped, so what is stored is exactly what was sent.
 */
export function validateInvoice(value: unknown): ValidationResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, errors: [{ field: '(document)', kind: 'type', reason: `must be a JSON object, got ${value === null ? 'null' : describeType(value)}` }] };
  }
  const doc = value as Record<string, unknown>;
  const forbidden = new Set(Object.keys(doc).filter(isForbiddenKey));
  const errors: Rejection[] = [...forbidden].map((key) => ({
    field: key,
    kind: 'forbidden_key',
    reason: 'keys may not start with $ or contain a dot, and __proto__ and constructor are refused',
  }));
  if (!checkSchema(doc)) {
    for (const error of checkSchema.errors ?? []) {
      const rejection = fromAjv(error, doc, forbidden);
      if (rejection && !errors.some((e) => e.field === rejection.field && e.kind === rejection.kind)) errors.push(rejection);
    }
  }
  // The calendar check runs even when other fields failed, so the client learns every problem at once.
  const date = doc['InvoiceDate'];
  if (typeof date === 'string' && !errors.some((e) => e.field === 'InvoiceDate') && parseInvoiceDate(date) === undefined) {
    errors.push({ field: 'InvoiceDate', kind: 'date', reason: 'is not a real calendar date and time' });
  }
  return errors.length === 0 ? { ok: true, invoice: doc as Invoice } : { ok: false, errors };
}
