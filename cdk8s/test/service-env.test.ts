import './support/prepare.js';
import { PARTS, PORTS, POSTGRES_APP_ROLE } from '@docpipe/contract';
import { describe, expect, it } from 'vitest';
import { environments } from '../src/config.js';
import { deployedManifests } from './support/deployed.js';
import { envNames } from './support/manifests.js';
import { partContainers, parts, plainEnv, secretValues, unreadVariables, type PartContainer } from './support/service-env.js';

const clone = <T>(x: T): T => structuredClone(x);

describe.each(envNames)('%s: every Docpipe container', (name) => {
  // With the consumers the operator renders from its own synthesized env.
  const all = deployedManifests(environments[name]);
  const secrets = secretValues(all);
  const containers = partContainers(all);
  const cases = containers.map((c) => [c.where, c] as const);

  it('covers every part', () => {
    expect(new Set(containers.map((c) => c.part))).toEqual(new Set(PARTS));
  });

  it.each(cases)('%s starts with its env', (_, { part, container }) => {
    expect(() => parts[part].loadConfig(plainEnv(container, secrets))).not.toThrow();
  });

  it.each(cases)('%s sets only variables its part reads', (_, { part, container }) => {
    expect(unreadVariables(part, container)).toEqual([]);
  });

  it('listens on the port its container declares', () => {
    const listening = (c: PartContainer) => {
      const config = parts[c.part].loadConfig(plainEnv(c.container, secrets)) as { port?: number; metricsPort?: number };
      return { container: c.container.ports?.[0]?.containerPort, config: config.port ?? config.metricsPort };
    };
    const service = (part: 'ingest' | 'consumer') => containers.find((c) => c.part === part && c.container.name === part)!;
    expect(service('consumer').where).toMatch(/^Deployment\/consumer-/);
    expect(listening(service('ingest'))).toEqual({ container: PORTS.ingestHttp, config: PORTS.ingestHttp });
    expect(listening(service('consumer'))).toEqual({ container: PORTS.consumerMetrics, config: PORTS.consumerMetrics });
  });

  it("reaches Kafka over TLS trusting the file the manifests mount where the listener uses TLS, else plain", () => {
    const tls = environments[name].kafka.tls;
    for (const c of containers.filter((x) => x.part === 'ingest' || x.part === 'consumer').filter((x) => x.container.name === x.part)) {
      const env = plainEnv(c.container, secrets);
      const { kafka } = parts[c.part].loadConfig(env) as { kafka: { ssl: unknown } };
      expect(kafka.ssl, c.where).toEqual(tls ? { caFile: env['KAFKA_CA_FILE'] } : false);
    }
  });

  it("lets migrate, and migrate only, give the application role its password", () => {
    const appRole = (c: PartContainer) => (parts.jobs.loadConfig(plainEnv(c.container, secrets)) as { appRole?: { name: string } }).appRole?.name;
    const jobs = containers.filter((c) => c.part === 'jobs');
    expect(jobs.filter((c) => appRole(c) !== undefined).map((c) => [c.container.name, appRole(c)])).toEqual([['migrate', POSTGRES_APP_ROLE]]);
  });
});

describe('the manifest env check catches', () => {
  const all = deployedManifests(environments.kind);
  const secrets = secretValues(all);
  const ingest = partContainers(all).find((c) => c.where === 'Deployment/ingest container ingest')!;
  const broken = (mutate: (env: { name: string; value?: string; valueFrom?: unknown }[]) => void) => {
    const container = clone(ingest.container);
    mutate(container.env);
    return container;
  };
  const set = (name: string, value: string) => broken((env) => (env.find((v) => v.name === name)!.value = value));

  it('a value its service refuses', () => {
    expect(() => parts.ingest.loadConfig(plainEnv(set('PORT', 'http'), secrets))).toThrow(/PORT/);
    expect(() => parts.ingest.loadConfig(plainEnv(set('DATABASE_URL', 'mysql://$(POSTGRES_USER)@postgres/docpipe'), secrets))).toThrow(/DATABASE_URL/);
  });

  it('a required variable left out', () => {
    const container = broken((env) => env.splice(env.findIndex((v) => v.name === 'PIPELINES_DIR'), 1));
    expect(() => parts.ingest.loadConfig(plainEnv(container, secrets))).toThrow(/PIPELINES_DIR/);
  });

  it('a Secret whose format it does not know', () => {
    const container = broken((env) => env.push({ name: 'EXTRA', valueFrom: { secretKeyRef: { name: 'unknown', key: 'token' } } }));
    expect(() => plainEnv(container, secrets)).toThrow(/Secret unknown/);
  });

  it('a variable its part does not read', () => {
    expect(unreadVariables('ingest', broken((env) => env.push({ name: 'KAFKA_TOPIC_DOCUMENT', value: 'documents' })))).toEqual(['KAFKA_TOPIC_DOCUMENT']);
  });
});

describe('plainEnv', () => {
  it('expands $(NAME) of earlier variables only and $$ to $, as Kubernetes does', () => {
    const env = [
      { name: 'A', value: 'a' },
      { name: 'B', value: '$(A)-$(C)-$$(A)-$(UNKNOWN)' },
      { name: 'C', value: 'c' },
    ];
    expect(plainEnv({ env }, new Map())).toEqual({ A: 'a', B: 'a-$(C)-$(A)-$(UNKNOWN)', C: 'c' });
  });
});
