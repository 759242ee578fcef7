/**
 * The audit log as a keyed hash chain: every append links to the previous row of its clinic, the
 * head follows in the same transaction, `audit verify` (the real CLI process) finds the first broken
 * link, and on PostgreSQL the app's restricted role cannot empty or change the table at all.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { describe, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../../server/db/schema.js';
import { CHAIN_START, sealAuditChains, verifyAuditChain } from '../../server/domain/audit-chain.js';
import { createDeps } from '../../server/bootstrap.js';
import { ConfigError, loadConfig } from '../../server/config.js';
import { pendingMigrations } from '../../server/db/migrate.js';
import { recordAudit } from '../../server/domain/audit.js';
import { APP_ROLE, build, call, DIALECTS, seedClinic, seedPatient, staffCookie, type TestApp } from './helpers.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Runs `npm run cli -- audit verify` as its own process against the test's database. */
function auditVerify(ctx: TestApp): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const dataDir = ctx.deps.config.dataDir;
  const database: Record<string, string> = {};
  if (ctx.appDatabaseUrl) {
    // The app's restricted role, in the test's own schema.
    const url = new URL(ctx.appDatabaseUrl);
    url.searchParams.set('options', `-c search_path=${ctx.pgSchema}`);
    database.DATABASE_URL = url.href;
  }
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'audit', 'verify'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', DATA_DIR: dataDir, MASTER_KEY: ctx.masterKey, LOG_LEVEL: 'warn', ...database },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Changes audit rows as the database owner, with the append-only triggers out of the way, as an intruder with owner rights would. */
async function tamper(ctx: TestApp, change: (db: Kysely<Database>) => Promise<unknown>): Promise<void> {
  const db = ctx.owner;
  if (ctx.deps.dialect === 'postgres') {
    await db.transaction().execute(async (tx) => {
      await sql`alter table audit_log disable trigger audit_log_no_change`.execute(tx);
      await change(tx);
      await sql`alter table audit_log enable trigger audit_log_no_change`.execute(tx);
    });
  } else {
    await sql`drop trigger audit_log_no_update`.execute(db);
    await sql`drop trigger audit_log_no_delete`.execute(db);
    await change(db);
    await sql`create trigger audit_log_no_update before update on audit_log begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
    await sql`create trigger audit_log_no_delete before delete on audit_log begin select raise(abort, 'audit_log is append-only'); end`.execute(db);
  }
}

/** A clinic with a patient whose record staff read `reads` times (one audit row each, after the sign-ins). */
async function withReads(ctx: TestApp, reads: number) {
  const clinic = await seedClinic(ctx.deps, 'north');
  const p = await seedPatient(ctx.deps, clinic);
  const cookie = await staffCookie(ctx.app, 'staff@north.test');
  for (let i = 0; i < reads; i++) assert.equal((await call(ctx.app, 'GET', `/api/patients/${p.id}`, { cookie })).statusCode, 200);
  return { clinic, patient: p };
}

async function chain(db: Kysely<Database>, clinicId: string) {
  return db.selectFrom('audit_log').select(['id', 'seq', 'hash', 'action']).where('clinic_id', '=', clinicId).orderBy('seq').execute();
}

for (const d of DIALECTS) {
  describe(`audit hash chain (${d.name})`, { skip: d.skip }, () => {
    it('numbers each clinic’s rows 1, 2, … with a hash each, keeps the head, and verifies', async (t) => {
      const ctx = await build(t, d.name);
      const { clinic } = await withReads(ctx, 3);
      const south = await seedClinic(ctx.deps, 'south');
      await staffCookie(ctx.app, 'staff@south.test');
      const rows = await chain(ctx.deps.db, clinic.id);
      assert.deepEqual(rows.map((r) => r.seq), [1, 2, 3, 4], 'a sign-in and three reads');
      assert.ok(rows.every((r) => /^[0-9a-f]{64}$/.test(r.hash ?? '')));
      assert.equal(new Set(rows.map((r) => r.hash)).size, 4);
      const head = await ctx.deps.db.selectFrom('audit_heads').selectAll().where('clinic_id', '=', clinic.id).executeTakeFirstOrThrow();
      assert.deepEqual([head.seq, head.hash], [4, rows[3]!.hash]);
      assert.deepEqual((await chain(ctx.deps.db, south.id)).map((r) => r.seq), [1], 'south has its own chain');
      const report = await verifyAuditChain(ctx.deps.db, ctx.deps.keyring, clinic.id);
      assert.equal(report.broken, null);
      assert.equal(report.entries, 4);
      const cli = await auditVerify(ctx);
      assert.equal(cli.code, 0, cli.stderr);
      assert.match(cli.stdout, /^north: verified, 4 entries checked/m);
      assert.match(cli.stdout, /^south: verified, 1 entries checked/m);
    });

    it('a row changed directly in the database (triggers disabled) is the broken link the CLI reports', async (t) => {
      const ctx = await build(t, d.name);
      const { clinic } = await withReads(ctx, 4);
      const victim = (await chain(ctx.deps.db, clinic.id))[2]!;
      await tamper(ctx, (db) => db.updateTable('audit_log').set({ outcome: 'denied' }).where('id', '=', victim.id).execute());
      const cli = await auditVerify(ctx);
      assert.equal(cli.code, 1, cli.stderr);
      assert.match(cli.stdout, new RegExp(`^north: BROKEN at seq 3, row ${victim.id}: hash mismatch`, 'm'));
      assert.match(cli.stdout, /does not verify/);
      // The same link in the admin's view, which records that it was checked.
      const admin = await staffCookie(ctx.app, 'admin@north.test');
      const res = await call(ctx.app, 'GET', '/api/audit/verify', { cookie: admin });
      assert.equal(res.statusCode, 200);
      assert.deepEqual(res.json(), { intact: false, entries: 2, broken: { seq: 3, rowId: victim.id, reason: 'hash_mismatch' } });
      const checked = await ctx.deps.db.selectFrom('audit_log').select('target').where('action', '=', 'audit.verify').execute();
      assert.deepEqual(checked.map((r) => r.target), ['audit-chain:broken:3:hash_mismatch']);
    });

    it('a deleted last row is a head mismatch; a deleted middle row is a gap', async (t) => {
      const ctx = await build(t, d.name);
      const { clinic } = await withReads(ctx, 3);
      const rows = await chain(ctx.deps.db, clinic.id);
      await tamper(ctx, (db) => db.deleteFrom('audit_log').where('id', '=', rows[3]!.id).execute());
      const cli = await auditVerify(ctx);
      assert.equal(cli.code, 1, cli.stderr);
      assert.match(cli.stdout, /^north: BROKEN at seq 4, row -: head mismatch/m);
      await tamper(ctx, (db) => db.deleteFrom('audit_log').where('id', '=', rows[1]!.id).execute());
      const report = await verifyAuditChain(ctx.deps.db, ctx.deps.keyring, clinic.id);
      assert.deepEqual(report.broken && [report.broken.seq, report.broken.rowId, report.broken.reason], [2, rows[2]!.id, 'gap']);
    });

    it('an emptied audit table is a head mismatch', async (t) => {
      const ctx = await build(t, d.name);
      const { clinic } = await withReads(ctx, 1);
      await tamper(ctx, (db) => db.deleteFrom('audit_log').execute());
      const report = await verifyAuditChain(ctx.deps.db, ctx.deps.keyring, clinic.id);
      assert.equal(report.broken?.reason, 'head_mismatch');
      assert.equal(report.broken?.seq, 1);
    });

    it('a row inserted without the key does not verify', async (t) => {
      const ctx = await build(t, d.name);
      const { clinic } = await withReads(ctx, 1);
      const head = await ctx.deps.db.selectFrom('audit_heads').selectAll().where('clinic_id', '=', clinic.id).executeTakeFirstOrThrow();
      const forged = randomUUID();
      await ctx.deps.db.insertInto('audit_log').values({ id: forged, clinic_id: clinic.id, at: new Date().toISOString(), actor_type: 'system', actor_id: null, role: null, patient_id: null, action: 'patient.read', target: null, outcome: 'ok', request_id: null, seq: head.seq + 1, hash: 'f'.repeat(64) }).execute();
      await ctx.deps.db.updateTable('audit_heads').set({ seq: head.seq + 1, hash: 'f'.repeat(64) }).where('clinic_id', '=', clinic.id).execute();
      const report = await verifyAuditChain(ctx.deps.db, ctx.deps.keyring, clinic.id);
      assert.deepEqual(report.broken && [report.broken.seq, report.broken.rowId, report.broken.reason], [head.seq + 1, forged, 'hash_mismatch']);
    });

    it('seals rows written before the chain into it, so changing them later shows', async (t) => {
      const ctx = await build(t, d.name);
      const clinic = await seedClinic(ctx.deps, 'north');
      // As migration 0005 finds them: no number, no hash.
      const old = [0, 1, 2].map((i) => ({ id: randomUUID(), clinic_id: clinic.id, at: `2025-01-0${i + 1}T10:00:00.000Z`, actor_type: 'staff' as const, actor_id: null, role: 'staff', patient_id: null, action: 'patient.read', target: `old-${i}`, outcome: 'ok' as const, request_id: null, seq: null, hash: null }));
      await ctx.owner.insertInto('audit_log').values(old).execute();
      assert.equal((await verifyAuditChain(ctx.deps.db, ctx.deps.keyring, clinic.id)).broken?.reason, 'unchained');
      assert.equal(await sealAuditChains(ctx.deps), 1);
      assert.equal(await sealAuditChains(ctx.deps), 0, 'once');
      await staffCookie(ctx.app, 'staff@north.test');
      const rows = await chain(ctx.deps.db, clinic.id);
      assert.deepEqual(rows.filter((r) => r.seq !== null).map((r) => [r.seq, r.action]), [[1, CHAIN_START], [2, 'staff.sign-in']]);
      assert.equal((await verifyAuditChain(ctx.deps.db, ctx.deps.keyring, clinic.id)).broken, null);
      await tamper(ctx, (db) => db.updateTable('audit_log').set({ target: 'rewritten' }).where('id', '=', old[1]!.id).execute());
      const report = await verifyAuditChain(ctx.deps.db, ctx.deps.keyring, clinic.id);
      assert.deepEqual(report.broken && [report.broken.seq, report.broken.reason], [1, 'hash_mismatch']);
    });

    it('lets only admins check the chain, and says it is intact', async (t) => {
      const ctx = await build(t, d.name);
      await withReads(ctx, 2);
      const admin = await staffCookie(ctx.app, 'admin@north.test');
      const res = await call(ctx.app, 'GET', '/api/audit/verify', { cookie: admin });
      assert.deepEqual(res.json(), { intact: true, entries: 4, broken: null }, 'two sign-ins and two reads');
      assert.equal((await call(ctx.app, 'GET', '/api/audit/verify', { cookie: await staffCookie(ctx.app, 'physician@north.test') })).statusCode, 403);
      assert.equal((await call(ctx.app, 'GET', '/api/audit/verify')).statusCode, 401);
    });
  });
}

const pg = DIALECTS.find((d) => d.name === 'postgres')!;

describe('audit log on PostgreSQL, as the restricted app role', { skip: pg.skip }, () => {
  it('refuses TRUNCATE, UPDATE, DELETE, ALTER TABLE … DISABLE TRIGGER and DROP TRIGGER on the audit table', async (t) => {
    const ctx = await build(t, 'postgres');
    const { clinic } = await withReads(ctx, 1);
    const app = ctx.deps.db;
    assert.equal((await sql<{ r: string }>`select current_user as r`.execute(app)).rows[0]!.r, 'sm_app');
    await assert.rejects(sql`truncate audit_log`.execute(app), /permission denied/);
    await assert.rejects(app.updateTable('audit_log').set({ outcome: 'denied' }).execute(), /permission denied/);
    await assert.rejects(app.deleteFrom('audit_log').execute(), /permission denied/);
    await assert.rejects(sql`alter table audit_log disable trigger audit_log_no_change`.execute(app), /must be owner/);
    await assert.rejects(sql`drop trigger audit_log_no_change on audit_log`.execute(app), /must be owner/);
    await assert.rejects(app.deleteFrom('audit_heads').execute(), /permission denied/);
    await assert.rejects(sql`truncate audit_heads`.execute(app), /permission denied/);
    assert.equal((await verifyAuditChain(app, ctx.deps.keyring, clinic.id)).broken, null);
  });

  it('keeps one clinic’s chain whole under many concurrent actions', async (t) => {
    const ctx = await build(t, 'postgres');
    const { clinic, patient } = await withReads(ctx, 0);
    const cookie = await staffCookie(ctx.app, 'physician@north.test');
    const answers = await Promise.all(Array.from({ length: 40 }, () => call(ctx.app, 'GET', `/api/patients/${patient.id}`, { cookie })));
    assert.deepEqual([...new Set(answers.map((r) => r.statusCode))], [200]);
    const rows = await chain(ctx.deps.db, clinic.id);
    assert.deepEqual(rows.map((r) => r.seq), Array.from({ length: 42 }, (_, i) => i + 1), 'two sign-ins and 40 reads, no gaps, no duplicates');
    const report = await verifyAuditChain(ctx.deps.db, ctx.deps.keyring, clinic.id);
    assert.equal(report.broken, null);
    assert.equal(report.entries, 42);
  });

  it('starts as the app role only on a migrated schema: a clear error without MIGRATION_DATABASE_URL, the owner migrates and grants with it', async (t) => {
    const ctx = await build(t, 'postgres');
    const schema = `fresh_${randomUUID().slice(0, 8)}`;
    await sql.raw(`create schema ${schema}`).execute(ctx.owner);
    await sql.raw(`grant usage on schema ${schema} to ${APP_ROLE}`).execute(ctx.owner);
    try {
      await freshStart(ctx, schema);
    } finally {
      await sql.raw(`drop schema ${schema} cascade`).execute(ctx.owner);
    }
  });
});

/** createDeps as the app role in an empty schema, first without then with the owner's URL. */
async function freshStart(ctx: TestApp, schema: string): Promise<void> {
    const inSchema = (url: string) => {
      const u = new URL(url);
      u.searchParams.set('options', `-c search_path=${schema}`);
      return u.href;
    };
    const env = { DATA_DIR: ctx.deps.config.dataDir, MASTER_KEY: ctx.masterKey, DATABASE_URL: inSchema(ctx.appDatabaseUrl!), DEMO_PORT: '0' };
    await assert.rejects(createDeps(loadConfig(env)), (err: unknown) => err instanceof ConfigError && /needs migrations 0001_initial, .*0005_audit_chain.*MIGRATION_DATABASE_URL/s.test(err.message));
    const { deps } = await createDeps(loadConfig({ ...env, MIGRATION_DATABASE_URL: inSchema(ctx.databaseUrl!) }));
    try {
      assert.deepEqual(await pendingMigrations(deps), []);
      const clinic = await seedClinic(deps, 'fresh');
      await recordAudit(deps, { kind: 'system', clinicId: clinic.id }, null, { action: 'test.append' });
      await assert.rejects(sql`truncate audit_log`.execute(deps.db), /permission denied/);
      assert.equal((await verifyAuditChain(deps.db, deps.keyring, clinic.id)).entries, 1);
    } finally {
      deps.mailer.close();
      await deps.db.destroy();
    }
    // Current: the app role starts alone, without the owner's URL.
    const again = await createDeps(loadConfig(env));
    again.deps.mailer.close();
    await again.deps.db.destroy();
}
