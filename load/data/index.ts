import type { DocumentGenerator } from './generator.ts';
import { invoices } from './invoices.ts';
import { orders } from './orders.ts';

export * from './generator.ts';
export { invoices, type InvoiceDefect } from './invoices.ts';
export { orders, type OrderDefect } from './orders.ts';

/** The pipeline a run is for when it names none. */
export const DEFAULT_PIPELINE = invoices.pipeline;

/** A generator for each pipeline of the repository that load runs can target. */
export const GENERATORS: readonly DocumentGenerator[] = [invoices, orders];

const byPipeline = new Map(GENERATORS.map((generator) => [generator.pipeline, generator]));

/** The generator of a pipeline's documents; throws a RangeError for a pipeline without one. */
export function generatorOf(pipeline: string = DEFAULT_PIPELINE): DocumentGenerator {
  const generator = byPipeline.get(pipeline);
  if (!generator) throw new RangeError(`no document generator for pipeline '${pipeline}' (there is one for ${[...byPipeline.keys()].join(', ')})`);
  return generator;
}

// The invoice generator under the names it had before pipelines were data, for bench/ and e2e/.
export const NO_DEFECTS = invoices.noDefects;
export const EXPECTED_REJECTION = invoices.rejections;
export const createGenerator = invoices.create;
export const generateDocuments = invoices.generate;
