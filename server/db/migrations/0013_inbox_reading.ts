/**
 * The inbox a receptionist works from: read state per staff member (thread_reads), the instant of a
 * thread's newest patient message (what "unread" compares with), a keyed blind index of the words of
 * every message (message_search: searched without plaintext), and an index for the due-first order.
 * Message words need the clinic keys a migration lacks: start-up indexes rows with search_version 0.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../connect.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('threads').addColumn('patient_message_at', 'text').execute();
  // Threads the clinic had read before reads were kept per person stay read for everyone.
  await db.schema.alterTable('threads').addColumn('read_baseline', 'text').execute();
  await sql`update threads set patient_message_at = (select max(m.created_at) from messages m where m.thread_id = threads.id and m.author_type = 'patient')`.execute(db);
  await sql`update threads set read_baseline = last_message_at where staff_unread = 0`.execute(db);
  await db.schema.createIndex('threads_due_order').on('threads').columns(['clinic_id', 'due_at', 'id']).execute();

  await db.schema
    .createTable('thread_reads')
    .addColumn('clinic_id', 'text', (c) => c.notNull().references('clinics.id'))
    .addColumn('thread_id', 'text', (c) => c.notNull().references('threads.id'))
    .addColumn('staff_id', 'text', (c) => c.notNull().references('staff.id'))
    // Null: the person marked the thread unread.
    .addColumn('read_at', 'text')
    .addPrimaryKeyConstraint('thread_reads_pk', ['thread_id', 'staff_id'])
    .execute();
  await db.schema.createIndex('thread_reads_staff').on('thread_reads').columns(['clinic_id', 'staff_id']).execute();

  await db.schema.alterTable('messages').addColumn('search_version', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.createIndex('messages_unsearched').on('messages').column('search_version').execute();
  await db.schema
    .createTable('message_search')
    .addColumn('clinic_id', 'text', (c) => c.notNull().references('clinics.id'))
    .addColumn('token', 'text', (c) => c.notNull())
    .addColumn('thread_id', 'text', (c) => c.notNull().references('threads.id'))
    .addPrimaryKeyConstraint('message_search_pk', ['clinic_id', 'token', 'thread_id'])
    .execute();
  await db.schema.createIndex('message_search_thread').on('message_search').column('thread_id').execute();
}
