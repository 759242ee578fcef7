/**
 * The audit log: one row for every read or change of health information. Rows are only ever
 * appended, as links of each clinic's keyed hash chain (audit-chain.ts); the database itself refuses
 * updates and deletes (see the first migration), and a restricted role cannot truncate it (README).
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Dialect } from '../db/connect.js';
import type { Database } from '../db/schema.js';
import type { AuditEntry, AuditExportQuery, AuditPage, AuditQuery } from '../../shared/api.js';
import { appendAudit, type NewAuditRow } from './audit-chain.js';
import type { ClinicCipher, Keyring } from './crypto.js';
import { decodeCursor, pageOf } from './keyset-cursor.js';
import { patientNames } from './patients.js';
import type { Actor } from './principal.js';

/** What happened, to whom. */
export interface AuditEvent {
  action: string;
  patientId?: string | null;
  target?: string | null;
  outcome?: 'ok' | 'denied' | 'error';
}

/** The rows for these events, attributed to the actor. */
export function auditRows(who: Actor, requestId: string | null, events: AuditEvent | AuditEvent[]): NewAuditRow[] {
  const at = new Date().toISOString();
  return (Array.isArray(events) ? events : [events]).map((e) => ({
    id: randomUUID(),
    clinic_id: who.clinicId,
    at,
    actor_type: who.kind,
    actor_id: who.kind === 'staff' ? who.staffId : who.kind === 'patient' ? who.patientId : null,
    role: who.kind === 'staff' ? who.role : who.kind === 'patient' ? 'patient' : null,
    patient_id: e.patientId ?? (who.kind === 'patient' ? who.patientId : null),
    action: e.action,
    target: e.target ?? null,
    outcome: e.outcome ?? 'ok',
    request_id: requestId,
  }));
}

/**
 * Appends the events in a transaction of their own. For a denied or failed attempt, whose only record is
 * the audit row; an action that changes something audits inside its own transaction (see action.ts).
 */
export async function recordAudit(store: { db: Kysely<Database>; dialect: Dialect; keyring: Keyring }, who: Actor, requestId: string | null, events: AuditEvent | AuditEvent[]): Promise<void> {
  const rows = auditRows(who, requestId, events);
  if (rows.length > 0) await store.db.transaction().execute((tx) => appendAudit(tx, store.dialect, store.keyring, rows));
}

type Filter = AuditExportQuery & { limit?: number };

/** One page of the clinic's entries, newest first, after the given entry; staff and patient names joined in for reading. */
async function auditPage(db: Kysely<Database>, cipher: ClinicCipher, q: Filter, limit: number, after?: { at: string; id: string }): Promise<AuditEntry[]> {
  let query = db
    .selectFrom('audit_log as a')
    .leftJoin('staff as s', (j) => j.onRef('s.id', '=', 'a.actor_id').on('a.actor_type', '=', 'staff'))
    .select(['a.id', 'a.at', 'a.actor_type', 'a.actor_id', 'a.role', 'a.patient_id', 'a.action', 'a.target', 'a.outcome', 'a.request_id', 's.name as actor_name'])
    .where('a.clinic_id', '=', cipher.clinicId);
  if (q.patientId) query = query.where('a.patient_id', '=', q.patientId);
  if (q.actorId) query = query.where('a.actor_id', '=', q.actorId);
  if (q.action) query = query.where('a.action', '=', q.action);
  if (q.from) query = query.where('a.at', '>=', new Date(q.from).toISOString());
  if (q.to) query = query.where('a.at', '<=', new Date(q.to).toISOString());
  if (after) query = query.where((eb) => eb.or([eb('a.at', '<', after.at), eb.and([eb('a.at', '=', after.at), eb('a.id', '>', after.id)])]));
  const rows = await query.orderBy('a.at', 'desc').orderBy('a.id').limit(limit).execute();
  const names = await patientNames(db, cipher, rows.flatMap((r) => (r.patient_id ? [r.patient_id] : [])));
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    actorType: r.actor_type,
    actorId: r.actor_id,
    actorName: r.actor_name ?? null,
    role: r.role,
    patientId: r.patient_id,
    patientName: r.patient_id ? (names.get(r.patient_id) ?? null) : null,
    action: r.action,
    target: r.target,
    outcome: r.outcome,
    requestId: r.request_id,
  }));
}

/** One page of the clinic's (the cipher's) audit entries, newest first, filtered, with staff and patient names. */
export async function listAudit(db: Kysely<Database>, cipher: ClinicCipher, q: AuditQuery): Promise<AuditPage> {
  const limit = q.limit ?? 100;
  const after = q.cursor ? (decodeCursor(q.cursor) as [string, string]) : undefined;
  const page = pageOf(await auditPage(db, cipher, q, limit + 1, after && { at: after[0], id: after[1] }), limit, (e) => [e.at, e.id]);
  return { entries: page.rows, nextCursor: page.nextCursor };
}

/** Every entry matching the filter, newest first, read a page at a time (for the CSV export). */
export async function* allAudit(db: Kysely<Database>, cipher: ClinicCipher, q: AuditExportQuery, pageSize = 500): AsyncGenerator<AuditEntry> {
  let after: { at: string; id: string } | undefined;
  for (;;) {
    const page = await auditPage(db, cipher, q, pageSize, after);
    yield* page;
    if (page.length < pageSize) return;
    const last = page[page.length - 1]!;
    after = { at: last.at, id: last.id };
  }
}

/** The CSV columns of an export, in order. */
export const AUDIT_CSV_COLUMNS = ['at', 'actor', 'role', 'action', 'target', 'patient', 'patient id', 'outcome', 'request id'] as const;

/**
 * A cell a spreadsheet will not run: text starting with = + - @, a tab or a carriage return gets a
 * leading apostrophe (OWASP's advice against formula injection).
 */
export function safeCell(value: string | null): string {
  if (value === null) return '';
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** One entry as a CSV record. */
export function auditCsvRecord(e: AuditEntry): string[] {
  return [e.at, e.actorName ?? e.actorType, e.role, e.action, e.target, e.patientName, e.patientId, e.outcome, e.requestId].map(safeCell);
}
