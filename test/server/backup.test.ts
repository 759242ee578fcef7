import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import SQLite from 'better-sqlite3';
import { createDeps } from '../../server/bootstrap.js';
import { runCli, runWithoutDatabase } from '../../server/cli.js';
import { loadConfig } from '../../server/config.js';
import { connect, sqliteFile } from '../../server/db/connect.js';
import { migrateToLatest } from '../../server/db/migrate.js';
import { backupSqlite } from '../../server/domain/backup.js';
import { clinicCipher, createClinic } from '../../server/domain/clinics.js';
import { Keyring } from '../../server/domain/crypto.js';
import { enqueueJobs } from '../../server/domain/jobs.js';
import { enrolPatient } from '../../server/domain/patients.js';
import { createStaff } from '../../server/domain/staff.js';
import { startServerProcess, type ServerProcess } from '../support/server-process.js';
import { build, DIALECTS, PASSWORD } from './helpers.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const STAFF_EMAIL = 'lee@lakeside.test';

/** A temporary folder, removed when the test ends. */
function tempDir(t: TestContext, prefix = 'sm-backup-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs the operators' CLI as its own process, as an operator does (`npm run cli -- ...`). */
function cli(env: Record<string, string>, args: string[]): Promise<{ code: number | string; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli.ts', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', DEMO_PORT: '0', LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? signal ?? -1, stdout, stderr });
    });
  });
}

/** A clinic with one physician and one patient, written straight into the SQLite file of `dataDir`. */
async function seed(dataDir: string, masterKey: string): Promise<{ patientId: string }> {
  const database = connect({ databaseUrl: null, dataDir });
  try {
    await migrateToLatest(database);
    const keyring = new Keyring(Buffer.from(masterKey, 'hex'));
    const clinic = await createClinic(database.db, keyring, { slug: 'lakeside', name: 'Lakeside Clinic', allowedOrigins: ['https://lakeside.example'] });
    await createStaff(database.db, clinic.id, { name: 'Dr Lee', email: STAFF_EMAIL, role: 'physician', password: PASSWORD });
    const patient = await enrolPatient(database.db, clinicCipher(keyring, clinic), { name: 'Jamie Patient', email: 'jamie@lakeside.example', dateOfBirth: '1990-05-17' });
    return { patientId: patient.id };
  } finally {
    await database.db.destroy();
  }
}

/** Starts the real server on `dataDir`; stopped when the test ends, even when it fails. */
async function serve(t: TestContext, dataDir: string, masterKey: string): Promise<ServerProcess> {
  const server = await startServerProcess({ DATA_DIR: dataDir, MASTER_KEY: masterKey });
  t.after(() => server.stop('SIGKILL'));
  return server;
}

/** A JSON request to a server process, with the Origin its PUBLIC_URL expects. */
async function request(server: ServerProcess, method: string, url: string, opts: { cookie?: string; body?: unknown } = {}): Promise<Response> {
  const headers: Record<string, string> = { origin: `http://localhost:${server.port}` };
  if (opts.cookie) headers.cookie = opts.cookie;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  return fetch(server.url + url, { method, headers, ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}) });
}

/** Signs the seeded physician in; returns the Cookie header value. */
async function signIn(server: ServerProcess): Promise<string> {
  const res = await request(server, 'POST', '/api/staff/login', { body: { email: STAFF_EMAIL, password: PASSWORD } });
  assert.equal(res.status, 200, await res.clone().text());
  const cookie = res.headers.getSetCookie()[0];
  assert.ok(cookie, 'the sign-in sets a cookie');
  return cookie.split(';')[0]!;
}

/** The message ids in a SQLite file, after checking it is intact and consistent (opened read-only). */
function messageIds(file: string): Set<string> {
  const copy = new SQLite(file, { readonly: true, fileMustExist: true });
  try {
    assert.equal(copy.pragma('integrity_check', { simple: true }), 'ok');
    assert.deepEqual(copy.pragma('foreign_key_check'), [], 'every message has its thread, every thread its patient');
    return new Set(copy.prepare('select id from messages').pluck().all() as string[]);
  } finally {
    copy.close();
  }
}

/** A small Secure Messaging database in its own folder, and a backup of it (the backup is the returned file). */
async function makeBackup(t: TestContext): Promise<string> {
  const dataDir = tempDir(t);
  await seed(dataDir, randomBytes(32).toString('hex'));
  const database = connect({ databaseUrl: null, dataDir });
  try {
    const file = path.join(tempDir(t), 'good.sqlite');
    await backupSqlite(database, file);
    return file;
  } finally {
    await database.db.destroy();
  }
}

describe('backup and restore (SQLite)', () => {
  it('a backup taken while the server writes holds every message acknowledged before it began, and restores into a server that reads it', async (t) => {
    const masterKey = randomBytes(32).toString('hex');
    const liveDir = tempDir(t);
    const { patientId } = await seed(liveDir, masterKey);
    const live = await serve(t, liveDir, masterKey);
    const cookie = await signIn(live);

    // Writers: new conversations and replies, recording each message id once the server acknowledged it.
    const acked: Array<{ id: string; threadId: string; body: string }> = [];
    let stop = false;
    const failures: string[] = [];
    const writer = async (n: number) => {
      for (let i = 0; !stop; i++) {
        try {
          const id = randomUUID();
          const body = `Writer ${n}, message ${i}: your results are in.`;
          const started = await request(live, 'POST', '/api/threads', { cookie, body: { id, patientId, subject: `Results ${n}.${i}`, category: 'results', body, patientMayReply: true } });
          if (started.status !== 201 && started.status !== 200) {
            failures.push(`${started.status} ${await started.text()}`);
            break;
          }
          const { threadId } = (await started.json()) as { threadId: string };
          acked.push({ id, threadId, body });
          const replyId = randomUUID();
          const reply = await request(live, 'POST', `/api/threads/${threadId}/messages`, { cookie, body: { id: replyId, body: `Reply ${i} from writer ${n}.` } });
          if (reply.status !== 201 && reply.status !== 200) {
            failures.push(`${reply.status} ${await reply.text()}`);
            break;
          }
          acked.push({ id: replyId, threadId, body: `Reply ${i} from writer ${n}.` });
        } catch (err) {
          failures.push(String(err));
          break;
        }
      }
    };
    const writers = Promise.all([writer(1), writer(2)]);
    t.after(async () => {
      stop = true;
      await writers;
    });
    // Let the writers get going, so the backup runs in the middle of a stream of commits.
    const deadline = Date.now() + 15_000;
    while (acked.length < 20 && failures.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(failures, []);
    assert.ok(acked.length >= 20, `the writers got going (${acked.length} messages)`);

    // In-process first: the moment this backup begins is known exactly, so the check is tight (a
    // plain file copy misses what is still in the -wal file).
    const { deps } = await createDeps(loadConfig({ DATA_DIR: liveDir, MASTER_KEY: masterKey, DEMO_PORT: '0' }));
    t.after(async () => {
      deps.mailer.close();
      await deps.db.destroy();
    });
    const snapshotFile = path.join(tempDir(t), 'snapshot.sqlite');
    const beforeSnapshot = acked.slice();
    await runCli(deps, ['backup', snapshotFile]);
    const inSnapshot = messageIds(snapshotFile);
    assert.deepEqual(beforeSnapshot.filter((a) => !inSnapshot.has(a.id)).map((a) => a.id), [], `all ${beforeSnapshot.length} messages acknowledged before the in-process backup are in it`);

    // Then as operators do it: the CLI in its own process, while the server keeps writing.
    const backupFile = path.join(tempDir(t), 'nightly.sqlite');
    const before = acked.slice();
    const backup = await cli({ DATA_DIR: liveDir, MASTER_KEY: masterKey }, ['backup', backupFile]);
    const duringOrAfter = acked.length - before.length;
    stop = true;
    await writers;
    assert.equal(backup.code, 0, backup.stderr);
    assert.match(backup.stdout, new RegExp(`Backed up to ${backupFile.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(\\d+ bytes\\)\\. Back up the master key separately`));
    assert.deepEqual(failures, [], 'the server kept accepting messages while it was backed up');
    assert.ok(duringOrAfter > 0, 'messages kept being acknowledged while the backup ran');
    assert.equal(fs.statSync(backupFile).mode & 0o777, 0o600, 'the backup is readable by its owner only');
    assert.deepEqual(fs.readdirSync(path.dirname(backupFile)), ['nightly.sqlite'], 'no temporary or -wal files are left beside the backup');

    // Restore into a fresh folder with the CLI, as an operator would after losing the server.
    const freshDir = path.join(tempDir(t), 'data');
    const restore = await cli({ DATA_DIR: freshDir, MASTER_KEY: masterKey }, ['restore', backupFile]);
    assert.equal(restore.code, 0, restore.stderr);
    assert.match(restore.stdout, /Restored .* into .*secure-messaging\.sqlite/);

    const ids = messageIds(sqliteFile(freshDir));
    const missing = before.filter((a) => !ids.has(a.id)).map((a) => a.id);
    assert.deepEqual(missing, [], `every one of the ${before.length} messages acknowledged before the backup began is in it`);

    const revived = await serve(t, freshDir, masterKey);
    const thread = await request(revived, 'GET', `/api/threads/${before[0]!.threadId}`, { cookie: await signIn(revived) });
    assert.equal(thread.status, 200);
    const detail = (await thread.json()) as { messages: Array<{ id: string; body: string }> };
    assert.equal(detail.messages.find((m) => m.id === before[0]!.id)?.body, before[0]!.body, 'the restored messages decrypt with the same master key');

    // A restore over the database of a running server is refused, even with --force.
    const overLive = await cli({ DATA_DIR: freshDir, MASTER_KEY: masterKey }, ['restore', backupFile, '--force']);
    assert.equal(overLive.code, 2);
    assert.match(overLive.stderr, /in use: stop the server/);
  });

  it('restore refuses a file that is not a database, a database of another program, and an existing database without --force', async (t) => {
    const dir = tempDir(t);
    const dataDir = path.join(dir, 'data');
    const config = { dataDir, databaseUrl: null };

    const text = path.join(dir, 'notes.txt');
    fs.writeFileSync(text, 'These are not the rows you are looking for.\n'.repeat(200));
    await assert.rejects(runWithoutDatabase(config, ['restore', text]), /notes\.txt is not a SQLite database/);

    const foreign = path.join(dir, 'other-app.sqlite');
    const other = new SQLite(foreign);
    other.exec('create table recipes (id integer primary key, title text); insert into recipes (title) values (\'bannock\')');
    other.close();
    await assert.rejects(runWithoutDatabase(config, ['restore', foreign]), /is a SQLite database, but not a Secure Messaging one/);

    await assert.rejects(runWithoutDatabase(config, ['restore', path.join(dir, 'missing.sqlite')]), /There is no file/);
    await assert.rejects(runWithoutDatabase(config, ['restore']), /restore needs <file>/);
    assert.equal(fs.existsSync(sqliteFile(dataDir)), false, 'nothing was put in place');
    assert.deepEqual(fs.existsSync(dataDir) ? fs.readdirSync(dataDir) : [], [], 'no temporary files were left');

    const good = await makeBackup(t);
    assert.match(String(await runWithoutDatabase(config, ['restore', good])), /Restored/);
    assert.equal(fs.statSync(sqliteFile(dataDir)).mode & 0o777, 0o600);
    await assert.rejects(runWithoutDatabase(config, ['restore', good]), /already exists\. Stop the server, then add --force/);
    // Stale files of the replaced database must not be replayed into the restored one.
    fs.writeFileSync(`${sqliteFile(dataDir)}-wal`, randomBytes(4096));
    assert.match(String(await runWithoutDatabase(config, ['restore', good, '--force'])), /Restored/);
    assert.deepEqual(fs.readdirSync(dataDir), ['secure-messaging.sqlite']);
    assert.equal(await runWithoutDatabase(config, ['jobs']), null, 'other commands open the database as usual');
  });

  it('backup refuses to replace a file without --force', async (t) => {
    const { deps } = await build(t, 'sqlite');
    const file = path.join(tempDir(t), 'copy.sqlite');
    assert.match(await runCli(deps, ['backup', file]), /Backed up to/);
    const first = fs.statSync(file).mtimeMs;
    await assert.rejects(runCli(deps, ['backup', file]), /already exists; choose another name, or add --force/);
    assert.equal(fs.statSync(file).mtimeMs, first);
    assert.match(await runCli(deps, ['backup', file, '--force']), /Backed up to/);
    await assert.rejects(runCli(deps, ['backup']), /backup needs <file>/);
    await assert.rejects(runCli(deps, ['restore', file]), /stop the server, then run/);
  });
});

for (const d of DIALECTS) {
  describe(`jobs in the operators' CLI (${d.name})`, { skip: d.skip }, () => {
    it('lists jobs without their payloads and retries a failed one', async (t) => {
      const { deps } = await build(t, d.name);
      await enqueueJobs(deps.db, [
        { kind: 'mail.notify', clinicId: null, payload: { sealed: 'v1.SECRET-SEALED-PAYLOAD' } },
        { kind: 'digest.staff', clinicId: null, payload: { period: '2025-01-06' } },
      ]);
      const failed = await deps.db.selectFrom('jobs').select('id').where('kind', '=', 'mail.notify').executeTakeFirstOrThrow();
      await deps.db.updateTable('jobs').set({ status: 'failed', attempts: 10, last_error: 'smtp_timeout', finished_at: new Date().toISOString() }).where('id', '=', failed.id).execute();

      const all = await runCli(deps, ['jobs']);
      assert.match(all, /^Jobs: 1 pending, 0 running, 0 done, 1 failed\./);
      assert.match(all, new RegExp(`${failed.id}  mail\\.notify  failed  10/10  smtp_timeout  run at \\S+`));
      assert.match(all, /digest\.staff {2}pending {2}0\/10 {2}- {2}run at/);
      assert.doesNotMatch(all, /SECRET-SEALED-PAYLOAD|2025-01-06/, 'payloads are never printed');

      const onlyFailed = await runCli(deps, ['jobs', '--status', 'failed']);
      assert.match(onlyFailed, /mail\.notify/);
      assert.doesNotMatch(onlyFailed, /digest\.staff/);
      await assert.rejects(runCli(deps, ['jobs', '--status', 'stuck']), /--status must be one of pending, running, done, failed/);

      assert.match(await runCli(deps, ['retry-job', failed.id]), new RegExp(`Job ${failed.id} \\(mail\\.notify\\) is back in the queue`));
      const row = await deps.db.selectFrom('jobs').select(['status', 'attempts']).where('id', '=', failed.id).executeTakeFirstOrThrow();
      assert.deepEqual(row, { status: 'pending', attempts: 0 });
      assert.match(await runCli(deps, ['jobs', '--status', 'failed']), /No failed jobs\./);

      await assert.rejects(runCli(deps, ['retry-job', failed.id]), /No failed job with id/, 'a job that is not failed is not retried');
      await assert.rejects(runCli(deps, ['retry-job', randomUUID()]), /No failed job with id/);
      await assert.rejects(runCli(deps, ['retry-job']), /retry-job needs <id>/);
    });
  });
}

describe('backup and restore (PostgreSQL)', { skip: DIALECTS.find((d) => d.name === 'postgres')!.skip }, () => {
  it('backup and restore answer with the pg_dump and pg_restore commands', async (t) => {
    const { deps, databaseUrl } = await build(t, 'postgres');
    const file = path.join(tempDir(t), 'never.sqlite');
    await assert.rejects(runCli(deps, ['backup', file]), /pg_dump --format=custom --file=secure-messaging\.dump "\$DATABASE_URL"/);
    await assert.rejects(runWithoutDatabase({ dataDir: tempDir(t), databaseUrl }, ['restore', file]), /pg_restore --clean --if-exists --dbname "\$DATABASE_URL" secure-messaging\.dump/);
    assert.equal(fs.existsSync(file), false);
  });
});
