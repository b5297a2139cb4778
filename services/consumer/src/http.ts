import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthServerOptions {
  readonly port: number;
  readonly host?: string;
  readonly registry: Registry;
  /** Why the consumer cannot do its work now, or undefined when it can. */
  readonly notReady: () => Promise<string | undefined>;
}

/** `/metrics` for Prometheus, `/healthz` (the process answers) and `/readyz` for the kubelet. */
export async function startHealthServer(options: HealthServerOptions): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    const answer = (status: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(status, { 'content-type': type }).end(body);
    };
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') return answer(405, 'method not allowed\n');
    switch (path) {
      case '/metrics':
        return void options.registry.metrics().then(
          (text) => answer(200, text, options.registry.contentType),
          (error: unknown) => answer(500, `${(error as Error).message}\n`),
        );
      case '/healthz':
        return answer(200, 'ok\n');
      case '/readyz':
        return void options.notReady().then((reason) => (reason ? answer(503, `${reason}\n`) : answer(200, 'ready\n')));
      default:
        return answer(404, 'not found\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', resolve);
  });
  return { server, port: (server.address() as AddressInfo).port };
}
