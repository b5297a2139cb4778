// Consumer-group lag for the local stack, in the series Strimzi's Kafka Exporter (danielqsj/
// kafka_exporter) gives in the cluster: kafka_consumergroup_lag, kafka_consumergroup_current_offset
// and kafka_topic_partition_current_offset. The real exporter is not served by the Go module proxy
// this project installs from; without this stand-in, the lag panels and the lag alert could not be
// checked against live data here. It answers only what the cluster's exporter answers, read from
// the broker at scrape time.
//   node scripts/stack/kafka-lag-exporter.mjs <port> <brokers>
import { createServer } from 'node:http';
import { Kafka, logLevel } from 'kafkajs';
import { Gauge, Registry } from 'prom-client';

const [port, brokers] = process.argv.slice(2);
if (!port || !brokers) {
  console.error('usage: kafka-lag-exporter.mjs <port> <brokers>');
  process.exit(2);
}

const admin = new Kafka({ clientId: 'kafka-lag-exporter', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
const registry = new Registry();
const groupLabels = ['consumergroup', 'topic', 'partition'];
const lag = new Gauge({ name: 'kafka_consumergroup_lag', help: 'Current approximate lag of a consumer group at topic/partition', labelNames: groupLabels, registers: [registry] });
const committed = new Gauge({ name: 'kafka_consumergroup_current_offset', help: 'Current offset of a consumer group at topic/partition', labelNames: groupLabels, registers: [registry] });
const ends = new Gauge({ name: 'kafka_topic_partition_current_offset', help: 'Current offset of a broker at topic/partition', labelNames: ['topic', 'partition'], registers: [registry] });

async function collect() {
  registry.resetMetrics();
  const topics = (await admin.listTopics()).filter((t) => !t.startsWith('__'));
  const high = new Map();
  for (const [topic, partitions] of await Promise.all(topics.map(async (t) => [t, await admin.fetchTopicOffsets(t)]))) {
    for (const p of partitions) {
      high.set(`${topic}/${p.partition}`, Number(p.high));
      ends.set({ topic, partition: p.partition }, Number(p.high));
    }
  }
  const { groups } = await admin.listGroups();
  // One request per group, all at once: tests leave many groups behind, and one at a time they
  // would outlast Prometheus' scrape timeout.
  const offsets = await Promise.all(groups.map(async ({ groupId }) => ({ groupId, topics: await admin.fetchOffsets({ groupId }) })));
  for (const { groupId, topics: committedTopics } of offsets) {
    for (const { topic, partitions } of committedTopics) {
      for (const p of partitions) {
        const offset = Number(p.offset);
        const end = high.get(`${topic}/${p.partition}`);
        // Like kafka_exporter: a partition without a committed offset has no lag series.
        if (offset < 0 || end === undefined) continue;
        const labels = { consumergroup: groupId, topic, partition: p.partition };
        committed.set(labels, offset);
        lag.set(labels, Math.max(0, end - offset));
      }
    }
  }
}

await admin.connect();
createServer((req, res) => {
  if (req.url !== '/metrics') {
    res.writeHead(404).end();
    return;
  }
  collect()
    .then(() => registry.metrics())
    .then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (error) => res.writeHead(503, { 'content-type': 'text/plain' }).end(`kafka unreachable: ${error.message}\n`),
    );
}).listen(Number(port), '127.0.0.1');
const stop = () => admin.disconnect().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
