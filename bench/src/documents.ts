// The documents every target gets: load/data's generator (same seed as the HTTP runs), wrapped as
// ingest wraps them for Kafka, so the ceilings and the drains handle the very records ingest writes.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { compilePipelineFile, type CompiledPipeline, type DocumentMessage } from '@docpipe/pipeline';
import { createGenerator, NO_DEFECTS } from '@docpipe/load/data';

/** The invoices pipeline as the services load it: the bench's documents are of its type. */
export const invoices: CompiledPipeline = compilePipelineFile(fileURLToPath(new URL('../../pipelines/invoices.yaml', import.meta.url)));

/** The owner the benchmark's envelopes carry, as AUTH_MODE=none would give them. */
export const BENCH_OWNER = '00000000-0000-4000-8000-00000000be4c';

export interface Envelope {
  readonly key: string;
  /** The JSON text of the DocumentMessage, exactly as ingest produces it. */
  readonly value: string;
}

export function envelopes(count: number, seed: number): Envelope[] {
  const next = createGenerator({ seed, defects: NO_DEFECTS });
  const receivedAt = new Date().toISOString();
  return Array.from({ length: count }, () => {
    const id = randomUUID();
    const message: DocumentMessage = { id, owner: BENCH_OWNER, receivedAt, pipeline: invoices.name, revision: invoices.revision, doc: next().doc };
    return { key: id, value: JSON.stringify(message) };
  });
}

export function meanBytes(items: readonly Envelope[]): number {
  return items.reduce((sum, e) => sum + Buffer.byteLength(e.value), 0) / Math.max(1, items.length);
}
