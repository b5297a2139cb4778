// Strimzi's operators do not run in the simulated cluster. What they would report once they have
// done their work, a Kafka, KafkaTopic or KafkaUser Ready at its generation, is written here into
// each one's status, so that what waits on it goes on: make up's wait for the Kafka cluster, and
// the Docpipe operator, which serves a pipeline only once its topics and user are Ready. Whether
// Strimzi would accept these objects, and the brokers, Services and Secrets it would create, are
// for a real cluster (make up on kind) to show.
import { CustomObjectsApi, PatchStrategy, setHeaderOptions, type KubeConfig } from '@kubernetes/client-node';

const GROUP = 'kafka.strimzi.io';
const VERSION = 'v1';
const PLURALS = ['kafkas', 'kafkatopics', 'kafkausers'];
const POLL_MS = 500;

interface StrimziObject {
  metadata: { name: string; generation?: number };
  status?: { observedGeneration?: number; conditions?: { type: string; status: string }[] };
}

const isReady = (o: StrimziObject) =>
  (o.status?.observedGeneration ?? 0) >= (o.metadata.generation ?? 0) && (o.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

export interface StandIn {
  stop(): Promise<void>;
}

/** Marks every Strimzi object of the namespace Ready, as it comes and as it changes, until stopped. */
export function standInForStrimzi(kubeConfig: KubeConfig, namespace: string): StandIn {
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
  const markReady = (plural: string, o: StrimziObject) =>
    api.patchNamespacedCustomObjectStatus(
      {
        group: GROUP,
        version: VERSION,
        namespace,
        plural,
        name: o.metadata.name,
        body: { status: { observedGeneration: o.metadata.generation, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString() }] } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  const markAll = async () => {
    for (const plural of PLURALS) {
      const { items } = (await api.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace, plural })) as { items: StrimziObject[] };
      for (const o of items.filter((item) => !isReady(item))) await markReady(plural, o);
    }
  };
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      // Until make up installs the chart's CRDs there is nothing to list (404), and an object may
      // go between the list and the patch. Anything else is worth a word: what waits on the
      // status would otherwise only time out.
      await markAll().catch((error: { code?: number; message?: string }) => {
        if (error.code !== 404) console.warn(`Strimzi stand-in: ${error.message}`);
      });
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
