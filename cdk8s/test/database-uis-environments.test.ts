import './support/prepare.js';
import { PORTS } from '@docpipe/contract';
import { describe, expect, it } from 'vitest';
import { environments, productionDatabaseUis, type EnvironmentConfig } from '../src/config.js';
import { partLabels } from '../src/constructs/common.js';
import { databaseUiLabels } from '../src/constructs/database-ui.js';
import { synthManifests, type Manifest } from './support/manifests.js';
import { admits, type Pod } from './support/network.js';

const ns = 'docpipe';
const pod = (labels: Record<string, string>): Pod => ({ namespace: ns, labels });
const pods = {
  mongoExpress: pod(databaseUiLabels('mongo-express')),
  adminer: pod(databaseUiLabels('adminer')),
  mongodb: pod(partLabels('mongodb', 'database')),
  postgres: pod(partLabels('postgres', 'database')),
  ingest: pod(partLabels('ingest', 'service')),
  stranger: { namespace: 'default', labels: { app: 'curl' } },
};
const UIS = ['mongo-express', 'adminer'];
const uiObjects = (all: Manifest[]) => all.filter((m) => UIS.includes(m.metadata.name ?? '')).map((m) => `${m.kind}/${m.metadata.name}`);
/** Production as DOCPIPE_PRODUCTION_DATABASE_UIS sets it, whatever this shell holds. */
const production = (value?: string): EnvironmentConfig => ({ ...environments.production, databaseUis: productionDatabaseUis({ DOCPIPE_PRODUCTION_DATABASE_UIS: value }) });

describe('the database UIs in the environments', () => {
  it('run in kind always, and in production only when DOCPIPE_PRODUCTION_DATABASE_UIS=1 asks for them', () => {
    expect(environments.kind.databaseUis).toBe(true);
    expect(uiObjects(synthManifests(environments.kind))).toHaveLength(8);
    expect(uiObjects(synthManifests(production()))).toEqual([]);
    expect(uiObjects(synthManifests(production('0')))).toEqual([]);
    expect(uiObjects(synthManifests(production('1')))).toHaveLength(8);
  });

  it('refuses a value of DOCPIPE_PRODUCTION_DATABASE_UIS other than 1 or 0', () => {
    expect(() => productionDatabaseUis({ DOCPIPE_PRODUCTION_DATABASE_UIS: 'yes' })).toThrow(/must be 1 \(the database UIs in production\) or 0, got "yes"/);
  });

  it.each([
    ['kind', environments.kind],
    ['production with the UIs', production('1')],
  ] as const)('%s: each database admits its UI, and no pod reaches a UI', (_, env) => {
    const all = synthManifests(env);
    expect(admits(all, pods.mongoExpress, pods.mongodb, PORTS.mongodb)).toBe(true);
    expect(admits(all, pods.adminer, pods.postgres, PORTS.postgres)).toBe(true);
    expect(admits(all, pods.adminer, pods.mongodb, PORTS.mongodb)).toBe(false);
    expect(admits(all, pods.mongoExpress, pods.postgres, PORTS.postgres)).toBe(false);
    expect(admits(all, pods.mongoExpress, { ip: '203.0.113.7' }, 443)).toBe(false);
    for (const [ui, port] of [[pods.mongoExpress, 8081], [pods.adminer, 8080]] as const) {
      for (const client of [pods.ingest, pods.stranger, { ip: '172.18.0.1' }]) expect(admits(all, client, ui, port)).toBe(false);
    }
  });

  it('production without them: the databases admit no UI', () => {
    const all = synthManifests(production());
    expect(admits(all, pods.mongoExpress, pods.mongodb, PORTS.mongodb)).toBe(false);
    expect(admits(all, pods.adminer, pods.postgres, PORTS.postgres)).toBe(false);
  });

  it('are reached through port-forward only: ClusterIP Services, no Ingress', () => {
    const all = synthManifests(environments.kind);
    const services = all.filter((m) => m.kind === 'Service' && UIS.includes(m.metadata.name!));
    expect(services.map((s) => [s.metadata.name, s.spec.type])).toEqual([
      ['mongo-express', 'ClusterIP'],
      ['adminer', 'ClusterIP'],
    ]);
    expect(all.filter((m) => m.kind === 'Ingress')).toEqual([]);
  });

  it('connect mongo-express to every member of a production replica set', () => {
    const deployment = synthManifests(production('1')).find((m) => m.kind === 'Deployment' && m.metadata.name === 'mongo-express')!;
    const url = deployment.spec.template.spec.containers[0].env.find((e: { name: string }) => e.name === 'ME_CONFIG_MONGODB_URL').value as string;
    expect(url.match(/mongodb-\d\.mongodb/g)).toHaveLength(environments.production.mongodb.members);
  });
});
