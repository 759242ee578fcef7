/**
 * Crash test: the real server (a child process) is killed with SIGKILL at random moments while a staff
 * client sends replies, retrying each send with the same id until it is acknowledged. SMTP is down
 * the whole time; once it comes up, the queued notices go out. Nothing may be lost or doubled: every
 * acknowledged message is stored once, with one `message.send` audit row and one notice e-mail.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it, type TestContext } from 'node:test';
import pg from 'pg';
import { connect, type Db } from '../../server/db/connect.js';
import { migrateToLatest } from '../../server/db/migrate.js';
import { clinicCipher, createClinic } from '../../server/domain/clinics.js';
import { Keyring } from '../../server/domain/crypto.js';
import { enrolPatient } from '../../server/domain/patients.js';
import { createStaff } from '../../server/domain/staff.js';
import { freePort, startServerProcess, type ServerProcess } from '../support/server-process.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp.js';
import { DIALECTS, PASSWORD } from './helpers.js';

const STAFF_EMAIL = 'admin@crash.test';
const PATIENT_EMAIL = 'jamie@crash.example';
/** How many replies the client sends at least (plus the message that starts the conversation)… */
const REPLIES = 40;
/** …and at most, when it keeps sending until the killer has had its kills. */
const MAX_REPLIES = 120;
/** Kills per run: at least MIN_KILLS must happen for the run to count. */
const MIN_KILLS = 3;
/** Upper bounds, so a broken server fails the test instead of hanging it. */
const SEND_DEADLINE_MS = 20_000;
const PHASE_DEADLINE_MS = 45_000;
const MAIL_DEADLINE_MS = 40_000;

/** Where the run's data lives, and how to open it from the test process. */
interface Store {
  env: Record<string, string>;
  open(): Db;
}

/** A fresh SQLite folder, or a fresh PostgreSQL database (dropped by `cleanup`). */
async function makeStore(dialect: 'sqlite' | 'postgres', cleanup: Array<() => Promise<void>>): Promise<Store> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sm-crash-'));
  cleanup.push(async () => fs.rmSync(dataDir, { recursive: true, force: true }));
  if (dialect === 'sqlite') return { env: { DATA_DIR: dataDir }, open: () => connect({ databaseUrl: null, dataDir }) };
  const name = `sm_crash_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  cleanup.push(async () => {
    const client = new pg.Client({ connectionString: process.env.TEST_DATABASE_URL });
    await client.connect();
    await client.query(`drop database if exists ${name} with (force)`);
    await client.end();
  });
  const url = new URL(process.env.TEST_DATABASE_URL!);
  url.pathname = `/${name}`;
  return { env: { DATA_DIR: dataDir, DATABASE_URL: url.href }, open: () => connect({ databaseUrl: url.href, dataDir }) };
}

/** One clinic, its admin and one patient, written with the domain functions before any server runs. */
async function seed(store: Store, masterKey: string): Promise<{ patientId: string }> {
  const database = store.open();
  try {
    await migrateToLatest(database);
    const keyring = new Keyring(Buffer.from(masterKey, 'hex'));
    const clinic = await createClinic(database.db, keyring, { slug: 'crash', name: 'Crash Clinic', allowedOrigins: ['https://crash.example'] });
    await createStaff(database.db, clinic.id, { name: 'Admin Crash', email: STAFF_EMAIL, role: 'admin', password: PASSWORD });
    const patient = await enrolPatient(database.db, clinicCipher(keyring, clinic), { name: 'Jamie Patient', email: PATIENT_EMAIL, dateOfBirth: '1990-05-17' });
    return { patientId: patient.id };
  } finally {
    await database.db.destroy();
  }
}

/** What one request came to: an HTTP answer, or a network failure with its code. */
type Outcome = { status: number; body: string } | { error: string };

/** The code under a fetch failure: ECONNREFUSED (server down), ECONNRESET / UND_ERR_SOCKET (killed mid-request)… */
function failureCode(err: unknown): string {
  const cause = (err as { cause?: { code?: string; name?: string } })?.cause;
  return String(cause?.code ?? cause?.name ?? (err as { name?: string })?.name ?? 'Error');
}

/** How the sends went, for the log. */
interface SendStats {
  attempts: number;
  /** Sends that needed more than one attempt. */
  retried: number;
  /** Retries answered 200: the first attempt had committed, but its answer was lost to a kill. */
  replayed: number;
  /** Failed attempts by cause: ECONNREFUSED while the server was down, UND_ERR_SOCKET / ECONNRESET when cut off, 5xx… */
  failures: Record<string, number>;
}

describe('crash safety: SIGKILL at random moments during sends', () => {
  for (const d of DIALECTS) {
    it(`${d.name}: 0 lost, 0 duplicated, one audit row and one notice e-mail per acknowledged message`, { skip: d.skip, timeout: 120_000 }, async (t: TestContext) => {
      const started = Date.now();
      const cleanup: Array<() => Promise<void>> = [];
      const servers = new Set<ServerProcess>();
      let sink: SmtpSink | null = null;
      // One hook, in order: processes first, then the sink, then the database and folder.
      t.after(async () => {
        for (const s of servers) await s.stop('SIGKILL');
        await sink?.close();
        for (const c of cleanup.reverse()) await c().catch((err: unknown) => console.error('crash test cleanup:', err));
      });

      const store = await makeStore(d.name, cleanup);
      const masterKey = randomBytes(32).toString('hex');
      const { patientId } = await seed(store, masterKey);
      // Nothing listens on this port until the kills are over: every notice fails and waits in the queue.
      const smtpPort = await freePort();
      const env = {
        ...store.env,
        MASTER_KEY: masterKey,
        SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
        JOB_RETRY_BASE_MS: '200',
        // One notice per message, as the count below expects (no batching).
        NOTICE_BATCH_MS: '0',
        JOB_LEASE_MS: '1500',
        SMTP_CONNECT_TIMEOUT_MS: '500',
        SMTP_ANSWER_TIMEOUT_MS: '1000',
      };

      /** Starts the server on `port` (a free one the first time); a few tries, in case the port lingers. */
      const launch = async (port?: number): Promise<ServerProcess> => {
        let last: unknown = null;
        for (let i = 0; i < 3; i++) {
          try {
            const s = await startServerProcess(env, { ...(port ? { port } : {}), timeoutMs: 20_000 });
            servers.add(s);
            void s.exited.then(() => servers.delete(s));
            return s;
          } catch (err) {
            last = err;
            await sleep(200);
          }
        }
        throw last;
      };
      let server = await launch();
      const port = server.port;
      const base = `http://127.0.0.1:${port}`;
      const origin = `http://localhost:${port}`;

      const request = async (method: string, url: string, body: unknown, cookie: string | null): Promise<Outcome & { cookie?: string }> => {
        try {
          const res = await fetch(base + url, {
            method,
            headers: { origin, 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
            body: JSON.stringify(body),
            signal: AbortSignal.timeout(5000),
          });
          const set = res.headers.getSetCookie()[0];
          return { status: res.status, body: await res.text(), ...(set ? { cookie: set.split(';')[0]! } : {}) };
        } catch (err) {
          return { error: failureCode(err) };
        }
      };

      const stats: SendStats = { attempts: 0, retried: 0, replayed: 0, failures: {} };
      const failed = (why: string) => void (stats.failures[why] = (stats.failures[why] ?? 0) + 1);
      /** Sends waiting for their answer right now (the killer looks, to count kills that cut one off). */
      let sendsInFlight = 0;
      /** How long an acknowledged send took, on average (the killer aims inside that window). */
      let sendMs = 10;
      const signIn = async (): Promise<string> => {
        const deadline = Date.now() + SEND_DEADLINE_MS;
        for (;;) {
          const r = await request('POST', '/api/staff/login', { email: STAFF_EMAIL, password: PASSWORD }, null);
          if ('status' in r && r.status === 200 && r.cookie) return r.cookie;
          if ('status' in r && r.status < 500) throw new Error(`sign-in refused: ${r.status} ${r.body}`);
          if (Date.now() > deadline) throw new Error(`could not sign in within ${SEND_DEADLINE_MS} ms: ${JSON.stringify(r)}`);
          await sleep(100);
        }
      };
      let cookie = await signIn();

      /** Sends until acknowledged (same id, same body each time); returns the answer. */
      const sendUntilAcked = async (url: string, body: { id: string; [field: string]: unknown }): Promise<{ threadId: string; messageId: string }> => {
        const deadline = Date.now() + SEND_DEADLINE_MS;
        for (let attempt = 1; ; attempt++) {
          stats.attempts++;
          sendsInFlight++;
          const sentAt = Date.now();
          const r = await request('POST', url, body, cookie).finally(() => sendsInFlight--);
          if ('status' in r && (r.status === 200 || r.status === 201)) {
            sendMs = 0.8 * sendMs + 0.2 * (Date.now() - sentAt);
            if (attempt > 1) stats.retried++;
            if (r.status === 200) stats.replayed++;
            const answer = JSON.parse(r.body) as { threadId: string; messageId: string };
            assert.equal(answer.messageId, body.id, 'the acknowledgement names the message sent');
            return answer;
          }
          if ('status' in r && r.status === 401) {
            // Sessions live in the database, so a restart should not sign anyone out; handled anyway.
            failed('401');
            cookie = await signIn();
          } else if ('status' in r && r.status >= 500) {
            failed(String(r.status));
          } else if ('status' in r) {
            throw new Error(`send ${body.id} refused with ${r.status}: ${r.body}`);
          } else {
            failed(r.error);
          }
          if (Date.now() > deadline) throw new Error(`send ${body.id} not acknowledged within ${SEND_DEADLINE_MS} ms (last: ${JSON.stringify(r)})`);
          await sleep(50 + randomInt(50));
        }
      };

      // A marker in every body, to prove no e-mail carries message content.
      const marker = `CRASH-${randomBytes(4).toString('hex')}`;
      const acked: string[] = [];
      const start = await sendUntilAcked('/api/threads', { id: randomUUID(), patientId, subject: `${marker} subject`, category: 'results', body: `${marker} first`, patientMayReply: true });
      acked.push(start.messageId);
      const threadId = start.threadId;

      // The client and the killer run together until the client has sent everything.
      const phaseDeadline = Date.now() + PHASE_DEADLINE_MS;
      let clientDone = false;
      let kills = 0;
      let killsMidSend = 0;
      const killTarget = 5 + randomInt(4);
      const client = async () => {
        try {
          for (let i = 0; i < REPLIES || (kills < killTarget && i < MAX_REPLIES && Date.now() < phaseDeadline); i++) {
            const id = randomUUID();
            const answer = await sendUntilAcked(`/api/threads/${threadId}/messages`, { id, body: `${marker} reply ${i}` });
            assert.equal(answer.threadId, threadId);
            acked.push(id);
            // Paced so that ~40 sends span several kills (a restart takes seconds; the sends take milliseconds).
            await sleep(40 + randomInt(80));
          }
        } finally {
          clientDone = true;
        }
      };
      const killer = async () => {
        while (kills < killTarget && !clientDone && Date.now() < phaseDeadline) {
          await sleep(150 + randomInt(751));
          // Most kills land inside a send: wait (briefly) for one to be under way, then kill at a random point
          // of it; a few tries when the send was quicker than the aim, then the kill goes ahead regardless.
          for (let aim = 0; aim < 3 && !clientDone; aim++) {
            for (let waited = 0; sendsInFlight === 0 && waited < 300 && !clientDone; waited++) await sleep(1);
            await sleep(randomInt(Math.max(1, Math.round(sendMs))));
            if (sendsInFlight > 0) break;
          }
          if (clientDone) break;
          if (sendsInFlight > 0) killsMidSend++;
          await server.stop('SIGKILL');
          kills++;
          server = await launch(port);
        }
      };
      const phaseStarted = Date.now();
      await Promise.all([client(), killer()]);
      const phaseMs = Date.now() - phaseStarted;

      // SMTP comes up; the queued notices must now arrive, one per acknowledged message, with no kills.
      sink = await startSmtpSink({ port: smtpPort });
      const mailStarted = Date.now();
      const toPatient = () => sink!.messages.filter((m) => m.to === PATIENT_EMAIL);
      while (toPatient().length < acked.length && Date.now() - mailStarted < MAIL_DEADLINE_MS) await sleep(100);
      const mailMs = Date.now() - mailStarted;
      await sleep(1500);
      const mails = toPatient();
      // A clean stop, bounded (the hook SIGKILLs whatever is left).
      await Promise.race([server.stop('SIGTERM'), sleep(5000)]);

      t.diagnostic(
        `${d.name}: ${kills} kills (${killsMidSend} while a send was in flight) over ${phaseMs} ms; ${acked.length} messages acknowledged; ` +
          `${stats.retried} sends needed retries, ${stats.replayed} of them answered 200 (committed before the kill, answer lost); ` +
          `${stats.attempts} attempts, failed ones by cause ${JSON.stringify(stats.failures)}; ` +
          `${mails.length} e-mails in ${mailMs} ms; total ${Date.now() - started} ms`,
      );

      // Read what the server left behind, from the test process.
      const database = store.open();
      cleanup.push(() => database.db.destroy());
      const stored = await database.db.selectFrom('messages').select(['id', 'thread_id']).where('author_type', '=', 'staff').where('kind', '=', 'message').execute();
      const audits = await database.db.selectFrom('audit_log').select(['target']).where('action', '=', 'message.send').execute();
      const jobs = await database.db.selectFrom('jobs').select(['kind', 'status', 'attempts', 'last_error']).where('kind', '=', 'mail.new-message').execute();

      assert.ok(kills >= MIN_KILLS, `only ${kills} kills happened; the run proves nothing`);
      assert.equal(new Set(acked).size, acked.length, 'the client acknowledged each id once');
      assert.ok(acked.length > REPLIES, 'the conversation start and every reply were acknowledged');
      // 0 lost, 0 extra, 0 duplicated.
      assert.deepEqual(stored.map((m) => m.id).sort(), [...acked].sort(), 'the stored staff messages are exactly the acknowledged ones');
      for (const id of acked) {
        assert.equal(stored.filter((m) => m.id === id).length, 1, `message ${id} is stored once`);
        assert.equal(audits.filter((a) => a.target === `message:${id}`).length, 1, `message ${id} has exactly one message.send audit row`);
      }
      assert.equal(audits.length, acked.length, 'no message.send audit row without its message');
      assert.ok(stored.every((m) => m.thread_id === threadId));
      // One notice job per message, all delivered; one e-mail each.
      const jobSummary = JSON.stringify(jobs.filter((j) => j.status !== 'done'));
      assert.equal(jobs.length, acked.length, 'one notice job per message');
      assert.equal(mails.length, acked.length, `one notice e-mail per message (jobs not done: ${jobSummary})`);
      assert.ok(jobs.every((j) => j.status === 'done'), `every notice job is done: ${jobSummary}`);
      for (const m of mails) {
        assert.match(m.subject, /new secure message/);
        assert.equal(m.text.includes(marker) || m.subject.includes(marker), false, 'no message content in the e-mail');
      }
    });
  }
});
