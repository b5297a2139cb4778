// The DocumentPipeline specs that ingest and the consumer serve, as one ConfigMap they mount at
// the contract's PIPELINES_MOUNT and watch: the kubelet swaps a mounted ConfigMap's files in place
// when it changes, so an edited spec goes live in the running pods, as a changed file in
// pipelines/ does with `make local`.
import { PIPELINES_MOUNT } from '@docpipe/contract';
import { compilePipelineFile } from '@docpipe/pipeline';
import * as kplus from 'cdk8s-plus-34';
import { Construct } from 'constructs';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

export interface PipelineSpecsProps {
  /** The folder of `*.yaml` specs to serve. */
  readonly dir: string;
  /** @default 'docpipe-pipelines' */
  readonly name?: string;
}

export class PipelineSpecs extends Construct {
  public readonly configMap: kplus.ConfigMap;
  /** The pipelines it holds, by name. */
  public readonly names: readonly string[];

  constructor(scope: Construct, id: string, props: PipelineSpecsProps) {
    super(scope, id);
    const files = readdirSync(props.dir).filter((f) => /\.ya?ml$/.test(f) && !f.startsWith('.')).sort();
    if (files.length === 0) throw new Error(`${props.dir} holds no pipeline spec`);
    // Compiled here, examples and all, so that a spec the services would refuse fails the synth.
    this.names = files.map((f) => compilePipelineFile(join(props.dir, f)).name);
    this.configMap = new kplus.ConfigMap(this, 'Specs', {
      metadata: { name: props.name ?? 'docpipe-pipelines' },
      data: Object.fromEntries(files.map((f) => [basename(f), readFileSync(join(props.dir, f), 'utf8')])),
    });
  }

  /** Mounts the specs where the services' PIPELINES_DIR points, read-only. */
  mountIn(scope: Construct, container: kplus.Container): void {
    container.mount(PIPELINES_MOUNT, kplus.Volume.fromConfigMap(scope, 'PipelineSpecs', this.configMap, { name: 'pipelines' }), { readOnly: true });
  }
}
