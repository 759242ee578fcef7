/**
 * The patient sent a message although the widget's emergency notice asked whether it was an
 * emergency: kept on the message, and on its conversation (the latest such message) so the inbox can
 * flag it for staff without a join. Staff see it; the patient's own views never carry it.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../connect.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('messages').addColumn('emergency_override', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('threads').addColumn('emergency_override_at', 'text').execute();
}
