import { describe, expect, it } from 'vitest';
import { buildTestApp, repositoryPipeline } from '../helpers.js';

describe('GET /v1/pipelines', () => {
  it('lists the served pipelines and their revisions, to authenticated users', async () => {
    const app = await buildTestApp();
    try {
      expect((await app.inject({ method: 'GET', url: '/v1/pipelines' })).statusCode).toBe(401);
      const authorization = `Bearer ${await app.tokens.sign('0190a5f0-0000-7000-8000-000000000001')}`;
      const res = await app.inject({ method: 'GET', url: '/v1/pipelines', headers: { authorization } });
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({
        pipelines: ['invoices', 'orders'].map((name) => {
          const pipeline = repositoryPipeline(name);
          return { name, revision: pipeline.revision, description: pipeline.spec.description };
        }),
      });
    } finally {
      await app.close();
    }
  });
});
