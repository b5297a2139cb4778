import { documentsPath } from '../../client/routes.ts';
import { generatorOf } from '../../data/index.ts';

/**
 * Settings from the environment: `k6 run -e NAME=value`, or the shell's variables. A bad value
 * stops the run in the init context, before any request.
 */
export const BASE_URL = (__ENV['BASE_URL'] || 'http://127.0.0.1:8080').replace(/\/+$/, '');
export const USER = __ENV['LOAD_USER'] || 'loadtest';
export const PASSWORD = __ENV['LOAD_PASSWORD'] || 'loadtest-password';
/** Same seed, same documents: in k6 and in the Node client alike. */
export const SEED = intEnv('SEED', 1);
/**
 * PIPELINE=orders sends that pipeline's documents to /v1/pipelines/orders/documents; without it,
 * invoices go to /v1/documents, the routes they had before pipelines were data.
 */
const PIPELINE = __ENV['PIPELINE'] || undefined;
export const GENERATOR = generatorOf(PIPELINE);
export const DOCUMENTS_URL = `${BASE_URL}${documentsPath(PIPELINE)}`;

export function numberEnv(name: string, fallback: number): number {
  const text = __ENV[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a number ≥ 0, got '${text}'`);
  return value;
}

export function intEnv(name: string, fallback: number): number {
  const value = numberEnv(name, fallback);
  if (!Number.isInteger(value)) throw new Error(`${name} must be a whole number, got '${__ENV[name]}'`);
  return value;
}

/** A comma-separated list of positive numbers, e.g. RATES=500,1000,2000. */
export function listEnv(name: string, fallback: readonly number[]): number[] {
  const text = __ENV[name];
  if (text === undefined || text === '') return [...fallback];
  const values = text.split(',').map((part) => Number(part.trim()));
  if (values.some((v) => !Number.isFinite(v) || v <= 0)) throw new Error(`${name} must be a comma-separated list of positive numbers, got '${text}'`);
  return values;
}

/** A k6 duration such as 90s, 30m or 1h30m, in seconds. */
export function durationEnv(name: string, fallback: string): { text: string; seconds: number } {
  const text = __ENV[name] || fallback;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(h|m|s)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) throw new Error(`${name} must be a duration like 90s, 30m or 1h30m, got '${text}'`);
  const unit = { h: 3600, m: 60, s: 1 } as const;
  return { text, seconds: parts.reduce((sum, p) => sum + Number(p[1]) * unit[p[2] as keyof typeof unit], 0) };
}
