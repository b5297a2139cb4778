import { Counter, Gauge, Histogram } from 'prom-client';
import { serviceRegistry } from '@docpipe/runtime';

/** The operator's metrics (prefix operator_) in a registry of their own. */
export function createMetrics() {
  const registry = serviceRegistry();
  const registers = [registry];
  return {
    registry,
    reconciles: new Counter({
      name: 'operator_reconciles_total',
      help: 'Reconciles of a DocumentPipeline, by result (success, requeue, error)',
      labelNames: ['result'] as const,
      registers,
    }),
    errors: new Counter({ name: 'operator_reconcile_errors_total', help: 'Reconciles that failed and were requeued with backoff', registers }),
    duration: new Histogram({
      name: 'operator_reconcile_duration_seconds',
      help: 'Duration of one reconcile, failed ones included',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    queueDepth: new Gauge({ name: 'operator_queue_depth', help: 'Pipelines waiting in the work queue', registers }),
    leader: new Gauge({ name: 'operator_leader', help: '1 while this replica holds the leader Lease', registers }),
  };
}

export type OperatorMetrics = ReturnType<typeof createMetrics>;
