// What the transform costs per document, for the choice of expression language (docs/pipelines.md):
// the invoices pipeline's CEL transform as the consumer runs it, against the same three fields in
// JSONata, over the same valid documents, on this process alone.
import jsonata from 'jsonata';
import { dateFormat, type CompiledPipeline } from '@docpipe/pipeline';
import type { Outcome } from './results.js';

/** The invoices transform written in JSONata. Its $round rounds halves to even, CEL's round() up. */
const INVOICES_JSONATA =
  '{"InvoiceDate": $date(InvoiceDate, "dd/mm/YYYY HH:MM"), "total": $round(Quantity * UnitPrice, 2), "cancelled": $substring(InvoiceNo, 0, 1) = "C"}';

export type Transformer = (doc: Record<string, unknown>) => unknown;

export function celTransformer(pipeline: CompiledPipeline): Transformer {
  return (doc) => pipeline.transform(doc);
}

export function jsonataTransformer(): (doc: Record<string, unknown>) => Promise<unknown> {
  const expression = jsonata(INVOICES_JSONATA);
  expression.registerFunction('date', (text: string, format: string) => dateFormat(format).parse(text), '<ss:x>');
  return (doc) => expression.evaluate(doc);
}

/** Runs `transform` over `docs` `rounds` times after one warm-up round; documents per second. */
export async function transformCost(docs: readonly Record<string, unknown>[], rounds: number, transform: (doc: Record<string, unknown>) => unknown): Promise<Outcome> {
  for (const doc of docs) await transform(doc);
  const started = performance.now();
  for (let round = 0; round < rounds; round += 1) for (const doc of docs) await transform(doc);
  const seconds = (performance.now() - started) / 1000;
  const count = docs.length * rounds;
  return { status: 'ok', throughput: count / seconds, count, seconds, notes: [`${((seconds * 1e6) / count).toFixed(2)} µs per document`] };
}
