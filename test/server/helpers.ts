/**
 * Builds a real app (real database, real SMTP on loopback) for one test, on SQLite or PostgreSQL,
 * and tears it down after. PostgreSQL runs get a schema of their own, dropped at the end.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, type TestContext } from 'node:test';
import pg from 'pg';
import { sql, type Kysely } from 'kysely';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { connect } from '../../server/db/connect.js';
import { migrateToLatest } from '../../server/db/migrate.js';
import { appRoleGrants } from '../../server/db/app-role.js';
import type { Database } from '../../server/db/schema.js';
import type { Deps } from '../../server/deps.js';
import { Keyring } from '../../server/domain/crypto.js';
import { ClinicCache } from '../../server/domain/clinic-cache.js';
import { devMailer, smtpMailer } from '../../server/domain/mail.js';
import { createWorkers } from '../../server/workers.js';
import { createClinic, clinicCipher } from '../../server/domain/clinics.js';
import { createStaff } from '../../server/domain/staff.js';
import { enrolPatient } from '../../server/domain/patients.js';
import type { ClinicRow } from '../../server/db/schema.js';
import type { StaffRole } from '../../shared/roles.js';
import { startSmtpSink, codeFrom, type SmtpSink } from '../support/smtp.js';
import { fakeWebRoot } from '../support/fake-web-root.js';

export const ORIGIN = 'http://localhost:3000';
export const PASSWORD = 'correct horse battery staple';

/** The databases this run covers; PostgreSQL only when TEST_DATABASE_URL is set (CI sets it). */
export const DIALECTS: Array<{ name: 'sqlite' | 'postgres'; skip: string | false }> = [
  { name: 'sqlite', skip: false },
  { name: 'postgres', skip: process.env.TEST_DATABASE_URL ? false : 'TEST_DATABASE_URL is not set, so the PostgreSQL runs are skipped (CI sets it)' },
];

/** A built app and what a test needs around it. */
export interface TestApp {
  app: FastifyInstance;
  deps: Deps;
  smtp: SmtpSink;
  /** The SQLite file (null on PostgreSQL). */
  sqliteFile: string | null;
  /** The PostgreSQL schema (null on SQLite). */
  pgSchema: string | null;
  /** The PostgreSQL database URL of the owner role, which migrates (null on SQLite). */
  databaseUrl: string | null;
  /** The PostgreSQL URL the app uses: the restricted role APP_ROLE (null on SQLite). */
  appDatabaseUrl: string | null;
  /** A connection as the owner (PostgreSQL; on SQLite the app's own), for setup the app role may not do. */
  owner: Kysely<Database>;
  /** The master key, hex (for a CLI or server process on the same database). */
  masterKey: string;
  /** Closed before this app's own teardown (other instances on its database). */
  dependents: Array<() => Promise<void>>;
}

/** The restricted PostgreSQL role the app runs as in the tests (README, "A restricted PostgreSQL role"). */
export const APP_ROLE = 'sm_app';

/**
 * Creates APP_ROLE once per cluster; idempotent and safe while other test processes do the same (a
 * concurrent CREATE ROLE fails with a unique violation rather than duplicate_object).
 */
async function ensureAppRole(client: pg.Client): Promise<void> {
  await client.query(`do $$ begin create role ${APP_ROLE} login; exception when duplicate_object or unique_violation then null; end $$`);
}

/** The same URL, logging in as another role (the test cluster trusts 127.0.0.1). */
function asRole(databaseUrl: string, role: string): string {
  const url = new URL(databaseUrl);
  url.username = role;
  url.password = '';
  return url.href;
}

let processDatabase: Promise<{ name: string; url: string }> | null = null;

/**
 * A PostgreSQL database of this test process's own, dropped when the process's tests end. Tests get
 * a schema each inside it. (Schemas of several processes in one database would race: Kysely's
 * introspection reads every schema while another process drops its own.)
 */
function testDatabaseUrl(): Promise<string> {
  processDatabase ??= (async () => {
    const name = `sm_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(process.env.TEST_DATABASE_URL!);
    url.pathname = `/${name}`;
    return { name, url: url.href };
  })();
  return processDatabase.then((d) => d.url);
}

// Registered at module level, so it runs once, after every test of the file (the process).
after(async () => {
  if (!processDatabase) return;
  const { name } = await processDatabase;
  const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await client.connect();
  await client.query(`drop database if exists ${name} with (force)`);
  await client.end();
});

/** Builds the app on the given database; closed when the test ends. Pass `logs` to collect every log line. */
export async function build(t: TestContext, dialect: 'sqlite' | 'postgres', env: Record<string, string> = {}, logs?: string[]): Promise<TestApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sm-data-'));
  const smtp = await startSmtpSink();
  const pgSchema = dialect === 'postgres' ? `t_${randomBytes(6).toString('hex')}` : null;
  const databaseUrl = pgSchema ? await testDatabaseUrl() : null;
  if (pgSchema) {
    const client = new pg.Client({ connectionString: databaseUrl! });
    await client.connect();
    await client.query(`create schema ${pgSchema}`);
    await ensureAppRole(client);
    await client.end();
  }
  const appDatabaseUrl = databaseUrl ? asRole(databaseUrl, APP_ROLE) : null;
  // Notices go at once unless a test is about batching them (NOTICE_BATCH_MS in its env).
  const config = loadConfig({ PUBLIC_URL: ORIGIN, DATA_DIR: dataDir, SMTP_URL: smtp.url, NOTICE_BATCH_MS: '0', ...(appDatabaseUrl ? { DATABASE_URL: appDatabaseUrl } : {}), ...env });
  // On PostgreSQL the owner migrates and grants; the app runs as the restricted role.
  const ownerDatabase = pgSchema ? connect({ databaseUrl: databaseUrl!, dataDir, pgSchema }) : null;
  const database = connect({ databaseUrl: config.databaseUrl, dataDir, ...(pgSchema ? { pgSchema } : {}) });
  const masterKey = randomBytes(32);
  const keyring = new Keyring(masterKey);
  // `SMTP_URL: ''` in env: the development mailbox instead of the SMTP sink.
  const mailer = config.smtpUrl ? smtpMailer(config.smtpUrl, config.mailFrom, config.smtpTimeouts) : devMailer(database.db, keyring);
  const deps: Deps = { ...database, ...createWorkers({ ...database, keyring, mailer, config }, config), config, keyring, clinics: new ClinicCache(keyring), mailer, webRoot: fakeWebRoot() };
  let app: FastifyInstance | null = null;
  const dependents: Array<() => Promise<void>> = [];
  // Registered before anything can fail, so a failing test never leaves servers or pools open.
  t.after(async () => {
    for (const close of dependents.splice(0).reverse()) await close();
    await app?.close();
    deps.mailer.close();
    await deps.db.destroy();
    await ownerDatabase?.db.destroy();
    await smtp.close();
    if (pgSchema) {
      const client = new pg.Client({ connectionString: databaseUrl! });
      await client.connect();
      await client.query(`drop schema ${pgSchema} cascade`);
      await client.end();
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
  if (ownerDatabase) {
    await migrateToLatest(ownerDatabase);
    for (const statement of appRoleGrants(APP_ROLE, pgSchema!)) await sql.raw(statement).execute(ownerDatabase.db);
  } else {
    await migrateToLatest(database);
  }
  app = await buildApp(deps, logs ? { logLevel: 'trace', logStream: { write: (line) => void logs.push(line) } } : { logLevel: false });
  return {
    app,
    deps,
    smtp,
    sqliteFile: pgSchema ? null : path.join(dataDir, 'secure-messaging.sqlite'),
    pgSchema,
    databaseUrl,
    appDatabaseUrl,
    owner: ownerDatabase?.db ?? database.db,
    masterKey: masterKey.toString('hex'),
    dependents,
  };
}

/**
 * A second instance on the same database as `first` (its own connections, job runner, event hub and
 * master key copy), closed when the test ends, before the first: what two servers behind a load balancer share.
 */
export async function secondInstance(first: TestApp, env: Record<string, string> = {}): Promise<TestApp> {
  const config = { ...first.deps.config, ...(env.SMTP_URL ? { smtpUrl: env.SMTP_URL } : {}) };
  const database = connect({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, ...(first.pgSchema ? { pgSchema: first.pgSchema } : {}) });
  const mailer = smtpMailer(config.smtpUrl ?? first.smtp.url, config.mailFrom, config.smtpTimeouts);
  const deps: Deps = { ...database, ...createWorkers({ ...database, keyring: first.deps.keyring, mailer, config }, config), config, keyring: first.deps.keyring, clinics: new ClinicCache(first.deps.keyring), mailer, webRoot: first.deps.webRoot };
  let app: FastifyInstance | null = null;
  first.dependents.push(async () => {
    await app?.close();
    mailer.close();
    await database.db.destroy();
  });
  app = await buildApp(deps, { logLevel: false });
  return { ...first, app, deps, dependents: [] };
}

/** A clinic with one staff member per role; each role's e-mail is `<role>@<slug>.test`. */
export async function seedClinic(deps: Deps, slug: string, origins: string[] = ['https://clinic.example']): Promise<ClinicRow> {
  const clinic = await createClinic(deps.db, deps.keyring, { slug, name: `Clinic ${slug}`, allowedOrigins: origins });
  for (const role of ['admin', 'physician', 'staff'] as StaffRole[]) {
    await createStaff(deps.db, clinic.id, { name: `${role} of ${slug}`, email: `${role}@${slug}.test`, role, password: PASSWORD });
  }
  return clinic;
}

/** Enrols a patient directly in the domain. */
export async function seedPatient(deps: Deps, clinic: ClinicRow, over: Partial<{ name: string; email: string; dateOfBirth: string }> = {}) {
  return enrolPatient(deps.db, clinicCipher(deps.keyring, clinic), { name: 'Jamie Patient', email: `jamie@${clinic.slug}.example`, dateOfBirth: '1990-05-17', ...over });
}

/** Signs a staff member in and returns the Cookie header value. */
export async function staffCookie(app: FastifyInstance, email: string, password = PASSWORD): Promise<string> {
  const res = await app.inject({ method: 'POST', url: '/api/staff/login', headers: { origin: ORIGIN }, payload: { email, password } });
  if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
  const cookie = res.cookies[0]!;
  return `${cookie.name}=${cookie.value}`;
}

/** Signs a patient in through the e-mailed code and (unless told not to) accepts the consent; returns the bearer token. */
export async function patientToken(t: TestApp, clinicSlug: string, email: string, dateOfBirth: string, opts: { consent: boolean } = { consent: true }): Promise<string> {
  const start = await t.app.inject({ method: 'POST', url: '/api/patient/auth/code', headers: { origin: ORIGIN }, payload: { clinic: clinicSlug, email } });
  if (start.statusCode !== 202) throw new Error(`code request failed: ${start.body}`);
  const code = codeFrom(await t.smtp.take(email));
  const verify = await t.app.inject({ method: 'POST', url: '/api/patient/auth/verify', headers: { origin: ORIGIN }, payload: { challengeId: start.json().challengeId, code, dateOfBirth } });
  if (verify.statusCode !== 200) throw new Error(`verify failed: ${verify.body}`);
  const token = verify.json().token as string;
  if (opts.consent) {
    const consent = await call(t.app, 'POST', '/api/patient/consent', { token, body: { accept: true } });
    if (consent.statusCode !== 200) throw new Error(`consent failed: ${consent.body}`);
  }
  return token;
}

/** Shorthand for a JSON request with our Origin. */
export function call(app: FastifyInstance, method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, opts: { cookie?: string; token?: string; body?: unknown } = {}): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { origin: ORIGIN };
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  return app.inject({ method, url, headers, ...(opts.body !== undefined ? { payload: opts.body as object } : {}) });
}
