/**
 * The audit log becomes a keyed hash chain: every row carries its clinic's sequence number and an
 * HMAC over the previous row's hash and its own fields (domain/audit-chain.ts), and `audit_heads`
 * holds each clinic's last sequence number and hash, updated in the same transaction, so a deleted
 * tail or an emptied table shows. Rows written before this migration keep no number: the first
 * start with the master key seals them into the chain (a `audit.chain-start` row whose hashed
 * fields name their count and digest). Hashes need the master key, so the migration computes none.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../connect.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  // Adding nullable columns rewrites no row, so the append-only triggers are not involved.
  await db.schema.alterTable('audit_log').addColumn('seq', 'integer').execute();
  await db.schema.alterTable('audit_log').addColumn('hash', 'text').execute();
  await db.schema.createIndex('audit_clinic_seq').on('audit_log').columns(['clinic_id', 'seq']).unique().execute();
  await db.schema
    .createTable('audit_heads')
    .addColumn('clinic_id', 'text', (c) => c.primaryKey().references('clinics.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
}
