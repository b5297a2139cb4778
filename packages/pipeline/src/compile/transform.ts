import { Environment } from '@marcbachmann/cel-js';
import { dateFormat } from './date-format.js';

/** Fields the transform computes for one valid document, merged over the document to store it. */
export type Transform = (doc: Record<string, unknown>) => Record<string, unknown>;

/**
 * The functions a transform may call besides CEL's own. round() rounds halves up, like
 * JavaScript's Math.round, on the given decimal digits; sum() adds a list of numbers.
 */
function environment(): Environment {
  return new Environment()
    .registerVariable('doc', 'map')
    .registerFunction('date(string, string): google.protobuf.Timestamp', (text: string, format: string) => {
      const date = dateFormat(format).parse(text);
      if (!(date instanceof Date)) throw new Error(`date(): "${text}" is not a date and time formatted ${format}`);
      return date;
    })
    .registerFunction('round(double, int): double', (value: number, digits: bigint) => {
      const scale = 10 ** Number(digits);
      return Math.round(value * scale) / scale;
    })
    .registerFunction('sum(list): double', (values: unknown[]) =>
      values.reduce<number>((total, value) => total + (typeof value === 'bigint' ? Number(value) : (value as number)), 0),
    );
}

/** CEL integers are BigInt and maps may be Map; the store takes plain numbers and objects. */
function toStorable(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(toStorable);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), toStorable(v)]));
  if (typeof value === 'object' && value !== null && !(value instanceof Date) && !(value instanceof Uint8Array)) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toStorable(v)]));
  }
  return value;
}

export class TransformError extends Error {
  override readonly name = 'TransformError';
}

/**
 * Compiles `fields` (stored field -> CEL expression over `doc`). Throws TransformError naming the
 * field of an expression that does not parse; a runtime failure names the field too.
 */
export function compileTransform(fields: Readonly<Record<string, string>>): Transform {
  const env = environment();
  const compiled = Object.entries(fields).map(([field, expression]) => {
    try {
      return { field, evaluate: env.parse(expression) };
    } catch (error) {
      throw new TransformError(`transform.fields.${field}: ${(error as Error).message.split('\n')[0]}`);
    }
  });
  return (doc) => {
    const variables = { doc };
    const out: Record<string, unknown> = {};
    for (const { field, evaluate } of compiled) {
      try {
        out[field] = toStorable(evaluate(variables));
      } catch (error) {
        throw new TransformError(`transform.fields.${field}: ${(error as Error).message.split('\n')[0]}`);
      }
    }
    return out;
  };
}
