// The operator's view of the API server: the client-node clients it uses, and the few calls it
// makes with them. Every write is server-side apply under one field manager.
import {
  ApiException,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type KubernetesObject,
} from '@kubernetes/client-node';
import { API_GROUP, type DocumentPipelineSpec } from '@docpipe/pipeline';
import { PIPELINE_PLURAL } from '#cdk8s/constructs/pipeline-crd';
import type { DocumentPipelineStatus } from '#cdk8s/pipeline/status';

/** The operator's field manager: what it applies, it owns, and it alone changes. */
export const FIELD_MANAGER = 'docpipe-operator';
export const PIPELINE_VERSION = 'v1alpha1';

export interface PipelineObject extends KubernetesObject {
  spec: DocumentPipelineSpec;
  status?: DocumentPipelineStatus;
}

/** An object as the API server returns it: with its status, when it has one. */
export type ChildObject = KubernetesObject & { status?: { conditions?: { type: string; status: string; message?: string }[]; observedGeneration?: number } };

export function isNotFound(error: unknown): boolean {
  return error instanceof ApiException && error.code === 404;
}

/** A write refused because the object exists already, or changed since it was read. */
export function isConflict(error: unknown): boolean {
  return error instanceof ApiException && error.code === 409;
}

/** The message the API server gave, when it gave one, else the error's own. */
export function apiMessage(error: unknown): string {
  if (error instanceof ApiException) {
    try {
      const body = typeof error.body === 'string' ? JSON.parse(error.body) : error.body;
      if (typeof body?.message === 'string') return body.message;
    } catch {
      // Not a Status body: the code says enough.
    }
    return `HTTP ${error.code}`;
  }
  return (error as Error).message;
}

export class Kube {
  readonly objects: KubernetesObjectApi;
  readonly custom: CustomObjectsApi;
  readonly core: CoreV1Api;
  readonly coordination: CoordinationV1Api;
  constructor(readonly config: KubeConfig) {
    this.objects = KubernetesObjectApi.makeApiClient(config);
    this.custom = config.makeApiClient(CustomObjectsApi);
    this.core = config.makeApiClient(CoreV1Api);
    this.coordination = config.makeApiClient(CoordinationV1Api);
  }

  /** Server-side apply; force, because a controller's word on the fields it manages is final. */
  apply<T extends KubernetesObject>(object: T): Promise<T> {
    return this.objects.patch(object, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);
  }

  /** Server-side apply of the status subresource, which a plain apply may not touch. */
  async applyStatus(pipeline: PipelineObject, status: DocumentPipelineStatus): Promise<void> {
    const { name, namespace } = pipeline.metadata ?? {};
    await this.custom.patchNamespacedCustomObjectStatus(
      {
        group: API_GROUP,
        version: PIPELINE_VERSION,
        namespace: namespace!,
        plural: PIPELINE_PLURAL,
        name: name!,
        body: { apiVersion: pipeline.apiVersion, kind: pipeline.kind, metadata: { name, namespace }, status },
        fieldManager: FIELD_MANAGER,
        force: true,
      },
      setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply),
    );
  }

  /** Objects of one kind in a namespace that carry a label selector. */
  async list(apiVersion: string, kind: string, namespace: string, labelSelector: string): Promise<ChildObject[]> {
    const list = await this.objects.list<ChildObject>(apiVersion, kind, namespace, undefined, undefined, undefined, undefined, labelSelector);
    // A list's items carry neither apiVersion nor kind.
    return list.items.map((item) => ({ ...item, apiVersion, kind }));
  }

  /** Deletes an object; one already gone is what was wanted. */
  async delete(object: KubernetesObject): Promise<void> {
    try {
      await this.objects.delete(object);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /**
   * A JSON merge patch, for what apply cannot say: giving up an owner reference, which another
   * manager may share. With metadata.resourceVersion in it, it fails on a concurrent change.
   */
  mergePatch<T extends KubernetesObject>(patch: T): Promise<T> {
    return this.objects.patch(patch, undefined, undefined, FIELD_MANAGER, undefined, PatchStrategy.MergePatch);
  }
}

/** A KubeConfig from KUBECONFIG or ~/.kube/config, or the service account inside a pod. */
export function defaultKubeConfig(): KubeConfig {
  const config = new KubeConfig();
  config.loadFromDefault();
  return config;
}
