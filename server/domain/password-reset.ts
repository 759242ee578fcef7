/**
 * "I forgot my password" for staff. A request gets the same answer in the same way whether or not the
 * address is known: it never waits on SMTP (a job sends the link), and it is throttled per client
 * address and per e-mail address in the shared rate-limit table. The link works once, for 30 minutes;
 * a newer request leaves an earlier link working, but using any link or changing the password voids
 * them all, and every session of the person ends.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { PasswordResetInfo } from '../../shared/api.js';
import type { Lang } from '../../shared/lang.js';
import { runAction, type ActionStore } from './action.js';
import { recordAudit } from './audit.js';
import { clinicCipher, getClinic } from './clinics.js';
import type { Keyring } from './crypto.js';
import { AppError } from './errors.js';
import { STAFF_TOKEN_PURPOSE, staffLinkNotice } from './notices.js';
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

/** Asks for a reset link: e-mailed (by a job) only if the address is an active staff account. */
export async function requestPasswordReset(store: ActionStore & { keyring: Keyring }, email: string, lang: Lang, address: string, requestId: string | null = null): Promise<void> {
  const normalized = normalizeEmail(email);
  await enforceLimits(store.db, store.keyring.derive('rate-limit'), [
    { key: `password-reset:address:${address}`, max: RESET_ADDRESS_MAX, windowMs: HOUR },
    { key: `password-reset:account:${normalized}`, max: RESET_ACCOUNT_MAX, windowMs: HOUR },
  ]);
  const staff = await store.db.selectFrom('staff').selectAll().where('email', '=', normalized).executeTakeFirst();
  if (!staff) return;
  // Asked by whoever knows the address: attributed to the system, about that account.
  const system = { kind: 'system' as const, clinicId: staff.clinic_id };
  if (staff.disabled_at || staff.password_set_at === null) {
    await recordAudit(store.db, system, requestId, { action: 'staff.password-reset.request', target: `staff:${staff.id}`, outcome: 'denied' });
    return;
  }
  const clinic = await getClinic(store.db, staff.clinic_id);
  await runAction(store, system, requestId, async (a) => {
    const link = await issueStaffToken(a.tx, { clinicId: staff.clinic_id, staffId: staff.id, purpose: 'password-reset', createdBy: null });
    a.enqueue(staffLinkNotice('mail.staff-password-reset', staff.clinic_id, staff.id, link.id, clinicCipher(store.keyring, clinic).encrypt(link.token, STAFF_TOKEN_PURPOSE), lang));
    a.audit({ action: 'staff.password-reset.request', target: `staff:${staff.id}` });
  });
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
