/**
 * Runs due jobs in this process. Any number of instances run one each: claims are leased in the
 * database, so a job has one runner at a time and a runner that dies hands its jobs on when the lease
 * runs out. Woken at once by this instance's commits and, on PostgreSQL, by other instances' NOTIFY;
 * otherwise it polls.
 */
import { randomUUID } from 'node:crypto';
import { getSystemErrorName } from 'node:util';
import type { JobRow } from '../db/schema.js';
import { CHANNEL } from '../domain/channels.js';
import { backoffMs, claimJobs, completeJob, failJob, renewLease } from '../domain/jobs.js';
import { PermanentJobError, type JobEnv } from '../domain/notices.js';
import type { Listen } from '../db/connect.js';
import { SmsError } from '../sms/sender.js';

/** Runs one job; throws to have it retried (or PermanentJobError to fail it for good). */
export type JobHandler = (job: JobRow, env: JobEnv) => Promise<void>;

/** Where the runner reports; never anything from a payload. */
export interface JobLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Settings of a runner. */
export interface RunnerOptions {
  leaseMs: number;
  retryBaseMs: number;
  /** How often to look for due jobs when nothing wakes the runner. */
  pollMs?: number;
  /** Jobs run at the same time. */
  concurrency?: number;
  listen?: Listen;
}

/** The code of an error, safe to store and log (never its message, which can quote an address). */
export function errorCode(err: unknown): string {
  const e = err as { code?: unknown; errno?: unknown; responseCode?: unknown; name?: string };
  if (e?.responseCode) return `SMTP ${String(e.responseCode)}`;
  // nodemailer says ESOCKET for any socket failure; the system's errno says which (ECONNREFUSED…).
  if (typeof e?.errno === 'number' && e.errno < 0) return getSystemErrorName(e.errno);
  return String(e?.code ?? e?.name ?? 'Error');
}

/** SMTP 5xx answers are permanent (no such mailbox, refused); everything else may pass later. */
function isPermanent(err: unknown): boolean {
  if (err instanceof PermanentJobError) return true;
  if (err instanceof SmsError) return !err.retryable;
  const code = Number((err as { responseCode?: unknown })?.responseCode);
  return code >= 500 && code < 600;
}

/** One runner per instance. */
export class JobRunner {
  readonly id = randomUUID();
  #timer: NodeJS.Timeout | null = null;
  #unlisten: (() => Promise<void>) | null = null;
  #draining: Promise<void> | null = null;
  #again = false;
  #stopped = true;
  #log: JobLog = { info: () => undefined, warn: () => undefined, error: () => undefined };
  readonly #inFlight = new Set<Promise<void>>();

  constructor(
    private readonly env: JobEnv,
    private readonly handlers: Record<string, JobHandler>,
    private readonly opts: RunnerOptions,
  ) {}

  /** Starts polling (and listening on PostgreSQL), and runs what is due now. */
  async start(log?: JobLog): Promise<void> {
    if (log) this.#log = log;
    this.#stopped = false;
    this.#timer = setInterval(() => this.wake(), this.opts.pollMs ?? 1000);
    this.#timer.unref();
    if (this.opts.listen) this.#unlisten = await this.opts.listen(CHANNEL.jobs, () => this.wake());
    this.wake();
  }

  /** Looks for due jobs now (coalesced: one pass at a time, one more if woken meanwhile). */
  wake(): void {
    if (this.#stopped) return;
    if (this.#draining) {
      this.#again = true;
      return;
    }
    this.#draining = this.#drain().finally(() => {
      this.#draining = null;
      if (this.#again) {
        this.#again = false;
        this.wake();
      }
    });
  }

  /** Resolves once everything due now has been attempted (tests, CLI). */
  async settle(): Promise<void> {
    this.wake();
    while (this.#draining || this.#inFlight.size > 0) {
      await this.#draining;
      await Promise.all(this.#inFlight);
    }
  }

  async #drain(): Promise<void> {
    const limit = this.opts.concurrency ?? 4;
    while (!this.#stopped && this.#inFlight.size < limit) {
      let jobs: JobRow[];
      try {
        jobs = await claimJobs(this.env.db, this.env.dialect, this.id, limit - this.#inFlight.size, this.opts.leaseMs, new Date(), this.env.clock?.());
      } catch (err) {
        this.#log.warn({ err: { code: errorCode(err) } }, 'could not claim jobs');
        return;
      }
      if (jobs.length === 0) return;
      for (const job of jobs) {
        const run = this.#run(job).finally(() => {
          this.#inFlight.delete(run);
          this.wake();
        });
        this.#inFlight.add(run);
      }
    }
  }

  async #run(job: JobRow): Promise<void> {
    const handler = this.handlers[job.kind] ?? this.handlers[job.kind.split('.')[0]! + '.*'];
    // While the job runs, keep its lease: only a runner that died lets it pass to another.
    const heartbeat = setInterval(() => void renewLease(this.env.db, job.id, this.id, this.opts.leaseMs).catch(() => undefined), this.opts.leaseMs / 3);
    heartbeat.unref();
    const about = { job: { id: job.id, kind: job.kind, attempt: job.attempts } };
    try {
      try {
        if (!handler) throw new PermanentJobError('unknown_kind');
        await handler(job, this.env);
      } catch (err) {
        const code = errorCode(err);
        const outcome = await failJob(this.env.db, job, this.id, code, isPermanent(err) ? null : backoffMs(job.attempts, this.opts.retryBaseMs)).catch(() => 'not recorded' as const);
        const say = { retry: 'job will be retried', failed: 'job failed for good', 'lease lost': 'job failed after its lease passed to another runner', 'not recorded': 'job failed; the failure could not be recorded (the lease will expire)' }[outcome];
        (outcome === 'failed' ? this.#log.error : this.#log.warn).call(this.#log, { ...about, err: { code } }, say);
        return;
      }
      // Done: record it. If that fails, the lease expires and the job runs again (at least once), but
      // a failure here must not be taken for the job's own failure and retried at once.
      const recorded = await completeJob(this.env.db, job, this.id).catch(() => false);
      if (!recorded) this.#log.warn(about, 'job done, but its completion was not recorded');
    } finally {
      clearInterval(heartbeat);
    }
  }

  /** Stops claiming and waits for the jobs in hand. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#unlisten?.();
    await this.#draining;
    await Promise.all(this.#inFlight);
  }
}
