// ingest: the HTTP API. Deployment + Service + CPU HPA + PDB + its network flows.
import { PORT_NAMES, PORTS } from '@docpipe/contract';
import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-34';
import type { EnvironmentConfig } from '../config.js';
import { AppDeployment, envVariables, type Env, type SecretFile } from './app.js';
import { APP_USER, appImage, pullPolicy, resources, restrictedSecurityContext } from './common.js';
import { AllowPolicy, prometheusPeer, type Labels, type Peer } from './network.js';

const INGEST_PORT = PORTS.ingestHttp;

export interface IngestProps {
  readonly env: EnvironmentConfig;
  /** Environment of the container, in the contract's names (docs/architecture.md). */
  readonly variables: [string, Env][];
  /** The variables `jobs migrate` needs (DATABASE_URL and what it refers to). */
  readonly migrateVariables: [string, Env][];
  /** Pods of the services ingest calls, with their ports. */
  readonly dependencies: { readonly pods: Labels; readonly port: number }[];
  /** Files ingest reads from Secrets. @default - none */
  readonly files?: readonly SecretFile[];
  /** The ConfigMap of the pipeline specs ingest serves (the operator's catalog). */
  readonly pipelines: string;
  /** Pods that read its /metrics besides Prometheus (the operator, for the served revisions). @default - none */
  readonly observers?: readonly Labels[];
}

/**
 * The API. `jobs migrate` runs as an init container: no pod takes traffic before the schema is
 * current, with no Job ordering to orchestrate; migrations are idempotent and serialised by the
 * migrate command itself, so several pods starting at once is harmless.
 */
export class Ingest extends Construct {
  public readonly labels: Labels;
  public readonly service: kplus.Service;
  constructor(scope: Construct, id: string, props: IngestProps) {
    super(scope, id);
    const { env } = props;
    if (env.ingest.minReplicas < 1 || env.ingest.maxReplicas < env.ingest.minReplicas) {
      throw new Error(`ingest replicas: need 1 <= min (${env.ingest.minReplicas}) <= max (${env.ingest.maxReplicas})`);
    }
    const nodePortSources = env.ingest.nodePortSources ?? [];
    if (env.ingest.nodePort !== undefined && nodePortSources.length === 0) {
      throw new Error('ingest: a NodePort needs the networks its clients arrive from (ingest.nodePortSources)');
    }
    const migrate: kplus.ContainerProps = {
      name: 'migrate',
      image: appImage(env, 'jobs'),
      imagePullPolicy: pullPolicy(env),
      args: ['migrate'],
      envVariables: envVariables(new Construct(this, 'MigrateEnv'), props.migrateVariables),
      securityContext: restrictedSecurityContext(APP_USER),
      resources: resources(env.jobs.resources),
    };
    const app = new AppDeployment(this, 'App', {
      env,
      part: 'ingest',
      port: INGEST_PORT,
      variables: props.variables,
      resources: env.ingest.resources,
      initContainers: [migrate],
      files: props.files,
      pipelines: props.pipelines,
    });
    this.labels = app.labels;

    this.service = new kplus.Service(this, 'Service', {
      metadata: { name: 'ingest', labels: app.labels },
      type: env.ingest.nodePort ? kplus.ServiceType.NODE_PORT : kplus.ServiceType.CLUSTER_IP,
      ports: [{ name: PORT_NAMES.ingestHttp, port: INGEST_PORT, targetPort: INGEST_PORT, ...(env.ingest.nodePort ? { nodePort: env.ingest.nodePort } : {}) }],
    });
    for (const [key, value] of Object.entries(app.labels)) this.service.selectLabel(key, value);

    new kplus.HorizontalPodAutoscaler(this, 'Hpa', {
      metadata: { name: 'ingest' },
      target: app.deployment,
      minReplicas: env.ingest.minReplicas,
      maxReplicas: env.ingest.maxReplicas,
      metrics: [kplus.Metric.resourceCpu(kplus.MetricTarget.averageUtilization(env.ingest.cpuUtilization))],
    });

    // A NodePort's clients arrive from node addresses that no pod or namespace selector names;
    // which outside clients reach a node at all is the node's (kind binds the port to localhost).
    const clients: Peer[] = env.ingest.nodePort
      ? nodePortSources.map((cidr) => ({ cidr }))
      : [{ pods: {} }, { namespace: 'ingress-nginx' }];
    new AllowPolicy(this, 'Policy', {
      name: 'ingest',
      podSelector: app.labels,
      ingress: [
        { peers: clients, ports: [{ port: INGEST_PORT }] },
        { peers: [prometheusPeer, ...(props.observers ?? []).map((pods) => ({ pods }))], ports: [{ port: INGEST_PORT }] },
      ],
      egress: props.dependencies.map((d) => ({ peers: [{ pods: d.pods }], ports: [{ port: d.port }] })),
    });
  }
}
