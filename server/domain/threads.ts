/**
 * Conversations between a patient and their clinic, under the clinic's rules (mode, hours, quota,
 * length). Subjects and bodies are encrypted; internal notes never leave the staff side. Sending is
 * idempotent by the client's message id: a retry returns the original, a different message reusing
 * the id is a 409.
 */
import { randomUUID } from 'node:crypto';
import { sql, type Kysely, type SqlBool, type Transaction } from 'kysely';
import { isUniqueViolation } from '../db/errors.js';
import type { Database, MessageRow, ThreadRow } from '../db/schema.js';
import { MESSAGE_PAGE, type BulkThreadPatch, type InboxFilter, type InboxPage, type InboxPreview, type InboxThread, type Message, type MessagePage, type MessagePageQuery, type MessagingSettings, type NewPatientReply, type NewPatientThread, type NewReply, type NewStaffThread, type PatientMessagingStatus, type ThreadDetail, type ThreadPatch, type ThreadSummary, type StaffThreadDetail } from '../../shared/messaging.js';
import { checkLength } from '../../shared/message-rules.js';
import type { Lang } from '../../shared/lang.js';
import { assertClaimable, attachmentsFor } from './attachments.js';
import type { ClinicCipher } from './crypto.js';
import { AppError, notFound } from './errors.js';
import { decodeCursor, encodeCursor, pageOf, type Position } from './keyset-cursor.js';
import { isOpen, nextOpening } from './hours.js';
import { replyDue } from './messaging-settings.js';
import { MESSAGE_SEARCH_VERSION, indexMessage, messageQueryTokens } from './message-search.js';
import { consentIsCurrent, consentRequired, getPatient, patientsNamed } from './patients.js';
import { runAction, type Action, type ActionStore } from './action.js';
import { NOTICE_BATCH_MS, queueNewMessageNotice } from './notices.js';
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
  /** How long a patient's e-mail notice waits to cover further replies (NOTICE_BATCH_MS when absent; 0: no batching). */
  noticeBatchMs?: number;
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

/**
 * The earlier answer to a retried send, or null for a new id. An id that is not the caller's own
 * message (another clinic's, another person's) is a 404, like every foreign id; the caller's own id
 * with different content is a 409.
 */
async function replay(db: Kysely<Database>, clinicId: string, authorId: string, id: string, hash: string): Promise<SendResult | null> {
  const existing = await db.selectFrom('messages').select(['thread_id', 'content_hash', 'clinic_id', 'author_id']).where('id', '=', id).executeTakeFirst();
  return existing ? replayOf(existing, clinicId, authorId, id, hash) : null;
}

function replayOf(existing: { thread_id: string; content_hash: string; clinic_id: string; author_id: string }, clinicId: string, authorId: string, id: string, hash: string): SendResult {
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
    .values({ id: m.id, clinic_id: cipher.clinicId, thread_id: m.threadId, author_type: m.author, author_id: m.authorId, kind: m.kind, body_enc: cipher.encrypt(m.body, 'message.body'), content_hash: m.hash, created_at: m.at, search_version: m.author === 'system' ? MESSAGE_SEARCH_VERSION : 0, emergency_override: m.emergencyOverride ? 1 : 0 })
    .execute();
  // Searchable from the moment it exists: its words' tokens commit with it. The clinic's automatic replies are boilerplate.
  if (m.author !== 'system') await indexMessage(tx, cipher, { id: m.id, threadId: m.threadId, body: m.body });
  if (m.attachmentIds?.length) await tx.updateTable('attachments').set({ message_id: m.id }).where('clinic_id', '=', cipher.clinicId).where('id', 'in', m.attachmentIds).execute();
}

/**
 * One send as one action: the patient's row is locked (quota, concurrent retries), a retry that finds
 * its message answers as the first did, and the message commits with its audit row, its live event
 * and its notice job. Two requests racing with one id both end with the original message.
 * The retry check and the consent check are one query, under the lock.
 */
async function send(ctx: MessagingContext, who: Principal, patientId: string, id: string, hash: string, work: (a: Action) => Promise<SendResult>): Promise<SendResult> {
  const authorId = who.kind === 'patient' ? who.patientId : who.staffId;
  const clinicId = ctx.cipher.clinicId;
  try {
    return await runAction(ctx.store, who, ctx.requestId, async (a) => {
      await a.lockPatient(clinicId, patientId);
      const state = await a.tx
        .selectFrom('patients as p')
        .innerJoin('clinics as c', 'c.id', 'p.clinic_id')
        .leftJoin('messages as m', (j) => j.on('m.id', '=', id))
        .select(['p.consented_at', 'p.consent_text', 'c.consent_text_en', 'c.consent_text_fr', 'm.thread_id', 'm.content_hash', 'm.clinic_id as message_clinic_id', 'm.author_id'])
        .where('p.clinic_id', '=', clinicId)
        .where('p.id', '=', patientId)
        .executeTakeFirst();
      if (!state) {
        // No such patient in this clinic: only a retry can still answer.
        const again = await replay(a.tx, clinicId, authorId, id, hash);
        if (again) return again;
        if (who.kind === 'patient') throw consentRequired();
        throw notFound('Patient');
      }
      if (state.thread_id !== null) return replayOf({ thread_id: state.thread_id, content_hash: state.content_hash!, clinic_id: state.message_clinic_id!, author_id: state.author_id! }, clinicId, authorId, id, hash);
      if (who.kind === 'patient' && !consentIsCurrent(state)) throw consentRequired();
      return work(a);
    });
  } catch (err) {
    const winner = isUniqueViolation(err) ? await replay(ctx.db, ctx.cipher.clinicId, authorId, id, hash) : null;
    if (winner) return winner;
    throw err;
  }
}

/** The audit row, live event and (for the patient) notice of one new message. */
async function announce(a: Action, ctx: MessagingContext, m: { id: string; threadId: string; patientId: string; author: 'patient' | 'staff'; kind: 'message' | 'note' }): Promise<void> {
  a.audit({ action: m.kind === 'note' ? 'note.add' : 'message.send', patientId: m.patientId, target: `message:${m.id}` });
  a.emit(ctx.cipher.clinicId, { type: 'message', threadId: m.threadId, patientId: m.patientId, author: m.author, kind: m.kind });
  if (m.author === 'staff' && m.kind === 'message') await queueNewMessageNotice(a, ctx.cipher.clinicId, m.patientId, ctx.noticeBatchMs ?? NOTICE_BATCH_MS);
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
        patient_may_reply: 1, started_by: 'patient', assigned_to: null, awaiting_reply_since: at, due_at: replyDue(settings, at), patient_unread: open ? 0 : 1, staff_unread: 1, patient_message_at: at, last_message_at: at, created_at: at,
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
    await announce(a, ctx, { id: input.id, threadId, patientId: who.patientId, author: 'patient', kind: 'message' });
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
      .set((eb) => ({ status: 'open', staff_unread: eb('staff_unread', '+', 1), patient_message_at: at, last_message_at: at, awaiting_reply_since: eb.fn.coalesce('awaiting_reply_since', eb.val(at)), due_at: eb.fn.coalesce('due_at', eb.val(replyDue(settings, at))) }))
      .where('id', '=', threadId)
      .execute();
    await announce(a, ctx, { id: input.id, threadId, patientId: who.patientId, author: 'patient', kind: 'message' });
    return { threadId, messageId: input.id, created: true };
  });
}

/** Staff answer (or add an internal note). A reply to the patient clears the response-time clock and e-mails the patient a notice. */
/** Work another domain adds to a staff send, in the same transaction (e.g. linking the thread to what it is about). */
export type AlsoInSend = (a: Action, sent: SendResult) => Promise<void>;

export async function staffReply(ctx: MessagingContext, who: StaffPrincipal, threadId: string, input: NewReply, also?: AlsoInSend): Promise<SendResult> {
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
    // Who answers (or writes a note) has read what they answer.
    await markRead(a.tx, cipher.clinicId, threadId, who.staffId, at);
    await announce(a, ctx, { id: input.id, threadId, patientId: current.patient_id, author: 'staff', kind });
    const sent = { threadId, messageId: input.id, created: true };
    await also?.(a, sent);
    return sent;
  });
}

/** The clinic starts a conversation (a message or documents), choosing whether the patient may reply. */
export async function startStaffThread(ctx: MessagingContext, who: StaffPrincipal, input: NewStaffThread, also?: AlsoInSend): Promise<SendResult> {
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
    await announce(a, ctx, { id: input.id, threadId, patientId: input.patientId, author: 'staff', kind: 'message' });
    const sent = { threadId, messageId: input.id, created: true };
    await also?.(a, sent);
    return sent;
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

/**
 * One page of a thread's messages (notes too for staff), oldest of them first: the newest `limit`
 * before `before` (the newest of all without it). Keyset on (created_at, id), served by the
 * messages_thread_page index; only the page's own rows are decrypted.
 */
async function messagesOf(tx: Kysely<Database>, ctx: MessagingContext, thread: ThreadRow, includeNotes: boolean, patientName: string, page: { before: Position | null; limit: number }): Promise<MessagePage> {
  let q = tx.selectFrom('messages as m').leftJoin('staff as s', 's.id', 'm.author_id').select(['m.id', 'm.thread_id', 'm.author_type', 'm.kind', 'm.body_enc', 'm.created_at', 'm.seen_at', 's.name as staff_name']).where('m.clinic_id', '=', ctx.cipher.clinicId).where('m.thread_id', '=', thread.id);
  if (!includeNotes) q = q.where('m.kind', '=', 'message');
  if (page.before) {
    const [at, id] = page.before as [string, string];
    q = q.where((eb) => eb.or([eb('m.created_at', '<', at), eb.and([eb('m.created_at', '=', at), eb('m.id', '<', id)])]));
  }
  const { rows, nextCursor } = pageOf(await q.orderBy('m.created_at', 'desc').orderBy('m.id', 'desc').limit(page.limit + 1).execute(), page.limit, (r) => [r.created_at, r.id]);
  rows.reverse();
  const files = await attachmentsFor(tx, ctx.cipher, rows.map((r) => r.id));
  const messages = rows.map((r): Message => ({
    id: r.id, threadId: r.thread_id, author: r.author_type, kind: r.kind, body: ctx.cipher.decrypt(r.body_enc, 'message.body'),
    authorName: r.author_type === 'patient' ? patientName : r.author_type === 'system' ? ctx.clinicName : (r.staff_name ?? ctx.clinicName),
    attachments: files.get(r.id) ?? [], createdAt: r.created_at,
    // The read receipt is for the clinic: the patient's own view does not carry it.
    ...(includeNotes && r.author_type === 'staff' && r.kind === 'message' ? { seenAt: r.seen_at } : {}),
  }));
  return { messages, earlierCursor: nextCursor };
}

/** The page a `MessagePageQuery` asks for; a cursor this server did not give out is a 400 `invalid_cursor`. */
function pageQuery(q: MessagePageQuery): { before: Position | null; limit: number } {
  return { before: q.before ? decodeCursor(q.before) : null, limit: q.limit ?? MESSAGE_PAGE };
}

/** The newest page of a thread, as a conversation opens. */
const NEWEST = { before: null, limit: MESSAGE_PAGE };

/** One of the patient's threads with its messages (never notes); marks it read for the patient. */
export async function readPatientThread(ctx: MessagingContext, who: PatientPrincipal, id: string): Promise<ThreadDetail> {
  return runAction(ctx.store, who, ctx.requestId, async (a) => {
    const thread = await threadOf(a.tx, ctx.cipher.clinicId, id);
    if (thread.patient_id !== who.patientId) throw notFound('Conversation');
    const patient = await getPatient(a.tx, ctx.cipher, who.patientId);
    const { messages, earlierCursor } = await messagesOf(a.tx, ctx, thread, false, patient.name, NEWEST);
    if (thread.patient_unread > 0) {
      await a.tx.updateTable('threads').set({ patient_unread: 0 }).where('id', '=', id).execute();
      a.emit(ctx.cipher.clinicId, { type: 'thread', threadId: id, patientId: who.patientId, author: 'patient', kind: 'read' });
    }
    // Read receipts: the first time the patient has the clinic's replies in front of them.
    await a.tx
      .updateTable('messages')
      .set({ seen_at: new Date().toISOString() })
      .where('clinic_id', '=', ctx.cipher.clinicId)
      .where('thread_id', '=', id)
      .where('author_type', '=', 'staff')
      .where('kind', '=', 'message')
      .where('seen_at', 'is', null)
      .execute();
    a.audit({ action: 'thread.read', target: `thread:${id}` });
    return { thread: summary(ctx.cipher, { ...thread, patient_unread: 0 }, 0), messages, earlierCursor };
  });
}

/** Earlier messages of one of the patient's threads (never notes), audited as a read; changes no read state. */
export async function readPatientMessages(ctx: MessagingContext, who: PatientPrincipal, id: string, query: MessagePageQuery): Promise<MessagePage> {
  const page = pageQuery(query);
  return runAction(ctx.store, who, ctx.requestId, async (a) => {
    const thread = await threadOf(a.tx, ctx.cipher.clinicId, id);
    if (thread.patient_id !== who.patientId) throw notFound('Conversation');
    const patient = await getPatient(a.tx, ctx.cipher, who.patientId);
    a.audit({ action: 'thread.read', target: `thread:${id}` });
    return messagesOf(a.tx, ctx, thread, false, patient.name, page);
  });
}

function inboxThread(ctx: MessagingContext, t: ThreadRow, patientName: string, unread: number, preview?: InboxPreview | null): InboxThread {
  return {
    ...summary(ctx.cipher, t, unread), patientId: t.patient_id, patientName, assignedTo: t.assigned_to, awaitingReplySince: t.awaiting_reply_since,
    dueAt: t.status !== 'closed' ? t.due_at : null, emergencyOverrideAt: t.emergency_override_at ?? null, ...(preview !== undefined ? { preview } : {}),
  };
}

/** Records that a staff member has read a thread up to `at` (null: they marked it unread). */
async function markRead(tx: Kysely<Database>, clinicId: string, threadId: string, staffId: string, at: string | null): Promise<void> {
  await tx
    .insertInto('thread_reads')
    .values({ clinic_id: clinicId, thread_id: threadId, staff_id: staffId, read_at: at })
    .onConflict((oc) => oc.columns(['thread_id', 'staff_id']).doUpdateSet({ read_at: at }))
    .execute();
}

/** Whether a patient wrote in thread `t` after the clinic-wide baseline: what is unread for someone with no read row of it. */
const patientWroteSinceBaseline = sql<SqlBool>`t.patient_message_at > coalesce(t.read_baseline, '')`;

/**
 * Whether thread `t` has something the staff member whose read row is joined as `r` has not read:
 * they marked it unread, or a patient wrote after they (or, before reads were kept per person, the
 * clinic) last read it. Without a read row this is `patientWroteSinceBaseline`.
 */
const unreadForMe = sql<SqlBool>`((r.staff_id is not null and r.read_at is null) or t.patient_message_at > coalesce(r.read_at, t.read_baseline, ''))`;

/** The clinic's threads joined with the staff member's read state. */
function threadsFor(db: Kysely<Database>, clinicId: string, staffId: string) {
  return db
    .selectFrom('threads as t')
    .leftJoin('thread_reads as r', (j) => j.onRef('r.thread_id', '=', 't.id').on('r.staff_id', '=', staffId))
    .where('t.clinic_id', '=', clinicId);
}

/**
 * How many of the clinic's threads have messages this staff member has not read: the threads a
 * patient wrote in after the clinic-wide baseline (counted from the threads_patient_wrote index
 * alone), less those among them with a read row of this person's, plus those of their read rows
 * that are unread. Equal to counting `unreadForMe` over every thread, without a join per thread.
 */
export async function unreadTotal(db: Kysely<Database>, clinicId: string, staffId: string): Promise<number> {
  // One after the other: `db` is often the action's transaction, one connection.
  const wrote = await db.selectFrom('threads as t').select((eb) => eb.fn.countAll<number>().as('n')).where('t.clinic_id', '=', clinicId).where('t.patient_message_at', 'is not', null).where(patientWroteSinceBaseline).executeTakeFirstOrThrow();
  const mine = await db
    .selectFrom('thread_reads as r')
    .innerJoin('threads as t', 't.id', 'r.thread_id')
    .select([sql<number>`coalesce(sum(case when ${patientWroteSinceBaseline} then 1 else 0 end), 0)`.as('wrote'), sql<number>`coalesce(sum(case when ${unreadForMe} then 1 else 0 end), 0)`.as('unread')])
    .where('r.clinic_id', '=', clinicId)
    .where('r.staff_id', '=', staffId)
    .executeTakeFirstOrThrow();
  return Number(wrote.n) - Number(mine.wrote) + Number(mine.unread);
}

/** The inbox's page positions: (last_message_at, id), or for the due order its phase ('d' due, 'r' the rest) and key. */
const inboxCursorShape = (sort: 'activity' | 'due') => (p: Position) => (sort === 'activity' ? p.length === 2 : p.length === 3 && (p[0] === 'd' || p[0] === 'r'));

type InboxRow = ThreadRow & { me_unread: number | boolean };

/** The first characters of a message for its inbox row, on one line. */
const PREVIEW_CHARS = 140;
function previewText(body: string): string {
  const line = body.replace(/\s+/g, ' ').trim();
  return line.length > PREVIEW_CHARS ? `${line.slice(0, PREVIEW_CHARS - 1).trimEnd()}…` : line;
}

/** The newest message or note of each thread (automatic replies aside), decrypted for this page only. */
async function previewsOf(tx: Kysely<Database>, cipher: ClinicCipher, threadIds: string[]): Promise<Map<string, InboxPreview>> {
  const out = new Map<string, InboxPreview>();
  if (threadIds.length === 0) return out;
  const rows = await tx
    .selectFrom('messages as m')
    .select(['m.thread_id', 'm.author_type', 'm.kind', 'm.body_enc', 'm.id'])
    .where('m.clinic_id', '=', cipher.clinicId)
    .where('m.thread_id', 'in', threadIds)
    .where('m.author_type', '!=', 'system')
    .where('m.created_at', '=', (eb) => eb.selectFrom('messages as m2').select((e) => e.fn.max('m2.created_at').as('at')).whereRef('m2.thread_id', '=', 'm.thread_id').where('m2.author_type', '!=', 'system'))
    .orderBy('m.id')
    .execute();
  for (const r of rows) {
    if (out.has(r.thread_id) || r.author_type === 'system') continue;
    out.set(r.thread_id, { author: r.author_type, kind: r.kind, text: previewText(cipher.decrypt(r.body_enc, 'message.body')) });
  }
  return out;
}

/** For this page's unread threads: how many patient messages the staff member has not read. */
async function unreadCounts(tx: Kysely<Database>, clinicId: string, staffId: string, threadIds: string[]): Promise<Map<string, number>> {
  if (threadIds.length === 0) return new Map();
  const rows = await tx
    .selectFrom('messages as m')
    .innerJoin('threads as t', 't.id', 'm.thread_id')
    .leftJoin('thread_reads as r', (j) => j.onRef('r.thread_id', '=', 't.id').on('r.staff_id', '=', staffId))
    .select((eb) => ['m.thread_id', eb.fn.countAll<number>().as('n')])
    .where('m.clinic_id', '=', clinicId)
    .where('m.thread_id', 'in', threadIds)
    .where('m.author_type', '=', 'patient')
    .where(sql<SqlBool>`m.created_at > coalesce(r.read_at, t.read_baseline, '')`)
    .groupBy('m.thread_id')
    .execute();
  return new Map(rows.map((r) => [r.thread_id, Number(r.n)]));
}

/**
 * One page of the clinic's inbox, newest activity first or the answer due soonest first. Filtering,
 * the text search (through the blind index), the signed-in person's read state, ordering and the
 * keyset page all happen in SQL; only the page's own patients and newest messages are decrypted.
 */
export async function listInbox(ctx: MessagingContext, who: StaffPrincipal, f: InboxFilter): Promise<InboxPage> {
  const clinicId = ctx.cipher.clinicId;
  const sort = f.sort ?? 'activity';
  const cursor = f.cursor ? decodeCursor(f.cursor, inboxCursorShape(sort)) : null;
  const searched = f.q !== undefined ? messageQueryTokens(ctx.cipher, f.q) : null;
  return runAction(ctx.store, who, ctx.requestId, async (a) => {
    const limit = f.limit ?? 200;
    const named = f.patient ? patientsNamed(a.tx, ctx.cipher, f.patient) : null;
    const filtered = () => {
      let q = threadsFor(a.tx, clinicId, who.staffId).selectAll('t').select(sql<number | boolean>`case when ${unreadForMe} then 1 else 0 end`.as('me_unread'));
      if (f.status) q = q.where('t.status', '=', f.status);
      if (f.unread) q = q.where(unreadForMe);
      if (f.mine) q = q.where('t.assigned_to', '=', who.staffId);
      if (f.category) q = q.where('t.category', '=', f.category);
      if (f.overdue) q = q.where('t.status', '!=', 'closed').where('t.due_at', '<', new Date().toISOString());
      if (named) q = q.where('t.patient_id', 'in', named);
      // Every word must be somewhere in the thread.
      for (const token of searched ?? []) q = q.where('t.id', 'in', a.tx.selectFrom('message_search').select('thread_id').where('clinic_id', '=', clinicId).where('token', '=', token));
      return q;
    };
    const byActivity = (after: Position | null, n: number, extra?: (q: ReturnType<typeof filtered>) => ReturnType<typeof filtered>) => {
      let q = filtered();
      if (extra) q = extra(q);
      if (after) {
        const [at, id] = after as [string, string];
        q = q.where((eb) => eb.or([eb('t.last_message_at', '<', at), eb.and([eb('t.last_message_at', '=', at), eb('t.id', '<', id)])]));
      }
      return q.orderBy('t.last_message_at', 'desc').orderBy('t.id', 'desc').limit(n).execute() as Promise<InboxRow[]>;
    };
    // "Due" order: first the threads awaiting an answer, soonest due first; then the rest, newest first.
    const isDue = (t: ThreadRow) => t.status !== 'closed' && t.due_at !== null;
    const dueCond = sql<SqlBool>`(t.status <> 'closed' and t.due_at is not null)`;
    const restCond = sql<SqlBool>`(t.status = 'closed' or t.due_at is null)`;
    let rows: InboxRow[];
    if (sort === 'activity') {
      rows = await byActivity(cursor, limit + 1);
    } else {
      rows = [];
      if (!cursor || cursor[0] === 'd') {
        let q = filtered().where(dueCond);
        if (cursor) {
          const [, due, id] = cursor as [string, string, string];
          q = q.where((eb) => eb.or([eb('t.due_at', '>', due), eb.and([eb('t.due_at', '=', due), eb('t.id', '>', id)])]));
        }
        rows = (await q.orderBy('t.due_at', 'asc').orderBy('t.id', 'asc').limit(limit + 1).execute()) as InboxRow[];
      }
      if (rows.length <= limit) rows = [...rows, ...(await byActivity(cursor?.[0] === 'r' ? cursor.slice(1) : null, limit + 1 - rows.length, (q) => q.where(restCond)))];
    }
    const page = rows.slice(0, limit);
    const ids = page.map((t) => t.id);
    const patientIds = [...new Set(page.map((r) => r.patient_id))];
    const names = new Map<string, string>();
    if (patientIds.length > 0) {
      const patientRows = await a.tx.selectFrom('patients').select(['id', 'details_enc']).where('clinic_id', '=', clinicId).where('id', 'in', patientIds).execute();
      for (const p of patientRows) names.set(p.id, (JSON.parse(ctx.cipher.decrypt(p.details_enc, 'patient.details')) as { name: string }).name);
    }
    const previews = await previewsOf(a.tx, ctx.cipher, ids);
    const counts = await unreadCounts(a.tx, clinicId, who.staffId, page.filter((t) => Number(t.me_unread) === 1).map((t) => t.id));
    const threads = page.map((t) => inboxThread(ctx, t, names.get(t.patient_id) ?? '', Number(t.me_unread) === 1 ? Math.max(1, counts.get(t.id) ?? 0) : 0, previews.get(t.id) ?? null));
    a.audit(threads.map((t) => ({ action: 'thread.list', patientId: t.patientId, target: `thread:${t.id}` })));
    const last = page[page.length - 1];
    const nextCursor = rows.length > limit && last ? encodeCursor(sort === 'activity' ? [last.last_message_at, last.id] : isDue(last) ? ['d', last.due_at!, last.id] : ['r', last.last_message_at, last.id]) : null;
    return { threads, nextCursor, unreadTotal: await unreadTotal(a.tx, clinicId, who.staffId) };
  });
}

/** How many of the patient's other conversations the conversation page lists. */
const OTHER_THREADS = 20;

/** A thread for staff, notes included, with its inbox neighbours and the patient's other threads; marks it read for the clinic and for this staff member. */
export async function readStaffThread(ctx: MessagingContext, who: StaffPrincipal, id: string): Promise<StaffThreadDetail> {
  return runAction(ctx.store, who, ctx.requestId, async (a) => {
    const thread = await threadOf(a.tx, ctx.cipher.clinicId, id);
    const patient = await getPatient(a.tx, ctx.cipher, thread.patient_id);
    const { messages, earlierCursor } = await messagesOf(a.tx, ctx, thread, true, patient.name, NEWEST);
    if (thread.staff_unread > 0) await a.tx.updateTable('threads').set({ staff_unread: 0 }).where('id', '=', id).execute();
    await markRead(a.tx, ctx.cipher.clinicId, id, who.staffId, new Date().toISOString());
    a.audit({ action: 'thread.read', patientId: thread.patient_id, target: `thread:${id}` });
    // Neighbours in the inbox's default order (last_message_at desc, id desc), as its keyset pages are.
    const inClinic = a.tx.selectFrom('threads').select('id').where('clinic_id', '=', ctx.cipher.clinicId);
    const at = thread.last_message_at;
    const newer = await inClinic
      .where((eb) => eb.or([eb('last_message_at', '>', at), eb.and([eb('last_message_at', '=', at), eb('id', '>', id)])]))
      .orderBy('last_message_at', 'asc')
      .orderBy('id', 'asc')
      .limit(1)
      .executeTakeFirst();
    const older = await inClinic
      .where((eb) => eb.or([eb('last_message_at', '<', at), eb.and([eb('last_message_at', '=', at), eb('id', '<', id)])]))
      .orderBy('last_message_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    const others = await a.tx
      .selectFrom('threads')
      .selectAll()
      .where('clinic_id', '=', ctx.cipher.clinicId)
      .where('patient_id', '=', thread.patient_id)
      .where('id', '!=', id)
      .orderBy('last_message_at', 'desc')
      .orderBy('id', 'desc')
      .limit(OTHER_THREADS)
      .execute();
    if (others.length) a.audit(others.map((t) => ({ action: 'thread.list', patientId: t.patient_id, target: `thread:${t.id}` })));
    return {
      thread: inboxThread(ctx, { ...thread, staff_unread: 0 }, patient.name, 0),
      messages,
      earlierCursor,
      previousId: newer?.id ?? null,
      nextId: older?.id ?? null,
      otherThreads: others.map((t) => ({ id: t.id, subject: ctx.cipher.decrypt(t.subject_enc, 'thread.subject'), status: t.status, lastMessageAt: t.last_message_at })),
    };
  });
}

/** Earlier messages and notes of a thread for staff, audited as a read; changes no read state. */
export async function readStaffMessages(ctx: MessagingContext, who: StaffPrincipal, id: string, query: MessagePageQuery): Promise<MessagePage> {
  const page = pageQuery(query);
  return runAction(ctx.store, who, ctx.requestId, async (a) => {
    const thread = await threadOf(a.tx, ctx.cipher.clinicId, id);
    const patient = await getPatient(a.tx, ctx.cipher, thread.patient_id);
    a.audit({ action: 'thread.read', patientId: thread.patient_id, target: `thread:${id}` });
    return messagesOf(a.tx, ctx, thread, true, patient.name, page);
  });
}

/** The signed-in staff member marks a thread unread again (for themselves only; colleagues are unaffected). */
export async function markThreadUnread(ctx: MessagingContext, who: StaffPrincipal, id: string): Promise<void> {
  await runAction(ctx.store, who, ctx.requestId, async (a) => {
    const thread = await threadOf(a.tx, ctx.cipher.clinicId, id);
    await markRead(a.tx, ctx.cipher.clinicId, id, who.staffId, null);
    a.audit({ action: 'thread.unread', patientId: thread.patient_id, target: `thread:${id}` });
  });
}

async function assertAssignable(tx: Kysely<Database>, clinicId: string, staffId: string): Promise<void> {
  const staff = await tx.selectFrom('staff').select(['id', 'disabled_at', 'password_set_at']).where('clinic_id', '=', clinicId).where('id', '=', staffId).executeTakeFirst();
  if (!staff || staff.disabled_at || staff.password_set_at === null) throw new AppError(400, 'unknown_staff', 'assignedTo is not an active staff member of this clinic');
}

/** One thread's change inside an action: the row, its audit row and its live event. */
async function applyPatch(a: Action, ctx: MessagingContext, thread: ThreadRow, patch: ThreadPatch): Promise<void> {
  await a.tx
    .updateTable('threads')
    .set({
      ...(patch.status === 'closed' ? { status: 'closed' as const } : {}),
      ...(patch.status === 'open' && thread.status === 'closed' ? { status: 'open' as const } : {}),
      ...(patch.assignedTo !== undefined ? { assigned_to: patch.assignedTo } : {}),
      ...(patch.category !== undefined ? { category: patch.category } : {}),
    })
    .where('id', '=', thread.id)
    .execute();
  a.audit({ action: 'thread.update', patientId: thread.patient_id, target: `thread:${thread.id}:${Object.keys(patch).sort().join(',')}` });
  // Who a thread is assigned to is the clinic's business: an assignment alone is a staff-only event.
  a.emit(ctx.cipher.clinicId, { type: 'thread', threadId: thread.id, patientId: thread.patient_id, author: 'staff', kind: patch.status !== undefined ? 'status' : 'assignment' });
}

/** Close, reopen or (re)assign a thread. */
export async function updateThread(ctx: MessagingContext, who: StaffPrincipal, id: string, patch: ThreadPatch): Promise<ThreadRow> {
  return runAction(ctx.store, who, ctx.requestId, async (a) => {
    const thread = await threadOf(a.tx, ctx.cipher.clinicId, id);
    if (patch.assignedTo) await assertAssignable(a.tx, ctx.cipher.clinicId, patch.assignedTo);
    if (patch.category !== undefined && !ctx.settings.categories.some((c) => c.id === patch.category)) throw new AppError(400, 'unknown_category', `Category "${patch.category}" is not one of this clinic's categories`);
    await applyPatch(a, ctx, thread, patch);
    return threadOf(a.tx, ctx.cipher.clinicId, id);
  });
}

/**
 * The same change to many threads (the inbox's bulk close and assign): all or none, in one
 * transaction, with an audit row and a live event per thread. Any id that is not the clinic's makes
 * the whole request a 404.
 */
export async function bulkUpdateThreads(ctx: MessagingContext, who: StaffPrincipal, input: BulkThreadPatch): Promise<number> {
  const patch: ThreadPatch = { ...(input.status !== undefined ? { status: input.status } : {}), ...(input.assignedTo !== undefined ? { assignedTo: input.assignedTo } : {}) };
  return runAction(ctx.store, who, ctx.requestId, async (a) => {
    if (patch.assignedTo) await assertAssignable(a.tx, ctx.cipher.clinicId, patch.assignedTo);
    const rows = await a.tx.selectFrom('threads').selectAll().where('clinic_id', '=', ctx.cipher.clinicId).where('id', 'in', input.ids).execute();
    if (rows.length !== input.ids.length) throw notFound('Conversation');
    for (const thread of rows) await applyPatch(a, ctx, thread, patch);
    return rows.length;
  });
}
