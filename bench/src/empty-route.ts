// The HTTP ceiling: fastify (ingest's version) answering the routes the load client calls, doing
// nothing else. The document route parses the JSON body like ingest and answers 202 with an id;
// users and token answer at once, so the load client logs in as it does against ingest.
import { randomUUID } from 'node:crypto';
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/healthz', async () => ({ status: 'ok' }));
app.post('/v1/users', async (_request, reply) => reply.code(201).send({ id: randomUUID(), username: 'bench' }));
app.post('/v1/token', async () => ({ access_token: 'empty-route', token_type: 'Bearer', expires_in: 3600 }));
app.post('/v1/documents', async (_request, reply) => reply.code(202).send({ id: randomUUID() }));

process.once('SIGTERM', () => void app.close());
await app.listen({ host: '127.0.0.1', port: Number(process.env['PORT'] ?? 8082) });
