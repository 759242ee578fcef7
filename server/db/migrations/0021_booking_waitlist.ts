/**
 * The booking waitlist: a patient's wish for a type (and optionally a provider) within a window of
 * days, and the offers ("holds") of a freed slot made to the first matching entry. A partial unique
 * index allows one active hold per provider and start, on SQLite and PostgreSQL alike, so two job
 * runners can never offer the same slot twice.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../connect.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createTable('booking_waitlist')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('clinic_id', 'text', (c) => c.notNull().references('clinics.id'))
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
    .addColumn('type_id', 'text', (c) => c.notNull().references('booking_types.id'))
    .addColumn('provider_id', 'text', (c) => c.references('booking_providers.id'))
    .addColumn('earliest_date', 'text', (c) => c.notNull())
    .addColumn('latest_date', 'text', (c) => c.notNull())
    .addColumn('lang', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('waiting', 'booked', 'left', 'removed')`))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('booking_waitlist_queue').on('booking_waitlist').columns(['clinic_id', 'status', 'created_at']).execute();
  await db.schema.createIndex('booking_waitlist_patient').on('booking_waitlist').columns(['clinic_id', 'patient_id', 'status']).execute();

  await db.schema
    .createTable('booking_holds')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('clinic_id', 'text', (c) => c.notNull().references('clinics.id'))
    .addColumn('entry_id', 'text', (c) => c.notNull().references('booking_waitlist.id'))
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
    .addColumn('provider_id', 'text', (c) => c.notNull().references('booking_providers.id'))
    .addColumn('type_id', 'text', (c) => c.notNull().references('booking_types.id'))
    .addColumn('starts_at', 'text', (c) => c.notNull())
    .addColumn('ends_at', 'text', (c) => c.notNull())
    /** The time the hold keeps from others: the visit with its type's buffers. */
    .addColumn('busy_from', 'text', (c) => c.notNull())
    .addColumn('busy_to', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('held', 'accepted', 'declined', 'expired', 'void')`))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await sql`create unique index booking_holds_active on booking_holds (provider_id, starts_at) where status = 'held'`.execute(db);
  await db.schema.createIndex('booking_holds_entry').on('booking_holds').columns(['entry_id', 'status']).execute();
  await db.schema.createIndex('booking_holds_provider').on('booking_holds').columns(['clinic_id', 'provider_id', 'status', 'busy_from']).execute();
}
