import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alternatingMeasurements, type HttpRun } from '../src/http-load.js';

/** Which stand-in answered each document request, in order of arrival. */
const arrivals: string[] = [];

/** A stand-in for ingest's API as the load client uses it: every document is accepted. */
async function standIn(name: string): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const answer = (status: number, body: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (request.url === '/v1/users') return answer(201, { id: randomUUID(), username: 'bench', createdAt: new Date().toISOString() });
      if (request.url === '/v1/token') return answer(200, { access_token: 'token', token_type: 'Bearer', expires_in: 900 });
      arrivals.push(name);
      return answer(202, { id: randomUUID() });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** The arrivals with repeats folded: A A B B B A -> A B A. */
const turns = (names: readonly string[]) => names.filter((name, i) => name !== names[i - 1]);

describe('alternatingMeasurements', () => {
  const servers: Server[] = [];
  let runs: [HttpRun, HttpRun];

  beforeAll(async () => {
    const a = await standIn('A');
    const b = await standIn('B');
    servers.push(a.server, b.server);
    const run = (url: string): HttpRun => ({ url, count: 10, warmup: 3, concurrency: 1, batchSize: 1, seed: 1 });
    runs = [run(a.url), run(b.url)];
  });
  afterAll(() => Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())))));

  it('warms both up, then takes turns ABBA and spreads each count over the rounds', async () => {
    arrivals.length = 0;
    const [a, b] = await alternatingMeasurements(runs, 4);

    // Warm-ups (A, B), then rounds: A B, B A, A B, B A.
    expect(turns(arrivals)).toEqual(['A', 'B', 'A', 'B', 'A', 'B', 'A']);
    expect(arrivals.filter((n) => n === 'A')).toHaveLength(3 + 10);
    for (const outcome of [a, b]) {
      expect(outcome).toMatchObject({ status: 'ok', count: 10 });
      if (outcome?.status !== 'ok') continue;
      expect(outcome.notes?.[0]).toMatch(/^4 rounds alternating with the other server, docs\/s: [\d,]+, [\d,]+, [\d,]+, [\d,]+$/);
      expect(outcome.throughput).toBeCloseTo(10 / outcome.seconds, 6);
      expect(outcome.latencyMs?.max).toBeGreaterThan(0);
    }
  });

  it('rejects when a target cannot be reached, so the frame fails both measurements', async () => {
    await expect(alternatingMeasurements([runs[0], { ...runs[1], url: 'http://127.0.0.1:1', warmup: 0 }], 2)).rejects.toThrow();
  });
});
