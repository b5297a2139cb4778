import type { CompiledPipeline, FieldError, StoredDocument, StoredRejection } from '@docpipe/pipeline';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { MongoClient, type AnyBulkWriteOperation, type Db } from 'mongodb';

/** Rejections received within [from, to] (their ingestedAt). */
export interface ReceivedWindow {
  readonly from: Date;
  readonly to: Date;
}

/** The reasons the current generation gives for a rejection it still refuses. */
export interface Recheck {
  readonly id: string;
  readonly errors: readonly FieldError[];
}

/** What ingest reads and marks in MongoDB; the consumer writes everything else. */
export interface MongoStore {
  readonly db: Db;
  /**
   * A stored document of the pipeline, by id alone: FerretDB answers {_id, owner} with a full
   * collection scan, {_id} from the index, so the caller compares the owner.
   */
  findDocument(pipeline: CompiledPipeline, id: string): Promise<StoredDocument | null>;
  /** The rejections that hold a parsed document (not the raw text of a line), `chunkSize` at a time. */
  rejectedDocuments(pipeline: CompiledPipeline, window: ReceivedWindow, chunkSize: number): AsyncGenerator<StoredRejection[]>;
  /** Which of these ids the pipeline's documents collection holds. */
  storedIds(pipeline: CompiledPipeline, ids: readonly string[]): Promise<Set<string>>;
  /** Sets, on each rejection, the reasons that `revision` refused it with at `at`. */
  recordRechecks(pipeline: CompiledPipeline, rechecks: readonly Recheck[], revision: string, at: Date): Promise<void>;
}

declare module 'fastify' {
  interface FastifyInstance {
    mongo: MongoStore;
  }
}

export default fp(
  async function mongo(app: FastifyInstance) {
    // The driver connects on first use and reconnects by itself; boot does not wait for MongoDB.
    const client = new MongoClient(app.config.mongo.uri, {
      appName: 'ingest',
      serverSelectionTimeoutMS: 3000,
      maxPoolSize: 20,
    });
    const db = client.db(app.config.mongo.database);
    const documents = (pipeline: CompiledPipeline) => db.collection<StoredDocument>(pipeline.resources.collections.documents);
    const rejected = (pipeline: CompiledPipeline) => db.collection<StoredRejection>(pipeline.resources.collections.rejected);

    app.decorate('mongo', {
      db,
      findDocument: (pipeline, id) => documents(pipeline).findOne({ _id: id }),
      async *rejectedDocuments(pipeline, window, chunkSize) {
        // One cursor, read a batch at a time. The marks recordRechecks sets touch neither the
        // filter's fields nor _id, so they cannot make the cursor return a rejection twice.
        const cursor = rejected(pipeline).find(
          { doc: { $exists: true }, ingestedAt: { $gte: window.from, $lte: window.to } },
          { batchSize: chunkSize, projection: { owner: 1, doc: 1, ingestedAt: 1 } },
        );
        try {
          let chunk: StoredRejection[] = [];
          for await (const rejection of cursor) {
            chunk.push(rejection);
            if (chunk.length === chunkSize) {
              yield chunk;
              chunk = [];
            }
          }
          if (chunk.length > 0) yield chunk;
        } finally {
          await cursor.close();
        }
      },
      async storedIds(pipeline, ids) {
        if (ids.length === 0) return new Set();
        const found = await documents(pipeline)
          .find({ _id: { $in: [...ids] } }, { projection: { _id: 1 } })
          .toArray();
        return new Set(found.map((doc) => doc._id));
      },
      async recordRechecks(pipeline, rechecks, revision, at) {
        if (rechecks.length === 0) return;
        const updates: AnyBulkWriteOperation<StoredRejection>[] = rechecks.map(({ id, errors }) => ({
          updateOne: { filter: { _id: id }, update: { $set: { recheckedBy: revision, recheckedAt: at, currentErrors: errors } } },
        }));
        await rejected(pipeline).bulkWrite(updates, { ordered: false });
      },
    } satisfies MongoStore);
    app.addHook('onClose', () => client.close());
  },
  { name: 'mongo', dependencies: ['config'] },
);
