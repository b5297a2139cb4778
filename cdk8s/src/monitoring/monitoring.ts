// What kube-prometheus-stack picks up: ServiceMonitors, a PodMonitor, the alerts, the dashboards.
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-34';
import * as prom from '../../imports/monitoring.coreos.com.js';
import { ruleGroups } from './alerts.js';
import { buildDashboard, dashboards } from './dashboards.js';

/** kube-prometheus-stack's default selectors require this label (see charts/kube-prometheus-stack.values.yaml). */
export const RELEASE_LABEL = { release: 'kube-prometheus-stack' };

export interface MonitoringProps {
  /** Services to scrape: name, selector labels and the name of the metrics port. */
  readonly services: { readonly name: string; readonly selector: Record<string, string>; readonly port: string }[];
  /** The Strimzi cluster whose pods (nodes and kafka-exporter) expose tcp-prometheus. */
  readonly kafkaCluster: string;
}

export class Monitoring extends Construct {
  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    for (const svc of props.services) {
      new prom.ServiceMonitor(this, `${svc.name}ServiceMonitor`, {
        metadata: { name: svc.name, labels: RELEASE_LABEL },
        spec: {
          selector: { matchLabels: svc.selector },
          endpoints: [{ port: svc.port, path: '/metrics', interval: '15s' }],
        },
      });
    }
    new prom.PodMonitor(this, 'KafkaPodMonitor', {
      metadata: { name: 'kafka', labels: RELEASE_LABEL },
      spec: {
        selector: { matchLabels: { 'strimzi.io/cluster': props.kafkaCluster, 'strimzi.io/kind': 'Kafka' } },
        podMetricsEndpoints: [{ port: 'tcp-prometheus', path: '/metrics', interval: '15s' }],
      },
    });
    new prom.PrometheusRule(this, 'Rules', {
      metadata: { name: 'docpipe', labels: RELEASE_LABEL },
      spec: {
        groups: ruleGroups.map((g) => ({
          name: g.name,
          rules: g.rules.map((r) => ({ ...r, expr: prom.PrometheusRuleSpecGroupsRulesExpr.fromString(r.expr) })),
        })),
      },
    });
    for (const spec of dashboards) {
      new k8s.KubeConfigMap(this, `${spec.uid}Dashboard`, {
        // The Grafana sidecar loads every ConfigMap with this label (charts/kube-prometheus-stack.values.yaml).
        metadata: { name: `dashboard-${spec.uid}`, labels: { grafana_dashboard: '1' } },
        data: { [`${spec.uid}.json`]: JSON.stringify(buildDashboard(spec), null, 2) },
      });
    }
  }
}

/** The rules as a Prometheus rule file, for promtool and for a Prometheus without the operator. */
export function ruleFile(): { groups: unknown[] } {
  return { groups: ruleGroups };
}
