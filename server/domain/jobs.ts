/**
 * The job queue: work left by an action for after its commit (e-mail, digests, sweeps), in the same
 * database so it is enqueued atomically with the action. A runner claims due jobs under a lease
 * (FOR UPDATE SKIP LOCKED on PostgreSQL; SQLite's write lock serialises claims), so each job has one
 * runner at a time across instances and restarts; a runner that dies leaves its lease to expire.
 */
import { randomUUID } from 'node:crypto';
import type { Insertable, Kysely } from 'kysely';
import type { Dialect } from '../db/connect.js';
import type { Database, JobRow, JobsTable } from '../db/schema.js';
import { notFound } from './errors.js';

/** A job to enqueue. */
export interface NewJob {
  kind: string;
  clinicId: string | null;
  /** Ids and settings only; seal anything secret with the clinic key first. */
  payload: Record<string, unknown>;
  runAt?: Date;
  /** At most one job per key while the job is kept (a schedule's period). */
  dedupeKey?: string;
  maxAttempts?: number;
}

/** Attempts before a job is marked failed (about three hours of backoff at the default base). */
export const DEFAULT_MAX_ATTEMPTS = 10;

/** Rows for `insertInto('jobs')`. */
export function jobRows(jobs: NewJob[], now = new Date()): Array<Insertable<JobsTable>> {
  return jobs.map((j) => ({
    id: randomUUID(),
    clinic_id: j.clinicId,
    kind: j.kind,
    payload: JSON.stringify(j.payload),
    status: 'pending',
    run_at: (j.runAt ?? now).toISOString(),
    attempts: 0,
    max_attempts: j.maxAttempts ?? DEFAULT_MAX_ATTEMPTS,
    locked_by: null,
    locked_until: null,
    last_error: null,
    dedupe_key: j.dedupeKey ?? null,
    created_at: now.toISOString(),
    finished_at: null,
  }));
}

/** Enqueues jobs outside an action (scheduler, CLI). A job whose dedupe key exists is skipped. */
export async function enqueueJobs(db: Kysely<Database>, jobs: NewJob[]): Promise<void> {
  if (jobs.length > 0) await db.insertInto('jobs').values(jobRows(jobs)).onConflict((oc) => oc.column('dedupe_key').doNothing()).execute();
}

/**
 * Claims up to `limit` due jobs for `runner` until `leaseMs` from now: pending ones whose time has
 * come (by `dueBy`, a runner's clock, which tests move forward), and running ones whose runner's
 * lease ran out (it died). Each claim counts as an attempt.
 */
export async function claimJobs(db: Kysely<Database>, dialect: Dialect, runner: string, limit: number, leaseMs: number, now = new Date(), dueBy = now): Promise<JobRow[]> {
  const at = now.toISOString();
  const due = dueBy.toISOString();
  return db.transaction().execute(async (tx) => {
    // A runner that died (or hung) on its last attempt never recorded the failure: record it now,
    // or a job that kills its runner would be claimed for ever.
    await tx
      .updateTable('jobs')
      .set({ status: 'failed', locked_by: null, locked_until: null, last_error: 'lease_expired', finished_at: at })
      .where('status', '=', 'running')
      .where('locked_until', '<', at)
      .whereRef('attempts', '>=', 'max_attempts')
      .execute();
    let pick = tx
      .selectFrom('jobs')
      .select('id')
      .where((eb) => eb.or([eb.and([eb('status', '=', 'pending'), eb('run_at', '<=', due)]), eb.and([eb('status', '=', 'running'), eb('locked_until', '<', at)])]))
      .orderBy('run_at')
      .limit(limit);
    if (dialect === 'postgres') pick = pick.forUpdate().skipLocked();
    const ids = (await pick.execute()).map((r) => r.id);
    if (ids.length === 0) return [];
    return tx
      .updateTable('jobs')
      .set((eb) => ({ status: 'running', locked_by: runner, locked_until: new Date(now.getTime() + leaseMs).toISOString(), attempts: eb('attempts', '+', 1) }))
      .where('id', 'in', ids)
      .returningAll()
      .execute();
  });
}

/** Extends this runner's lease on a job it is still running (a slow SMTP server must not let another runner start it again). */
export async function renewLease(db: Kysely<Database>, jobId: string, runner: string, leaseMs: number): Promise<void> {
  await db.updateTable('jobs').set({ locked_until: new Date(Date.now() + leaseMs).toISOString() }).where('id', '=', jobId).where('locked_by', '=', runner).where('status', '=', 'running').execute();
}

/** Marks a claimed job done, if this runner still holds it; false when its lease had passed to another. */
export async function completeJob(db: Kysely<Database>, job: JobRow, runner: string): Promise<boolean> {
  const r = await db.updateTable('jobs').set({ status: 'done', locked_by: null, locked_until: null, last_error: null, finished_at: new Date().toISOString() }).where('id', '=', job.id).where('locked_by', '=', runner).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Payload fields dropped when a job fails for good: nothing secret waits in a dead job. */
const SECRET_FIELDS = ['code', 'token', 'email'];

/**
 * Records a failed attempt: back to pending after `delayMs`, or failed for good when the attempts are
 * spent or the error is permanent. `error` is a type or code, never a message that could quote data.
 */
export async function failJob(db: Kysely<Database>, job: JobRow, runner: string, error: string, delayMs: number | null): Promise<'retry' | 'failed' | 'lease lost'> {
  const final = delayMs === null || job.attempts >= job.max_attempts;
  const now = new Date();
  const payload = JSON.parse(job.payload) as Record<string, unknown>;
  const kept = final ? Object.fromEntries(Object.entries(payload).filter(([k]) => !SECRET_FIELDS.includes(k))) : payload;
  const r = await db
    .updateTable('jobs')
    .set({
      payload: JSON.stringify(kept),
      status: final ? 'failed' : 'pending',
      run_at: final ? job.run_at : new Date(now.getTime() + delayMs).toISOString(),
      locked_by: null,
      locked_until: null,
      last_error: error.slice(0, 80),
      finished_at: final ? now.toISOString() : null,
    })
    .where('id', '=', job.id)
    .where('locked_by', '=', runner)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) return 'lease lost';
  return final ? 'failed' : 'retry';
}

/** Exponential backoff with jitter: base, 2×base, 4×base… capped at an hour, ±20 %. */
export function backoffMs(attempt: number, baseMs: number): number {
  const raw = Math.min(baseMs * 2 ** Math.max(0, attempt - 1), 60 * 60 * 1000);
  return Math.round(raw * (0.8 + Math.random() * 0.4));
}

/** A job as admins and the CLI see it. */
export interface JobView {
  id: string;
  clinicId: string | null;
  kind: string;
  status: JobRow['status'];
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  runAt: string;
  createdAt: string;
  finishedAt: string | null;
  payload: Record<string, unknown>;
}

function view(r: JobRow): JobView {
  return {
    id: r.id, clinicId: r.clinic_id, kind: r.kind, status: r.status, attempts: r.attempts, maxAttempts: r.max_attempts, lastError: r.last_error,
    runAt: r.run_at, createdAt: r.created_at, finishedAt: r.finished_at, payload: JSON.parse(r.payload) as Record<string, unknown>,
  };
}

/** Which jobs a caller may see: one clinic's, or (operators' CLI, tests) all. */
export type JobScope = { clinicId: string } | 'all';

/** Jobs, newest first, in a scope, optionally of a status and kind prefix (e.g. "mail."). */
export async function listJobs(db: Kysely<Database>, scope: JobScope, f: { status?: JobRow['status'] | Array<JobRow['status']>; kindPrefix?: string | string[]; limit?: number } = {}): Promise<JobView[]> {
  let q = db.selectFrom('jobs').selectAll();
  if (scope !== 'all') q = q.where('clinic_id', '=', scope.clinicId);
  if (f.status) q = q.where('status', 'in', Array.isArray(f.status) ? f.status : [f.status]);
  const prefixes = f.kindPrefix === undefined ? [] : Array.isArray(f.kindPrefix) ? f.kindPrefix : [f.kindPrefix];
  if (prefixes.length > 0) q = q.where((eb) => eb.or(prefixes.map((p) => eb('kind', 'like', `${p}%`))));
  const rows = await q.orderBy('created_at', 'desc').orderBy('id').limit(f.limit ?? 100).execute();
  return rows.map(view);
}

/** Counts of jobs by status, for /health and the CLI. */
export async function jobCounts(db: Kysely<Database>): Promise<Record<JobRow['status'], number>> {
  const rows = await db.selectFrom('jobs').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
  const counts = { pending: 0, running: 0, done: 0, failed: 0 };
  for (const r of rows) counts[r.status] = Number(r.n);
  return counts;
}

/** Puts a failed job of the scope back in the queue now, with a fresh set of attempts (admin's retry button, CLI). */
export async function retryJob(db: Kysely<Database>, id: string, scope: JobScope, kindPrefix: string | string[] = ''): Promise<JobView> {
  const prefixes = Array.isArray(kindPrefix) ? kindPrefix : [kindPrefix];
  let q = db
    .updateTable('jobs')
    .set({ status: 'pending', attempts: 0, run_at: new Date().toISOString(), finished_at: null, locked_by: null, locked_until: null })
    .where('id', '=', id)
    .where('status', '=', 'failed')
    .where((eb) => eb.or(prefixes.map((p) => eb('kind', 'like', `${p}%`))));
  if (scope !== 'all') q = q.where('clinic_id', '=', scope.clinicId);
  const done = await q.returningAll().executeTakeFirst();
  if (!done) throw notFound('Failed job');
  return view(done);
}

/** Deletes done jobs older than `doneMs` and failed ones older than `failedMs` (time enough to retry them). */
export async function pruneJobs(db: Kysely<Database>, doneMs: number, failedMs: number, now = new Date()): Promise<number> {
  const before = (ms: number) => new Date(now.getTime() - ms).toISOString();
  const r = await db
    .deleteFrom('jobs')
    .where((eb) => eb.or([eb.and([eb('status', '=', 'done'), eb('finished_at', '<', before(doneMs))]), eb.and([eb('status', '=', 'failed'), eb('finished_at', '<', before(failedMs))])]))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
