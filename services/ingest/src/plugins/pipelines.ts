import { setTimeout as sleep } from 'node:timers/promises';
import type { TopicRequest } from '@docpipe/kafka';
import { ingestAccess, servedPipelinesMetric } from '@docpipe/contract';
import { PipelineRegistry, pipelineTopicsOf, topicRequests, watchPipelineDirectory, type CompiledPipeline } from '@docpipe/pipeline';
import { servedPipelinesGauge } from '@docpipe/runtime';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { serviceUnavailable, unknownPipeline, type HttpError } from '../lib/errors.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The pipelines served, one generation each, switched live when PIPELINES_DIR changes. */
    pipelines: PipelineRegistry;
    /**
     * The current generation of `name`, for one request to use from start to end; throws the
     * request's answer when it cannot be served: `missing` when no such pipeline is loaded, a 503
     * while its topics are being created.
     */
    servedPipeline(name: string, missing?: (name: string, served: readonly string[]) => HttpError): CompiledPipeline;
  }
  interface FastifyRequest {
    /** The generation of the pipeline this request serves, taken when it started. */
    pipeline: CompiledPipeline;
  }
}

const TOPIC_RETRY_MS = 2000;

export default fp(
  async function pipelines(app: FastifyInstance) {
    const log = app.log.child({ component: 'pipelines' });
    const registry = new PipelineRegistry();
    const { createTopics } = app.config.kafka;

    // The topics known to exist, and the generations all of whose topics are among them. Without
    // KAFKA_CREATE_TOPICS the topics belong to the cluster (KafkaTopic resources) and every
    // generation is taken as ready.
    const ensured = new Set<string>();
    const ready = new WeakSet<CompiledPipeline>();
    const stop = new AbortController();
    let creating = false;

    /** Marks the served generations whose topics all exist as ready; returns the topics still missing. */
    const missingTopics = (): TopicRequest[] => {
      const missing: TopicRequest[] = [];
      for (const pipeline of registry.list()) {
        const requests = topicRequests(pipeline).filter((request) => !ensured.has(request.topic));
        if (requests.length === 0) ready.add(pipeline);
        missing.push(...requests);
      }
      return missing;
    };

    /** Creates what the served generations miss, until none misses anything; one loop at a time. */
    const createMissingTopics = async () => {
      if (creating) return;
      creating = true;
      try {
        for (let missing = missingTopics(); missing.length > 0 && !stop.signal.aborted; missing = missingTopics()) {
          try {
            const created = await app.kafka.ensureTopics(missing, ingestAccess(registry.list().map(pipelineTopicsOf)));
            for (const { topic } of missing) ensured.add(topic);
            if (created.length > 0) log.info({ created }, 'created the topics of the loaded pipelines');
          } catch (error) {
            log.warn({ err: error }, "cannot create the pipelines' topics yet; retrying");
            await sleep(TOPIC_RETRY_MS, undefined, { signal: stop.signal }).catch(() => undefined);
          }
        }
      } finally {
        creating = false;
      }
    };

    app.decorate('pipelines', registry);
    servedPipelinesGauge(app.metrics.registry, servedPipelinesMetric('ingest'), () => registry.list());
    app.decorateRequest('pipeline', null as unknown as CompiledPipeline);
    app.decorate('servedPipeline', (name: string, missing = unknownPipeline) => {
      const pipeline = registry.get(name);
      if (!pipeline) throw missing(name, registry.list().map((p) => p.name));
      if (createTopics && !ready.has(pipeline)) throw serviceUnavailable(`the topics of pipeline "${name}" are being created, retry later`);
      return pipeline;
    });

    // Subscribed before the first read, so the pipelines it loads get their topics too. A new
    // generation whose topics exist is ready before its first request, even while a creation for
    // another pipeline is still waiting for Kafka.
    const unsubscribe = createTopics
      ? registry.onChange(() => {
          if (missingTopics().length > 0) void createMissingTopics();
        })
      : () => {};
    // The first read happens here: the routes serve the folder's pipelines from the first request.
    const directory = await watchPipelineDirectory(app.config.pipelinesDir, registry, { log });

    // A topic creation still waiting for Kafka is not waited for: it stops at its next step.
    app.addHook('onClose', async () => {
      stop.abort();
      unsubscribe();
      directory.close();
    });
  },
  { name: 'pipelines', dependencies: ['config', 'kafka', 'metrics'] },
);
