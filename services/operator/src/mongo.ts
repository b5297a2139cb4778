import { MongoClient, MongoServerError } from 'mongodb';
import type { Collections } from './controller/deletion.js';

/** Code of "ns not found": a collection already dropped, or never written to. */
const NAMESPACE_NOT_FOUND = 26;

/** Drops collections through `uri`, with a client per deletion: deletions are rare. */
export function collectionDropper(uri: string | undefined, database: string): Collections {
  if (!uri) return undefined;
  return async (names) => {
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
    try {
      const db = client.db(database);
      for (const name of names) {
        try {
          await db.dropCollection(name);
        } catch (error) {
          if (!(error instanceof MongoServerError && error.code === NAMESPACE_NOT_FOUND)) throw error;
        }
      }
    } finally {
      await client.close();
    }
  };
}
