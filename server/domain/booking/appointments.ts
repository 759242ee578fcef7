/**
 * Open slots and appointments. Booking, moving and cancelling are actions (one transaction with the
 * audit row, the confirmation e-mail job and the reminder jobs). The application checks the clinic's
 * rules (hours, exceptions, notice, horizon, upcoming limit); the database alone decides who gets a
 * time: each booking writes one `appointment_slots` row per occupied 5-minute unit of its provider,
 * and that table's primary key refuses a second booking over any of them (`409 slot_taken`).
 */
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Kysely } from 'kysely';
import type { AppointmentRow, Database } from '../../db/schema.js';
import { isUniqueViolation } from '../../db/errors.js';
import type { Appointment, AppointmentPatch, AppointmentType, BookingRules, NewBooking, Reschedule, SlotList, SlotQuery, StaffAppointment } from '../../../shared/booking.js';
import { GRID_MINUTES } from '../../../shared/booking.js';
import { normalizeLang, type Lang } from '../../../shared/lang.js';
import { runAction, type Action, type ActionStore } from '../action.js';
import type { ClinicCipher } from '../crypto.js';
import { AppError, notFound } from '../errors.js';
import type { NewJob } from '../jobs.js';
import { patientNames } from '../patients.js';
import { reminderText } from '../sms.js';
import { assignInAction, currentVersionId, followAppointment } from '../questionnaires.js';
import type { PatientPrincipal, StaffPrincipal } from '../principal.js';
import { HOUR, MINUTE } from '../time.js';
import { clinicTimeZone, getBookingRules, getProvider, getType, listProviders, offers } from './setup.js';
import { acceptHold, checkHolds, heldRanges, lockProvider, offerFreedTime } from './holds.js';
import { computeSlots, occupiedRange, occupiedUnits, type ComputedSlot, type ProviderAvailability, type Range } from './slots.js';

/** A database or an action's transaction. */
type Db = Kysely<Database>;

/** The job that e-mails the patient the appointment's state with an .ics (confirmed, moved, cancelled). */
export const BOOKING_MAIL_JOB = 'mail.booking';
/** The job that e-mails a reminder before the appointment. */
export const BOOKING_REMINDER_JOB = 'mail.booking-reminder';

const slotTaken = () => new AppError(409, 'slot_taken', 'That time was just booked; choose another one');
const slotUnavailable = () => new AppError(409, 'slot_unavailable', 'That time is not open for booking');

/** The calendar days (clinic zone) a query covers, and their instants. */
function dayRange(timeZone: string, now: Date, from: string | undefined, days: number) {
  const first = from ? DateTime.fromISO(from, { zone: timeZone }).startOf('day') : DateTime.fromJSDate(now, { zone: timeZone }).startOf('day');
  if (!first.isValid) throw new AppError(400, 'invalid_date', 'from is not a valid date');
  const last = first.plus({ days: days - 1 });
  return { fromDate: first.toISODate()!, toDate: last.toISODate()!, start: first.toJSDate(), end: last.endOf('day').toJSDate() };
}

/**
 * What the slot computation needs of each provider, read for the instants around [start, end]. With
 * `busy`, the booked time and the waitlist holds (except those of `busy.holder`, who may book them).
 */
export async function availability(db: Db, clinicId: string, providerIds: string[], start: Date, end: Date, busy: false | { now: Date; holder?: string | undefined }): Promise<ProviderAvailability[]> {
  const withBusy = busy !== false;
  if (providerIds.length === 0) return [];
  // A day either side: windows and buffers that reach over midnight.
  const lo = new Date(start.getTime() - 24 * HOUR).toISOString();
  const hi = new Date(end.getTime() + 24 * HOUR).toISOString();
  const hours = await db.selectFrom('booking_hours').select(['provider_id', 'rrule', 'start_time', 'end_time']).where('clinic_id', '=', clinicId).where('provider_id', 'in', providerIds).execute();
  const exceptions = await db
    .selectFrom('booking_exceptions')
    .select(['provider_id', 'starts_at', 'ends_at'])
    .where('clinic_id', '=', clinicId)
    .where('starts_at', '<', hi)
    .where('ends_at', '>', lo)
    .where((eb) => eb.or([eb('provider_id', 'in', providerIds), eb('provider_id', 'is', null)]))
    .execute();
  const units = withBusy
    ? await db.selectFrom('appointment_slots').select(['provider_id', 'unit_start']).where('clinic_id', '=', clinicId).where('provider_id', 'in', providerIds).where('unit_start', '>=', lo).where('unit_start', '<', hi).execute()
    : [];
  const held = busy ? await heldRanges(db, clinicId, providerIds, lo, hi, busy.now, busy.holder) : [];
  const range = (s: string, e: string): Range => ({ start: new Date(s), end: new Date(e) });
  return providerIds.map((id) => ({
    id,
    hours: hours.filter((h) => h.provider_id === id).map((h) => ({ rrule: h.rrule, start: h.start_time, end: h.end_time })),
    exceptions: exceptions.filter((x) => x.provider_id === null || x.provider_id === id).map((x) => range(x.starts_at, x.ends_at)),
    busy: units.filter((u) => u.provider_id === id).map((u) => ({ start: new Date(u.unit_start), end: new Date(Date.parse(u.unit_start) + GRID_MINUTES * MINUTE) })),
    held: held.filter((h) => h.providerId === id),
  }));
}

/** The active providers offering an active type (one of them when asked). */
export async function bookableProviders(db: Db, clinicId: string, type: AppointmentType, providerId?: string): Promise<string[]> {
  const providers = (await listProviders(db, clinicId, { activeOnly: true })).filter((p) => offers(type, p.id));
  if (providerId) {
    if (!providers.some((p) => p.id === providerId)) throw notFound('Provider');
    return [providerId];
  }
  return providers.map((p) => p.id);
}

export async function bookableType(db: Db, clinicId: string, typeId: string): Promise<AppointmentType> {
  const type = await getType(db, clinicId, typeId);
  if (!type.active) throw notFound('Appointment type');
  return type;
}

const toSlot = (s: ComputedSlot) => ({ providerId: s.providerId, startsAt: s.start.toISOString(), endsAt: s.end.toISOString() });

/**
 * Who a booking is made by, for the rules it is held to: `online` (a patient, a new patient's
 * request) or `staff` (on a patient's behalf, by phone or at the desk).
 */
export type Booker = 'online' | 'staff';

/** How far ahead staff may book, whatever the online horizon. */
export const STAFF_HORIZON_DAYS = 365;

/**
 * The rules a booking is held to. Staff book outside the online ones: while online booking is off,
 * inside the notice window (a same-day visit) and past the online horizon, up to a year; provider
 * hours, closures, buffers and the time already taken still apply.
 */
export function rulesFor(rules: BookingRules, booker: Booker): BookingRules {
  return booker === 'online' ? rules : { ...rules, enabled: true, minNoticeMinutes: 0, horizonDays: Math.max(rules.horizonDays, STAFF_HORIZON_DAYS) };
}

/**
 * The open slots of a type in a range of days, one provider or all ("first available"). With none,
 * the next open slot after the range (within the horizon), for "next available on …". Time held for
 * a waitlist offer is open only to its `holder`.
 */
export async function findSlots(db: Kysely<Database>, clinicId: string, q: SlotQuery, now = new Date(), holder?: string, booker: Booker = 'online'): Promise<SlotList> {
  const [rules, timeZone] = [rulesFor(await getBookingRules(db, clinicId), booker), await clinicTimeZone(db, clinicId)];
  const type = await bookableType(db, clinicId, q.typeId);
  const providerIds = await bookableProviders(db, clinicId, type, q.providerId);
  if (!rules.enabled) return { timeZone, slots: [], nextAvailable: null };
  const compute = async (from: string | undefined, days: number) => {
    const r = dayRange(timeZone, now, from, days);
    return computeSlots({ timeZone, now, fromDate: r.fromDate, toDate: r.toDate, type, rules, providers: await availability(db, clinicId, providerIds, r.start, r.end, { now, holder }) });
  };
  const days = q.days ?? 7;
  const slots = await compute(q.from, days);
  let nextAvailable: string | null = null;
  if (slots.length === 0) {
    // Two weeks at a time after the range, up to the horizon.
    const horizonEnd = DateTime.fromJSDate(now, { zone: timeZone }).plus({ days: rules.horizonDays });
    const today = DateTime.fromJSDate(now, { zone: timeZone }).startOf('day');
    const after = DateTime.fromISO(dayRange(timeZone, now, q.from, days).toDate, { zone: timeZone }).plus({ days: 1 });
    // Never from the past: at most horizon / 14 rounds (27 for a year).
    let from = after < today ? today : after;
    while (from <= horizonEnd && nextAvailable === null) {
      const later = await compute(from.toISODate()!, 14);
      nextAvailable = later[0]?.start.toISOString() ?? null;
      from = from.plus({ days: 14 });
    }
  }
  return { timeZone, slots: slots.map(toSlot), nextAvailable };
}

/** Throws unless `start` is a slot the rules open for this provider and type (whatever is booked: the database decides that). */
export async function assertOpen(db: Db, clinicId: string, type: AppointmentType, providerId: string, start: Date, now: Date, booker: Booker = 'online'): Promise<void> {
  const rules = rulesFor(await getBookingRules(db, clinicId), booker);
  if (!rules.enabled) throw new AppError(409, 'booking_closed', 'The clinic is not taking bookings online now');
  const timeZone = await clinicTimeZone(db, clinicId);
  const day = DateTime.fromJSDate(start, { zone: timeZone }).toISODate()!;
  const providers = await availability(db, clinicId, [providerId], start, start, false);
  const open = computeSlots({ timeZone, now, fromDate: day, toDate: day, type, rules, providers });
  if (!open.some((s) => s.start.getTime() === start.getTime())) throw slotUnavailable();
}

/**
 * The reminder jobs of an appointment at its current time (keys name the time, so a move plans new
 * ones): by e-mail, by text, or both, as the rules say. A text is planned only for a patient who agreed
 * to texts (consent is cleared with the number); the job checks again when it runs.
 */
async function reminderJobs(a: Action, row: Pick<AppointmentRow, 'id' | 'clinic_id' | 'patient_id' | 'starts_at'>, rules: BookingRules, now: Date): Promise<NewJob[]> {
  const channel = rules.reminderChannel ?? 'email';
  const byText =
    channel !== 'email' &&
    Boolean((await a.tx.selectFrom('patients').select('sms_consent_at').where('clinic_id', '=', row.clinic_id).where('id', '=', row.patient_id).executeTakeFirst())?.sms_consent_at);
  return rules.reminderMinutesBefore
    .map((m) => ({ m, at: new Date(Date.parse(row.starts_at) - m * MINUTE) }))
    .filter(({ at }) => at.getTime() > now.getTime())
    .flatMap(({ m, at }) => [
      ...(channel !== 'sms'
        ? [{
            kind: BOOKING_REMINDER_JOB,
            clinicId: row.clinic_id,
            payload: { appointmentId: row.id, patientId: row.patient_id, startsAt: row.starts_at, minutesBefore: m },
            runAt: at,
            dedupeKey: `${BOOKING_REMINDER_JOB}:${row.id}:${m}:${row.starts_at}`,
          }]
        : []),
      ...(byText ? [reminderText(row.clinic_id, row.id, row.patient_id, row.starts_at, m, at)] : []),
    ]);
}

/** The e-mail (with .ics) of the appointment's state at `sequence`. */
const mailJob = (row: Pick<AppointmentRow, 'id' | 'clinic_id' | 'patient_id'>, sequence: number): NewJob => ({
  kind: BOOKING_MAIL_JOB,
  clinicId: row.clinic_id,
  // The patient's id names the recipient on the clinic's Outgoing e-mail page.
  payload: { appointmentId: row.id, patientId: row.patient_id, sequence },
  dedupeKey: `${BOOKING_MAIL_JOB}:${row.id}:${sequence}`,
});

/**
 * Claims the appointment's units. They are inserted in ascending order, so two bookings that overlap
 * wait for each other in the same order on PostgreSQL and never deadlock; the loser gets the unique violation.
 */
async function insertUnits(a: Action, row: AppointmentRow, type: AppointmentType): Promise<void> {
  const units = occupiedUnits(new Date(row.starts_at), type).map((unit_start) => ({ provider_id: row.provider_id, unit_start, clinic_id: row.clinic_id, appointment_id: row.id }));
  await a.tx.insertInto('appointment_slots').values(units).execute();
}

/** Runs a booking action; a unique violation on appointment_slots is someone else's booking of that time. */
export async function claiming<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (isUniqueViolation(err)) throw slotTaken();
    throw err;
  }
}

/**
 * Books a slot for a patient (the patient themself, or staff for them). The same booking again (the
 * type, provider and time the patient already holds: a double submit, or a retry after a lost answer,
 * on any instance) answers with that appointment and `created: false`, not `slot_taken`.
 */
export async function bookAppointment(
  store: ActionStore,
  who: PatientPrincipal | StaffPrincipal,
  requestId: string | null,
  patientId: string,
  input: NewBooking,
  now = new Date(),
): Promise<{ appointment: Appointment; created: boolean }> {
  const clinicId = who.clinicId;
  const type = await bookableType(store.db, clinicId, input.typeId);
  await bookableProviders(store.db, clinicId, type, input.providerId);
  await assertOpen(store.db, clinicId, type, input.providerId, new Date(input.startsAt), now, who.kind === 'staff' ? 'staff' : 'online');
  const rules = await getBookingRules(store.db, clinicId);
  const zone = await clinicTimeZone(store.db, clinicId);
  let created = true;
  const id = await claiming(() =>
    runAction(store, who, requestId, async (a) => {
      // Under the patient's lock: a repeat that raced the first waits for it, then finds it here.
      await a.lockPatient(clinicId, patientId);
      const same = await a.tx
        .selectFrom('appointments')
        .select('id')
        .where('clinic_id', '=', clinicId)
        .where('patient_id', '=', patientId)
        .where('type_id', '=', type.id)
        .where('provider_id', '=', input.providerId)
        .where('starts_at', '=', new Date(input.startsAt).toISOString())
        .where('status', '=', 'booked')
        .executeTakeFirst();
      created = !same;
      if (!same) return bookInAction(a, who, patientId, type, input, { rules, zone, now });
      // Nothing new is booked, but the appointment is shown again: that access is audited too.
      a.audit({ action: 'appointment.book-repeat', patientId, target: `appointment:${same.id}` });
      return same.id;
    }),
  );
  return { appointment: await getAppointment(store.db, clinicId, id, { patientId, now }), created };
}

/**
 * The booking itself, inside an action (a patient's or staff booking, or a new patient's approved
 * request, whose own held time it may take). Returns the appointment's id; the caller runs it through
 * `claiming` so a taken time is a 409.
 */
export async function bookInAction(
  a: Action,
  who: PatientPrincipal | StaffPrincipal,
  patientId: string,
  type: AppointmentType,
  input: NewBooking,
  ctx: { rules: BookingRules; zone: string; now: Date; request?: string },
): Promise<string> {
  const { rules, zone, now } = ctx;
  const clinicId = who.clinicId;
  const start = new Date(input.startsAt);
  await a.lockPatient(clinicId, patientId);
  const upcoming = await a.tx
    .selectFrom('appointments')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('clinic_id', '=', clinicId)
    .where('patient_id', '=', patientId)
    .where('status', '=', 'booked')
    .where('starts_at', '>', now.toISOString())
    .executeTakeFirstOrThrow();
  if (who.kind === 'patient' && Number(upcoming.n) >= rules.maxUpcomingPerPatient) {
    throw new AppError(409, 'too_many_upcoming', `At most ${rules.maxUpcomingPerPatient} upcoming appointments can be booked online`);
  }
  await lockProvider(a, clinicId, input.providerId, 'share');
  const ownHold = await checkHolds(a, { clinicId, providerId: input.providerId, patientId, typeId: type.id, startsAt: start.toISOString(), busy: occupiedRange(start, type), now, ...(ctx.request ? { request: ctx.request } : {}) });
  const at = now.toISOString();
  const row: AppointmentRow = {
    id: randomUUID(),
    clinic_id: clinicId,
    provider_id: input.providerId,
    type_id: type.id,
    patient_id: patientId,
    starts_at: start.toISOString(),
    ends_at: new Date(start.getTime() + type.durationMinutes * MINUTE).toISOString(),
    status: 'booked',
    sequence: 0,
    // Empty: the patient's own language when the e-mail is written.
    lang: input.lang ?? '',
    booked_by: who.kind,
    created_at: at,
    updated_at: at,
  };
  await a.tx.insertInto('appointments').values(row).execute();
  await insertUnits(a, row, type);
  a.audit({ action: 'appointment.book', patientId, target: `appointment:${row.id}` });
  if (ownHold) await acceptHold(a, clinicId, ownHold, patientId, now);
  a.enqueue(mailJob(row, 0));
  for (const job of await reminderJobs(a, row, rules, now)) a.enqueue(job);
  await sendTypeQuestionnaire(a, row, zone);
  return row.id;
}

/** The type's questionnaire, if it has one, assigned with the booking and due on the appointment's day (clinic zone). */
async function sendTypeQuestionnaire(a: Action, row: AppointmentRow, zone: string): Promise<void> {
  const type = await a.tx.selectFrom('booking_types').select(['questionnaire_id', 'questionnaire_set_by']).where('clinic_id', '=', row.clinic_id).where('id', '=', row.type_id).executeTakeFirstOrThrow();
  if (!type.questionnaire_id || !type.questionnaire_set_by) return;
  const versionId = await currentVersionId(a.tx, row.clinic_id, type.questionnaire_id);
  if (!versionId) return;
  await assignInAction(a, {
    clinicId: row.clinic_id,
    patientId: row.patient_id,
    questionnaireId: type.questionnaire_id,
    versionId,
    dueDate: DateTime.fromISO(row.starts_at, { zone }).toISODate(),
    assignedBy: type.questionnaire_set_by,
    appointmentId: row.id,
  });
}

/** One appointment of the clinic (and of the patient, when given), or 404. */
async function appointmentRow(db: Db, clinicId: string, id: string, patientId?: string): Promise<AppointmentRow> {
  let q = db.selectFrom('appointments').selectAll().where('clinic_id', '=', clinicId).where('id', '=', id);
  if (patientId) q = q.where('patient_id', '=', patientId);
  const row = await q.executeTakeFirst();
  if (!row) throw notFound('Appointment');
  return row;
}

/** The patient's side may change an appointment until the cut-off. */
function assertChangeable(row: AppointmentRow, cutoffHours: number, now: Date): void {
  if (row.status !== 'booked') throw new AppError(409, 'not_booked', 'This appointment is no longer booked');
  if (Date.parse(row.starts_at) - now.getTime() < cutoffHours * HOUR) {
    throw new AppError(409, 'change_cutoff', `Appointments can be changed online until ${cutoffHours} hours before; call the clinic`);
  }
}

/** Cancels an appointment: its time is free again at once, its reminders are not sent, and the patient gets METHOD:CANCEL. */
export async function cancelAppointment(store: ActionStore, who: PatientPrincipal | StaffPrincipal, requestId: string | null, id: string, now = new Date()): Promise<Appointment> {
  const clinicId = who.clinicId;
  const patientId = who.kind === 'patient' ? who.patientId : undefined;
  const row = await appointmentRow(store.db, clinicId, id, patientId);
  if (who.kind === 'patient') assertChangeable(row, (await getBookingRules(store.db, clinicId)).cancelCutoffHours, now);
  await runAction(store, who, requestId, async (a) => {
    const done = await a.tx
      .updateTable('appointments')
      .set((eb) => ({ status: 'cancelled', sequence: eb('sequence', '+', 1), updated_at: now.toISOString() }))
      .where('clinic_id', '=', clinicId)
      .where('id', '=', id)
      .where('status', '=', 'booked')
      .returning('sequence')
      .executeTakeFirst();
    if (!done) throw new AppError(409, 'not_booked', 'This appointment is no longer booked');
    await a.tx.deleteFrom('appointment_slots').where('appointment_id', '=', id).execute();
    a.audit({ action: 'appointment.cancel', patientId: row.patient_id, target: `appointment:${id}` });
    a.enqueue(mailJob(row, Number(done.sequence)));
    await followAppointment(a, clinicId, id, { cancelled: true });
    // The freed time goes to the waitlist, in this transaction: a crash cannot lose the offer.
    await offerFreedTime(a, clinicId, { providerId: row.provider_id, typeId: row.type_id, startsAt: row.starts_at, endsAt: row.ends_at }, `${id}:${Number(done.sequence)}`, now);
  });
  return getAppointment(store.db, clinicId, id, { now });
}

/** Moves an appointment to another open time (same type; another provider if asked), keeping its UID. */
export async function rescheduleAppointment(store: ActionStore, who: PatientPrincipal | StaffPrincipal, requestId: string | null, id: string, input: Reschedule, now = new Date()): Promise<Appointment> {
  const clinicId = who.clinicId;
  const row = await appointmentRow(store.db, clinicId, id, who.kind === 'patient' ? who.patientId : undefined);
  const rules = await getBookingRules(store.db, clinicId);
  if (who.kind === 'patient') assertChangeable(row, rules.cancelCutoffHours, now);
  else if (row.status !== 'booked') throw new AppError(409, 'not_booked', 'This appointment is no longer booked');
  const type = await getType(store.db, clinicId, row.type_id);
  const providerId = input.providerId ?? row.provider_id;
  await bookableProviders(store.db, clinicId, type, providerId);
  const start = new Date(input.startsAt);
  await assertOpen(store.db, clinicId, type, providerId, start, now, who.kind === 'staff' ? 'staff' : 'online');
  const zone = await clinicTimeZone(store.db, clinicId);
  await claiming(() =>
    runAction(store, who, requestId, async (a) => {
      await a.tx.deleteFrom('appointment_slots').where('appointment_id', '=', id).execute();
      await lockProvider(a, clinicId, providerId, 'share');
      const ownHold = await checkHolds(a, { clinicId, providerId, patientId: row.patient_id, typeId: type.id, startsAt: start.toISOString(), busy: occupiedRange(start, type), now });
      const moved = await a.tx
        .updateTable('appointments')
        .set((eb) => ({ provider_id: providerId, starts_at: start.toISOString(), ends_at: new Date(start.getTime() + type.durationMinutes * MINUTE).toISOString(), sequence: eb('sequence', '+', 1), updated_at: now.toISOString() }))
        .where('clinic_id', '=', clinicId)
        .where('id', '=', id)
        .where('status', '=', 'booked')
        .returningAll()
        .executeTakeFirst();
      if (!moved) throw new AppError(409, 'not_booked', 'This appointment is no longer booked');
      await insertUnits(a, moved, type);
      a.audit({ action: 'appointment.reschedule', patientId: row.patient_id, target: `appointment:${id}` });
      if (ownHold) await acceptHold(a, clinicId, ownHold, row.patient_id, now);
      a.enqueue(mailJob(moved, Number(moved.sequence)));
      if (row.provider_id !== moved.provider_id || row.starts_at !== moved.starts_at) {
        await offerFreedTime(a, clinicId, { providerId: row.provider_id, typeId: row.type_id, startsAt: row.starts_at, endsAt: row.ends_at }, `${id}:${Number(moved.sequence)}`, now);
      }
      for (const job of await reminderJobs(a, moved, rules, now)) a.enqueue(job);
      await followAppointment(a, clinicId, id, { dueDate: DateTime.fromISO(moved.starts_at, { zone }).toISODate()! });
    }),
  );
  return getAppointment(store.db, clinicId, id, { now });
}

/** Marks a booked appointment whose time has come as a no-show (staff). */
export async function updateAppointmentStatus(store: ActionStore, who: StaffPrincipal, requestId: string | null, id: string, patch: AppointmentPatch, now = new Date()): Promise<Appointment> {
  if (patch.status === 'cancelled') return cancelAppointment(store, who, requestId, id, now);
  const row = await appointmentRow(store.db, who.clinicId, id);
  if (row.status !== 'booked') throw new AppError(409, 'not_booked', 'This appointment is no longer booked');
  if (Date.parse(row.starts_at) > now.getTime()) throw new AppError(409, 'not_started', 'An appointment can be marked as missed once its time has come');
  await runAction(store, who, requestId, async (a) => {
    await a.tx.updateTable('appointments').set({ status: 'no-show', updated_at: now.toISOString() }).where('clinic_id', '=', who.clinicId).where('id', '=', id).where('status', '=', 'booked').execute();
    a.audit({ action: 'appointment.no-show', patientId: row.patient_id, target: `appointment:${id}` });
  });
  return getAppointment(store.db, who.clinicId, id, { now });
}

// --- reading ----------------------------------------------------------------------------------

function appointmentQuery(db: Db, clinicId: string) {
  return db
    .selectFrom('appointments as a')
    .innerJoin('booking_types as t', 't.id', 'a.type_id')
    .innerJoin('booking_providers as p', 'p.id', 'a.provider_id')
    .selectAll('a')
    .select(['t.name_en', 't.name_fr', 't.mode', 't.location', 'p.name as provider_name'])
    .where('a.clinic_id', '=', clinicId);
}
type Joined = Awaited<ReturnType<ReturnType<typeof appointmentQuery>['executeTakeFirstOrThrow']>>;

function toAppointment(r: Joined, cutoffHours: number, now: Date): Appointment {
  return {
    id: r.id,
    typeId: r.type_id,
    typeName: { en: r.name_en, fr: r.name_fr },
    providerId: r.provider_id,
    providerName: r.provider_name,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    mode: r.mode,
    location: r.location,
    status: r.status,
    changeable: r.status === 'booked' && Date.parse(r.starts_at) - now.getTime() >= cutoffHours * HOUR,
  };
}

/** One appointment as its patient sees it (404 when not theirs, when `patientId` is given). */
export async function getAppointment(db: Db, clinicId: string, id: string, opts: { patientId?: string; now?: Date } = {}): Promise<Appointment> {
  let q = appointmentQuery(db, clinicId).where('a.id', '=', id);
  if (opts.patientId) q = q.where('a.patient_id', '=', opts.patientId);
  const row = await q.executeTakeFirst();
  if (!row) throw notFound('Appointment');
  return toAppointment(row, (await getBookingRules(db, clinicId)).cancelCutoffHours, opts.now ?? new Date());
}

/** The patient's upcoming booked appointments, soonest first. */
export async function listPatientAppointments(db: Db, who: PatientPrincipal, now = new Date()): Promise<Appointment[]> {
  const rows = await appointmentQuery(db, who.clinicId).where('a.patient_id', '=', who.patientId).where('a.status', '=', 'booked').where('a.ends_at', '>', now.toISOString()).orderBy('a.starts_at').limit(100).execute();
  const cutoff = (await getBookingRules(db, who.clinicId)).cancelCutoffHours;
  return rows.map((r) => toAppointment(r, cutoff, now));
}

/** Most appointments a calendar range answers with (a busy clinic's week fits; the rest would need a narrower range). */
const RANGE_LIMIT = 2000;

/**
 * The appointments of `days` calendar days from `from` (clinic zone), every status, with patients'
 * names, soonest first: the staff day list and calendar. One provider's, or every provider's.
 */
export async function listRange(db: Db, cipher: ClinicCipher, from: string, days: number, providerId?: string, now = new Date()): Promise<StaffAppointment[]> {
  const clinicId = cipher.clinicId;
  const zone = await clinicTimeZone(db, clinicId);
  const day = DateTime.fromISO(from, { zone });
  if (!day.isValid) throw new AppError(400, 'invalid_date', 'date is not a valid date');
  if (providerId) await getProvider(db, clinicId, providerId);
  // Day boundaries by the calendar, not by 24 hours: a week over a DST change is 167 or 169 hours.
  let q = appointmentQuery(db, clinicId).where('a.starts_at', '>=', day.startOf('day').toUTC().toISO()!).where('a.starts_at', '<', day.startOf('day').plus({ days }).toUTC().toISO()!);
  if (providerId) q = q.where('a.provider_id', '=', providerId);
  const rows = await q.orderBy('a.starts_at').orderBy('p.name').limit(RANGE_LIMIT).execute();
  const names = await patientNames(db, cipher, [...new Set(rows.map((r) => r.patient_id))]);
  const cutoff = (await getBookingRules(db, clinicId)).cancelCutoffHours;
  return rows.map((r) => ({ ...toAppointment(r, cutoff, now), patientId: r.patient_id, patientName: names.get(r.patient_id) ?? '' }));
}

/** A day's appointments (clinic zone), every status, with patients' names, for the staff day list. */
export async function listDay(db: Db, cipher: ClinicCipher, date: string, providerId?: string, now = new Date()): Promise<StaffAppointment[]> {
  return (await listRange(db, cipher, date, 1, providerId, now)).slice(0, 500);
}

/** The appointment with what its e-mail, .ics and FHIR export need. */
export async function appointmentDetail(db: Db, clinicId: string, id: string) {
  const row = await appointmentQuery(db, clinicId).where('a.id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Appointment');
  return row;
}

/** The language an appointment's e-mails are in: the one chosen when booking, else the patient's. */
export const appointmentLang = (row: Pick<AppointmentRow, 'lang'>, patientLang: string): Lang => normalizeLang(row.lang || patientLang);

/** A provider's booked appointments from `from` on (its private feed), up to 1000. */
export async function providerAppointments(db: Db, clinicId: string, providerId: string, from: Date) {
  await getProvider(db, clinicId, providerId);
  return appointmentQuery(db, clinicId).where('a.provider_id', '=', providerId).where('a.status', '=', 'booked').where('a.ends_at', '>', from.toISOString()).orderBy('a.starts_at').limit(1000).execute();
}
