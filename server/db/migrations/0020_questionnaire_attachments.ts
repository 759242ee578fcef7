/**
 * A file a patient uploads as an answer to a questionnaire's attachment item is claimed by the
 * assignment it answers (as a message claims its files), so the sweep of unsent uploads keeps it.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../connect.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('attachments').addColumn('questionnaire_assignment_id', 'text', (c) => c.references('questionnaire_assignments.id')).execute();
}
