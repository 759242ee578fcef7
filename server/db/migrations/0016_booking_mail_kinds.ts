/**
 * Booking e-mails join the `mail.` job family, so the clinic's Outgoing e-mail page lists them (and
 * offers their retry) like every other e-mail. Jobs already queued are renamed with their dedupe keys,
 * so a job planned again after the upgrade is still recognised as the same one.
 */
import { sql, type Kysely } from 'kysely';
import type { Dialect } from '../connect.js';

const RENAMES: Array<[from: string, to: string]> = [
  ['booking.mail', 'mail.booking'],
  ['booking.reminder', 'mail.booking-reminder'],
];

export async function up(db: Kysely<unknown>, _dialect: Dialect): Promise<void> {
  for (const [from, to] of RENAMES) {
    await sql`update jobs set kind = ${to}, dedupe_key = replace(dedupe_key, ${`${from}:`}, ${`${to}:`}) where kind = ${from}`.execute(db);
  }
}
