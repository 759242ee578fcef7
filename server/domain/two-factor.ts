/**
 * Staff two-factor sign-in (OWASP ASVS 5.0 chapter 6): an authenticator app (TOTP, RFC 6238) whose
 * secret is sealed with the clinic key, passkeys (WebAuthn), and single-use recovery codes kept only
 * as keyed hashes. A correct password for an account with a factor opens a short-lived pending
 * sign-in (its token hashed here, the token in an HttpOnly cookie); the second factor completes it.
 * Wrong second factors are throttled per account in the shared rate-limit table (a wait, not a lock).
 */
import { createHash, createHmac, randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { Secret, TOTP } from 'otpauth';
import QRCode from 'qrcode';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { ClinicRow, Database, StaffRow } from '../db/schema.js';
import type { SecondFactorMethod, TwoFactorStatus } from '../../shared/api.js';
import type { StaffRole } from '../../shared/roles.js';
import { runAction, type ActionStore, type Tx } from './action.js';
import { recordAudit, type AuditEvent } from './audit.js';
import { clinicCipher, getClinic } from './clinics.js';
import type { Keyring } from './crypto.js';
import { AppError, notFound } from './errors.js';
import type { Actor, StaffPrincipal } from './principal.js';
import { hit, peek } from './rate-limits.js';
import { createSession, revokeSubjectSessions } from './sessions.js';
import { getStaff } from './staff.js';
import { MINUTE, isoIn } from './time.js';

/** How long a password sign-in waits for its second factor. */
export const PENDING_LOGIN_TTL_MS = 5 * MINUTE;
/** How long a WebAuthn challenge may be answered. */
export const CHALLENGE_TTL_MS = 5 * MINUTE;
/** Wrong second factors allowed per account in one window; then 429 until the window ends. */
export const MAX_SECOND_FACTOR_FAILURES = 5;
export const SECOND_FACTOR_WINDOW_MS = 15 * MINUTE;
/** Recovery codes made at a time. */
export const RECOVERY_CODE_COUNT = 10;

const TOTP_PERIOD = 30;
const TOTP_DIGITS = 6;
/** ±1 time step of clock drift between the phone and the server. */
const TOTP_WINDOW = 1;
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** What the two-factor functions need besides the database: the key ring and our public origin (the WebAuthn relying party). */
export interface FactorEnv extends ActionStore {
  keyring: Keyring;
  config: { publicUrl: URL };
}

const totpPurpose = (staffId: string) => `staff.totp:${staffId}`;
const hashToken = (token: string) => createHash('sha256').update(token).digest('base64url');
const throttleKey = (staffId: string) => `second-factor:${staffId}`;
const rp = (env: FactorEnv) => ({ id: env.config.publicUrl.hostname, origin: env.config.publicUrl.origin });
const who = (staff: Pick<StaffRow, 'id' | 'clinic_id' | 'role'>): StaffPrincipal => ({ kind: 'staff', clinicId: staff.clinic_id, staffId: staff.id, role: staff.role });

/** 401 while signing in; 400 when a signed-in person confirms an app (a 401 would read as "your session ended"). */
const invalidCode = (status: 400 | 401 = 401) => new AppError(status, 'invalid_code', 'That code is not valid; check it and try again');
const expired = () => new AppError(401, 'second_factor_expired', 'The sign-in waited too long for its second step; sign in again');
const passkeyFailed = () => new AppError(400, 'passkey_failed', 'The passkey could not be verified');

// --- what an account has ------------------------------------------------------------------

/** The factors a staff member has enrolled. */
async function factorsOf(db: Kysely<Database>, staffId: string): Promise<{ totp: boolean; passkeys: number; recoveryLeft: number }> {
  const [totp, passkeys, codes] = await Promise.all([
    db.selectFrom('staff_totp').select('staff_id').where('staff_id', '=', staffId).where('confirmed_at', 'is not', null).executeTakeFirst(),
    db.selectFrom('staff_passkeys').select((eb) => eb.fn.countAll().as('n')).where('staff_id', '=', staffId).executeTakeFirstOrThrow(),
    db.selectFrom('staff_recovery_codes').select((eb) => eb.fn.countAll().as('n')).where('staff_id', '=', staffId).where('used_at', 'is', null).executeTakeFirstOrThrow(),
  ]);
  return { totp: Boolean(totp), passkeys: Number(passkeys.n), recoveryLeft: Number(codes.n) };
}

/** The second factors a sign-in may be completed with (none: the password alone signs in). */
export async function secondFactorMethods(db: Kysely<Database>, staffId: string): Promise<SecondFactorMethod[]> {
  const f = await factorsOf(db, staffId);
  if (!f.totp && f.passkeys === 0) return [];
  return [...(f.totp ? (['totp'] as const) : []), ...(f.passkeys > 0 ? (['passkey'] as const) : []), ...(f.recoveryLeft > 0 ? (['recovery'] as const) : [])];
}

/** Whether a staff member has an authenticator app or a passkey. */
async function hasFactor(db: Kysely<Database>, staffId: string): Promise<boolean> {
  const totp = await db.selectFrom('staff_totp').select('staff_id').where('staff_id', '=', staffId).where('confirmed_at', 'is not', null).executeTakeFirst();
  return Boolean(totp) || Boolean(await db.selectFrom('staff_passkeys').select('id').where('staff_id', '=', staffId).executeTakeFirst());
}

/**
 * The enabled staff member behind a session, and whether the session is limited to enrolment: the
 * clinic requires two-factor sign-in and this person has no factor yet.
 */
export async function staffAccess(db: Kysely<Database>, clinicId: string, staffId: string): Promise<{ id: string; role: StaffRole; enrolmentOnly: boolean } | undefined> {
  const row = await db
    .selectFrom('staff as s')
    .innerJoin('clinics as c', 'c.id', 's.clinic_id')
    .select(['s.id', 's.role', 'c.require_two_factor'])
    .where('s.id', '=', staffId)
    .where('s.clinic_id', '=', clinicId)
    .where('s.disabled_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  const enrolmentOnly = Number(row.require_two_factor) === 1 && !(await hasFactor(db, staffId));
  return { id: row.id, role: row.role, enrolmentOnly };
}

/** What the account page shows. */
export async function twoFactorStatus(db: Kysely<Database>, clinicId: string, staffId: string): Promise<TwoFactorStatus> {
  const [f, clinic, passkeys] = await Promise.all([
    factorsOf(db, staffId),
    getClinic(db, clinicId),
    db.selectFrom('staff_passkeys').select(['id', 'name', 'created_at', 'last_used_at']).where('staff_id', '=', staffId).orderBy('created_at').execute(),
  ]);
  return {
    required: Number(clinic.require_two_factor) === 1,
    totp: f.totp,
    recoveryCodesLeft: f.recoveryLeft,
    passkeys: passkeys.map((p) => ({ id: p.id, name: p.name, createdAt: p.created_at, lastUsedAt: p.last_used_at })),
  };
}

/** Ids of the clinic's staff who have a second factor (for the staff list). */
export async function staffWithFactor(db: Kysely<Database>, clinicId: string): Promise<Set<string>> {
  const totp = await db.selectFrom('staff_totp').select('staff_id').where('clinic_id', '=', clinicId).where('confirmed_at', 'is not', null).execute();
  const keys = await db.selectFrom('staff_passkeys').select('staff_id').where('clinic_id', '=', clinicId).execute();
  return new Set([...totp, ...keys].map((r) => r.staff_id));
}

/** Refuses to make the clinic require two-factor sign-in while the admin asking has no factor themselves. */
export async function assertMayRequireTwoFactor(db: Kysely<Database>, staffId: string): Promise<void> {
  if (!(await hasFactor(db, staffId))) throw new AppError(409, 'two_factor_setup_first', 'Set up your own second factor before requiring it for everyone');
}

// --- recovery codes ------------------------------------------------------------------------

function recoveryHash(keyring: Keyring, staffId: string, code: string): string {
  return createHmac('sha256', keyring.derive('staff-recovery-code')).update(`${staffId}|${code}`).digest('base64url');
}

/** A code as typed: case, spaces and hyphens do not matter. */
function normalizeRecovery(code: string): string {
  return code.toLowerCase().replace(/[\s-]/g, '');
}

/** Replaces the account's recovery codes with fresh ones; returns them (shown once, never stored). */
async function issueRecoveryCodes(tx: Tx, keyring: Keyring, staffId: string, clinicId: string): Promise<string[]> {
  await tx.deleteFrom('staff_recovery_codes').where('staff_id', '=', staffId).execute();
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const raw = Array.from({ length: 10 }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]).join('');
    return `${raw.slice(0, 5)}-${raw.slice(5)}`;
  });
  const now = new Date().toISOString();
  await tx
    .insertInto('staff_recovery_codes')
    .values(codes.map((c) => ({ id: randomUUID(), staff_id: staffId, clinic_id: clinicId, code_hash: recoveryHash(keyring, staffId, normalizeRecovery(c)), used_at: null, created_at: now })))
    .execute();
  return codes;
}

/** Recovery codes for an account that just got a factor and has none unused; null when it already has some. */
async function firstRecoveryCodes(tx: Tx, keyring: Keyring, staffId: string, clinicId: string): Promise<string[] | null> {
  const left = await tx.selectFrom('staff_recovery_codes').select('id').where('staff_id', '=', staffId).where('used_at', 'is', null).executeTakeFirst();
  return left ? null : issueRecoveryCodes(tx, keyring, staffId, clinicId);
}

/** After a factor is removed: with none left, the recovery codes go too (they would open nothing). */
async function dropCodesIfNoFactor(tx: Tx, staffId: string): Promise<void> {
  if (!(await hasFactor(tx, staffId))) await tx.deleteFrom('staff_recovery_codes').where('staff_id', '=', staffId).execute();
}

/** New recovery codes for the signed-in staff member (the old ones stop working). */
export async function regenerateRecoveryCodes(env: FactorEnv, actor: StaffPrincipal, requestId: string | null): Promise<string[]> {
  return runAction(env, actor, requestId, async (a) => {
    const f = await factorsOf(a.tx, actor.staffId);
    if (!f.totp && f.passkeys === 0) throw new AppError(409, 'no_second_factor', 'Set up an authenticator app or a passkey first');
    a.audit({ action: 'staff.two-factor.recovery-codes', target: `staff:${actor.staffId}` });
    return issueRecoveryCodes(a.tx, env.keyring, actor.staffId, actor.clinicId);
  });
}

// --- authenticator app (TOTP) ----------------------------------------------------------------

function totpFor(secret: Secret, label: string, issuer: string): TOTP {
  return new TOTP({ issuer, label, algorithm: 'SHA1', digits: TOTP_DIGITS, period: TOTP_PERIOD, secret });
}

/** The time step a code belongs to (within ±1 step of now), or null if it matches none. */
function totpStep(secretBase32: string, code: string, now: number): number | null {
  const delta = TOTP.validate({ token: code, secret: Secret.fromBase32(secretBase32), algorithm: 'SHA1', digits: TOTP_DIGITS, period: TOTP_PERIOD, timestamp: now, window: TOTP_WINDOW });
  return delta === null ? null : Math.floor(now / 1000 / TOTP_PERIOD) + delta;
}

/**
 * Starts setting up an authenticator app: a new secret, sealed with the clinic key, not active until
 * a code from it is confirmed. Returns the otpauth URI, its QR code (SVG) and the key for typing in.
 */
export async function startTotp(env: FactorEnv, actor: StaffPrincipal, requestId: string | null): Promise<{ uri: string; secret: string; qrSvg: string }> {
  const [staff, clinic] = await Promise.all([getStaff(env.db, actor.clinicId, actor.staffId), getClinic(env.db, actor.clinicId)]);
  const secret = new Secret({ size: 20 });
  const uri = totpFor(secret, staff.email, clinic.name).toString();
  const sealed = clinicCipher(env.keyring, clinic).encrypt(secret.base32, totpPurpose(staff.id));
  await runAction(env, actor, requestId, async (a) => {
    const active = await a.tx.selectFrom('staff_totp').select('staff_id').where('staff_id', '=', staff.id).where('confirmed_at', 'is not', null).executeTakeFirst();
    if (active) throw new AppError(409, 'totp_active', 'An authenticator app is already set up; remove it first');
    await a.tx.deleteFrom('staff_totp').where('staff_id', '=', staff.id).execute();
    await a.tx.insertInto('staff_totp').values({ staff_id: staff.id, clinic_id: clinic.id, secret_enc: sealed, confirmed_at: null, last_step: null, created_at: new Date().toISOString() }).execute();
    a.audit({ action: 'staff.two-factor.totp-start', target: `staff:${staff.id}` });
  });
  const qrSvg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return { uri, secret: secret.base32, qrSvg };
}

/** Throws 429 while the account has too many recent wrong second factors. */
async function checkThrottle(env: FactorEnv, actor: Actor, staffId: string, action: string, requestId: string | null): Promise<void> {
  const { current, ttl } = await peek(env.db, throttleKey(staffId));
  if (current >= MAX_SECOND_FACTOR_FAILURES) {
    await recordAudit(env, actor, requestId, { action, target: 'throttled', outcome: 'denied' });
    throw new AppError(429, 'second_factor_throttled', `Too many wrong codes; try again in ${Math.max(1, Math.ceil(ttl / MINUTE))} minutes`);
  }
}

/** Counts a wrong second factor and audits it, then throws `error`. */
async function denied(env: FactorEnv, actor: Actor, staffId: string, event: AuditEvent, requestId: string | null, error: AppError): Promise<never> {
  await hit(env.db, throttleKey(staffId), SECOND_FACTOR_WINDOW_MS);
  await recordAudit(env, actor, requestId, { ...event, outcome: 'denied' });
  throw error;
}

/** Confirms the authenticator app with a code from it; returns recovery codes if the account had none. */
export async function confirmTotp(env: FactorEnv, actor: StaffPrincipal, code: string, requestId: string | null): Promise<{ recoveryCodes: string[] | null }> {
  const action = 'staff.two-factor.totp-enable';
  await checkThrottle(env, actor, actor.staffId, action, requestId);
  const row = await env.db.selectFrom('staff_totp').selectAll().where('staff_id', '=', actor.staffId).where('confirmed_at', 'is', null).executeTakeFirst();
  if (!row) throw new AppError(409, 'totp_not_started', 'Start setting up the authenticator app first');
  const clinic = await getClinic(env.db, actor.clinicId);
  const step = totpStep(clinicCipher(env.keyring, clinic).decrypt(row.secret_enc, totpPurpose(actor.staffId)), code, Date.now());
  if (step === null) return denied(env, actor, actor.staffId, { action, target: `staff:${actor.staffId}` }, requestId, invalidCode(400));
  return runAction(env, actor, requestId, async (a) => {
    const done = await a.tx.updateTable('staff_totp').set({ confirmed_at: new Date().toISOString(), last_step: step }).where('staff_id', '=', actor.staffId).where('confirmed_at', 'is', null).executeTakeFirst();
    if (Number(done.numUpdatedRows) !== 1) throw new AppError(409, 'totp_not_started', 'Start setting up the authenticator app first');
    a.audit({ action, target: `staff:${actor.staffId}` });
    return { recoveryCodes: await firstRecoveryCodes(a.tx, env.keyring, actor.staffId, actor.clinicId) };
  });
}

/** Removes the authenticator app. */
export async function removeTotp(env: FactorEnv, actor: StaffPrincipal, requestId: string | null): Promise<void> {
  await runAction(env, actor, requestId, async (a) => {
    await a.tx.deleteFrom('staff_totp').where('staff_id', '=', actor.staffId).execute();
    await dropCodesIfNoFactor(a.tx, actor.staffId);
    a.audit({ action: 'staff.two-factor.totp-remove', target: `staff:${actor.staffId}` });
  });
}

// --- passkeys ------------------------------------------------------------------------------

/** Stores a challenge for one staff member and purpose, replacing any earlier one. */
async function saveChallenge(tx: Tx, staffId: string, purpose: string, challenge: string): Promise<void> {
  await tx.deleteFrom('webauthn_challenges').where('staff_id', '=', staffId).where('purpose', '=', purpose).execute();
  await tx.insertInto('webauthn_challenges').values({ id: randomUUID(), staff_id: staffId, purpose, challenge, expires_at: isoIn(CHALLENGE_TTL_MS) }).execute();
}

/** Takes (and deletes: single use) the live challenge for a staff member and purpose, or null. */
async function takeChallenge(store: ActionStore, staffId: string, purpose: string): Promise<string | null> {
  return store.db.transaction().execute(async (tx) => {
    const row = await tx.selectFrom('webauthn_challenges').select(['id', 'challenge', 'expires_at']).where('staff_id', '=', staffId).where('purpose', '=', purpose).executeTakeFirst();
    if (!row) return null;
    const gone = await tx.deleteFrom('webauthn_challenges').where('id', '=', row.id).executeTakeFirst();
    return Number(gone.numDeletedRows) === 1 && Date.parse(row.expires_at) > Date.now() ? row.challenge : null;
  });
}

/** Options for the browser to create a passkey for the signed-in staff member. */
export async function passkeyRegistrationOptions(env: FactorEnv, actor: StaffPrincipal): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const staff = await getStaff(env.db, actor.clinicId, actor.staffId);
  const existing = await env.db.selectFrom('staff_passkeys').select(['id', 'transports']).where('staff_id', '=', staff.id).execute();
  const options = await generateRegistrationOptions({
    rpName: 'Secure Messaging',
    rpID: rp(env).id,
    userName: staff.email,
    userDisplayName: staff.name,
    userID: new TextEncoder().encode(staff.id),
    attestationType: 'none',
    excludeCredentials: existing.map((k) => ({ id: k.id, transports: JSON.parse(k.transports) as string[] })),
    authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
  });
  await env.db.transaction().execute((tx) => saveChallenge(tx, staff.id, 'register', options.challenge));
  return options;
}

/** Verifies a new passkey and keeps it under its name; returns it and recovery codes if the account had none. */
export async function registerPasskey(
  env: FactorEnv,
  actor: StaffPrincipal,
  input: { name: string; response: RegistrationResponseJSON },
  requestId: string | null,
): Promise<{ passkey: TwoFactorStatus['passkeys'][number]; recoveryCodes: string[] | null }> {
  const challenge = await takeChallenge(env, actor.staffId, 'register');
  if (!challenge) throw new AppError(400, 'passkey_challenge_expired', 'The passkey request expired; try again');
  let info;
  try {
    const result = await verifyRegistrationResponse({ response: input.response, expectedChallenge: challenge, expectedOrigin: rp(env).origin, expectedRPID: rp(env).id, requireUserVerification: false });
    if (!result.verified) throw passkeyFailed();
    info = result.registrationInfo;
  } catch {
    await recordAudit(env, actor, requestId, { action: 'staff.two-factor.passkey-add', target: `staff:${actor.staffId}`, outcome: 'denied' });
    throw passkeyFailed();
  }
  const { credential } = info;
  const now = new Date().toISOString();
  return runAction(env, actor, requestId, async (a) => {
    const taken = await a.tx.selectFrom('staff_passkeys').select('id').where('id', '=', credential.id).executeTakeFirst();
    if (taken) throw new AppError(409, 'passkey_exists', 'This passkey is already registered');
    await a.tx
      .insertInto('staff_passkeys')
      .values({
        id: credential.id,
        staff_id: actor.staffId,
        clinic_id: actor.clinicId,
        name: input.name.trim(),
        public_key: Buffer.from(credential.publicKey).toString('base64url'),
        counter: credential.counter,
        transports: JSON.stringify(credential.transports ?? []),
        created_at: now,
        last_used_at: null,
      })
      .execute();
    a.audit({ action: 'staff.two-factor.passkey-add', target: `staff:${actor.staffId}` });
    const recoveryCodes = await firstRecoveryCodes(a.tx, env.keyring, actor.staffId, actor.clinicId);
    return { passkey: { id: credential.id, name: input.name.trim(), createdAt: now, lastUsedAt: null }, recoveryCodes };
  });
}

/** Removes one of the signed-in staff member's passkeys (another person's is a 404). */
export async function removePasskey(env: FactorEnv, actor: StaffPrincipal, id: string, requestId: string | null): Promise<void> {
  await runAction(env, actor, requestId, async (a) => {
    const gone = await a.tx.deleteFrom('staff_passkeys').where('id', '=', id).where('staff_id', '=', actor.staffId).executeTakeFirst();
    if (Number(gone.numDeletedRows) !== 1) throw notFound('Passkey');
    await dropCodesIfNoFactor(a.tx, actor.staffId);
    a.audit({ action: 'staff.two-factor.passkey-remove', target: `staff:${actor.staffId}` });
  });
}

// --- signing in --------------------------------------------------------------------------

/** Opens a pending sign-in after a correct password; returns the token for the browser (shown once). */
export async function startPendingLogin(env: FactorEnv, staff: StaffRow, requestId: string | null): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await runAction(env, who(staff), requestId, async (a) => {
    await a.tx.insertInto('pending_logins').values({ token_hash: hashToken(token), clinic_id: staff.clinic_id, staff_id: staff.id, expires_at: isoIn(PENDING_LOGIN_TTL_MS), used_at: null, created_at: new Date().toISOString() }).execute();
    a.audit({ action: 'staff.sign-in.password', target: 'second-factor-required' });
  });
  return token;
}

/** The enabled staff member a live pending sign-in belongs to, or 401 `second_factor_expired`. */
async function pendingStaff(db: Kysely<Database>, token: string | null): Promise<{ staff: StaffRow; hash: string }> {
  if (!token) throw expired();
  const hash = hashToken(token);
  const row = await db.selectFrom('pending_logins').selectAll().where('token_hash', '=', hash).executeTakeFirst();
  if (!row || row.used_at || Date.parse(row.expires_at) <= Date.now()) throw expired();
  const staff = await db.selectFrom('staff').selectAll().where('id', '=', row.staff_id).where('clinic_id', '=', row.clinic_id).executeTakeFirst();
  if (!staff || staff.disabled_at) throw expired();
  return { staff, hash };
}

/** What completing a sign-in gives the route: the staff member and the new session's token. */
export interface CompletedSignIn {
  staff: StaffRow;
  token: string;
}

/**
 * Completes a pending sign-in: the pending token is spent, the factor's own single-use rule is
 * applied in the same transaction (`spend` returns false for a replayed code), and the session is made.
 */
async function complete(env: FactorEnv, staff: StaffRow, hash: string, method: SecondFactorMethod, requestId: string | null, spend: (tx: Tx) => Promise<boolean>): Promise<CompletedSignIn> {
  const actor = who(staff);
  try {
    return await runAction(env, actor, requestId, async (a) => {
      const used = await a.tx.updateTable('pending_logins').set({ used_at: new Date().toISOString() }).where('token_hash', '=', hash).where('used_at', 'is', null).executeTakeFirst();
      if (Number(used.numUpdatedRows) !== 1) throw expired();
      if (!(await spend(a.tx))) throw invalidCode();
      const { token } = await createSession(a.tx, { kind: 'staff', clinicId: staff.clinic_id, subjectId: staff.id });
      a.audit({ action: 'staff.sign-in', target: `session:${method}` });
      return { staff, token };
    });
  } catch (err) {
    if (err instanceof AppError && err.code === 'invalid_code') return denied(env, actor, staff.id, { action: 'staff.sign-in.second-factor', target: `${method}:replayed` }, requestId, err);
    throw err;
  }
}

/** Completes a sign-in with a code from the authenticator app; a code already used is refused. */
export async function signInWithTotp(env: FactorEnv, pendingToken: string | null, code: string, requestId: string | null): Promise<CompletedSignIn> {
  const { staff, hash } = await pendingStaff(env.db, pendingToken);
  const actor = who(staff);
  await checkThrottle(env, actor, staff.id, 'staff.sign-in.second-factor', requestId);
  const row = await env.db.selectFrom('staff_totp').selectAll().where('staff_id', '=', staff.id).where('confirmed_at', 'is not', null).executeTakeFirst();
  const clinic: ClinicRow = await getClinic(env.db, staff.clinic_id);
  const step = row ? totpStep(clinicCipher(env.keyring, clinic).decrypt(row.secret_enc, totpPurpose(staff.id)), code, Date.now()) : null;
  if (step === null) return denied(env, actor, staff.id, { action: 'staff.sign-in.second-factor', target: 'totp' }, requestId, invalidCode());
  return complete(env, staff, hash, 'totp', requestId, async (tx) => {
    // Accepted only if later than the last accepted step: a code (or an older one) is never accepted twice.
    const r = await tx
      .updateTable('staff_totp')
      .set({ last_step: step })
      .where('staff_id', '=', staff.id)
      .where((eb) => eb.or([eb('last_step', 'is', null), eb('last_step', '<', step)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  });
}

/** Completes a sign-in with a recovery code, which then stops working. */
export async function signInWithRecoveryCode(env: FactorEnv, pendingToken: string | null, code: string, requestId: string | null): Promise<CompletedSignIn> {
  const { staff, hash } = await pendingStaff(env.db, pendingToken);
  await checkThrottle(env, who(staff), staff.id, 'staff.sign-in.second-factor', requestId);
  const codeHash = recoveryHash(env.keyring, staff.id, normalizeRecovery(code));
  const known = await env.db.selectFrom('staff_recovery_codes').select('id').where('staff_id', '=', staff.id).where('code_hash', '=', codeHash).where('used_at', 'is', null).executeTakeFirst();
  if (!known) return denied(env, who(staff), staff.id, { action: 'staff.sign-in.second-factor', target: 'recovery' }, requestId, invalidCode());
  return complete(env, staff, hash, 'recovery', requestId, async (tx) => {
    const r = await tx.updateTable('staff_recovery_codes').set({ used_at: new Date().toISOString() }).where('id', '=', known.id).where('used_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  });
}

/** Options for the browser to sign in with one of the pending staff member's passkeys. */
export async function passkeySignInOptions(env: FactorEnv, pendingToken: string | null): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const { staff, hash } = await pendingStaff(env.db, pendingToken);
  const keys = await env.db.selectFrom('staff_passkeys').select(['id', 'transports']).where('staff_id', '=', staff.id).execute();
  if (keys.length === 0) throw new AppError(409, 'no_passkey', 'This account has no passkey');
  const options = await generateAuthenticationOptions({ rpID: rp(env).id, allowCredentials: keys.map((k) => ({ id: k.id, transports: JSON.parse(k.transports) as string[] })), userVerification: 'preferred' });
  await env.db.transaction().execute((tx) => saveChallenge(tx, staff.id, `login:${hash}`, options.challenge));
  return options;
}

/** Completes a sign-in with a passkey assertion answering this sign-in's challenge. */
export async function signInWithPasskey(env: FactorEnv, pendingToken: string | null, response: AuthenticationResponseJSON, requestId: string | null): Promise<CompletedSignIn> {
  const { staff, hash } = await pendingStaff(env.db, pendingToken);
  const actor = who(staff);
  await checkThrottle(env, actor, staff.id, 'staff.sign-in.second-factor', requestId);
  const challenge = await takeChallenge(env, staff.id, `login:${hash}`);
  const key = await env.db.selectFrom('staff_passkeys').selectAll().where('id', '=', response.id).where('staff_id', '=', staff.id).executeTakeFirst();
  let newCounter: number | null = null;
  if (challenge && key) {
    try {
      const result = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge,
        expectedOrigin: rp(env).origin,
        expectedRPID: rp(env).id,
        credential: { id: key.id, publicKey: Buffer.from(key.public_key, 'base64url'), counter: Number(key.counter), transports: JSON.parse(key.transports) as string[] },
        requireUserVerification: false,
      });
      if (result.verified) newCounter = result.authenticationInfo.newCounter;
    } catch {
      newCounter = null;
    }
  }
  if (newCounter === null || !key) return denied(env, actor, staff.id, { action: 'staff.sign-in.second-factor', target: 'passkey' }, requestId, passkeyFailed());
  return complete(env, staff, hash, 'passkey', requestId, async (tx) => {
    await tx.updateTable('staff_passkeys').set({ counter: newCounter, last_used_at: new Date().toISOString() }).where('id', '=', key.id).execute();
    return true;
  });
}

// --- administrators ---------------------------------------------------------------------------

/** An admin clears a colleague's factors (lost phone): their passkeys, app and codes go, and their sessions end. */
export async function resetTwoFactor(env: FactorEnv, actor: StaffPrincipal, staffId: string, requestId: string | null): Promise<void> {
  await runAction(env, actor, requestId, async (a) => {
    await getStaff(a.tx, actor.clinicId, staffId);
    for (const table of ['staff_totp', 'staff_passkeys', 'staff_recovery_codes', 'webauthn_challenges', 'pending_logins'] as const) {
      await a.tx.deleteFrom(table).where('staff_id', '=', staffId).execute();
    }
    await revokeSubjectSessions(a.tx, 'staff', staffId);
    a.emit(actor.clinicId, { type: 'session-ended', subjectKind: 'staff', subjectId: staffId });
    a.audit({ action: 'staff.two-factor.reset', target: `staff:${staffId}` });
  });
}
