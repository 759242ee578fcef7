/**
 * Waitlist holds as the booking actions see them: a freed slot held for one patient is not open to
 * anyone else until it is accepted, declined or expires. Booking and moving take a shared lock on the
 * provider's row (PostgreSQL; SQLite's write lock serialises anyway) and check the active holds in
 * their transaction; the offer job takes the same row exclusively before it reads what is free, so a
 * booking and an offer of the same time can never both commit.
 */
import { sql } from 'kysely';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Action } from '../action.js';
import { AppError } from '../errors.js';
import type { NewJob } from '../jobs.js';
import type { Range } from './slots.js';

/** The job that offers a freed time to the first matching waitlist entry. */
export const WAITLIST_OFFER_JOB = 'booking.waitlist-offer';
/** The job that ends a hold at its expiry and passes the slot on. */
export const WAITLIST_EXPIRE_JOB = 'booking.waitlist-expire';
/** The e-mail telling a patient a time is held for them. */
export const WAITLIST_MAIL_JOB = 'mail.waitlist-offer';

/** A provider's freed visit time [startsAt, endsAt) of an appointment type. */
export interface FreedTime {
  providerId: string;
  typeId: string;
  startsAt: string;
  endsAt: string;
}

/** The job offering freed time to the waitlist entries of its type. */
export const freedSlotJob = (clinicId: string, freed: FreedTime, key: string): NewJob => ({
  kind: WAITLIST_OFFER_JOB,
  clinicId,
  payload: { ...freed },
  dedupeKey: `${WAITLIST_OFFER_JOB}:${key}`,
});

/** Leaves the offer job for a freed time, when the time is still ahead and anyone is waiting. */
export async function offerFreedTime(a: Action, clinicId: string, freed: FreedTime, key: string, now: Date): Promise<void> {
  if (Date.parse(freed.startsAt) <= now.getTime()) return;
  const waiting = await a.tx.selectFrom('booking_waitlist').select('id').where('clinic_id', '=', clinicId).where('type_id', '=', freed.typeId).where('status', '=', 'waiting').limit(1).executeTakeFirst();
  if (waiting) a.enqueue(freedSlotJob(clinicId, freed, key));
}

/**
 * Locks the provider's row on PostgreSQL: `share` for a booking (bookings do not wait for each other),
 * `exclusive` for an offer (it waits for bookings in flight, and they for it).
 */
export async function lockProvider(a: Action, clinicId: string, providerId: string, mode: 'share' | 'exclusive'): Promise<void> {
  if (a.dialect !== 'postgres') return;
  if (mode === 'share') await sql`select id from booking_providers where clinic_id = ${clinicId} and id = ${providerId} for share`.execute(a.tx);
  else await sql`select id from booking_providers where clinic_id = ${clinicId} and id = ${providerId} for no key update`.execute(a.tx);
}

/** Active holds' ranges (buffers included) of providers around [lo, hi), except the holder's own. */
export async function heldRanges(db: Kysely<Database>, clinicId: string, providerIds: string[], lo: string, hi: string, now: Date, holder?: string): Promise<Array<Range & { providerId: string }>> {
  if (providerIds.length === 0) return [];
  let q = db
    .selectFrom('booking_holds')
    .select(['provider_id', 'busy_from', 'busy_to'])
    .where('clinic_id', '=', clinicId)
    .where('provider_id', 'in', providerIds)
    .where('status', '=', 'held')
    .where('expires_at', '>', now.toISOString())
    .where('busy_from', '<', hi)
    .where('busy_to', '>', lo);
  if (holder) q = q.where('patient_id', '!=', holder);
  const requests = await pendingRequests(db, clinicId, providerIds, lo, hi, now).select(['provider_id', 'busy_from', 'busy_to']).execute();
  return [...(await q.execute()), ...requests].map((h) => ({ providerId: h.provider_id, start: new Date(h.busy_from), end: new Date(h.busy_to) }));
}

/** New patients' pending requests whose hold is still on, over [lo, hi) (requests.ts: why they hold). */
function pendingRequests(db: Kysely<Database>, clinicId: string, providerIds: string[], lo: string, hi: string, now: Date) {
  return db
    .selectFrom('booking_requests')
    .where('clinic_id', '=', clinicId)
    .where('provider_id', 'in', providerIds)
    .where('status', '=', 'pending')
    .where('hold_expires_at', '>', now.toISOString())
    .where('busy_from', '<', hi)
    .where('busy_to', '>', lo);
}

/**
 * In a booking's transaction, under the provider lock: refuses a time that overlaps another
 * patient's active hold or a new patient's held request (409 slot_taken), and returns the patient's own hold of exactly this slot, if
 * any (the booking accepts it).
 */
export async function checkHolds(a: Action, b: { clinicId: string; providerId: string; patientId: string; typeId: string; startsAt: string; busy: Range; now: Date; request?: string }): Promise<string | null> {
  const rows = await a.tx
    .selectFrom('booking_holds')
    .select(['id', 'patient_id', 'type_id', 'starts_at'])
    .where('clinic_id', '=', b.clinicId)
    .where('provider_id', '=', b.providerId)
    .where('status', '=', 'held')
    .where('expires_at', '>', b.now.toISOString())
    .where('busy_from', '<', b.busy.end.toISOString())
    .where('busy_to', '>', b.busy.start.toISOString())
    .execute();
  if (rows.some((r) => r.patient_id !== b.patientId)) throw new AppError(409, 'slot_taken', 'That time was just booked; choose another one');
  // A new patient's pending request keeps its time too, except from its own approval.
  let requests = pendingRequests(a.tx, b.clinicId, [b.providerId], b.busy.start.toISOString(), b.busy.end.toISOString(), b.now).select('id');
  if (b.request) requests = requests.where('id', '!=', b.request);
  if (await requests.executeTakeFirst()) throw new AppError(409, 'slot_taken', 'That time was just booked; choose another one');
  return rows.find((r) => r.type_id === b.typeId && r.starts_at === b.startsAt)?.id ?? null;
}

/** Marks the patient's hold accepted and its waitlist entry booked (in the booking's transaction). */
export async function acceptHold(a: Action, clinicId: string, holdId: string, patientId: string, now: Date): Promise<void> {
  const at = now.toISOString();
  const hold = await a.tx.updateTable('booking_holds').set({ status: 'accepted', updated_at: at }).where('clinic_id', '=', clinicId).where('id', '=', holdId).where('status', '=', 'held').returning('entry_id').executeTakeFirst();
  if (!hold) return;
  await a.tx.updateTable('booking_waitlist').set({ status: 'booked', updated_at: at }).where('clinic_id', '=', clinicId).where('id', '=', hold.entry_id).execute();
  a.audit({ action: 'waitlist.accept', patientId, target: `waitlist:${hold.entry_id}` });
}
