/**
 * Staff invitations and password resets: a staff member may exist before they have a password
 * (invited), and one-time links (invitation, password reset) are stored as hashes with their expiry.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../connect.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  // Null while invited (no password yet, cannot sign in). Everyone already here has set theirs.
  await db.schema.alterTable('staff').addColumn('password_set_at', 'text').execute();
  await sql`update staff set password_set_at = created_at`.execute(db);

  await db.schema
    .createTable('staff_tokens')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('clinic_id', 'text', (c) => c.notNull().references('clinics.id'))
    .addColumn('staff_id', 'text', (c) => c.notNull().references('staff.id'))
    .addColumn('purpose', 'text', (c) => c.notNull().check(sql`purpose in ('invitation', 'password-reset')`))
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used_at', 'text')
    .addColumn('revoked_at', 'text')
    .execute();
  await db.schema.createIndex('staff_tokens_staff').on('staff_tokens').columns(['staff_id', 'purpose']).execute();
}
