/**
 * Several instances on one database: what a load balancer in front of two or more servers relies on.
 * Live events cross instances (NOTIFY, polling) and resume by Last-Event-ID; every instance must hold
 * the same master key; a scheduled digest runs once; rate limits are counted once; stream limits and
 * revocation hold. The PostgreSQL parts run only when TEST_DATABASE_URL is set.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it, type TestContext } from 'node:test';
import pg from 'pg';
import { connect, type Db } from '../../server/db/connect.js';
import { migrateToLatest } from '../../server/db/migrate.js';
import { clinicCipher, createClinic } from '../../server/domain/clinics.js';
import { Keyring } from '../../server/domain/crypto.js';
import { enqueueJobs } from '../../server/domain/jobs.js';
import { listDevMail } from '../../server/domain/mail.js';
import { DEFAULT_MESSAGING, saveMessagingSettings } from '../../server/domain/messaging-settings.js';
import { enrolPatient } from '../../server/domain/patients.js';
import { createStaff } from '../../server/domain/staff.js';
import { MAX_STREAMS_PER_SESSION } from '../../server/http/sse.js';
import type { MessagingSettings } from '../../shared/messaging.js';
import type { StaffRole } from '../../shared/roles.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { DIALECTS, PASSWORD, build, call, patientToken, secondInstance, seedClinic, seedPatient, staffCookie, type TestApp } from './helpers.js';

const ALWAYS_OPEN = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ start: '00:00', end: '23:59' }]])) as MessagingSettings['hours'];
/** Open all day, no weekly quota: a test can start as many conversations as it needs. */
const OPEN_RULES: MessagingSettings = { ...DEFAULT_MESSAGING, hours: ALWAYS_OPEN, weeklyThreadQuota: null };

const PG_URL = process.env.TEST_DATABASE_URL;
const PG_SKIP = PG_URL ? false : 'TEST_DATABASE_URL is not set, so the PostgreSQL runs are skipped (CI sets it)';

const newThread = (subject = 'Renewal') => ({ id: randomUUID(), subject, category: 'prescription', body: 'Please renew my prescription.' });

/** Polls `check` until it returns something truthy; throws after `timeoutMs` with `detail()`. */
async function waitUntil<T>(what: string, check: () => T | null | undefined | false | Promise<T | null | undefined | false>, timeoutMs = 10_000, detail: () => string = () => ''): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}\n${detail()}`);
    await sleep(25);
  }
}

/** One parsed Server-Sent Event (comments and `retry:` are dropped). */
interface SseEvent {
  id: number | null;
  event: string;
  data: { threadId?: string; author?: string; kind?: string };
  at: number;
}

/** Reads a Server-Sent Events response in the background, parsing events as they arrive. */
class SseStream {
  text = '';
  readonly events: SseEvent[] = [];
  /** How the body ended: 'eof' (the server ended the response), 'error' (aborted, reset), or null while open. */
  endedBy: 'eof' | 'error' | null = null;
  endedAt = 0;
  #buffer = '';

  constructor(
    readonly res: Response,
    private readonly controller: AbortController,
  ) {
    void this.#pump();
  }

  async #pump(): Promise<void> {
    const reader = this.res.body!.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          this.endedBy = 'eof';
          break;
        }
        const chunk = decoder.decode(value, { stream: true });
        this.text += chunk;
        this.#buffer += chunk;
        for (let i = this.#buffer.indexOf('\n\n'); i >= 0; i = this.#buffer.indexOf('\n\n')) {
          const block = this.#buffer.slice(0, i);
          this.#buffer = this.#buffer.slice(i + 2);
          const e = parseBlock(block);
          if (e) this.events.push(e);
        }
      }
    } catch {
      this.endedBy = 'error';
    } finally {
      this.endedAt = Date.now();
    }
  }

  get ended(): boolean {
    return this.endedBy !== null;
  }

  /** Message/thread events (not resync). */
  get threadEvents(): SseEvent[] {
    return this.events.filter((e) => e.event === 'message' || e.event === 'thread');
  }

  close(): void {
    this.controller.abort();
  }

  waitFor<T>(what: string, check: () => T | null | undefined | false, timeoutMs = 10_000): Promise<T> {
    return waitUntil(what, check, timeoutMs, () => `stream so far (${this.endedBy ?? 'open'}):\n${this.text}`);
  }

  waitForThread(threadId: string, timeoutMs = 10_000): Promise<SseEvent> {
    return this.waitFor(`an event for thread ${threadId}`, () => this.events.find((e) => e.data.threadId === threadId), timeoutMs);
  }
}

function parseBlock(block: string): SseEvent | null {
  let id: number | null = null;
  let event = '';
  let data = '';
  for (const line of block.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') id = Number(value);
    else if (field === 'event') event = value;
    else if (field === 'data') data += value;
  }
  if (!event) return null;
  return { id, event, data: data ? (JSON.parse(data) as SseEvent['data']) : {}, at: Date.now() };
}

/** Fetches an event stream (aborted when the test ends); no assertion on the status. */
async function fetchStream(t: TestContext, url: string, headers: Record<string, string>): Promise<{ res: Response; controller: AbortController }> {
  const controller = new AbortController();
  t.after(() => controller.abort());
  const res = await fetch(url, { headers, signal: controller.signal });
  return { res, controller };
}

/** Opens an event stream that must succeed, and waits for its `: connected` line. */
async function openStream(t: TestContext, url: string, headers: Record<string, string>): Promise<SseStream> {
  const { res, controller } = await fetchStream(t, url, headers);
  assert.equal(res.status, 200, `stream ${url}: ${res.status} ${res.status === 200 ? '' : await res.text()}`);
  assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  const stream = new SseStream(res, controller);
  await stream.waitFor('the connected line', () => stream.text.includes(': connected'));
  return stream;
}

// ---------------------------------------------------------------------------------------------
// Two real server processes on one PostgreSQL database
// ---------------------------------------------------------------------------------------------

const SLUG = 'harbour';
const PATIENT = { name: 'Robin Patient', email: 'robin@harbour.example', dateOfBirth: '1979-11-03' };

/** A JSON request to a server process, with the Origin its PUBLIC_URL expects. */
function request(server: ServerProcess, method: string, url: string, opts: { cookie?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Response> {
  const headers: Record<string, string> = { origin: `http://localhost:${server.port}`, ...opts.headers };
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(`${server.url}${url}`, { method, headers, ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}) });
}

/** Stops a server process with SIGTERM, or SIGKILL if it has not exited within `ms`. */
async function stopWithin(server: ServerProcess, ms = 10_000): Promise<number | string> {
  const timer = setTimeout(() => server.child.kill('SIGKILL'), ms);
  try {
    return await server.stop('SIGTERM');
  } finally {
    clearTimeout(timer);
  }
}

/** Starts a server process that must refuse to start; returns what it printed (the rejection). */
async function expectStartRefused(env: Record<string, string>): Promise<string> {
  const outcome = await startServerProcess(env, { timeoutMs: 30_000 }).then(
    (server) => ({ server }),
    (err: unknown) => ({ err: err instanceof Error ? err.message : String(err) }),
  );
  if ('server' in outcome) {
    await stopWithin(outcome.server);
    assert.fail(`the server started although it should have refused:\n${outcome.server.output()}`);
  }
  return outcome.err;
}

describe('two server processes on one PostgreSQL database', { skip: PG_SKIP }, () => {
  const masterKey = randomBytes(32).toString('hex');
  const dbName = `sm_inst_${randomBytes(6).toString('hex')}`;
  const tempDirs: string[] = [];
  let databaseUrl = '';
  let database: Db | null = null;
  let created = false;
  let clinicId = '';
  let a: ServerProcess | null = null;
  let b: ServerProcess | null = null;

  const tempDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sm-inst-'));
    tempDirs.push(dir);
    return dir;
  };

  before(async () => {
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    try {
      await admin.query(`create database ${dbName}`);
      created = true;
    } finally {
      await admin.end();
    }
    const url = new URL(PG_URL!);
    url.pathname = `/${dbName}`;
    databaseUrl = url.href;

    // Seeded from here, with the key both processes are given.
    database = connect({ databaseUrl, dataDir: tempDir() });
    await migrateToLatest(database);
    const keyring = new Keyring(Buffer.from(masterKey, 'hex'));
    const clinic = await createClinic(database.db, keyring, { slug: SLUG, name: 'Harbour Clinic', allowedOrigins: ['https://harbour.example'] });
    clinicId = clinic.id;
    for (const role of ['admin', 'physician', 'staff'] as StaffRole[]) {
      await createStaff(database.db, clinic.id, { name: `${role} of ${SLUG}`, email: `${role}@${SLUG}.test`, role, password: PASSWORD });
    }
    await enrolPatient(database.db, clinicCipher(keyring, clinic), PATIENT);
    await saveMessagingSettings(database.db, clinic.id, OPEN_RULES);

    // No SMTP_URL: mail goes to the dev_mail table, which this process reads.
    const started = await Promise.allSettled([0, 1].map(() => startServerProcess({ DATABASE_URL: databaseUrl, MASTER_KEY: masterKey, DATA_DIR: tempDir() })));
    [a, b] = started.map((s) => (s.status === 'fulfilled' ? s.value : null));
    const failed = started.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
  });

  after(async () => {
    await Promise.all([a, b].map((s) => s && stopWithin(s)));
    await database?.db.destroy();
    if (created) {
      const admin = new pg.Client({ connectionString: PG_URL });
      await admin.connect();
      await admin.query(`drop database if exists ${dbName} with (force)`);
      await admin.end();
    }
    for (const dir of tempDirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  /** Signs the patient in through `server`, reading the code from the development mailbox. */
  async function patientSignIn(server: ServerProcess): Promise<string> {
    const since = new Date().toISOString();
    const start = await request(server, 'POST', '/api/patient/auth/code', { body: { clinic: SLUG, email: PATIENT.email } });
    assert.equal(start.status, 202, await start.clone().text());
    const { challengeId } = (await start.json()) as { challengeId: string };
    const code = await waitUntil(
      'the sign-in code in dev_mail',
      async () => {
        const mail = (await listDevMail(database!.db, new Keyring(Buffer.from(masterKey, 'hex')), clinicId)).find((m) => m.to === PATIENT.email && m.createdAt >= since);
        return mail ? /\b(\d{6})\b/.exec(mail.text)?.[1] : undefined;
      },
      15_000,
    );
    const verify = await request(server, 'POST', '/api/patient/auth/verify', { body: { challengeId, code, dateOfBirth: PATIENT.dateOfBirth } });
    assert.equal(verify.status, 200, await verify.clone().text());
    const token = ((await verify.json()) as { token: string }).token;
    const consent = await request(server, 'POST', '/api/patient/consent', { token, body: { accept: true } });
    assert.equal(consent.status, 200, await consent.clone().text());
    return token;
  }

  /** Signs a staff member in through `server`; returns the Cookie header value. */
  async function staffSignIn(server: ServerProcess, email: string): Promise<string> {
    const res = await request(server, 'POST', '/api/staff/login', { body: { email, password: PASSWORD } });
    assert.equal(res.status, 200, await res.clone().text());
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('sm_session='));
    assert.ok(cookie, 'a session cookie');
    return cookie.split(';')[0]!;
  }

  /** The patient starts a conversation through `server`; returns its id. */
  async function patientStarts(server: ServerProcess, token: string, subject: string): Promise<string> {
    const res = await request(server, 'POST', '/api/patient/threads', { token, body: newThread(subject) });
    assert.equal(res.status, 201, await res.clone().text());
    return ((await res.json()) as { threadId: string }).threadId;
  }

  it('passes a message sent through one instance to a staff stream on the other, and replays what a reconnect missed', { timeout: 90_000 }, async (t) => {
    const token = await patientSignIn(a!);
    const cookie = await staffSignIn(b!, `physician@${SLUG}.test`);

    const first = await openStream(t, `${b!.url}/api/staff/events`, { cookie });
    const sentAt = Date.now();
    const t1 = await patientStarts(a!, token, 'First');
    const e1 = await first.waitForThread(t1);
    const crossLatency = e1.at - sentAt;
    t.diagnostic(`A→B live event latency: ${crossLatency} ms`);
    assert.equal(e1.event, 'message');
    assert.ok(Number.isInteger(e1.id) && e1.id! > 0, `the event has an id: line:\n${first.text}`);
    assert.match(first.text, new RegExp(`id: ${e1.id}\\nevent: message\\ndata: \\{"threadId":"${t1}","author":"patient","kind":"message"\\}`));
    assert.ok(crossLatency < 3000, `B heard of A's commit by NOTIFY (its poll is 5 s), took ${crossLatency} ms`);
    assert.equal(first.threadEvents.length, 1);

    // B's client goes away; two messages arrive meanwhile through A.
    first.close();
    await waitUntil('the first stream to end', () => first.ended);
    const t2 = await patientStarts(a!, token, 'Second');
    const t3 = await patientStarts(a!, token, 'Third');

    const resumed = await openStream(t, `${b!.url}/api/staff/events`, { cookie, 'last-event-id': String(e1.id) });
    await resumed.waitFor('the two missed events', () => resumed.threadEvents.length >= 2);
    // A live one after the replay: anything replayed twice or out of order would show before it.
    const t4 = await patientStarts(a!, token, 'Fourth');
    await resumed.waitForThread(t4);
    await sleep(200); // room for a duplicate to show up
    const got = resumed.threadEvents;
    assert.deepEqual(got.map((e) => e.data.threadId), [t2, t3, t4], `replayed exactly the two missed events, then the live one:\n${resumed.text}`);
    assert.ok(got.every((e) => e.event === 'message' && e.data.author === 'patient'));
    const ids = got.map((e) => e.id!);
    assert.ok(ids[0]! > e1.id!, `replay starts after Last-Event-ID ${e1.id}: ${ids.join(', ')}`);
    for (let i = 1; i < ids.length; i++) assert.ok(ids[i]! > ids[i - 1]!, `ids increase: ${ids.join(', ')}`);
    assert.doesNotMatch(resumed.text, /event: resync/);
    resumed.close();
  });

  it('refuses to start a third instance with another MASTER_KEY, or with none, and changes nothing', { timeout: 90_000 }, async () => {
    const before = await database!.db.selectFrom('server_meta').selectAll().orderBy('key').execute();
    assert.ok(before.some((r) => r.key === 'master_key_check'), 'the running instances recorded the key check');

    const wrong = await expectStartRefused({ DATABASE_URL: databaseUrl, MASTER_KEY: randomBytes(32).toString('hex'), DATA_DIR: tempDir() });
    assert.match(wrong, /exited \(2\)/, wrong);
    assert.match(wrong, /does not match/, wrong);

    const emptyDir = tempDir();
    const none = await expectStartRefused({ DATABASE_URL: databaseUrl, DATA_DIR: emptyDir });
    assert.match(none, /exited \(2\)/, none);
    assert.match(none, /MASTER_KEY is not set/, none);
    assert.deepEqual(fs.readdirSync(emptyDir), [], 'no new master.key was generated');

    assert.deepEqual(await database!.db.selectFrom('server_meta').selectAll().orderBy('key').execute(), before, 'the key check is unchanged');
    for (const server of [a!, b!]) assert.equal((await request(server, 'GET', '/health')).status, 200, 'the running instances are unaffected');
  });

  it('stops both instances cleanly on SIGTERM', { timeout: 30_000 }, async () => {
    const codes = await Promise.all([a!, b!].map((s) => stopWithin(s)));
    assert.deepEqual(codes, [0, 0], `exit codes; output:\n${a!.output()}\n${b!.output()}`);
  });
});

// ---------------------------------------------------------------------------------------------
// Two in-process instances on one database (SQLite file or PostgreSQL schema)
// ---------------------------------------------------------------------------------------------

/** Two instances of one clinic on one database, with messaging open and a signed-in admin. */
async function pair(t: TestContext, dialect: 'sqlite' | 'postgres', rules: Partial<MessagingSettings> = {}) {
  const a = await build(t, dialect);
  const b = await secondInstance(a);
  // Each starts its workers, one after the other: two SQLite connections in one process must not
  // hold transactions at the same moment (see quiet()).
  await a.app.ready();
  await a.deps.jobs.settle();
  await b.app.ready();
  await b.deps.jobs.settle();
  const clinic = await seedClinic(a.deps, 'north');
  const patient = await seedPatient(a.deps, clinic);
  const admin = await staffCookie(a.app, 'admin@north.test');
  const put = await call(a.app, 'PUT', '/api/messaging/settings', { cookie: admin, body: { ...OPEN_RULES, ...rules } });
  assert.equal(put.statusCode, 200, put.body);
  return { a, b, clinic, patient, admin };
}

/**
 * Lets both runners finish what is due, one after the other. (Two in-process instances on one SQLite
 * file are an artefact of these tests: while one connection's transaction awaits, the other's
 * BEGIN IMMEDIATE blocks the shared event loop until busy_timeout, 5 s, and then fails. Separate
 * processes just queue. Only the digest test settles both at once, on purpose.)
 */
async function quiet(...instances: TestApp[]): Promise<void> {
  for (const inst of instances) await inst.deps.jobs.settle();
}

async function startThread(app: TestApp, token: string, subject = 'Renewal'): Promise<string> {
  const res = await call(app.app, 'POST', '/api/patient/threads', { token, body: newThread(subject) });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().threadId as string;
}

for (const d of DIALECTS) {
  describe(`two instances on one database (${d.name})`, { skip: d.skip }, () => {
    it('runs a digest period once across instances: one e-mail per active staff member', { timeout: 60_000 }, async (t) => {
      const { a, b, patient } = await pair(t, d.name, { staffDigestEmail: true });
      const token = await patientToken(a, 'north', patient.email, patient.dateOfBirth);
      await startThread(a, token);
      await quiet(a, b);

      const period = `digest.hourly:test-${randomUUID()}`;
      const job = { kind: 'digest.hourly', clinicId: null, payload: {}, dedupeKey: period };
      const startedAt = Date.now();
      await Promise.all([enqueueJobs(a.deps.db, [job]), enqueueJobs(b.deps.db, [job])]);
      await Promise.all([a.deps.jobs.settle(), b.deps.jobs.settle()]);
      t.diagnostic(`concurrent enqueue + settle on both: ${Date.now() - startedAt} ms`);

      const staff = ['admin@north.test', 'physician@north.test', 'staff@north.test'];
      const digests = () => a.smtp.messages.filter((m) => /patient conversations waiting/.test(m.subject));
      await waitUntil('a digest to every staff member', () => staff.every((to) => digests().some((m) => m.to === to)), 10_000, () => JSON.stringify(digests()));

      // Both instances see the period again (their schedulers would); nothing more goes out.
      await Promise.all([enqueueJobs(a.deps.db, [job]), enqueueJobs(b.deps.db, [job])]);
      await quiet(a, b);
      await sleep(500);
      await quiet(b, a);
      assert.deepEqual(digests().map((m) => m.to).sort(), staff, 'exactly one digest per staff member');
      assert.match(digests()[0]!.subject, /1 patient conversations waiting/);

      const rows = await a.deps.db.selectFrom('jobs').select(['kind', 'status', 'dedupe_key', 'attempts']).where('dedupe_key', 'like', `%${period}%`).execute();
      assert.equal(rows.filter((r) => r.kind === 'digest.hourly').length, 1, JSON.stringify(rows));
      assert.equal(rows.filter((r) => r.kind === 'mail.staff-digest').length, 3, JSON.stringify(rows));
      assert.ok(rows.every((r) => r.status === 'done' && r.attempts === 1), JSON.stringify(rows));
    });

    it('counts the staff sign-in limit across instances', { timeout: 60_000 }, async (t) => {
      const { a, b } = await pair(t, d.name);
      const attempt = async (inst: TestApp, email: string, password = 'wrong password') =>
        (await call(inst.app, 'POST', '/api/staff/login', { body: { email, password } })).statusCode;

      const viaA: number[] = [];
      const viaB: number[] = [];
      for (let i = 0; i < 6; i++) viaA.push(await attempt(a, 'physician@north.test'));
      for (let i = 0; i < 6; i++) viaB.push(await attempt(b, 'physician@north.test'));
      assert.deepEqual(viaA, [401, 401, 401, 401, 401, 401]);
      assert.deepEqual(viaB, [401, 401, 401, 401, 429, 429], 'B counts the attempts made through A: 10 a minute in all');
      assert.equal(await attempt(a, 'physician@north.test', PASSWORD), 429, 'still limited on A');
      const limited = await call(b.app, 'POST', '/api/staff/login', { body: { email: 'physician@north.test', password: PASSWORD } });
      assert.equal(limited.json().code, 'rate_limited');

      // At the same moment through both: still 10 in all.
      const concurrent = await Promise.all(Array.from({ length: 12 }, (_, i) => attempt(i % 2 ? a : b, 'staff@north.test')));
      assert.equal(concurrent.filter((s) => s === 401).length, 10, `concurrent: ${concurrent.join(',')}`);
      assert.equal(concurrent.filter((s) => s === 429).length, 2, `concurrent: ${concurrent.join(',')}`);
      // Another address from the same IP is not affected.
      assert.equal(await attempt(b, 'admin@north.test', PASSWORD), 200);
    });

    it('does not keep a stream slot for a client that leaves while its stream is being set up', { timeout: 60_000 }, async (t) => {
      const ctx = await build(t, d.name);
      await seedClinic(ctx.deps, 'north');
      const cookie = await staffCookie(ctx.app, 'admin@north.test');
      const url = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
      for (let i = 0; i < 40; i++) {
        const abort = new AbortController();
        setTimeout(() => abort.abort(), i % 6);
        await fetch(`${url}/api/staff/events`, { headers: { cookie }, signal: abort.signal }).then((r) => r.body?.cancel(), () => undefined);
      }
      const open: AbortController[] = [];
      t.after(() => open.forEach((c) => c.abort()));
      const statuses: number[] = [];
      for (let i = 0; i < MAX_STREAMS_PER_SESSION; i++) {
        await waitUntil(`stream ${i + 1} of ${MAX_STREAMS_PER_SESSION} to open`, async () => {
          const c = new AbortController();
          const r = await fetch(`${url}/api/staff/events`, { headers: { cookie }, signal: c.signal });
          if (r.status === 200) {
            open.push(c);
            statuses.push(r.status);
            return true;
          }
          c.abort();
          return false;
        }, 3000);
      }
      assert.deepEqual(statuses, Array(MAX_STREAMS_PER_SESSION).fill(200), 'every slot came back');
    });

    it('limits streams per session, frees a closed one, and ends streams when the session ends (on both instances)', { timeout: 60_000 }, async (t) => {
      const { a, b, patient, admin } = await pair(t, d.name);
      const [urlA, urlB] = await Promise.all([a.app.listen({ port: 0, host: '127.0.0.1' }), b.app.listen({ port: 0, host: '127.0.0.1' })]);
      const token = await patientToken(a, 'north', patient.email, patient.dateOfBirth);
      const staffId = ((await call(a.app, 'GET', '/api/staff', { cookie: admin })).json() as Array<{ id: string; email: string }>).find((s) => s.email === 'staff@north.test')!.id;
      const cookie = await staffCookie(a.app, 'staff@north.test');

      const onA: SseStream[] = [];
      for (let i = 0; i < MAX_STREAMS_PER_SESSION; i++) onA.push(await openStream(t, `${urlA}/api/staff/events`, { cookie }));
      const sixth = await fetchStream(t, `${urlA}/api/staff/events`, { cookie });
      assert.equal(sixth.res.status, 429);
      assert.equal(((await sixth.res.json()) as { code: string }).code, 'too_many_streams');

      // A closed stream gives its slot back.
      onA.pop()!.close();
      const reopened = await waitUntil('a slot freed by the closed stream', async () => {
        const attempt = await fetchStream(t, `${urlA}/api/staff/events`, { cookie });
        if (attempt.res.status === 200) return new SseStream(attempt.res, attempt.controller);
        await attempt.res.body?.cancel();
        return null;
      }, 5_000);
      await reopened.waitFor('the connected line', () => reopened.text.includes(': connected'));
      onA.push(reopened);

      // The same session on the other instance, and streams that must stay open.
      const onB = await openStream(t, `${urlB}/api/staff/events`, { cookie });
      const adminStream = await openStream(t, `${urlA}/api/staff/events`, { cookie: admin });
      const physicianKept = await staffCookie(b.app, 'physician@north.test');
      const physicianLeaving = await staffCookie(b.app, 'physician@north.test');
      const kept = await openStream(t, `${urlB}/api/staff/events`, { cookie: physicianKept });
      const leaving = await openStream(t, `${urlA}/api/staff/events`, { cookie: physicianLeaving });

      // Sign-out through B ends that session's stream on A, and only that one.
      const signOutAt = Date.now();
      assert.equal((await call(b.app, 'POST', '/api/staff/logout', { cookie: physicianLeaving })).statusCode, 204);
      await leaving.waitFor('the signed-out session’s stream to end', () => leaving.ended, 5_000);
      t.diagnostic(`sign-out on B → stream on A ended after ${leaving.endedAt - signOutAt} ms`);
      assert.equal(leaving.endedBy, 'eof', 'the server ended the response');

      // Disabling through A ends every stream of that staff member, on A and on B.
      const disabledAt = Date.now();
      const patch = await call(a.app, 'PATCH', `/api/staff/${staffId}`, { cookie: admin, body: { disabled: true } });
      assert.equal(patch.statusCode, 200, patch.body);
      const disabledStreams = [...onA, onB];
      await waitUntil('every stream of the disabled staff member to end', () => disabledStreams.every((s) => s.ended), 5_000, () => disabledStreams.map((s, i) => `#${i}: ${s.endedBy ?? 'open'}`).join(', '));
      t.diagnostic(`disable on A → streams ended after ${onA.map((s) => s.endedAt - disabledAt).join('/')} ms (A), ${onB.endedAt - disabledAt} ms (B)`);
      assert.ok(disabledStreams.every((s) => s.endedBy === 'eof'), 'the server ended each response');
      assert.ok(onA.every((s) => s.endedAt - disabledAt < 2_000), 'on the instance that disabled: at once, not at the 30 s re-check');

      // What happens next reaches the others, not the ended streams.
      const threadId = await startThread(b, token, 'After');
      await adminStream.waitForThread(threadId);
      await kept.waitForThread(threadId);
      await sleep(200);
      for (const s of [...disabledStreams, leaving]) assert.equal(s.text.includes(threadId), false, 'no event after the session ended');
      assert.equal(adminStream.ended || kept.ended, false);
      const again = await fetchStream(t, `${urlB}/api/staff/events`, { cookie });
      assert.equal(again.res.status, 401, 'a disabled staff member cannot reconnect');
      await again.res.body?.cancel();
    });
  });
}
