import type { DocumentPipelineSpec } from '../spec/schema.js';
import type { Transform } from './transform.js';
import type { Validator } from './validator.js';

/**
 * Runs a spec's examples through its compiled validator and transform; returns one line per
 * example that does not behave as declared (none: the spec may go live).
 */
export function exampleProblems(examples: DocumentPipelineSpec['examples'], validate: Validator, transform: Transform): string[] {
  const problems: string[] = [];
  examples.valid.forEach((doc, i) => {
    const result = validate(doc);
    if (!result.ok) {
      problems.push(`examples.valid[${i}] is refused: ${result.errors.map((e) => `${e.field} ${e.reason}`).join('; ')}`);
      return;
    }
    try {
      transform(result.doc);
    } catch (error) {
      problems.push(`examples.valid[${i}] fails the transform: ${(error as Error).message}`);
    }
  });
  examples.invalid.forEach(({ doc, errors: declared }, i) => {
    const result = validate(doc);
    if (result.ok) {
      problems.push(`examples.invalid[${i}] is accepted, but should fail on ${declared.map((e) => e.field).join(', ')}`);
      return;
    }
    const actual = new Map<string, string[]>();
    for (const { field, reason } of result.errors) actual.set(field, [...(actual.get(field) ?? []), reason]);
    const expected = new Set(declared.map((e) => e.field));
    const missing = [...expected].filter((field) => !actual.has(field));
    const extra = [...actual.keys()].filter((field) => !expected.has(field));
    if (missing.length > 0 || extra.length > 0) {
      const got = result.errors.map((e) => `${e.field} ${e.reason}`).join('; ');
      problems.push(`examples.invalid[${i}] should fail on ${[...expected].join(', ')}, but fails on: ${got}`);
    }
    for (const { field, reason } of declared) {
      const reasons = actual.get(field);
      if (reason !== undefined && reasons && !reasons.includes(reason)) {
        problems.push(`examples.invalid[${i}].${field} should fail with "${reason}", but fails with "${reasons.join('", "')}"`);
      }
    }
  });
  return problems;
}
