/**
 * A provider's private iCalendar feed: a secret URL (revocable) that Outlook or Google Calendar
 * subscribes to. It lists booked times with the type only: nothing about the patient.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { notFound } from '../errors.js';
import { DAY } from '../time.js';
import { providerAppointments } from './appointments.js';
import { calendarText } from './calendar.js';
import { clinicTimeZone, feedTokenHash } from './setup.js';

/** The feed's calendar text for a token, or 404 (unknown or revoked). */
export async function providerFeed(db: Kysely<Database>, token: string, opts: { mailFrom: string; hostname: string }, now = new Date()): Promise<string> {
  const provider = await db.selectFrom('booking_providers').select(['id', 'clinic_id', 'name']).where('feed_token_hash', '=', feedTokenHash(token)).executeTakeFirst();
  if (!provider) throw notFound('Calendar feed');
  const clinic = await db.selectFrom('clinics').select('name').where('id', '=', provider.clinic_id).executeTakeFirstOrThrow();
  const rows = await providerAppointments(db, provider.clinic_id, provider.id, new Date(now.getTime() - 30 * DAY));
  return calendarText({
    method: 'PUBLISH',
    timeZone: await clinicTimeZone(db, provider.clinic_id),
    organizer: { name: clinic.name, from: opts.mailFrom },
    name: `${provider.name} — ${clinic.name}`,
    events: rows.map((r) => ({
      uid: `${r.id}@${opts.hostname}`,
      sequence: r.sequence,
      start: new Date(r.starts_at),
      end: new Date(r.ends_at),
      summary: `${r.name_en} / ${r.name_fr}`,
      location: r.mode === 'in-person' ? r.location : r.mode,
      description: '',
    })),
  });
}
