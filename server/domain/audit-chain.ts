/**
 * The audit log as a keyed hash chain, so changing, removing or adding rows below the application
 * shows. Each clinic's rows are numbered 1, 2, … and each carries
 * `hash = HMAC-SHA256(key, previous hash + "\n" + canonical fields)`, with a key derived from the
 * master key: a database writer without it cannot make a matching row. `audit_heads` keeps each
 * clinic's last number and hash, updated in the same transaction, so a deleted tail or an emptied
 * table shows too.
 *
 * Every audit row is written by `appendAudit`, inside its caller's transaction. Appends of one
 * clinic are serialised: on PostgreSQL by a per-clinic transaction lock (held to the commit, so the
 * next append reads the committed head), on SQLite by its single writer.
 *
 * Rows written before the chain existed (migration 0005) have no number. The first append or start-up
 * seals them: it writes row 1, `audit.chain-start`, whose hashed target names their count and a
 * SHA-256 digest of their fields in (at, id) order, so they are covered by the chain from then on.
 *
 * What it cannot show: someone with the owner role who deletes the newest rows AND sets the head back
 * to the last remaining row (both are readable). `audit verify` prints each head; an operator who keeps
 * those lines elsewhere can compare.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { sql, type Insertable, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Dialect } from '../db/connect.js';
import type { AuditLogTable, Database } from '../db/schema.js';
import type { Keyring } from './crypto.js';

/** The action of the row that seals rows written before the chain. */
export const CHAIN_START = 'audit.chain-start';

/** How many rows a verification reads at a time. */
const PAGE = 500;

/** A row to append: everything but its place in the chain. */
export type NewAuditRow = Omit<Insertable<AuditLogTable>, 'seq' | 'hash'>;

type Fields = Omit<Selectable<AuditLogTable>, 'seq' | 'hash'>;

/** The chain's key, derived from the master key for this one use. */
export function chainKey(keyring: Keyring): Buffer {
  return keyring.derive('audit-chain-v1');
}

/** The fields a link covers, in a fixed order (JSON of strings, numbers and nulls is unambiguous). */
function canonical(r: Fields, seq: number | null): string {
  return JSON.stringify(['v1', r.clinic_id, seq, r.id, r.at, r.actor_type, r.actor_id, r.role, r.patient_id, r.action, r.target, r.outcome, r.request_id]);
}

function link(key: Buffer, previous: string, r: Fields, seq: number): string {
  return createHmac('sha256', key).update(previous).update('\n').update(canonical(r, seq)).digest('hex');
}

function normalised(r: NewAuditRow): Fields {
  return {
    id: r.id,
    clinic_id: r.clinic_id,
    at: r.at,
    actor_type: r.actor_type,
    actor_id: r.actor_id ?? null,
    role: r.role ?? null,
    patient_id: r.patient_id ?? null,
    action: r.action,
    target: r.target ?? null,
    outcome: r.outcome,
    request_id: r.request_id ?? null,
  };
}

type Head = { seq: number; hash: string };

/** Count and digest of a clinic's rows from before the chain, read a page at a time in (at, id) order. */
async function legacyDigest(db: Kysely<Database>, clinicId: string): Promise<{ count: number; digest: string }> {
  const digest = createHash('sha256');
  let count = 0;
  let after: { at: string; id: string } | null = null;
  for (;;) {
    let q = db.selectFrom('audit_log').selectAll().where('clinic_id', '=', clinicId).where('seq', 'is', null);
    if (after) {
      const { at, id } = after;
      q = q.where((eb) => eb.or([eb('at', '>', at), eb.and([eb('at', '=', at), eb('id', '>', id)])]));
    }
    const rows = await q.orderBy('at').orderBy('id').limit(PAGE).execute();
    for (const r of rows) digest.update(canonical(r, null)).update('\n');
    count += rows.length;
    if (rows.length < PAGE) break;
    const last = rows[rows.length - 1]!;
    after = { at: last.at, id: last.id };
  }
  return { count, digest: digest.digest('hex') };
}

function sealTarget(count: number, digest: string): string {
  return `legacy:${count}:${digest}`;
}

/** The clinic's head, making it first if need be (from the newest link, or by sealing older rows). */
async function headOf(tx: Transaction<Database>, key: Buffer, clinicId: string): Promise<Head> {
  const head = await tx.selectFrom('audit_heads').select(['seq', 'hash']).where('clinic_id', '=', clinicId).executeTakeFirst();
  if (head) return { seq: Number(head.seq), hash: head.hash };
  const now = new Date().toISOString();
  // A head row lost while its links remain: continue from the newest link (verification still checks every link).
  const newest = await tx.selectFrom('audit_log').select(['seq', 'hash']).where('clinic_id', '=', clinicId).where('seq', 'is not', null).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  if (newest?.seq != null && newest.hash) {
    await tx.insertInto('audit_heads').values({ clinic_id: clinicId, seq: Number(newest.seq), hash: newest.hash, updated_at: now }).execute();
    return { seq: Number(newest.seq), hash: newest.hash };
  }
  const legacy = await legacyDigest(tx, clinicId);
  if (legacy.count === 0) return { seq: 0, hash: '' };
  const seal: Fields = { id: randomUUID(), clinic_id: clinicId, at: now, actor_type: 'system', actor_id: null, role: null, patient_id: null, action: CHAIN_START, target: sealTarget(legacy.count, legacy.digest), outcome: 'ok', request_id: null };
  const hash = link(key, '', seal, 1);
  await tx.insertInto('audit_log').values({ ...seal, seq: 1, hash }).execute();
  await tx.insertInto('audit_heads').values({ clinic_id: clinicId, seq: 1, hash, updated_at: now }).execute();
  return { seq: 1, hash };
}

async function lockClinic(tx: Transaction<Database>, dialect: Dialect, clinicId: string): Promise<void> {
  if (dialect === 'postgres') await sql`select pg_advisory_xact_lock(hashtext(${'sm_audit:' + clinicId}))`.execute(tx);
}

/**
 * Appends audit rows to their clinics' chains inside the caller's transaction: the one way audit rows
 * are written. Clinics are locked in a fixed order, so two transactions cannot wait on each other.
 */
export async function appendAudit(tx: Transaction<Database>, dialect: Dialect, keyring: Keyring, rows: NewAuditRow[]): Promise<void> {
  if (rows.length === 0) return;
  const key = chainKey(keyring);
  for (const clinicId of [...new Set(rows.map((r) => r.clinic_id))].sort()) {
    await lockClinic(tx, dialect, clinicId);
    let head = await headOf(tx, key, clinicId);
    const chained = rows
      .filter((r) => r.clinic_id === clinicId)
      .map((r) => {
        const fields = normalised(r);
        const seq = head.seq + 1;
        head = { seq, hash: link(key, head.hash, fields, seq) };
        return { ...fields, seq, hash: head.hash };
      });
    await tx.insertInto('audit_log').values(chained).execute();
    const updatedAt = new Date().toISOString();
    await tx
      .insertInto('audit_heads')
      .values({ clinic_id: clinicId, seq: head.seq, hash: head.hash, updated_at: updatedAt })
      .onConflict((oc) => oc.column('clinic_id').doUpdateSet({ seq: head.seq, hash: head.hash, updated_at: updatedAt }))
      .execute();
  }
}

/** Seals every clinic's rows from before the chain (at start-up, so verification covers them at once). */
export async function sealAuditChains(store: { db: Kysely<Database>; dialect: Dialect; keyring: Keyring }): Promise<number> {
  const key = chainKey(store.keyring);
  const unsealed = await store.db
    .selectFrom('audit_log')
    .select('clinic_id')
    .distinct()
    .where('seq', 'is', null)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('audit_heads').select('audit_heads.clinic_id').whereRef('audit_heads.clinic_id', '=', 'audit_log.clinic_id'))))
    .execute();
  for (const { clinic_id } of unsealed) {
    await store.db.transaction().execute(async (tx) => {
      await lockClinic(tx, store.dialect, clinic_id);
      await headOf(tx, key, clinic_id);
    });
  }
  return unsealed.length;
}

/** Why a chain does not verify. */
export type BreakReason = 'hash_mismatch' | 'gap' | 'head_mismatch' | 'unchained';

/** The first broken link of a clinic's chain. */
export interface ChainBreak {
  seq: number;
  /** The row at (or found instead of) that place; null when there is none (a deleted tail). */
  rowId: string | null;
  reason: BreakReason;
  /** One English sentence for operators. */
  detail: string;
}

/** A clinic's chain checked from its first row to its head. */
export interface ChainReport {
  clinicId: string;
  /** Links checked (rows from before the chain are counted by the seal row). */
  entries: number;
  head: Head | null;
  broken: ChainBreak | null;
}

/**
 * Walks a clinic's chain a page at a time and returns its first broken link, if any. Needs no
 * transaction: rows and the head commit together, so a head newer than the rows read means rows to
 * read again, and a head behind the rows read (or rows missing below it) is a real break.
 */
export async function verifyAuditChain(db: Kysely<Database>, keyring: Keyring, clinicId: string): Promise<ChainReport> {
  const key = chainKey(keyring);
  const legacy = await legacyDigest(db, clinicId);
  let prev: Head = { seq: 0, hash: '' };
  let lastId: string | null = null;
  const report = (broken: ChainBreak | null, head: Head | null): ChainReport => ({ clinicId, entries: prev.seq, head, broken });
  for (;;) {
    const rows = await db.selectFrom('audit_log').selectAll().where('clinic_id', '=', clinicId).where('seq', '>', prev.seq).orderBy('seq').limit(PAGE).execute();
    for (const r of rows) {
      const seq = Number(r.seq);
      const expected = prev.seq + 1;
      if (seq !== expected) return report({ seq: expected, rowId: r.id, reason: 'gap', detail: `Entry ${expected} is missing: the next entry is ${seq}.` }, null);
      if (seq === 1 && r.action === CHAIN_START && r.actor_type === 'system') {
        if (r.target !== sealTarget(legacy.count, legacy.digest)) return report({ seq, rowId: r.id, reason: 'hash_mismatch', detail: `The ${legacy.count} entries written before the chain no longer match what entry 1 sealed.` }, null);
      } else if (seq === 1 && legacy.count > 0) {
        return report({ seq: 0, rowId: null, reason: 'unchained', detail: `${legacy.count} entries have no place in the chain.` }, null);
      }
      if (r.hash !== link(key, prev.hash, r, seq)) return report({ seq, rowId: r.id, reason: 'hash_mismatch', detail: `Entry ${seq} does not match its hash: it was changed, or written without the key.` }, null);
      prev = { seq, hash: r.hash };
      lastId = r.id;
    }
    if (rows.length === PAGE) continue;
    if (prev.seq === 0 && legacy.count > 0) return report({ seq: 0, rowId: null, reason: 'unchained', detail: `${legacy.count} entries have no place in the chain.` }, null);
    const stored = await db.selectFrom('audit_heads').select(['seq', 'hash']).where('clinic_id', '=', clinicId).executeTakeFirst();
    const head = stored ? { seq: Number(stored.seq), hash: stored.hash } : null;
    if (!head) {
      if (prev.seq === 0) return report(null, null);
      return report({ seq: prev.seq, rowId: lastId, reason: 'head_mismatch', detail: `The chain has ${prev.seq} entries but no head.` }, null);
    }
    if (head.seq > prev.seq) {
      // Committed since the rows were read? Their rows are visible now; if none are, the tail was removed.
      const more = await db.selectFrom('audit_log').select('id').where('clinic_id', '=', clinicId).where('seq', '>', prev.seq).limit(1).executeTakeFirst();
      if (more) continue;
      return report({ seq: prev.seq + 1, rowId: null, reason: 'head_mismatch', detail: `The head says ${head.seq} entries, but the chain ends at ${prev.seq}: entries were removed.` }, head);
    }
    if (head.seq < prev.seq || head.hash !== prev.hash) {
      return report({ seq: head.seq, rowId: lastId, reason: 'head_mismatch', detail: `The head (entry ${head.seq}) does not match the chain's last entry (${prev.seq}).` }, head);
    }
    return report(null, head);
  }
}

/** Verifies every clinic's chain, one clinic at a time. */
export async function* verifyAllAuditChains(db: Kysely<Database>, keyring: Keyring): AsyncGenerator<ChainReport & { slug: string }> {
  const clinics = await db.selectFrom('clinics').select(['id', 'slug']).orderBy('slug').execute();
  for (const c of clinics) yield { ...(await verifyAuditChain(db, keyring, c.id)), slug: c.slug };
}
