/**
 * The staff conversation page: when the patient first saw each staff reply (read receipt), the
 * French text of reply templates, and the page where the clinic's widget lives (the link in notices).
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../connect.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('messages').addColumn('seen_at', 'text').execute();
  await db.schema.alterTable('canned_replies').addColumn('body_fr', 'text').execute();
  await db.schema.alterTable('clinics').addColumn('patient_page_url', 'text').execute();
}
