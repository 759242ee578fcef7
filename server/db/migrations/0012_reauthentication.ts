/** When a staff session last proved its password again, for changes to how the person signs in. */
import type { Kysely } from 'kysely';
import type { Dialect } from '../connect.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('sessions').addColumn('reauthenticated_at', 'text').execute();
}
