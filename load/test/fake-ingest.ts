import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { withoutKind, type CompiledPipeline } from '@docpipe/pipeline';
import { GENERATORS } from '../data/index.ts';
import { repositoryPipeline } from './pipelines.ts';

/** How the fake misbehaves, to check that the client notices. */
export interface FakeBehaviour {
  /** Answer 503 to every n-th document request. */
  unavailableEvery?: number;
  /** Answer 504 (written or not, unknown) to every n-th document request. */
  unknownEvery?: number;
  /** Return the previous id again for every n-th accepted document. */
  duplicateEvery?: number;
  /** Never store every n-th accepted document. */
  loseEvery?: number;
  /** Answer the first n token requests with 429. */
  rateLimitedTokens?: number;
  /** Milliseconds between acceptance and storage. */
  storeDelayMs?: number;
}

export interface FakeIngest {
  readonly url: string;
  /** Idempotency-Key headers received, in order. */
  readonly idempotencyKeys: string[];
  /** The document routes asked for, as `POST /v1/documents/batch` or `GET /v1/documents/:id`. */
  readonly routes: Set<string>;
  readonly users: Map<string, string>;
  close(): Promise<void>;
}

// As in ingest: /v1/documents… are the invoices pipeline's routes, /v1/pipelines/<name>/documents…
// those of any pipeline; after them, `batch` or an id.
const DOCUMENTS_ROUTE = /^(\/v1\/(?:pipelines\/([^/]+)\/)?documents)(?:\/([^/]+))?$/;

/**
 * A stand-in for ingest, good enough to test the client alone: users and tokens, single and NDJSON
 * batch posts to every pipeline load/data has a generator for, validated by the pipeline compiled
 * from pipelines/ (so 422 details are the real sentences), and GET of "stored" documents, each
 * pipeline's apart.
 */
export async function startFakeIngest(behaviour: FakeBehaviour = {}): Promise<FakeIngest> {
  const users = new Map<string, string>();
  const stored = new Map<string, { ingestedAt: string; storedAt: string }>();
  const idempotencyKeys: string[] = [];
  const routes = new Set<string>();
  const pipelines = new Map(GENERATORS.map(({ pipeline }) => [pipeline, repositoryPipeline(pipeline)]));
  let documentRequests = 0;
  let acceptedCount = 0;
  let tokenRequests = 0;
  let lastId = '';

  const accept = (pipeline: string): string => {
    acceptedCount += 1;
    if (behaviour.duplicateEvery && acceptedCount % behaviour.duplicateEvery === 0 && lastId) return lastId;
    const id = randomUUID();
    lastId = id;
    const ingestedAt = new Date();
    if (!(behaviour.loseEvery && acceptedCount % behaviour.loseEvery === 0)) {
      setTimeout(() => stored.set(`${pipeline}/${id}`, { ingestedAt: ingestedAt.toISOString(), storedAt: new Date().toISOString() }), behaviour.storeDelayMs ?? 5);
    }
    return id;
  };
  const judge = (pipeline: string, doc: unknown, index: number) => {
    const result = (pipelines.get(pipeline) as CompiledPipeline).validate(doc);
    return result.ok ? { index, id: accept(pipeline) } : { index, errors: withoutKind(result.errors) };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await text(req);
    const send = (status: number, json: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(json));
    };
    const path = req.url ?? '';
    if (req.method === 'POST' && path === '/v1/users') {
      const { username, password } = JSON.parse(body) as { username: string; password: string };
      if (users.has(username)) return send(409, { error: 'Conflict' });
      users.set(username, password);
      return send(201, { id: randomUUID(), username });
    }
    if (req.method === 'POST' && path === '/v1/token') {
      tokenRequests += 1;
      if (tokenRequests <= (behaviour.rateLimitedTokens ?? 0)) return send(429, { error: 'Too Many Requests' }, { 'retry-after': '0.05' });
      const { username, password } = JSON.parse(body) as { username: string; password: string };
      if (users.get(username) !== password) return send(401, { error: 'Unauthorized', message: 'wrong username or password' });
      return send(200, { access_token: `token-${username}`, token_type: 'Bearer', expires_in: 3600 });
    }
    if (req.headers.authorization === undefined) return send(401, { error: 'Unauthorized' });
    const [, documents, named, rest] = DOCUMENTS_ROUTE.exec(path) ?? [];
    const pipeline = named ?? 'invoices';
    if (documents === undefined || !pipelines.has(pipeline)) return send(404, { error: 'Not Found' });
    if (req.method === 'GET' && rest !== undefined) {
      routes.add(`GET ${documents}/:id`);
      const times = stored.get(`${pipeline}/${rest}`);
      return times ? send(200, { id: rest, ...times }) : send(404, { error: 'Not Found' });
    }
    if (req.method === 'POST' && (rest === undefined || rest === 'batch')) {
      routes.add(`POST ${path}`);
      documentRequests += 1;
      if (behaviour.unavailableEvery && documentRequests % behaviour.unavailableEvery === 0) return send(503, { error: 'Service Unavailable' }, { 'retry-after': '2' });
      if (behaviour.unknownEvery && documentRequests % behaviour.unknownEvery === 0) {
        return send(504, { error: 'Gateway Timeout', message: 'Kafka did not confirm the write in time', ids: [`unknown-${documentRequests}`] }, { 'retry-after': '1' });
      }
      const key = req.headers['idempotency-key'];
      if (typeof key === 'string') idempotencyKeys.push(key);
      if (rest === undefined) {
        const outcome = judge(pipeline, JSON.parse(body), 0);
        return 'id' in outcome ? send(202, { id: outcome.id }) : send(422, { error: 'Unprocessable Entity', details: outcome.errors });
      }
      const results = body.split('\n').filter((line) => line.trim() !== '').map((line, index) => judge(pipeline, JSON.parse(line), index));
      const accepted = results.filter((r) => 'id' in r).length;
      return send(accepted > 0 ? 202 : 422, { accepted, rejected: results.length - accepted, results });
    }
    return send(404, { error: 'Not Found' });
  };

  const server: Server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    idempotencyKeys,
    routes,
    users,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function text(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
