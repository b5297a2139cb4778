import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BRIDGE_CONTENT_TYPE, bridgeMeasurement } from '../src/bridge-load.js';

// The Kafka Bridge cannot be installed everywhere (bench/README.md), so its driver is checked
// against a stand-in answering as the bridge's producer API does.
describe('bridgeMeasurement', () => {
  let server: Server;
  let url: string;
  const seen: Array<{ path: string; type: string | undefined; records: Array<{ key: unknown; value: unknown }> }> = [];

  const body = async (request: IncomingMessage) => {
    let text = '';
    for await (const chunk of request) text += String(chunk);
    return JSON.parse(text) as { records: Array<{ key: unknown; value: unknown }> };
  };

  beforeAll(async () => {
    server = createServer((request, response) => {
      void body(request).then(({ records }) => {
        seen.push({ path: request.url ?? '', type: request.headers['content-type'], records });
        // The last record of a batch of 3 fails, as the bridge reports a record Kafka refused.
        const offsets = records.map((_r, i) => (records.length === 3 && i === 2 ? { error_code: 500, message: 'refused' } : { partition: 0, offset: i }));
        response.writeHead(200, { 'content-type': BRIDGE_CONTENT_TYPE }).end(JSON.stringify({ offsets }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('posts keyed JSON records to the topic and counts the acknowledged ones', async () => {
    const outcome = await bridgeMeasurement({ url, topic: 'documents', count: 9, warmup: 0, concurrency: 2, batchSize: 3, seed: 1 });
    expect(outcome).toMatchObject({ status: 'ok', count: 6, notes: ['3 records failed'] });
    expect(seen).toHaveLength(3);
    expect(seen.every((s) => s.path === '/topics/documents' && s.type === BRIDGE_CONTENT_TYPE)).toBe(true);
    const record = seen[0]?.records[0];
    expect(record?.key).toMatch(/^[0-9a-f-]{36}$/);
    expect(record?.value).toHaveProperty('InvoiceNo');
  });

  it('fails when nothing was acknowledged', async () => {
    const outcome = await bridgeMeasurement({ url: 'http://127.0.0.1:1', topic: 'documents', count: 2, warmup: 0, concurrency: 1, batchSize: 1, seed: 1 });
    expect(outcome).toEqual({ status: 'failed', reason: 'the bridge accepted none of 2 records' });
  });
});
