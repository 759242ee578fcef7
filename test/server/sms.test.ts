/**
 * Text messages: the Twilio adapter against a local stand-in of Twilio's API (auth header, form
 * fields, 201 with a SID; 429 and 500 retryable, 400 permanent, a silent server timed out), the TWILIO_*
 * configuration, and end to end on SQLite and PostgreSQL: a patient's mobile number (strict E.164,
 * sealed at rest) and consent to texts, reminders by text once per rule and never for a cancelled
 * appointment, a questionnaire sent by text-message link that names nothing, the refusals when SMS is
 * not set up or a patient cannot be texted, retries and dead jobs, and no number or text in the logs.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it, type TestContext } from 'node:test';
import { DateTime } from 'luxon';
import { ConfigError, loadConfig } from '../../server/config.js';
import { createSession } from '../../server/domain/sessions.js';
import { listJobs } from '../../server/domain/jobs.js';
import { SmsError, twilioSender } from '../../server/sms/sender.js';
import { TWILIO_NUMBER, TWILIO_SID, TWILIO_TOKEN, startTwilioStandIn, type TwilioStandIn } from '../support/twilio.js';
import { DIALECTS, build, call, seedClinic, seedPatient, staffCookie, type TestApp } from './helpers.js';

const MOBILE = '+15145550123';
const ZONE = 'America/Toronto';
const WEEK = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const RULES = { enabled: true, minNoticeMinutes: 60, horizonDays: 30, maxUpcomingPerPatient: 3, cancelCutoffHours: 24, slotStepMinutes: 30, reminderMinutesBefore: [2880, 120] };

describe('the Twilio sender against a stand-in of its API', () => {
  let twilio: TwilioStandIn;
  before(async () => {
    twilio = await startTwilioStandIn();
  });
  after(() => twilio.close());
  const sender = (over: Partial<Parameters<typeof twilioSender>[0]> = {}) => twilioSender({ accountSid: TWILIO_SID, authToken: TWILIO_TOKEN, from: TWILIO_NUMBER, apiBase: twilio.url, timeoutMs: 2000, ...over });
  const failure = async (p: Promise<unknown>) => {
    const err = await p.then(() => null, (e: unknown) => e);
    assert.ok(err instanceof SmsError, String(err));
    return { code: err.code, retryable: err.retryable };
  };

  it('posts the form with basic auth and returns the message SID', async () => {
    const sent = await sender().send({ to: MOBILE, body: 'Hello from the clinic' });
    assert.match(sent.providerId, /^SM[0-9a-f]{32}$/);
    assert.deepEqual(twilio.messages.at(-1), { sid: sent.providerId, to: MOBILE, from: TWILIO_NUMBER, body: 'Hello from the clinic' });
  });

  it('calls 429 and 500 retryable, 400 (invalid number) and bad credentials permanent', async () => {
    twilio.script(429);
    assert.deepEqual(await failure(sender().send({ to: MOBILE, body: 'x' })), { code: 'sms_http_429_20429', retryable: true });
    twilio.script(500);
    assert.deepEqual(await failure(sender().send({ to: MOBILE, body: 'x' })), { code: 'sms_http_500_20500', retryable: true });
    twilio.script(400);
    assert.deepEqual(await failure(sender().send({ to: MOBILE, body: 'x' })), { code: 'sms_http_400_21211', retryable: false });
    assert.deepEqual(await failure(sender({ authToken: 'wrongToken0123456789' }).send({ to: MOBILE, body: 'x' })), { code: 'sms_http_401_20003', retryable: false });
  });

  it('gives up on a server that never answers (retryable timeout)', async () => {
    twilio.script('hang');
    assert.deepEqual(await failure(sender({ timeoutMs: 300 }).send({ to: MOBILE, body: 'x' })), { code: 'sms_timeout', retryable: true });
  });

  it('calls an unreachable server a retryable network failure', async () => {
    assert.deepEqual(await failure(sender({ apiBase: 'http://127.0.0.1:1' }).send({ to: MOBILE, body: 'x' })), { code: 'sms_network', retryable: true });
  });

  it('does not retry a text the provider accepted without an id (sending again could text the patient twice)', async (t) => {
    const server = http.createServer((_req, res) => res.writeHead(201, { 'content-type': 'application/json' }).end('{"status":"queued"}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const apiBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    assert.deepEqual(await failure(sender({ apiBase }).send({ to: MOBILE, body: 'x' })), { code: 'sms_bad_answer', retryable: false });
  });
});

describe('TWILIO_* configuration', () => {
  const base = { TWILIO_ACCOUNT_SID: TWILIO_SID, TWILIO_AUTH_TOKEN: TWILIO_TOKEN, TWILIO_FROM: TWILIO_NUMBER };

  it('leaves SMS unavailable when nothing is set, and reads a full set with Twilio as the default base', () => {
    assert.equal(loadConfig({}).sms, null);
    assert.deepEqual(loadConfig(base).sms, { accountSid: TWILIO_SID, authToken: TWILIO_TOKEN, from: TWILIO_NUMBER, apiBase: 'https://api.twilio.com', timeoutMs: 15_000 });
    assert.equal(loadConfig({ ...base, TWILIO_FROM: `MG${'a'.repeat(32)}` }).sms?.from, `MG${'a'.repeat(32)}`);
  });

  it('names what is wrong, and never echoes the auth token', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ TWILIO_ACCOUNT_SID: TWILIO_SID }, /missing: TWILIO_AUTH_TOKEN, TWILIO_FROM/],
      [{ ...base, TWILIO_ACCOUNT_SID: 'AC123' }, /TWILIO_ACCOUNT_SID must be "AC" followed by 32/],
      [{ ...base, TWILIO_FROM: '514-555-0100' }, /TWILIO_FROM must be the sending number in E\.164/],
      [{ ...base, TWILIO_AUTH_TOKEN: 'has spaces in it!!' }, /TWILIO_AUTH_TOKEN must be the Auth Token/],
      [{ ...base, TWILIO_API_BASE: 'ftp://x' }, /TWILIO_API_BASE must start with http:\/\/ or https:\/\//],
      [{ TWILIO_API_BASE: 'http://127.0.0.1:9' }, /TWILIO_API_BASE is set but/],
      [{ ...base, SMS_TIMEOUT_MS: '5' }, /SMS_TIMEOUT_MS must be a whole number of milliseconds/],
    ];
    for (const [env, message] of cases) assert.throws(() => loadConfig(env), (e: Error) => e instanceof ConfigError && message.test(e.message), JSON.stringify(env));
    assert.throws(() => loadConfig({ ...base, TWILIO_AUTH_TOKEN: 'secret token!' }), (e: Error) => !e.message.includes('secret token'));
  });
});

/** Waits until no job of the kinds is due (the runners work them); later ones are left alone. */
async function settled(ctx: TestApp, kindPrefix: string) {
  for (let i = 0; i < 400; i++) {
    const open = await listJobs(ctx.deps.db, 'all', { kindPrefix, status: ['pending', 'running'] });
    if (open.every((j) => Date.parse(j.runAt) > Date.now() + 60_000)) return;
    ctx.deps.jobs.wake();
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('jobs did not settle');
}

for (const d of DIALECTS) {
  describe(`text messages (${d.name})`, { skip: d.skip }, () => {
    /** An app with Twilio pointed at a fresh stand-in, a clinic, its admin and a patient. */
    async function setup(t: TestContext, env: Record<string, string> = {}, logs?: string[]) {
      const twilio = await startTwilioStandIn();
      t.after(() => twilio.close());
      const ctx = await build(t, d.name, { ...twilio.env, JOB_RETRY_BASE_MS: '10', ...env }, logs);
      const clinic = await seedClinic(ctx.deps, 'north');
      const admin = await staffCookie(ctx.app, 'admin@north.test');
      const patient = await seedPatient(ctx.deps, clinic);
      return { ...ctx, twilio, clinic, admin, patient };
    }
    const ok = async (res: Awaited<ReturnType<typeof call>>, status: number) => {
      assert.equal(res.statusCode, status, res.body);
      return res.json();
    };

    it('keeps a strict E.164 mobile number sealed at rest, with a dated consent that goes with the number', async (t) => {
      const ctx = await setup(t);
      for (const bad of ['514 555 0123', '5145550123', '+0145550123', '+1-514-555-0123', '+1234']) {
        const res = await call(ctx.app, 'PATCH', `/api/patients/${ctx.patient.id}`, { cookie: ctx.admin, body: { mobile: bad } });
        assert.equal(res.statusCode, 400, bad);
      }
      const saved = await ok(await call(ctx.app, 'PATCH', `/api/patients/${ctx.patient.id}`, { cookie: ctx.admin, body: { mobile: MOBILE, smsConsent: true } }), 200);
      assert.equal(saved.mobile, MOBILE);
      assert.ok(Date.parse(saved.smsConsentAt) > Date.now() - 60_000);
      // Saving other details keeps the first consent date.
      const again = await ok(await call(ctx.app, 'PATCH', `/api/patients/${ctx.patient.id}`, { cookie: ctx.admin, body: { name: 'Jamie Patient', smsConsent: true } }), 200);
      assert.equal(again.smsConsentAt, saved.smsConsentAt);
      const raw = JSON.stringify(await ctx.owner.selectFrom('patients').selectAll().execute());
      assert.equal(raw.includes('5145550123'), false, 'the number is not in clear at rest');
      const audit = await ctx.deps.db.selectFrom('audit_log').select(['action', 'target', 'patient_id']).where('action', '=', 'patient.update').execute();
      assert.deepEqual(audit.map((a) => a.target), ['patient-details:mobile,smsConsent', 'patient-details:name,smsConsent']);
      // Without a number there is nothing to consent to.
      const cleared = await ok(await call(ctx.app, 'PATCH', `/api/patients/${ctx.patient.id}`, { cookie: ctx.admin, body: { mobile: null } }), 200);
      assert.deepEqual([cleared.mobile, cleared.smsConsentAt], [null, null]);
      await ok(await call(ctx.app, 'PATCH', `/api/patients/${ctx.patient.id}`, { cookie: ctx.admin, body: { mobile: MOBILE, smsConsent: true } }), 200);
      const withdrawn = await ok(await call(ctx.app, 'PATCH', `/api/patients/${ctx.patient.id}`, { cookie: ctx.admin, body: { smsConsent: false } }), 200);
      assert.deepEqual([withdrawn.mobile, withdrawn.smsConsentAt], [MOBILE, null]);
    });

    it('sends a questionnaire by text-message link that names nothing, in French for a French patient, listed on the Outgoing page', async (t) => {
      const ctx = await setup(t);
      const other = await seedPatient(ctx.deps, ctx.clinic, { email: 'other@north.example', name: 'Other Patient' });
      await ok(await call(ctx.app, 'PATCH', `/api/patients/${ctx.patient.id}`, { cookie: ctx.admin, body: { mobile: MOBILE, smsConsent: true, lang: 'fr' } }), 200);
      const q = await ok(await call(ctx.app, 'POST', '/api/questionnaire-library/phq-9', { cookie: ctx.admin }), 201);
      const url = `/api/questionnaires/${q.questionnaire.id}/assignments`;
      // All or none: the other patient has no number, so nothing is assigned.
      const refused = await call(ctx.app, 'POST', url, { cookie: ctx.admin, body: { patientIds: [ctx.patient.id, other.id], channel: 'sms' } });
      assert.equal(refused.statusCode, 409, refused.body);
      assert.equal(refused.json().code, 'patient_not_textable');
      assert.equal((await ctx.deps.db.selectFrom('questionnaire_assignments').select('id').execute()).length, 0);

      await ok(await call(ctx.app, 'POST', url, { cookie: ctx.admin, body: { patientIds: [ctx.patient.id], channel: 'sms' } }), 201);
      const [text] = await ctx.twilio.waitFor(1);
      assert.equal(text!.to, MOBILE);
      assert.equal(text!.from, TWILIO_NUMBER);
      assert.equal(text!.body, 'Clinic north : votre clinique a un formulaire à vous faire remplir. Connectez-vous au service sécurisé : http://localhost:3000/p/north');
      assert.equal(/PHQ|depress|question/i.test(text!.body), false, 'no health information');
      await settled(ctx, 'sms.');
      assert.equal(ctx.smtp.messages.length, 0, 'no e-mail for a send by text');
      const outgoing = await ok(await call(ctx.app, 'GET', '/api/outgoing-mail?status=done', { cookie: ctx.admin }), 200);
      assert.deepEqual(outgoing.map((m: { channel: string; kind: string; recipient: string }) => [m.channel, m.kind, m.recipient]), [['sms', 'questionnaire-assigned', 'Jamie Patient']]);
      assert.equal(JSON.stringify(outgoing).includes('5145550123'), false, 'no number on the page');
      assert.equal(JSON.stringify(outgoing).includes('formulaire'), false, 'no text on the page');
    });

    it('texts each reminder once per rule, only to a consenting patient, never for a cancelled appointment, and e-mails too with "both"', async (t) => {
      const ctx = await setup(t);
      await ok(await call(ctx.app, 'PUT', '/api/booking/rules', { cookie: ctx.admin, body: { ...RULES, reminderChannel: 'both' } }), 200);
      const provider = await ok(await call(ctx.app, 'POST', '/api/booking/providers', { cookie: ctx.admin, body: { name: 'Dr. Priya Shah' } }), 201);
      const type = await ok(await call(ctx.app, 'POST', '/api/booking/types', { cookie: ctx.admin, body: { name: { en: 'Diabetes follow-up', fr: 'Suivi du diabète' }, durationMinutes: 30, mode: 'in-person', location: '12 Main St', bufferBeforeMinutes: 0, bufferAfterMinutes: 0, existingPatientsOnly: true, providerIds: [], active: true } }), 201);
      await ok(await call(ctx.app, 'POST', '/api/booking/hours', { cookie: ctx.admin, body: { providerId: provider.id, days: WEEK, start: '09:00', end: '17:00' } }), 201);
      await ok(await call(ctx.app, 'PATCH', `/api/patients/${ctx.patient.id}`, { cookie: ctx.admin, body: { mobile: MOBILE, smsConsent: true } }), 200);
      const noText = await seedPatient(ctx.deps, ctx.clinic, { email: 'notext@north.example', name: 'No Text' });
      const tokenOf = async (id: string) => (await createSession(ctx.deps.db, { kind: 'patient', clinicId: ctx.clinic.id, subjectId: id })).token;
      const [mine, theirs] = [await tokenOf(ctx.patient.id), await tokenOf(noText.id)];
      const day = DateTime.now().setZone(ZONE).plus({ days: 3 }).toISODate()!;
      const slots = (await ok(await call(ctx.app, 'GET', `/api/patient/booking/slots?typeId=${type.id}&from=${day}&days=1`, { token: mine }), 200)).slots as Array<{ startsAt: string; providerId: string }>;
      const kept = await ok(await call(ctx.app, 'POST', '/api/patient/appointments', { token: mine, body: { typeId: type.id, providerId: provider.id, startsAt: slots[0]!.startsAt } }), 201);
      const dropped = await ok(await call(ctx.app, 'POST', '/api/patient/appointments', { token: mine, body: { typeId: type.id, providerId: provider.id, startsAt: slots[4]!.startsAt } }), 201);
      await ok(await call(ctx.app, 'POST', '/api/patient/appointments', { token: theirs, body: { typeId: type.id, providerId: provider.id, startsAt: slots[2]!.startsAt } }), 201);
      const planned = await listJobs(ctx.deps.db, 'all', { kindPrefix: 'sms.booking-reminder' });
      assert.equal(planned.length, 4, 'two rules × two appointments of the consenting patient; none for the other');
      assert.equal((await listJobs(ctx.deps.db, 'all', { kindPrefix: 'mail.booking-reminder' })).length, 6, 'e-mail reminders for everyone');
      await ok(await call(ctx.app, 'POST', `/api/patient/appointments/${dropped.id}/cancel`, { token: mine }), 200);

      // Time passes: every reminder is due now.
      await ctx.owner.updateTable('jobs').set({ run_at: new Date(Date.now() - 1000).toISOString() }).where('kind', 'like', '%booking-reminder').execute();
      await settled(ctx, 'sms.');
      await settled(ctx, 'mail.');
      assert.equal(ctx.twilio.messages.length, 2, 'one text per rule for the kept appointment, none for the cancelled one');
      const when = DateTime.fromISO(kept.startsAt, { zone: ZONE }).setLocale('en-CA');
      for (const text of ctx.twilio.messages) {
        assert.equal(text.to, MOBILE);
        assert.ok(text.body.startsWith('Clinic north: reminder of your appointment on '), text.body);
        assert.ok(text.body.includes(when.toLocaleString(DateTime.TIME_SIMPLE)), text.body);
        assert.equal(/Shah|Diabetes|diab/i.test(text.body), false, 'date, time, clinic and link only');
      }
      assert.equal(ctx.smtp.messages.filter((m) => /Reminder/.test(m.subject)).length, 4, 'and the e-mail reminders went too');
      const done = await listJobs(ctx.deps.db, 'all', { kindPrefix: 'sms.', status: 'done' });
      assert.equal(done.length, 4, "the cancelled appointment's texts finish without sending");
    });

    it('retries a text on 429 and 500, fails it at once on 400 (dead, listed with its code), and an admin can send it again', async (t) => {
      const ctx = await setup(t);
      await ok(await call(ctx.app, 'PATCH', `/api/patients/${ctx.patient.id}`, { cookie: ctx.admin, body: { mobile: MOBILE, smsConsent: true } }), 200);
      const q = await ok(await call(ctx.app, 'POST', '/api/questionnaire-library/gad-7', { cookie: ctx.admin }), 201);
      const url = `/api/questionnaires/${q.questionnaire.id}/assignments`;
      ctx.twilio.script(429, 500);
      await ok(await call(ctx.app, 'POST', url, { cookie: ctx.admin, body: { patientIds: [ctx.patient.id], channel: 'sms' } }), 201);
      await ctx.twilio.waitFor(1);
      await settled(ctx, 'sms.');
      const [first] = await listJobs(ctx.deps.db, 'all', { kindPrefix: 'sms.' });
      assert.deepEqual([first!.status, first!.attempts], ['done', 3]);

      ctx.twilio.script(400);
      await ok(await call(ctx.app, 'POST', url, { cookie: ctx.admin, body: { patientIds: [ctx.patient.id], channel: 'sms' } }), 201);
      await settled(ctx, 'sms.');
      const failed = await ok(await call(ctx.app, 'GET', '/api/outgoing-mail?status=failed', { cookie: ctx.admin }), 200);
      assert.equal(failed.length, 1);
      assert.deepEqual([failed[0].channel, failed[0].attempts, failed[0].lastError], ['sms', 1, 'sms_http_400_21211']);
      assert.equal(ctx.twilio.messages.length, 1);
      const retry = await call(ctx.app, 'POST', `/api/outgoing-mail/${failed[0].id}/retry`, { cookie: ctx.admin });
      assert.equal(retry.statusCode, 204, retry.body);
      await ctx.twilio.waitFor(2);
      await settled(ctx, 'sms.');
      assert.equal((await listJobs(ctx.deps.db, 'all', { kindPrefix: 'sms.', status: 'done' })).length, 2);
    });

    it('times a silent provider out and tries again later', async (t) => {
      const ctx = await setup(t, { SMS_TIMEOUT_MS: '300' });
      await ok(await call(ctx.app, 'PATCH', `/api/patients/${ctx.patient.id}`, { cookie: ctx.admin, body: { mobile: MOBILE, smsConsent: true } }), 200);
      const q = await ok(await call(ctx.app, 'POST', '/api/questionnaire-library/gad-7', { cookie: ctx.admin }), 201);
      ctx.twilio.script('hang');
      await ok(await call(ctx.app, 'POST', `/api/questionnaires/${q.questionnaire.id}/assignments`, { cookie: ctx.admin, body: { patientIds: [ctx.patient.id], channel: 'sms' } }), 201);
      await ctx.twilio.waitFor(1);
      await settled(ctx, 'sms.');
      const [job] = await listJobs(ctx.deps.db, 'all', { kindPrefix: 'sms.' });
      assert.deepEqual([job!.status, job!.attempts, job!.lastError], ['done', 2, null]);
    });

    it('refuses sends by text with a coded 409 when SMS is not set up, and says so to admins', async (t) => {
      const ctx = await build(t, d.name);
      const clinic = await seedClinic(ctx.deps, 'north');
      const admin = await staffCookie(ctx.app, 'admin@north.test');
      const patient = await seedPatient(ctx.deps, clinic);
      assert.deepEqual(await ok(await call(ctx.app, 'GET', '/api/sms-status', { cookie: admin }), 200), { available: false, provider: null });
      await ok(await call(ctx.app, 'PATCH', `/api/patients/${patient.id}`, { cookie: admin, body: { mobile: MOBILE, smsConsent: true } }), 200);
      const q = await ok(await call(ctx.app, 'POST', '/api/questionnaire-library/gad-7', { cookie: admin }), 201);
      const send = await call(ctx.app, 'POST', `/api/questionnaires/${q.questionnaire.id}/assignments`, { cookie: admin, body: { patientIds: [patient.id], channel: 'sms' } });
      assert.equal(send.statusCode, 409, send.body);
      assert.equal(send.json().code, 'sms_unavailable');
      const rules = await call(ctx.app, 'PUT', '/api/booking/rules', { cookie: admin, body: { ...RULES, reminderChannel: 'sms' } });
      assert.equal(rules.statusCode, 409, rules.body);
      assert.equal(rules.json().code, 'sms_unavailable');
      assert.equal((await ctx.deps.db.selectFrom('jobs').select('id').where('kind', 'like', 'sms.%').execute()).length, 0);
      const staff = await staffCookie(ctx.app, 'staff@north.test');
      assert.equal((await call(ctx.app, 'GET', '/api/sms-status', { cookie: staff })).statusCode, 403, 'admins only');
    });

    it('keeps the number and the text out of the logs, sent or failed', async (t) => {
      const logs: string[] = [];
      const ctx = await setup(t, {}, logs);
      assert.deepEqual(await ok(await call(ctx.app, 'GET', '/api/sms-status', { cookie: ctx.admin }), 200), { available: true, provider: 'Twilio' });
      await ok(await call(ctx.app, 'PATCH', `/api/patients/${ctx.patient.id}`, { cookie: ctx.admin, body: { mobile: MOBILE, smsConsent: true } }), 200);
      await call(ctx.app, 'PATCH', `/api/patients/${ctx.patient.id}`, { cookie: ctx.admin, body: { mobile: '514 555 0199' } });
      const q = await ok(await call(ctx.app, 'POST', '/api/questionnaire-library/gad-7', { cookie: ctx.admin }), 201);
      ctx.twilio.script(500, 400);
      await ok(await call(ctx.app, 'POST', `/api/questionnaires/${q.questionnaire.id}/assignments`, { cookie: ctx.admin, body: { patientIds: [ctx.patient.id], channel: 'sms' } }), 201);
      await settled(ctx, 'sms.');
      await ok(await call(ctx.app, 'POST', `/api/questionnaires/${q.questionnaire.id}/assignments`, { cookie: ctx.admin, body: { patientIds: [ctx.patient.id], channel: 'sms' } }), 201);
      await ctx.twilio.waitFor(1);
      await settled(ctx, 'sms.');
      assert.ok(logs.some((l) => l.includes('sms_http_400_21211')), 'the failure was logged, by code');
      const all = logs.join('\n');
      for (const secret of ['5145550123', '514 555 0199', '5145550199', 'has a form for you', TWILIO_TOKEN]) assert.equal(all.includes(secret), false, `logs contain ${secret}`);
    });
  });
}
