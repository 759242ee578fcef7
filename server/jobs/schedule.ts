/**
 * Recurring work as jobs: each instance enqueues the next period's job under a key naming the period
 * ("digest:2026-11-26T05:00"); the unique key keeps one job per period across instances and
 * restarts, and the queue gives it one runner.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { enqueueJobs, type NewJob } from '../domain/jobs.js';
import { HOUR, MINUTE } from '../domain/time.js';

/** A recurring job. */
export interface Schedule {
  kind: string;
  everyMs: number;
}

/** What runs on a schedule. */
export const SCHEDULES: Schedule[] = [
  { kind: 'digest.hourly', everyMs: HOUR },
  { kind: 'sweep', everyMs: 15 * MINUTE },
];

/** Each schedule's job for the next period boundary after `now`. */
export function periodJobs(now: Date, schedules = SCHEDULES): NewJob[] {
  return schedules.map((s) => {
    const at = new Date(Math.floor(now.getTime() / s.everyMs + 1) * s.everyMs);
    return { kind: s.kind, clinicId: null, payload: {}, runAt: at, dedupeKey: `${s.kind}:${at.toISOString()}`, maxAttempts: 3 };
  });
}

/** Enqueues the coming periods' jobs (idempotent). */
export async function scheduleDue(db: Kysely<Database>, now = new Date()): Promise<void> {
  await enqueueJobs(db, periodJobs(now));
}
