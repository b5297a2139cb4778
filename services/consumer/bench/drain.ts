// Measures how fast the consumer drains a pre-filled topic into MongoDB/FerretDB.
//
//   eval "$(DOCPIPE_PROFILE=consumerdev scripts/stack/env.sh)"
//   npm run build && node services/consumer/bench/drain.ts [documents=50000] [--cpu-prof]
//
// It fills topics of its own (6 partitions, like `documents` in the stack) with valid documents
// plus 2% rejections, runs dist/server.js as a child process (with --cpu-prof when asked: the
// profile lands in services/consumer/bench/profiles/), waits until every record is stored, and
// prints the rate. Topics, group and database are deleted afterwards.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import { MongoClient } from 'mongodb';

const total = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 50_000);
const cpuProf = process.argv.includes('--cpu-prof');
const brokers = process.env['KAFKA_BROKERS'];
const mongoUri = process.env['MONGODB_URI'];
if (!brokers || !mongoUri) throw new Error('load the stack env first: eval "$(scripts/stack/env.sh)"');

const suffix = randomBytes(4).toString('hex');
const topics = { documents: `bench.documents.${suffix}`, rejected: `bench.rejected.${suffix}`, deadLetter: `bench.dlq.${suffix}` };
const database = `bench_consumer_${suffix}`;
const groupId = `bench-consumer-${suffix}`;
const owner = '0b5c6f3e-8d1e-4f57-9a4c-3a1f8c2b7d10';
const receivedAt = new Date().toISOString();

const kafka = new Kafka({ clientId: 'consumer-bench', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
const admin = kafka.admin();
await admin.connect();
await admin.createTopics({
  waitForLeaders: true,
  topics: [
    { topic: topics.documents, numPartitions: 6 },
    { topic: topics.rejected, numPartitions: 3 },
    { topic: topics.deadLetter, numPartitions: 1 },
  ],
});

const producer = kafka.producer();
await producer.connect();
const rejectedCount = Math.floor(total * 0.02);
const documentCount = total - rejectedCount;
const filled = performance.now();
for (let start = 0; start < total; start += 5000) {
  const documents = [];
  const rejected = [];
  for (let n = start; n < Math.min(start + 5000, total); n += 1) {
    const id = `${suffix}-${n}`;
    if (n < rejectedCount) {
      rejected.push({ key: id, value: JSON.stringify({ id, owner, receivedAt, errors: [{ field: 'CustomerID', reason: 'is required' }], doc: { InvoiceNo: '536365' } }) });
      continue;
    }
    const doc = {
      InvoiceNo: `${n % 10 === 0 ? 'C' : ''}${536365 + (n % 100_000)}`,
      StockCode: `${85000 + (n % 999)}A`,
      Description: 'WHITE HANGING HEART T-LIGHT HOLDER',
      Quantity: (n % 48) + 1,
      InvoiceDate: '01/12/2010 08:26',
      UnitPrice: 2.55,
      CustomerID: 12346 + (n % 5000),
      Country: 'United Kingdom',
    };
    documents.push({ key: id, value: JSON.stringify({ id, owner, receivedAt, doc }) });
  }
  await producer.sendBatch({
    acks: -1,
    topicMessages: [
      { topic: topics.documents, messages: documents },
      { topic: topics.rejected, messages: rejected },
    ].filter((t) => t.messages.length > 0),
  });
}
await producer.disconnect();
console.log(`filled ${documentCount} documents + ${rejectedCount} rejections in ${Math.round(performance.now() - filled)} ms`);

const serviceDir = fileURLToPath(new URL('..', import.meta.url));
const profileDir = fileURLToPath(new URL('profiles/', import.meta.url));
const child = spawn(process.execPath, [...(cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []), 'dist/server.js'], {
  cwd: serviceDir,
  stdio: ['ignore', 'inherit', 'inherit'],
  env: {
    PATH: process.env['PATH'] ?? '',
    KAFKA_BROKERS: brokers,
    MONGODB_URI: mongoUri,
    MONGODB_DATABASE: database,
    KAFKA_TOPIC_DOCUMENTS: topics.documents,
    KAFKA_TOPIC_REJECTED: topics.rejected,
    KAFKA_TOPIC_DEADLETTER: topics.deadLetter,
    KAFKA_GROUP_ID: groupId,
    METRICS_PORT: process.env['BENCH_METRICS_PORT'] ?? '0',
    LOG_LEVEL: 'warn',
    ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('CONSUMER_'))),
  },
});

const mongo = await new MongoClient(mongoUri).connect();
const db = mongo.db(database);
const started = performance.now();
let firstStoredAt: number | undefined;
let stored = 0;
while (stored < total) {
  await new Promise((resolve) => setTimeout(resolve, 200));
  stored = (await db.collection('documents').estimatedDocumentCount()) + (await db.collection('rejected').estimatedDocumentCount());
  if (stored > 0) firstStoredAt ??= performance.now();
  if (performance.now() - started > 600_000) throw new Error(`only ${stored} of ${total} stored after 10 minutes`);
}
const done = performance.now();
child.kill('SIGTERM');
await new Promise((resolve) => child.once('exit', resolve));

const seconds = (done - started) / 1000;
const steady = (done - (firstStoredAt ?? started)) / 1000;
console.log(
  `drained ${total} records in ${seconds.toFixed(1)} s from process start (${Math.round(total / seconds)} docs/s), ` +
    `${steady.toFixed(1)} s from the first stored (${Math.round(total / steady)} docs/s)`,
);

await db.dropDatabase();
await mongo.close();
await admin.deleteTopics({ topics: Object.values(topics) });
await admin.deleteGroups([groupId]).catch(() => undefined);
await admin.disconnect();
