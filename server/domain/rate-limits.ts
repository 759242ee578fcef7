/** Rate-limit counters in the database, shared by every instance and kept across restarts. */
import { createHmac } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Keyring } from './crypto.js';
import { AppError } from './errors.js';

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

/** A limit: at most `max` hits in `windowMs`. */
export interface Limit {
  max: number;
  windowMs: number;
}

/**
 * Counts one attempt against `key` (hashed with a server key: keys can name an e-mail address) and
 * refuses with 429 `rate_limited` and a Retry-After once the window holds more than `limit.max`.
 * Throttling, never a lock: the window ends on its own.
 */
export async function throttle(deps: { db: Kysely<Database>; keyring: Keyring }, key: string, limit: Limit): Promise<void> {
  const hashed = createHmac('sha256', deps.keyring.derive('rate-limit')).update(`domain|${key}`).digest('base64url');
  const { current, ttl } = await hit(deps.db, hashed, limit.windowMs);
  if (current > limit.max) throw new AppError(429, 'rate_limited', 'Too many attempts; wait a few minutes and try again', Math.ceil(ttl / 1000));
}

/** The count for `key` in its current window (0 when there is none or it has ended), without counting a hit. */
export async function peek(db: Kysely<Database>, key: string, now = Date.now()): Promise<{ current: number; ttl: number }> {
  const row = await db.selectFrom('rate_limits').select(['count', 'reset_at']).where('key', '=', key).executeTakeFirst();
  if (!row || Number(row.reset_at) <= now) return { current: 0, ttl: 0 };
  return { current: Number(row.count), ttl: Number(row.reset_at) - now };
}
