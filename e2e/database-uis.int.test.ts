import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { INVOICES } from '@docpipe/contract';
import { requireStackEnv } from '@docpipe/testing';
import { MongoClient } from 'mongodb';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The database UIs of the local stack (scripts/stack/ui.sh) in a real browser, Debian's Chromium
// driven headless by puppeteer-core, read as a person would read them: the collections
// mongo-express lists for database docpipe, and the tables Adminer lists once logged in to it.
const env = requireStackEnv(['DOCPIPE_DATABASE_UIS', 'DOCPIPE_MONGO_EXPRESS_PORT', 'DOCPIPE_ADMINER_PORT', 'MONGODB_URI', 'MONGODB_DATABASE', 'DATABASE_URL']);
if (env.DOCPIPE_DATABASE_UIS !== '1') throw new Error('this profile runs without its database UIs (DOCPIPE_DATABASE_UIS=0); start it with DOCPIPE_DATABASE_UIS=1');
const mongoExpressLogin = requireStackEnv(['DOCPIPE_MONGO_EXPRESS_USERNAME', 'DOCPIPE_MONGO_EXPRESS_PASSWORD']);
const CHROMIUM = '/usr/bin/chromium';
const COLLECTION = INVOICES.collections.documents;
/** The table of migration 0001 that holds the users. */
const TABLE = 'users';

/** A name that no UI lists: the checks below tell a listed name from an absent one. */
const absent = `absent_${randomUUID().replaceAll('-', '')}`;
const marker = { _id: `database-uis-${randomUUID()}` };

let browser: Browser;
let mongo: MongoClient;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run bash scripts/install/chromium.sh`);
  // The collection exists once a document is stored; a document of the test's own makes sure of it.
  mongo = await new MongoClient(env.MONGODB_URI).connect();
  await mongo.db(env.MONGODB_DATABASE).collection<{ _id: string }>(COLLECTION).insertOne(marker);
  // Chromium's sandbox needs user namespaces that root is refused; make test may run as root.
  browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: process.getuid?.() === 0 ? ['--no-sandbox'] : [] });
});

afterAll(async () => {
  await browser?.close();
  await mongo?.db(env.MONGODB_DATABASE).collection<{ _id: string }>(COLLECTION).deleteOne(marker);
  await mongo?.close();
});

/** A page that fails on an answer other than 200. */
async function open(page: Page, url: string): Promise<void> {
  const response = await page.goto(url, { waitUntil: 'domcontentloaded' });
  if (response?.status() !== 200) throw new Error(`GET ${new URL(url).pathname} answered ${response?.status()}`);
}

/** The collections mongo-express lists on a database's page. */
async function mongoExpressCollections(database: string): Promise<string[]> {
  const page = await browser.newPage();
  try {
    await page.authenticate({ username: mongoExpressLogin.DOCPIPE_MONGO_EXPRESS_USERNAME, password: mongoExpressLogin.DOCPIPE_MONGO_EXPRESS_PASSWORD });
    await open(page, `http://127.0.0.1:${env.DOCPIPE_MONGO_EXPRESS_PORT}/db/${encodeURIComponent(database)}/`);
    return await page.$$eval('td h3 a', (links) => links.map((a) => a.textContent?.trim() ?? ''));
  } finally {
    await page.close();
  }
}

/** The tables Adminer lists in a Postgres database's public schema, after its login form. */
async function adminerTables(databaseUrl: string): Promise<string[]> {
  const url = new URL(databaseUrl);
  const server = `${url.hostname}:${url.port}`;
  const [username, password, database] = [decodeURIComponent(url.username), decodeURIComponent(url.password), url.pathname.slice(1)];
  const base = `http://127.0.0.1:${env.DOCPIPE_ADMINER_PORT}/`;
  const page = await browser.newPage();
  try {
    await open(page, base);
    await page.select('select[name="auth[driver]"]', 'pgsql');
    for (const [field, value] of [['server', server], ['username', username], ['password', password], ['db', database]]) {
      await page.$eval(`input[name="auth[${field}]"]`, (input, v) => ((input as HTMLInputElement).value = v), value!);
    }
    await Promise.all([page.waitForNavigation({ waitUntil: 'domcontentloaded' }), page.click('input[type="submit"]')]);
    // A refused login comes back as the form with Adminer's reason; the reason names no password.
    const refused = await page.$eval('.error', (e) => e.textContent?.trim()).catch(() => undefined);
    if (refused !== undefined) throw new Error(`Adminer refused the login: ${refused}`);
    const query = new URLSearchParams({ pgsql: server, username, db: database, ns: 'public' });
    await open(page, `${base}?${query}`);
    return await page.$$eval('#tables a[href*="&table="]', (links) => links.map((a) => a.textContent?.trim() ?? ''));
  } finally {
    await page.close();
  }
}

describe('the database UIs in a browser', () => {
  it(`mongo-express lists the ${COLLECTION} collection of database ${env.MONGODB_DATABASE}`, async () => {
    const collections = await mongoExpressCollections(env.MONGODB_DATABASE);
    expect(collections).toContain(COLLECTION);
    expect(collections).not.toContain(absent);
  });

  it('mongo-express asks for its login', async () => {
    // Not through the browser, which keeps the login the first test gave it.
    expect((await fetch(`http://127.0.0.1:${env.DOCPIPE_MONGO_EXPRESS_PORT}/db/${env.MONGODB_DATABASE}/`)).status).toBe(401);
  });

  it(`Adminer lists the ${TABLE} table of the Postgres database, logged in with the profile's credentials`, async () => {
    const tables = await adminerTables(env.DATABASE_URL);
    expect(tables).toContain(TABLE);
    expect(tables).not.toContain(absent);
  });

  it('Adminer refuses a wrong password', async () => {
    const wrong = new URL(env.DATABASE_URL);
    wrong.password = randomUUID();
    await expect(adminerTables(wrong.href)).rejects.toThrow(/Adminer refused the login/);
  });
});
