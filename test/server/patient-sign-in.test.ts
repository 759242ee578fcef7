import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { codeFrom } from '../support/smtp.js';
import type { FastifyInstance } from 'fastify';
import { DIALECTS, ORIGIN, build, call, patientToken, seedClinic, seedPatient, staffCookie } from './helpers.js';

/** A widget request arriving through one proxy, which reports `forwardedFor`. */
const fromAddress = (app: FastifyInstance, forwardedFor: string, url: string, body: object) =>
  app.inject({ method: 'POST', url, headers: { origin: ORIGIN, 'x-forwarded-for': forwardedFor }, payload: body });

for (const d of DIALECTS) {
  describe(`patient sign-in in the widget (${d.name})`, { skip: d.skip }, () => {
    it('signs in with the e-mailed code and date of birth, then records consent once', async (t) => {
      const ctx = await build(t, d.name);
      const clinic = await seedClinic(ctx.deps, 'north');
      const p = await seedPatient(ctx.deps, clinic);
      const start = await call(ctx.app, 'POST', '/api/patient/auth/code', { body: { clinic: 'north', email: p.email, lang: 'fr' } });
      assert.equal(start.statusCode, 202);
      const mail = await ctx.smtp.take(p.email);
      assert.match(mail.subject, /code de connexion/, 'the e-mail is in the language of the widget');
      assert.equal(mail.text.includes(p.name), false, 'no health information (not even the name) in the e-mail');
      assert.equal(mail.text.includes(p.dateOfBirth), false);

      const verify = await call(ctx.app, 'POST', '/api/patient/auth/verify?lang=en', { body: { challengeId: start.json().challengeId, code: codeFrom(mail), dateOfBirth: p.dateOfBirth } });
      assert.equal(verify.statusCode, 200, verify.body);
      const { token, patient } = verify.json();
      assert.equal(patient.consentRequired, true);
      assert.match(patient.consentText, /not for emergencies/i);

      const consent = await call(ctx.app, 'POST', '/api/patient/consent', { token, body: { accept: true } });
      assert.equal(consent.json().consentRequired, false);
      const row = await ctx.deps.db.selectFrom('patients').select(['consented_at', 'consent_text']).where('id', '=', p.id).executeTakeFirstOrThrow();
      assert.ok(row.consented_at);
      assert.match(row.consent_text!, /911/);
      assert.equal((await call(ctx.app, 'GET', '/api/patient/me', { token })).json().name, p.name);

      const actions = (await ctx.deps.db.selectFrom('audit_log').select('action').where('patient_id', '=', p.id).orderBy('at').execute()).map((r) => r.action);
      assert.deepEqual(actions, ['patient.sign-in', 'patient.consent', 'patient.read-self']);
    });

    it('answers an unknown address exactly like a known one, and sends nothing', async (t) => {
      const ctx = await build(t, d.name);
      await seedClinic(ctx.deps, 'north');
      const res = await call(ctx.app, 'POST', '/api/patient/auth/code', { body: { clinic: 'north', email: 'stranger@example.com' } });
      assert.equal(res.statusCode, 202);
      assert.deepEqual(Object.keys(res.json()).sort(), ['challengeId', 'expiresAt']);
      await assert.rejects(ctx.smtp.take('stranger@example.com', 500));
      const guess = await call(ctx.app, 'POST', '/api/patient/auth/verify', { body: { challengeId: res.json().challengeId, code: '123456', dateOfBirth: '1990-01-01' } });
      assert.equal(guess.statusCode, 401);
    });

    it('refuses a wrong date of birth with the right code', async (t) => {
      const ctx = await build(t, d.name);
      const p = await seedPatient(ctx.deps, await seedClinic(ctx.deps, 'north'));
      const start = await call(ctx.app, 'POST', '/api/patient/auth/code', { body: { clinic: 'north', email: p.email } });
      const code = codeFrom(await ctx.smtp.take(p.email));
      const res = await call(ctx.app, 'POST', '/api/patient/auth/verify', { body: { challengeId: start.json().challengeId, code, dateOfBirth: '1990-05-18' } });
      assert.equal(res.statusCode, 401);
      assert.equal(res.json().code, 'invalid_code');
    });

    it('locks a code after 5 wrong attempts, even for the right code', async (t) => {
      const ctx = await build(t, d.name);
      const p = await seedPatient(ctx.deps, await seedClinic(ctx.deps, 'north'));
      const start = await call(ctx.app, 'POST', '/api/patient/auth/code', { body: { clinic: 'north', email: p.email } });
      const code = codeFrom(await ctx.smtp.take(p.email));
      const wrong = code === '000000' ? '111111' : '000000';
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await call(ctx.app, 'POST', '/api/patient/auth/verify', { body: { challengeId: start.json().challengeId, code: wrong, dateOfBirth: p.dateOfBirth } })).statusCode);
      assert.deepEqual(statuses, [401, 401, 401, 401, 401]);
      const right = await call(ctx.app, 'POST', '/api/patient/auth/verify', { body: { challengeId: start.json().challengeId, code, dateOfBirth: p.dateOfBirth } });
      assert.equal(right.statusCode, 429);
      assert.equal(right.json().code, 'code_locked');
    });

    it('refuses an expired code and a code used twice', async (t) => {
      const ctx = await build(t, d.name);
      const p = await seedPatient(ctx.deps, await seedClinic(ctx.deps, 'north'));
      const first = await call(ctx.app, 'POST', '/api/patient/auth/code', { body: { clinic: 'north', email: p.email } });
      const code = codeFrom(await ctx.smtp.take(p.email));
      await ctx.deps.db.updateTable('login_challenges').set({ expires_at: new Date(Date.now() - 1).toISOString() }).where('id', '=', first.json().challengeId).execute();
      const expired = await call(ctx.app, 'POST', '/api/patient/auth/verify', { body: { challengeId: first.json().challengeId, code, dateOfBirth: p.dateOfBirth } });
      assert.equal(expired.statusCode, 410);

      const second = await call(ctx.app, 'POST', '/api/patient/auth/code', { body: { clinic: 'north', email: p.email } });
      const code2 = codeFrom(await ctx.smtp.take(p.email));
      const body = { challengeId: second.json().challengeId, code: code2, dateOfBirth: p.dateOfBirth };
      assert.equal((await call(ctx.app, 'POST', '/api/patient/auth/verify', { body })).statusCode, 200);
      assert.equal((await call(ctx.app, 'POST', '/api/patient/auth/verify', { body })).statusCode, 401);
    });

    it('stores codes only as hashes', async (t) => {
      const ctx = await build(t, d.name);
      const p = await seedPatient(ctx.deps, await seedClinic(ctx.deps, 'north'));
      await call(ctx.app, 'POST', '/api/patient/auth/code', { body: { clinic: 'north', email: p.email } });
      const code = codeFrom(await ctx.smtp.take(p.email));
      const rows = await ctx.deps.db.selectFrom('login_challenges').selectAll().execute();
      assert.ok(rows.every((r) => !JSON.stringify(r).includes(code)));
    });

    it('rate-limits code requests per account, from any address', async (t) => {
      const ctx = await build(t, d.name, { TRUST_PROXY: '1' });
      await seedClinic(ctx.deps, 'north');
      const statuses = [];
      for (let i = 0; i < 6; i++) statuses.push((await fromAddress(ctx.app, `203.0.113.${i}`, '/api/patient/auth/code', { clinic: 'north', email: i % 2 ? 'Someone@Example.com' : 'someone@example.com' })).statusCode);
      assert.deepEqual(statuses, [202, 202, 202, 202, 202, 429]);
      const other = await fromAddress(ctx.app, '203.0.113.9', '/api/patient/auth/code', { clinic: 'north', email: 'other@example.com' });
      assert.equal(other.statusCode, 202, 'another account is not held back');
    });

    it('limits code guesses per account, however the X-Forwarded-For changes, and the window ends', async (t) => {
      const ctx = await build(t, d.name, { TRUST_PROXY: '1' });
      const p = await seedPatient(ctx.deps, await seedClinic(ctx.deps, 'north'));
      const challenges: string[] = [];
      const codes: string[] = [];
      // Each code is read before the next is asked for: the mail jobs may run in any order.
      for (let i = 0; i < 3; i++) {
        challenges.push((await fromAddress(ctx.app, `198.51.100.${i}`, '/api/patient/auth/code', { clinic: 'north', email: p.email })).json().challengeId);
        codes.push(codeFrom(await ctx.smtp.take(p.email)));
      }
      const wrong = (c: string) => (c === '000000' ? '000001' : '000000');
      const statuses: number[] = [];
      // 4 wrong guesses on each of the first two codes and 2 on the third: 10, each from a new address.
      for (const [i, n] of [4, 4, 2].entries()) {
        for (let k = 0; k < n; k++) statuses.push((await fromAddress(ctx.app, `192.0.2.${statuses.length}`, '/api/patient/auth/verify', { challengeId: challenges[i], code: wrong(codes[i]!), dateOfBirth: p.dateOfBirth })).statusCode);
      }
      assert.deepEqual(statuses, Array(10).fill(401));
      const right = await fromAddress(ctx.app, '192.0.2.200', '/api/patient/auth/verify', { challengeId: challenges[2], code: codes[2], dateOfBirth: p.dateOfBirth });
      assert.equal(right.statusCode, 429, 'the 11th try in the window is refused even with the right code');
      assert.equal(right.json().code, 'rate_limited');
      assert.ok(Number(right.headers['retry-after']) > 0);
      assert.equal(right.json().params.retryAfterSeconds, Number(right.headers['retry-after']), 'the wait is a parameter, for the browser to word');
      // Throttling, not a lock: once the window has passed, the same code works.
      await ctx.deps.db.updateTable('rate_limits').set({ reset_at: Date.now() - 1 }).execute();
      const later = await fromAddress(ctx.app, '192.0.2.201', '/api/patient/auth/verify', { challengeId: challenges[2], code: codes[2], dateOfBirth: p.dateOfBirth });
      assert.equal(later.statusCode, 200, later.body);
    });

    it('does not let one address (a clinic Wi-Fi) lock out every patient', async (t) => {
      const ctx = await build(t, d.name);
      const clinic = await seedClinic(ctx.deps, 'north');
      // 25 wrong guesses from this one address, spread over five strangers' codes (more than the old per-address limit of 20).
      for (let i = 0; i < 5; i++) {
        const start = await call(ctx.app, 'POST', '/api/patient/auth/code', { body: { clinic: 'north', email: `stranger${i}@example.com` } });
        for (let k = 0; k < 5; k++) assert.equal((await call(ctx.app, 'POST', '/api/patient/auth/verify', { body: { challengeId: start.json().challengeId, code: '000000', dateOfBirth: '1990-01-01' } })).statusCode, 401);
      }
      const p = await seedPatient(ctx.deps, clinic);
      await patientToken(ctx, 'north', p.email, p.dateOfBirth);
    });

    it('trusts only the configured number of proxies: a forged X-Forwarded-For does not reset the per-address limit', async (t) => {
      const ctx = await build(t, d.name, { TRUST_PROXY: '1' });
      await seedClinic(ctx.deps, 'north');
      const statuses: number[] = [];
      // The client forges the left part; our one proxy appended the real address on the right.
      for (let i = 0; i < 31; i++) statuses.push((await fromAddress(ctx.app, `10.9.${i}.1, 203.0.113.50`, '/api/patient/auth/code', { clinic: 'north', email: `p${i}@example.com` })).statusCode);
      assert.deepEqual(statuses, [...Array(30).fill(202), 429]);
      const refused = await fromAddress(ctx.app, '10.9.99.1, 203.0.113.50', '/api/patient/auth/code', { clinic: 'north', email: 'late@example.com' });
      assert.equal(refused.json().code, 'rate_limited');
      assert.equal(refused.json().params.retryAfterSeconds, Number(refused.headers['retry-after']), 'the per-address limit says its wait too');
    });

    it('keeps an earlier code valid when someone asks for a new one', async (t) => {
      const ctx = await build(t, d.name);
      const p = await seedPatient(ctx.deps, await seedClinic(ctx.deps, 'north'));
      const first = await call(ctx.app, 'POST', '/api/patient/auth/code', { body: { clinic: 'north', email: p.email } });
      const code = codeFrom(await ctx.smtp.take(p.email));
      // Anyone who knows the address asks again (twice).
      const second = await call(ctx.app, 'POST', '/api/patient/auth/code', { body: { clinic: 'north', email: p.email } });
      const secondCode = codeFrom(await ctx.smtp.take(p.email));
      await call(ctx.app, 'POST', '/api/patient/auth/code', { body: { clinic: 'north', email: p.email } });
      const res = await call(ctx.app, 'POST', '/api/patient/auth/verify', { body: { challengeId: first.json().challengeId, code, dateOfBirth: p.dateOfBirth } });
      assert.equal(res.statusCode, 200, res.body);
      // Signing in spends the other open codes.
      const reuse = await call(ctx.app, 'POST', '/api/patient/auth/verify', { body: { challengeId: second.json().challengeId, code: secondCode, dateOfBirth: p.dateOfBirth } });
      assert.equal(reuse.statusCode, 401);
    });

    it('answers the same when the SMTP server refuses an enrolled address, and logs no address', async (t) => {
      const logs: string[] = [];
      const ctx = await build(t, d.name, {}, logs);
      const p = await seedPatient(ctx.deps, await seedClinic(ctx.deps, 'north'), { email: 'refused@example.com' });
      ctx.smtp.refuse(/^refused@/);
      const known = await call(ctx.app, 'POST', '/api/patient/auth/code', { body: { clinic: 'north', email: p.email } });
      const unknown = await call(ctx.app, 'POST', '/api/patient/auth/code', { body: { clinic: 'north', email: 'nobody@example.com' } });
      assert.equal(known.statusCode, 202);
      assert.equal(unknown.statusCode, 202);
      assert.deepEqual(Object.keys(known.json()).sort(), Object.keys(unknown.json()).sort());
      // The refusal (550, permanent) fails the e-mail job; the log says so without naming anyone.
      for (let i = 0; i < 100; i++) {
        const job = await ctx.deps.db.selectFrom('jobs').select(['status', 'last_error']).where('kind', '=', 'mail.sign-in-code').executeTakeFirst();
        if (job?.status === 'failed') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      const job = await ctx.deps.db.selectFrom('jobs').select(['status', 'last_error']).where('kind', '=', 'mail.sign-in-code').executeTakeFirstOrThrow();
      assert.deepEqual(job, { status: 'failed', last_error: 'SMTP 550' });
      assert.ok(logs.some((l) => l.includes('job failed for good')));
      assert.equal(logs.filter((l) => /refused@|example\.com/i.test(l)).length, 0, 'no e-mail address in the logs');
    });

    it('ends the patient session at sign-out', async (t) => {
      const ctx = await build(t, d.name);
      const p = await seedPatient(ctx.deps, await seedClinic(ctx.deps, 'north'));
      const token = await patientToken(ctx, 'north', p.email, p.dateOfBirth);
      assert.equal((await call(ctx.app, 'GET', '/api/patient/me', { token })).statusCode, 200);
      assert.equal((await call(ctx.app, 'POST', '/api/patient/logout', { token })).statusCode, 204);
      assert.equal((await call(ctx.app, 'GET', '/api/patient/me', { token })).statusCode, 401);
    });

    it('refuses every patient send without consent to the current text, and asks again when the clinic rewords it', async (t) => {
      const ctx = await build(t, d.name);
      const clinic = await seedClinic(ctx.deps, 'north');
      const p = await seedPatient(ctx.deps, clinic);
      const admin = await staffCookie(ctx.app, 'admin@north.test');
      const token = await patientToken(ctx, 'north', p.email, p.dateOfBirth, { consent: false });
      const start = (body: object = {}) => call(ctx.app, 'POST', '/api/patient/threads', { token, body: { id: randomUUID(), subject: 'Hi', category: 'prescription', body: 'Question', ...body } });
      const staffThread = await call(ctx.app, 'POST', '/api/threads', { cookie: admin, body: { id: randomUUID(), patientId: p.id, subject: 'Results', category: 'results', body: 'In.', patientMayReply: true } });
      const reply = () => call(ctx.app, 'POST', `/api/patient/threads/${staffThread.json().threadId}/messages`, { token, body: { id: randomUUID(), body: 'Thanks' } });
      const boundary = 'b42';
      const upload = () =>
        ctx.app.inject({
          method: 'POST', url: '/api/patient/attachments',
          headers: { origin: ORIGIN, authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
          payload: Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4 x\r\n--${boundary}--\r\n`),
        });
      for (const res of [await start(), await reply(), await upload()]) {
        assert.equal(res.statusCode, 403, res.body);
        assert.equal(res.json().code, 'consent_required');
      }
      assert.equal((await call(ctx.app, 'POST', '/api/patient/consent', { token, body: { accept: true } })).statusCode, 200);
      assert.equal((await reply()).statusCode, 201, 'after consent the reply goes through');
      assert.equal((await upload()).statusCode, 201);

      const current = (await call(ctx.app, 'GET', '/api/clinic', { cookie: admin })).json();
      const reworded = await call(ctx.app, 'PUT', '/api/clinic', { cookie: admin, body: { name: current.name, allowedOrigins: current.allowedOrigins, brandColor: current.brandColor, consentText: { en: `${current.consentText.en} Reworded.`, fr: `${current.consentText.fr} Reformulé.` } } });
      assert.equal(reworded.statusCode, 200, reworded.body);
      assert.equal((await call(ctx.app, 'GET', '/api/patient/me', { token })).json().consentRequired, true, 'a changed text asks again');
      assert.equal((await reply()).json().code, 'consent_required');
      await call(ctx.app, 'POST', '/api/patient/consent?lang=fr', { token, body: { accept: true } });
      assert.equal((await reply()).statusCode, 201, 'consent in French counts too');
    });

    it('gives 404 for an unknown clinic', async (t) => {
      const ctx = await build(t, d.name);
      const res = await call(ctx.app, 'POST', '/api/patient/auth/code', { body: { clinic: 'nowhere', email: 'a@example.com' } });
      assert.equal(res.statusCode, 404);
    });
  });
}
