// A pipeline's topics on the local stack, with the ACLs ingest and the consumer grant themselves
// when they load it (what a cluster's KafkaUsers grant), created before a suite and deleted after.
import { consumerAccess, ingestAccess, pipelineResources } from '@docpipe/contract';
import { requireStackEnv, stackKafkaAdmin } from '@docpipe/testing';
import { afterAll, beforeAll } from 'vitest';
import { createKafkaClient, ensureTopics, grantAccess } from '../src/index.js';

export const silent = { error() {}, warn() {}, info() {}, debug() {} };

export const env = requireStackEnv(['KAFKA_BROKERS', 'KAFKA_ADMIN_SASL_USERNAME', 'DOCPIPE_KAFKA_INGEST_SASL_USERNAME', 'DOCPIPE_KAFKA_CONSUMER_SASL_USERNAME']);

/** Registers the suite's hooks; `group` is the consumer group granted to the consumer's user. */
export function grantedPipeline(name: string, group: string, partitions: number) {
  const resources = pipelineResources(name);
  const { documents, rejected, deadletter } = resources.topics;
  const admin = createKafkaClient({ ...stackKafkaAdmin(`${name}-admin`), logger: silent });

  beforeAll(async () => {
    await ensureTopics(admin, [documents, rejected, deadletter].map((topic) => ({ topic, partitions })));
    await grantAccess(admin, env.DOCPIPE_KAFKA_INGEST_SASL_USERNAME, ingestAccess([{ resources, inbox: false }]));
    await grantAccess(admin, env.DOCPIPE_KAFKA_CONSUMER_SASL_USERNAME, consumerAccess({ resources, inbox: false }, group));
  });

  afterAll(async () => {
    const client = admin.admin();
    await client.connect();
    await client.deleteTopics({ topics: [documents, rejected, deadletter] }).catch(() => undefined);
    await client.disconnect();
  });

  return { resources, admin };
}
