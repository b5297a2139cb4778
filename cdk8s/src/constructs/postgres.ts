// Postgres for users and idempotency keys: one instance, PVC, Secret-held password.
import { PORTS, POSTGRES_APP_ROLE, POSTGRES_APP_SECRET, POSTGRES_SECRET } from '@docpipe/contract';
import { Duration, Size } from 'cdk8s';
import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-34';
import type { ResourceSpec } from '../config.js';
import type { Env } from './app.js';
import {
  FIRST_START_TIMEOUT,
  OFFICIAL_IMAGE_UID_EXEMPTION,
  PINNED_IMAGE_PULL_POLICY,
  firstStartProbe,
  gibibytes,
  partLabels,
  podSecurityContext,
  resources,
  restrictedSecurityContext,
  tmpVolume,
} from './common.js';
import { AllowPolicy, type Labels } from './network.js';

/** Official image, pinned. Its `postgres` user is uid 999. */
export const POSTGRES_IMAGE = 'postgres:17.11-bookworm';
const POSTGRES_USER = 999;
const POSTGRES_PORT = PORTS.postgres;

export interface PostgresProps {
  /** @default 'postgres' (the contract's `postgres:5432`) */
  readonly name?: string;
  /** @default 'docpipe' */
  readonly database?: string;
  readonly storageSize: string;
  readonly resources: ResourceSpec;
  /** Pods allowed to connect. */
  readonly clients: Labels[];
  /**
   * How long the server may take to start on an empty volume, where the image runs initdb.
   * @default FIRST_START_TIMEOUT
   */
  readonly firstStartTimeout?: Duration;
}

/**
 * Postgres as a one-replica StatefulSet. The root filesystem is read-only; the writable paths
 * are the data PVC, the socket directory and /tmp.
 */
export class Postgres extends Construct {
  public readonly name: string;
  public readonly database: string;
  /** DATABASE_URL with `$(POSTGRES_PASSWORD)`, which Kubernetes expands from the env var of that name. */
  public readonly urlTemplate: string;
  /**
   * Env of the parts that use the database: the application role, which migration 0002 creates
   * with only the rights the services need.
   */
  public readonly clientVariables: [string, Env][];
  /** Env of `jobs migrate`: the superuser, and the password it gives the application role. */
  public readonly migrateVariables: [string, Env][];
  constructor(scope: Construct, id: string, props: PostgresProps) {
    super(scope, id);
    this.name = props.name ?? 'postgres';
    this.database = props.database ?? 'docpipe';
    this.urlTemplate = `postgres://$(POSTGRES_USER):$(POSTGRES_PASSWORD)@${this.name}:${POSTGRES_PORT}/${this.database}`;
    this.clientVariables = [
      ['POSTGRES_USER', POSTGRES_APP_ROLE],
      ['POSTGRES_PASSWORD', { name: POSTGRES_APP_SECRET, key: 'password' }],
      ['DATABASE_URL', this.urlTemplate],
    ];
    this.migrateVariables = [
      ['POSTGRES_USER', { name: POSTGRES_SECRET, key: 'username' }],
      ['POSTGRES_PASSWORD', { name: POSTGRES_SECRET, key: 'password' }],
      ['DATABASE_URL', this.urlTemplate],
      ['POSTGRES_APP_PASSWORD', { name: POSTGRES_APP_SECRET, key: 'password' }],
    ];
    const labels = partLabels(this.name, 'database');

    const service = new kplus.Service(this, 'Service', {
      metadata: { name: this.name, labels },
      // Headless: it is also the StatefulSet's governing Service, and one pod needs no load balancing.
      clusterIP: 'None',
      ports: [{ name: 'postgres', port: POSTGRES_PORT, targetPort: POSTGRES_PORT }],
    });
    service.selectLabel('app.kubernetes.io/name', this.name);

    const sts = new kplus.StatefulSet(this, 'StatefulSet', {
      metadata: { name: this.name, labels, annotations: OFFICIAL_IMAGE_UID_EXEMPTION },
      service,
      replicas: 1,
      select: false,
      podMetadata: { labels },
      securityContext: podSecurityContext(POSTGRES_USER),
      automountServiceAccountToken: false,
      terminationGracePeriod: Duration.seconds(60),
      volumeClaimTemplates: [
        { name: 'data', storage: gibibytes(props.storageSize), accessModes: [kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE] },
      ],
    });
    sts.select(kplus.LabelSelector.of({ labels }));

    const secret = kplus.Secret.fromSecretName(this, 'Secret', POSTGRES_SECRET);
    const ready = ['sh', '-c', 'pg_isready -h 127.0.0.1 -U "$POSTGRES_USER" -d "$POSTGRES_DB"'];
    const container = sts.addContainer({
      name: 'postgres',
      image: POSTGRES_IMAGE,
      imagePullPolicy: PINNED_IMAGE_PULL_POLICY,
      portNumber: POSTGRES_PORT,
      envVariables: {
        POSTGRES_USER: kplus.EnvValue.fromSecretValue({ secret, key: 'username' }),
        POSTGRES_PASSWORD: kplus.EnvValue.fromSecretValue({ secret, key: 'password' }),
        POSTGRES_DB: kplus.EnvValue.fromValue(this.database),
        // A subdirectory: initdb must own PGDATA, and the PVC's root belongs to root (lost+found).
        PGDATA: kplus.EnvValue.fromValue('/var/lib/postgresql/data/pgdata'),
      },
      securityContext: restrictedSecurityContext(POSTGRES_USER),
      resources: resources(props.resources),
      // Liveness only asks whether the server accepts connections: a busy server that is slow to
      // answer pg_isready must be taken out of the Service, not restarted.
      startup: firstStartProbe(POSTGRES_PORT, props.firstStartTimeout ?? FIRST_START_TIMEOUT),
      liveness: kplus.Probe.fromTcpSocket({ port: POSTGRES_PORT, periodSeconds: Duration.seconds(20) }),
      readiness: kplus.Probe.fromCommand(ready, { periodSeconds: Duration.seconds(10) }),
    });
    // Named like the claim template: cdk8s-plus drops it from the pod spec and mounts the PVC.
    container.mount('/var/lib/postgresql/data', kplus.Volume.fromEmptyDir(this, 'Data', 'data'));
    container.mount('/var/run/postgresql', kplus.Volume.fromEmptyDir(this, 'Run', 'run', { sizeLimit: Size.mebibytes(1) }));
    container.mount('/tmp', tmpVolume(this));

    new AllowPolicy(this, 'Policy', {
      name: this.name,
      podSelector: labels,
      ingress: [{ peers: props.clients.map((pods) => ({ pods })), ports: [{ port: POSTGRES_PORT }] }],
    });
  }
}
