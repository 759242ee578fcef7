/**
 * A conversation shows its newest messages first and pages back by (created_at, id): one index
 * serves that keyset exactly. It replaces (thread_id, created_at), which is its prefix.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../connect.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.createIndex('messages_thread_page').on('messages').columns(['thread_id', 'created_at', 'id']).execute();
  await db.schema.dropIndex('messages_thread').execute();
}
