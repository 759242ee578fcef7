/** Applies the migrations in order; each schema change is one file in ./migrations. */
import { Migrator, sql, type Migration } from 'kysely';
import type { Db } from './connect.js';
import * as m0001 from './migrations/0001_initial.js';
import * as m0002 from './migrations/0002_messaging.js';
import * as m0003 from './migrations/0003_device_keys.js';
import * as m0004 from './migrations/0004_durability.js';
import * as m0005 from './migrations/0005_audit_chain.js';
import * as m0006 from './migrations/0006_staff_two_factor.js';
import * as m0007 from './migrations/0007_staff_invitations.js';
import * as m0008 from './migrations/0008_sign_in_accounts.js';
import * as m0009 from './migrations/0009_inbox_scale.js';
import * as m0010 from './migrations/0010_questionnaires.js';
import * as m0011 from './migrations/0011_booking.js';
import * as m0012 from './migrations/0012_reauthentication.js';
import * as m0013 from './migrations/0013_inbox_reading.js';
import * as m0014 from './migrations/0014_conversation_page.js';
import * as m0015 from './migrations/0015_emergency_override.js';
import * as m0016 from './migrations/0016_booking_mail_kinds.js';
import * as m0017 from './migrations/0017_booking_questionnaire.js';
import * as m0018 from './migrations/0018_message_pages.js';
import * as m0020 from './migrations/0020_questionnaire_attachments.js';
import * as m0021 from './migrations/0021_booking_waitlist.js';
import * as m0022 from './migrations/0022_sms.js';
import * as m0023 from './migrations/0023_booking_requests.js';
import * as m0024 from './migrations/0024_questionnaire_schedules.js';
import * as m0025 from './migrations/0025_response_reply_thread.js';
import * as m0027 from './migrations/0027_questionnaire_submit_id.js';
import * as m0028 from './migrations/0028_unread_total.js';

type DialectMigration = { up: (db: Parameters<Migration['up']>[0], dialect: Db['dialect']) => Promise<void> };

/** Listed by hand so the bundle-free server needs no directory scan; names sort in order. */
const MIGRATIONS: Record<string, DialectMigration> = {
  '0001_initial': m0001,
  '0002_messaging': m0002,
  '0003_device_keys': m0003,
  '0004_durability': m0004,
  '0005_audit_chain': m0005,
  '0006_staff_two_factor': m0006,
  '0007_staff_invitations': m0007,
  '0008_sign_in_accounts': m0008,
  '0009_inbox_scale': m0009,
  '0010_questionnaires': m0010,
  '0011_booking': m0011,
  '0012_reauthentication': m0012,
  '0013_inbox_reading': m0013,
  '0014_conversation_page': m0014,
  '0015_emergency_override': m0015,
  '0016_booking_mail_kinds': m0016,
  '0017_booking_questionnaire': m0017,
  '0018_message_pages': m0018,
  '0020_questionnaire_attachments': m0020,
  '0021_booking_waitlist': m0021,
  '0022_sms': m0022,
  '0023_booking_requests': m0023,
  '0024_questionnaire_schedules': m0024,
  '0025_response_reply_thread': m0025,
  '0027_questionnaire_submit_id': m0027,
  '0028_unread_total': m0028,
};

/** The migrations this database has not had yet, in order (all of them for an empty database). */
export async function pendingMigrations({ db }: Pick<Db, 'db'>): Promise<string[]> {
  let done: Set<string>;
  try {
    // Unqualified: the bookkeeping table is in the schema on the search path (see migrateToLatest).
    const rows = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
    done = new Set(rows.rows.map((r) => r.name));
  } catch {
    done = new Set();
  }
  return Object.keys(MIGRATIONS).filter((name) => !done.has(name));
}

/** Thrown when the connecting role may not change the schema (a restricted application role). */
export class MigrationPermissionError extends Error {}

/**
 * Brings the schema up to date; throws with the failing migration's name. Does nothing, not even
 * take Kysely's migration lock, when the schema is current: a restricted application role, which may
 * not create or alter tables (README, "A restricted PostgreSQL role"), starts on a migrated database.
 */
export async function migrateToLatest(database: Db): Promise<void> {
  const { db, dialect } = database;
  let pgSchema = database.pgSchema;
  const pending = await pendingMigrations(database);
  if (pending.length === 0) return;
  const refused = (why: string) =>
    new MigrationPermissionError(
      `The database schema needs migration${pending.length > 1 ? 's' : ''} ${pending.join(', ')}, but the role in DATABASE_URL may not change the schema (${why}). ` +
        'Run them as the owner role: set MIGRATION_DATABASE_URL to the owner\'s connection string (see README, "A restricted PostgreSQL role").',
    );
  if (dialect === 'postgres') {
    // Kysely's migrator hides a refused CREATE behind a later error, so ask first.
    const { rows } = await sql<{ may: boolean }>`select has_schema_privilege(current_schema(), 'CREATE') as may`.execute(db);
    if (!rows[0]?.may) throw refused('no CREATE privilege on its schema');
    // A schema chosen in the URL (options=-c search_path=…) keeps its own bookkeeping tables too.
    const current = (await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db)).rows[0]?.schema;
    if (!pgSchema && current && current !== 'public') pgSchema = current;
  }
  const migrations: Record<string, Migration> = {};
  for (const [name, m] of Object.entries(MIGRATIONS)) migrations[name] = { up: (k) => m.up(k, dialect) };
  // In a non-default schema the bookkeeping tables live there too, or Kysely finds another schema's.
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, ...(pgSchema ? { migrationTableSchema: pgSchema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error && typeof error === 'object' && 'code' in error && error.code === '42501') throw refused(error instanceof Error ? error.message : String(error));
  if (error) throw new Error(`Migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`);
}
