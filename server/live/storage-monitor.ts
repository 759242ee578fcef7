/**
 * Remembers that storage failed (disk full, I/O error, database gone) so /health says so until it has
 * recovered: an action commits again, or, some seconds on, a small probe write succeeds. (A probe
 * alone right after the failure could pass where a real action fails: a small write may still fit.)
 * Nothing needs restarting: SQLite and the PostgreSQL pool carry on once space or the server returns.
 */
import fs from 'node:fs/promises';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

/** How long after a failure /health waits before trusting a probe write. */
const PROBE_AFTER_MS = 10_000;

/** The storage state /health reports. */
export interface StorageState {
  ok: boolean;
  code?: string;
}

/** One per instance. */
export class StorageMonitor {
  #trouble: { code: string; since: number } | null = null;

  /** Records a storage failure seen by a request or a job. */
  failed(err: unknown): void {
    this.#trouble = { code: String((err as { code?: unknown })?.code ?? (err as Error)?.message?.slice(0, 40) ?? 'unknown'), since: Date.now() };
  }

  /** Records that an action committed: storage works. */
  succeeded(): void {
    this.#trouble = null;
  }

  /** The state for /health: a read when all is well; after a failure, a probe write once it is old enough. */
  async check(db: Kysely<Database>, now = Date.now()): Promise<StorageState> {
    const trouble = this.#trouble;
    try {
      if (!trouble) {
        await sql`select 1`.execute(db);
        return { ok: true };
      }
      if (now - trouble.since < PROBE_AFTER_MS) return { ok: false, code: trouble.code };
      const at = new Date(now).toISOString();
      await db.insertInto('server_meta').values({ key: 'health_probe', value: at }).onConflict((oc) => oc.column('key').doUpdateSet({ value: at })).execute();
      this.#trouble = null;
      return { ok: true };
    } catch (err) {
      this.failed(err);
      return { ok: false, code: this.#trouble!.code };
    }
  }

  /** Free bytes on the file system holding `dir`, or undefined when it cannot be read. */
  async freeBytes(dir: string): Promise<number | undefined> {
    try {
      const s = await fs.statfs(dir);
      return s.bavail * s.bsize;
    } catch {
      return undefined;
    }
  }
}
