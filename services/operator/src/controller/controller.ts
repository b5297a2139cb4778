// The controller: informers on DocumentPipelines, on their children and on the catalog feed a work
// queue keyed namespace/name (and one key for the catalog); workers take keys and reconcile them,
// with a per-key backoff on errors.
import { API_GROUP } from '@docpipe/pipeline';
import { PIPELINE_PLURAL } from '#cdk8s/constructs/pipeline-crd';
import { CATALOG_LABEL } from '#cdk8s/pipeline/catalog';
import { PIPELINE_LABEL, type PipelineCluster } from '#cdk8s/pipeline/children';
import { PIPELINE_CATALOG } from '@docpipe/contract';
import { makeInformer, type Informer, type KubernetesListObject, type KubernetesObject, type ObjectCache } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { CATALOG_KINDS, CHILD_KINDS, collectionPath, type ChildKind } from '../children/kinds.js';
import type { Clock } from '../clock.js';
import { apiMessage, PIPELINE_VERSION, type ChildObject, type Kube, type PipelineObject } from '../kube.js';
import type { OperatorMetrics } from '../metrics.js';
import { CATALOG_KEY, reconcileCatalog } from './catalog.js';
import type { Collections } from './deletion.js';
import { WorkQueue } from './queue.js';
import { reconcile } from './reconcile.js';
import { observeServing } from './serving.js';

export interface ControllerOptions {
  readonly kube: Kube;
  readonly namespace: string;
  readonly cluster: PipelineCluster;
  readonly collections: Collections;
  readonly resyncMs: number;
  readonly workers: number;
  readonly metrics: OperatorMetrics;
  readonly clock: Clock;
  readonly log: Logger;
}

type Watched<T extends KubernetesObject> = Informer<T> & ObjectCache<T>;

const typed = (pipeline: PipelineObject): PipelineObject => ({ ...pipeline, apiVersion: `${API_GROUP}/${PIPELINE_VERSION}`, kind: 'DocumentPipeline' });

/** How long an informer whose watch failed waits before it lists and watches again. */
const REWATCH_MS = 2_000;

export class PipelineController {
  readonly #o: ControllerOptions;
  readonly #queue: WorkQueue;
  readonly #pipelines: Watched<PipelineObject>;
  readonly #children = new Map<string, Watched<ChildObject>>();
  readonly #catalog = new Map<string, Watched<ChildObject>>();
  readonly #stops: (() => void)[] = [];
  #workers: Promise<void>[] = [];
  #stopped = false;

  constructor(options: ControllerOptions) {
    this.#o = options;
    this.#queue = new WorkQueue({ clock: options.clock });
    const { kube, namespace } = options;
    this.#pipelines = makeInformer<PipelineObject>(
      kube.config,
      `/apis/${API_GROUP}/${PIPELINE_VERSION}/namespaces/${namespace}/${PIPELINE_PLURAL}`,
      () =>
        kube.custom.listNamespacedCustomObject({ group: API_GROUP, version: PIPELINE_VERSION, namespace, plural: PIPELINE_PLURAL }) as Promise<
          KubernetesListObject<PipelineObject>
        >,
    );
    // A pipeline that comes, goes or changes may change what the catalog serves.
    for (const verb of ['add', 'update', 'delete'] as const) this.#pipelines.on(verb, (p) => (this.#enqueue(p.metadata?.name), this.#add(CATALOG_KEY)));
    const labelled = (kind: ChildKind, label: string) =>
      makeInformer<ChildObject>(
        kube.config,
        collectionPath(kind, namespace),
        () => kube.objects.list<ChildObject>(kind.apiVersion, kind.kind, namespace, undefined, undefined, undefined, undefined, label),
        label,
      );
    for (const kind of CHILD_KINDS) {
      const informer = labelled(kind, PIPELINE_LABEL);
      // A child changed or went away: its pipeline is reconciled, which puts it back as wanted; a
      // topic that became Ready may let the catalog serve the pipeline.
      for (const verb of ['add', 'update', 'delete'] as const) informer.on(verb, (o) => (this.#enqueue(o.metadata?.labels?.[PIPELINE_LABEL]), this.#add(CATALOG_KEY)));
      this.#children.set(kind.kind, informer);
    }
    for (const kind of CATALOG_KINDS) {
      const informer = labelled(kind, CATALOG_LABEL);
      for (const verb of ['add', 'update', 'delete'] as const) informer.on(verb, () => this.#add(CATALOG_KEY));
      this.#catalog.set(kind.kind, informer);
    }
  }

  #enqueue(name: string | undefined) {
    if (name) this.#add(`${this.#o.namespace}/${name}`);
  }

  #add(key: string) {
    if (this.#stopped) return;
    this.#queue.add(key);
    this.#o.metrics.queueDepth.set(this.#queue.length);
  }

  /** Lists and watches everything, then reconciles; resolves once the caches are filled. */
  async start(): Promise<void> {
    const informers: [string, Watched<KubernetesObject>][] = [
      ['DocumentPipeline', this.#pipelines],
      ...this.#children,
      ...[...this.#catalog].map(([kind, informer]): [string, Watched<KubernetesObject>] => [`catalog ${kind}`, informer]),
    ];
    for (const [kind, informer] of informers) {
      // client-node's informer stops on a failed watch; like client-go's reflector, it starts over.
      informer.on('error', (error: unknown) => {
        if (this.#stopped) return;
        this.#o.log.warn({ kind, error: apiMessage(error) }, 'watch failed; listing again');
        this.#stops.push(this.#o.clock.after(REWATCH_MS, () => void (this.#stopped ? undefined : informer.start().catch(() => undefined))));
      });
    }
    await Promise.all(informers.map(([, informer]) => informer.start()));
    const resync = () => {
      if (this.#stopped) return;
      // Whatever the events said: a missed event, a child changed behind a watch, time itself.
      for (const p of this.#pipelines.list(this.#o.namespace)) this.#enqueue(p.metadata?.name);
      this.#add(CATALOG_KEY);
      this.#stops.push(this.#o.clock.after(this.#o.resyncMs, resync));
    };
    this.#stops.push(this.#o.clock.after(this.#o.resyncMs, resync));
    this.#workers = Array.from({ length: this.#o.workers }, () => this.#work());
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    for (const stop of this.#stops) stop();
    this.#queue.shutDown();
    await Promise.all(this.#workers);
    await Promise.all([this.#pipelines, ...this.#children.values(), ...this.#catalog.values()].map((i) => i.stop()));
  }

  #childrenOf = (kind: ChildKind): readonly ChildObject[] => this.#children.get(kind.kind)?.list(this.#o.namespace) ?? [];

  async #work(): Promise<void> {
    for (let key = await this.#queue.get(); key !== undefined; key = await this.#queue.get()) {
      try {
        await this.#process(key);
      } finally {
        this.#queue.done(key);
        this.#o.metrics.queueDepth.set(this.#queue.length);
      }
    }
  }

  /** The pipelines in the cache, with the apiVersion and kind a list's items lack. */
  #pipelineObjects = (): PipelineObject[] => this.#pipelines.list(this.#o.namespace).map(typed);

  #reconcileCatalog = async () => {
    const { kube, namespace, cluster, log } = this.#o;
    const specs = this.#catalog.get('ConfigMap')?.get(PIPELINE_CATALOG, namespace) as { data?: Record<string, string> } | undefined;
    await reconcileCatalog({ kube, namespace, cluster, log, pipelines: this.#pipelineObjects, children: this.#childrenOf, served: () => specs?.data });
    return {};
  };

  async #process(key: string): Promise<void> {
    const { metrics, log } = this.#o;
    let run: () => Promise<{ requeueAfterMs?: number }>;
    if (key === CATALOG_KEY) run = this.#reconcileCatalog;
    else {
      const [namespace, name] = key.split('/') as [string, string];
      const pipeline = this.#pipelines.get(name, namespace);
      if (!pipeline) {
        // Deleted: its children follow it through their owner references.
        this.#queue.forget(key);
        return;
      }
      run = () =>
        reconcile(
          {
            kube: this.#o.kube,
            cluster: this.#o.cluster,
            clock: this.#o.clock,
            log,
            children: this.#childrenOf,
            collections: this.#o.collections,
            serving: (name, revision) => observeServing(this.#o.kube, namespace, name, revision),
          },
          typed(pipeline),
        );
    }
    const timer = metrics.duration.startTimer();
    try {
      const result = await run();
      this.#queue.forget(key);
      if (result.requeueAfterMs !== undefined) {
        this.#queue.addAfter(key, result.requeueAfterMs);
        metrics.reconciles.inc({ result: 'requeue' });
      } else metrics.reconciles.inc({ result: 'success' });
    } catch (error) {
      metrics.reconciles.inc({ result: 'error' });
      metrics.errors.inc();
      const delayMs = this.#queue.addRateLimited(key);
      log.warn({ pipeline: key, retryInMs: delayMs }, `reconcile failed: ${apiMessage(error)}`);
    } finally {
      timer();
    }
  }
}
