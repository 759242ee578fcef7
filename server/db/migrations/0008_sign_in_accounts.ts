/**
 * Sign-in codes remember which account (a keyed hash of the normalised e-mail) they were asked for,
 * so failed attempts are limited per account whether or not the address is enrolled.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../connect.js';

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  await db.schema.alterTable('login_challenges').addColumn('account_key', 'text').execute();
}
