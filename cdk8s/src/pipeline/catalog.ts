// What every pipeline together needs of the objects its writers use: ingest serves all pipelines
// from one folder and writes to all their topics with one Kafka user, and producers outside the
// cluster write to every inbox with another. None of these objects belongs to one pipeline, so the
// operator renders them from the set of pipelines, and a pipeline that comes or goes changes them
// in place.
import { EXTERNAL_KAFKA_USER, INGEST_KAFKA_USER, PIPELINE_CATALOG, externalAccess, ingestAccess } from '@docpipe/contract';
import { API_VERSION, KIND, pipelineTopicsOf, type CompiledPipeline } from '@docpipe/pipeline';
import { k8s } from 'cdk8s-plus-34';
import { Construct } from 'constructs';
import { stringify } from 'yaml';
import { KafkaClientUser } from '../constructs/kafka.js';

/** Every catalog object carries it; the operator watches them by it. */
export const CATALOG_LABEL = 'docpipe.dev/catalog';

/** The key of a pipeline in a spec ConfigMap: the services read every `*.yaml` of the folder. */
export const specKey = (name: string) => `${name}.yaml`;

/** The spec projection: the resource as ingest and the consumer load it from PIPELINES_DIR. */
export function specProjection(pipeline: CompiledPipeline): string {
  const metadata = { name: pipeline.name, ...(pipeline.generation === undefined ? {} : { generation: pipeline.generation }) };
  return stringify({ apiVersion: API_VERSION, kind: KIND, metadata, spec: pipeline.spec });
}

export interface PipelineCatalogProps {
  /** The pipelines ingest serves, each at the revision it should serve. */
  readonly pipelines: readonly CompiledPipeline[];
  /** The Strimzi Kafka cluster (the strimzi.io/cluster label of the user). */
  readonly kafkaCluster: string;
}

export class PipelineCatalog extends Construct {
  constructor(scope: Construct, id: string, props: PipelineCatalogProps) {
    super(scope, id);
    const names = props.pipelines.map((p) => p.name);
    const twice = names.filter((name, i) => names.indexOf(name) !== i);
    if (twice.length > 0) throw new Error(`the catalog names ${twice.join(', ')} more than once`);
    const sorted = [...props.pipelines].sort((a, b) => a.name.localeCompare(b.name));
    const topics = sorted.map(pipelineTopicsOf);

    new k8s.KubeConfigMap(this, 'Specs', {
      metadata: { name: PIPELINE_CATALOG, labels: { [CATALOG_LABEL]: 'specs' } },
      data: Object.fromEntries(sorted.map((p) => [specKey(p.name), specProjection(p)])),
    });
    new KafkaClientUser(this, 'IngestUser', {
      cluster: props.kafkaCluster,
      name: INGEST_KAFKA_USER,
      access: ingestAccess(topics),
      labels: { [CATALOG_LABEL]: 'ingest-user' },
    });
    // Rendered when no pipeline has an inbox too: the operator prunes no catalog object, so the last
    // inbox's going takes the user's rights away by leaving it no ACL.
    new KafkaClientUser(this, 'ExternalUser', {
      cluster: props.kafkaCluster,
      name: EXTERNAL_KAFKA_USER,
      access: externalAccess(topics),
      labels: { [CATALOG_LABEL]: 'external-user' },
    });
  }
}
