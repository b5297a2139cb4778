import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { describeTarget, explainFailure } from '../src/database.js';

const URL_WITH_SECRET = 'postgresql://docpipe:s3cret-Pw@db.internal:6543/docpipe?sslmode=disable';

describe('describeTarget', () => {
  it('names host, port and database without credentials', () => {
    expect(describeTarget(URL_WITH_SECRET)).toBe('db.internal:6543/docpipe');
  });
});

describe('explainFailure', () => {
  it('gives one line naming the database and never the password', () => {
    const echoed = new Error(`could not connect\nto ${URL_WITH_SECRET}`);
    const line = explainFailure(echoed, URL_WITH_SECRET);
    expect(line).not.toContain('s3cret-Pw');
    expect(line).not.toContain('\n');
    expect(line).toContain('db.internal:6543/docpipe');
  });

  it('explains the empty-message AggregateError of a refused localhost connection', () => {
    const refused = (address: string) => Object.assign(new Error(`connect ECONNREFUSED ${address}`), { code: 'ECONNREFUSED' });
    const error = new AggregateError([refused('::1:5432'), refused('127.0.0.1:5432')]);
    expect(explainFailure(error, 'postgres://u:p@localhost:5432/d')).toBe(
      'connect ECONNREFUSED ::1:5432; connect ECONNREFUSED 127.0.0.1:5432 (database localhost:5432/d)',
    );
  });
});

describe('loadConfig', () => {
  it('defaults LOG_LEVEL and requires a postgres URL', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://h/db' })).toEqual({ databaseUrl: 'postgres://h/db', logLevel: 'info' });
    expect(() => loadConfig({})).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ DATABASE_URL: 'mysql://h/db' })).toThrow(/DATABASE_URL/);
  });
});
