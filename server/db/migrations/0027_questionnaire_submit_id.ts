/**
 * A submitted questionnaire remembers the client's id for that submit (and a keyed hash of what was
 * sent), as a message does: a submit retried from the device's outbox after a lost answer is the
 * same submit, stored once, never a second revision.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../connect.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('questionnaire_responses').addColumn('submit_id', 'text').execute();
  await db.schema.alterTable('questionnaire_responses').addColumn('submit_hash', 'text').execute();
  // Unique where set (both SQLite and PostgreSQL let many rows have no id).
  await db.schema.createIndex('questionnaire_responses_submit_id').unique().on('questionnaire_responses').column('submit_id').execute();
}
