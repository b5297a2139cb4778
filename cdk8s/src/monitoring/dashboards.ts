// Grafana dashboards as code (grafana-foundation-sdk). Queries use only the metric names of
// docs/architecture.md, config/kafka-metrics.yaml and kafka_exporter.
import { CONSUMER_GROUP_PATTERN } from '@docpipe/contract';
import { DashboardBuilder, DatasourceVariableBuilder, type Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder } from '@grafana/grafana-foundation-sdk/timeseries';

interface PanelSpec {
  readonly title: string;
  readonly unit: string;
  readonly queries: { readonly expr: string; readonly legend: string }[];
}

export interface DashboardSpec {
  /** Stable uid: links and the ConfigMap name derive from it. */
  readonly uid: string;
  readonly title: string;
  readonly panels: PanelSpec[];
}

const rate = (metric: string) => `rate(${metric}[$__rate_interval])`;

export const pipelineDashboard: DashboardSpec = {
  uid: 'docpipe-pipeline',
  title: 'Docpipe pipeline',
  panels: [
    {
      title: 'Accepted documents per second',
      unit: 'reqps',
      queries: [{ expr: `sum by (endpoint) (${rate('ingest_documents_accepted_total')})`, legend: '{{endpoint}}' }],
    },
    {
      title: 'Rejected documents per second by reason',
      unit: 'reqps',
      queries: [{ expr: `sum by (reason) (${rate('ingest_documents_rejected_total')})`, legend: '{{reason}}' }],
    },
    {
      title: 'Request latency p95 by route',
      unit: 's',
      queries: [
        {
          expr: `histogram_quantile(0.95, sum by (le, route) (${rate('ingest_http_request_duration_seconds_bucket')}))`,
          legend: '{{route}}',
        },
        {
          expr: `histogram_quantile(0.95, sum by (le) (${rate('ingest_kafka_produce_duration_seconds_bucket')}))`,
          legend: 'Kafka produce',
        },
      ],
    },
    {
      title: 'Consumer lag',
      unit: 'short',
      queries: [
        { expr: 'sum by (topic) (consumer_lag)', legend: '{{topic}} (consumer)' },
        { expr: `sum by (topic) (kafka_consumergroup_lag{consumergroup=~"${CONSUMER_GROUP_PATTERN}"})`, legend: '{{topic}} (broker)' },
      ],
    },
    {
      title: 'Stored documents per second by collection',
      unit: 'reqps',
      queries: [
        { expr: `sum by (collection) (${rate('consumer_documents_stored_total')})`, legend: '{{collection}}' },
        { expr: `sum(${rate('consumer_deadletters_total')})`, legend: 'dead letters' },
      ],
    },
    {
      title: 'Users and user counts',
      unit: 'short',
      queries: [
        { expr: 'max(ingest_users)', legend: 'users' },
        { expr: 'max(ingest_user_counts)', legend: 'users_count rows' },
      ],
    },
  ],
};

export const kafkaDashboard: DashboardSpec = {
  uid: 'docpipe-kafka',
  title: 'Docpipe Kafka',
  panels: [
    {
      title: 'Messages in per second by topic',
      unit: 'short',
      queries: [{ expr: `sum by (topic) (${rate('kafka_server_brokertopicmetrics_messagesin_total{topic!=""}')})`, legend: '{{topic}}' }],
    },
    {
      title: 'Broker throughput',
      unit: 'Bps',
      queries: [
        { expr: `sum(${rate('kafka_server_brokertopicmetrics_bytesin_total{topic=""}')})`, legend: 'in' },
        { expr: `sum(${rate('kafka_server_brokertopicmetrics_bytesout_total{topic=""}')})`, legend: 'out' },
      ],
    },
    {
      title: 'Partitions',
      unit: 'short',
      queries: [{ expr: 'sum(kafka_server_replicamanager_partitioncount)', legend: 'partitions' }],
    },
    {
      title: 'Under-replicated partitions',
      unit: 'short',
      queries: [{ expr: 'sum(kafka_server_replicamanager_underreplicatedpartitions)', legend: 'under-replicated' }],
    },
    {
      title: 'Requests per second by type',
      unit: 'reqps',
      queries: [{ expr: `sum by (request) (${rate('kafka_network_requestmetrics_totaltimems_count')})`, legend: '{{request}}' }],
    },
    {
      title: 'Consumer group lag',
      unit: 'short',
      queries: [{ expr: 'sum by (consumergroup, topic) (kafka_consumergroup_lag)', legend: '{{consumergroup}} {{topic}}' }],
    },
  ],
};

export const dashboards: DashboardSpec[] = [pipelineDashboard, kafkaDashboard];

/** The Grafana dashboard model (what goes into the ConfigMap's JSON). */
export function buildDashboard(spec: DashboardSpec): Dashboard {
  const datasource = { type: 'prometheus', uid: '${datasource}' };
  const builder = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .tags(['docpipe', 'generated'])
    .editable()
    .refresh('30s')
    .time({ from: 'now-1h', to: 'now' })
    .timezone('utc')
    .withVariable(new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'));
  spec.panels.forEach((panel, i) => {
    const p = new PanelBuilder()
      .title(panel.title)
      .unit(panel.unit)
      .datasource(datasource)
      .gridPos({ x: (i % 2) * 12, y: Math.floor(i / 2) * 8, w: 12, h: 8 });
    panel.queries.forEach((q, j) => {
      p.withTarget(
        new DataqueryBuilder()
          .expr(q.expr)
          .legendFormat(q.legend)
          .refId(String.fromCharCode(65 + j))
          .datasource(datasource),
      );
    });
    builder.withPanel(p);
  });
  return builder.build();
}

export interface PanelQuery {
  readonly dashboard: string;
  readonly panel: string;
  readonly refId: string;
  readonly expr: string;
}

/**
 * Every PromQL query of a dashboard model, read back from the built JSON (not from the specs),
 * so a check that runs them tests exactly what Grafana will run.
 */
export function panelQueries(dashboard: Dashboard): PanelQuery[] {
  return (dashboard.panels ?? []).flatMap((panel) => {
    const p = panel as { title?: string; targets?: { refId?: string; expr?: string }[] };
    return (p.targets ?? [])
      .filter((t) => typeof t.expr === 'string')
      .map((t) => ({ dashboard: dashboard.uid ?? dashboard.title ?? '', panel: p.title ?? '', refId: t.refId ?? '', expr: t.expr! }));
  });
}
