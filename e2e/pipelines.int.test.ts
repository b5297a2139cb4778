import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateDocuments, NO_DEFECTS } from '@docpipe/load/data';
import { compilePipelineYaml } from '@docpipe/pipeline';
import { MongoClient } from 'mongodb';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pooled, registerUser, requireStackEnv, ServiceProcess, waitFor } from '@docpipe/testing';

// Pipelines as data, end to end: ingest and consumer as their own processes, serving a folder of
// DocumentPipeline files that the test edits while they run, as `make local` does with pipelines/.
const env = requireStackEnv(['KAFKA_BROKERS', 'DATABASE_URL', 'MONGODB_URI', 'MONGODB_DATABASE', 'JWT_KEYS', 'PORT', 'METRICS_PORT']);
const api = `http://127.0.0.1:${env.PORT}`;
const REPOSITORY_PIPELINES = fileURLToPath(new URL('../pipelines/', import.meta.url));

let dir: string;
let ingest: ServiceProcess;
let consumer: ServiceProcess;
let mongo: MongoClient;
let user: { owner: string; authorization: string };
let admin: { owner: string; authorization: string };

const store = () => mongo.db(env.MONGODB_DATABASE);
const specPath = (name: string) => join(dir, `${name}.yaml`);
type Resource = { metadata: { name: string }; spec: Record<string, any> };

/** Rewrites a served spec (or, `fromRepository`, the repository's version of it); returns the new text. */
async function editSpec(name: string, edit: (resource: Resource) => void, fromRepository = false): Promise<string> {
  const resource = parse(await readFile(fromRepository ? join(REPOSITORY_PIPELINES, `${name}.yaml`) : specPath(name), 'utf8')) as Resource;
  edit(resource);
  const text = stringify(resource);
  await writeFile(specPath(name), text);
  return text;
}

/** The revision a spec text gets in every process that loads it. */
const revisionOf = (text: string) => compilePipelineYaml(text, 'e2e').revision;

async function post(path: string, doc: unknown, authorization = user.authorization) {
  const res = await fetch(`${api}${path}`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/json' },
    body: JSON.stringify(doc),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

const served = async () => ((await (await fetch(`${api}/v1/pipelines`, { headers: { authorization: user.authorization } })).json()) as { pipelines: { name: string; revision: string }[] }).pipelines;
const servedRevision = async (name: string) => (await served()).find((p) => p.name === name)?.revision;

const order = (i: number, lines = [{ sku: `SKU-${i % 7}`, quantity: 1 + (i % 3), unitPrice: 2.5 }]) => ({
  orderId: `ORD-${String(100_000 + i)}`,
  placedAt: '2026-11-30 17:45:00',
  customer: { id: 1 + i, email: `c${i}@example.org` },
  lines,
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'docpipe-e2e-pipelines-'));
  for (const name of ['invoices', 'orders']) await cp(join(REPOSITORY_PIPELINES, `${name}.yaml`), specPath(name));
  mongo = await new MongoClient(env.MONGODB_URI).connect();
  const adminName = `admin-${randomUUID().slice(0, 8)}`;
  const services = { PIPELINES_DIR: dir, KAFKA_CREATE_TOPICS: 'true', ADMIN_USERNAMES: adminName };
  consumer = await ServiceProcess.start('consumer', `http://127.0.0.1:${env.METRICS_PORT}/readyz`, services);
  ingest = await ServiceProcess.start('ingest', `${api}/readyz`, services);
  user = await registerUser(api, `pipelines-${randomUUID().slice(0, 8)}`, randomUUID());
  admin = await registerUser(api, adminName, randomUUID());
});

afterAll(async () => {
  await ingest?.stop();
  await consumer?.stop();
  await mongo?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('pipelines as data', () => {
  it('serves invoices and orders at once, each in its own topic and collection', { timeout: 120_000 }, async () => {
    const invoices = generateDocuments(300, { seed: 81, defects: NO_DEFECTS });
    const orders = Array.from({ length: 300 }, (_, i) => order(i));
    const posts = invoices.flatMap((d, i) => [['/v1/pipelines/invoices/documents', d.doc] as const, ['/v1/pipelines/orders/documents', orders[i]] as const]);
    const answers = await pooled(posts, 16, ([path, doc]) => post(path, doc).then((res) => ({ path, ...res })));
    expect(answers.filter((a) => a.status !== 202).map((a) => a.body)).toEqual([]);
    const idsOf = (pipeline: string) => new Set(answers.filter((a) => a.path.includes(`/${pipeline}/`)).map((a) => a.body['id'] as string));

    for (const [pipeline, collection] of [['invoices', 'documents'], ['orders', 'orders']] as const) {
      const accepted = idsOf(pipeline);
      expect(accepted.size).toBe(300);
      await waitFor(`${pipeline} stored`, async () => (await store().collection(collection).countDocuments({ owner: user.owner })) >= accepted.size, 90_000, 250);
      const stored = await store().collection<{ _id: string; pipeline: string }>(collection).find({ owner: user.owner }).toArray();
      expect(new Set(stored.map((d) => d._id))).toEqual(accepted);
      expect(new Set(stored.map((d) => d.pipeline))).toEqual(new Set([pipeline]));
    }
    const one = await fetch(`${api}/v1/pipelines/orders/documents/${[...idsOf('orders')][4]}`, { headers: { authorization: user.authorization } });
    expect(one.status).toBe(200);
    expect(await one.json()).toMatchObject({ orderId: 'ORD-100004', total: 5, lineCount: 1, currency: 'EUR', placedAt: '2026-11-30T17:45:00.000Z' });
    const refused = await post('/v1/pipelines/orders/documents', order(1, [{ sku: 'X', quantity: 0, unitPrice: 1 }]));
    expect(refused).toEqual({ status: 422, body: expect.objectContaining({ details: [{ field: 'lines[0].quantity', reason: 'must be >= 1' }] }) });
    expect((await post('/v1/pipelines/nope/documents', order(1))).status).toBe(404);
  });

  it('serves a third pipeline within 10 s of its file being written, with no restart', { timeout: 60_000 }, async () => {
    const pids = [ingest.pid, consumer.pid];
    const orders = parse(await readFile(specPath('orders'), 'utf8')) as Resource;
    orders.metadata.name = 'returns';
    orders.spec['description'] = 'Returned orders';
    const written = Date.now();
    await writeFile(specPath('returns'), stringify(orders));
    let answer = { status: 0, body: {} as Record<string, any> };
    await waitFor('a 202 from the new pipeline', async () => {
      answer = await post('/v1/pipelines/returns/documents', order(7));
      return answer.status === 202;
    }, 10_000, 100);
    expect(Date.now() - written).toBeLessThan(10_000);
    const id = answer.body['id'] as string;
    await waitFor('the return stored', async () => (await store().collection('returns').countDocuments({ _id: id } as never)) === 1, 30_000, 200);
    expect([ingest.pid, consumer.pid]).toEqual(pids);
  });

  it('switches schema and transform under load: no restart, no 5xx, nothing lost, each document names its generation', { timeout: 180_000 }, async () => {
    const pids = [ingest.pid, consumer.pid];
    const before = await servedRevision('invoices');
    const docs = generateDocuments(12_000, { seed: 82, defects: NO_DEFECTS });
    const answers: { status: number; id?: string; at: number }[] = [];
    let switched: { revision: string; at: number } | undefined;
    const started = Date.now();
    const RATE = 200;
    const DURATION_MS = 60_000;
    // A fixed rate: document i leaves at i / RATE seconds, so the switch lands in mid-stream.
    await pooled(docs.slice(0, (RATE * DURATION_MS) / 1000), 24, async (doc, i) => {
      const due = started + (i * 1000) / RATE;
      if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
      if (!switched && Date.now() - started > DURATION_MS / 3) {
        switched = { at: Date.now(), revision: '' };
        switched.revision = revisionOf(
          await editSpec('invoices', (r) => {
            r.spec['schema'].properties.Country.not = { const: 'France' };
            r.spec['transform'].fields.schemaVersion = '2';
          }),
        );
      }
      const res = await post('/v1/documents', doc.doc);
      answers.push({ status: res.status, at: Date.now(), ...(res.status === 202 ? { id: res.body['id'] as string } : {}) });
    });
    expect(switched).toBeDefined();
    const after = switched?.revision as string;
    await waitFor('ingest to serve the new generation', async () => (await servedRevision('invoices')) === after, 10_000);
    expect(after).not.toBe(before);

    expect(answers.filter((a) => a.status >= 500)).toEqual([]);
    expect(new Set(answers.map((a) => a.status))).toEqual(new Set([202, 422]));
    const accepted = answers.filter((a) => a.id !== undefined).map((a) => a.id as string);
    await waitFor('every accepted document stored', async () => (await store().collection('documents').countDocuments({ _id: { $in: accepted } } as never)) === accepted.length, 120_000, 500);
    const stored = await store()
      .collection<{ _id: string; Country: string; validatedBy: string; transformedBy: string; schemaVersion?: number }>('documents')
      .find({ _id: { $in: accepted } } as never)
      .toArray();
    expect(stored.length).toBe(accepted.length);
    expect(new Set(stored.map((d) => d.validatedBy))).toEqual(new Set([before, after]));
    // Validated by the new schema: nothing it refuses got through it, and it did refuse some.
    expect(stored.filter((d) => d.validatedBy === after && d.Country === 'France')).toEqual([]);
    expect(stored.filter((d) => d.validatedBy === before && d.Country === 'France').length).toBeGreaterThan(0);
    expect(answers.filter((a) => a.status === 422).length).toBeGreaterThan(0);
    expect(stored.filter((d) => d.validatedBy === after).length).toBeGreaterThan(0);
    // Every document names the generation that transformed it, and carries what that one computes.
    for (const d of stored) {
      expect([before, after]).toContain(d.transformedBy);
      expect(d.schemaVersion).toBe(d.transformedBy === after ? 2 : undefined);
    }
    expect([ingest.pid, consumer.pid]).toEqual(pids);
  });

  it('refuses a spec that does not compile and keeps serving the generation it had', { timeout: 30_000 }, async () => {
    const before = await servedRevision('orders');
    await editSpec('orders', (r) => (r.spec['transform'].fields.total = 'round(sum(doc.lines.map(l, l.quantity *)), 2)'));
    await waitFor('the refusal to be logged', async () => ingest.output.includes('orders.yaml: spec.transform.fields.total'), 15_000, 100);
    expect(await servedRevision('orders')).toBe(before);
    expect((await post('/v1/pipelines/orders/documents', order(9))).status).toBe(202);
  });

  it('replays rejected documents through a relaxed schema: newly valid ones stored once, for admins only', { timeout: 120_000 }, async () => {
    const original = revisionOf(await editSpec('invoices', () => undefined, true));
    await waitFor('the repository invoices spec served', async () => (await servedRevision('invoices')) === original, 10_000);
    const from = new Date().toISOString();
    const docs = generateDocuments(400, { seed: 83 });
    const answers = await pooled(docs, 16, (d) => post('/v1/documents', d.doc));
    expect(answers.filter((a) => a.status !== 202 && a.status !== 422)).toEqual([]);
    const nullCustomers = docs.filter((d, i) => d.defect === 'null_customer' && answers[i]?.status === 422).length;
    const otherRejections = answers.filter((a) => a.status === 422).length - nullCustomers;
    expect(nullCustomers).toBeGreaterThan(50);
    await waitFor('the rejections stored', async () => (await store().collection('rejected').countDocuments({ owner: user.owner, ingestedAt: { $gte: new Date(from) } })) === nullCustomers + otherRejections, 60_000, 250);
    const acceptedHere = answers.filter((a) => a.status === 202).length;
    const storedSince = () => store().collection('documents').countDocuments({ owner: user.owner, ingestedAt: { $gte: new Date(from) } });
    await waitFor('the accepted documents stored', async () => (await storedSince()) === acceptedHere, 60_000, 250);

    const relaxed = revisionOf(await editSpec(
      'invoices',
      (r) => {
        r.spec['schema'].required = r.spec['schema'].required.filter((f: string) => f !== 'CustomerID');
        r.spec['schema'].properties.CustomerID.type = ['integer', 'null'];
        r.spec['examples'].invalid = r.spec['examples'].invalid.filter((e: { errors: { field: string }[] }) => e.errors[0]?.field !== 'CustomerID');
      },
      true,
    ));
    await waitFor('the relaxed schema served', async () => (await servedRevision('invoices')) === relaxed, 10_000);
    const replay = () => post('/v1/pipelines/invoices/rejected/replay', { from }, admin.authorization);

    expect((await post('/v1/pipelines/invoices/rejected/replay', { from }, user.authorization)).status).toBe(403);
    const first = await replay();
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ replayed: nullCustomers, stillRejected: otherRejections });
    await waitFor('the replayed documents stored', async () => (await storedSince()) >= acceptedHere + nullCustomers, 60_000, 250);

    const second = await replay();
    expect(second.body).toMatchObject({ replayed: 0, alreadyStored: nullCustomers, stillRejected: otherRejections });
    await new Promise((resolve) => setTimeout(resolve, 2000));
    expect(await storedSince()).toBe(acceptedHere + nullCustomers);
  });
});
