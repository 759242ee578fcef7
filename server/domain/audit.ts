/**
 * The audit log: one row for every read or change of health information. Rows are only ever
 * inserted; the database itself refuses updates and deletes (see the first migration).
 */
import { randomUUID } from 'node:crypto';
import type { Insertable, Kysely } from 'kysely';
import type { AuditLogTable, Database } from '../db/schema.js';
import type { AuditEntry, AuditQuery } from '../../shared/api.js';
import type { Actor } from './principal.js';

/** What happened, to whom. */
export interface AuditEvent {
  action: string;
  patientId?: string | null;
  target?: string | null;
  outcome?: 'ok' | 'denied' | 'error';
}

/** The rows for these events, attributed to the actor. */
export function auditRows(who: Actor, requestId: string | null, events: AuditEvent | AuditEvent[]): Array<Insertable<AuditLogTable>> {
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
 * Appends one row per event in one statement. For a denied or failed attempt, whose only record is
 * the audit row; an action that changes something audits inside its own transaction (see action.ts).
 */
export async function recordAudit(db: Kysely<Database>, who: Actor, requestId: string | null, events: AuditEvent | AuditEvent[]): Promise<void> {
  const rows = auditRows(who, requestId, events);
  if (rows.length > 0) await db.insertInto('audit_log').values(rows).execute();
}

/** The clinic's audit rows, newest first, filtered. Staff names are joined in for reading. */
export async function listAudit(db: Kysely<Database>, clinicId: string, q: AuditQuery): Promise<AuditEntry[]> {
  let query = db
    .selectFrom('audit_log as a')
    .leftJoin('staff as s', (j) => j.onRef('s.id', '=', 'a.actor_id').on('a.actor_type', '=', 'staff'))
    .select(['a.id', 'a.at', 'a.actor_type', 'a.actor_id', 'a.role', 'a.patient_id', 'a.action', 'a.target', 'a.outcome', 'a.request_id', 's.name as actor_name'])
    .where('a.clinic_id', '=', clinicId);
  if (q.patientId) query = query.where('a.patient_id', '=', q.patientId);
  if (q.actorId) query = query.where('a.actor_id', '=', q.actorId);
  if (q.action) query = query.where('a.action', '=', q.action);
  if (q.from) query = query.where('a.at', '>=', new Date(q.from).toISOString());
  if (q.to) query = query.where('a.at', '<=', new Date(q.to).toISOString());
  const rows = await query.orderBy('a.at', 'desc').orderBy('a.id').limit(q.limit ?? 100).execute();
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    actorType: r.actor_type,
    actorId: r.actor_id,
    actorName: r.actor_name ?? null,
    role: r.role,
    patientId: r.patient_id,
    action: r.action,
    target: r.target,
    outcome: r.outcome,
    requestId: r.request_id,
  }));
}
