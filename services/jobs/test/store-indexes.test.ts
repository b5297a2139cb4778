import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { lookupIndexName } from '../src/store-indexes.js';

describe('lookupIndexName', () => {
  it('is the table name and _id_gin when that fits in an identifier', () => {
    expect(lookupIndexName('documents_1a2b3c4d')).toBe('documents_1a2b3c4d_id_gin');
  });

  it('keeps long names within 63 bytes and apart when they share a prefix', () => {
    const a = `${'x'.repeat(54)}_1a2b3c4d`;
    const b = `${'x'.repeat(54)}_5e6f7a8b`;
    expect(lookupIndexName(a)).toHaveLength(63);
    expect(lookupIndexName(a)).toMatch(/_[0-9a-f]{8}_id_gin$/);
    expect(lookupIndexName(a)).not.toBe(lookupIndexName(b));
    expect(lookupIndexName(a)).toBe(lookupIndexName(a));
  });

  it('counts bytes, not characters', () => {
    const name = lookupIndexName(`${'é'.repeat(40)}_1a2b3c4d`);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^é+_[0-9a-f]{8}_id_gin$/);
  });
});

describe('loadConfig: the store', () => {
  it('has no store unless FERRETDB_POSTGRESQL_URL or FERRETDB_SQLITE_URL is set', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://h/db' }).store).toBeUndefined();
  });

  it("takes FerretDB's PostgreSQL database and the MongoDB database, docpipe by default", () => {
    const env = { DATABASE_URL: 'postgres://h/db', FERRETDB_POSTGRESQL_URL: 'postgres://u:p@h/ferretdb' };
    expect(loadConfig(env).store).toEqual({ backend: 'postgresql', postgresUrl: 'postgres://u:p@h/ferretdb', database: 'docpipe' });
    expect(loadConfig({ ...env, MONGODB_DATABASE: 'other' }).store).toMatchObject({ database: 'other' });
  });

  it("takes the folder of FerretDB's SQLite files from its -sqlite-url, query and all", () => {
    const env = { DATABASE_URL: 'postgres://h/db', FERRETDB_SQLITE_URL: 'file:/var/lib/ferret%20db/data/?_pragma=cache_size(-20000)' };
    expect(loadConfig(env).store).toEqual({ backend: 'sqlite', directory: '/var/lib/ferret db/data/', database: 'docpipe' });
    expect(loadConfig({ ...env, FERRETDB_SQLITE_URL: 'file:///srv/ferretdb' }).store).toMatchObject({ directory: '/srv/ferretdb/' });
  });

  it('refuses a FERRETDB_POSTGRESQL_URL that is not a PostgreSQL URL', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://h/db', FERRETDB_POSTGRESQL_URL: 'mongodb://h/' })).toThrow(/FERRETDB_POSTGRESQL_URL/);
  });

  it('refuses a FERRETDB_SQLITE_URL with a relative path, which would depend on where the jobs run', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://h/db', FERRETDB_SQLITE_URL: 'file:data/' })).toThrow(/FERRETDB_SQLITE_URL/);
  });

  it('refuses both backends at once', () => {
    const env = { DATABASE_URL: 'postgres://h/db', FERRETDB_POSTGRESQL_URL: 'postgres://h/ferretdb', FERRETDB_SQLITE_URL: 'file:/srv/ferretdb/' };
    expect(() => loadConfig(env)).toThrow(/both set/);
  });
});
