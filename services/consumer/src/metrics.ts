import { Counter, Gauge, Histogram } from 'prom-client';
import { serviceRegistry } from '@docpipe/runtime';

/** The consumer's metrics (names per docs/architecture.md) in a registry of their own. */
export function createMetrics() {
  const registry = serviceRegistry();
  const registers = [registry];
  return {
    registry,
    batchSize: new Histogram({
      name: 'consumer_batch_size',
      help: 'Records per handled chunk',
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000],
      registers,
    }),
    writeDuration: new Histogram({
      name: 'consumer_write_duration_seconds',
      help: 'Duration of one insertMany round trip, failed ones included',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    stored: new Counter({
      name: 'consumer_documents_stored_total',
      help: 'Documents inserted, by collection',
      labelNames: ['collection'] as const,
      registers,
    }),
    duplicates: new Counter({
      name: 'consumer_duplicates_total',
      help: 'Documents already stored (duplicate key): replays after a crash or a rebalance, or ids produced twice',
      registers,
    }),
    deadletters: new Counter({
      name: 'consumer_deadletters_total',
      help: 'Poison records sent to the dead-letter topic and collection',
      registers,
    }),
    lag: new Gauge({
      name: 'consumer_lag',
      help: 'Records behind the end of the partition after the last handled chunk',
      labelNames: ['topic', 'partition'] as const,
      registers,
    }),
    writeRetries: new Counter({
      name: 'consumer_write_retries_total',
      help: 'Writes (MongoDB or the dead-letter topic) retried after a transient error',
      registers,
    }),
  };
}

export type ConsumerMetrics = ReturnType<typeof createMetrics>;
