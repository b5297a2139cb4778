// The transform's cost per document, CEL (what pipelines use) against JSONata (the alternative
// weighed in docs/pipelines.md): CPU only, no servers.
import type { BenchContext } from '../context.js';
import { invoices, type Envelope } from '../documents.js';
import { measure } from '../measure.js';
import type { BenchOptions } from '../options.js';
import type { Measurement } from '../results.js';
import { celTransformer, jsonataTransformer, transformCost } from '../transform-cost.js';

export async function transforms(ctx: BenchContext, o: BenchOptions, items: readonly Envelope[]): Promise<Measurement[]> {
  const docs = items.slice(0, 10_000).map((e) => (JSON.parse(e.value) as { doc: Record<string, unknown> }).doc);
  const rounds = Math.max(1, Math.round(o.transformDocs / docs.length));
  const params = { documents: docs.length * rounds, distinctDocuments: docs.length, pipeline: invoices.name };
  return [
    await measure(ctx, 'transform.cel', { ...params, language: 'CEL (@marcbachmann/cel-js)' }, () => transformCost(docs, rounds, celTransformer(invoices))),
    await measure(ctx, 'transform.jsonata', { ...params, language: 'JSONata' }, () => transformCost(docs, rounds, jsonataTransformer())),
  ];
}
