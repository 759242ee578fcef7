/**
 * Patients, enrolled by their clinic. Identifying details are health information: they are stored
 * encrypted as one JSON blob, with a keyed hash of the e-mail for sign-in look-ups and blind-indexed
 * search tokens (patient-search.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, PatientRow } from '../db/schema.js';
import type { Patient, PatientDetails, PatientPage, PatientPatch, PatientQuery } from '../../shared/api.js';
import { normalizeLang } from '../../shared/lang.js';
import type { ClinicCipher } from './crypto.js';
import { AppError, notFound } from './errors.js';
import { decodeCursor, pageOf } from './keyset-cursor.js';
import { SEARCH_VERSION, indexPatient, queryTokens } from './patient-search.js';
import { normalizeEmail } from './staff.js';

const PURPOSE = 'patient.details';

interface StoredDetails {
  name: string;
  dateOfBirth: string;
  email: string;
  phone: string | null;
  /** E.164 mobile number for text messages (absent in details sealed before it existed). */
  mobile?: string | null;
  healthNumber: string | null;
}

function checkDateOfBirth(iso: string): void {
  const d = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== iso) throw new AppError(400, 'invalid_date_of_birth', 'Date of birth is not a real date');
  if (d.getTime() > Date.now()) throw new AppError(400, 'invalid_date_of_birth', 'Date of birth cannot be in the future');
  if (d.getUTCFullYear() < 1880) throw new AppError(400, 'invalid_date_of_birth', 'Date of birth is too far in the past');
}

function decode(cipher: ClinicCipher, row: PatientRow): Patient {
  const d = JSON.parse(cipher.decrypt(row.details_enc, PURPOSE)) as StoredDetails;
  return { id: row.id, ...d, mobile: d.mobile ?? null, smsConsentAt: row.sms_consent_at ?? null, lang: normalizeLang(row.lang), consentedAt: row.consented_at, createdAt: row.created_at };
}

function seal(cipher: ClinicCipher, d: StoredDetails): { details_enc: string; email_index: string } {
  return { details_enc: cipher.encrypt(JSON.stringify(d), PURPOSE), email_index: cipher.blindIndex(normalizeEmail(d.email), 'patient.email') };
}

async function assertEmailFree(db: Kysely<Database>, cipher: ClinicCipher, email: string, exceptId?: string): Promise<void> {
  let q = db.selectFrom('patients').select('id').where('clinic_id', '=', cipher.clinicId).where('email_index', '=', cipher.blindIndex(normalizeEmail(email), 'patient.email'));
  if (exceptId) q = q.where('id', '!=', exceptId);
  if (await q.executeTakeFirst()) throw new AppError(409, 'email_taken', 'Another patient of this clinic already uses this e-mail address');
}

/** Enrols a patient in the cipher's clinic. */
export async function enrolPatient(db: Kysely<Database>, cipher: ClinicCipher, input: PatientDetails): Promise<Patient> {
  checkDateOfBirth(input.dateOfBirth);
  await assertEmailFree(db, cipher, input.email);
  const now = new Date().toISOString();
  const details: StoredDetails = {
    name: input.name.trim(),
    dateOfBirth: input.dateOfBirth,
    email: normalizeEmail(input.email),
    phone: input.phone ?? null,
    mobile: input.mobile ?? null,
    healthNumber: input.healthNumber?.toUpperCase() ?? null,
  };
  const row: PatientRow = {
    id: randomUUID(),
    clinic_id: cipher.clinicId,
    ...seal(cipher, details),
    lang: input.lang ?? 'en',
    consented_at: null,
    consent_text: null,
    sms_consent_at: input.smsConsent && details.mobile ? now : null,
    search_version: SEARCH_VERSION,
    created_at: now,
    updated_at: now,
  };
  await db.insertInto('patients').values(row).execute();
  await indexPatient(db, cipher, row.id, details);
  return decode(cipher, row);
}

/** One patient of the clinic, or 404 (also for another clinic's patient). */
export async function getPatient(db: Kysely<Database>, cipher: ClinicCipher, id: string): Promise<Patient> {
  const row = await db.selectFrom('patients').selectAll().where('clinic_id', '=', cipher.clinicId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Patient');
  return decode(cipher, row);
}

/**
 * One page of the clinic's patients matching `q` (name-word prefixes, or an exact e-mail or health
 * number), most recently enrolled first. Matching goes through the blind index and pages by keyset:
 * only the page's rows are decrypted.
 */
export async function searchPatients(db: Kysely<Database>, cipher: ClinicCipher, { q = '', limit = 50, cursor }: PatientQuery = {}): Promise<PatientPage> {
  const query = queryTokens(cipher, q);
  const tokenIn = (token: string) => db.selectFrom('patient_search').select('patient_id').where('clinic_id', '=', cipher.clinicId).where('token', '=', token);
  let select = db.selectFrom('patients as p').selectAll().where('p.clinic_id', '=', cipher.clinicId);
  if (query) {
    select = select.where((eb) => eb.or([eb.and(query.nameWords.map((t) => eb('p.id', 'in', tokenIn(t)))), ...query.exact.map((t) => eb('p.id', 'in', tokenIn(t)))]));
  } else if (q.trim()) {
    return { patients: [], nextCursor: null }; // only punctuation: nothing to match
  }
  if (cursor) {
    const [at, id] = decodeCursor(cursor) as [string, string];
    select = select.where((eb) => eb.or([eb('p.created_at', '<', at), eb.and([eb('p.created_at', '=', at), eb('p.id', '<', id)])]));
  }
  const rows = await select.orderBy('p.created_at', 'desc').orderBy('p.id', 'desc').limit(limit + 1).execute();
  const page = pageOf(rows, limit, (r) => [r.created_at, r.id]);
  return { patients: page.rows.map((r) => decode(cipher, r)), nextCursor: page.nextCursor };
}

/** A query for the ids of the clinic's patients with a name word starting with each word of `q`; null when `q` has no words. */
export function patientsNamed(db: Kysely<Database>, cipher: ClinicCipher, q: string) {
  const query = queryTokens(cipher, q);
  if (!query) return null;
  let select = db.selectFrom('patients as p').select('p.id').where('p.clinic_id', '=', cipher.clinicId);
  for (const t of query.nameWords) {
    select = select.where('p.id', 'in', db.selectFrom('patient_search').select('patient_id').where('clinic_id', '=', cipher.clinicId).where('token', '=', t));
  }
  return select;
}

/** Indexes patients enrolled before search tokens existed (or under an older recipe); at start-up. */
export async function indexUnsearchedPatients(db: Kysely<Database>, cipherOf: (clinicId: string) => Promise<ClinicCipher>): Promise<number> {
  let done = 0;
  for (;;) {
    const batch = await db.selectFrom('patients').selectAll().where('search_version', '<', SEARCH_VERSION).limit(200).execute();
    if (batch.length === 0) return done;
    for (const row of batch) {
      const cipher = await cipherOf(row.clinic_id);
      await db.transaction().execute(async (tx) => indexPatient(tx, cipher, row.id, decode(cipher, row)));
      done++;
    }
  }
}

/** The names of these patients of the cipher's clinic, by id (others' and unknown ids are left out). */
export async function patientNames(db: Kysely<Database>, cipher: ClinicCipher, ids: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const rows = await db.selectFrom('patients').selectAll().where('clinic_id', '=', cipher.clinicId).where('id', 'in', unique).execute();
  return new Map(rows.map((r) => [r.id, decode(cipher, r).name]));
}

/** Changes some of a patient's details. */
export async function updatePatient(db: Kysely<Database>, cipher: ClinicCipher, id: string, patch: PatientPatch): Promise<Patient> {
  const current = await getPatient(db, cipher, id);
  if (patch.dateOfBirth) checkDateOfBirth(patch.dateOfBirth);
  if (patch.email) await assertEmailFree(db, cipher, patch.email, id);
  const next: StoredDetails = {
    name: patch.name?.trim() ?? current.name,
    dateOfBirth: patch.dateOfBirth ?? current.dateOfBirth,
    email: patch.email ? normalizeEmail(patch.email) : current.email,
    phone: patch.phone !== undefined ? patch.phone : current.phone,
    mobile: patch.mobile !== undefined ? patch.mobile : current.mobile,
    healthNumber: patch.healthNumber !== undefined ? (patch.healthNumber?.toUpperCase() ?? null) : current.healthNumber,
  };
  const now = new Date().toISOString();
  // Consent to texts keeps its first date; withdrawn (or no number left to text), it is cleared.
  const smsConsentAt = !next.mobile || patch.smsConsent === false ? null : patch.smsConsent === true ? (current.smsConsentAt ?? now) : current.smsConsentAt;
  await db
    .updateTable('patients')
    .set({ ...seal(cipher, next), sms_consent_at: smsConsentAt, lang: patch.lang ?? current.lang, updated_at: now })
    .where('clinic_id', '=', cipher.clinicId)
    .where('id', '=', id)
    .execute();
  await indexPatient(db, cipher, id, next);
  return getPatient(db, cipher, id);
}

/** The patient with this e-mail in the cipher's clinic, if any. */
export async function findPatientByEmail(db: Kysely<Database>, cipher: ClinicCipher, email: string): Promise<Patient | null> {
  const row = await db
    .selectFrom('patients')
    .selectAll()
    .where('clinic_id', '=', cipher.clinicId)
    .where('email_index', '=', cipher.blindIndex(normalizeEmail(email), 'patient.email'))
    .executeTakeFirst();
  return row ? decode(cipher, row) : null;
}

/**
 * Whether the patient's recorded consent is to the clinic's current consent text (in either
 * language): when the clinic rewords it, patients are asked again.
 */
export async function hasCurrentConsent(db: Kysely<Database>, clinicId: string, patientId: string): Promise<boolean> {
  const row = await db
    .selectFrom('patients as p')
    .innerJoin('clinics as c', 'c.id', 'p.clinic_id')
    .select(['p.consented_at', 'p.consent_text', 'c.consent_text_en', 'c.consent_text_fr'])
    .where('p.clinic_id', '=', clinicId)
    .where('p.id', '=', patientId)
    .executeTakeFirst();
  return row ? consentIsCurrent(row) : false;
}

/** Whether the consent a patient accepted is the clinic's current text (in either language). */
export function consentIsCurrent(row: { consented_at: string | null; consent_text: string | null; consent_text_en: string; consent_text_fr: string }): boolean {
  return Boolean(row.consented_at && (row.consent_text === row.consent_text_en || row.consent_text === row.consent_text_fr));
}

/** The 403 for a patient action without current consent. */
export function consentRequired(): AppError {
  return new AppError(403, 'consent_required', 'Accept the clinic’s consent to secure messaging before sending anything');
}

/** Refuses a patient action that sends health information without current consent (403 consent_required). */
export async function assertConsent(db: Kysely<Database>, clinicId: string, patientId: string): Promise<void> {
  if (!(await hasCurrentConsent(db, clinicId, patientId))) throw consentRequired();
}

/** Records that the patient accepted the consent text shown to them. */
export async function recordConsent(db: Kysely<Database>, clinicId: string, patientId: string, consentText: string): Promise<void> {
  const now = new Date().toISOString();
  await db.updateTable('patients').set({ consented_at: now, consent_text: consentText, updated_at: now }).where('clinic_id', '=', clinicId).where('id', '=', patientId).execute();
}
