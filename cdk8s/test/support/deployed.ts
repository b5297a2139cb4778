// What `make up` leaves in a cluster once the operator has reconciled the sample pipelines: the
// synthesized manifests, and what the operator renders beside them, configured by its own config
// loader from the env of its synthesized Deployment. Checks of the cluster as a whole (names
// dialled across namespaces, every part's env, TLS) read this, since each pipeline's topics,
// consumer and scaling are the operator's objects, not `make synth`'s.
import { compilePipelineFile, type CompiledPipeline } from '@docpipe/pipeline';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { renderCatalog, renderChildren } from '../../../services/operator/src/children/render.js';
import { loadConfig } from '../../../services/operator/src/config.js';
import type { EnvironmentConfig } from '../../src/config.js';
import { synthManifests, type Manifest } from './manifests.js';
import { repoRoot } from './make-up.js';
import { partContainers, plainEnv, secretValues } from './service-env.js';

/** pipelines/*.yaml, compiled as the operator compiles a resource. */
export function samplePipelines(): CompiledPipeline[] {
  const dir = join(repoRoot, 'pipelines');
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => compilePipelineFile(join(dir, f)));
}

export function deployedManifests(env: EnvironmentConfig): Manifest[] {
  const synthesized = synthManifests(env);
  const operator = partContainers(synthesized).find((c) => c.part === 'operator' && c.container.name === 'operator');
  if (!operator) throw new Error('the manifests hold no operator container');
  const config = loadConfig(plainEnv(operator.container, secretValues(synthesized)));
  const pipelines = samplePipelines();
  const children = pipelines.flatMap((p) =>
    renderChildren(
      { apiVersion: 'docpipe.dev/v1alpha1', kind: 'DocumentPipeline', metadata: { name: p.name, namespace: config.namespace, uid: `uid-${p.name}`, generation: 1 }, spec: p.spec },
      p,
      config.cluster,
    ),
  );
  return [...synthesized, ...children, ...renderCatalog(config.namespace, pipelines, config.cluster)] as Manifest[];
}
