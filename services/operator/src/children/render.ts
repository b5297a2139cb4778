// Children are rendered by the same cdk8s construct as in `make synth`'s world, in memory: an App
// and a Chart per render, never written to disk.
import type { KubernetesObject, V1OwnerReference } from '@kubernetes/client-node';
import type { CompiledPipeline } from '@docpipe/pipeline';
import { PipelineCatalog } from '#cdk8s/pipeline/catalog';
import { PIPELINE_LABEL, PipelineChildren, type PipelineCluster } from '#cdk8s/pipeline/children';
import { App, Chart } from 'cdk8s';
import type { PipelineObject } from '../kube.js';

/** What makes each child the pipeline's: the garbage collector deletes it with its owner. */
export function ownerReference(pipeline: PipelineObject): V1OwnerReference {
  const { name, uid } = pipeline.metadata ?? {};
  if (!name || !uid) throw new Error('a pipeline without name or uid cannot own objects');
  return { apiVersion: pipeline.apiVersion!, kind: pipeline.kind!, name, uid, controller: true, blockOwnerDeletion: true };
}

/** Every object the pipeline wants, labelled with its name and owned by it. */
export function renderChildren(owner: PipelineObject, pipeline: CompiledPipeline, cluster: PipelineCluster): KubernetesObject[] {
  const chart = new Chart(new App(), 'pipeline', {
    namespace: owner.metadata!.namespace!,
    labels: { [PIPELINE_LABEL]: pipeline.name },
  });
  new PipelineChildren(chart, 'Children', { pipeline, cluster });
  const reference = ownerReference(owner);
  return (chart.toJson() as KubernetesObject[]).map((object) => ({
    ...object,
    metadata: { ...object.metadata, ownerReferences: [reference] },
  }));
}

/**
 * The objects every pipeline shares, for the pipelines ingest should serve. They belong to no one
 * pipeline, so they have no owner: the operator keeps them, and one pipeline's deletion only
 * changes them.
 */
export function renderCatalog(namespace: string, pipelines: readonly CompiledPipeline[], cluster: Pick<PipelineCluster, 'kafkaCluster'>): KubernetesObject[] {
  const chart = new Chart(new App(), 'catalog', { namespace });
  new PipelineCatalog(chart, 'Catalog', { pipelines, kafkaCluster: cluster.kafkaCluster });
  return chart.toJson() as KubernetesObject[];
}

/** `Kind/name`, as messages name an object. */
export const objectName = (o: KubernetesObject) => `${o.kind}/${o.metadata?.name}`;
