/**
 * The waitlist: patients join for a type (a provider or any) and a window of days; when a time frees
 * up (cancelled or moved away), the cancelling action leaves a job in its own transaction, and the job
 * holds the freed slot for the first waiting entry (by join time) that matches and whose patient may
 * still book, e-mails them, and schedules the hold's end. Accepting books the held slot (the booking
 * action marks the hold accepted and the entry booked); declining, leaving or the hold's expiry passes
 * it on. Every step is one action with its audit rows; jobs make it survive restarts, and the provider
 * lock plus the unique active hold per provider and start keep two runners from offering one slot twice.
 */
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Kysely } from 'kysely';
import type { BookingHoldRow, Database, JobRow } from '../../db/schema.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { Appointment, NewWaitlistEntry, StaffWaitlistEntry, WaitlistEntry } from '../../../shared/booking.js';
import { runAction, type Action, type ActionStore } from '../action.js';
import type { ClinicCipher } from '../crypto.js';
import { AppError, notFound } from '../errors.js';
import type { JobEnv } from '../notices.js';
import { patientNames } from '../patients.js';
import type { PatientPrincipal, StaffPrincipal, SystemActor } from '../principal.js';
import { MINUTE } from '../time.js';
import { availability, bookAppointment, bookableProviders, bookableType } from './appointments.js';
import { lockProvider, offerFreedTime, WAITLIST_EXPIRE_JOB, WAITLIST_MAIL_JOB, type FreedTime } from './holds.js';
import { clinicTimeZone, getBookingRules, getType, listProviders, offers } from './setup.js';
import { computeSlots, occupiedRange } from './slots.js';

type Db = Kysely<Database>;

/** How long a freed slot is held for a patient (less when the slot's notice window closes sooner). */
export const WAITLIST_HOLD_MINUTES = 120;

const entryGone = () => new AppError(404, 'not_found', 'Waitlist entry not found');
const offerGone = () => new AppError(409, 'offer_expired', 'This time is no longer held for you');

/** The time a hold kept, freed again. */
const heldTime = (h: BookingHoldRow): FreedTime => ({ providerId: h.provider_id, typeId: h.type_id, startsAt: h.starts_at, endsAt: h.ends_at });

/** Today's date in the zone. */
const todayIn = (zone: string, now: Date) => DateTime.fromJSDate(now, { zone }).toISODate()!;
const dayOf = (iso: string, zone: string) => DateTime.fromISO(iso, { zone }).toISODate()!;

/** Joins the waitlist (at most as many waiting entries as the patient may have upcoming bookings). */
export async function joinWaitlist(store: ActionStore, who: PatientPrincipal, requestId: string | null, input: NewWaitlistEntry, now = new Date()): Promise<WaitlistEntry> {
  const clinicId = who.clinicId;
  const type = await bookableType(store.db, clinicId, input.typeId);
  await bookableProviders(store.db, clinicId, type, input.providerId);
  const rules = await getBookingRules(store.db, clinicId);
  if (!rules.enabled) throw new AppError(409, 'booking_closed', 'The clinic is not taking bookings online now');
  const zone = await clinicTimeZone(store.db, clinicId);
  const today = todayIn(zone, now);
  const last = DateTime.fromJSDate(now, { zone }).plus({ days: rules.horizonDays }).toISODate()!;
  if (input.earliest > input.latest || input.latest < today) throw new AppError(400, 'invalid_range', 'The window must end on or after its start, and not in the past', { field: 'latest' });
  if (input.latest > last) throw new AppError(400, 'beyond_horizon', `Times open at most ${rules.horizonDays} days ahead`, { field: 'latest', params: { days: rules.horizonDays } });
  const id = await runAction(store, who, requestId, async (a) => {
    await a.lockPatient(clinicId, who.patientId);
    const waiting = await a.tx.selectFrom('booking_waitlist').select(['type_id', 'provider_id']).where('clinic_id', '=', clinicId).where('patient_id', '=', who.patientId).where('status', '=', 'waiting').execute();
    if (waiting.length >= rules.maxUpcomingPerPatient) {
      throw new AppError(409, 'too_many_waitlist', `At most ${rules.maxUpcomingPerPatient} waitlist entries at a time`, { params: { limit: rules.maxUpcomingPerPatient } });
    }
    if (waiting.some((w) => w.type_id === type.id && w.provider_id === (input.providerId ?? null))) throw new AppError(409, 'already_waiting', 'Already on the waitlist for this');
    const at = now.toISOString();
    const row = {
      id: randomUUID(), clinic_id: clinicId, patient_id: who.patientId, type_id: type.id, provider_id: input.providerId ?? null,
      earliest_date: input.earliest < today ? today : input.earliest, latest_date: input.latest, lang: input.lang ?? '', status: 'waiting' as const, created_at: at, updated_at: at,
    };
    await a.tx.insertInto('booking_waitlist').values(row).execute();
    a.audit({ action: 'waitlist.join', target: `waitlist:${row.id}` });
    return row.id;
  });
  const entry = (await listPatientWaitlist(store.db, who, now)).find((e) => e.id === id);
  if (!entry) throw entryGone();
  return entry;
}

/** Ends the entry's active hold, if any, and passes its slot on (in the caller's action). */
async function voidHold(a: Action, clinicId: string, entryId: string, now: Date): Promise<void> {
  const held = await a.tx.updateTable('booking_holds').set({ status: 'void', updated_at: now.toISOString() }).where('clinic_id', '=', clinicId).where('entry_id', '=', entryId).where('status', '=', 'held').returningAll().execute();
  for (const h of held) await offerFreedTime(a, clinicId, heldTime(h), `hold:${h.id}`, now);
}

/** Takes an entry off the waitlist: the patient leaving, or staff removing it. A slot it held passes on. */
export async function leaveWaitlist(store: ActionStore, who: PatientPrincipal | StaffPrincipal, requestId: string | null, id: string, now = new Date()): Promise<void> {
  const clinicId = who.clinicId;
  await runAction(store, who, requestId, async (a) => {
    let q = a.tx
      .updateTable('booking_waitlist')
      .set({ status: who.kind === 'patient' ? 'left' : 'removed', updated_at: now.toISOString() })
      .where('clinic_id', '=', clinicId)
      .where('id', '=', id)
      .where('status', '=', 'waiting');
    if (who.kind === 'patient') q = q.where('patient_id', '=', who.patientId);
    const done = await q.returning('patient_id').executeTakeFirst();
    if (!done) throw entryGone();
    await voidHold(a, clinicId, id, now);
    a.audit({ action: who.kind === 'patient' ? 'waitlist.leave' : 'waitlist.remove', patientId: done.patient_id, target: `waitlist:${id}` });
  });
}

function entryQuery(db: Db, clinicId: string, now: Date) {
  return db
    .selectFrom('booking_waitlist as w')
    .innerJoin('booking_types as t', 't.id', 'w.type_id')
    .leftJoin('booking_providers as p', 'p.id', 'w.provider_id')
    .leftJoin('booking_holds as h', (j) => j.onRef('h.entry_id', '=', 'w.id').on('h.status', '=', 'held').on('h.expires_at', '>', now.toISOString()))
    .leftJoin('booking_providers as hp', 'hp.id', 'h.provider_id')
    .select([
      'w.id', 'w.patient_id', 'w.type_id', 'w.provider_id', 'w.earliest_date', 'w.latest_date', 'w.created_at', 't.name_en', 't.name_fr', 'p.name as provider_name',
      'h.id as hold_id', 'h.provider_id as hold_provider_id', 'hp.name as hold_provider_name', 'h.starts_at as hold_starts_at', 'h.ends_at as hold_ends_at', 'h.expires_at as hold_expires_at',
    ])
    .where('w.clinic_id', '=', clinicId)
    .where('w.status', '=', 'waiting');
}
type EntryJoined = Awaited<ReturnType<ReturnType<typeof entryQuery>['executeTakeFirstOrThrow']>>;

function toEntry(r: EntryJoined): WaitlistEntry {
  return {
    id: r.id,
    typeId: r.type_id,
    typeName: { en: r.name_en, fr: r.name_fr },
    providerId: r.provider_id,
    providerName: r.provider_name ?? null,
    earliest: r.earliest_date,
    latest: r.latest_date,
    joinedAt: r.created_at,
    offer:
      r.hold_id && r.hold_provider_id && r.hold_starts_at && r.hold_ends_at && r.hold_expires_at
        ? { id: r.hold_id, providerId: r.hold_provider_id, providerName: r.hold_provider_name ?? '', startsAt: r.hold_starts_at, endsAt: r.hold_ends_at, expiresAt: r.hold_expires_at }
        : null,
  };
}

/** The patient's waiting entries, oldest first, each with the slot held for it if any. */
export async function listPatientWaitlist(db: Db, who: PatientPrincipal, now = new Date()): Promise<WaitlistEntry[]> {
  const rows = await entryQuery(db, who.clinicId, now).where('w.patient_id', '=', who.patientId).orderBy('w.created_at').orderBy('w.id').limit(100).execute();
  return rows.map(toEntry);
}

/** The clinic's waiting entries by type, provider and join time, with patients' names (staff). */
export async function listClinicWaitlist(db: Db, cipher: ClinicCipher, now = new Date()): Promise<StaffWaitlistEntry[]> {
  const rows = await entryQuery(db, cipher.clinicId, now).orderBy('t.name_en').orderBy('w.type_id').orderBy('p.name').orderBy('w.created_at').orderBy('w.id').limit(1000).execute();
  const names = await patientNames(db, cipher, rows.map((r) => r.patient_id));
  return rows.map((r) => ({ ...toEntry(r), patientId: r.patient_id, patientName: names.get(r.patient_id) ?? '' }));
}

/** The patient's active hold, or 409 offer_expired. */
async function activeHold(db: Db, who: PatientPrincipal, holdId: string, now: Date): Promise<BookingHoldRow> {
  const hold = await db.selectFrom('booking_holds').selectAll().where('clinic_id', '=', who.clinicId).where('patient_id', '=', who.patientId).where('id', '=', holdId).executeTakeFirst();
  if (!hold) throw notFound('Offer');
  if (hold.status !== 'held' || Date.parse(hold.expires_at) <= now.getTime()) throw offerGone();
  return hold;
}

/** Books the slot held for the patient (the booking accepts the hold and ends the entry in its action). */
export async function acceptOffer(store: ActionStore, who: PatientPrincipal, requestId: string | null, holdId: string, now = new Date()): Promise<Appointment> {
  const hold = await activeHold(store.db, who, holdId, now);
  const entry = await store.db.selectFrom('booking_waitlist').select('lang').where('id', '=', hold.entry_id).executeTakeFirstOrThrow();
  const lang = entry.lang === 'en' || entry.lang === 'fr' ? entry.lang : undefined;
  return (await bookAppointment(store, who, requestId, who.patientId, { typeId: hold.type_id, providerId: hold.provider_id, startsAt: hold.starts_at, ...(lang ? { lang } : {}) }, now)).appointment;
}

/** Lets the held slot go to the next entry; the patient stays on the waitlist. */
export async function declineOffer(store: ActionStore, who: PatientPrincipal, requestId: string | null, holdId: string, now = new Date()): Promise<void> {
  await activeHold(store.db, who, holdId, now);
  await runAction(store, who, requestId, async (a) => {
    const h = await a.tx.updateTable('booking_holds').set({ status: 'declined', updated_at: now.toISOString() }).where('clinic_id', '=', who.clinicId).where('id', '=', holdId).where('status', '=', 'held').returningAll().executeTakeFirst();
    if (!h) throw offerGone();
    a.audit({ action: 'waitlist.decline', target: `waitlist:${h.entry_id}` });
    await offerFreedTime(a, who.clinicId, heldTime(h), `hold:${h.id}`, now);
  });
}

/**
 * Offers a provider's freed visit time [startsAt, endsAt) to the waitlist: for each waiting entry in
 * join order that matches (its type, the provider or any, the window), whose patient has
 * room for one more upcoming booking and has not let this slot go before, holds the first open slot
 * of its type inside the freed time. Returns the holds made.
 */
export async function offerFreedSlot(store: ActionStore, clinicId: string, freed: FreedTime, now = new Date()): Promise<BookingHoldRow[]> {
  const { providerId, typeId, startsAt, endsAt } = freed;
  const system: SystemActor = { kind: 'system', clinicId };
  try {
    return await runAction(store, system, null, async (a) => {
      // Waits for bookings in flight on this provider; bookings wait for this (holds.ts).
      await lockProvider(a, clinicId, providerId, 'exclusive');
      const at = now.toISOString();
      // Holds past their end that no job has ended yet: ended here, and passed on by their own job.
      const stale = await a.tx.updateTable('booking_holds').set({ status: 'expired', updated_at: at }).where('clinic_id', '=', clinicId).where('provider_id', '=', providerId).where('status', '=', 'held').where('expires_at', '<=', at).returningAll().execute();
      for (const h of stale) await offerFreedTime(a, clinicId, heldTime(h), `hold:${h.id}`, now);
      const rules = await getBookingRules(a.tx, clinicId);
      if (!rules.enabled) return [];
      if (!(await listProviders(a.tx, clinicId, { activeOnly: true })).some((p) => p.id === providerId)) return [];
      const zone = await clinicTimeZone(a.tx, clinicId);
      const from = new Date(startsAt);
      const to = new Date(endsAt);
      const firstDay = dayOf(startsAt, zone);
      const lastDay = dayOf(new Date(to.getTime() - 1).toISOString(), zone);
      const entries = await a.tx
        .selectFrom('booking_waitlist')
        .selectAll()
        .where('clinic_id', '=', clinicId)
        .where('status', '=', 'waiting')
        .where('type_id', '=', typeId)
        .where((eb) => eb.or([eb('provider_id', 'is', null), eb('provider_id', '=', providerId)]))
        .where('earliest_date', '<=', lastDay)
        .where('latest_date', '>=', firstDay)
        .orderBy('created_at')
        .orderBy('id')
        .limit(500)
        .execute();
      const made: BookingHoldRow[] = [];
      const served = new Set<string>();
      for (const entry of entries) {
        if (served.has(entry.patient_id)) continue;
        const type = await getType(a.tx, clinicId, entry.type_id);
        if (!type.active || !offers(type, providerId)) continue;
        const past = await a.tx.selectFrom('booking_holds').select(['status', 'provider_id', 'starts_at']).where('clinic_id', '=', clinicId).where('entry_id', '=', entry.id).execute();
        if (past.some((h) => h.status === 'held')) continue;
        // Room for one more: upcoming bookings and slots already held for the patient count.
        const booked = await a.tx.selectFrom('appointments').select((eb) => eb.fn.countAll<number>().as('n')).where('clinic_id', '=', clinicId).where('patient_id', '=', entry.patient_id).where('status', '=', 'booked').where('starts_at', '>', at).executeTakeFirstOrThrow();
        const holding = await a.tx.selectFrom('booking_holds').select((eb) => eb.fn.countAll<number>().as('n')).where('clinic_id', '=', clinicId).where('patient_id', '=', entry.patient_id).where('status', '=', 'held').where('expires_at', '>', at).executeTakeFirstOrThrow();
        if (Number(booked.n) + Number(holding.n) >= rules.maxUpcomingPerPatient) continue;
        const fromDate = entry.earliest_date > firstDay ? entry.earliest_date : firstDay;
        const toDate = entry.latest_date < lastDay ? entry.latest_date : lastDay;
        if (fromDate > toDate) continue;
        const providers = await availability(a.tx, clinicId, [providerId], from, to, { now });
        const declined = new Set(past.filter((h) => h.provider_id === providerId).map((h) => h.starts_at));
        const slot = computeSlots({ timeZone: zone, now, fromDate, toDate, type, rules, providers }).find(
          (s) => s.start >= from && s.end <= to && !declined.has(s.start.toISOString()),
        );
        if (!slot) continue;
        const expires = Math.min(now.getTime() + WAITLIST_HOLD_MINUTES * MINUTE, slot.start.getTime() - rules.minNoticeMinutes * MINUTE);
        if (expires <= now.getTime()) continue;
        const busy = occupiedRange(slot.start, type);
        const hold: BookingHoldRow = {
          id: randomUUID(), clinic_id: clinicId, entry_id: entry.id, patient_id: entry.patient_id, provider_id: providerId, type_id: type.id,
          starts_at: slot.start.toISOString(), ends_at: slot.end.toISOString(), busy_from: busy.start.toISOString(), busy_to: busy.end.toISOString(),
          expires_at: new Date(expires).toISOString(), status: 'held', created_at: at, updated_at: at,
        };
        await a.tx.insertInto('booking_holds').values(hold).execute();
        a.audit({ action: 'waitlist.offer', patientId: entry.patient_id, target: `waitlist:${entry.id}` });
        a.enqueue({ kind: WAITLIST_MAIL_JOB, clinicId, payload: { holdId: hold.id, patientId: entry.patient_id }, dedupeKey: `${WAITLIST_MAIL_JOB}:${hold.id}` });
        a.enqueue({ kind: WAITLIST_EXPIRE_JOB, clinicId, payload: { holdId: hold.id }, runAt: new Date(expires), dedupeKey: `${WAITLIST_EXPIRE_JOB}:${hold.id}` });
        made.push(hold);
        served.add(entry.patient_id);
      }
      return made;
    });
  } catch (err) {
    // Another runner held this slot first (the unique active hold per provider and start).
    if (isUniqueViolation(err)) return [];
    throw err;
  }
}

/** Ends a hold whose time ran out and passes its slot on, in one action. */
export async function expireHold(store: ActionStore, clinicId: string, holdId: string, now = new Date()): Promise<void> {
  await runAction(store, { kind: 'system', clinicId }, null, async (a) => {
    const h = await a.tx.updateTable('booking_holds').set({ status: 'expired', updated_at: now.toISOString() }).where('clinic_id', '=', clinicId).where('id', '=', holdId).where('status', '=', 'held').where('expires_at', '<=', now.toISOString()).returningAll().executeTakeFirst();
    if (!h) return;
    a.audit({ action: 'waitlist.expire', patientId: h.patient_id, target: `waitlist:${h.entry_id}` });
    await offerFreedTime(a, clinicId, heldTime(h), `hold:${h.id}`, now);
  });
}

/** Runs a waitlist job: an offer of freed time, or a hold's end. */
export async function runWaitlistJob(job: JobRow, env: JobEnv): Promise<void> {
  const clinicId = job.clinic_id!;
  if (job.kind === WAITLIST_EXPIRE_JOB) {
    await expireHold(env, clinicId, (JSON.parse(job.payload) as { holdId: string }).holdId);
    return;
  }
  await offerFreedSlot(env, clinicId, JSON.parse(job.payload) as FreedTime);
}
