/**
 * Server-side sessions for staff (cookie) and patients (bearer token held by the widget frame).
 * Only a hash of each token is stored. A session ends after 30 idle minutes, 12 hours in all,
 * at sign-out, or when its staff member is disabled.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, SessionsTable } from '../db/schema.js';
import { runAction, type ActionStore } from './action.js';
import type { Actor } from './principal.js';
import { HOUR, MINUTE, isoIn } from './time.js';

export const IDLE_TIMEOUT_MS = 30 * MINUTE;
export const ABSOLUTE_LIFETIME_MS = 12 * HOUR;
/** Touching last_seen_at on every request would turn every read into a write; once a minute is enough. */
const TOUCH_INTERVAL_MS = MINUTE;

function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** The stored id of the session a token opens (its hash), for data bound to one session. */
export const sessionIdOf = tokenHash;

/** A new session and the token to hand to the client (shown once, never stored). */
export async function createSession(
  db: Kysely<Database>,
  s: { kind: SessionsTable['kind']; clinicId: string; subjectId: string },
): Promise<{ token: string; expiresAt: string }> {
  const token = randomBytes(32).toString('base64url');
  const now = new Date();
  const expiresAt = isoIn(ABSOLUTE_LIFETIME_MS, now);
  await db
    .insertInto('sessions')
    .values({
      token_hash: tokenHash(token),
      kind: s.kind,
      clinic_id: s.clinicId,
      subject_id: s.subjectId,
      created_at: now.toISOString(),
      last_seen_at: now.toISOString(),
      expires_at: expiresAt,
      revoked_at: null,
      reauthenticated_at: null,
    })
    .execute();
  return { token, expiresAt };
}

/**
 * The live session of that kind for a token, or null if unknown, revoked, idle too long or past its
 * lifetime. A request counts as activity; `touch: false` checks without (an open live stream must not
 * keep an idle session alive).
 */
export async function resolveSession(db: Kysely<Database>, token: string, kind: SessionsTable['kind'], opts: { touch: boolean } = { touch: true }): Promise<{ clinicId: string; subjectId: string } | null> {
  const hash = tokenHash(token);
  const row = await db.selectFrom('sessions').selectAll().where('token_hash', '=', hash).where('kind', '=', kind).executeTakeFirst();
  if (!row || row.revoked_at) return null;
  const now = Date.now();
  if (now >= Date.parse(row.expires_at) || now - Date.parse(row.last_seen_at) >= IDLE_TIMEOUT_MS) return null;
  if (opts.touch && now - Date.parse(row.last_seen_at) >= TOUCH_INTERVAL_MS) {
    await db.updateTable('sessions').set({ last_seen_at: new Date(now).toISOString() }).where('token_hash', '=', hash).execute();
  }
  return { clinicId: row.clinic_id, subjectId: row.subject_id };
}

/** Ends one session (sign-out), with its device keys; its open live streams close (session-ended event). */
export async function signOut(store: ActionStore, token: string, requestId: string | null = null): Promise<void> {
  const hash = tokenHash(token);
  const row = await store.db
    .selectFrom('sessions as s')
    .leftJoin('staff as st', (j) => j.onRef('st.id', '=', 's.subject_id').on('s.kind', '=', 'staff'))
    .select(['s.clinic_id', 's.kind', 's.subject_id', 'st.role'])
    .where('s.token_hash', '=', hash)
    .where('s.revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return;
  const who: Actor =
    row.kind === 'patient' ? { kind: 'patient', clinicId: row.clinic_id, patientId: row.subject_id } : row.role ? { kind: 'staff', clinicId: row.clinic_id, staffId: row.subject_id, role: row.role } : { kind: 'system', clinicId: row.clinic_id };
  await runAction(store, who, requestId, async (a) => {
    await a.tx.deleteFrom('device_keys').where('session_id', '=', hash).execute();
    await a.tx.updateTable('sessions').set({ revoked_at: new Date().toISOString() }).where('token_hash', '=', hash).where('revoked_at', 'is', null).execute();
    a.emit(row.clinic_id, { type: 'session-ended', subjectKind: row.kind, subjectId: row.subject_id });
    a.audit({ action: `${row.kind}.sign-out`, target: 'session' });
  });
}

/** Ends every session of one staff member or patient. */
export async function revokeSubjectSessions(db: Kysely<Database>, kind: SessionsTable['kind'], subjectId: string): Promise<void> {
  await db
    .deleteFrom('device_keys')
    .where('session_id', 'in', (q) => q.selectFrom('sessions').select('token_hash').where('kind', '=', kind).where('subject_id', '=', subjectId))
    .execute();
  await db.updateTable('sessions').set({ revoked_at: new Date().toISOString() }).where('kind', '=', kind).where('subject_id', '=', subjectId).where('revoked_at', 'is', null).execute();
}

/**
 * Deletes the device keys of sessions that have ended (revoked, idle too long or past their
 * lifetime), so data a device kept from such a session can never be decrypted again.
 */
export async function forgetEndedSessionKeys(db: Kysely<Database>, now = new Date()): Promise<number> {
  const idleSince = new Date(now.getTime() - IDLE_TIMEOUT_MS).toISOString();
  const result = await db
    .deleteFrom('device_keys')
    .where('session_id', 'in', (q) =>
      q
        .selectFrom('sessions')
        .select('token_hash')
        .where((eb) => eb.or([eb('revoked_at', 'is not', null), eb('expires_at', '<=', now.toISOString()), eb('last_seen_at', '<=', idleSince)])),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
