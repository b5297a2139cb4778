import { describe, expect, it } from 'vitest';
import { pipelineLimits } from '../../src/lib/limits.js';
import { repositoryPipeline, testConfig } from '../helpers.js';

const ceilings = testConfig().limits;

describe('pipelineLimits', () => {
  it('keeps the ceilings for a pipeline without limits of its own', () => {
    expect(pipelineLimits(repositoryPipeline('invoices'), ceilings)).toEqual({
      documentBytes: { value: ceilings.documentMaxBytes, setBy: 'DOCUMENT_MAX_BYTES' },
      batchDocuments: { value: ceilings.batchMaxDocuments, setBy: 'BATCH_MAX_DOCUMENTS' },
      batchBytes: { value: ceilings.batchMaxBytes, setBy: 'BATCH_MAX_BYTES' },
    });
  });

  it("takes a pipeline's lower limit and names it", () => {
    const orders = repositoryPipeline('orders');
    expect(orders.spec.ingest.maxBatchDocuments).toBeLessThan(ceilings.batchMaxDocuments);
    expect(pipelineLimits(orders, ceilings).batchDocuments).toEqual({
      value: orders.spec.ingest.maxBatchDocuments,
      setBy: 'spec.ingest.maxBatchDocuments of pipeline orders',
    });
  });

  it('never lets a pipeline go above a ceiling', () => {
    const orders = repositoryPipeline('orders');
    const low = { documentMaxBytes: 1024, batchMaxDocuments: 3, batchMaxBytes: 4096 };
    expect(pipelineLimits(orders, low)).toEqual({
      documentBytes: { value: 1024, setBy: 'DOCUMENT_MAX_BYTES' },
      batchDocuments: { value: 3, setBy: 'BATCH_MAX_DOCUMENTS' },
      batchBytes: { value: 4096, setBy: 'BATCH_MAX_BYTES' },
    });
  });
});
