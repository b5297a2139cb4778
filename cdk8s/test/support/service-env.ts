// What each Docpipe container of the manifests would see at start: its env as Kubernetes builds
// it, secrets stood in by values of the format their Secret holds, read by the part's own config.
import { ConsumerEnv, IngestEnv, JobsEnv, JWT_SECRET, kafkaUserSecret, MONGODB_SECRETS, OperatorEnv, PARTS, POSTGRES_APP_SECRET, POSTGRES_SECRET, type Part } from '@docpipe/contract';
import type { TObject } from 'typebox';
import { loadConfig as consumerConfig } from '../../../services/consumer/src/config.js';
import { loadConfig as ingestConfig } from '../../../services/ingest/src/config.js';
import { loadConfig as jobsConfig } from '../../../services/jobs/src/config.js';
import { loadConfig as operatorConfig } from '../../../services/operator/src/config.js';
import { id, podSpec, type Manifest } from './manifests.js';

type Env = Record<string, string>;

/** Each part's reader of env and the schema it reads env with. */
export const parts: Record<Part, { readonly loadConfig: (env: Env) => unknown; readonly schema: TObject }> = {
  ingest: { loadConfig: ingestConfig, schema: IngestEnv },
  consumer: { loadConfig: consumerConfig, schema: ConsumerEnv },
  jobs: { loadConfig: jobsConfig, schema: JobsEnv },
  operator: { loadConfig: operatorConfig, schema: OperatorEnv },
};

export interface PartContainer {
  /** Workload and container, for messages. */
  readonly where: string;
  readonly part: Part;
  readonly container: any;
}

const WORKLOADS = new Set(['Deployment', 'CronJob', 'Job']);
const IMAGE = /^docpipe\/([a-z-]+):/;

/** Every container and init container of a workload that runs a Docpipe image. */
export function partContainers(manifests: Manifest[]): PartContainer[] {
  return manifests
    .filter((m) => WORKLOADS.has(m.kind))
    .flatMap((m) => {
      const spec = podSpec(m);
      return [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])].flatMap((container: any) => {
        const image = IMAGE.exec(container.image ?? '')?.[1];
        if (image === undefined) return [];
        if (!(PARTS as readonly string[]).includes(image)) throw new Error(`${id(m)} runs docpipe/${image}, which is no part`);
        return [{ where: `${id(m)} container ${container.name}`, part: image as Part, container }];
      });
    });
}

const hex = (bytes: number) => '0123456789abcdef'.repeat(Math.ceil(bytes / 8)).slice(0, bytes * 2);

/**
 * A value of the format each referenced Secret key holds: scripts/k8s/secrets.sh writes hex
 * passwords and JWT_KEYS as kid:secret; Strimzi writes each KafkaUser's password.
 */
export function secretValues(manifests: Manifest[]): Map<string, string> {
  const ref = (name: string, key: string) => `${name}/${key}`;
  const values = new Map([
    [ref(JWT_SECRET.name, JWT_SECRET.key), `k20261201:${hex(32)}`],
    [ref(POSTGRES_SECRET, 'username'), 'docpipe'],
    [ref(POSTGRES_SECRET, 'password'), hex(24)],
    [ref(POSTGRES_APP_SECRET, 'password'), hex(24)],
    [ref(MONGODB_SECRETS.app, 'username'), 'docpipe'],
    [ref(MONGODB_SECRETS.app, 'password'), hex(24)],
  ]);
  for (const user of manifests.filter((m) => m.kind === 'KafkaUser')) {
    const secret = kafkaUserSecret(user.metadata.name!);
    values.set(ref(secret.name, secret.key), 'aB3d'.repeat(8));
  }
  return values;
}

/** `$(NAME)` of a variable defined earlier becomes its value, `$$` a `$`; anything else stays, as in Kubernetes. */
function expand(value: string, defined: Env): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (match, name?: string) => {
    if (name === undefined) return '$';
    return Object.hasOwn(defined, name) ? defined[name]! : match;
  });
}

/** The container's env as the process receives it. */
export function plainEnv(container: any, secrets: Map<string, string>): Env {
  const env: Env = {};
  for (const variable of container.env ?? []) {
    const ref = variable.valueFrom?.secretKeyRef;
    if (variable.valueFrom && !ref) throw new Error(`${variable.name}: only literal values and secretKeyRef are modelled`);
    const value = ref ? secrets.get(`${ref.name}/${ref.key}`) : expand(variable.value ?? '', env);
    if (value === undefined) throw new Error(`${variable.name}: no placeholder for key ${ref.key} of Secret ${ref.name}; add its format`);
    env[variable.name] = value;
  }
  return env;
}

/**
 * Variables the part does not read and no other variable refers to: a typo, or a name the
 * service dropped, that its config would ignore without a word.
 */
export function unreadVariables(part: Part, container: any): string[] {
  const variables: { name: string; value?: string }[] = container.env ?? [];
  const read = new Set(Object.keys(parts[part].schema.properties));
  const referred = variables.map((v) => v.value ?? '').join(' ');
  return variables.map((v) => v.name).filter((name) => !read.has(name) && !referred.includes(`$(${name})`));
}
