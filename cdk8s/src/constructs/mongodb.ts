// MongoDB replica set: StatefulSet with keyFile auth, headless Service, and an idempotent init Job.
import { MONGODB_SECRETS, PORTS } from '@docpipe/contract';
import { Duration, Size } from 'cdk8s';
import { Construct } from 'constructs';
import * as kplus from 'cdk8s-plus-34';
import type { ResourceSpec } from '../config.js';
import {
  DisruptionBudget,
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

/** Official image, pinned. Its `mongodb` user is uid 999. */
export const MONGO_IMAGE = 'mongo:8.0.17';
const MONGO_USER = 999;
const MONGO_PORT = PORTS.mongodb;

export interface MongoReplicaSetProps {
  /** @default 'mongodb' (Service and StatefulSet name; the contract's `mongodb:27017`) */
  readonly name?: string;
  /** Replica-set members: 1 for a dev cluster, 3 (an odd number) for production. */
  readonly members: number;
  readonly storageSize: string;
  readonly resources: ResourceSpec;
  /** Database the application user may read and write. @default 'docpipe' */
  readonly database?: string;
  /** Pods allowed to connect. */
  readonly clients: Labels[];
  readonly namespace: string;
  /**
   * How long a member may take to start on an empty volume, where the image creates the root user.
   * @default FIRST_START_TIMEOUT
   */
  readonly firstStartTimeout?: Duration;
}

/**
 * A MongoDB replica set. Why the init Job talks to member 0 and grows the set with rs.add instead
 * of one rs.initiate with every member: the image creates the root user on each member's empty data
 * directory, and MongoDB refuses to initiate a set whose other members already hold data, whereas a
 * member added later is wiped by its initial sync.
 */
export class MongoReplicaSet extends Construct {
  public readonly name: string;
  public readonly replicaSet = 'rs0';
  public readonly database: string;
  /** The members' stable DNS names, host:port. */
  public readonly hosts: string[];
  constructor(scope: Construct, id: string, props: MongoReplicaSetProps) {
    super(scope, id);
    if (props.members < 1 || props.members % 2 === 0) {
      throw new Error(`a replica set needs an odd number of members to elect a primary, got ${props.members}`);
    }
    this.name = props.name ?? 'mongodb';
    this.database = props.database ?? 'docpipe';
    const labels = partLabels(this.name, 'database');
    const fqdn = `${this.name}.${props.namespace}.svc.cluster.local`;
    this.hosts = Array.from({ length: props.members }, (_, i) => `${this.name}-${i}.${fqdn}:${MONGO_PORT}`);

    const service = new kplus.Service(this, 'Service', {
      metadata: { name: this.name, labels },
      clusterIP: 'None',
      // Members must resolve each other before they are ready, or the set can never form.
      publishNotReadyAddresses: true,
      ports: [{ name: 'mongodb', port: MONGO_PORT, targetPort: MONGO_PORT }],
    });

    const sts = new kplus.StatefulSet(this, 'StatefulSet', {
      metadata: { name: this.name, labels, annotations: OFFICIAL_IMAGE_UID_EXEMPTION },
      service,
      replicas: props.members,
      select: false,
      podMetadata: { labels },
      podManagementPolicy: kplus.PodManagementPolicy.PARALLEL,
      securityContext: podSecurityContext(MONGO_USER),
      automountServiceAccountToken: false,
      terminationGracePeriod: Duration.seconds(30),
      volumeClaimTemplates: [
        {
          name: 'data',
          storage: gibibytes(props.storageSize),
          accessModes: [kplus.PersistentVolumeAccessMode.READ_WRITE_ONCE],
        },
      ],
    });
    sts.select(kplus.LabelSelector.of({ labels }));
    // Members on different nodes when possible: losing one node then never loses the majority.
    sts.scheduling.spread({ topology: kplus.Topology.HOSTNAME, weight: 100 });

    const keySecret = kplus.Secret.fromSecretName(this, 'KeySecret', MONGODB_SECRETS.keyfile);
    const root = kplus.Secret.fromSecretName(this, 'RootSecret', MONGODB_SECRETS.root);
    const keyfileSecretVol = kplus.Volume.fromSecret(this, 'KeyfileSecretVolume', keySecret, { name: 'keyfile-secret', defaultMode: 0o400 });
    const keyfileVol = kplus.Volume.fromEmptyDir(this, 'KeyfileVolume', 'keyfile', { sizeLimit: Size.mebibytes(1) });
    const configdb = kplus.Volume.fromEmptyDir(this, 'ConfigDb', 'configdb', { sizeLimit: Size.mebibytes(64) });
    const tmp = tmpVolume(this);

    // mongod rejects a key file readable by its group, and a Secret volume with fsGroup is always
    // group-readable: copy it to a private file first.
    const copyKey = sts.addInitContainer({
      name: 'keyfile',
      image: MONGO_IMAGE,
      imagePullPolicy: PINNED_IMAGE_PULL_POLICY,
      command: ['sh', '-c', 'cp /keyfile-secret/keyfile /keyfile/keyfile && chmod 0400 /keyfile/keyfile'],
      securityContext: restrictedSecurityContext(MONGO_USER),
      resources: resources({ cpuRequestMillis: 10, cpuLimitMillis: 100, memoryRequestMiB: 16, memoryLimitMiB: 64 }),
    });
    copyKey.mount('/keyfile-secret', keyfileSecretVol, { readOnly: true });
    copyKey.mount('/keyfile', keyfileVol);

    const ping = ['mongosh', '--quiet', '--norc', '--eval', "db.adminCommand('ping').ok"];
    const mongod = sts.addContainer({
      name: 'mongod',
      image: MONGO_IMAGE,
      imagePullPolicy: PINNED_IMAGE_PULL_POLICY,
      // The image's entrypoint creates the root user on first start, then runs mongod.
      args: ['mongod', '--replSet', this.replicaSet, '--bind_ip_all', '--keyFile', '/keyfile/keyfile', '--wiredTigerCacheSizeGB', wiredTigerCache(props.resources)],
      portNumber: MONGO_PORT,
      envVariables: {
        MONGO_INITDB_ROOT_USERNAME: kplus.EnvValue.fromSecretValue({ secret: root, key: 'username' }),
        MONGO_INITDB_ROOT_PASSWORD: kplus.EnvValue.fromSecretValue({ secret: root, key: 'password' }),
        // mongosh (probes) keeps history and config under $HOME; the root filesystem is read-only.
        HOME: kplus.EnvValue.fromValue('/tmp'),
      },
      // Read-only root: the writable paths are the data PVC, /data/configdb, /tmp (entrypoint's
      // temporary config, the unix socket) and the key file copy.
      securityContext: restrictedSecurityContext(MONGO_USER),
      resources: resources(props.resources),
      startup: firstStartProbe(MONGO_PORT, props.firstStartTimeout ?? FIRST_START_TIMEOUT),
      liveness: kplus.Probe.fromTcpSocket({ port: MONGO_PORT, periodSeconds: Duration.seconds(20) }),
      readiness: kplus.Probe.fromCommand(ping, { periodSeconds: Duration.seconds(10), timeoutSeconds: Duration.seconds(10) }),
    });
    mongod.mount('/keyfile', keyfileVol, { readOnly: true });
    mongod.mount('/data/configdb', configdb);
    mongod.mount('/tmp', tmp);
    // A volume named like the claim template: cdk8s-plus drops it from the pod spec and the mount
    // then refers to each member's own PVC.
    mongod.mount('/data/db', kplus.Volume.fromEmptyDir(this, 'Data', 'data'));

    // Voluntary evictions one member at a time keep a majority (2 of 3) able to elect a primary.
    new DisruptionBudget(this, 'Pdb', { name: this.name, selector: labels });

    const initLabels = partLabels(`${this.name}-init`, 'database-init');
    this.initJob(initLabels, root);

    new AllowPolicy(this, 'Policy', {
      name: this.name,
      podSelector: labels,
      ingress: [{ peers: [...props.clients, initLabels, labels].map((pods) => ({ pods })), ports: [{ port: MONGO_PORT }] }],
      // Members replicate from and heartbeat to each other.
      egress: [{ peers: [{ pods: labels }], ports: [{ port: MONGO_PORT }] }],
    });
    new AllowPolicy(this, 'InitPolicy', {
      name: `${this.name}-init`,
      podSelector: initLabels,
      egress: [{ peers: [{ pods: labels }], ports: [{ port: MONGO_PORT }] }],
    });
  }

  private initJob(labels: Labels, root: kplus.ISecret) {
    const script = new kplus.ConfigMap(this, 'InitScript', {
      metadata: { name: `${this.name}-init` },
      data: { 'init.js': INIT_SCRIPT },
    });
    const app = kplus.Secret.fromSecretName(this, 'AppSecret', MONGODB_SECRETS.app);
    const job = new kplus.Job(this, 'InitJob', {
      metadata: { name: `${this.name}-init`, labels, annotations: OFFICIAL_IMAGE_UID_EXEMPTION },
      podMetadata: { labels },
      select: false,
      // The members may still be starting: retry with the Job controller's growing back-off.
      backoffLimit: 20,
      activeDeadline: Duration.minutes(30),
      securityContext: podSecurityContext(MONGO_USER),
      automountServiceAccountToken: false,
    });
    const container = job.addContainer({
      name: 'init',
      image: MONGO_IMAGE,
      imagePullPolicy: PINNED_IMAGE_PULL_POLICY,
      command: [
        'sh',
        '-c',
        'exec mongosh --quiet --norc "mongodb://$(ROOT_USERNAME):$(ROOT_PASSWORD)@$(FIRST_MEMBER)/admin?directConnection=true" /scripts/init.js',
      ],
      envVariables: {
        ROOT_USERNAME: kplus.EnvValue.fromSecretValue({ secret: root, key: 'username' }),
        ROOT_PASSWORD: kplus.EnvValue.fromSecretValue({ secret: root, key: 'password' }),
        FIRST_MEMBER: kplus.EnvValue.fromValue(this.hosts[0]!),
        MONGO_MEMBERS: kplus.EnvValue.fromValue(this.hosts.join(',')),
        MONGO_REPLICA_SET: kplus.EnvValue.fromValue(this.replicaSet),
        MONGO_APP_DATABASE: kplus.EnvValue.fromValue(this.database),
        MONGO_APP_USERNAME: kplus.EnvValue.fromSecretValue({ secret: app, key: 'username' }),
        MONGO_APP_PASSWORD: kplus.EnvValue.fromSecretValue({ secret: app, key: 'password' }),
        HOME: kplus.EnvValue.fromValue('/tmp'),
      },
      securityContext: restrictedSecurityContext(MONGO_USER),
      resources: resources({ cpuRequestMillis: 50, cpuLimitMillis: 500, memoryRequestMiB: 128, memoryLimitMiB: 256 }),
    });
    container.mount('/scripts', kplus.Volume.fromConfigMap(this, 'InitScriptVolume', script, { name: 'scripts' }), { readOnly: true });
    container.mount('/tmp', tmpVolume(this, 'InitTmp'));
  }
}

/**
 * Runs on every deploy, so each step first checks whether it is already done: initiate the set
 * if it is not, add the members it lacks (one reconfig each, as MongoDB requires), create the
 * application user if missing, or reset its password to the Secret's.
 */
const INIT_SCRIPT = `const members = process.env.MONGO_MEMBERS.split(',');
const replicaSet = process.env.MONGO_REPLICA_SET;
const [user, pwd] = [process.env.ROOT_USERNAME, process.env.ROOT_PASSWORD];

let initiated = true;
try {
  rs.status();
} catch (e) {
  if (e.codeName !== 'NotYetInitialized') throw e;
  initiated = false;
}
if (!initiated) {
  print('initiating replica set ' + replicaSet + ' with ' + members[0]);
  rs.initiate({ _id: replicaSet, members: [{ _id: 0, host: members[0] }] });
}

function primary() {
  for (let i = 0; i < 120; i++) {
    const hello = db.hello();
    if (hello.primary) return hello.primary;
    sleep(1000);
  }
  throw new Error('no primary elected after 120 s');
}
db = connect('mongodb://' + user + ':' + pwd + '@' + primary() + '/admin?directConnection=true');

for (const host of members) {
  if (rs.conf().members.some((m) => m.host === host)) continue;
  print('adding member ' + host);
  rs.add({ host });
}

const admin = db.getSiblingDB('admin');
const appUser = process.env.MONGO_APP_USERNAME;
const roles = [{ role: 'readWrite', db: process.env.MONGO_APP_DATABASE }];
if (admin.getUser(appUser)) {
  admin.updateUser(appUser, { pwd: process.env.MONGO_APP_PASSWORD, roles });
  print('application user ' + appUser + ' already exists; password and roles synced');
} else {
  admin.createUser({ user: appUser, pwd: process.env.MONGO_APP_PASSWORD, roles });
  print('created application user ' + appUser);
}
`;

function wiredTigerCache(spec: ResourceSpec): string {
  // mongod sizes its cache from the host's memory, not the container limit: half the limit minus
  // 256 MiB is MongoDB's own rule applied to the limit.
  return String(Math.max(0.25, Math.floor(((spec.memoryLimitMiB - 256) / 2 / 1024) * 100) / 100));
}
