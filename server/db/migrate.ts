/** Applies the migrations in order; each schema change is one file in ./migrations. */
import { Migrator, type Migration } from 'kysely';
import type { Db } from './connect.js';
import * as m0001 from './migrations/0001_initial.js';
import * as m0002 from './migrations/0002_messaging.js';
import * as m0003 from './migrations/0003_device_keys.js';
import * as m0004 from './migrations/0004_durability.js';
import * as m0007 from './migrations/0007_staff_invitations.js';

type DialectMigration = { up: (db: Parameters<Migration['up']>[0], dialect: Db['dialect']) => Promise<void> };

/** Listed by hand so the bundle-free server needs no directory scan; names sort in order. */
const MIGRATIONS: Record<string, DialectMigration> = {
  '0001_initial': m0001,
  '0002_messaging': m0002,
  '0003_device_keys': m0003,
  '0004_durability': m0004,
  '0007_staff_invitations': m0007,
};

/** Brings the schema up to date; throws with the failing migration's name. */
export async function migrateToLatest({ db, dialect, pgSchema }: Db): Promise<void> {
  const migrations: Record<string, Migration> = {};
  for (const [name, m] of Object.entries(MIGRATIONS)) migrations[name] = { up: (k) => m.up(k, dialect) };
  // In a non-default schema the bookkeeping tables live there too, or Kysely finds another schema's.
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, ...(pgSchema ? { migrationTableSchema: pgSchema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error) throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`);
}
