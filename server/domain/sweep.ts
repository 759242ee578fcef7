/**
 * The periodic clean-up, run as one scheduled job across instances: what nobody will use again
 * leaves the database (unclaimed uploads, ended sessions and their device keys, spent sign-in codes
 * and second-factor challenges, old live events, finished jobs (failed ones after 30 days), stale
 * rate-limit counters, staff links (invitation, password reset) a month past their expiry, and new
 * patients' booking requests once they are no longer needed).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { pruneEvents } from './events.js';
import { pruneJobs } from './jobs.js';
import { forgetEndedSessionKeys, IDLE_TIMEOUT_MS } from './sessions.js';
import { DAY } from './time.js';

/** An upload no message claimed within this time is deleted. */
export const UNCLAIMED_UPLOAD_TTL_MS = DAY;

/**
 * A new patient's booking request (their sealed details) is kept this long after staff decided it,
 * or after its time if nobody did: enough to answer "what became of my request", and no longer: an
 * approved requester's details live on in their patient record, a declined one is not a patient.
 */
export const BOOKING_REQUEST_RETENTION_MS = 90 * DAY;

/** What one sweep removed, by kind. */
export type SweepReport = Record<'uploads' | 'deviceKeys' | 'sessions' | 'challenges' | 'events' | 'jobs' | 'rateLimits' | 'staffLinks' | 'bookingRequests', number>;

/** Runs every clean-up once. */
export async function sweep(db: Kysely<Database>, now = new Date()): Promise<SweepReport> {
  const ago = (ms: number) => new Date(now.getTime() - ms).toISOString();
  const n = (r: { numDeletedRows: bigint }) => Number(r.numDeletedRows);
  const uploads = n(await db.deleteFrom('attachments').where('message_id', 'is', null).where('questionnaire_assignment_id', 'is', null).where('created_at', '<', ago(UNCLAIMED_UPLOAD_TTL_MS)).executeTakeFirstOrThrow());
  const deviceKeys = await forgetEndedSessionKeys(db, now);
  // Sessions stay a day after they end, so "your session ended" can still be told apart from a forged token in logs.
  const ended = ago(DAY);
  const sessions = n(
    await db
      .deleteFrom('sessions')
      .where((eb) => eb.or([eb('expires_at', '<', ended), eb('revoked_at', '<', ended), eb('last_seen_at', '<', ago(DAY + IDLE_TIMEOUT_MS))]))
      .where('token_hash', 'not in', (q) => q.selectFrom('device_keys').select('session_id'))
      .executeTakeFirstOrThrow(),
  );
  const challenges =
    n(await db.deleteFrom('login_challenges').where('expires_at', '<', ago(DAY)).executeTakeFirstOrThrow()) +
    n(await db.deleteFrom('pending_logins').where('expires_at', '<', ago(DAY)).executeTakeFirstOrThrow()) +
    n(await db.deleteFrom('webauthn_challenges').where('expires_at', '<', ago(DAY)).executeTakeFirstOrThrow());
  const events = await pruneEvents(db, now);
  const jobs = await pruneJobs(db, 7 * DAY, 30 * DAY, now);
  const rateLimits = n(await db.deleteFrom('rate_limits').where('reset_at', '<', now.getTime()).executeTakeFirstOrThrow());
  // Kept a while after expiry, so the staff list can still say an invitation expired.
  const staffLinks = n(await db.deleteFrom('staff_tokens').where('expires_at', '<', ago(30 * DAY)).executeTakeFirstOrThrow());
  const kept = ago(BOOKING_REQUEST_RETENTION_MS);
  const bookingRequests = n(
    await db
      .deleteFrom('booking_requests')
      .where((eb) => eb.or([eb.and([eb('status', '!=', 'pending'), eb('updated_at', '<', kept)]), eb.and([eb('status', '=', 'pending'), eb('starts_at', '<', kept)])]))
      .executeTakeFirstOrThrow(),
  );
  return { uploads, deviceKeys, sessions, challenges, events, jobs, rateLimits, staffLinks, bookingRequests };
}
