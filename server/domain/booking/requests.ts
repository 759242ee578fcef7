/**
 * Booking requests from new patients. A visitor who is not a patient of the clinic picks a slot of a
 * type open to new patients and sends who they are (name, date of birth, e-mail, optional phone and
 * health card number: no reason for the visit, so no health information beyond what enrolment needs).
 * The details are sealed under the clinic's key like patient details; staff approve (the patient is
 * linked by the blind index of the e-mail or health number, or enrolled, and the appointment booked,
 * in one action) or decline. Each step is one action with its audit rows and its e-mail job.
 *
 * Why a pending request holds its slot: without it, the time a requester chose could be booked by
 * someone else while the request waits, and approval would fail at the very time the requester was
 * promised. So the request keeps its time (its type's buffers included) from other bookings, waitlist
 * offers and other requests, exactly like a waitlist hold (holds.ts reads both) — but only for
 * REQUEST_HOLD_HOURS, and never into the clinic's notice window, so a request nobody looks at does not
 * block a slot for ever. Once the hold has lapsed the request stays pending; approving it then books
 * the time if it is still free, and otherwise answers 409 `slot_taken`, so staff see it and approve it
 * at another time (`startsAt`/`providerId` in the approval) instead of failing silently.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { BookingRequestRow, Database, JobRow } from '../../db/schema.js';
import type { ApproveBookingRequest, BookingOptions, BookingRequestQuery, BookingRequestReceipt, DeclineBookingRequest, NewBookingRequest, StaffAppointment, StaffBookingRequest } from '../../../shared/booking.js';
import { translate } from '../../../shared/i18n-all.js';
import { normalizeLang } from '../../../shared/lang.js';
import { runAction, type ActionStore } from '../action.js';
import { clinicCipher, getClinic, getClinicBySlug } from '../clinics.js';
import type { ClinicCipher } from '../crypto.js';
import { AppError, notFound } from '../errors.js';
import type { NewJob } from '../jobs.js';
import { PermanentJobError, type JobEnv } from '../notices.js';
import { enrolPatient, patientNames } from '../patients.js';
import { healthNumberToken } from '../patient-search.js';
import type { StaffPrincipal, SystemActor } from '../principal.js';
import { enforceLimits } from '../rate-limits.js';
import { normalizeEmail } from '../staff.js';
import { HOUR, MINUTE } from '../time.js';
import { assertOpen, bookableProviders, bookableType, bookInAction, claiming, getAppointment } from './appointments.js';
import { checkHolds, lockProvider } from './holds.js';
import { clinicTimeZone, getBookingRules, getProvider, getType, listProviders, listTypes, offers } from './setup.js';
import { occupiedRange } from './slots.js';

type Db = Kysely<Database>;

/** How long a pending request keeps its time from others (less when the slot's notice window starts sooner). */
export const REQUEST_HOLD_HOURS = 72;
/** The e-mail to the requester: received, or declined (approval sends the booking confirmation). */
export const REQUEST_MAIL_JOB = 'mail.booking-request';
/** Requests per e-mail address per clinic per day (on top of the per-address limit of the route). */
const REQUESTS_PER_EMAIL = { max: 3, windowMs: 24 * HOUR };

const PURPOSE = 'booking.request';
const DECLINE_PURPOSE = 'booking.request.decline';

interface RequestDetails {
  name: string;
  dateOfBirth: string;
  email: string;
  phone: string | null;
  healthNumber: string | null;
}

const slotTaken = () => new AppError(409, 'slot_taken', 'That time was just booked; choose another one');
const decided = () => new AppError(409, 'request_decided', 'This request has already been approved or declined');

/** A real date, not in the future, not absurdly old (as at enrolment; the field is named for the form). */
function checkDateOfBirth(iso: string, now: Date): void {
  const d = new Date(`${iso}T00:00:00Z`);
  const bad = (why: string) => new AppError(400, 'invalid_date_of_birth', why, { field: 'dateOfBirth' });
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== iso) throw bad('Date of birth is not a real date');
  if (d.getTime() > now.getTime()) throw bad('Date of birth cannot be in the future');
  if (d.getUTCFullYear() < 1880) throw bad('Date of birth is too far in the past');
}

const open = (cipher: ClinicCipher, row: Pick<BookingRequestRow, 'details_enc'>) => JSON.parse(cipher.decrypt(row.details_enc, PURPOSE)) as RequestDetails;

/**
 * What a visitor may request at the clinic of a public address: the active types open to new patients
 * that an active provider offers, and only those providers (a type nobody offers would show no times).
 */
export async function newPatientBookingOptions(db: Db, slug: string): Promise<BookingOptions> {
  const clinic = await getClinicBySlug(db, slug);
  const rules = await getBookingRules(db, clinic.id);
  const providers = await listProviders(db, clinic.id, { activeOnly: true });
  const types = (await listTypes(db, clinic.id, { activeOnly: true })).filter((t) => !t.existingPatientsOnly && providers.some((p) => offers(t, p.id)));
  const used = providers.filter((p) => types.some((t) => offers(t, p.id)));
  return {
    enabled: rules.enabled,
    timeZone: await clinicTimeZone(db, clinic.id),
    clinicName: clinic.name,
    cancelCutoffHours: rules.cancelCutoffHours,
    horizonDays: rules.horizonDays,
    types: types.map((t) => ({ id: t.id, name: t.name, durationMinutes: t.durationMinutes, mode: t.mode, location: t.location, providerIds: used.filter((p) => offers(t, p.id)).map((p) => p.id) })),
    providers: used.map((p) => ({ id: p.id, name: p.name })),
  };
}

/**
 * A visitor's request for a slot (no session: the clinic comes from its public address). Refuses a type
 * for existing patients only (409 `existing_patients_only`), a time the rules do not open, and a time
 * booked, held or requested by someone else (409 `slot_taken`).
 */
export async function createBookingRequest(store: ActionStore, slug: string, requestId: string | null, input: NewBookingRequest, now = new Date()): Promise<BookingRequestReceipt> {
  const clinic = await getClinicBySlug(store.db, slug);
  const clinicId = clinic.id;
  const type = await bookableType(store.db, clinicId, input.typeId);
  if (type.existingPatientsOnly) throw new AppError(409, 'existing_patients_only', 'This type of visit is for patients of the clinic only', { field: 'typeId' });
  await bookableProviders(store.db, clinicId, type, input.providerId);
  checkDateOfBirth(input.dateOfBirth, now);
  const start = new Date(input.startsAt);
  await assertOpen(store.db, clinicId, type, input.providerId, start, now);
  const rules = await getBookingRules(store.db, clinicId);
  const cipher = clinicCipher(store.keyring, clinic);
  const email = normalizeEmail(input.email);
  await enforceLimits(store.db, store.keyring.derive('rate-limit'), [{ key: `booking-request|${clinicId}|${email}`, ...REQUESTS_PER_EMAIL }]);
  const details: RequestDetails = { name: input.name.trim(), dateOfBirth: input.dateOfBirth, email, phone: input.phone ?? null, healthNumber: input.healthNumber?.toUpperCase() ?? null };
  const busy = occupiedRange(start, type);
  const expires = Math.min(now.getTime() + REQUEST_HOLD_HOURS * HOUR, start.getTime() - rules.minNoticeMinutes * MINUTE);
  const at = now.toISOString();
  const row: BookingRequestRow = {
    id: randomUUID(),
    clinic_id: clinicId,
    type_id: type.id,
    provider_id: input.providerId,
    starts_at: start.toISOString(),
    ends_at: new Date(start.getTime() + type.durationMinutes * MINUTE).toISOString(),
    busy_from: busy.start.toISOString(),
    busy_to: busy.end.toISOString(),
    hold_expires_at: new Date(expires).toISOString(),
    details_enc: cipher.encrypt(JSON.stringify(details), PURPOSE),
    email_index: cipher.blindIndex(email, 'patient.email'),
    lang: input.lang ?? 'en',
    status: 'pending',
    patient_id: null,
    appointment_id: null,
    decided_by: null,
    decline_message_enc: null,
    created_at: at,
    updated_at: at,
  };
  const system: SystemActor = { kind: 'system', clinicId };
  await runAction(store, system, requestId, async (a) => {
    // Exclusive, like a waitlist offer: bookings in flight finish first (their units are then seen
    // here), and later ones wait for this and then find the request in checkHolds.
    await lockProvider(a, clinicId, input.providerId, 'exclusive');
    const booked = await a.tx
      .selectFrom('appointment_slots')
      .select('unit_start')
      .where('clinic_id', '=', clinicId)
      .where('provider_id', '=', input.providerId)
      .where('unit_start', '>=', row.busy_from)
      .where('unit_start', '<', row.busy_to)
      .limit(1)
      .executeTakeFirst();
    if (booked) throw slotTaken();
    // No patient holds anything here: any active hold or other request on this time refuses it.
    await checkHolds(a, { clinicId, providerId: input.providerId, patientId: '', typeId: type.id, startsAt: row.starts_at, busy, now });
    await a.tx.insertInto('booking_requests').values(row).execute();
    a.audit({ action: 'booking-request.create', target: `booking-request:${row.id}` });
    a.enqueue(requestMail(clinicId, row.id, 'received'));
  });
  return { status: 'pending', startsAt: row.starts_at };
}

const requestMail = (clinicId: string, id: string, which: 'received' | 'declined'): NewJob => ({
  kind: REQUEST_MAIL_JOB,
  clinicId,
  payload: { requestId: id, which },
  dedupeKey: `${REQUEST_MAIL_JOB}:${id}:${which}`,
});

/** The patient of the clinic with the request's e-mail, else with its health number (blind indexes only). */
async function matchPatient(db: Db, cipher: ClinicCipher, row: Pick<BookingRequestRow, 'email_index'>, d: RequestDetails): Promise<{ patientId: string; by: 'email' | 'healthNumber' } | null> {
  const byEmail = await db.selectFrom('patients').select('id').where('clinic_id', '=', cipher.clinicId).where('email_index', '=', row.email_index).executeTakeFirst();
  if (byEmail) return { patientId: byEmail.id, by: 'email' };
  if (!d.healthNumber) return null;
  const byHealth = await db
    .selectFrom('patient_search')
    .select('patient_id')
    .where('clinic_id', '=', cipher.clinicId)
    .where('token', '=', healthNumberToken(cipher, d.healthNumber))
    .orderBy('patient_id')
    .executeTakeFirst();
  return byHealth ? { patientId: byHealth.patient_id, by: 'healthNumber' } : null;
}

/** One request of the clinic, or 404 (another clinic's too). */
async function requestRow(db: Db, clinicId: string, id: string): Promise<BookingRequestRow> {
  const row = await db.selectFrom('booking_requests').selectAll().where('clinic_id', '=', clinicId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Booking request');
  return row;
}

/** The clinic's requests (pending by default), oldest first; reading the requesters' details is audited. */
export async function listBookingRequests(store: ActionStore, who: StaffPrincipal, requestId: string | null, q: BookingRequestQuery, now = new Date()): Promise<StaffBookingRequest[]> {
  const cipher = clinicCipher(store.keyring, await getClinic(store.db, who.clinicId));
  const timeZone = await clinicTimeZone(store.db, who.clinicId);
  return runAction(store, who, requestId, async (a) => {
    const rows = await a.tx
      .selectFrom('booking_requests as r')
      .innerJoin('booking_types as t', 't.id', 'r.type_id')
      .innerJoin('booking_providers as p', 'p.id', 'r.provider_id')
      .selectAll('r')
      .select(['t.name_en', 't.name_fr', 'p.name as provider_name'])
      .where('r.clinic_id', '=', who.clinicId)
      .where('r.status', '=', q.status ?? 'pending')
      .orderBy('r.created_at', q.status && q.status !== 'pending' ? 'desc' : 'asc')
      .orderBy('r.id')
      .limit(200)
      .execute();
    const out: StaffBookingRequest[] = [];
    for (const r of rows) {
      const d = open(cipher, r);
      const match = r.status === 'pending' ? await matchPatient(a.tx, cipher, r, d) : null;
      out.push({
        id: r.id,
        typeId: r.type_id,
        typeName: { en: r.name_en, fr: r.name_fr },
        providerId: r.provider_id,
        providerName: r.provider_name,
        startsAt: r.starts_at,
        endsAt: r.ends_at,
        timeZone,
        ...d,
        lang: normalizeLang(r.lang),
        status: r.status,
        held: r.status === 'pending' && Date.parse(r.hold_expires_at) > now.getTime(),
        holdExpiresAt: r.hold_expires_at,
        match: match ? { ...match, patientName: (await patientNames(a.tx, cipher, [match.patientId])).get(match.patientId) ?? '' } : null,
        patientId: r.patient_id,
        appointmentId: r.appointment_id,
        createdAt: r.created_at,
      });
    }
    a.audit(rows.map((r) => ({ action: 'booking-request.read', patientId: r.patient_id, target: `booking-request:${r.id}` })));
    return out;
  });
}

/**
 * Approves a pending request: links the patient with the same e-mail or health number, or enrols the
 * requester, and books the appointment (at the requested time, or at the one staff chose), all in one
 * action. Two approvals of one request: the first wins, the other is 409 `request_decided`. A time
 * taken meanwhile is 409 `slot_taken` and the request stays pending.
 */
export async function approveBookingRequest(store: ActionStore, who: StaffPrincipal, requestId: string | null, id: string, input: ApproveBookingRequest, now = new Date()): Promise<StaffAppointment> {
  const clinicId = who.clinicId;
  const cipher = clinicCipher(store.keyring, await getClinic(store.db, clinicId));
  const req = await requestRow(store.db, clinicId, id);
  if (req.status !== 'pending') throw decided();
  const type = await getType(store.db, clinicId, req.type_id);
  if (!type.active) throw new AppError(409, 'slot_unavailable', 'That type of visit is no longer offered');
  const providerId = input.providerId ?? req.provider_id;
  await getProvider(store.db, clinicId, providerId);
  await bookableProviders(store.db, clinicId, type, providerId);
  const startsAt = new Date(input.startsAt ?? req.starts_at).toISOString();
  // Staff decide: the time is held to their rules, not the online ones (the requester's time may be inside the notice window by now).
  await assertOpen(store.db, clinicId, type, providerId, new Date(startsAt), now, 'staff');
  const rules = await getBookingRules(store.db, clinicId);
  const zone = await clinicTimeZone(store.db, clinicId);
  const lang = normalizeLang(req.lang);
  const done = await claiming(() =>
    runAction(store, who, requestId, async (a) => {
      // The claim: of two approvals, the second waits for the first's row lock and then finds it decided.
      const claimed = await a.tx
        .updateTable('booking_requests')
        .set({ status: 'approved', decided_by: who.staffId, updated_at: now.toISOString() })
        .where('clinic_id', '=', clinicId)
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .returningAll()
        .executeTakeFirst();
      if (!claimed) throw decided();
      const d = open(cipher, claimed);
      const match = await matchPatient(a.tx, cipher, claimed, d);
      let patientId = match?.patientId;
      if (!patientId) {
        const patient = await enrolPatient(a.tx, cipher, { name: d.name, dateOfBirth: d.dateOfBirth, email: d.email, phone: d.phone, healthNumber: d.healthNumber, lang });
        patientId = patient.id;
        a.audit({ action: 'patient.enrol', patientId, target: `booking-request:${id}` });
      }
      const appointmentId = await bookInAction(a, who, patientId, type, { typeId: type.id, providerId, startsAt, lang }, { rules, zone, now, request: id });
      await a.tx.updateTable('booking_requests').set({ patient_id: patientId, appointment_id: appointmentId }).where('id', '=', id).execute();
      a.audit({ action: 'booking-request.approve', patientId, target: `booking-request:${id}` });
      return { patientId, appointmentId };
    }),
  );
  const appointment = await getAppointment(store.db, clinicId, done.appointmentId, { now });
  const name = (await patientNames(store.db, cipher, [done.patientId])).get(done.patientId) ?? '';
  return { ...appointment, patientId: done.patientId, patientName: name };
}

/** Declines a pending request (its time is free again) and e-mails the requester, with the optional note. */
export async function declineBookingRequest(store: ActionStore, who: StaffPrincipal, requestId: string | null, id: string, input: DeclineBookingRequest, now = new Date()): Promise<void> {
  const clinicId = who.clinicId;
  const cipher = clinicCipher(store.keyring, await getClinic(store.db, clinicId));
  await requestRow(store.db, clinicId, id);
  const message = input.message?.trim() ?? '';
  await runAction(store, who, requestId, async (a) => {
    const row = await a.tx
      .updateTable('booking_requests')
      .set({ status: 'declined', decided_by: who.staffId, decline_message_enc: message ? cipher.encrypt(message, DECLINE_PURPOSE) : null, updated_at: now.toISOString() })
      .where('clinic_id', '=', clinicId)
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .returning('id')
      .executeTakeFirst();
    if (!row) throw decided();
    a.audit({ action: 'booking-request.decline', target: `booking-request:${id}` });
    a.enqueue(requestMail(clinicId, id, 'declined'));
  });
}

/**
 * The requester's e-mail: "received" (clinic name only), or "declined" (politely, with the staff
 * member's note if any). In the language of the request; no type, provider or health information.
 */
export async function runRequestMail(job: JobRow, env: JobEnv): Promise<void> {
  const p = JSON.parse(job.payload) as { requestId: string; which: 'received' | 'declined' };
  const clinicId = job.clinic_id!;
  const row = await env.db.selectFrom('booking_requests').selectAll().where('clinic_id', '=', clinicId).where('id', '=', p.requestId).executeTakeFirst();
  if (!row) throw new PermanentJobError('request_gone');
  const clinic = await getClinic(env.db, clinicId);
  const cipher = clinicCipher(env.keyring, clinic);
  const d = open(cipher, row);
  const lang = normalizeLang(row.lang);
  const note = p.which === 'declined' && row.decline_message_enc ? cipher.decrypt(row.decline_message_enc, DECLINE_PURPOSE) : '';
  const vars = { clinic: clinic.name, note: note ? translate(lang, 'mail.bookingRequest.note', { note }) : '' };
  await env.mailer.send({
    clinicId,
    to: d.email,
    subject: translate(lang, `mail.bookingRequest.${p.which}.subject`, vars),
    text: translate(lang, `mail.bookingRequest.${p.which}.body`, vars).replace(/\n{3,}/g, '\n\n'),
    messageId: `<${job.id}@${env.config.publicUrl.hostname}>`,
  });
}
