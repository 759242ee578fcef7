/** Rate-limit counters in the database, shared by every instance and kept across restarts. */
import { createHmac } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { TooManyRequests } from './errors.js';

/** Counts one hit for `key` in a window of `windowMs`; returns the count and the ms left in the window. */
export async function hit(db: Kysely<Database>, key: string, windowMs: number, now = Date.now()): Promise<{ current: number; ttl: number }> {
  const resetAt = now + windowMs;
  const row = await db
    .insertInto('rate_limits')
    .values({ key, count: 1, reset_at: resetAt })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        count: sql`case when rate_limits.reset_at <= ${now} then 1 else rate_limits.count + 1 end`,
        reset_at: sql`case when rate_limits.reset_at <= ${now} then ${resetAt} else rate_limits.reset_at end`,
      }),
    )
    .returning(['count', 'reset_at'])
    .executeTakeFirstOrThrow();
  return { current: Number(row.count), ttl: Math.max(0, Number(row.reset_at) - now) };
}

/** One limit: at most `max` hits per `windowMs` for a key (an e-mail address, a client address…). */
export interface Limit {
  /** Readable key, e.g. `staff-sign-in:account:<e-mail>`; stored only as a keyed hash. */
  key: string;
  max: number;
  windowMs: number;
}

/** The stored form of a key: a keyed hash, since a key can name an e-mail address. */
export function limitKey(secret: Buffer, key: string): string {
  return createHmac('sha256', secret).update(`domain|${key}`).digest('base64url');
}

/**
 * Counts one hit on each limit (in the shared table, so it holds across instances) and throws a 429
 * `rate_limited` with the time left when any is over. Never a permanent lock: the window passes.
 */
export async function enforceLimits(db: Kysely<Database>, secret: Buffer, limits: Limit[]): Promise<void> {
  let wait = 0;
  for (const l of limits) {
    const r = await hit(db, limitKey(secret, l.key), l.windowMs);
    if (r.current > l.max) wait = Math.max(wait, r.ttl);
  }
  if (wait > 0) throw new TooManyRequests(Math.ceil(wait / 1000));
}

/** Throws the 429 when a limit is already spent, without counting a hit (for limits counted only on failure). */
export async function checkLimit(db: Kysely<Database>, secret: Buffer, l: Limit, now = Date.now()): Promise<void> {
  const row = await db.selectFrom('rate_limits').select(['count', 'reset_at']).where('key', '=', limitKey(secret, l.key)).executeTakeFirst();
  if (row && Number(row.reset_at) > now && Number(row.count) >= l.max) throw new TooManyRequests(Math.ceil((Number(row.reset_at) - now) / 1000));
}

/** Counts one hit without checking (a failure, for `checkLimit`). */
export async function countHit(db: Kysely<Database>, secret: Buffer, l: Limit): Promise<void> {
  await hit(db, limitKey(secret, l.key), l.windowMs);
}

/** Forgets a limit's count (e.g. an account's sign-in attempts after a successful sign-in). */
export async function clearLimit(db: Kysely<Database>, secret: Buffer, key: string): Promise<void> {
  await db.deleteFrom('rate_limits').where('key', '=', limitKey(secret, key)).execute();
}

/** The count for `key` in its current window (0 when there is none or it has ended), without counting a hit. */
export async function peek(db: Kysely<Database>, key: string, now = Date.now()): Promise<{ current: number; ttl: number }> {
  const row = await db.selectFrom('rate_limits').select(['count', 'reset_at']).where('key', '=', key).executeTakeFirst();
  if (!row || Number(row.reset_at) <= now) return { current: 0, ttl: 0 };
  return { current: Number(row.count), ttl: Number(row.reset_at) - now };
}
