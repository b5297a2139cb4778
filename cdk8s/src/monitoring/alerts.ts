// The alerts, written once: the PrometheusRule and the plain rule file for promtool both come
// from this list. Only metric names from docs/architecture.md, kafka_exporter and
// kube-state-metrics.
import { CONSUMER_GROUP_PATTERN } from '@docpipe/contract';

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: { readonly severity: 'warning' | 'critical' };
  readonly annotations: { readonly summary: string; readonly description: string };
}

export interface RuleGroup {
  readonly name: string;
  readonly rules: AlertRule[];
}

/** Minutes with accepted documents but nothing stored before DocpipeNothingStored fires. */
export const NOTHING_STORED_MINUTES = 10;
/** Lag (messages) under which growth is noise, not a consumer falling behind. */
export const LAG_FLOOR = 1000;

export const ruleGroups: RuleGroup[] = [
  {
    name: 'docpipe.ingest',
    rules: [
      {
        alert: 'DocpipeIngestHighErrorRate',
        expr:
          'sum(rate(ingest_http_request_duration_seconds_count{status_code=~"5.."}[5m]))' +
          ' / sum(rate(ingest_http_request_duration_seconds_count[5m])) > 0.05',
        for: '5m',
        labels: { severity: 'critical' },
        annotations: {
          summary: 'ingest answers more than 5% of requests with 5xx',
          description: 'More than 5% of ingest requests failed with a 5xx over the last 5 minutes; see the ingest logs and the Docpipe pipeline dashboard.',
        },
      },
    ],
  },
  {
    name: 'docpipe.pipeline',
    rules: [
      {
        alert: 'DocpipeConsumerLagGrowing',
        expr:
          `sum by (consumergroup, topic) (deriv(kafka_consumergroup_lag{consumergroup=~"${CONSUMER_GROUP_PATTERN}"}[10m])) > 0` +
          ` and sum by (consumergroup, topic) (kafka_consumergroup_lag{consumergroup=~"${CONSUMER_GROUP_PATTERN}"}) > ${LAG_FLOOR}`,
        for: '10m',
        labels: { severity: 'warning' },
        annotations: {
          summary: 'consumer group {{ $labels.consumergroup }} is falling behind on {{ $labels.topic }}',
          description: `Lag on {{ $labels.topic }} is above ${LAG_FLOOR} and has kept growing for 10 minutes; the consumers cannot keep up or are stuck.`,
        },
      },
      {
        alert: 'DocpipeNothingStored',
        expr:
          `sum(increase(ingest_documents_accepted_total[${NOTHING_STORED_MINUTES}m])) > 0` +
          ` and (sum(increase(consumer_documents_stored_total[${NOTHING_STORED_MINUTES}m])) or vector(0)) == 0`,
        for: '5m',
        labels: { severity: 'critical' },
        annotations: {
          summary: 'documents are accepted but none are stored',
          description: `ingest accepted documents in the last ${NOTHING_STORED_MINUTES} minutes, but the consumer stored none.`,
        },
      },
    ],
  },
  {
    name: 'docpipe.jobs',
    rules: [
      {
        alert: 'DocpipeCronJobFailed',
        expr: 'max by (namespace, job_name) (kube_job_status_failed{namespace="docpipe", job_name=~"(user-counter|count-cleaner)-.+"}) > 0',
        for: '0m',
        labels: { severity: 'warning' },
        annotations: {
          summary: 'a run of {{ $labels.job_name }} failed',
          description: 'Job {{ $labels.namespace }}/{{ $labels.job_name }} has failed pods; see kubectl logs job/{{ $labels.job_name }} -n docpipe.',
        },
      },
    ],
  },
];
