/**
 * Conversations between a patient and their clinic, under the clinic's rules (mode, hours, quota,
 * length). Subjects and bodies are encrypted; internal notes never leave the staff side. Sending is
 * idempotent by the client's message id: a retry returns the original, a different message reusing
 * the id is a 409.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import { isUniqueViolation } from '../db/errors.js';
import type { Database, MessageRow, ThreadRow } from '../db/schema.js';
import type { InboxFilter, InboxPage, InboxThread, Message, MessagingSettings, NewPatientReply, NewPatientThread, NewReply, NewStaffThread, PatientMessagingStatus, ThreadDetail, ThreadPatch, ThreadSummary, StaffThreadDetail } from '../../shared/messaging.js';
import { checkLength } from '../../shared/message-rules.js';
import type { Lang } from '../../shared/lang.js';
import { assertClaimable, attachmentsFor } from './attachments.js';
import type { ClinicCipher } from './crypto.js';
import { AppError, notFound } from './errors.js';
import { isOpen, nextOpening } from './hours.js';
import { replyDue } from './messaging-settings.js';
import { assertConsent, getPatient, patientsNamed } from './patients.js';
import { runAction, type Action, type ActionStore } from './action.js';
import { newMessageNotice } from './notices.js';
import type { PatientPrincipal, Principal, StaffPrincipal } from './principal.js';

const DAY = 24 * 60 * 60 * 1000;

/** What thread operations need. */
export interface MessagingContext {
  db: Kysely<Database>;
  /** Where actions run (one transaction each, see action.ts). */
  store: ActionStore;
  /** The request, for the audit rows. */
  requestId: string | null;
  cipher: ClinicCipher;
  settings: MessagingSettings;
  clinicName: string;
}

/** What a send produced: the thread, and whether this call created the message (false for a retry). */
export interface SendResult {
  threadId: string;
  messageId: string;
  created: boolean;
}

function checkBody(settings: MessagingSettings, body: string): void {
  if (!body.trim()) throw new AppError(422, 'empty_message', 'The message is empty');
  const c = checkLength(body, settings);
  if (c.overChars) throw new AppError(422, 'too_long', `The message is ${c.chars} characters long; this clinic accepts at most ${settings.maxChars}`, { params: { chars: c.chars, max: settings.maxChars ?? 0 } });
  if (c.overWords) throw new AppError(422, 'too_many_words', `The message is ${c.words} words long; this clinic accepts at most ${settings.maxWords}`, { params: { words: c.words, max: settings.maxWords ?? 0 } });
}

function contentHash(cipher: ClinicCipher, target: string, body: string, attachmentIds: string[] = []): string {
  return cipher.blindIndex(JSON.stringify([target, body, [...attachmentIds].sort()]), 'message.content');
}

/** A retry of a message already stored: the original, or a 409 if the id now carries something else. */
/**
 * The earlier answer to a retried send, or null for a new id. An id that is not the caller's own
 * message (another clinic's, another person's) is a 404, like every foreign id; the caller's own id
 * with different content is a 409.
 */
async function replay(db: Kysely<Database>, clinicId: string, authorId: string, id: string, hash: string): Promise<SendResult | null> {
  const existing = await db.selectFrom('messages').select(['thread_id', 'content_hash', 'clinic_id', 'author_id']).where('id', '=', id).executeTakeFirst();
  if (!existing) return null;
  if (existing.clinic_id !== clinicId || existing.author_id !== authorId) throw notFound('Message');
  if (existing.content_hash !== hash) throw new AppError(409, 'id_conflict', 'A different message was already sent with this id');
  return { threadId: existing.thread_id, messageId: id, created: false };
}

async function insertMessage(
  tx: Transaction<Database>,
  cipher: ClinicCipher,
  m: { id: string; threadId: string; author: MessageRow['author_type']; authorId: string; kind: MessageRow['kind']; body: string; hash: string; at: string; attachmentIds?: string[]; emergencyOverride?: boolean },
): Promise<void> {
  await tx
    .insertInto('messages')
    .values({ id: m.id, clinic_id: cipher.clinicId, thread_id: m.threadId, author_type: m.author, author_id: m.authorId, kind: m.kind, body_enc: cipher.encrypt(m.body, 'message.body'), content_hash: m.hash, created_at: m.at, emergency_override: m.emergencyOverride ? 1 : 0 })
    .execute();
  if (m.attachmentIds?.length) await tx.updateTable('attachments').set({ message_id: m.id }).where('clinic_id', '=', cipher.clinicId).where('id', 'in', m.attachmentIds).execute();
}

/**
 * One send as one action: the patient's row is locked (quota, concurrent retries), a retry that finds
 * its message answers as the first did, and the message commits with its audit row, its live event
 * and its notice job. Two requests racing with one id both end with the original message.
 */
async function send(ctx: MessagingContext, who: Principal, patientId: string, id: string, hash: string, work: (a: Action) => Promise<SendResult>): Promise<SendResult> {
  const authorId = who.kind === 'patient' ? who.patientId : who.staffId;
  const again = await replay(ctx.db, ctx.cipher.clinicId, authorId, id, hash);
  if (again) return again;
  try {
    return await runAction(ctx.store, who, ctx.requestId, async (a) => {
      await a.lockPatient(ctx.cipher.clinicId, patientId);
      const again = await replay(a.tx, ctx.cipher.clinicId, authorId, id, hash);
      if (again) return again;
      if (who.kind === 'patient') await assertConsent(a.tx, who.clinicId, who.patientId);
      return work(a);
    });
  } catch (err) {
    const winner = isUniqueViolation(err) ? await replay(ctx.db, ctx.cipher.clinicId, authorId, id, hash) : null;
    if (winner) return winner;
    throw err;
  }
}

/** The audit row, live event and (for the patient) notice of one new message. */
function announce(a: Action, ctx: MessagingContext, m: { id: string; threadId: string; patientId: string; author: 'patient' | 'staff'; kind: 'message' | 'note' }): void {
  a.audit({ action: m.kind === 'note' ? 'note.add' : 'message.send', patientId: m.patientId, target: `message:${m.id}` });
  a.emit(ctx.cipher.clinicId, { type: 'message', threadId: m.threadId, patientId: m.patientId, author: m.author, kind: m.kind });
  if (m.author === 'staff' && m.kind === 'message') a.enqueue(newMessageNotice(ctx.cipher.clinicId, m.patientId));
}

/**
 * The patient's use of the weekly limit: conversations they started in the last 7 days, and when the
 * oldest of them leaves that window. The one count behind both the refusal and the "N more" the widget
 * shows, so the two never disagree.
 */
async function weeklyUse(db: Kysely<Database>, clinicId: string, patientId: string, now: Date): Promise<{ used: number; resetsAt: string | null }> {
  const since = new Date(now.getTime() - 7 * DAY).toISOString();
  const recent = await db.selectFrom('threads').select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.min<string>('created_at').as('oldest')]).where('clinic_id', '=', clinicId).where('patient_id', '=', patientId).where('started_by', '=', 'patient').where('created_at', '>=', since).executeTakeFirstOrThrow();
  // The oldest conversation counted leaves the 7-day window first: then the patient may start one again.
  return { used: Number(recent.n), resetsAt: recent.oldest ? new Date(new Date(recent.oldest).getTime() + 7 * DAY).toISOString() : null };
}

/** The signed-in patient's standing under the weekly limit (how many new conversations are left). */
export async function patientMessagingStatus(ctx: MessagingContext, who: PatientPrincipal, now = new Date()): Promise<PatientMessagingStatus> {
  const quota = ctx.settings.weeklyThreadQuota;
  if (quota === null) return { weeklyThreadQuota: null, weeklyThreadsLeft: null, weeklyResetsAt: null };
  const { used, resetsAt } = await weeklyUse(ctx.db, ctx.cipher.clinicId, who.patientId, now);
  return { weeklyThreadQuota: quota, weeklyThreadsLeft: Math.max(0, quota - used), weeklyResetsAt: resetsAt };
}

/** Marks the conversation for staff when the patient sent past the emergency notice (audited as such). */
async function recordOverride(a: Action, clinicId: string, patientId: string, threadId: string, messageId: string, at: string): Promise<void> {
  await a.tx.updateTable('threads').set({ emergency_override_at: at }).where('clinic_id', '=', clinicId).where('id', '=', threadId).execute();
  a.audit({ action: 'message.emergency_override', patientId, target: `message:${messageId}` });
}

/** A patient starts a conversation (two-way mode only, within hours if the clinic says so, within quota). */
export async function startPatientThread(ctx: MessagingContext, who: PatientPrincipal, input: NewPatientThread, lang: Lang): Promise<SendResult> {
  const { cipher, settings } = ctx;
  const subject = input.subject?.trim() ?? '';
  const hash = contentHash(cipher, `new:${subject}:${input.category}`, input.body, input.attachmentIds);
  return send(ctx, who, who.patientId, input.id, hash, async (a) => {
    if (settings.mode !== 'two-way') throw new AppError(403, 'new_threads_closed', 'This clinic does not accept new conversations from patients; you can reply to messages it sends you');
    const now = new Date();
    const open = isOpen(settings, now);
    if (!open && !settings.acceptNewOutsideHours) {
      const next = nextOpening(settings, now);
      throw new AppError(409, 'outside_hours', `The clinic accepts new messages during its messaging hours${next ? `; next opening ${next.toISOString()}` : ''}`, next ? { params: { nextOpening: next.toISOString() } } : undefined);
    }
    // The patient chooses a category (the widget starts on "Choose…"); none is asked for only when the clinic has none.
    if (settings.categories.length > 0 && !input.category) throw new AppError(422, 'category_required', 'Choose a category for the message');
    if (settings.categories.length > 0 && !settings.categories.some((c) => c.id === input.category)) throw new AppError(400, 'unknown_category', `Category "${input.category}" is not one of this clinic's categories`);
    if (settings.categories.length === 0 && input.category) throw new AppError(400, 'unknown_category', 'This clinic has no categories');
    if (settings.subjectRequired && !subject) throw new AppError(422, 'subject_required', 'This clinic asks for a subject');
    checkBody(settings, input.body);
    if (settings.weeklyThreadQuota !== null) {
      // Counted under the patient's lock, so concurrent requests cannot all pass the same count.
      const { used, resetsAt } = await weeklyUse(a.tx, cipher.clinicId, who.patientId, now);
      if (used >= settings.weeklyThreadQuota) {
        throw new AppError(429, 'weekly_quota', `You can start ${settings.weeklyThreadQuota} new conversations a week with this clinic; you can still reply to existing ones`, {
          params: { limit: settings.weeklyThreadQuota, ...(resetsAt ? { resetsAt } : {}) },
        });
      }
    }
    await assertClaimable(a.tx, cipher.clinicId, who.patientId, who, input.attachmentIds ?? []);
    const threadId = randomUUID();
    const at = now.toISOString();
    await a.tx
      .insertInto('threads')
      .values({
        id: threadId, clinic_id: cipher.clinicId, patient_id: who.patientId, subject_enc: cipher.encrypt(subject, 'thread.subject'), category: input.category, status: 'open',
        patient_may_reply: 1, started_by: 'patient', assigned_to: null, awaiting_reply_since: at, due_at: replyDue(settings, at), patient_unread: open ? 0 : 1, staff_unread: 1, last_message_at: at, created_at: at,
      })
      .execute();
    await insertMessage(a.tx, cipher, { id: input.id, threadId, author: 'patient', authorId: who.patientId, kind: 'message', body: input.body, hash, at, attachmentIds: input.attachmentIds, emergencyOverride: input.emergencyOverride });
    if (input.emergencyOverride) await recordOverride(a, cipher.clinicId, who.patientId, threadId, input.id, at);
    if (!open) {
      // The clinic's automatic answer outside hours, a moment after the patient's message so it sorts after it.
      const later = new Date(now.getTime() + 1).toISOString();
      await insertMessage(a.tx, cipher, { id: randomUUID(), threadId, author: 'system', authorId: '', kind: 'message', body: settings.autoReply[lang], hash: '', at: later });
    }
    a.audit({ action: 'thread.start', patientId: who.patientId, target: `thread:${threadId}` });
    announce(a, ctx, { id: input.id, threadId, patientId: who.patientId, author: 'patient', kind: 'message' });
    return { threadId, messageId: input.id, created: true };
  });
}

async function threadOf(db: Kysely<Database>, clinicId: string, id: string): Promise<ThreadRow> {
  const row = await db.selectFrom('threads').selectAll().where('clinic_id', '=', clinicId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Conversation');
  return row;
}

/** A patient replies in one of their threads. */
export async function patientReply(ctx: MessagingContext, who: PatientPrincipal, threadId: string, input: NewPatientReply): Promise<SendResult> {
  const { cipher, settings } = ctx;
  const hash = contentHash(cipher, `reply:${threadId}`, input.body, input.attachmentIds);
  return send(ctx, who, who.patientId, input.id, hash, async (a) => {
    const thread = await threadOf(a.tx, cipher.clinicId, threadId);
    if (thread.patient_id !== who.patientId) throw notFound('Conversation');
    if (thread.status === 'closed') throw new AppError(409, 'thread_closed', 'This conversation is closed; start a new one if you need to');
    if (settings.mode === 'one-way' || !thread.patient_may_reply) throw new AppError(403, 'replies_not_allowed', 'The clinic does not take replies to this message');
    checkBody(settings, input.body);
    await assertClaimable(a.tx, cipher.clinicId, who.patientId, who, input.attachmentIds ?? []);
    const at = new Date().toISOString();
    await insertMessage(a.tx, cipher, { id: input.id, threadId, author: 'patient', authorId: who.patientId, kind: 'message', body: input.body, hash, at, attachmentIds: input.attachmentIds, emergencyOverride: input.emergencyOverride });
    if (input.emergencyOverride) await recordOverride(a, cipher.clinicId, who.patientId, threadId, input.id, at);
    await a.tx
      .updateTable('threads')
      .set((eb) => ({ status: 'open', staff_unread: eb('staff_unread', '+', 1), last_message_at: at, awaiting_reply_since: eb.fn.coalesce('awaiting_reply_since', eb.val(at)), due_at: eb.fn.coalesce('due_at', eb.val(replyDue(settings, at))) }))
      .where('id', '=', threadId)
      .execute();
    announce(a, ctx, { id: input.id, threadId, patientId: who.patientId, author: 'patient', kind: 'message' });
    return { threadId, messageId: input.id, created: true };
  });
}

/** Staff answer (or add an internal note). A reply to the patient clears the response-time clock and e-mails the patient a notice. */
export async function staffReply(ctx: MessagingContext, who: StaffPrincipal, threadId: string, input: NewReply): Promise<SendResult> {
  const { cipher } = ctx;
  const kind = input.note ? 'note' : 'message';
  const hash = contentHash(cipher, `${kind}:${threadId}`, input.body, input.attachmentIds);
  const thread = await threadOf(ctx.db, cipher.clinicId, threadId);
  return send(ctx, who, thread.patient_id, input.id, hash, async (a) => {
    const current = await threadOf(a.tx, cipher.clinicId, threadId);
    if (current.status === 'closed' && kind === 'message') throw new AppError(409, 'thread_closed', 'This conversation is closed; reopen it to reply');
    if (!input.body.trim()) throw new AppError(422, 'empty_message', 'The message is empty');
    await assertClaimable(a.tx, cipher.clinicId, current.patient_id, who, input.attachmentIds ?? []);
    const at = new Date().toISOString();
    await insertMessage(a.tx, cipher, { id: input.id, threadId, author: 'staff', authorId: who.staffId, kind, body: input.body, hash, at, attachmentIds: input.attachmentIds });
    if (kind === 'message') {
      await a.tx
        .updateTable('threads')
        .set((eb) => ({ status: current.patient_may_reply ? 'waiting' : 'open', patient_unread: eb('patient_unread', '+', 1), last_message_at: at, awaiting_reply_since: null, due_at: null, staff_unread: 0 }))
        .where('id', '=', threadId)
        .execute();
    }
    announce(a, ctx, { id: input.id, threadId, patientId: current.patient_id, author: 'staff', kind });
    return { threadId, messageId: input.id, created: true };
  });
}

/** The clinic starts a conversation (a message or documents), choosing whether the patient may reply. */
export async function startStaffThread(ctx: MessagingContext, who: StaffPrincipal, input: NewStaffThread): Promise<SendResult> {
  const { cipher, settings } = ctx;
  const hash = contentHash(cipher, `staff-new:${input.patientId}:${input.subject}:${input.category}`, input.body, input.attachmentIds);
  await getPatient(ctx.db, cipher, input.patientId);
  return send(ctx, who, input.patientId, input.id, hash, async (a) => {
    if (!settings.categories.some((c) => c.id === input.category)) throw new AppError(400, 'unknown_category', `Category "${input.category}" is not one of this clinic's categories`);
    await assertClaimable(a.tx, cipher.clinicId, input.patientId, who, input.attachmentIds ?? []);
    const threadId = randomUUID();
    const at = new Date().toISOString();
    await a.tx
      .insertInto('threads')
      .values({
        id: threadId, clinic_id: cipher.clinicId, patient_id: input.patientId, subject_enc: cipher.encrypt(input.subject.trim(), 'thread.subject'), category: input.category,
        status: input.patientMayReply ? 'waiting' : 'open', patient_may_reply: input.patientMayReply ? 1 : 0, started_by: 'staff', assigned_to: who.staffId,
        awaiting_reply_since: null, due_at: null, patient_unread: 1, staff_unread: 0, last_message_at: at, created_at: at,
      })
      .execute();
    await insertMessage(a.tx, cipher, { id: input.id, threadId, author: 'staff', authorId: who.staffId, kind: 'message', body: input.body, hash, at, attachmentIds: input.attachmentIds });
    a.audit({ action: 'thread.start', patientId: input.patientId, target: `thread:${threadId}` });
    announce(a, ctx, { id: input.id, threadId, patientId: input.patientId, author: 'staff', kind: 'message' });
    return { threadId, messageId: input.id, created: true };
  });
}

function summary(cipher: ClinicCipher, t: ThreadRow, unread: number): ThreadSummary {
  return {
    id: t.id, subject: cipher.decrypt(t.subject_enc, 'thread.subject'), category: t.category, status: t.status, patientMayReply: t.patient_may_reply === 1,
    startedBy: t.started_by, unread, lastMessageAt: t.last_message_at, createdAt: t.created_at,
  };
}

/** A patient's threads, unread first, then newest (audited with the read). */
export async function listPatientThreads(ctx: MessagingContext, who: PatientPrincipal): Promise<ThreadSummary[]> {
  return runAction(ctx.store, who, ctx.requestId, async (a) => {
    const rows = await a.tx.selectFrom('threads').selectAll().where('clinic_id', '=', ctx.cipher.clinicId).where('patient_id', '=', who.patientId).orderBy('last_message_at', 'desc').execute();
    const list = rows.map((t) => summary(ctx.cipher, t, t.patient_unread));
    a.audit({ action: 'thread.list', target: `threads:${list.length}` });
    return [...list.filter((t) => t.unread > 0), ...list.filter((t) => t.unread === 0)];
  });
}

async function messagesOf(tx: Kysely<Database>, ctx: MessagingContext, thread: ThreadRow, includeNotes: boolean, patientName: string): Promise<Message[]> {
  let q = tx.selectFrom('messages as m').leftJoin('staff as s', 's.id', 'm.author_id').select(['m.id', 'm.thread_id', 'm.author_type', 'm.kind', 'm.body_enc', 'm.created_at', 's.name as staff_name']).where('m.clinic_id', '=', ctx.cipher.clinicId).where('m.thread_id', '=', thread.id);
  if (!includeNotes) q = q.where('m.kind', '=', 'message');
  const rows = await q.orderBy('m.created_at').orderBy('m.id').execute();
  const files = await attachmentsFor(tx, ctx.cipher, rows.map((r) => r.id));
  return rows.map((r) => ({
    id: r.id, threadId: r.thread_id, author: r.author_type, kind: r.kind, body: ctx.cipher.decrypt(r.body_enc, 'message.body'),
    authorName: r.author_type === 'patient' ? patientName : r.author_type === 'system' ? ctx.clinicName : (r.staff_name ?? ctx.clinicName),
    attachments: files.get(r.id) ?? [], createdAt: r.created_at,
  }));
}

/** One of the patient's threads with its messages (never notes); marks it read for the patient. */
export async function readPatientThread(ctx: MessagingContext, who: PatientPrincipal, id: string): Promise<ThreadDetail> {
  return runAction(ctx.store, who, ctx.requestId, async (a) => {
    const thread = await threadOf(a.tx, ctx.cipher.clinicId, id);
    if (thread.patient_id !== who.patientId) throw notFound('Conversation');
    const patient = await getPatient(a.tx, ctx.cipher, who.patientId);
    const messages = await messagesOf(a.tx, ctx, thread, false, patient.name);
    if (thread.patient_unread > 0) await a.tx.updateTable('threads').set({ patient_unread: 0 }).where('id', '=', id).execute();
    a.audit({ action: 'thread.read', target: `thread:${id}` });
    return { thread: summary(ctx.cipher, { ...thread, patient_unread: 0 }, 0), messages };
  });
}

function inboxThread(ctx: MessagingContext, t: ThreadRow, patientName: string): InboxThread {
  return {
    ...summary(ctx.cipher, t, t.staff_unread), patientId: t.patient_id, patientName, assignedTo: t.assigned_to, awaitingReplySince: t.awaiting_reply_since,
    dueAt: t.status !== 'closed' ? t.due_at : null, emergencyOverrideAt: t.emergency_override_at ?? null,
  };
}

/** A page position: the last row's (last_message_at, id), opaque to clients. */
const encodeCursor = (t: ThreadRow) => Buffer.from(JSON.stringify([t.last_message_at, t.id])).toString('base64url');
function decodeCursor(cursor: string): [string, string] {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'string')) return v as [string, string];
  } catch {
    // falls through to the refusal
  }
  throw new AppError(400, 'invalid_cursor', 'cursor is not one this server gave out; start again from the first page');
}

/**
 * One page of the clinic's inbox, newest first. Filtering, ordering and the keyset page all happen
 * in SQL (patient names through the blind index, "overdue" on the stored due instant); only the
 * page's own patients are decrypted.
 */
export async function listInbox(ctx: MessagingContext, who: StaffPrincipal, f: InboxFilter): Promise<InboxPage> {
  return runAction(ctx.store, who, ctx.requestId, async (a) => {
    const limit = f.limit ?? 200;
    let q = a.tx.selectFrom('threads').selectAll().where('clinic_id', '=', ctx.cipher.clinicId);
    if (f.status) q = q.where('status', '=', f.status);
    if (f.unread) q = q.where('staff_unread', '>', 0);
    if (f.mine) q = q.where('assigned_to', '=', who.staffId);
    if (f.category) q = q.where('category', '=', f.category);
    if (f.overdue) q = q.where('status', '!=', 'closed').where('due_at', '<', new Date().toISOString());
    const named = f.patient ? patientsNamed(a.tx, ctx.cipher, f.patient) : null;
    if (named) q = q.where('patient_id', 'in', named);
    if (f.cursor) {
      const [at, id] = decodeCursor(f.cursor);
      q = q.where((eb) => eb.or([eb('last_message_at', '<', at), eb.and([eb('last_message_at', '=', at), eb('id', '<', id)])]));
    }
    const rows = await q.orderBy('last_message_at', 'desc').orderBy('id', 'desc').limit(limit + 1).execute();
    const page = rows.slice(0, limit);
    const patientIds = [...new Set(page.map((r) => r.patient_id))];
    const names = new Map<string, string>();
    if (patientIds.length > 0) {
      const patientRows = await a.tx.selectFrom('patients').select(['id', 'details_enc']).where('clinic_id', '=', ctx.cipher.clinicId).where('id', 'in', patientIds).execute();
      for (const p of patientRows) names.set(p.id, (JSON.parse(ctx.cipher.decrypt(p.details_enc, 'patient.details')) as { name: string }).name);
    }
    const threads = page.map((t) => inboxThread(ctx, t, names.get(t.patient_id) ?? ''));
    a.audit(threads.map((t) => ({ action: 'thread.list', patientId: t.patientId, target: `thread:${t.id}` })));
    return { threads, nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]!) : null };
  });
}

/** A thread for staff, notes included; marks it read for the clinic. */
export async function readStaffThread(ctx: MessagingContext, who: StaffPrincipal, id: string): Promise<StaffThreadDetail> {
  return runAction(ctx.store, who, ctx.requestId, async (a) => {
    const thread = await threadOf(a.tx, ctx.cipher.clinicId, id);
    const patient = await getPatient(a.tx, ctx.cipher, thread.patient_id);
    const messages = await messagesOf(a.tx, ctx, thread, true, patient.name);
    if (thread.staff_unread > 0) await a.tx.updateTable('threads').set({ staff_unread: 0 }).where('id', '=', id).execute();
    a.audit({ action: 'thread.read', patientId: thread.patient_id, target: `thread:${id}` });
    return { thread: inboxThread(ctx, { ...thread, staff_unread: 0 }, patient.name), messages };
  });
}

/** Close, reopen or (re)assign a thread. */
export async function updateThread(ctx: MessagingContext, who: StaffPrincipal, id: string, patch: ThreadPatch): Promise<ThreadRow> {
  return runAction(ctx.store, who, ctx.requestId, async (a) => {
    const thread = await threadOf(a.tx, ctx.cipher.clinicId, id);
    if (patch.assignedTo) {
      const staff = await a.tx.selectFrom('staff').select(['id', 'disabled_at', 'password_set_at']).where('clinic_id', '=', ctx.cipher.clinicId).where('id', '=', patch.assignedTo).executeTakeFirst();
      if (!staff || staff.disabled_at || staff.password_set_at === null) throw new AppError(400, 'unknown_staff', 'assignedTo is not an active staff member of this clinic');
    }
    await a.tx
      .updateTable('threads')
      .set({
        ...(patch.status === 'closed' ? { status: 'closed' as const } : {}),
        ...(patch.status === 'open' && thread.status === 'closed' ? { status: 'open' as const } : {}),
        ...(patch.assignedTo !== undefined ? { assigned_to: patch.assignedTo } : {}),
      })
      .where('id', '=', id)
      .execute();
    a.audit({ action: 'thread.update', patientId: thread.patient_id, target: `thread:${id}:${Object.keys(patch).sort().join(',')}` });
    // Who a thread is assigned to is the clinic's business: an assignment alone is a staff-only event.
    a.emit(ctx.cipher.clinicId, { type: 'thread', threadId: id, patientId: thread.patient_id, author: 'staff', kind: patch.status !== undefined ? 'status' : 'assignment' });
    return threadOf(a.tx, ctx.cipher.clinicId, id);
  });
}
