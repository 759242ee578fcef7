/**
 * Booking set-up, as staff edit it: the clinic's rules, providers, appointment types, weekly hours
 * and exceptions. Plain functions over a database or transaction, scoped by the caller's clinic; a
 * record of another clinic is "not found".
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { BookingProviderRow, BookingTypeRow, Database } from '../../db/schema.js';
import type { AppointmentType, BookingException, BookingRules, NewAppointmentType, NewBookingException, NewProvider, NewWeeklyHours, Provider, ProviderPatch, WeeklyHours } from '../../../shared/booking.js';
import { AppError, notFound } from '../errors.js';
import { getMessagingSettings } from '../messaging-settings.js';
import { rruleDays, weeklyRrule } from './slots.js';
import { currentVersionId } from '../questionnaires.js';

type Db = Kysely<Database>;

/** What a clinic starts with: two hours' notice, two months ahead, reminders two days and two hours before. */
export const DEFAULT_BOOKING_RULES: BookingRules = {
  enabled: true,
  minNoticeMinutes: 120,
  horizonDays: 60,
  maxUpcomingPerPatient: 3,
  cancelCutoffHours: 24,
  slotStepMinutes: 15,
  reminderMinutesBefore: [2 * 24 * 60, 120],
  reminderChannel: 'email',
};

/** The clinic's booking rules (defaults until an admin saves them). */
export async function getBookingRules(db: Db, clinicId: string): Promise<BookingRules> {
  const row = await db.selectFrom('booking_settings').select('settings').where('clinic_id', '=', clinicId).executeTakeFirst();
  return row ? { ...DEFAULT_BOOKING_RULES, ...(JSON.parse(row.settings) as Partial<BookingRules>) } : DEFAULT_BOOKING_RULES;
}

/** Saves the clinic's booking rules. */
export async function saveBookingRules(db: Db, clinicId: string, rules: BookingRules): Promise<BookingRules> {
  const settings = JSON.stringify(rules);
  const updated_at = new Date().toISOString();
  await db.insertInto('booking_settings').values({ clinic_id: clinicId, settings, updated_at }).onConflict((oc) => oc.column('clinic_id').doUpdateSet({ settings, updated_at })).execute();
  return rules;
}

/** The clinic's time zone: the one its messaging settings name (America/Toronto unless set). */
export async function clinicTimeZone(db: Db, clinicId: string): Promise<string> {
  return (await getMessagingSettings(db, clinicId)).timeZone;
}

// --- providers ------------------------------------------------------------------------------

/** A provider row as the API shows it. */
export function toProvider(r: BookingProviderRow): Provider {
  return { id: r.id, name: r.name, staffId: r.staff_id, active: Number(r.active) === 1, feed: r.feed_token_hash !== null };
}

/** The clinic's providers, by name. */
export async function listProviders(db: Db, clinicId: string, opts: { activeOnly?: boolean } = {}): Promise<Provider[]> {
  let q = db.selectFrom('booking_providers').selectAll().where('clinic_id', '=', clinicId);
  if (opts.activeOnly) q = q.where('active', '=', 1);
  return (await q.orderBy('name').orderBy('id').execute()).map(toProvider);
}

/** One provider of the clinic, or 404. */
export async function getProvider(db: Db, clinicId: string, id: string): Promise<BookingProviderRow> {
  const row = await db.selectFrom('booking_providers').selectAll().where('clinic_id', '=', clinicId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Provider');
  return row;
}

async function checkStaff(db: Db, clinicId: string, staffId: string | null | undefined): Promise<void> {
  if (!staffId) return;
  const staff = await db.selectFrom('staff').select('id').where('clinic_id', '=', clinicId).where('id', '=', staffId).executeTakeFirst();
  if (!staff) throw notFound('Staff member');
}

/** Adds a provider. */
export async function addProvider(db: Db, clinicId: string, p: NewProvider): Promise<Provider> {
  await checkStaff(db, clinicId, p.staffId);
  const row: BookingProviderRow = { id: randomUUID(), clinic_id: clinicId, staff_id: p.staffId ?? null, name: p.name.trim(), active: p.active === false ? 0 : 1, feed_token_hash: null, created_at: new Date().toISOString() };
  await db.insertInto('booking_providers').values(row).execute();
  return toProvider(row);
}

/** Renames, links or (de)activates a provider. */
export async function updateProvider(db: Db, clinicId: string, id: string, p: ProviderPatch): Promise<Provider> {
  await getProvider(db, clinicId, id);
  await checkStaff(db, clinicId, p.staffId);
  await db
    .updateTable('booking_providers')
    .set({ ...(p.name !== undefined ? { name: p.name.trim() } : {}), ...(p.staffId !== undefined ? { staff_id: p.staffId } : {}), ...(p.active !== undefined ? { active: p.active ? 1 : 0 } : {}) })
    .where('clinic_id', '=', clinicId)
    .where('id', '=', id)
    .execute();
  return toProvider(await getProvider(db, clinicId, id));
}

/** The hash a feed token is kept as. */
export const feedTokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

/** Makes a new private feed token for the provider (the old one stops working); returns the token, shown once. */
export async function renewFeedToken(db: Db, clinicId: string, id: string): Promise<string> {
  await getProvider(db, clinicId, id);
  const token = randomBytes(32).toString('base64url');
  await db.updateTable('booking_providers').set({ feed_token_hash: feedTokenHash(token) }).where('clinic_id', '=', clinicId).where('id', '=', id).execute();
  return token;
}

/** Revokes the provider's feed. */
export async function revokeFeedToken(db: Db, clinicId: string, id: string): Promise<void> {
  await getProvider(db, clinicId, id);
  await db.updateTable('booking_providers').set({ feed_token_hash: null }).where('clinic_id', '=', clinicId).where('id', '=', id).execute();
}

// --- appointment types ----------------------------------------------------------------------

/** A type row as the API shows it. */
export function toType(r: BookingTypeRow): AppointmentType {
  return {
    id: r.id,
    name: { en: r.name_en, fr: r.name_fr },
    durationMinutes: r.duration_minutes,
    mode: r.mode,
    location: r.location,
    bufferBeforeMinutes: r.buffer_before_minutes,
    bufferAfterMinutes: r.buffer_after_minutes,
    existingPatientsOnly: Number(r.existing_patients_only) === 1,
    providerIds: JSON.parse(r.provider_ids) as string[],
    active: Number(r.active) === 1,
    questionnaireId: r.questionnaire_id,
  };
}

/** The clinic's appointment types, oldest first. */
export async function listTypes(db: Db, clinicId: string, opts: { activeOnly?: boolean } = {}): Promise<AppointmentType[]> {
  let q = db.selectFrom('booking_types').selectAll().where('clinic_id', '=', clinicId);
  if (opts.activeOnly) q = q.where('active', '=', 1);
  return (await q.orderBy('created_at').orderBy('id').execute()).map(toType);
}

/** One type of the clinic, or 404. */
export async function getType(db: Db, clinicId: string, id: string): Promise<AppointmentType> {
  const row = await db.selectFrom('booking_types').selectAll().where('clinic_id', '=', clinicId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Appointment type');
  return toType(row);
}

/** The row's columns for `t`; `staffId` is who chose its questionnaire, when that changes. */
async function typeColumns(db: Db, clinicId: string, t: NewAppointmentType, staffId: string | null, before?: AppointmentType) {
  for (const id of t.providerIds) await getProvider(db, clinicId, id);
  const questionnaireId = t.questionnaireId ?? null;
  if (questionnaireId && !(await currentVersionId(db, clinicId, questionnaireId))) throw notFound('Questionnaire');
  if (questionnaireId && !staffId) throw new Error('a questionnaire is chosen by a staff member');
  return {
    name_en: t.name.en.trim(),
    name_fr: t.name.fr.trim(),
    duration_minutes: t.durationMinutes,
    mode: t.mode,
    location: t.location.trim(),
    buffer_before_minutes: t.bufferBeforeMinutes,
    buffer_after_minutes: t.bufferAfterMinutes,
    existing_patients_only: t.existingPatientsOnly ? 1 : 0,
    provider_ids: JSON.stringify([...new Set(t.providerIds)]),
    active: t.active ? 1 : 0,
    // A client that leaves the field out keeps the type's questionnaire (and who chose it).
    ...(t.questionnaireId === undefined ? {} : { questionnaire_id: questionnaireId, ...(questionnaireId !== (before?.questionnaireId ?? null) ? { questionnaire_set_by: questionnaireId ? staffId : null } : {}) }),
  };
}

/** Adds an appointment type; `staffId` is the admin adding it (null: set up by the system, with no questionnaire). */
export async function addType(db: Db, clinicId: string, t: NewAppointmentType, staffId: string | null): Promise<AppointmentType> {
  const id = randomUUID();
  await db.insertInto('booking_types').values({ id, clinic_id: clinicId, created_at: new Date().toISOString(), ...(await typeColumns(db, clinicId, t, staffId)) }).execute();
  return getType(db, clinicId, id);
}

/** Replaces an appointment type (booked appointments keep their times); `staffId` is the admin changing it. */
export async function replaceType(db: Db, clinicId: string, id: string, t: NewAppointmentType, staffId: string): Promise<AppointmentType> {
  const before = await getType(db, clinicId, id);
  await db.updateTable('booking_types').set(await typeColumns(db, clinicId, t, staffId, before)).where('clinic_id', '=', clinicId).where('id', '=', id).execute();
  return getType(db, clinicId, id);
}

/** True when the provider offers the type. */
export const offers = (type: AppointmentType, providerId: string) => type.providerIds.length === 0 || type.providerIds.includes(providerId);

// --- weekly hours and exceptions ------------------------------------------------------------

/** The clinic's weekly hours, by provider. */
export async function listHours(db: Db, clinicId: string, providerId?: string): Promise<WeeklyHours[]> {
  let q = db.selectFrom('booking_hours').selectAll().where('clinic_id', '=', clinicId);
  if (providerId) q = q.where('provider_id', '=', providerId);
  const rows = await q.orderBy('provider_id').orderBy('start_time').orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, providerId: r.provider_id, days: rruleDays(r.rrule), start: r.start_time, end: r.end_time, rrule: r.rrule }));
}

/** Adds weekly hours for a provider (kept as an RRULE). */
export async function addHours(db: Db, clinicId: string, h: NewWeeklyHours): Promise<WeeklyHours> {
  await getProvider(db, clinicId, h.providerId);
  if (h.start >= h.end) throw new AppError(400, 'invalid_range', `${h.start}–${h.end} ends before it starts`);
  const row = { id: randomUUID(), clinic_id: clinicId, provider_id: h.providerId, rrule: weeklyRrule(h.days), start_time: h.start, end_time: h.end, created_at: new Date().toISOString() };
  await db.insertInto('booking_hours').values(row).execute();
  return { id: row.id, providerId: h.providerId, days: rruleDays(row.rrule), start: h.start, end: h.end, rrule: row.rrule };
}

/** Removes weekly hours (booked appointments stay). */
export async function removeHours(db: Db, clinicId: string, id: string): Promise<void> {
  const r = await db.deleteFrom('booking_hours').where('clinic_id', '=', clinicId).where('id', '=', id).executeTakeFirst();
  if (Number(r.numDeletedRows) === 0) throw notFound('Hours');
}

/** Exceptions that end after `from` (all of the clinic's, or those touching one provider). */
export async function listExceptions(db: Db, clinicId: string, from: Date, providerId?: string): Promise<BookingException[]> {
  let q = db.selectFrom('booking_exceptions').selectAll().where('clinic_id', '=', clinicId).where('ends_at', '>', from.toISOString());
  if (providerId) q = q.where((eb) => eb.or([eb('provider_id', '=', providerId), eb('provider_id', 'is', null)]));
  const rows = await q.orderBy('starts_at').orderBy('id').execute();
  return rows.map((r) => ({ id: r.id, providerId: r.provider_id, startsAt: r.starts_at, endsAt: r.ends_at, label: r.label }));
}

/** Blocks time for one provider or the whole clinic. */
export async function addException(db: Db, clinicId: string, x: NewBookingException): Promise<BookingException> {
  if (x.providerId) await getProvider(db, clinicId, x.providerId);
  const startsAt = new Date(x.startsAt).toISOString();
  const endsAt = new Date(x.endsAt).toISOString();
  if (startsAt >= endsAt) throw new AppError(400, 'invalid_range', 'The blocked time ends before it starts');
  const row = { id: randomUUID(), clinic_id: clinicId, provider_id: x.providerId, starts_at: startsAt, ends_at: endsAt, label: (x.label ?? '').trim(), created_at: new Date().toISOString() };
  await db.insertInto('booking_exceptions').values(row).execute();
  return { id: row.id, providerId: row.provider_id, startsAt, endsAt, label: row.label };
}

/** Removes an exception. */
export async function removeException(db: Db, clinicId: string, id: string): Promise<void> {
  const r = await db.deleteFrom('booking_exceptions').where('clinic_id', '=', clinicId).where('id', '=', id).executeTakeFirst();
  if (Number(r.numDeletedRows) === 0) throw notFound('Exception');
}
