/**
 * The inbox's "unread by you" total counts the threads a patient wrote in without reading them:
 * an index of just those threads' columns lets it count them from the index alone, not the table.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../connect.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema
    .createIndex('threads_patient_wrote')
    .on('threads')
    .columns(['clinic_id', 'patient_message_at', 'read_baseline'])
    .where(sql.ref('patient_message_at'), 'is not', null)
    .execute();
}
