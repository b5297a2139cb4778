import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dateFormat } from '@docpipe/pipeline';
import { buildTestApp, PIPELINES_DIR, repositoryPipeline } from '../helpers.js';

interface Operation {
  security?: unknown[];
  parameters?: { in: string; name: string; schema?: { enum?: string[] } }[];
  requestBody?: { content: Record<string, unknown> };
  responses: Record<string, { description: string; headers?: Record<string, unknown>; content?: Record<string, { schema: unknown }> }>;
}

describe('OpenAPI at /docs', () => {
  let app: FastifyInstance;
  let spec: { openapi: string; paths: Record<string, Record<string, Operation>>; components: Record<string, Record<string, unknown>> };
  beforeAll(async () => {
    app = await buildTestApp();
    spec = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
  });
  afterAll(() => app.close());

  it('is OpenAPI 3.1 with a bearer scheme and the shared schemas as components', () => {
    expect(spec.openapi).toBe('3.1.0');
    expect(spec.components['securitySchemes']).toEqual({ bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } });
    expect(Object.keys(spec.components['schemas'] ?? {})).toEqual(expect.arrayContaining(['Invoice', 'FieldError', 'Error']));
  });

  it('documents every route', () => {
    expect(Object.keys(spec.paths).sort()).toEqual(
      [
        '/healthz',
        '/metrics',
        '/readyz',
        '/v1/documents',
        '/v1/documents/batch',
        '/v1/documents/{id}',
        '/v1/pipelines',
        ...['invoices', 'orders'].flatMap((name) => [
          `/v1/pipelines/${name}/documents`,
          `/v1/pipelines/${name}/documents/batch`,
          `/v1/pipelines/${name}/documents/{id}`,
          `/v1/pipelines/${name}/rejected/replay`,
        ]),
        '/v1/token',
        '/v1/users',
      ].sort(),
    );
  });

  it('documents the document routes: bearer auth, Idempotency-Key, bodies and error answers', () => {
    const single = spec.paths['/v1/documents']?.['post'] as Operation;
    expect(single.security).toEqual([{ bearerAuth: [] }]);
    expect(single.parameters).toContainEqual(expect.objectContaining({ in: 'header', name: 'idempotency-key' }));
    expect(Object.keys(single.responses).sort()).toEqual(['202', '400', '401', '413', '415', '422', '503', '504']);
    expect(single.responses['503']?.headers).toHaveProperty('retry-after');
    expect(JSON.stringify(single.responses['422']?.content)).toContain('#/components/schemas/Error');
    expect(JSON.stringify(single.requestBody)).toContain('#/components/schemas/Invoice');

    const batch = spec.paths['/v1/documents/batch']?.['post'] as Operation;
    expect(Object.keys(batch.requestBody?.content ?? {}).sort()).toEqual(['application/json', 'application/x-ndjson']);
    expect(Object.keys(batch.responses)).toEqual(expect.arrayContaining(['202', '413', '422']));
  });

  it("shows each pipeline's schema, from its spec, as a component named by it", () => {
    const schemas = spec.components['schemas'] as Record<string, Record<string, unknown>>;
    for (const [name, component] of [['invoices', 'Invoice'], ['orders', 'Order']] as const) {
      const { $id: _id, properties, ...schema } = repositoryPipeline(name).spec.schema as Record<string, unknown>;
      expect(schemas[component]).toMatchObject({ ...schema, 'x-docpipe-pipeline': name, 'x-docpipe-revision': repositoryPipeline(name).revision });
      for (const [field, property] of Object.entries(properties as Record<string, Record<string, unknown>>)) {
        const shown = (schemas[component]?.['properties'] as Record<string, unknown>)[field];
        if (property['x-date-format'] === undefined) expect(shown).toEqual(property);
        else expect(shown).toMatchObject({ ...property, description: expect.stringContaining(property['x-date-format'] as string), pattern: expect.any(String) });
      }
    }
    expect(JSON.stringify(schemas['Order'])).toContain('lines');
  });

  it('publishes the date rule of x-date-format as a pattern that accepts exactly the dates the server does', () => {
    const schemas = spec.components['schemas'] as Record<string, { properties: Record<string, { pattern?: string; description?: string }> }>;
    const shown = schemas['Invoice']?.properties['InvoiceDate'];
    expect(shown?.description).toMatch(/real calendar date and time/);
    const pattern = new RegExp(shown?.pattern as string, 'u');
    for (const text of ['00/00/0000 00:00', '31/02/2010 10:00', '29/02/2011 10:00', '29/02/1900 10:00', '01/13/2010 10:00', '01/12/2010 24:00', '1/12/2010 10:00']) {
      expect(pattern.test(text)).toBe(false);
    }
    for (const text of ['01/12/2010 08:26', '29/02/2012 23:59', '29/02/2000 00:00', '31/12/1999 00:00', '30/04/2024 12:30']) expect(pattern.test(text)).toBe(true);
    // Every day and month (and out-of-range ones) of leap, common and century years, against the keyword itself.
    const format = dateFormat('dd/mm/YYYY HH:MM');
    const two = (n: number) => String(n).padStart(2, '0');
    for (const year of ['0000', '0004', '1900', '2000', '2011', '2012', '2100', '2400', '9999']) {
      for (let month = 0; month <= 13; month += 1) {
        for (let day = 0; day <= 32; day += 1) {
          const text = `${two(day)}/${two(month)}/${year} 23:59`;
          expect([text, pattern.test(text)]).toEqual([text, format.parse(text) instanceof Date]);
        }
      }
    }
    const order = schemas['Order']?.properties['placedAt'];
    expect(new RegExp(order?.pattern as string, 'u').test('2024-02-29 00:00:00')).toBe(true);
    expect(new RegExp(order?.pattern as string, 'u').test('2023-02-29 00:00:00')).toBe(false);
  });

  it("says what a batch must hold: 1 to the pipeline's limit of elements, at least one of them a valid document", () => {
    for (const [path, component, maxItems] of [
      ['/v1/documents/batch', 'Invoice', 10_000],
      ['/v1/pipelines/invoices/documents/batch', 'Invoice', 10_000],
      ['/v1/pipelines/orders/documents/batch', 'Order', repositoryPipeline('orders').spec.ingest?.maxBatchDocuments],
    ] as const) {
      const content = (spec.paths[path]?.['post'] as Operation).requestBody?.content as Record<string, { schema: Record<string, unknown> }>;
      // Not `items`: an element that is not a valid document is rejected on its own, in a 202.
      expect(content['application/json']?.schema).toEqual({
        type: 'array',
        minItems: 1,
        maxItems,
        contains: { $ref: `#/components/schemas/${component}` },
        description: expect.stringMatching(/202 when at least one is a valid document, a 422 when none is/),
      });
      expect(content['application/x-ndjson']?.schema).toMatchObject({ type: 'string', pattern: '\\S' });
    }
  });

  it('states the rule for the text of every JSON body, and the 422 of the routes that are not for documents', () => {
    const { description } = (spec as unknown as { info: { description: string } }).info;
    expect(description).toMatch(/must be UTF-8: other bytes are answered 400/);
    expect(description).toMatch(/deeper than 64 levels, holds more than 10000 keys .* lone UTF-16 surrogate such as \\ud800/);
    for (const path of ['/v1/users', '/v1/token']) expect((spec.paths[path]?.['post'] as Operation).responses['422']?.description).toMatch(/lone surrogate/);
  });

  it('documents /metrics as the Prometheus text it answers', async () => {
    const metrics = spec.paths['/metrics']?.['get'] as Operation;
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(Object.keys(metrics.responses['200']?.content ?? {})).toEqual([res.headers['content-type']]);
  });

  it("gives each served pipeline paths of its own, which take only that pipeline's documents", () => {
    for (const [name, component] of [['invoices', 'Invoice'], ['orders', 'Order']] as const) {
      for (const [path, method] of [
        [`/v1/pipelines/${name}/documents`, 'post'],
        [`/v1/pipelines/${name}/documents/batch`, 'post'],
        [`/v1/pipelines/${name}/documents/{id}`, 'get'],
        [`/v1/pipelines/${name}/rejected/replay`, 'post'],
      ] as const) {
        const operation = spec.paths[path]?.[method] as Operation & { summary: string };
        expect(operation.parameters?.find((p) => p.name === 'pipeline')).toBeUndefined();
        expect(operation.summary).toMatch(new RegExp(`\\(${name}\\)$`));
      }
      const single = spec.paths[`/v1/pipelines/${name}/documents`]?.['post'] as Operation;
      expect(single.requestBody?.content['application/json']).toEqual({ schema: { $ref: `#/components/schemas/${component}` } });
      expect(single.parameters).toContainEqual(expect.objectContaining({ in: 'header', name: 'idempotency-key' }));
    }
    expect(Object.keys(spec.paths).filter((path) => path.includes('{pipeline}'))).toEqual([]);
    for (const marker of ['x-docpipe-body', 'x-docpipe-optional-body']) expect(JSON.stringify(spec)).not.toContain(marker);
  });

  it('documents the replay: admin only, its window and its counts', () => {
    const replay = spec.paths['/v1/pipelines/orders/rejected/replay']?.['post'] as Operation;
    expect(Object.keys(replay.responses).sort()).toEqual(['200', '400', '401', '403', '404', '415', '422', '503']);
    expect(JSON.stringify(replay.requestBody)).toContain('date-time');
    // No body is the whole window (the route's preValidation).
    expect(replay.requestBody).toMatchObject({ required: false });
    expect(JSON.stringify(replay.responses['200'])).toContain('alreadyStored');
  });

  it('documents the rate limit on /v1/token', () => {
    const token = spec.paths['/v1/token']?.['post'] as Operation;
    expect(token.responses['429']?.headers).toHaveProperty('retry-after');
    expect(token.responses['401']).toBeDefined();
  });

  it('serves the UI', async () => {
    const res = await app.inject({ method: 'GET', url: '/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
  });
});

describe('OpenAPI after a live change of the pipelines', () => {
  it('shows a pipeline added to the folder, and drops one removed, on the next request', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ingest-pipelines-'));
    await cp(PIPELINES_DIR, dir, { recursive: true });
    const app = await buildTestApp({ PIPELINES_DIR: dir });
    const served = async () => {
      const spec = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
      return Object.keys(spec.paths).flatMap((path) => /^\/v1\/pipelines\/([^/]+)\/documents$/.exec(path)?.[1] ?? []);
    };
    const eventually = async (expected: string[]) => {
      const deadline = Date.now() + 10_000;
      while (JSON.stringify(await served()) !== JSON.stringify(expected)) {
        if (Date.now() > deadline) throw new Error(`the served pipelines did not become ${expected.join(', ')}: ${await served()}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    try {
      expect(await served()).toEqual(['invoices', 'orders']);
      const returns = (await readFile(join(dir, 'orders.yaml'), 'utf8')).replace('name: orders', 'name: returns').replace('$id: Order', '$id: Return');
      await writeFile(join(dir, 'returns.yaml'), returns);
      await eventually(['invoices', 'orders', 'returns']);
      const spec = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
      expect(spec.components.schemas.Return).toMatchObject({ 'x-docpipe-pipeline': 'returns' });
      await rm(join(dir, 'orders.yaml'));
      await eventually(['invoices', 'returns']);
    } finally {
      await app.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
