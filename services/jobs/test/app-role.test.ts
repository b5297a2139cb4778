import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { POSTGRES_APP_ROLE } from '@docpipe/contract';
import { describe, expect, it } from 'vitest';
import { scramVerifier } from '../src/app-role.js';
import { MIGRATIONS_DIR } from '../src/migrate.js';

describe('the application role', () => {
  it("is the contract's role in its migration (SQL cannot import the name)", () => {
    const sql = readFileSync(join(MIGRATIONS_DIR, '0002_app-role.sql'), 'utf8').replace(/--.*$/gm, '');
    const named = [...sql.matchAll(/\b(?:CREATE ROLE|TO)\s+([a-z_][a-z0-9_]*)|rolname = '([^']+)'/gi)].map((m) => m[1] ?? m[2]);
    expect(named.length).toBeGreaterThan(0);
    expect(new Set(named)).toEqual(new Set([POSTGRES_APP_ROLE]));
  });
});

describe('scramVerifier', () => {
  it("writes PostgreSQL's SCRAM-SHA-256 format, salted afresh each time", () => {
    const verifier = scramVerifier('a1b2c3');
    expect(verifier).toMatch(/^SCRAM-SHA-256\$4096:[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=:[A-Za-z0-9+/]{43}=$/);
    expect(scramVerifier('a1b2c3')).not.toBe(verifier);
    expect(scramVerifier('a1b2c3', Buffer.alloc(16))).toBe(scramVerifier('a1b2c3', Buffer.alloc(16)));
  });
});
