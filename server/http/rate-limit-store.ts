/**
 * A @fastify/rate-limit store in the database, so limits hold across instances and restarts (an
 * in-memory count gives N instances N× the attempts, and a restart forgets them). One atomic upsert
 * per hit; keys are keyed hashes because they can name an e-mail address.
 */
import { createHmac } from 'node:crypto';
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit';
import { hit } from '../domain/rate-limits.js';

/** The store class for the plugin, bound to a database and a secret for hashing keys. */
export function databaseRateLimitStore(db: Parameters<typeof hit>[0], secret: Buffer): FastifyRateLimitStoreCtor {
  class DatabaseStore implements FastifyRateLimitStore {
    constructor(
      _options: unknown,
      private readonly prefix = 'global',
    ) {}

    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number): void {
      const hashed = createHmac('sha256', secret).update(`${this.prefix}|${key}`).digest('base64url');
      hit(db, hashed, timeWindow).then(
        (r) => callback(null, r),
        (err: Error) => callback(err),
      );
    }

    child(routeOptions: Parameters<FastifyRateLimitStore['child']>[0]): FastifyRateLimitStore {
      // At run time the plugin passes its merged settings, which name the route in `routeInfo`.
      const info = (routeOptions as unknown as { routeInfo?: { method?: string | string[]; url?: string } }).routeInfo;
      return new DatabaseStore(routeOptions, `${String(info?.method ?? '')} ${info?.url ?? ''}`);
    }
  }
  return DatabaseStore as unknown as FastifyRateLimitStoreCtor;
}
