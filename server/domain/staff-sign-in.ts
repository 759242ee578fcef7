/**
 * Staff sign-in with a password, throttled (never locked): per account and per client address, counted
 * in the shared rate-limit table so the limits hold across instances and restarts. A correct password
 * works again once the window has passed. Every way in (password, accepted invitation) ends in
 * `startStaffSession`, the one place a staff session is created.
 */
import type { StaffRow } from '../db/schema.js';
import { audited, type ActionStore } from './action.js';
import { recordAudit } from './audit.js';
import type { Keyring } from './crypto.js';
import { AppError } from './errors.js';
import { checkLimit, clearLimit, countHit, enforceLimits, type Limit } from './rate-limits.js';
import { createSession } from './sessions.js';
import { authenticateStaff, normalizeEmail } from './staff.js';
import { MINUTE } from './time.js';

/** Attempts per account (every attempt, whatever the address) in the window. */
export const SIGN_IN_ACCOUNT_MAX = 10;
/** Failed attempts per client address (any account) in the window. */
export const SIGN_IN_ADDRESS_MAX = 30;
/** The throttling window. */
export const SIGN_IN_WINDOW_MS = 15 * MINUTE;

const accountLimit = (email: string): Limit => ({ key: `staff-sign-in:account:${normalizeEmail(email)}`, max: SIGN_IN_ACCOUNT_MAX, windowMs: SIGN_IN_WINDOW_MS });
const addressLimit = (address: string): Limit => ({ key: `staff-sign-in:address:${address}`, max: SIGN_IN_ADDRESS_MAX, windowMs: SIGN_IN_WINDOW_MS });

/**
 * The staff member these credentials belong to, or a 401 that does not say which part was wrong, or a
 * 429 `rate_limited` (with the seconds to wait) when the account or the address has tried too often.
 */
export async function checkPasswordSignIn(deps: ActionStore & { keyring: Keyring }, email: string, password: string, address: string, requestId: string | null): Promise<StaffRow> {
  const secret = deps.keyring.derive('rate-limit');
  // The account's count is taken before the check, atomically, so parallel guesses cannot pass the limit.
  await enforceLimits(deps.db, secret, [accountLimit(email)]);
  await checkLimit(deps.db, secret, addressLimit(address));
  try {
    const staff = await authenticateStaff(deps.db, email, password);
    await clearLimit(deps.db, secret, accountLimit(email).key);
    return staff;
  } catch (err) {
    if (err instanceof AppError && err.status === 401) {
      await countHit(deps.db, secret, addressLimit(address));
      const known = await deps.db.selectFrom('staff').select(['id', 'clinic_id', 'role']).where('email', '=', normalizeEmail(email)).executeTakeFirst();
      if (known) await recordAudit(deps, { kind: 'system', clinicId: known.clinic_id }, requestId, { action: 'staff.sign-in', target: `staff:${known.id}`, outcome: 'denied' });
    }
    throw err;
  }
}

/** Opens a session for a staff member who has proved who they are; the one place staff sessions start. */
export async function startStaffSession(store: ActionStore, staff: StaffRow, requestId: string | null, how: 'password' | 'invitation' = 'password'): Promise<{ token: string; expiresAt: string }> {
  const who = { kind: 'staff' as const, clinicId: staff.clinic_id, staffId: staff.id, role: staff.role };
  return audited(store, who, requestId, (tx) => createSession(tx, { kind: 'staff', clinicId: staff.clinic_id, subjectId: staff.id }), () => ({ action: 'staff.sign-in', target: how === 'password' ? 'session' : `session:${how}` }));
}
