/**
 * "Confirm it is you": changes to how a staff member signs in (removing a second factor, new recovery
 * codes, an administrator resetting a colleague's factors) need a password proved in the last
 * 10 minutes of this session, so a session left open on a shared computer cannot be used to take
 * over the account (OWASP ASVS 5.0, re-authentication before changing authentication factors).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { runAction, type ActionStore } from './action.js';
import { recordAudit } from './audit.js';
import type { Keyring } from './crypto.js';
import { AppError } from './errors.js';
import { verifyPassword } from './passwords.js';
import type { StaffPrincipal } from './principal.js';
import { checkLimit, countHit, type Limit } from './rate-limits.js';
import { sessionIdOf } from './sessions.js';
import { MINUTE } from './time.js';

export const REAUTHENTICATION_WINDOW_MS = 10 * MINUTE;
/** Wrong passwords here count like wrong sign-ins: throttled per account. */
const attempts = (staffId: string): Limit => ({ key: `reauthenticate:${staffId}`, max: 5, windowMs: 15 * MINUTE });

/** Checks the signed-in person's password and marks this session as recently confirmed. */
export async function confirmPassword(deps: ActionStore & { keyring: Keyring }, who: StaffPrincipal, sessionToken: string, password: string, requestId: string | null): Promise<void> {
  const secret = deps.keyring.derive('rate-limit');
  await checkLimit(deps.db, secret, attempts(who.staffId));
  const row = await deps.db.selectFrom('staff').select('password_hash').where('clinic_id', '=', who.clinicId).where('id', '=', who.staffId).executeTakeFirst();
  if (!(await verifyPassword(row?.password_hash ?? null, password))) {
    await countHit(deps.db, secret, attempts(who.staffId));
    await recordAudit(deps, who, requestId, { action: 'staff.reauthenticate', target: `staff:${who.staffId}`, outcome: 'denied' });
    // 403, not 401: the session itself is fine (the admin app signs out on a 401).
    throw new AppError(403, 'wrong_password', 'That is not your password');
  }
  await runAction(deps, who, requestId, async (a) => {
    await a.tx.updateTable('sessions').set({ reauthenticated_at: new Date().toISOString() }).where('token_hash', '=', sessionIdOf(sessionToken)).execute();
    a.audit({ action: 'staff.reauthenticate', target: `staff:${who.staffId}` });
  });
}

/** Refuses (403 `reauthentication_required`) unless this session proved the password in the last 10 minutes. */
export async function assertRecentlyAuthenticated(db: Kysely<Database>, sessionToken: string, now = Date.now()): Promise<void> {
  const row = await db.selectFrom('sessions').select(['created_at', 'reauthenticated_at']).where('token_hash', '=', sessionIdOf(sessionToken)).executeTakeFirst();
  const last = Math.max(Date.parse(row?.created_at ?? '') || 0, Date.parse(row?.reauthenticated_at ?? '') || 0);
  if (now - last > REAUTHENTICATION_WINDOW_MS) throw new AppError(403, 'reauthentication_required', 'Confirm your password to change how you sign in');
}
