/**
 * Remembers that storage failed (disk full, I/O error, database gone) so /health says so, and finds
 * out when it has recovered by trying a small write: the server heals by itself when space returns.
 */
import fs from 'node:fs/promises';
import { sql, type Kysely } from 'kysely';
import type { Database } from '../db/schema.js';

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

  /** Proves storage works with a small write when it failed before (otherwise a read); clears the trouble on success. */
  async check(db: Kysely<Database>): Promise<StorageState> {
    try {
      if (this.#trouble) {
        const at = new Date().toISOString();
        await db.insertInto('server_meta').values({ key: 'health_probe', value: at }).onConflict((oc) => oc.column('key').doUpdateSet({ value: at })).execute();
      } else {
        await sql`select 1`.execute(db);
      }
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
