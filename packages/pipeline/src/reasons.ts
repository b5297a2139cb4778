import { Type, type Static } from 'typebox';

export const FieldErrorSchema = Type.Object(
  {
    field: Type.String({ description: 'Field path (`lines[0].quantity`), or "(document)" for the document as a whole.' }),
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
