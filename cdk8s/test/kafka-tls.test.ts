// The production consumer, configured from its manifest's env, opens TLS to a broker whose
// certificate the cluster CA signed, and refuses one signed by another CA: KAFKA_CA_FILE reaches
// the client through the part's config. The broker is a TLS server that hangs up after the handshake.
import './support/prepare.js';
import { KAFKA_LIBRARIES, type KafkaLibrary } from '@docpipe/contract';
import { createBatchingProducer, createKafkaClient } from '@docpipe/kafka';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { environments } from '../src/config.js';
import { deployedManifests } from './support/deployed.js';
import { partContainers, parts, plainEnv, secretValues } from './support/service-env.js';

const dir = mkdtempSync(join(tmpdir(), 'docpipe-kafka-tls-'));
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });

/** A CA (in <name>.crt) and, when `server`, a certificate it signed for 127.0.0.1 (in server.*). */
function ca(name: string, server = false) {
  openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.crt`);
  if (!server) return;
  openssl('req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=docpipe-kafka-bootstrap', '-keyout', 'server.key', '-out', 'server.csr');
  execFileSync('sh', ['-c', "printf 'subjectAltName=IP:127.0.0.1\\n' > san.ext"], { cwd: dir });
  openssl('x509', '-req', '-in', 'server.csr', '-CA', `${name}.crt`, '-CAkey', `${name}.key`, '-CAcreateserial', '-days', '1', '-extfile', 'san.ext', '-out', 'server.crt');
}

let server: Server;
let port = 0;
beforeAll(async () => {
  ca('cluster-ca', true);
  ca('other-ca');
  server = createServer({ key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.crt')) }, (socket) => socket.destroy());
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  port = (server.address() as { port: number }).port;
}, 60_000);
afterAll(() => {
  server?.close();
  rmSync(dir, { recursive: true, force: true });
});

const silent = { error() {}, warn() {}, info() {}, debug() {} };

describe('the production consumer', () => {
  const all = deployedManifests(environments.production);
  const consumer = partContainers(all).find((c) => c.where === 'Deployment/consumer-orders container consumer')!;
  const env = plainEnv(consumer.container, secretValues(all));

  /**
   * Connects as the manifest says, to the test broker and with this CA file: did the TLS handshake
   * complete? kafkajs' admin client, and the producer on each client library.
   */
  async function handshake(caFile: string, client: 'admin' | KafkaLibrary): Promise<boolean> {
    const outcome = Promise.race([once(server, 'secureConnection').then(() => true), once(server, 'tlsClientError').then(() => false)]);
    const config = parts.consumer.loadConfig({ ...env, KAFKA_BROKERS: `127.0.0.1:${port}`, KAFKA_CA_FILE: caFile }) as { kafka: Parameters<typeof createKafkaClient>[0] };
    const connection = { ...config.kafka, logger: silent, ...(client === 'admin' ? {} : { library: client }) };
    const peer = client === 'admin' ? createKafkaClient(connection).admin({ retry: { retries: 0 } }) : createBatchingProducer(connection);
    // The broker hangs up after the handshake, so connecting itself fails either way.
    peer.connect().catch(() => {});
    const completed = await outcome;
    await peer.disconnect().catch(() => {});
    return completed;
  }

  it.each(['admin', ...KAFKA_LIBRARIES] as const)('completes the TLS handshake with a broker of the CA in KAFKA_CA_FILE (%s)', async (client) => {
    expect(env['KAFKA_SSL']).toBe('true');
    expect(await handshake(join(dir, 'cluster-ca.crt'), client)).toBe(true);
  });

  it.each(['admin', ...KAFKA_LIBRARIES] as const)('refuses a broker that another CA signed (%s)', async (client) => {
    expect(await handshake(join(dir, 'other-ca.crt'), client)).toBe(false);
  });
});
