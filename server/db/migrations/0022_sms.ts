/**
 * Text messages: a patient's consent to receive them (when it was given; null = no texts). The mobile
 * number itself is health information and lives in the patient's encrypted details, not a column.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../connect.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('patients').addColumn('sms_consent_at', 'text').execute();
}
