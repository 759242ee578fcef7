/**
 * One action, one transaction. A domain action (send, start, update, upload) runs inside `runAction`:
 * its change, its audit rows, the jobs it leaves (e-mail to send) and the live events it raises
 * commit together or not at all. A crash between two of them is no longer possible, and a route
 * cannot forget the audit: the action declares it.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Dialect } from '../db/connect.js';
import type { GroupCommit } from '../db/group-commit.js';
import type { Database } from '../db/schema.js';
import { CHANNEL } from './channels.js';
import { auditRows, type AuditEvent } from './audit.js';
import { appendAudit, type NewAuditRow } from './audit-chain.js';
import type { Keyring } from './crypto.js';
import { insertEvents, type LiveEvent } from './events.js';
import { jobRows, type NewJob } from './jobs.js';
import type { Actor } from './principal.js';

/** The transaction an action's work queries through. */
export type Tx = Transaction<Database>;

/** The database an action runs on, and who to tell in this process when it has committed. */
export interface ActionStore {
  db: Kysely<Database>;
  dialect: Dialect;
  /** Keys the audit chain (audit-chain.ts). */
  keyring: Keyring;
  /**
   * When set (SQLite), actions arriving together share one transaction, each in its own savepoint
   * (db/group-commit.ts); each still settles only after its commit, and fails alone.
   */
  group?: GroupCommit;
  /** Called after each commit, so this instance acts at once on its events and jobs (others hear NOTIFY or poll). */
  committed?: (what: { eventClinics: string[]; jobs: boolean }) => void;
}

/** What an action's work can do besides querying through `tx`. */
export interface Action {
  tx: Tx;
  dialect: Dialect;
  /** Records audit rows, written with the change. */
  audit(events: AuditEvent | AuditEvent[]): void;
  /** Raises a live event for a clinic's streams, published once committed. */
  emit(clinicId: string, event: LiveEvent): void;
  /** Leaves a job for after the commit (e-mail, …); a crash cannot lose it. */
  enqueue(job: NewJob): void;
  /** Says the work changed jobs itself (a retry), so runners look now. */
  jobsChanged(): void;
  /**
   * Serialises this patient's actions (quota, upload cap) across connections and instances: a row
   * lock on PostgreSQL (NO KEY UPDATE, so inserts that merely reference the patient do not wait); on
   * SQLite every write transaction already holds the database's write lock.
   */
  lockPatient(clinicId: string, patientId: string): Promise<void>;
}

/** Runs `work` and everything it declared in one transaction, attributed to `who`. */
export async function runAction<T>(store: ActionStore, who: Actor, requestId: string | null, work: (a: Action) => Promise<T>): Promise<T> {
  const audits: NewAuditRow[] = [];
  const events: Array<{ clinicId: string; event: LiveEvent }> = [];
  const jobs: NewJob[] = [];
  let jobsChanged = false;
  const body = async (tx: Tx): Promise<T> => {
    const action: Action = {
      tx,
      dialect: store.dialect,
      audit: (e) => void audits.push(...auditRows(who, requestId, e)),
      emit: (clinicId, event) => void events.push({ clinicId, event }),
      enqueue: (job) => void jobs.push(job),
      jobsChanged: () => void (jobsChanged = true),
      async lockPatient(clinicId, patientId) {
        if (store.dialect === 'postgres') await sql`select id from patients where clinic_id = ${clinicId} and id = ${patientId} for no key update`.execute(tx);
      },
    };
    const value = await work(action);
    await appendAudit(tx, store.dialect, store.keyring, audits);
    if (jobs.length > 0) await tx.insertInto('jobs').values(jobRows(jobs)).onConflict((oc) => oc.column('dedupe_key').doNothing()).execute();
    if ((jobs.length > 0 || jobsChanged) && store.dialect === 'postgres') await sql`select pg_notify(${CHANNEL.jobs}, '')`.execute(tx);
    if (events.length > 0) await insertEvents(tx, store.dialect, events);
    return value;
  };
  const result = store.group ? await store.group.run(body) : await store.db.transaction().execute(body);
  store.committed?.({ eventClinics: [...new Set(events.map((e) => e.clinicId))], jobs: jobs.length > 0 || jobsChanged });
  return result;
}

/**
 * An action whose work is one data function over the transaction and whose audit rows follow from its
 * result: `audited(store, who, id, (tx) => enrolPatient(tx, …), (p) => ({ action: 'patient.enrol', patientId: p.id }))`.
 */
export function audited<T>(store: ActionStore, who: Actor, requestId: string | null, work: (tx: Tx) => Promise<T>, audit: (result: T) => AuditEvent | AuditEvent[]): Promise<T> {
  return runAction(store, who, requestId, async (a) => {
    const result = await work(a.tx);
    a.audit(audit(result));
    return result;
  });
}
