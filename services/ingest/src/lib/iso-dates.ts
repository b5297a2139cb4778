/**
 * The value with every Date, at any depth, as its ISO-8601 UTC string: what the API answers for
 * the BSON dates a transform stores. Stored documents are at most MAX_DEPTH deep (the validator
 * refuses deeper ones), so the recursion is bounded.
 */
export function withIsoDates(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(withIsoDates);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, field]) => [key, withIsoDates(field)]));
  }
  return value;
}
