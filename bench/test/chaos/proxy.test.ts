import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FaultProxy } from '../../src/chaos/proxy.js';

/** An echo server that prefixes each answer, so the test can tell what crossed the proxy. */
let echo: Server;
let serverReceived = '';
let proxy: FaultProxy;
const clients: Socket[] = [];

beforeEach(async () => {
  serverReceived = '';
  echo = createServer((socket) =>
    // The proxy resets the server's side too in reset mode.
    socket.on('error', () => undefined).on('data', (chunk) => {
      serverReceived += chunk.toString();
      socket.write(`echo:${chunk}`);
    }),
  ).listen(0, '127.0.0.1');
  await once(echo, 'listening');
  proxy = await FaultProxy.start(0, (echo.address() as { port: number }).port);
});

afterEach(async () => {
  for (const client of clients.splice(0)) client.destroy();
  await proxy.close();
  echo.close();
});

async function client(): Promise<{ socket: Socket; received: () => string; closed: Promise<unknown> }> {
  const socket = connect(proxy.port, '127.0.0.1');
  clients.push(socket);
  let text = '';
  socket.on('data', (chunk) => (text += chunk.toString()));
  const closed = new Promise((resolve) => socket.on('close', resolve).on('error', resolve));
  await once(socket, 'connect');
  return { socket, received: () => text, closed };
}

async function until(condition: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

describe('the fault proxy', () => {
  it('passes bytes both ways', async () => {
    const c = await client();
    c.socket.write('a');
    await until(() => c.received() === 'echo:a');
  });

  it('holds everything in a blackhole, new connections too, and delivers it in order once healed', async () => {
    const open = await client();
    proxy.set('blackhole');
    open.socket.write('held');
    const late = await client();
    late.socket.write('late');
    await sleep(200);
    expect(open.received()).toBe('');
    expect(late.received()).toBe('');
    proxy.set('pass');
    await until(() => open.received() === 'echo:held' && late.received() === 'echo:late');
  });

  it('resets open and new connections while in reset, and passes again afterwards', async () => {
    const open = await client();
    proxy.set('reset');
    await open.closed;
    const refused = connect(proxy.port, '127.0.0.1');
    clients.push(refused);
    const [error] = (await Promise.race([once(refused, 'error'), once(refused, 'close').then(() => [new Error('closed')])])) as [Error];
    expect(error).toBeInstanceOf(Error);
    proxy.set('pass');
    const again = await client();
    again.socket.write('b');
    await until(() => again.received() === 'echo:b');
  });

  it('lets requests through and holds the answers in hold-replies', async () => {
    const c = await client();
    proxy.set('hold-replies');
    c.socket.write('request');
    await until(() => serverReceived.includes('request'));
    await sleep(200);
    expect(c.received()).toBe('');
    proxy.set('pass');
    await until(() => c.received() === 'echo:request');
  });
});
