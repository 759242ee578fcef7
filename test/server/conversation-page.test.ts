import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { DEFAULT_MESSAGING } from '../../server/domain/messaging-settings.js';
import type { MessagingSettings } from '../../shared/messaging.js';
import { DIALECTS, build, call, patientToken, seedClinic, seedPatient, staffCookie } from './helpers.js';

const ALWAYS_OPEN = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ start: '00:00', end: '23:59' }]])) as MessagingSettings['hours'];

async function setup(t: Parameters<typeof build>[0], dialect: 'sqlite' | 'postgres', env: Record<string, string> = {}) {
  const ctx = await build(t, dialect, env);
  const clinic = await seedClinic(ctx.deps, 'north');
  const patient = await seedPatient(ctx.deps, clinic);
  const admin = await staffCookie(ctx.app, 'admin@north.test');
  const put = await call(ctx.app, 'PUT', '/api/messaging/settings', { cookie: admin, body: { ...DEFAULT_MESSAGING, hours: ALWAYS_OPEN } });
  assert.equal(put.statusCode, 200, put.body);
  const token = await patientToken(ctx, 'north', patient.email, patient.dateOfBirth);
  const start = async (subject: string, who = token) => {
    const r = await call(ctx.app, 'POST', '/api/patient/threads', { token: who, body: { id: randomUUID(), subject, category: 'prescription', body: `About ${subject}` } });
    assert.equal(r.statusCode, 201, r.body);
    return r.json().threadId as string;
  };
  const reply = async (threadId: string, body: string, note = false) => {
    const r = await call(ctx.app, 'POST', `/api/threads/${threadId}/messages`, { cookie: admin, body: { id: randomUUID(), body, ...(note ? { note } : {}) } });
    assert.equal(r.statusCode, 201, r.body);
  };
  const noticeJobs = () => ctx.deps.db.selectFrom('jobs').select(['id', 'status', 'run_at']).where('kind', '=', 'mail.new-message').execute();
  return { ...ctx, clinic, patient, admin, token, start, reply, noticeJobs };
}

type StaffMessage = { body: string; kind: string; author: string; seenAt?: string | null };

for (const d of DIALECTS) {
  describe(`staff conversation page (${d.name})`, { skip: d.skip }, () => {
    it('records when the patient first saw each staff reply, for staff only', async (t) => {
      const ctx = await setup(t, d.name);
      const threadId = await ctx.start('Renewal');
      await ctx.reply(threadId, 'Renewed.');
      await ctx.reply(threadId, 'INTERNAL: chart checked', true);
      const staffView = async () => (await call(ctx.app, 'GET', `/api/threads/${threadId}`, { cookie: ctx.admin })).json().messages as StaffMessage[];
      const before = await staffView();
      assert.equal(before.find((m) => m.body === 'Renewed.')!.seenAt, null, 'not seen yet');
      assert.equal('seenAt' in before.find((m) => m.kind === 'note')!, false, 'a note has no receipt');
      assert.equal('seenAt' in before.find((m) => m.author === 'patient')!, false);

      const opened = await call(ctx.app, 'GET', `/api/patient/threads/${threadId}`, { token: ctx.token });
      assert.equal(opened.statusCode, 200);
      assert.equal(opened.body.includes('seenAt'), false, 'the patient view carries no receipt');
      const seen = (await staffView()).find((m) => m.body === 'Renewed.')!.seenAt;
      assert.ok(seen && Date.parse(seen) <= Date.now(), 'seen by the patient');

      await call(ctx.app, 'GET', `/api/patient/threads/${threadId}`, { token: ctx.token });
      assert.equal((await staffView()).find((m) => m.body === 'Renewed.')!.seenAt, seen, 'the first time is kept');
      await ctx.reply(threadId, 'One more thing.');
      assert.equal((await staffView()).find((m) => m.body === 'One more thing.')!.seenAt, null, 'a later reply waits for its own opening');
    });

    it('gives the inbox neighbours (newest activity first) and the patient’s other conversations', async (t) => {
      const ctx = await setup(t, d.name);
      const other = await seedPatient(ctx.deps, ctx.clinic, { name: 'Omar Other', email: 'omar@example.test', dateOfBirth: '1970-02-02' });
      const otherToken = await patientToken(ctx, 'north', other.email, other.dateOfBirth);
      const oldest = await ctx.start('First');
      const middle = await ctx.start('Second');
      const newest = await ctx.start('Third', otherToken);
      const detail = async (id: string) => (await call(ctx.app, 'GET', `/api/threads/${id}`, { cookie: ctx.admin })).json();
      const inbox = (await call(ctx.app, 'GET', '/api/inbox', { cookie: ctx.admin })).json().threads.map((x: { id: string }) => x.id);
      assert.deepEqual(inbox, [newest, middle, oldest]);
      const m = await detail(middle);
      assert.equal(m.previousId, newest);
      assert.equal(m.nextId, oldest);
      assert.deepEqual(m.otherThreads.map((x: { subject: string }) => x.subject), ['First'], 'only this patient’s other conversations');
      assert.equal((await detail(newest)).previousId, null);
      assert.equal((await detail(oldest)).nextId, null);
      assert.deepEqual((await detail(newest)).otherThreads, []);
    });

    it('changes a conversation’s category to one of the clinic’s only', async (t) => {
      const ctx = await setup(t, d.name);
      const threadId = await ctx.start('Forms');
      const ok = await call(ctx.app, 'PATCH', `/api/threads/${threadId}`, { cookie: ctx.admin, body: { category: 'forms' } });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal((await call(ctx.app, 'GET', `/api/threads/${threadId}`, { cookie: ctx.admin })).json().thread.category, 'forms');
      const bad = await call(ctx.app, 'PATCH', `/api/threads/${threadId}`, { cookie: ctx.admin, body: { category: 'nope' } });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().code, 'unknown_category');
    });

    it('keeps templates in English and French, and refuses a placeholder it would not fill, naming the field', async (t) => {
      const ctx = await setup(t, d.name);
      const body = 'Hello {patient.firstName} {patient.lastName}, {staff.name} at {clinic.name} here.';
      const bodyFr = 'Bonjour {patient.firstName}, ici {staff.name} de {clinic.name}.';
      const added = await call(ctx.app, 'POST', '/api/canned-replies', { cookie: ctx.admin, body: { title: 'Hello', body, bodyFr } });
      assert.equal(added.statusCode, 201, added.body);
      assert.deepEqual((await call(ctx.app, 'GET', '/api/canned-replies', { cookie: ctx.admin })).json().map((c: { body: string; bodyFr: string }) => [c.body, c.bodyFr]), [[body, bodyFr]]);

      const typo = await call(ctx.app, 'POST', '/api/canned-replies', { cookie: ctx.admin, body: { title: 'Typo', body: 'Hi {patient.firstName}', bodyFr: 'Bonjour {patient.prenom}' } });
      assert.equal(typo.statusCode, 422);
      assert.equal(typo.json().code, 'unknown_placeholder');
      assert.deepEqual(typo.json().params, { field: 'bodyFr', name: 'patient.prenom' });
      const english = await call(ctx.app, 'POST', '/api/canned-replies', { cookie: ctx.admin, body: { title: 'Typo', body: 'Hi {name}' } });
      assert.deepEqual(english.json().params, { field: 'body', name: 'name' });
      assert.equal((await call(ctx.app, 'GET', '/api/canned-replies', { cookie: ctx.admin })).json().length, 1, 'nothing saved');
    });

    it('links notices to the clinic’s patient page, saved as a normalised https address', async (t) => {
      const ctx = await setup(t, d.name);
      const clinic = (await call(ctx.app, 'GET', '/api/clinic', { cookie: ctx.admin })).json();
      const save = (patientPageUrl: string | null) => call(ctx.app, 'PUT', '/api/clinic', { cookie: ctx.admin, body: { name: clinic.name, allowedOrigins: clinic.allowedOrigins, brandColor: clinic.brandColor, consentText: clinic.consentText, patientPageUrl } });
      for (const bad of ['ftp://north.test/x', 'http://north.test/messages', 'not a page']) {
        const r = await save(bad);
        assert.equal(r.statusCode, 400, bad);
        assert.equal(r.json().code, 'invalid_patient_page');
      }
      const saved = await save('WWW.North.test/patients/messages#top');
      assert.equal(saved.statusCode, 200, saved.body);
      assert.equal(saved.json().patientPageUrl, 'https://www.north.test/patients/messages');

      const threadId = await ctx.start('Renewal');
      await ctx.reply(threadId, 'Renewed.');
      const mail = await ctx.smtp.take(ctx.patient.email);
      assert.ok(mail.text.includes('https://www.north.test/patients/messages'), 'the patient page is the link');
      assert.equal(mail.text.includes('https://clinic.example'), false, 'not the first allowed site');

      assert.equal((await save(null)).json().patientPageUrl, null, 'cleared');
      await ctx.reply(threadId, 'And again.');
      assert.ok((await ctx.smtp.take(ctx.patient.email)).text.includes('/p/north'), 'without a patient page, the portal (which always has the widget)');
    });

    it('batches notices: two replies in the window make one e-mail, with no health information', async (t) => {
      const ctx = await setup(t, d.name, { NOTICE_BATCH_MS: '60000' });
      const threadId = await ctx.start('Renewal');
      const sentAt = Date.now();
      await ctx.reply(threadId, 'Renewed.');
      await ctx.reply(threadId, 'Pick it up Friday.');
      await ctx.reply(threadId, 'INTERNAL', true);
      const jobs = await ctx.noticeJobs();
      assert.equal(jobs.length, 1, 'one notice for both replies');
      assert.ok(Date.parse(jobs[0]!.run_at) >= sentAt + 59_000, 'it waits for the window');

      // The window passes: the one e-mail goes.
      await ctx.deps.db.updateTable('jobs').set({ run_at: new Date().toISOString() }).where('id', '=', jobs[0]!.id).execute();
      const mail = await ctx.smtp.take(ctx.patient.email);
      assert.match(mail.subject, /new secure message/);
      assert.equal(mail.text.includes('Renewed') || mail.text.includes('Friday'), false);
      await ctx.reply(threadId, 'A later reply.');
      assert.equal((await ctx.noticeJobs()).length, 2, 'a reply after the notice went gets a notice of its own');
      assert.equal(ctx.smtp.messages.filter((m) => m.to === ctx.patient.email && /new secure message/.test(m.subject)).length, 0, 'no second e-mail yet');
    });

    it('batches concurrent replies into one notice', async (t) => {
      const ctx = await setup(t, d.name, { NOTICE_BATCH_MS: '60000' });
      const first = await ctx.start('One');
      const second = await ctx.start('Two');
      // Replies in two conversations of one patient, at once, several times over.
      await Promise.all([first, second, first, second, first, second].map((id, i) => ctx.reply(id, `Reply ${i}`)));
      const jobs = await ctx.noticeJobs();
      assert.equal(jobs.length, 1, JSON.stringify(jobs));
      assert.equal(jobs[0]!.status, 'pending');
    });
  });
}
