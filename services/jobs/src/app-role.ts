import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import pg from 'pg';

/** PostgreSQL's own default for the verifiers it computes (scram_iterations). */
const SCRAM_ITERATIONS = 4096;

/**
 * The SCRAM-SHA-256 verifier PostgreSQL stores for a password (RFC 5802, RFC 7677). The server
 * then never sees the password itself, so a logged or failing ALTER ROLE cannot reveal it. The
 * password is hashed as given, without SASLprep: the generated ones are hex.
 */
export function scramVerifier(password: string, salt: Buffer = randomBytes(16)): string {
  const salted = pbkdf2Sync(password, salt, SCRAM_ITERATIONS, 32, 'sha256');
  const storedKey = createHash('sha256').update(createHmac('sha256', salted).update('Client Key').digest()).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${SCRAM_ITERATIONS}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/**
 * Lets the application role log in with `password`. Runs after the migrations, which create the
 * role; several migrate runs at once take turns, since concurrent ALTER ROLEs of one role fail.
 */
export async function setAppRolePassword(client: pg.ClientBase, role: string, password: string): Promise<void> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`docpipe app role ${role}`]);
    const { rowCount } = await client.query('SELECT FROM pg_roles WHERE rolname = $1', [role]);
    if (!rowCount) {
      throw new Error(`role ${role} does not exist: its migration ran as a user that may not create roles; create the role and grant it what migrations/0002 grants`);
    }
    await client.query(`ALTER ROLE ${pg.escapeIdentifier(role)} WITH LOGIN PASSWORD ${pg.escapeLiteral(scramVerifier(password))}`);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}
