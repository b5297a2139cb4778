import { Type, type Static } from 'typebox';

/**
 * One invoice line, shaped like a row of the UCI Online Retail data set. This single schema drives
 * request validation, the OpenAPI document and the load generator, so they cannot drift apart.
 */
export const InvoiceSchema = Type.Object(
  {
    InvoiceNo: Type.String({
      pattern: '^C?[0-9]{6}$',
      description: 'Six digits; a leading C marks a cancellation.',
      examples: ['536365', 'C536379'],
    }),
    StockCode: Type.String({ minLength: 1, maxLength: 20, examples: ['85123A'] }),
    Description: Type.String({
      minLength: 1,
      maxLength: 200,
      examples: ['WHITE HANGING HEART T-LIGHT HOLDER'],
    }),
    Quantity: Type.Integer({ minimum: -1_000_000, maximum: 1_000_000, examples: [6] }),
    InvoiceDate: Type.String({
      pattern: '^[0-9]{2}/[0-9]{2}/[0-9]{4} [0-9]{2}:[0-9]{2}$',
      description: 'dd/mm/YYYY HH:MM, UTC. It must be a real calendar date and time.',
      examples: ['01/12/2010 08:26'],
    }),
    UnitPrice: Type.Number({ minimum: 0, maximum: 1_000_000, examples: [2.55] }),
    CustomerID: Type.Integer({
      minimum: 1,
      maximum: 99_999_999,
      description: 'Required: rows without a customer cannot be attributed and are rejected.',
      examples: [17850],
    }),
    Country: Type.String({ minLength: 1, maxLength: 100, examples: ['United Kingdom'] }),
  },
  { additionalProperties: false, $id: 'Invoice', title: 'Invoice line' },
);

export type Invoice = Static<typeof InvoiceSchema>;

export const FieldErrorSchema = Type.Object(
  {
    field: Type.String({ description: 'Field name, or "(document)" for the document as a whole.' }),
    reason: Type.String(),
  },
  { $id: 'FieldError' },
);

export type FieldError = Static<typeof FieldErrorSchema>;

/** Closed set of rejection categories, used as a bounded metric label. */
export const REJECTION_REASONS = [
  'missing',
  'null',
  'type',
  'format',
  'date',
  'range',
  'unknown_field',
  'forbidden_key',
  'malformed_json',
] as const;
export type RejectionReason = (typeof REJECTION_REASONS)[number];

/** A field error tagged with its category so metrics can count it without parsing text. */
export interface Rejection extends FieldError {
  readonly kind: RejectionReason;
}

export const INVOICE_FIELDS = Object.keys(InvoiceSchema.properties) as ReadonlyArray<keyof Invoice>;
