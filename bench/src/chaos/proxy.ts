// A TCP proxy between two parts (ingest and a broker, the consumer and the store) that can fail the
// way networks do, so a scenario can cut a link without touching either process.
import { once } from 'node:events';
import { createConnection, createServer, type Server, type Socket } from 'node:net';

/**
 * - `pass`: bytes flow both ways.
 * - `blackhole`: nothing flows and nothing is refused, as when a link drops packets: open
 *   connections stall, new ones are accepted and wait. Healing delivers what was held, in order, as
 *   TCP's retransmissions would, unless an end gave up meanwhile.
 * - `reset`: every open connection is reset (RST) and so is each new one.
 * - `hold-replies`: requests reach the server, its answers wait; the tool to stop a client after a
 *   write landed and before it learned so.
 */
export type ProxyMode = 'pass' | 'blackhole' | 'reset' | 'hold-replies';

interface Link {
  readonly client: Socket;
  upstream: Socket | undefined;
}

export class FaultProxy {
  readonly #server: Server;
  readonly #target: { readonly host: string; readonly port: number };
  readonly #links = new Set<Link>();
  #mode: ProxyMode = 'pass';

  private constructor(server: Server, target: { host: string; port: number }) {
    this.#server = server;
    this.#target = target;
    server.on('connection', (client) => this.#accept(client));
  }

  /** Listens on 127.0.0.1:`port` (0: any free port) and forwards to 127.0.0.1:`targetPort`. */
  static async start(port: number, targetPort: number): Promise<FaultProxy> {
    const server = createServer({ noDelay: true, pauseOnConnect: true });
    const proxy = new FaultProxy(server, { host: '127.0.0.1', port: targetPort });
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    return proxy;
  }

  get port(): number {
    return (this.#server.address() as { port: number }).port;
  }

  get mode(): ProxyMode {
    return this.#mode;
  }

  /** Connections open now. */
  get connections(): number {
    return this.#links.size;
  }

  set(mode: ProxyMode): void {
    this.#mode = mode;
    for (const link of [...this.#links]) this.#apply(link);
  }

  async close(): Promise<void> {
    for (const link of [...this.#links]) this.#drop(link, true);
    this.#server.close();
    await once(this.#server, 'close');
  }

  #accept(client: Socket): void {
    const link: Link = { client, upstream: undefined };
    this.#links.add(link);
    client.on('error', () => this.#drop(link, true));
    client.on('close', () => this.#drop(link, false));
    this.#apply(link);
  }

  /** Brings one link in line with the mode; called on every change, so it is idempotent. */
  #apply(link: Link): void {
    const mode = this.#mode;
    if (mode === 'reset') {
      this.#drop(link, true);
      return;
    }
    if (mode === 'blackhole') {
      link.client.pause();
      link.upstream?.pause();
      return;
    }
    if (link.upstream === undefined) {
      link.upstream = this.#connect(link);
      return;
    }
    if (link.upstream.connecting) return;
    link.client.resume();
    if (mode === 'hold-replies') link.upstream.pause();
    else link.upstream.resume();
  }

  #connect(link: Link): Socket {
    const upstream = createConnection({ ...this.#target, noDelay: true });
    upstream.pause();
    upstream.on('error', () => this.#drop(link, true));
    upstream.on('close', () => this.#drop(link, false));
    upstream.once('connect', () => {
      this.#forward(link.client, upstream, () => this.#mode === 'pass' || this.#mode === 'hold-replies');
      this.#forward(upstream, link.client, () => this.#mode === 'pass');
      this.#apply(link);
    });
    return upstream;
  }

  /**
   * Copies `from` to `to` with backpressure, by hand rather than with pipe(), which resumes its
   * source on every drain and would let bytes through a link the mode holds.
   */
  #forward(from: Socket, to: Socket, flows: () => boolean): void {
    from.on('data', (chunk: Buffer) => {
      if (to.write(chunk)) return;
      from.pause();
      to.once('drain', () => {
        if (flows()) from.resume();
      });
    });
    from.on('end', () => to.end());
  }

  /** Forgets the link; a fault resets both ends (RST), so each learns at once that it is gone. */
  #drop(link: Link, reset: boolean): void {
    if (!this.#links.delete(link)) return;
    for (const socket of [link.client, link.upstream]) {
      if (socket === undefined || socket.destroyed) continue;
      if (reset) socket.resetAndDestroy();
      else socket.destroy();
    }
  }
}
