import './support/prepare.js';
import { MONGODB_SECRETS, PORTS } from '@docpipe/contract';
import { Testing, type Chart } from 'cdk8s';
import { describe, expect, it } from 'vitest';
import { pinnedVersions } from '../src/config.js';
import { Adminer, ADMINER_IMAGE } from '../src/constructs/adminer.js';
import { DatabaseUi } from '../src/constructs/database-ui.js';
import { MONGO_EXPRESS_IMAGE, MongoExpress, type MongoExpressProps } from '../src/constructs/mongo-express.js';
import { podSpec, type Manifest } from './support/manifests.js';
import { networkPolicyCoverage, pdbForEachDeployment, perObjectRules } from './support/policy.js';

const mongoPods = { 'app.kubernetes.io/name': 'mongodb' };
const postgresPods = { 'app.kubernetes.io/name': 'postgres' };
const member = 'mongodb-0.mongodb.docpipe.svc.cluster.local:27017';
const mongoExpressProps: MongoExpressProps = { hosts: [member], replicaSet: 'rs0', database: 'docpipe', mongoPods };

function synth(build: (chart: Chart) => void): Manifest[] {
  const chart = Testing.chart();
  build(chart);
  return Testing.synth(chart) as Manifest[];
}
const mongoExpress = () => synth((chart) => new MongoExpress(chart, 'MongoExpress', mongoExpressProps));
const adminer = () => synth((chart) => new Adminer(chart, 'Adminer', { server: 'postgres', postgresPods }));
const one = (all: Manifest[], kind: string) => {
  const found = all.filter((m) => m.kind === kind);
  if (found.length !== 1) throw new Error(`${found.length} objects of kind ${kind}, not one`);
  return found[0]!;
};
const containerOf = (all: Manifest[]) => podSpec(one(all, 'Deployment')).containers[0];
const variable = (all: Manifest[], name: string) => containerOf(all).env.find((e: { name: string }) => e.name === name);

/** What differs between the UIs: image, env, ports, probes and the one flow (the rest is DatabaseUi's). */
const essentials = (all: Manifest[]) => {
  const { image, env, ports, readinessProbe, livenessProbe } = containerOf(all);
  return { image, env, ports, readinessProbe, livenessProbe, egress: one(all, 'NetworkPolicy').spec.egress };
};

describe.each([
  ['mongo-express', mongoExpress, mongoPods, PORTS.mongodb],
  ['adminer', adminer, postgresPods, PORTS.postgres],
] as const)('%s', (name, build, database, databasePort) => {
  const all = build();

  it('is one replica, a ClusterIP Service, a PDB and a NetworkPolicy, each named after it', () => {
    expect(all.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual([`Deployment/${name}`, `NetworkPolicy/${name}`, `PodDisruptionBudget/${name}`, `Service/${name}`]);
    expect(one(all, 'Deployment').spec.replicas).toBe(1);
    const service = one(all, 'Service').spec;
    expect(service.type).toBe('ClusterIP');
    expect(service.ports.map((p: Record<string, unknown>) => p.nodePort)).toEqual([undefined]);
    expect(one(all, 'Deployment').spec.template.metadata.labels).toMatchObject(service.selector);
  });

  it('runs on the restricted profile, with a read-only root, limits and probes, and no service account token', () => {
    expect(Object.values(perObjectRules).flatMap((rule) => all.flatMap(rule))).toEqual([]);
    expect(pdbForEachDeployment(all)).toEqual([]);
    expect(podSpec(one(all, 'Deployment')).automountServiceAccountToken).toBe(false);
    expect(containerOf(all).readinessProbe).not.toEqual(containerOf(all).livenessProbe);
  });

  it('opens nothing to other pods, and reaches its database alone', () => {
    const policy = one(all, 'NetworkPolicy').spec;
    expect(policy.policyTypes).toEqual(['Egress']);
    expect(policy.egress).toEqual([{ to: [{ podSelector: { matchLabels: database } }], ports: [{ port: databasePort, protocol: 'TCP' }] }]);
    // The namespace's default-deny isolates its ingress; this policy is what selects it.
    const defaultDeny = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny' }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } };
    expect(networkPolicyCoverage([...all, defaultDeny])).toEqual([]);
  });

  it('matches its snapshot', () => {
    expect(essentials(all)).toMatchSnapshot();
  });
});

describe('MongoExpress', () => {
  const all = mongoExpress();

  it("connects as the application user, to the one database, without the admin pages that user may not read", () => {
    expect(variable(all, 'MONGODB_USERNAME').valueFrom.secretKeyRef).toEqual({ name: MONGODB_SECRETS.app, key: 'username' });
    expect(variable(all, 'MONGODB_PASSWORD').valueFrom.secretKeyRef).toEqual({ name: MONGODB_SECRETS.app, key: 'password' });
    expect(variable(all, 'ME_CONFIG_MONGODB_URL').value).toBe(`mongodb://$(MONGODB_USERNAME):$(MONGODB_PASSWORD)@${member}/docpipe?replicaSet=rs0&authSource=admin`);
    expect(variable(all, 'ME_CONFIG_MONGODB_ENABLE_ADMIN').value).toBe('false');
  });

  it("asks for the application user's login, and keys its cookies with a secret, not the image's default", () => {
    expect(variable(all, 'ME_CONFIG_BASICAUTH_USERNAME').valueFrom.secretKeyRef).toEqual({ name: MONGODB_SECRETS.app, key: 'username' });
    for (const name of ['ME_CONFIG_BASICAUTH_PASSWORD', 'ME_CONFIG_SITE_COOKIESECRET', 'ME_CONFIG_SITE_SESSIONSECRET']) {
      expect(variable(all, name).valueFrom.secretKeyRef, name).toEqual({ name: MONGODB_SECRETS.app, key: 'password' });
    }
  });

  it('is ready while its first page answers, logged in with variables the container has', () => {
    const command = (containerOf(all).readinessProbe.exec.command as string[]).join(' ');
    const used = [...command.matchAll(/\$([A-Z_]+)/g)].map((m) => m[1]!);
    expect(used).toEqual(['ME_CONFIG_BASICAUTH_USERNAME', 'ME_CONFIG_BASICAUTH_PASSWORD']);
    for (const name of used) expect(variable(all, name), name).toBeDefined();
    expect(command).toContain('@127.0.0.1:8081/"');
  });

  it('runs the release of mongo-express that the local stack installs', () => {
    const version = pinnedVersions().MONGO_EXPRESS_VERSION;
    expect(version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(MONGO_EXPRESS_IMAGE.startsWith(`mongo-express:${version}-`)).toBe(true);
  });

  it('names every member of a replica set of three', () => {
    const hosts = [0, 1, 2].map((i) => `mongodb-${i}.mongodb.docpipe.svc.cluster.local:27017`);
    const url = variable(synth((chart) => new MongoExpress(chart, 'M', { ...mongoExpressProps, hosts })), 'ME_CONFIG_MONGODB_URL').value;
    expect(url).toContain(`@${hosts.join(',')}/docpipe?`);
  });

  it('refuses no members, a member without its port, and a name MongoDB refuses for a database', () => {
    const build = (props: Partial<MongoExpressProps>) => () => synth((chart) => new MongoExpress(chart, 'M', { ...mongoExpressProps, ...props }));
    expect(build({ hosts: [] })).toThrow(/needs the members/);
    expect(build({ hosts: [member, 'mongodb-1.mongodb'] })).toThrow(/host:port, got "mongodb-1.mongodb"/);
    expect(build({ replicaSet: '' })).toThrow(/name of the replica set/);
    expect(build({ database: 'docpipe/admin' })).toThrow(/not a MongoDB database name/);
  });
});

describe('Adminer', () => {
  const all = adminer();

  it("offers the Postgres Service as the login form's server, and holds no credentials", () => {
    expect(containerOf(all).env).toEqual([{ name: 'ADMINER_DEFAULT_SERVER', value: 'postgres' }]);
    expect(ADMINER_IMAGE).toMatch(/^adminer:\d+\.\d+\.\d+-standalone$/);
  });

  it('is ready once its login form answers', () => {
    expect(containerOf(all).readinessProbe.httpGet).toMatchObject({ path: '/', port: 8080 });
  });

  it('refuses a server that is no DNS name', () => {
    expect(() => synth((chart) => new Adminer(chart, 'A', { server: 'postgres:5432', postgresPods }))).toThrow(/not a DNS name/);
  });
});

describe('DatabaseUi', () => {
  const props = { name: 'ui', image: 'example/ui:1.2.3', port: 8080, variables: [], database: { pods: postgresPods, port: PORTS.postgres }, ready: { path: '/' } };
  const build = (changes: object) => () => synth((chart) => new DatabaseUi(chart, 'Ui', { ...props, ...changes }));

  it('refuses an image not pinned to a release, a privileged port and a name that is no DNS label', () => {
    expect(build({})).not.toThrow();
    for (const image of ['example/ui', 'example/ui:latest', 'example/ui:main']) expect(build({ image }), image).toThrow(/must be pinned to a release tag/);
    expect(build({ port: 80 })).toThrow(/unprivileged port/);
    expect(build({ name: 'Database_UI' })).toThrow(/not a DNS label/);
  });
});
