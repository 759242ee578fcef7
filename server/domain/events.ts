/**
 * Live events: what changed in a clinic (a new message, a thread's status, a session that ended),
 * written in the action's transaction and numbered in commit order per clinic, so a stream can say
 * `id:` and a client that reconnects with Last-Event-ID gets what it missed. Events carry ids and
 * kinds, never content; clients fetch content through the audited API.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Dialect } from '../db/connect.js';
import type { Database } from '../db/schema.js';
import { CHANNEL } from './channels.js';

/** Something changed in a thread. */
export interface ThreadEvent {
  type: 'message' | 'thread';
  threadId: string;
  patientId: string;
  /** Who caused it; a patient is told only about what is visible to them. */
  author: 'patient' | 'staff' | 'system';
  /** `read`: the patient read the clinic's messages (their other widgets and tabs update their unread counts). */
  kind: 'message' | 'note' | 'status' | 'assignment' | 'read';
}

/** A session ended (sign-out, disabled account, new password): its open streams close. */
export interface SessionEndedEvent {
  type: 'session-ended';
  subjectKind: 'staff' | 'patient';
  subjectId: string;
}

/** A questionnaire response was submitted, or raised a safety flag (staff only). */
export interface QuestionnaireEvent {
  type: 'questionnaire';
  assignmentId: string;
  patientId: string;
  kind: 'submitted' | 'safety-flag';
}

/** Any live event. */
export type LiveEvent = ThreadEvent | SessionEndedEvent | QuestionnaireEvent;

/** A committed event with its number. */
export type StoredEvent = LiveEvent & { seq: number };

/** How long events stay for resuming streams. */
export const EVENT_RETENTION_MS = 24 * 60 * 60 * 1000;

/**
 * Writes events inside the action's transaction. On PostgreSQL a per-clinic transaction lock makes
 * numbering follow commit order (without it, seq 11 could commit before seq 10 and a resuming client
 * would skip 10), and pg_notify tells every instance once the transaction commits.
 */
export async function insertEvents(tx: Transaction<Database>, dialect: Dialect, events: Array<{ clinicId: string; event: LiveEvent }>): Promise<void> {
  const clinics = [...new Set(events.map((e) => e.clinicId))].sort();
  if (dialect === 'postgres') {
    for (const clinicId of clinics) await sql`select pg_advisory_xact_lock(hashtext(${'sm_events:' + clinicId}))`.execute(tx);
  }
  const at = new Date().toISOString();
  await tx
    .insertInto('events')
    .values(events.map(({ clinicId, event }) => ({ clinic_id: clinicId, type: event.type, data: JSON.stringify(event), created_at: at })))
    .execute();
  if (dialect === 'postgres') {
    for (const clinicId of clinics) await sql`select pg_notify(${CHANNEL.events}, ${clinicId})`.execute(tx);
  }
}

/** The clinic's events after `seq`, oldest first. */
export async function eventsAfter(db: Kysely<Database>, clinicId: string, seq: number, limit = 500): Promise<StoredEvent[]> {
  const rows = await db.selectFrom('events').select(['seq', 'data']).where('clinic_id', '=', clinicId).where('seq', '>', seq).orderBy('seq').limit(limit).execute();
  return rows.map((r) => ({ ...(JSON.parse(r.data) as LiveEvent), seq: Number(r.seq) }));
}

/** The clinic's newest event number (0 when none). */
export async function lastEventSeq(db: Kysely<Database>, clinicId: string): Promise<number> {
  const row = await db.selectFrom('events').select((eb) => eb.fn.max('seq').as('seq')).where('clinic_id', '=', clinicId).executeTakeFirst();
  return Number(row?.seq ?? 0);
}

const PRUNED = 'events_pruned_through';

/** The newest event number pruned so far (0 when none): a stream resuming from before it may have missed events. */
export async function eventsPrunedThrough(db: Kysely<Database>): Promise<number> {
  const row = await db.selectFrom('server_meta').select('value').where('key', '=', PRUNED).executeTakeFirst();
  return Number(row?.value ?? 0);
}

/** Deletes events past the retention window and remembers how far it went; returns how many. */
export async function pruneEvents(db: Kysely<Database>, now = new Date()): Promise<number> {
  const cutoff = new Date(now.getTime() - EVENT_RETENTION_MS).toISOString();
  const newest = await db.selectFrom('events').select((eb) => eb.fn.max('seq').as('seq')).where('created_at', '<', cutoff).executeTakeFirst();
  if (newest?.seq == null) return 0;
  const through = String(newest.seq);
  return db.transaction().execute(async (tx) => {
    const r = await tx.deleteFrom('events').where('seq', '<=', Number(through)).executeTakeFirst();
    await tx.insertInto('server_meta').values({ key: PRUNED, value: through }).onConflict((oc) => oc.column('key').doUpdateSet({ value: through })).execute();
    return Number(r.numDeletedRows);
  });
}

/** Who may see a thread event: the patient only sees their own, and no notes or assignments. */
export function visibleTo(who: { kind: 'staff' } | { kind: 'patient'; patientId: string }, e: ThreadEvent): boolean {
  return who.kind === 'staff' || (e.patientId === who.patientId && e.kind !== 'note' && e.kind !== 'assignment');
}
