/**
 * One-time links for staff: an invitation (72 hours) and a password reset (30 minutes). The link
 * carries a random token; only its hash is stored, and a link works once. Any password change voids
 * every open link of that person.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, StaffTokenRow, StaffTokensTable } from '../db/schema.js';
import { AppError } from './errors.js';
import { HOUR, MINUTE, isoIn } from './time.js';

/** How long an invitation link works. */
export const INVITATION_TTL_MS = 72 * HOUR;
/** How long a password-reset link works. */
export const RESET_TTL_MS = 30 * MINUTE;

/** The purpose a staff link serves. */
export type TokenPurpose = StaffTokensTable['purpose'];

function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** Stores a new link for a staff member and returns its token (only ever put in the e-mail). */
export async function issueStaffToken(
  db: Kysely<Database>,
  t: { clinicId: string; staffId: string; purpose: TokenPurpose; createdBy: string | null },
): Promise<{ id: string; token: string; expiresAt: string }> {
  const token = randomBytes(32).toString('base64url');
  const id = randomUUID();
  const expiresAt = isoIn(t.purpose === 'invitation' ? INVITATION_TTL_MS : RESET_TTL_MS);
  await db
    .insertInto('staff_tokens')
    .values({ id, clinic_id: t.clinicId, staff_id: t.staffId, purpose: t.purpose, token_hash: tokenHash(token), created_by: t.createdBy, created_at: new Date().toISOString(), expires_at: expiresAt, used_at: null, revoked_at: null })
    .execute();
  return { id, token, expiresAt };
}

/** Voids a staff member's open links (of one purpose, or all). */
export async function voidStaffTokens(db: Kysely<Database>, staffId: string, purpose?: TokenPurpose): Promise<void> {
  let q = db.updateTable('staff_tokens').set({ revoked_at: new Date().toISOString() }).where('staff_id', '=', staffId).where('used_at', 'is', null).where('revoked_at', 'is', null);
  if (purpose) q = q.where('purpose', '=', purpose);
  await q.execute();
}

/** The open link a token opens: 404 `link_invalid` if unknown, used or voided, 410 `link_expired` when too old. */
export async function usableStaffToken(db: Kysely<Database>, token: string, purpose: TokenPurpose): Promise<StaffTokenRow> {
  const row = await db.selectFrom('staff_tokens').selectAll().where('token_hash', '=', tokenHash(token)).where('purpose', '=', purpose).executeTakeFirst();
  if (!row || row.used_at || row.revoked_at) throw new AppError(404, 'link_invalid', 'This link is not valid any more; it may have been used or replaced by a newer one');
  if (Date.now() >= Date.parse(row.expires_at)) throw new AppError(410, 'link_expired', 'This link has expired');
  return row;
}

/** Marks a link used, once: false when another request used or voided it first. */
export async function useStaffToken(db: Kysely<Database>, id: string): Promise<boolean> {
  const r = await db.updateTable('staff_tokens').set({ used_at: new Date().toISOString() }).where('id', '=', id).where('used_at', 'is', null).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

/** True while the link a mail job is about to send can still be used. */
export async function staffTokenOpen(db: Kysely<Database>, id: string, now = new Date()): Promise<boolean> {
  const row = await db.selectFrom('staff_tokens').select('id').where('id', '=', id).where('used_at', 'is', null).where('revoked_at', 'is', null).where('expires_at', '>', now.toISOString()).executeTakeFirst();
  return row !== undefined;
}
