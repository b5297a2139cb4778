import { createKafkaClient } from '@docpipe/kafka';
import { stackKafkaAdmin } from '@docpipe/testing';

/**
 * Fails when another consumer is in the consumer group: it would take some of the partitions, and
 * store what it reads in its own database, out of reach of this test's ingest (e.g. make local
 * running on the same profile).
 */
export async function requireNoOtherConsumer(): Promise<void> {
  const groupId = process.env['KAFKA_GROUP_ID'] || 'docpipe-consumer';
  const silent = { error() {}, warn() {}, info() {}, debug() {} };
  const admin = createKafkaClient({ ...stackKafkaAdmin('load-it'), logger: silent }).admin();
  await admin.connect();
  try {
    const { groups } = await admin.describeGroups([groupId]);
    const members = groups[0]?.members.length ?? 0;
    if (members > 0) throw new Error(`${members} consumer(s) of group ${groupId} already run against this stack: stop them, or use a profile of its own`);
  } finally {
    await admin.disconnect();
  }
}
