import { setTimeout as sleep } from 'node:timers/promises';
import type { KafkaAccess } from '@docpipe/contract';
import { createBatchingProducer, createKafkaClient, ensureTopics, grantAccess, type OutgoingRecord, type TopicRequest } from '@docpipe/kafka';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export interface KafkaOutlet {
  /** Resolves once Kafka acknowledged every record (acks=all); rejects with KafkaUnavailableError. */
  publish(topic: string, records: readonly OutgoingRecord[]): Promise<void>;
  /**
   * Creates the topics that do not exist yet (KAFKA_CREATE_TOPICS) and, with an administrator,
   * grants ingest's user `access` on them; resolves with the topics it created.
   */
  ensureTopics(requests: readonly TopicRequest[], access: KafkaAccess): Promise<string[]>;
  /** Resolves when the producer is connected and a broker answers a metadata request. */
  ping(): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    kafka: KafkaOutlet;
  }
}

const RECONNECT_DELAY_MS = 1000;

/**
 * The one long-lived producer of the process. Records of concurrent requests share produce
 * requests (BatchingProducer lingers), which is what makes thousands of documents a second possible.
 */
export default fp(
  async function kafka(app: FastifyInstance) {
    const { kafka: config } = app.config;
    const log = app.log.child({ component: 'kafka' });
    const connection = { brokers: config.brokers, clientId: config.clientId, sasl: config.sasl, ssl: config.ssl, library: config.library, logger: log };
    const client = createKafkaClient(connection);
    const provisioner = config.admin ? createKafkaClient({ ...connection, sasl: config.admin }) : client;
    const producer = createBatchingProducer(connection, {
      ackTimeoutMs: config.ackTimeoutMs,
      lingerMs: config.lingerMs,
      maxQueuedRecords: config.maxQueuedRecords,
    });
    // A separate admin connection answers readiness probes; retries are left to the prober.
    const admin = client.admin({ retry: { retries: 0 } });
    const { produceDuration, produceErrors } = app.metrics;

    // Boot does not wait for Kafka: the service starts unready and connects when Kafka comes up.
    let closing = false;
    void (async () => {
      while (!closing) {
        try {
          await producer.connect();
          log.info({ library: config.library }, 'Kafka producer connected');
          if (closing) await producer.disconnect();
          return;
        } catch (error) {
          log.warn({ err: error }, 'Kafka producer cannot connect yet; retrying');
          await sleep(RECONNECT_DELAY_MS);
        }
      }
    })();

    app.decorate('kafka', {
      async publish(topic, records) {
        if (records.length === 0) return;
        const done = produceDuration.startTimer();
        try {
          await producer.send(topic, records);
        } catch (error) {
          produceErrors.inc();
          throw error;
        } finally {
          done();
        }
      },
      async ensureTopics(requests, access) {
        const created = await ensureTopics(provisioner, requests);
        if (config.admin && config.sasl) await grantAccess(provisioner, config.sasl.username, access);
        return created;
      },
      async ping() {
        if (!producer.connected) throw new Error('the producer is not connected');
        await admin.connect();
        await admin.describeCluster();
      },
    } satisfies KafkaOutlet);

    // onClose runs after in-flight requests finished: what they queued is flushed before leaving.
    // A connect attempt still retrying (kafkajs backs off for ~10 s) is not waited for: the loop
    // above disconnects when it ends.
    app.addHook('onClose', async () => {
      closing = true;
      const disconnects = [admin.disconnect(), ...(producer.connected ? [producer.disconnect()] : [])];
      for (const result of await Promise.allSettled(disconnects)) {
        if (result.status === 'rejected') log.warn({ err: result.reason }, 'Kafka did not disconnect cleanly');
      }
    });
  },
  { name: 'kafka', dependencies: ['config', 'metrics'] },
);
