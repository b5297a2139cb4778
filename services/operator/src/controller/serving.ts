// Which revision of a pipeline is live: every ready replica of ingest and of the pipeline's
// consumer exports the pipelines it serves as a gauge (the contract's servedPipelinesMetric), and
// the operator reads it from each replica at the address and port its pod declares. No pod says
// so through the API: a mounted ConfigMap changes under a running process, which then reloads.
import { PORT_NAMES, servedPipelinesMetric } from '@docpipe/contract';
import { NAME_LABEL } from '#cdk8s/constructs/common';
import { PIPELINE_LABEL } from '#cdk8s/pipeline/children';
import type { PartServing } from '#cdk8s/pipeline/status';
import type { V1Pod } from '@kubernetes/client-node';
import type { Kube } from '../kube.js';

export type ServingPart = 'ingest' | 'consumer';
export type Serving = Record<ServingPart, PartServing>;

/** What one replica said it serves of one pipeline; undefined when it did not answer. */
export interface ReplicaServing {
  readonly revision: string;
  readonly generation: number | undefined;
}

/** Where a part's replicas are, and the name of the container port their /metrics is on. */
const PARTS: Record<ServingPart, { readonly port: string; readonly selector: (pipeline: string) => string }> = {
  ingest: { port: PORT_NAMES.ingestHttp, selector: () => `${NAME_LABEL}=ingest` },
  consumer: { port: PORT_NAMES.consumerMetrics, selector: (pipeline) => `${NAME_LABEL}=consumer,${PIPELINE_LABEL}=${pipeline}` },
};

/** How long one replica may take to answer before it counts as not serving the revision. */
const SCRAPE_TIMEOUT_MS = 2_000;

const unescape = (value: string) => value.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));

/** The series of `metric` in a Prometheus text exposition, as label maps. */
export function seriesOf(exposition: string, metric: string): Record<string, string>[] {
  const series: Record<string, string>[] = [];
  for (const line of exposition.split('\n')) {
    if (!line.startsWith(`${metric}{`)) continue;
    const labels: Record<string, string> = {};
    for (const m of line.slice(metric.length + 1, line.lastIndexOf('}')).matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[m[1]!] = unescape(m[2]!);
    }
    series.push(labels);
  }
  return series;
}

/** What a replica's exposition says it serves of `pipeline`. */
export function replicaServing(exposition: string, part: ServingPart, pipeline: string): ReplicaServing | undefined {
  const series = seriesOf(exposition, servedPipelinesMetric(part)).find((s) => s['pipeline'] === pipeline);
  if (!series?.['revision']) return undefined;
  const generation = series['generation'] ? Number(series['generation']) : undefined;
  return { revision: series['revision'], generation: Number.isInteger(generation) ? generation : undefined };
}

/** The replicas of one part, summed up against the revision the operator rendered. */
export function partServing(replicas: readonly (ReplicaServing | undefined)[], revision: string): PartServing {
  const generations = [...new Set(replicas.flatMap((r) => (r?.generation === undefined ? [] : [r.generation])))].sort((a, b) => a - b);
  return { replicas: replicas.length, current: replicas.filter((r) => r?.revision === revision).length, generations };
}

const isReady = (pod: V1Pod) => pod.status?.phase === 'Running' && pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

async function scrape(pod: V1Pod, part: ServingPart, pipeline: string): Promise<ReplicaServing | undefined> {
  const port = pod.spec?.containers.flatMap((c) => c.ports ?? []).find((p) => p.name === PARTS[part].port)?.containerPort;
  const ip = pod.status?.podIP;
  if (!port || !ip) return undefined;
  try {
    const response = await fetch(`http://${ip.includes(':') ? `[${ip}]` : ip}:${port}/metrics`, { signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) });
    return response.ok ? replicaServing(await response.text(), part, pipeline) : undefined;
  } catch {
    // Not answering is not serving: the replica counts, but not as current.
    return undefined;
  }
}

/** Reads what every ready replica of ingest and of the pipeline's consumer serves. */
export async function observeServing(kube: Kube, namespace: string, pipeline: string, revision: string): Promise<Serving> {
  const observe = async (part: ServingPart) => {
    const pods = await kube.core.listNamespacedPod({ namespace, labelSelector: PARTS[part].selector(pipeline) });
    const replicas = await Promise.all(pods.items.filter(isReady).map((pod) => scrape(pod, part, pipeline)));
    return partServing(replicas, revision);
  };
  const [ingest, consumer] = await Promise.all([observe('ingest'), observe('consumer')]);
  return { ingest, consumer };
}
