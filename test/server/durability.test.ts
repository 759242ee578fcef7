/**
 * Every action whole and durable: limits and idempotency under concurrency (PostgreSQL's real
 * parallelism, and two connections on one SQLite file), e-mail that survives an SMTP outage and a
 * restart, SMTP that never answers, a full disk, and a wrong or missing master key.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createDeps } from '../../server/bootstrap.js';
import { ConfigError, loadConfig } from '../../server/config.js';
import { createClinic } from '../../server/domain/clinics.js';
import { claimJobs, enqueueJobs, listJobs } from '../../server/domain/jobs.js';
import { JobRunner } from '../../server/jobs/runner.js';
import { DEFAULT_MESSAGING } from '../../server/domain/messaging-settings.js';
import type { MessagingSettings } from '../../shared/messaging.js';
import { freePort } from '../support/server-process.js';
import { startSmtpSink } from '../support/smtp.js';
import { DIALECTS, build, call, patientToken, secondInstance, seedClinic, seedPatient, staffCookie, type TestApp } from './helpers.js';

const ALWAYS_OPEN = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ start: '00:00', end: '23:59' }]])) as MessagingSettings['hours'];
const newThread = () => ({ id: randomUUID(), subject: 'Renewal', category: 'prescription', body: 'Please renew my prescription.' });

async function setup(t: Parameters<typeof build>[0], dialect: 'sqlite' | 'postgres', env: Record<string, string> = {}, rules: Partial<MessagingSettings> = {}) {
  const ctx = await build(t, dialect, env);
  const clinic = await seedClinic(ctx.deps, 'north');
  const patient = await seedPatient(ctx.deps, clinic);
  const admin = await staffCookie(ctx.app, 'admin@north.test');
  const put = await call(ctx.app, 'PUT', '/api/messaging/settings', { cookie: admin, body: { ...DEFAULT_MESSAGING, hours: ALWAYS_OPEN, ...rules } });
  assert.equal(put.statusCode, 200, put.body);
  return { ...ctx, clinic, patient, admin };
}

/** Polls `check` until it returns a value or `ms` pass. */
async function eventually<T>(check: () => Promise<T | undefined | null | false>, ms = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A TCP server that accepts connections and never says a word (an SMTP server that hangs). */
async function silentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => void sockets.add(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    }),
  };
}

async function startConversation(ctx: TestApp & { admin: string; patient: { id: string } }) {
  const res = await call(ctx.app, 'POST', '/api/threads', { cookie: ctx.admin, body: { id: randomUUID(), patientId: ctx.patient.id, subject: 'Results', category: 'results', body: 'Your results are in.', patientMayReply: true } });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().threadId as string;
}

for (const d of DIALECTS) {
  describe(`one transaction per action under concurrency (${d.name})`, { skip: d.skip }, () => {
    it('holds a weekly quota of 3 against 20 concurrent new conversations from one patient', async (t) => {
      const ctx = await setup(t, d.name, {}, { weeklyThreadQuota: 3 });
      const token = await patientToken(ctx, 'north', ctx.patient.email, ctx.patient.dateOfBirth);
      const results = await Promise.all(Array.from({ length: 20 }, () => call(ctx.app, 'POST', '/api/patient/threads', { token, body: newThread() })));
      const codes = results.map((r) => r.statusCode).sort();
      assert.deepEqual(codes.filter((c) => c === 201).length, 3, `statuses: ${codes.join(',')}`);
      assert.ok(results.every((r) => r.statusCode === 201 || r.json().code === 'weekly_quota'), 'every refusal names the quota');
      const threads = await ctx.deps.db.selectFrom('threads').select('id').where('started_by', '=', 'patient').execute();
      assert.equal(threads.length, 3);
    });

    it('answers 10 concurrent sends of one client id with one 201 and nine 200 for the same message, on two connections', async (t) => {
      const ctx = await setup(t, d.name);
      const other = await secondInstance(ctx);
      const token = await patientToken(ctx, 'north', ctx.patient.email, ctx.patient.dateOfBirth);
      const threadId = await startConversation(ctx);
      const body = { id: randomUUID(), body: 'Same message, sent ten times at once' };
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => call(i % 2 ? other.app : ctx.app, 'POST', `/api/patient/threads/${threadId}/messages`, { token, body })),
      );
      const codes = results.map((r) => r.statusCode).sort();
      assert.deepEqual(codes, [200, 200, 200, 200, 200, 200, 200, 200, 200, 201], results.map((r) => r.body).join('\n'));
      assert.ok(results.every((r) => r.json().messageId === body.id && r.json().threadId === threadId), 'every answer is the original message');
      const audits = await ctx.deps.db.selectFrom('audit_log').select('id').where('action', '=', 'message.send').where('target', '=', `message:${body.id}`).execute();
      assert.equal(audits.length, 1, 'exactly one audit row for the one message');
      const events = await ctx.deps.db.selectFrom('events').select('data').execute();
      assert.equal(events.filter((e) => e.data.includes(threadId) && e.data.includes('"author":"patient"')).length, 1, 'exactly one live event');
    });

    it('enrols one patient when the same e-mail address is enrolled ten times at once', async (t) => {
      const ctx = await setup(t, d.name);
      const body = { name: 'Sam Same', dateOfBirth: '1980-02-02', email: 'same@example.com' };
      const results = await Promise.all(Array.from({ length: 10 }, () => call(ctx.app, 'POST', '/api/patients', { cookie: ctx.admin, body })));
      const codes = results.map((r) => r.statusCode);
      assert.equal(codes.filter((c) => c === 201).length, 1, codes.join(','));
      assert.ok(results.filter((r) => r.statusCode !== 201).every((r) => r.statusCode === 409 && ['email_taken', 'conflict'].includes(r.json().code)), results.map((r) => r.body).join('\n'));
    });

    it('caps the files a person may upload and not send, under concurrency', async (t) => {
      const ctx = await setup(t, d.name);
      const token = await patientToken(ctx, 'north', ctx.patient.email, ctx.patient.dateOfBirth);
      const pdf = Buffer.concat([Buffer.from('%PDF-1.4\n'), randomBytes(1024), Buffer.from('\n%%EOF\n')]);
      const upload = () => {
        const boundary = 'xBoundary42';
        const payload = Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="scan.pdf"\r\nContent-Type: application/pdf\r\n\r\n`), pdf, Buffer.from(`\r\n--${boundary}--\r\n`)]);
        return ctx.app.inject({ method: 'POST', url: '/api/patient/attachments', payload, headers: { origin: 'http://localhost:3000', authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}` } });
      };
      const results = await Promise.all(Array.from({ length: 14 }, upload));
      const codes = results.map((r) => r.statusCode);
      assert.equal(codes.filter((c) => c === 201).length, 10, codes.join(','));
      assert.ok(results.filter((r) => r.statusCode !== 201).every((r) => r.statusCode === 429 && r.json().code === 'upload_quota'));
    });
  });

  describe(`e-mail through the job queue (${d.name})`, { skip: d.skip }, () => {
    it('keeps the notice while SMTP is down, and delivers it once SMTP is back, even after a restart', async (t) => {
      const port = await freePort();
      const ctx = await setup(t, d.name, { SMTP_URL: `smtp://127.0.0.1:${port}`, JOB_RETRY_BASE_MS: '100', SMTP_CONNECT_TIMEOUT_MS: '500' });
      const threadId = await startConversation(ctx);
      const reply = await call(ctx.app, 'POST', `/api/threads/${threadId}/messages`, { cookie: ctx.admin, body: { id: randomUUID(), body: 'Second message' } });
      assert.equal(reply.statusCode, 201, 'the reply is taken although SMTP is down');
      const failing = await eventually(async () => (await listJobs(ctx.deps.db, 'all', { kindPrefix: 'mail.new-message' })).find((j) => j.lastError), 5000, 'a failed attempt');
      assert.equal(failing.lastError, 'ECONNREFUSED');
      assert.notEqual(failing.status, 'failed', 'still waiting for another attempt');
      await ctx.app.close(); // the server goes away with the mail still queued

      const sink = await startSmtpSink({ port });
      t.after(() => sink.close());
      const restarted = await secondInstance(ctx, { SMTP_URL: `smtp://127.0.0.1:${port}` });
      await restarted.app.ready();
      await eventually(async () => sink.messages.filter((m) => m.to === ctx.patient.email).length === 2, 10_000, 'both notices');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(sink.messages.filter((m) => m.to === ctx.patient.email).length, 2, 'one notice per message, none twice');
      assert.ok((await listJobs(ctx.deps.db, 'all', { kindPrefix: 'mail.' })).every((j) => j.status === 'done'));
    });

    it('answers a staff reply and a sign-in code request at once when SMTP accepts and never answers', async (t) => {
      const silent = await silentServer();
      t.after(() => silent.close());
      const ctx = await setup(t, d.name, { SMTP_URL: silent.url, SMTP_CONNECT_TIMEOUT_MS: '400', SMTP_ANSWER_TIMEOUT_MS: '400', JOB_RETRY_BASE_MS: '60000' });
      const threadId = await startConversation(ctx);
      const reply = await call(ctx.app, 'POST', `/api/threads/${threadId}/messages`, { cookie: ctx.admin, body: { id: randomUUID(), body: 'Reply while mail hangs' } });
      assert.equal(reply.statusCode, 201);
      const pendingNotices = (await listJobs(ctx.deps.db, 'all', { kindPrefix: 'mail.new-message' })).filter((j) => j.status !== 'done');
      assert.equal(pendingNotices.length, 2, 'the reply was answered before any notice was delivered');
      const code = await call(ctx.app, 'POST', '/api/patient/auth/code', { body: { clinic: 'north', email: ctx.patient.email } });
      assert.equal(code.statusCode, 202, code.body);
      const timedOut = await eventually(async () => (await listJobs(ctx.deps.db, 'all', { kindPrefix: 'mail.' })).find((j) => j.lastError), 5000, 'an SMTP timeout');
      assert.match(timedOut.lastError!, /ETIMEDOUT|ETIMEOUT|ESOCKET|ECONNECTION/);
    });

    it('lists failed e-mail to the clinic admins by name, and sends it again on request', async (t) => {
      const port = await freePort();
      const ctx = await setup(t, d.name, { SMTP_URL: `smtp://127.0.0.1:${port}` });
      await startConversation(ctx);
      const job = await eventually(async () => (await listJobs(ctx.deps.db, 'all', { kindPrefix: 'mail.new-message' })).find((j) => j.lastError));
      await ctx.deps.db.updateTable('jobs').set({ status: 'failed', locked_by: null }).where('id', '=', job.id).execute();
      const failed = (await call(ctx.app, 'GET', '/api/outgoing-mail?status=failed', { cookie: ctx.admin })).json();
      assert.deepEqual(failed.map((m: { kind: string; recipient: string; lastError: string }) => [m.kind, m.recipient, m.lastError]), [['new-message', ctx.patient.name, 'ECONNREFUSED']]);
      assert.equal((await call(ctx.app, 'GET', '/api/outgoing-mail', { cookie: await staffCookie(ctx.app, 'staff@north.test') })).statusCode, 403, 'admins only');
      const sink = await startSmtpSink({ port });
      t.after(() => sink.close());
      assert.equal((await call(ctx.app, 'POST', `/api/outgoing-mail/${job.id}/retry`, { cookie: ctx.admin })).statusCode, 204);
      await sink.take(ctx.patient.email);
      assert.equal((await call(ctx.app, 'POST', `/api/outgoing-mail/${job.id}/retry`, { cookie: ctx.admin })).statusCode, 404, 'only failed e-mail can be retried');
      const audit = await ctx.deps.db.selectFrom('audit_log').select('action').where('action', 'in', ['mail.list', 'mail.retry']).execute();
      assert.deepEqual(audit.map((a) => a.action).sort(), ['mail.list', 'mail.retry']);
    });
  });
}

for (const d of DIALECTS) {
  describe(`job runners (${d.name})`, { skip: d.skip }, () => {
    it('runs a job slower than its lease exactly once, with two runners polling', async (t) => {
      const ctx = await build(t, d.name);
      let runs = 0;
      const slow = async () => {
        runs++;
        await new Promise((r) => setTimeout(r, 1200));
      };
      const runners = [0, 1].map(() => new JobRunner(ctx.deps, { slow }, { leaseMs: 400, retryBaseMs: 100, pollMs: 50 }));
      await enqueueJobs(ctx.deps.db, [{ kind: 'slow', clinicId: null, payload: {} }]);
      for (const r of runners) await r.start();
      t.after(() => Promise.all(runners.map((r) => r.stop())));
      await eventually(async () => (await listJobs(ctx.deps.db, 'all', { status: 'done' })).some((j) => j.kind === 'slow'), 5000, 'the slow job to finish');
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(runs, 1, 'the lease was renewed while it ran; nobody started it again');
      assert.equal((await listJobs(ctx.deps.db, 'all')).find((j) => j.kind === 'slow')?.attempts, 1);
    });

    it('hands the job of a runner that died to another once the lease runs out', async (t) => {
      const ctx = await build(t, d.name);
      await enqueueJobs(ctx.deps.db, [{ kind: 'work', clinicId: null, payload: {} }]);
      const [claimed] = await claimJobs(ctx.deps.db, ctx.deps.dialect, 'runner-that-died', 1, 300);
      assert.equal(claimed?.kind, 'work');
      let ran = 0;
      const survivor = new JobRunner(ctx.deps, { work: async () => void ran++ }, { leaseMs: 300, retryBaseMs: 100, pollMs: 50 });
      await survivor.start();
      t.after(() => survivor.stop());
      await eventually(async () => (await listJobs(ctx.deps.db, 'all', { status: 'done' })).some((j) => j.kind === 'work'), 5000, 'the orphaned job to be taken over');
      assert.equal(ran, 1);
      assert.equal((await listJobs(ctx.deps.db, 'all')).find((j) => j.kind === 'work')?.attempts, 2, 'the dead runner’s claim counted as an attempt');
    });

    it('marks failed, instead of claiming again, a job whose runner died on its last attempt', async (t) => {
      const ctx = await build(t, d.name);
      await enqueueJobs(ctx.deps.db, [{ kind: 'poison', clinicId: null, payload: {}, maxAttempts: 1 }]);
      assert.equal((await claimJobs(ctx.deps.db, ctx.deps.dialect, 'runner-that-died', 1, 100)).length, 1);
      await new Promise((r) => setTimeout(r, 150));
      assert.deepEqual(await claimJobs(ctx.deps.db, ctx.deps.dialect, 'next-runner', 1, 100), [], 'not handed out again');
      const job = (await listJobs(ctx.deps.db, 'all')).find((j) => j.kind === 'poison');
      assert.deepEqual([job?.status, job?.lastError], ['failed', 'lease_expired']);
    });
  });
}

describe('storage trouble (sqlite)', () => {
  it('answers 503 storage_unavailable on a full disk, says so on /health, and recovers by itself', async (t) => {
    const logs: string[] = [];
    const ctx = await build(t, 'sqlite', {}, logs);
    const clinic = await seedClinic(ctx.deps, 'north');
    const patient = await seedPatient(ctx.deps, clinic);
    const admin = await staffCookie(ctx.app, 'admin@north.test');
    const put = await call(ctx.app, 'PUT', '/api/messaging/settings', { cookie: admin, body: { ...DEFAULT_MESSAGING, hours: ALWAYS_OPEN } });
    assert.equal(put.statusCode, 200);
    const threadId = await startConversation({ ...ctx, admin, patient });
    // The database may not grow past its current size: what a full disk does to SQLite.
    const sqlite = ctx.deps.sqlite!;
    const pages = Number(sqlite.pragma('page_count', { simple: true }));
    sqlite.pragma(`max_page_count = ${pages}`);
    let full = null;
    for (let i = 0; i < 200 && !full; i++) {
      const res = await call(ctx.app, 'POST', `/api/threads/${threadId}/messages`, { cookie: admin, body: { id: randomUUID(), body: 'x'.repeat(4000) } });
      if (res.statusCode !== 201) full = res;
    }
    assert.ok(full, 'the disk filled up');
    assert.equal(full.statusCode, 503);
    assert.equal(full.json().code, 'storage_unavailable');
    assert.equal(full.headers['retry-after'], '30');
    const sick = await ctx.app.inject('/health');
    assert.equal(sick.statusCode, 503);
    assert.equal(sick.json().storage, 'unavailable');
    assert.equal(sick.json().storageError, 'SQLITE_FULL');
    assert.ok(logs.some((l) => l.includes('SQLITE_FULL')), 'the real cause is logged');
    assert.ok(!logs.some((l) => l.includes('cannot rollback')), 'no misleading rollback error');

    sqlite.pragma('max_page_count = 1073741823'); // space returns
    const again = await call(ctx.app, 'POST', `/api/threads/${threadId}/messages`, { cookie: admin, body: { id: randomUUID(), body: 'After the disk was freed' } });
    assert.equal(again.statusCode, 201, 'no restart needed');
    const healthy = await ctx.app.inject('/health');
    assert.equal(healthy.statusCode, 200);
    assert.equal(healthy.json().storage, 'ok');
  });
});

describe('master key at start', () => {
  it('refuses to start with a wrong or missing key against an existing database, and says what to do', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sm-key-'));
    const key = randomBytes(32).toString('hex');
    const first = await createDeps(loadConfig({ DATA_DIR: dataDir, MASTER_KEY: key, DEMO_PORT: '0' }));
    await createClinic(first.deps.db, first.deps.keyring, { slug: 'north', name: 'North' });
    await first.deps.db.destroy();

    await assert.rejects(createDeps(loadConfig({ DATA_DIR: dataDir, MASTER_KEY: randomBytes(32).toString('hex') })), (err: Error) => err instanceof ConfigError && /does not match the one this database was created with/.test(err.message));
    await assert.rejects(createDeps(loadConfig({ DATA_DIR: dataDir })), (err: Error) => err instanceof ConfigError && /MASTER_KEY is not set/.test(err.message));
    assert.equal(fs.existsSync(path.join(dataDir, 'master.key')), false, 'no new key was generated for a database that holds data');

    const again = await createDeps(loadConfig({ DATA_DIR: dataDir, MASTER_KEY: key }));
    assert.equal((await again.deps.db.selectFrom('clinics').select('slug').execute()).length, 1, 'the right key still opens it');
    await again.deps.db.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });
});
