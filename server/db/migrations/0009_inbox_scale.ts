/**
 * The inbox at clinic scale: a thread's reply-due instant is stored (written with the message that
 * starts the wait, recomputed when the rules change) so "overdue" and the SLA are a column; an index
 * serves the newest-first keyset pages; and patients are found through blind-indexed search tokens
 * instead of decrypting the roster. Existing rows are filled in at start-up (bootstrap.ts), which
 * holds the keys a migration does not.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../connect.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('threads').addColumn('due_at', 'text').execute();
  await db.schema.createIndex('threads_inbox').on('threads').columns(['clinic_id', 'last_message_at', 'id']).execute();
  await db.schema.createIndex('threads_due').on('threads').columns(['clinic_id', 'due_at']).execute();

  await db.schema.alterTable('patients').addColumn('search_version', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema
    .createTable('patient_search')
    .addColumn('clinic_id', 'text', (c) => c.notNull().references('clinics.id'))
    .addColumn('token', 'text', (c) => c.notNull())
    .addColumn('patient_id', 'text', (c) => c.notNull().references('patients.id'))
    .addPrimaryKeyConstraint('patient_search_pk', ['clinic_id', 'token', 'patient_id'])
    .execute();
  await db.schema.createIndex('patient_search_patient').on('patient_search').column('patient_id').execute();
  await db.schema.createIndex('patients_recent').on('patients').columns(['clinic_id', 'created_at', 'id']).execute();
}
