import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { invoice } from './helpers.js';
import { stackEnv, TopicReader } from './stack.js';

const SERVER = fileURLToPath(new URL('../src/server.ts', import.meta.url));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the server process against the stack', () => {
  it('on SIGTERM finishes the requests in flight (202 only after Kafka acked) and exits 0', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', SERVER], {
      env: stackEnv({ PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', KAFKA_LINGER_MS: '20', KAFKAJS_NO_PARTITIONER_WARNING: '1' }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = once(child, 'exit');
    const reader = await TopicReader.start(['documents']);
    try {
      const deadline = Date.now() + 30_000;
      while ((await fetch(`${base}/readyz`).then((r) => r.status, () => 0)) !== 200) {
        if (Date.now() > deadline) throw new Error(`the server did not become ready:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      const json = { 'content-type': 'application/json' };
      const credentials = JSON.stringify({ username: `it-${port}-${Date.now()}`, password: 'long-enough-password' });
      expect((await fetch(`${base}/v1/users`, { method: 'POST', body: credentials, headers: json })).status).toBe(201);
      const { access_token: token } = (await (await fetch(`${base}/v1/token`, { method: 'POST', body: credentials, headers: json })).json()) as {
        access_token: string;
      };

      const posts = Array.from({ length: 20 }, () =>
        fetch(`${base}/v1/documents`, { method: 'POST', body: JSON.stringify(invoice()), headers: { ...json, authorization: `Bearer ${token}` } }).then(
          async (r) => ({ status: r.status, body: (await r.json()) as { id?: string } }),
          () => ({ status: 0, body: {} as { id?: string } }),
        ),
      );
      // The producer lingers 20 ms: the requests are waiting for Kafka when the signal arrives.
      await new Promise((resolve) => setTimeout(resolve, 10));
      child.kill('SIGTERM');
      const answers = await Promise.all(posts);
      const [code] = await exited;

      expect(code, output).toBe(0);
      const accepted = answers.filter((a) => a.status === 202);
      expect(accepted.length).toBeGreaterThan(0);
      for (const a of answers) expect([202, 503, 0]).toContain(a.status);
      for (const a of accepted) await reader.records(a.body.id as string);
      expect(output).toMatch(/"signal":"SIGTERM","msg":"closing"/);
    } finally {
      child.kill('SIGKILL');
      await reader.stop();
    }
  });
});
