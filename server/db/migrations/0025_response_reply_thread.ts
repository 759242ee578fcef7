/**
 * The conversation staff opened with the patient about an assignment's response, so a second
 * "Reply to patient" continues it instead of starting another.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../connect.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('questionnaire_assignments').addColumn('reply_thread_id', 'text', (c) => c.references('threads.id')).execute();
}
