/**
 * Patient sign-in inside the widget: a 6-digit code e-mailed to the enrolled address, checked with
 * the date of birth. Codes are stored hashed, expire after 10 minutes and allow 5 attempts each;
 * an account (an e-mail address, enrolled or not) gets at most 10 attempts and 5 codes per 15
 * minutes, from any number of addresses. The answer to "send me a code" is the same whether or not
 * the address is enrolled, and a new code leaves earlier ones valid: whoever knows a patient's
 * e-mail cannot keep them from signing in by asking for codes.
 */
import { createHmac, randomInt, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { ClinicRow, Database } from '../db/schema.js';
import type { Lang } from '../../shared/lang.js';
import { clinicCipher } from './clinics.js';
import type { Keyring } from './crypto.js';
import { AppError } from './errors.js';
import { runAction, type ActionStore } from './action.js';
import { signInCodeNotice } from './notices.js';
import { enforceLimits, type Limit } from './rate-limits.js';
import { findPatientByEmail, getPatient } from './patients.js';
import { MINUTE, isoIn } from './time.js';

export const CODE_TTL_MS = 10 * MINUTE;
export const MAX_ATTEMPTS = 5;
/** Per account, whatever the network address: guesses across codes, and codes asked for. */
export const ACCOUNT_ATTEMPTS: Omit<Limit, 'key'> = { max: 10, windowMs: 15 * MINUTE };
export const ACCOUNT_CODE_REQUESTS: Omit<Limit, 'key'> = { max: 5, windowMs: 15 * MINUTE };

/** The account a sign-in is for: a keyed hash of the normalised e-mail (never the address itself). */
function accountKey(keyring: Keyring, clinicId: string, email: string): string {
  return createHmac('sha256', keyring.derive('sign-in-account')).update(`${clinicId}|${email.trim().toLowerCase()}`).digest('base64url');
}

function codeHash(keyring: Keyring, challengeId: string, code: string): string {
  return createHmac('sha256', keyring.derive('sign-in-code')).update(`${challengeId}|${code}`).digest('base64url');
}

/**
 * Starts a sign-in: stores the challenge and, if the address is enrolled, a job that e-mails the code
 * (sealed with the clinic key while it waits), in one transaction. The request never waits on SMTP,
 * so enrolled and unknown addresses get the same answer in the same time.
 */
export async function requestCode(deps: ActionStore & { keyring: Keyring }, clinic: ClinicRow, email: string, lang: Lang): Promise<{ challengeId: string; expiresAt: string }> {
  const { db, keyring } = deps;
  const account = accountKey(keyring, clinic.id, email);
  await enforceLimits(db, keyring.derive('rate-limit'), [{ key: `code-request|${account}`, ...ACCOUNT_CODE_REQUESTS }]);
  const cipher = clinicCipher(keyring, clinic);
  const patient = await findPatientByEmail(db, cipher, email);
  const id = randomUUID();
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const expiresAt = isoIn(CODE_TTL_MS);
  await runAction(deps, { kind: 'system', clinicId: clinic.id }, null, async (a) => {
    await a.tx
      .insertInto('login_challenges')
      .values({ id, clinic_id: clinic.id, patient_id: patient?.id ?? null, account_key: account, code_hash: codeHash(keyring, id, code), attempts: 0, expires_at: expiresAt, used_at: null, created_at: new Date().toISOString() })
      .execute();
    // In the language the patient is reading the widget in right now.
    if (patient) a.enqueue(signInCodeNotice(clinic.id, patient.id, cipher.encrypt(code, 'sign-in.code'), lang, expiresAt));
  });
  return { challengeId: id, expiresAt };
}

/** Finishes a sign-in; returns the patient's id, or throws a specific 4xx. */
export async function verifyCode(
  deps: { db: Kysely<Database>; keyring: Keyring },
  challengeId: string,
  code: string,
  dateOfBirth: string,
): Promise<{ clinic: ClinicRow; patientId: string }> {
  const { db, keyring } = deps;
  const invalid = new AppError(401, 'invalid_code', 'That code and date of birth do not match');
  const challenge = await db.selectFrom('login_challenges').selectAll().where('id', '=', challengeId).executeTakeFirst();
  if (!challenge || challenge.used_at) throw invalid;
  if (Date.now() >= Date.parse(challenge.expires_at)) throw new AppError(410, 'code_expired', 'This code has expired; request a new one');
  await enforceLimits(db, keyring.derive('rate-limit'), [{ key: `code-check|${challenge.account_key ?? challenge.id}`, ...ACCOUNT_ATTEMPTS }]);
  // Count the attempt before checking it, atomically, so parallel guesses cannot exceed the limit.
  const counted = await db
    .updateTable('login_challenges')
    .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
    .where('id', '=', challengeId)
    .where('attempts', '<', MAX_ATTEMPTS)
    .executeTakeFirst();
  if (Number(counted.numUpdatedRows) === 0) throw new AppError(429, 'code_locked', 'Too many attempts; request a new code');
  const expected = Buffer.from(challenge.code_hash);
  const given = Buffer.from(codeHash(keyring, challengeId, code));
  const codeOk = expected.length === given.length && timingSafeEqual(expected, given);
  if (!codeOk || !challenge.patient_id) throw invalid;
  const clinic = await db.selectFrom('clinics').selectAll().where('id', '=', challenge.clinic_id).executeTakeFirstOrThrow();
  const patient = await getPatient(db, clinicCipher(keyring, clinic), challenge.patient_id);
  if (patient.dateOfBirth !== dateOfBirth) throw invalid;
  // Signed in: this patient's other open codes are spent too.
  await db.updateTable('login_challenges').set({ used_at: new Date().toISOString() }).where('patient_id', '=', patient.id).where('used_at', 'is', null).execute();
  return { clinic, patientId: patient.id };
}
