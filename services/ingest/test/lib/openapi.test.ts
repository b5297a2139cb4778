import { describe, expect, it } from 'vitest';
import { withPipelines } from '../../src/lib/openapi.js';
import { repositoryPipeline, testConfig } from '../helpers.js';

/** The shape @fastify/swagger gives the routes: one path for every pipeline, markers where bodies go. */
const routes = () => ({
  paths: {
    '/v1/documents': { post: { summary: 'Post one document', 'x-docpipe-body': 'document' } },
    '/v1/pipelines/{pipeline}/documents/batch': {
      post: {
        summary: 'Post a batch',
        'x-docpipe-body': 'batch',
        parameters: [
          { in: 'path', name: 'pipeline', required: true },
          { in: 'header', name: 'idempotency-key' },
        ],
      },
    },
    '/v1/pipelines/{pipeline}/rejected/replay': {
      post: { summary: 'Replay', 'x-docpipe-optional-body': true, parameters: [{ in: 'path', name: 'pipeline' }], requestBody: { required: true } },
    },
  },
});

describe('withPipelines', () => {
  const { limits } = testConfig();

  it("turns every {pipeline} path into one per served pipeline, with that pipeline's documents and limits", () => {
    const spec = withPipelines(routes(), [repositoryPipeline('orders'), repositoryPipeline('invoices')], limits) as ReturnType<typeof routes>;
    expect(Object.keys(spec.paths)).toEqual([
      '/v1/documents',
      '/v1/pipelines/invoices/documents/batch',
      '/v1/pipelines/orders/documents/batch',
      '/v1/pipelines/invoices/rejected/replay',
      '/v1/pipelines/orders/rejected/replay',
    ]);
    const batch = (spec.paths as Record<string, { post: Record<string, any> }>)['/v1/pipelines/orders/documents/batch']?.post;
    expect(batch?.['summary']).toBe('Post a batch (orders)');
    expect(batch?.['parameters']).toEqual([{ in: 'header', name: 'idempotency-key' }]);
    expect(batch?.['requestBody'].content['application/json'].schema).toMatchObject({ maxItems: 5000, contains: { $ref: '#/components/schemas/Order' } });
    const replay = (spec.paths as Record<string, { post: Record<string, any> }>)['/v1/pipelines/invoices/rejected/replay']?.post;
    expect(replay).toEqual({ summary: 'Replay (invoices)', requestBody: { required: false } });
  });

  it('keeps the {pipeline} paths, and says so in their bodies, while no pipeline is loaded', () => {
    const spec = withPipelines(routes(), [], limits) as { paths: Record<string, { post: Record<string, any> }> };
    expect(Object.keys(spec.paths)).toEqual(['/v1/documents', '/v1/pipelines/{pipeline}/documents/batch', '/v1/pipelines/{pipeline}/rejected/replay']);
    expect(spec.paths['/v1/pipelines/{pipeline}/documents/batch']?.post['requestBody'].content['application/json'].schema).toMatchObject({
      maxItems: limits.batchMaxDocuments,
      contains: { description: 'No pipeline is loaded.' },
    });
    expect(spec.paths['/v1/documents']?.post['requestBody'].content['application/json'].schema).toEqual({ description: 'The invoices pipeline is not loaded.' });
  });
});
