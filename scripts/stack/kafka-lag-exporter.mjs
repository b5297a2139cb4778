// Consumer-group lag for the local stack, in the series Strimzi's Kafka Exporter (danielqsj/
// kafka_exporter) gives in the cluster: kafka_consumergroup_lag, kafka_consumergroup_current_offset
// and kafka_topic_partition_current_offset. The real exporter is not served by the Go module proxy
// this project installs from; without this stand-in, the lag panels and the lag alert could not be
// checked against live data here. It answers only what the cluster's exporter answers.
//   KAFKA_SASL_USERNAME=... KAFKA_SASL_PASSWORD=... node scripts/stack/kafka-lag-exporter.mjs <port> <brokers>
import { createServer } from 'node:http';
import { Kafka, logLevel } from 'kafkajs';
import { Gauge, Registry } from 'prom-client';

const [port, brokers] = process.argv.slice(2);
if (!port || !brokers) {
  console.error('usage: kafka-lag-exporter.mjs <port> <brokers>');
  process.exit(2);
}

// Read in the background, like kafka_exporter's own refresh, and served from the last complete
// read: a scrape never waits on the broker, so it cannot outlast Prometheus' scrape timeout however
// many groups the tests leave behind.
const REFRESH_MS = 4000;
// A read that fails or takes longer than this is abandoned with its client, and the next read gets a
// new one: a kafkajs client refreshes the metadata of every topic it has read, so once a test deletes
// one of them, each of its later reads fails ("This server does not host this topic-partition").
const READ_TIMEOUT_MS = 15_000;
// One retry: a topic deleted between listing and reading fails fast and is skipped, where the
// default retries would hold the whole read for seconds.
// As the stack's super user, from KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD: it reads every group.
const { KAFKA_SASL_USERNAME: username, KAFKA_SASL_PASSWORD: password } = process.env;
const sasl = username && password ? { mechanism: 'scram-sha-512', username, password } : undefined;
const kafka = new Kafka({ clientId: 'kafka-lag-exporter', brokers: brokers.split(','), sasl, logLevel: logLevel.NOTHING, retry: { retries: 1 } });
let admin = kafka.admin();

async function read() {
  const registry = new Registry();
  const groupLabels = ['consumergroup', 'topic', 'partition'];
  const lag = new Gauge({ name: 'kafka_consumergroup_lag', help: 'Current approximate lag of a consumer group at topic/partition', labelNames: groupLabels, registers: [registry] });
  const committed = new Gauge({ name: 'kafka_consumergroup_current_offset', help: 'Current offset of a consumer group at topic/partition', labelNames: groupLabels, registers: [registry] });
  const ends = new Gauge({ name: 'kafka_topic_partition_current_offset', help: 'Current offset of a broker at topic/partition', labelNames: ['topic', 'partition'], registers: [registry] });

  // Tests create and delete topics and groups all the time: one that vanished mid-read is left
  // out, never a reason to answer nothing.
  const settled = async (items, fetch) =>
    (await Promise.allSettled(items.map(async (item) => [item, await fetch(item)]))).flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const topics = (await admin.listTopics()).filter((t) => !t.startsWith('__'));
  const high = new Map();
  for (const [topic, partitions] of await settled(topics, (t) => admin.fetchTopicOffsets(t))) {
    for (const p of partitions) {
      high.set(`${topic}/${p.partition}`, Number(p.high));
      ends.set({ topic, partition: p.partition }, Number(p.high));
    }
  }
  const { groups } = await admin.listGroups();
  for (const [groupId, committedTopics] of await settled(groups.map((g) => g.groupId), (groupId) => admin.fetchOffsets({ groupId }))) {
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
  return registry;
}

let latest;
let lastError = 'no read yet';
async function refresh() {
  let timeout;
  try {
    const expired = new Promise((_, reject) => {
      timeout = setTimeout(() => reject(new Error(`no answer from the broker within ${READ_TIMEOUT_MS} ms`)), READ_TIMEOUT_MS);
    });
    latest = { registry: await Promise.race([read(), expired]), at: Date.now() };
  } catch (error) {
    lastError = error.message;
    console.error(`${new Date().toISOString()} read failed, reconnecting: ${lastError}`);
    const old = admin;
    admin = kafka.admin();
    old.disconnect().catch(() => undefined);
    await admin.connect().catch(() => undefined);
  } finally {
    clearTimeout(timeout);
  }
  timer = setTimeout(refresh, REFRESH_MS);
}

await admin.connect();
let timer = setTimeout(refresh, 0);
createServer((req, res) => {
  if (req.url !== '/metrics') {
    res.writeHead(404).end();
    return;
  }
  // A read older than three refreshes means the broker stopped answering: say so, as the real
  // exporter's failed scrape would, instead of serving stale lag as current.
  if (!latest || Date.now() - latest.at > 3 * REFRESH_MS + 10_000) {
    res.writeHead(503, { 'content-type': 'text/plain' }).end(`kafka unreachable: ${lastError}\n`);
    return;
  }
  const { registry } = latest;
  registry.metrics().then((text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text));
}).listen(Number(port), '127.0.0.1');
const stop = () => {
  clearTimeout(timer);
  admin.disconnect().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
