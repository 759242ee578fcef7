import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { codeFrom } from '../support/smtp.js';
import { DIALECTS, build, seedClinic, seedPatient, type TestApp } from './helpers.js';

const HTTPS_ORIGIN = 'https://sm.example';

/** A JSON request from our own (https) origin, with optional bearer token and cookie. */
const send = (app: FastifyInstance, method: 'GET' | 'POST', url: string, opts: { body?: object; token?: string; cookie?: string; origin?: string } = {}) =>
  app.inject({
    method,
    url,
    headers: { origin: opts.origin ?? HTTPS_ORIGIN, ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...(opts.cookie ? { cookie: opts.cookie } : {}) },
    ...(opts.body ? { payload: opts.body } : {}),
  });

/** Signs the patient in through the e-mailed code; returns the verify answer. */
async function signIn(ctx: TestApp, origin: string, slug: string, email: string, dateOfBirth: string, sharedDevice = false) {
  const start = await send(ctx.app, 'POST', '/api/patient/auth/code', { origin, body: { clinic: slug, email } });
  assert.equal(start.statusCode, 202, start.body);
  const code = codeFrom(await ctx.smtp.take(email));
  const verify = await send(ctx.app, 'POST', '/api/patient/auth/verify', { origin, body: { challengeId: start.json().challengeId, code, dateOfBirth, sharedDevice } });
  assert.equal(verify.statusCode, 200, verify.body);
  return verify;
}

for (const d of DIALECTS) {
  describe(`the patient's session cookie, for frames refused storage (${d.name})`, { skip: d.skip }, () => {
    it('is partitioned, cross-site, Secure and HttpOnly over https, for the session lifetime', async (t) => {
      const ctx = await build(t, d.name, { PUBLIC_URL: HTTPS_ORIGIN });
      const p = await seedPatient(ctx.deps, await seedClinic(ctx.deps, 'north'));
      const verify = await signIn(ctx, HTTPS_ORIGIN, 'north', p.email, p.dateOfBirth);
      const header = String(verify.headers['set-cookie']);
      assert.match(header, /^__Host-sm_patient=[A-Za-z0-9_-]{40,}; /);
      const attributes = header.split('; ').slice(1).sort();
      assert.deepEqual(attributes, ['HttpOnly', 'Max-Age=43200', 'Partitioned', 'Path=/', 'SameSite=None', 'Secure']);
      assert.equal(verify.cookies[0]!.value, verify.json().token, 'the cookie holds the session the frame was given');
    });

    it('is same-site only (Strict, no Secure) over plain http, as on the local demo', async (t) => {
      const ctx = await build(t, d.name);
      const p = await seedPatient(ctx.deps, await seedClinic(ctx.deps, 'north'));
      const header = String((await signIn(ctx, 'http://localhost:3000', 'north', p.email, p.dateOfBirth)).headers['set-cookie']);
      assert.match(header, /^sm_patient=/);
      assert.deepEqual(header.split('; ').slice(1).sort(), ['HttpOnly', 'Max-Age=43200', 'Path=/', 'SameSite=Strict']);
    });

    it('is not set on a shared computer', async (t) => {
      const ctx = await build(t, d.name, { PUBLIC_URL: HTTPS_ORIGIN });
      const p = await seedPatient(ctx.deps, await seedClinic(ctx.deps, 'north'));
      const verify = await signIn(ctx, HTTPS_ORIGIN, 'north', p.email, p.dateOfBirth, true);
      assert.equal(verify.headers['set-cookie'], undefined);
    });

    it('gives a new page the session back, for its own clinic only, and not after sign-out', async (t) => {
      const ctx = await build(t, d.name, { PUBLIC_URL: HTTPS_ORIGIN });
      const north = await seedClinic(ctx.deps, 'north');
      await seedClinic(ctx.deps, 'south');
      const p = await seedPatient(ctx.deps, north);
      const verify = await signIn(ctx, HTTPS_ORIGIN, 'north', p.email, p.dateOfBirth);
      const cookie = `__Host-sm_patient=${verify.cookies[0]!.value}`;

      const resumed = await send(ctx.app, 'POST', '/api/patient/auth/resume', { cookie, body: { clinic: 'north' } });
      assert.equal(resumed.statusCode, 200, resumed.body);
      const { token } = resumed.json();
      assert.equal((await send(ctx.app, 'GET', '/api/patient/me', { token })).json().name, p.name, 'the token it hands back is the live session');

      assert.equal((await send(ctx.app, 'POST', '/api/patient/auth/resume', { body: { clinic: 'north' } })).statusCode, 204, 'no cookie, no session');
      assert.equal((await send(ctx.app, 'POST', '/api/patient/auth/resume', { cookie, body: { clinic: 'south' } })).statusCode, 204, "another clinic's frame gets nothing");
      // The clinic's page (or any other site) cannot ask for it: the Origin check refuses it before anything else.
      const forged = await send(ctx.app, 'POST', '/api/patient/auth/resume', { cookie, origin: 'https://clinic.example', body: { clinic: 'north' } });
      assert.equal(forged.statusCode, 403);
      assert.equal(forged.json().code, 'bad_origin');

      const logout = await send(ctx.app, 'POST', '/api/patient/logout', { token, cookie });
      assert.equal(logout.statusCode, 204);
      assert.match(String(logout.headers['set-cookie']), /^__Host-sm_patient=; Max-Age=0; .*Partitioned/, 'sign-out clears the cookie in its partition');
      const after = await send(ctx.app, 'POST', '/api/patient/auth/resume', { cookie, body: { clinic: 'north' } });
      assert.equal(after.statusCode, 204, 'an ended session is not given back');
      assert.match(String(after.headers['set-cookie']), /^__Host-sm_patient=; Max-Age=0; /, "and the stale cookie is cleared");
    });
  });
}
