import type { CompiledPipeline } from '@docpipe/pipeline';
import type { Config } from '../config.js';

/** A limit and what sets it: the 413 that enforces it names the setting to change. */
export interface Limit {
  readonly value: number;
  readonly setBy: string;
}

/** The limits one pipeline's document requests are held to. */
export interface DocumentLimits {
  /** Bytes of a single-document body, and of each refused document of a batch. */
  readonly documentBytes: Limit;
  readonly batchDocuments: Limit;
  readonly batchBytes: Limit;
}

/** The ceiling, unless the pipeline sets a lower limit of its own. */
function within(ceiling: Limit, own: number | undefined, setBy: string): Limit {
  return own !== undefined && own < ceiling.value ? { value: own, setBy } : ceiling;
}

/**
 * A pipeline's spec.ingest limits within the service's ceilings: a spec may tighten a limit, never
 * widen it, because the ceilings are what the service's memory and Kafka's record size are sized for.
 */
export function pipelineLimits(pipeline: CompiledPipeline, ceilings: Config['limits']): DocumentLimits {
  const own = pipeline.spec.ingest;
  const setting = (field: string) => `spec.ingest.${field} of pipeline ${pipeline.name}`;
  return {
    documentBytes: within({ value: ceilings.documentMaxBytes, setBy: 'DOCUMENT_MAX_BYTES' }, own.maxDocumentBytes, setting('maxDocumentBytes')),
    batchDocuments: within({ value: ceilings.batchMaxDocuments, setBy: 'BATCH_MAX_DOCUMENTS' }, own.maxBatchDocuments, setting('maxBatchDocuments')),
    batchBytes: within({ value: ceilings.batchMaxBytes, setBy: 'BATCH_MAX_BYTES' }, own.maxBatchBytes, setting('maxBatchBytes')),
  };
}
