import type { StoredDocument } from '@docpipe/invoice';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { MongoClient, type Collection, type Db } from 'mongodb';

declare module 'fastify' {
  interface FastifyInstance {
    mongo: { readonly db: Db; readonly documents: Collection<StoredDocument> };
  }
}

/** MongoDB, read-only here: GET /v1/documents/:id looks up what the consumer stored. */
export default fp(
  async function mongo(app: FastifyInstance) {
    // The driver connects on first use and reconnects by itself; boot does not wait for MongoDB.
    const client = new MongoClient(app.config.mongo.uri, {
      appName: 'ingest',
      serverSelectionTimeoutMS: 3000,
      maxPoolSize: 20,
    });
    const db = client.db(app.config.mongo.database);
    app.decorate('mongo', { db, documents: db.collection<StoredDocument>('documents') });
    app.addHook('onClose', () => client.close());
  },
  { name: 'mongo', dependencies: ['config'] },
);
