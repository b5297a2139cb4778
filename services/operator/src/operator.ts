// The operator's parts wired together: the probe server on every replica, the leader election,
// and the controller, which only the leader runs.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { buildApp } from './app.js';
import { systemClock, type Clock } from './clock.js';
import type { OperatorConfig } from './config.js';
import { PipelineController } from './controller/controller.js';
import { Kube } from './kube.js';
import { LeaderElector } from './leader.js';
import { createMetrics } from './metrics.js';
import { collectionDropper } from './mongo.js';

export interface OperatorDependencies {
  readonly kubeConfig: KubeConfig;
  readonly log: Logger;
  /** @default the system clock */
  readonly clock?: Clock;
}

export interface RunningOperator {
  /** The port of /metrics, /healthz and /readyz. */
  readonly port: number;
  readonly isLeader: () => boolean;
  /** Stops reconciling, hands the Lease back and closes the probe server. */
  stop(): Promise<void>;
}

export async function startOperator(config: OperatorConfig, deps: OperatorDependencies): Promise<RunningOperator> {
  const { log } = deps;
  const clock = deps.clock ?? systemClock;
  const kube = new Kube(deps.kubeConfig);
  const metrics = createMetrics();
  const collections = collectionDropper(config.mongodbUri, config.cluster.mongodbDatabase);

  let controller: PipelineController | undefined;
  // Leadership can flip while a controller starts or stops: each change waits for the one before.
  let transition = Promise.resolve();
  const lead = (leading: boolean) => {
    metrics.leader.set(leading ? 1 : 0);
    transition = transition.then(async () => {
      if (controller) {
        await controller.stop();
        controller = undefined;
      }
      if (!leading) return;
      const next = new PipelineController({ kube, namespace: config.namespace, cluster: config.cluster, collections, resyncMs: config.resyncMs, workers: config.workers, metrics, clock, log });
      controller = next;
      await next.start().catch((error: unknown) => log.error({ err: error }, `the controller could not start: ${(error as Error).message}`));
    });
  };

  const elector = new LeaderElector({
    kube,
    namespace: config.namespace,
    lease: config.leaderElection.lease,
    identity: config.leaderElection.identity,
    leaseDurationMs: config.leaderElection.leaseDurationMs,
    retryMs: config.leaderElection.retryMs,
    clock,
    log,
    onStartedLeading: () => lead(true),
    onStoppedLeading: () => lead(false),
  });

  const app = buildApp({
    log,
    registry: metrics.registry,
    notReady: () => (elector.inContact ? undefined : 'the API server has not answered a Lease call within the lease duration'),
  });
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  elector.start();

  return {
    port: typeof address === 'object' && address ? address.port : config.port,
    isLeader: () => elector.isLeader,
    async stop() {
      await elector.stop();
      await transition;
      await app.close();
    },
  };
}
