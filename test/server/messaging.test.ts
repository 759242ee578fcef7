import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import pg from 'pg';
import { enqueueJobs, listJobs } from '../../server/domain/jobs.js';
import { DEFAULT_MESSAGING } from '../../server/domain/messaging-settings.js';
import type { MessagingSettings } from '../../shared/messaging.js';
import { DIALECTS, ORIGIN, build, call, patientToken, seedClinic, seedPatient, staffCookie, type TestApp } from './helpers.js';

const ALWAYS_OPEN = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ start: '00:00', end: '23:59' }]])) as MessagingSettings['hours'];
const NEVER_OPEN = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [] as Array<{ start: string; end: string }>])) as MessagingSettings['hours'];
const PDF = Buffer.from('%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n');

/** A clinic, its staff, one signed-in patient, and messaging rules to taste. */
async function setup(t: Parameters<typeof build>[0], dialect: 'sqlite' | 'postgres', rules: Partial<MessagingSettings> = {}) {
  const ctx = await build(t, dialect);
  const clinic = await seedClinic(ctx.deps, 'north');
  const patient = await seedPatient(ctx.deps, clinic);
  const admin = await staffCookie(ctx.app, 'admin@north.test');
  const put = await call(ctx.app, 'PUT', '/api/messaging/settings', { cookie: admin, body: { ...DEFAULT_MESSAGING, hours: ALWAYS_OPEN, ...rules } });
  assert.equal(put.statusCode, 200, put.body);
  const token = await patientToken(ctx, 'north', patient.email, patient.dateOfBirth);
  return { ...ctx, clinic, patient, admin, token };
}

const newThread = (over: object = {}) => ({ id: randomUUID(), subject: 'Renewal', category: 'prescription', body: 'Please renew my prescription.', ...over });

async function upload(ctx: TestApp, url: string, auth: { cookie?: string; token?: string }, file: Buffer, name = 'scan.pdf', field = 'file') {
  const boundary = 'xBoundary42';
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${field}"; filename="${name}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    file,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return ctx.app.inject({
    method: 'POST', url, payload,
    headers: { origin: ORIGIN, 'content-type': `multipart/form-data; boundary=${boundary}`, ...(auth.cookie ? { cookie: auth.cookie } : {}), ...(auth.token ? { authorization: `Bearer ${auth.token}` } : {}) },
  });
}

for (const d of DIALECTS) {
  describe(`secure messaging (${d.name})`, { skip: d.skip }, () => {
    it('carries a conversation both ways, with notes the patient never sees, and audits every open', async (t) => {
      const ctx = await setup(t, d.name);
      const start = await call(ctx.app, 'POST', '/api/patient/threads', { token: ctx.token, body: newThread() });
      assert.equal(start.statusCode, 201, start.body);
      const { threadId } = start.json();

      const inbox = (await call(ctx.app, 'GET', '/api/inbox?unread=true', { cookie: ctx.admin })).json().threads;
      assert.equal(inbox.length, 1);
      assert.equal(inbox[0].patientName, ctx.patient.name);
      assert.equal(inbox[0].unread, 1);
      assert.ok(inbox[0].dueAt, 'the response-time clock runs');

      const note = await call(ctx.app, 'POST', `/api/threads/${threadId}/messages`, { cookie: ctx.admin, body: { id: randomUUID(), body: 'INTERNAL: check the chart first', note: true } });
      assert.equal(note.statusCode, 201);
      const replyRes = await call(ctx.app, 'POST', `/api/threads/${threadId}/messages`, { cookie: ctx.admin, body: { id: randomUUID(), body: 'Renewed; pick it up Friday.' } });
      assert.equal(replyRes.statusCode, 201);
      const mail = await ctx.smtp.take(ctx.patient.email);
      assert.match(mail.subject, /new secure message/);
      assert.equal(mail.text.includes('Renewed'), false, 'no message content in the e-mail');
      assert.equal(mail.text.includes('Renewal'), false, 'no subject in the e-mail');

      const list = (await call(ctx.app, 'GET', '/api/patient/threads', { token: ctx.token })).json();
      assert.equal(list[0].unread, 1);
      const seen = await call(ctx.app, 'GET', `/api/patient/threads/${threadId}`, { token: ctx.token });
      assert.deepEqual(seen.json().messages.map((m: { body: string }) => m.body), ['Please renew my prescription.', 'Renewed; pick it up Friday.']);
      assert.equal(seen.body.includes('INTERNAL'), false, 'internal notes never reach the patient');
      assert.equal((await call(ctx.app, 'GET', '/api/patient/threads', { token: ctx.token })).json()[0].unread, 0);

      const staffView = (await call(ctx.app, 'GET', `/api/threads/${threadId}`, { cookie: ctx.admin })).json();
      assert.deepEqual(staffView.messages.map((m: { kind: string }) => m.kind), ['message', 'note', 'message']);
      assert.equal(staffView.thread.status, 'waiting');
      assert.equal(staffView.thread.dueAt, null, 'answered: no longer due');

      const reads = await ctx.deps.db.selectFrom('audit_log').select(['action', 'actor_type']).where('action', '=', 'thread.read').execute();
      assert.deepEqual(reads.map((r) => r.actor_type).sort(), ['patient', 'staff']);
    });

    it('is idempotent by client id: a retry returns the original, different content is a 409', async (t) => {
      const ctx = await setup(t, d.name);
      const body = newThread();
      const first = await call(ctx.app, 'POST', '/api/patient/threads', { token: ctx.token, body });
      const again = await call(ctx.app, 'POST', '/api/patient/threads', { token: ctx.token, body });
      assert.equal(first.statusCode, 201);
      assert.equal(again.statusCode, 200);
      assert.deepEqual(again.json(), first.json());
      const changed = await call(ctx.app, 'POST', '/api/patient/threads', { token: ctx.token, body: { ...body, body: 'Something else' } });
      assert.equal(changed.statusCode, 409);
      assert.equal(changed.json().code, 'id_conflict');
      const replyBody = { id: randomUUID(), body: 'One more thing' };
      const url = `/api/patient/threads/${first.json().threadId}/messages`;
      assert.equal((await call(ctx.app, 'POST', url, { token: ctx.token, body: replyBody })).statusCode, 201);
      assert.equal((await call(ctx.app, 'POST', url, { token: ctx.token, body: replyBody })).statusCode, 200);
      const count = await ctx.deps.db.selectFrom('messages').select('id').execute();
      assert.equal(count.length, 2);
    });

    it('enforces the length limits on the server, naming the limit', async (t) => {
      const ctx = await setup(t, d.name, { maxChars: 100, maxWords: 10 });
      const long = await call(ctx.app, 'POST', '/api/patient/threads', { token: ctx.token, body: newThread({ body: 'x'.repeat(101) }) });
      assert.equal(long.statusCode, 422);
      assert.equal(long.json().code, 'too_long');
      assert.match(long.json().message, /at most 100/);
      assert.deepEqual(long.json().params, { chars: 101, max: 100 }, 'the browser words the refusal from its code and parameters');
      const wordy = await call(ctx.app, 'POST', '/api/patient/threads', { token: ctx.token, body: newThread({ body: 'one two three four five six seven eight nine ten eleven' }) });
      assert.equal(wordy.json().code, 'too_many_words');
      assert.match(wordy.json().message, /at most 10/);
      assert.deepEqual(wordy.json().params, { words: 11, max: 10 });
      const noSubject = await call(ctx.app, 'POST', '/api/patient/threads', { token: ctx.token, body: newThread({ subject: '  ' }) });
      assert.equal(noSubject.json().code, 'subject_required');
      const badCategory = await call(ctx.app, 'POST', '/api/patient/threads', { token: ctx.token, body: newThread({ category: 'gossip' }) });
      assert.equal(badCategory.statusCode, 400);
    });

    it('follows the clinic mode: reply-only and one-way', async (t) => {
      const ctx = await setup(t, d.name, { mode: 'reply-only' });
      const refused = await call(ctx.app, 'POST', '/api/patient/threads', { token: ctx.token, body: newThread() });
      assert.equal(refused.statusCode, 403);
      assert.equal(refused.json().code, 'new_threads_closed');
      const started = await call(ctx.app, 'POST', '/api/threads', { cookie: ctx.admin, body: { id: randomUUID(), patientId: ctx.patient.id, subject: 'Results', category: 'results', body: 'Your results are normal.', patientMayReply: true } });
      assert.equal(started.statusCode, 201, started.body);
      const { threadId } = started.json();
      assert.equal((await call(ctx.app, 'POST', `/api/patient/threads/${threadId}/messages`, { token: ctx.token, body: { id: randomUUID(), body: 'Thanks!' } })).statusCode, 201);

      const notice = await call(ctx.app, 'POST', '/api/threads', { cookie: ctx.admin, body: { id: randomUUID(), patientId: ctx.patient.id, subject: 'Flu clinic', category: 'other', body: 'Flu shots on Saturday.', patientMayReply: false } });
      const noReply = await call(ctx.app, 'POST', `/api/patient/threads/${notice.json().threadId}/messages`, { token: ctx.token, body: { id: randomUUID(), body: 'ok' } });
      assert.equal(noReply.statusCode, 403);
      assert.equal(noReply.json().code, 'replies_not_allowed');

      await call(ctx.app, 'PUT', '/api/messaging/settings', { cookie: ctx.admin, body: { ...DEFAULT_MESSAGING, hours: ALWAYS_OPEN, mode: 'one-way' } });
      const oneWay = await call(ctx.app, 'POST', `/api/patient/threads/${threadId}/messages`, { token: ctx.token, body: { id: randomUUID(), body: 'Again' } });
      assert.equal(oneWay.statusCode, 403);
    });

    it('outside hours: refuses new threads when the clinic says so, else answers with the auto-reply', async (t) => {
      const ctx = await setup(t, d.name, { hours: NEVER_OPEN, acceptNewOutsideHours: false });
      const rules = (await call(ctx.app, 'GET', '/api/public/clinics/north/messaging')).json();
      assert.equal(rules.openNow, false);
      const refused = await call(ctx.app, 'POST', '/api/patient/threads', { token: ctx.token, body: newThread() });
      assert.equal(refused.statusCode, 409);
      assert.equal(refused.json().code, 'outside_hours');
      assert.equal(refused.json().params?.nextOpening, rules.nextOpening ?? undefined, 'the next opening, when there is one, is a parameter');

      await call(ctx.app, 'PUT', '/api/messaging/settings', { cookie: ctx.admin, body: { ...DEFAULT_MESSAGING, hours: NEVER_OPEN, acceptNewOutsideHours: true } });
      const ok = await call(ctx.app, 'POST', '/api/patient/threads?lang=fr', { token: ctx.token, body: newThread() });
      assert.equal(ok.statusCode, 201);
      const thread = (await call(ctx.app, 'GET', `/api/patient/threads/${ok.json().threadId}`, { token: ctx.token })).json();
      assert.equal(thread.messages[1].author, 'system');
      assert.match(thread.messages[1].body, /en dehors de nos heures/);
    });

    it('limits new threads per week, and still allows replies', async (t) => {
      const ctx = await setup(t, d.name, { weeklyThreadQuota: 2 });
      for (let i = 0; i < 2; i++) assert.equal((await call(ctx.app, 'POST', '/api/patient/threads', { token: ctx.token, body: newThread() })).statusCode, 201);
      const third = await call(ctx.app, 'POST', '/api/patient/threads', { token: ctx.token, body: newThread() });
      assert.equal(third.statusCode, 429);
      assert.equal(third.json().code, 'weekly_quota');
      assert.match(third.json().message, /2 new conversations a week/);
      const { limit, resetsAt } = third.json().params;
      assert.equal(limit, 2);
      const oldest = await ctx.deps.db.selectFrom('threads').select('created_at').orderBy('created_at').executeTakeFirstOrThrow();
      assert.equal(resetsAt, new Date(new Date(oldest.created_at).getTime() + 7 * 24 * 3600 * 1000).toISOString(), 'another may be started when the oldest leaves the week');
    });

    it('tells the patient how many new conversations are left this week, counted as the limit is enforced', async (t) => {
      const ctx = await setup(t, d.name, { weeklyThreadQuota: 2 });
      const status = async () => {
        const res = await call(ctx.app, 'GET', '/api/patient/messaging', { token: ctx.token });
        assert.equal(res.statusCode, 200, res.body);
        assert.equal(res.headers['cache-control'], 'no-store', 'about the person: never cached');
        return res.json() as { weeklyThreadQuota: number | null; weeklyThreadsLeft: number | null; weeklyResetsAt: string | null };
      };
      assert.deepEqual(await status(), { weeklyThreadQuota: 2, weeklyThreadsLeft: 2, weeklyResetsAt: null });
      assert.equal((await call(ctx.app, 'POST', '/api/patient/threads', { token: ctx.token, body: newThread() })).statusCode, 201);
      assert.equal((await status()).weeklyThreadsLeft, 1);
      // A conversation the clinic started does not count (the limit is on the patient's own).
      await call(ctx.app, 'POST', '/api/threads', { cookie: ctx.admin, body: { id: randomUUID(), patientId: ctx.patient.id, subject: 'Results', category: 'results', body: 'In.', patientMayReply: true } });
      assert.equal((await status()).weeklyThreadsLeft, 1);
      assert.equal((await call(ctx.app, 'POST', '/api/patient/threads', { token: ctx.token, body: newThread() })).statusCode, 201);
      const none = await status();
      assert.equal(none.weeklyThreadsLeft, 0);
      const refused = await call(ctx.app, 'POST', '/api/patient/threads', { token: ctx.token, body: newThread() });
      assert.equal(refused.statusCode, 429, 'zero left: the very next one is refused');
      assert.equal(none.weeklyResetsAt, refused.json().params.resetsAt, 'the same instant as the refusal names');
      // A conversation that left the 7-day window frees a place, on both sides alike.
      const oldest = await ctx.deps.db.selectFrom('threads').select('id').where('started_by', '=', 'patient').orderBy('created_at').executeTakeFirstOrThrow();
      await ctx.deps.db.updateTable('threads').set({ created_at: new Date(Date.now() - 8 * 24 * 3600 * 1000).toISOString() }).where('id', '=', oldest.id).execute();
      assert.equal((await status()).weeklyThreadsLeft, 1);
      assert.equal((await call(ctx.app, 'POST', '/api/patient/threads', { token: ctx.token, body: newThread() })).statusCode, 201);

      await call(ctx.app, 'PUT', '/api/messaging/settings', { cookie: ctx.admin, body: { ...DEFAULT_MESSAGING, hours: ALWAYS_OPEN, weeklyThreadQuota: null } });
      assert.deepEqual(await status(), { weeklyThreadQuota: null, weeklyThreadsLeft: null, weeklyResetsAt: null });
      assert.equal((await call(ctx.app, 'GET', '/api/patient/messaging', {})).statusCode, 401);
    });

    it('asks the patient to choose a category: none chosen is refused at that field', async (t) => {
      const ctx = await setup(t, d.name);
      const none = await call(ctx.app, 'POST', '/api/patient/threads', { token: ctx.token, body: newThread({ category: '' }) });
      assert.equal(none.statusCode, 422);
      assert.equal(none.json().code, 'category_required');
      const unknown = await call(ctx.app, 'POST', '/api/patient/threads', { token: ctx.token, body: newThread({ category: 'nope' }) });
      assert.equal(unknown.json().code, 'unknown_category');
      assert.equal((await ctx.deps.db.selectFrom('threads').select('id').execute()).length, 0);
    });

    it('stores a send past the emergency notice and flags it to staff only', async (t) => {
      const ctx = await setup(t, d.name);
      const plain = (await call(ctx.app, 'POST', '/api/patient/threads', { token: ctx.token, body: newThread({ subject: 'Plain' }) })).json();
      const messageId = randomUUID();
      const start = await call(ctx.app, 'POST', '/api/patient/threads', { token: ctx.token, body: newThread({ id: messageId, subject: 'Chest', body: 'My chest hurts a little after running', emergencyOverride: true }) });
      assert.equal(start.statusCode, 201, start.body);
      const { threadId } = start.json();

      const row = await ctx.deps.db.selectFrom('messages').select('emergency_override').where('id', '=', messageId).executeTakeFirstOrThrow();
      assert.equal(Number(row.emergency_override), 1, 'kept on the message');
      const inbox = (await call(ctx.app, 'GET', '/api/inbox', { cookie: ctx.admin })).json().threads as Array<{ id: string; emergencyOverrideAt: string | null }>;
      assert.ok(inbox.find((x) => x.id === threadId)!.emergencyOverrideAt, 'the inbox row carries the flag');
      assert.equal(inbox.find((x) => x.id === plain.threadId)!.emergencyOverrideAt, null, 'no flag without an override');
      const staffView = (await call(ctx.app, 'GET', `/api/threads/${threadId}`, { cookie: ctx.admin })).json();
      assert.ok(staffView.thread.emergencyOverrideAt, 'the conversation carries the flag');

      const patientList = await call(ctx.app, 'GET', '/api/patient/threads', { token: ctx.token });
      const patientView = await call(ctx.app, 'GET', `/api/patient/threads/${threadId}`, { token: ctx.token });
      for (const res of [patientList, patientView]) assert.equal(/emergency/i.test(res.body), false, 'the patient’s own views never carry it');

      // A reply past the notice flags a conversation too, and each override is in the audit log.
      const reply = await call(ctx.app, 'POST', `/api/patient/threads/${plain.threadId}/messages`, { token: ctx.token, body: { id: randomUUID(), body: 'Now I cannot breathe well', emergencyOverride: true } });
      assert.equal(reply.statusCode, 201);
      const after = (await call(ctx.app, 'GET', `/api/threads/${plain.threadId}`, { cookie: ctx.admin })).json();
      assert.ok(after.thread.emergencyOverrideAt);
      const audited = await ctx.deps.db.selectFrom('audit_log').select('target').where('action', '=', 'message.emergency_override').execute();
      assert.equal(audited.length, 2);
      assert.equal(audited.some((a) => a.target === `message:${messageId}`), true);
    });

    it('refuses replies to a closed thread, and reopens on request', async (t) => {
      const ctx = await setup(t, d.name);
      const { threadId } = (await call(ctx.app, 'POST', '/api/patient/threads', { token: ctx.token, body: newThread() })).json();
      assert.equal((await call(ctx.app, 'PATCH', `/api/threads/${threadId}`, { cookie: ctx.admin, body: { status: 'closed' } })).json().status, 'closed');
      const refused = await call(ctx.app, 'POST', `/api/patient/threads/${threadId}/messages`, { token: ctx.token, body: { id: randomUUID(), body: 'Hello?' } });
      assert.equal(refused.statusCode, 409);
      assert.equal(refused.json().code, 'thread_closed');
      assert.match(refused.json().message, /closed/);
      const staffRefused = await call(ctx.app, 'POST', `/api/threads/${threadId}/messages`, { cookie: ctx.admin, body: { id: randomUUID(), body: 'Hi' } });
      assert.equal(staffRefused.statusCode, 409);
      assert.equal((await call(ctx.app, 'PATCH', `/api/threads/${threadId}`, { cookie: ctx.admin, body: { status: 'open' } })).json().status, 'open');
    });

    it('assigns threads to staff of the clinic only, and filters the inbox', async (t) => {
      const ctx = await setup(t, d.name);
      const a = (await call(ctx.app, 'POST', '/api/patient/threads', { token: ctx.token, body: newThread({ category: 'results' }) })).json().threadId;
      await call(ctx.app, 'POST', '/api/patient/threads', { token: ctx.token, body: newThread() });
      const me = (await call(ctx.app, 'GET', '/api/staff/me', { cookie: ctx.admin })).json();
      assert.equal((await call(ctx.app, 'PATCH', `/api/threads/${a}`, { cookie: ctx.admin, body: { assignedTo: me.staff.id } })).statusCode, 200);
      assert.equal((await call(ctx.app, 'PATCH', `/api/threads/${a}`, { cookie: ctx.admin, body: { assignedTo: 'nobody' } })).statusCode, 400);
      const mine = (await call(ctx.app, 'GET', '/api/inbox?mine=true', { cookie: ctx.admin })).json().threads;
      assert.deepEqual(mine.map((x: { id: string }) => x.id), [a]);
      assert.equal((await call(ctx.app, 'GET', '/api/inbox?category=results', { cookie: ctx.admin })).json().threads.length, 1);
      assert.equal((await call(ctx.app, 'GET', `/api/inbox?patient=${encodeURIComponent('jamie')}`, { cookie: ctx.admin })).json().threads.length, 2);
      assert.equal((await call(ctx.app, 'GET', '/api/inbox?patient=nobody', { cookie: ctx.admin })).json().threads.length, 0);
      assert.equal((await call(ctx.app, 'GET', '/api/inbox?overdue=true', { cookie: ctx.admin })).json().threads.length, 0);
      await ctx.deps.db.updateTable('threads').set({ awaiting_reply_since: '2020-01-06T15:00:00.000Z', due_at: '2020-01-08T15:00:00.000Z' }).where('id', '=', a).execute();
      const overdue = (await call(ctx.app, 'GET', '/api/inbox?overdue=true', { cookie: ctx.admin })).json().threads;
      assert.deepEqual(overdue.map((x: { id: string }) => x.id), [a]);
    });

    it('keeps every patient to their own threads and every clinic to its own', async (t) => {
      const ctx = await setup(t, d.name);
      const other = await seedPatient(ctx.deps, ctx.clinic, { email: 'other@north.example' });
      const otherToken = await patientToken(ctx, 'north', other.email, other.dateOfBirth);
      const { threadId } = (await call(ctx.app, 'POST', '/api/patient/threads', { token: ctx.token, body: newThread() })).json();
      assert.equal((await call(ctx.app, 'GET', `/api/patient/threads/${threadId}`, { token: otherToken })).statusCode, 404);
      assert.equal((await call(ctx.app, 'POST', `/api/patient/threads/${threadId}/messages`, { token: otherToken, body: { id: randomUUID(), body: 'hi' } })).statusCode, 404);
      assert.deepEqual((await call(ctx.app, 'GET', '/api/patient/threads', { token: otherToken })).json(), []);
      await seedClinic(ctx.deps, 'south');
      const south = await staffCookie(ctx.app, 'admin@south.test');
      assert.equal((await call(ctx.app, 'GET', `/api/threads/${threadId}`, { cookie: south })).statusCode, 404);
      assert.deepEqual((await call(ctx.app, 'GET', '/api/inbox', { cookie: south })).json().threads, []);
      assert.equal((await call(ctx.app, 'GET', '/api/inbox', { token: ctx.token })).statusCode, 401, 'patients cannot read the inbox');
    });

    it('takes attachments by their content, stores them encrypted, and serves them as downloads', async (t) => {
      const ctx = await setup(t, d.name, { attachmentMaxMb: 1 });
      const fake = await upload(ctx, '/api/patient/attachments', { token: ctx.token }, Buffer.from('MZ this is an executable'), 'harmless.pdf');
      assert.equal(fake.statusCode, 415);
      assert.equal(fake.json().code, 'unsupported_file');
      const misnamed = await upload(ctx, '/api/patient/attachments', { token: ctx.token }, PDF, 'scan.pdf', 'document');
      assert.deepEqual([misnamed.statusCode, misnamed.json().code], [400, 'file_missing'], 'a file under another field name is refused, as documented');
      const big = await upload(ctx, '/api/patient/attachments', { token: ctx.token }, Buffer.concat([PDF, Buffer.alloc(1024 * 1024 + 10)]));
      assert.equal(big.statusCode, 413);
      assert.deepEqual(big.json().params, { maxMb: 1 });
      const up = await upload(ctx, `/api/attachments?patientId=${ctx.patient.id}`, { cookie: ctx.admin }, PDF, 'requisition (A).pdf');
      assert.equal(up.statusCode, 201, up.body);
      assert.equal(up.json().mime, 'application/pdf');
      const started = await call(ctx.app, 'POST', '/api/threads', { cookie: ctx.admin, body: { id: randomUUID(), patientId: ctx.patient.id, subject: 'Requisition', category: 'forms', body: 'Attached.', attachmentIds: [up.json().id], patientMayReply: true } });
      assert.equal(started.statusCode, 201, started.body);
      const thread = (await call(ctx.app, 'GET', `/api/patient/threads/${started.json().threadId}`, { token: ctx.token })).json();
      assert.equal(thread.messages[0].attachments[0].fileName, 'requisition (A).pdf');
      // A name that reorders itself on screen (U+202E: "invoice‮fdp.exe" shows as "invoiceexe.pdf") is kept without its marks.
      const spoof = await upload(ctx, '/api/patient/attachments', { token: ctx.token }, PDF, 'invoice\u202efdp.exe\u2066');
      assert.equal(spoof.statusCode, 201, spoof.body);
      assert.equal(spoof.json().fileName, 'invoicefdp.exe');
      const dl = await call(ctx.app, 'GET', `/api/patient/attachments/${up.json().id}`, { token: ctx.token });
      assert.equal(dl.statusCode, 200);
      assert.deepEqual(dl.rawPayload, PDF);
      assert.match(String(dl.headers['content-disposition']), /^attachment; filename="attachment-\d{4}-\d{2}-\d{2}-[0-9a-f]{8}\.pdf"$/);
      const otherPatient = await seedPatient(ctx.deps, ctx.clinic, { email: 'other@north.example' });
      const otherToken = await patientToken(ctx, 'north', otherPatient.email, otherPatient.dateOfBirth);
      assert.equal((await call(ctx.app, 'GET', `/api/patient/attachments/${up.json().id}`, { token: otherToken })).statusCode, 404);
      const reused = await call(ctx.app, 'POST', `/api/threads/${started.json().threadId}/messages`, { cookie: ctx.admin, body: { id: randomUUID(), body: 'again', attachmentIds: [up.json().id] } });
      assert.equal(reused.statusCode, 409);
      const reads = await ctx.deps.db.selectFrom('audit_log').select('actor_type').where('action', '=', 'attachment.read').execute();
      assert.equal(reads.length, 1);
    });

    it('encrypts subjects, bodies and attachments at rest: a unique marker is nowhere in the database', async (t) => {
      const ctx = await setup(t, d.name);
      const marker = `Mkr${Date.now()}zq`;
      const up = await upload(ctx, '/api/patient/attachments', { token: ctx.token }, Buffer.concat([PDF, Buffer.from(marker)]), `${marker}.pdf`);
      const sent = await call(ctx.app, 'POST', '/api/patient/threads', { token: ctx.token, body: newThread({ subject: `S ${marker}`, body: `B ${marker}`, attachmentIds: [up.json().id] }) });
      assert.equal(sent.statusCode, 201);
      await call(ctx.app, 'POST', `/api/threads/${sent.json().threadId}/messages`, { cookie: ctx.admin, body: { id: randomUUID(), body: `N ${marker}`, note: true } });
      await ctx.deps.db.destroy();
      if (ctx.sqliteFile) {
        const bytes = Buffer.concat(['', '-wal'].filter((s) => fs.existsSync(ctx.sqliteFile + s)).map((s) => fs.readFileSync(ctx.sqliteFile + s)));
        assert.equal(bytes.includes(marker), false);
      } else {
        const client = new pg.Client({ connectionString: ctx.databaseUrl! });
        await client.connect();
        for (const table of ['threads', 'messages', 'attachments', 'audit_log']) {
          const { rows } = await client.query(`select row_to_json(t)::text as row from ${ctx.pgSchema}.${table} t`);
          assert.ok(rows.length > 0, table);
          assert.equal(rows.some((r) => r.row.includes(marker)), false, table);
        }
        await client.end();
      }
    });

    it('validates the messaging settings', async (t) => {
      const ctx = await setup(t, d.name);
      const cases: Array<[Partial<MessagingSettings>, RegExp]> = [
        [{ timeZone: 'Mars/Olympus' }, /time zone/],
        [{ hours: { ...ALWAYS_OPEN, mon: [{ start: '17:00', end: '09:00' }] } }, /ends before it starts/],
        [{ maxChars: 5 }, /maxChars/],
        [{ categories: [] }, /categories/],
      ];
      for (const [patch, message] of cases) {
        const res = await call(ctx.app, 'PUT', '/api/messaging/settings', { cookie: ctx.admin, body: { ...DEFAULT_MESSAGING, ...patch } });
        assert.equal(res.statusCode, 400, JSON.stringify(patch));
        assert.match(res.json().message, message);
      }
      const staff = await staffCookie(ctx.app, 'staff@north.test');
      assert.equal((await call(ctx.app, 'PUT', '/api/messaging/settings', { cookie: staff, body: DEFAULT_MESSAGING })).statusCode, 403);
    });

    it('refuses settings with every problem at its field: a stable code, its params and the field path', async (t) => {
      const ctx = await setup(t, d.name);
      const before = (await call(ctx.app, 'GET', '/api/messaging/settings', { cookie: ctx.admin })).json();
      const res = await call(ctx.app, 'PUT', '/api/messaging/settings', {
        cookie: ctx.admin,
        body: {
          ...DEFAULT_MESSAGING,
          timeZone: 'Mars/Olympus',
          hours: { ...ALWAYS_OPEN, tue: [{ start: '08:00', end: '12:00' }, { start: '17:00', end: '09:00' }], wed: [{ start: '08:00', end: '12:00' }, { start: '11:00', end: '15:00' }] },
          closures: ['2026-12-25', '2026-12-25'],
          answeringBlocks: { ...DEFAULT_MESSAGING.answeringBlocks, fri: [{ start: '13:30', end: '12:30' }] },
          categories: [...DEFAULT_MESSAGING.categories, { id: 'forms', en: 'More forms', fr: 'Autres formulaires' }],
        },
      });
      assert.equal(res.statusCode, 400, res.body);
      const body = res.json();
      assert.deepEqual(
        body.errors.map((e: { code: string; field: string }) => [e.field, e.code]),
        [
          ['timeZone', 'invalid_time_zone'],
          ['hours.tue.1.end', 'range_end_before_start'],
          ['hours.wed.1.start', 'ranges_overlap'],
          ['closures.1', 'duplicate_closure'],
          ['answeringBlocks.fri.0.end', 'range_end_before_start'],
          ['categories.5.id', 'duplicate_category'],
        ],
      );
      assert.deepEqual(body.errors[1].params, { day: 'tue', start: '17:00', end: '09:00' });
      assert.deepEqual(body.errors[5].params, { id: 'forms' });
      assert.equal(body.code, 'invalid_time_zone', 'the first problem is the answer’s code');
      assert.equal(body.field, 'timeZone');
      assert.deepEqual((await call(ctx.app, 'GET', '/api/messaging/settings', { cookie: ctx.admin })).json(), before, 'nothing was saved');
    });

    it('refuses an empty emergency notice in either language', async (t) => {
      const ctx = await setup(t, d.name);
      for (const [notice, fields] of [
        [{ en: '', fr: DEFAULT_MESSAGING.emergencyNotice.fr }, ['emergencyNotice.en']],
        [{ en: DEFAULT_MESSAGING.emergencyNotice.en, fr: '  \n ' }, ['emergencyNotice.fr']],
        [{ en: ' ', fr: '' }, ['emergencyNotice.en', 'emergencyNotice.fr']],
      ] as const) {
        const res = await call(ctx.app, 'PUT', '/api/messaging/settings', { cookie: ctx.admin, body: { ...DEFAULT_MESSAGING, emergencyNotice: notice } });
        assert.equal(res.statusCode, 400, JSON.stringify(notice));
        assert.equal(res.json().code, 'emergency_notice_required');
        assert.deepEqual(res.json().errors.map((e: { field: string }) => e.field), fields);
      }
      const fine = await call(ctx.app, 'PUT', '/api/messaging/settings', { cookie: ctx.admin, body: { ...DEFAULT_MESSAGING, emergencyNotice: { en: 'Call 911.', fr: 'Composez le 911.' } } });
      assert.equal(fine.statusCode, 200, fine.body);
    });

    it('names the field of a schema refusal too', async (t) => {
      const ctx = await setup(t, d.name);
      const res = await call(ctx.app, 'PUT', '/api/messaging/settings', { cookie: ctx.admin, body: { ...DEFAULT_MESSAGING, categories: [{ id: 'x', en: 'X', fr: '' }] } });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().code, 'invalid_request');
      assert.equal(res.json().field, 'categories.0.fr');
    });

    it('streams new messages to the patient live (Server-Sent Events), without content and without notes', async (t) => {
      const ctx = await setup(t, d.name);
      const { threadId } = (await call(ctx.app, 'POST', '/api/patient/threads', { token: ctx.token, body: newThread() })).json();
      const address = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
      const controller = new AbortController();
      const res = await fetch(`${address}/api/patient/events`, { headers: { authorization: `Bearer ${ctx.token}` }, signal: controller.signal });
      assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
      const reader = res.body!.getReader();
      let text = '';
      const readUntil = async (pattern: RegExp) => {
        while (!pattern.test(text)) text += new TextDecoder().decode((await reader.read()).value);
      };
      await readUntil(/connected/);
      await call(ctx.app, 'POST', `/api/threads/${threadId}/messages`, { cookie: ctx.admin, body: { id: randomUUID(), body: 'secret note', note: true } });
      await call(ctx.app, 'POST', `/api/threads/${threadId}/messages`, { cookie: ctx.admin, body: { id: randomUUID(), body: 'Visible reply' } });
      await readUntil(/event: message/);
      assert.match(text, new RegExp(`"threadId":"${threadId}","author":"staff","kind":"message"`));
      // Reading it (in one of the patient's widgets) tells the others, so their unread counts follow; reading again says nothing new.
      await call(ctx.app, 'GET', `/api/patient/threads/${threadId}`, { token: ctx.token });
      await readUntil(/"kind":"read"/);
      await call(ctx.app, 'GET', `/api/patient/threads/${threadId}`, { token: ctx.token });
      const events = await ctx.deps.db.selectFrom('events').select('data').where('data', 'like', '%"read"%').execute();
      assert.equal(events.length, 1, 'one read event');
      controller.abort();
      assert.ok(text.includes(`event: thread\ndata: {"threadId":"${threadId}","author":"patient","kind":"read"}`), text);
      assert.doesNotMatch(text, /note|Visible reply/);
    });
  });
}

for (const d of DIALECTS) {
  describe(`staff digest (${d.name})`, { skip: d.skip }, () => {
    it('e-mails each active staff member a count of waiting conversations, only when the clinic asks, never content', async (t) => {
      const ctx = await setup(t, d.name);
      await call(ctx.app, 'POST', '/api/patient/threads', { token: ctx.token, body: newThread({ body: 'Private details here' }) });
      const digestMails = async () => (await listJobs(ctx.deps.db, 'all', { kindPrefix: 'mail.staff-digest' })).length;
      const runDigest = async (period: string) => {
        await enqueueJobs(ctx.deps.db, [{ kind: 'digest.hourly', clinicId: null, payload: {}, dedupeKey: `digest.hourly:${period}` }]);
        await ctx.deps.jobs.settle();
      };
      await runDigest('h1');
      assert.equal(await digestMails(), 0, 'off by default');
      await call(ctx.app, 'PUT', '/api/messaging/settings', { cookie: ctx.admin, body: { ...DEFAULT_MESSAGING, hours: ALWAYS_OPEN, staffDigestEmail: true } });
      await runDigest('h2');
      await runDigest('h2');
      assert.equal(await digestMails(), 3, 'one per staff member, once per period');
      const mail = await ctx.smtp.take('physician@north.test');
      assert.match(mail.subject, /1 patient conversations waiting/);
      assert.match(mail.text, /\/admin\/inbox/);
      assert.equal(mail.text.includes('Private details'), false);
      assert.equal(mail.text.includes(ctx.patient.name), false);
    });
  });
}
