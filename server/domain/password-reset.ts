/**
 * "I forgot my password" for staff. A request gets the same answer in the same way whether or not the
 * address is known: it never waits on SMTP (a job sends the link), and it is throttled per client
 * address and per e-mail address in the shared rate-limit table. The link works once, for 30 minutes;
 * a newer request leaves an earlier link working, but using any link or changing the password voids
 * them all, and every session of the person ends.
 */
import type { Kysely } from 'kysely';
import type { Database, JobRow } from '../db/schema.js';
import type { PasswordResetInfo } from '../../shared/api.js';
import { normalizeLang, type Lang } from '../../shared/lang.js';
import { runAction, type ActionStore } from './action.js';
import { recordAudit } from './audit.js';
import { clinicCipher, getClinic } from './clinics.js';
import { ClinicCipher, type Keyring } from './crypto.js';
import { AppError } from './errors.js';
import { STAFF_TOKEN_PURPOSE, staffLinkNotice } from './notices.js';
import { enqueueJobs } from './jobs.js';
import { hashPassword } from './passwords.js';
import { enforceLimits } from './rate-limits.js';
import { revokeSubjectSessions } from './sessions.js';
import { getStaff, normalizeEmail } from './staff.js';
import { issueStaffToken, usableStaffToken, useStaffToken, voidStaffTokens } from './staff-tokens.js';
import { HOUR } from './time.js';

/** Requests per e-mail address (known or not) per hour. */
export const RESET_ACCOUNT_MAX = 5;
/** Requests per client address per hour. */
export const RESET_ADDRESS_MAX = 20;

/** The job that handles a reset request (see `handleResetRequest`). */
export const RESET_REQUEST_JOB = 'staff.password-reset-request';
/** The e-mail address waits in that job sealed with a key of the server's own (the clinic is not known yet). */
const requestCipher = (keyring: Keyring) => new ClinicCipher('server', keyring.derive('password-reset-request'));

/**
 * Asks for a reset link. The request only counts the limits and leaves a job with the address sealed,
 * so it does exactly the same work, in the same time, whether or not the address has an account; the
 * job looks the address up and, for an active account, issues the link and leaves its e-mail.
 */
export async function requestPasswordReset(store: ActionStore & { keyring: Keyring }, email: string, lang: Lang, address: string, requestId: string | null = null): Promise<void> {
  const normalized = normalizeEmail(email);
  await enforceLimits(store.db, store.keyring.derive('rate-limit'), [
    { key: `password-reset:address:${address}`, max: RESET_ADDRESS_MAX, windowMs: HOUR },
    { key: `password-reset:account:${normalized}`, max: RESET_ACCOUNT_MAX, windowMs: HOUR },
  ]);
  await enqueueJobs(store.db, [{ kind: RESET_REQUEST_JOB, clinicId: null, payload: { email: requestCipher(store.keyring).encrypt(normalized, 'email'), lang, requestId }, maxAttempts: 3 }]);
  store.committed?.({ eventClinics: [], jobs: true });
}

/** Runs a reset request's job: a link and its e-mail job for an active account, a refusal in the audit log for a disabled or invited one, nothing for an unknown address. */
export async function handleResetRequest(job: JobRow, env: ActionStore & { keyring: Keyring }): Promise<void> {
  const p = JSON.parse(job.payload) as { email?: string; lang?: string; requestId?: string | null };
  if (!p.email) return;
  const email = requestCipher(env.keyring).decrypt(p.email, 'email');
  const requestId = p.requestId ?? null;
  const staff = await env.db.selectFrom('staff').selectAll().where('email', '=', email).executeTakeFirst();
  if (staff) {
    // Asked by whoever knows the address: attributed to the system, about that account.
    const system = { kind: 'system' as const, clinicId: staff.clinic_id };
    if (staff.disabled_at || staff.password_set_at === null) {
      await recordAudit(env, system, requestId, { action: 'staff.password-reset.request', target: `staff:${staff.id}`, outcome: 'denied' });
    } else {
      const clinic = await getClinic(env.db, staff.clinic_id);
      await runAction(env, system, requestId, async (a) => {
        const link = await issueStaffToken(a.tx, { clinicId: staff.clinic_id, staffId: staff.id, purpose: 'password-reset', createdBy: null });
        a.enqueue(staffLinkNotice('mail.staff-password-reset', staff.clinic_id, staff.id, link.id, clinicCipher(env.keyring, clinic).encrypt(link.token, STAFF_TOKEN_PURPOSE), normalizeLang(p.lang)));
        a.audit({ action: 'staff.password-reset.request', target: `staff:${staff.id}` });
      });
    }
  }
  // The address has done its work: it does not stay in the finished job.
  await env.db.updateTable('jobs').set({ payload: '{}' }).where('id', '=', job.id).execute();
}

/** The account an open reset link is for (404 `link_invalid`, 410 `link_expired`). */
export async function passwordResetInfo(db: Kysely<Database>, token: string): Promise<PasswordResetInfo> {
  const link = await usableStaffToken(db, token, 'password-reset');
  const staff = await getStaff(db, link.clinic_id, link.staff_id);
  return { email: staff.email };
}

/**
 * Sets a new password through a reset link, once. Every open link of the person is voided and every
 * session ends (their live streams close through the session-ended event); they then sign in anew.
 */
export async function completePasswordReset(store: ActionStore, token: string, password: string, requestId: string | null = null): Promise<void> {
  const link = await usableStaffToken(store.db, token, 'password-reset');
  const passwordHash = await hashPassword(password);
  const staff = await getStaff(store.db, link.clinic_id, link.staff_id);
  const who = { kind: 'staff' as const, clinicId: staff.clinic_id, staffId: staff.id, role: staff.role };
  await runAction(store, who, requestId, async (a) => {
    const current = await getStaff(a.tx, staff.clinic_id, staff.id);
    if (current.disabled_at || !(await useStaffToken(a.tx, link.id))) throw new AppError(404, 'link_invalid', 'This link is not valid any more; it may have been used or replaced by a newer one');
    await a.tx.updateTable('staff').set({ password_hash: passwordHash, password_set_at: new Date().toISOString() }).where('id', '=', staff.id).execute();
    await voidStaffTokens(a.tx, staff.id);
    await revokeSubjectSessions(a.tx, 'staff', staff.id);
    a.emit(staff.clinic_id, { type: 'session-ended', subjectKind: 'staff', subjectId: staff.id });
    a.audit({ action: 'staff.password-reset.complete', target: `staff:${staff.id}` });
  });
}
