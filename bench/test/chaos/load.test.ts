import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { SteadyLoad } from '../../src/chaos/load.js';

let server: Server | undefined;
afterEach(() => server?.close());

/** A stand-in for ingest that answers each sequence number's attempts from a script. */
async function scripted(answers: Record<number, number[]>): Promise<{ url: string; keys: string[] }> {
  const attempts = new Map<number, number>();
  const keys: string[] = [];
  server = createServer(async (request, response) => {
    let body = '';
    for await (const chunk of request) body += chunk;
    const seq = (JSON.parse(body) as { seq: number }).seq;
    keys.push(String(request.headers['idempotency-key']));
    const attempt = attempts.get(seq) ?? 0;
    attempts.set(seq, attempt + 1);
    const script = answers[seq] ?? [202];
    const status = script[Math.min(attempt, script.length - 1)] as number;
    if (status === 0) return; // never answers: the client's timeout ends the attempt
    response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(status === 202 ? { id: `id-${seq}` } : { error: 'x' }));
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, keys };
}

describe('the steady load', () => {
  it('retries with the same key and tells acknowledged, not written and unknown apart', async () => {
    const { url, keys } = await scripted({ 1: [503, 503, 202], 2: [504, 503], 3: [400], 4: [503], 5: [0, 503] });
    const load = new SteadyLoad({ url, documentsPath: '/docs', authorization: 'Bearer t', rate: 100, timeoutMs: 300, run: 'r', document: (seq) => ({ seq }) });
    load.start();
    await sleep(55);
    const records = await load.finish(1_500);
    const bySeq = new Map(records.map((r) => [r.seq, r]));
    expect(records.length).toBeGreaterThanOrEqual(6);
    expect(bySeq.get(0)).toMatchObject({ outcome: 'acknowledged', id: 'id-0', attempts: 1 });
    expect(bySeq.get(1)).toMatchObject({ outcome: 'acknowledged', id: 'id-1', attempts: 3 });
    expect(bySeq.get(2)?.outcome, 'a 504 leaves it open, whatever follows').toBe('unanswered');
    expect(bySeq.get(3)).toMatchObject({ outcome: 'failed', attempts: 1 });
    expect(bySeq.get(4)?.outcome, 'nothing but 503s: not written').toBe('failed');
    expect(bySeq.get(4)?.attempts).toBeGreaterThan(1);
    expect(bySeq.get(5)?.outcome, 'a silence leaves it open').toBe('unanswered');
    expect(new Set(keys.filter((k) => k === 'r:1')).size).toBe(1);
    expect(keys.filter((k) => k === 'r:1')).toHaveLength(3);
    expect(load.answers.get('503')).toBeGreaterThan(0);
    expect(load.answers.get('timeout')).toBeGreaterThan(0);
  });
});
