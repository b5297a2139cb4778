// The catalog's reconcile: ingest's spec folder, ingest's Kafka user and the external producers'
// Kafka user, from every DocumentPipeline at once. A pipeline is served at the revision the
// operator last rendered for it (its projection ConfigMap) once that revision's topics and consumer
// user are Ready, so ingest never serves a pipeline whose topics do not exist yet, and producers
// outside the cluster are let write only to inboxes that exist. Until then, and while a new spec
// does not compile, the revision the catalog served before stays in.
import { PIPELINE_CATALOG } from '@docpipe/contract';
import { compilePipelineYaml, type CompiledPipeline } from '@docpipe/pipeline';
import { specKey } from '#cdk8s/pipeline/catalog';
import { PIPELINE_LABEL, pipelineObjectNames, type PipelineCluster } from '#cdk8s/pipeline/children';
import type { Logger } from 'pino';
import { CHILD_KINDS, KAFKA_KINDS, type ChildKind } from '../children/kinds.js';
import { renderCatalog } from '../children/render.js';
import type { ChildObject, Kube, PipelineObject } from '../kube.js';
import { notReadyReason } from './reconcile.js';

/** The catalog's key in the work queue: without a slash, it is never a pipeline's namespace/name. */
export const CATALOG_KEY = 'catalog';

export interface CatalogContext {
  readonly kube: Kube;
  readonly namespace: string;
  readonly cluster: Pick<PipelineCluster, 'kafkaCluster'>;
  readonly log: Logger;
  /** The pipelines as the informer last saw them. */
  readonly pipelines: () => readonly PipelineObject[];
  /** The pipelines' children of a kind, as the informers last saw them. */
  readonly children: (kind: ChildKind) => readonly ChildObject[];
  /** The catalog's specs as applied before (its ConfigMap's data), if it exists. */
  readonly served: () => Readonly<Record<string, string>> | undefined;
}

const CONFIG_MAP = CHILD_KINDS.find((k) => k.kind === 'ConfigMap')!;

/** The projection the operator last rendered for the pipeline, if its Kafka objects are all Ready. */
function readyProjection(ctx: CatalogContext, pipeline: PipelineObject): string | undefined {
  const { name, uid } = pipeline.metadata!;
  const own = (kind: ChildKind) =>
    ctx
      .children(kind)
      .filter((o) => o.metadata?.labels?.[PIPELINE_LABEL] === name && o.metadata?.ownerReferences?.some((r) => r.uid === uid))
      .map((o) => ({ ...o, kind: kind.kind }));
  const kafka = CHILD_KINDS.filter((k) => KAFKA_KINDS.has(k.kind)).flatMap(own);
  if (kafka.length === 0 || kafka.some((o) => notReadyReason(o) !== undefined)) return undefined;
  const names = pipelineObjectNames(name!);
  const projection = own(CONFIG_MAP).find((o) => o.metadata?.name === names.spec) as { data?: Record<string, string> } | undefined;
  return projection?.data?.[names.specKey];
}

/** The revision of one pipeline that ingest should serve now, if any. */
function servedRevision(ctx: CatalogContext, pipeline: PipelineObject): CompiledPipeline | undefined {
  const name = pipeline.metadata!.name!;
  const ready = readyProjection(ctx, pipeline);
  const text = ready ?? ctx.served()?.[specKey(name)];
  if (text === undefined) return undefined;
  const source = ready === undefined ? `ConfigMap ${ctx.namespace}/${PIPELINE_CATALOG} key ${specKey(name)}` : `the projection of DocumentPipeline ${ctx.namespace}/${name}`;
  try {
    return compilePipelineYaml(text, source);
  } catch (error) {
    // Edited by hand into something that does not compile: ingest would refuse it too.
    ctx.log.warn({ pipeline: name, error: (error as Error).message }, `${source} does not compile; leaving it out of the catalog`);
    return undefined;
  }
}

export async function reconcileCatalog(ctx: CatalogContext): Promise<void> {
  const served = ctx.pipelines().flatMap((pipeline) => {
    // A pipeline on its way out is no longer served, so that its topics may go.
    if (pipeline.metadata?.deletionTimestamp) return [];
    const revision = servedRevision(ctx, pipeline);
    return revision ? [revision] : [];
  });
  for (const object of renderCatalog(ctx.namespace, served, ctx.cluster)) await ctx.kube.apply(object);
  ctx.log.debug({ served: served.map((p) => `${p.name}@${p.revision}`) }, 'catalog reconciled');
}
