import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { Secret, TOTP } from 'otpauth';
import { MAX_SECOND_FACTOR_FAILURES } from '../../server/domain/two-factor.js';
import { DIALECTS, PASSWORD, build, call, seedClinic, staffCookie, type TestApp } from './helpers.js';

/** The 6-digit code the authenticator app shows `offsetSteps` time steps from now. */
function codeFor(secret: string, offsetSteps = 0): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30, timestamp: Date.now() + offsetSteps * 30_000 });
}

/** Any 6-digit code the app would not show now (nor a step either side). */
function wrongCode(secret: string): string {
  const near = new Set([-1, 0, 1].map((o) => codeFor(secret, o)));
  for (let n = 0; ; n++) {
    const c = String(n).padStart(6, '0');
    if (!near.has(c)) return c;
  }
}

const cookieOf = (res: LightMyRequestResponse, name: string) => {
  const c = res.cookies.find((k) => k.name === name);
  return c ? `${c.name}=${c.value}` : undefined;
};

/** The password step: expects 202 and returns the pending sign-in cookie. */
async function passwordStep(app: FastifyInstance, email: string): Promise<{ pending: string; methods: string[] }> {
  const res = await call(app, 'POST', '/api/staff/login', { body: { email, password: PASSWORD } });
  assert.equal(res.statusCode, 202, res.body);
  assert.equal(cookieOf(res, 'sm_session'), undefined, 'no session before the second factor');
  assert.match(String(res.headers['set-cookie']), /sm_2fa=.*HttpOnly.*SameSite=Strict/);
  return { pending: cookieOf(res, 'sm_2fa')!, methods: res.json().secondFactor };
}

/** Enrols an authenticator app for the signed-in person; returns its secret and the recovery codes. */
async function enrolTotp(app: FastifyInstance, cookie: string): Promise<{ secret: string; recoveryCodes: string[] }> {
  const setup = await call(app, 'POST', '/api/staff/me/totp', { cookie });
  assert.equal(setup.statusCode, 200, setup.body);
  const { secret, uri, qrSvg } = setup.json() as { secret: string; uri: string; qrSvg: string };
  assert.match(uri, /^otpauth:\/\/totp\//);
  assert.match(qrSvg, /^<svg[\s\S]*<\/svg>\s*$/);
  // Not active until confirmed: the password still signs in alone.
  assert.equal((await call(app, 'GET', '/api/staff/me/two-factor', { cookie })).json().totp, false);
  const confirm = await call(app, 'POST', '/api/staff/me/totp/confirm', { cookie, body: { code: codeFor(secret) } });
  assert.equal(confirm.statusCode, 200, confirm.body);
  const recoveryCodes = confirm.json().recoveryCodes as string[];
  assert.equal(recoveryCodes.length, 10);
  assert.equal(new Set(recoveryCodes).size, 10);
  return { secret, recoveryCodes };
}

const audits = (t: TestApp, action: string) => t.deps.db.selectFrom('audit_log').select(['action', 'target', 'outcome', 'actor_id']).where('action', '=', action).orderBy('at').execute();

for (const d of DIALECTS) {
  describe(`staff two-factor sign-in (${d.name})`, { skip: d.skip }, () => {
    it('enrols an authenticator app, then asks for its code at sign-in, refusing wrong and replayed codes', async (t) => {
      const ctx = await build(t, d.name);
      const { app } = ctx;
      await seedClinic(ctx.deps, 'north');
      const cookie = await staffCookie(app, 'physician@north.test');
      const { secret } = await enrolTotp(app, cookie);
      const status = (await call(app, 'GET', '/api/staff/me/two-factor', { cookie })).json();
      assert.deepEqual({ totp: status.totp, left: status.recoveryCodesLeft, required: status.required }, { totp: true, left: 10, required: false });

      const { pending, methods } = await passwordStep(app, 'physician@north.test');
      assert.deepEqual(methods, ['totp', 'recovery']);
      assert.equal((await call(app, 'GET', '/api/staff/me', { cookie: pending })).statusCode, 401, 'the pending cookie is not a session');

      const wrong = await call(app, 'POST', '/api/staff/login/totp', { cookie: pending, body: { code: wrongCode(secret) } });
      assert.equal(wrong.statusCode, 401);
      assert.equal(wrong.json().code, 'invalid_code');
      assert.deepEqual((await audits(ctx, 'staff.sign-in.second-factor')).map((a) => [a.target, a.outcome]), [['totp', 'denied']]);

      // The code of the next time step (the one used to confirm is already spent).
      const code = codeFor(secret, 1);
      const ok = await call(app, 'POST', '/api/staff/login/totp', { cookie: pending, body: { code } });
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(ok.json().staff.email, 'physician@north.test');
      const session = cookieOf(ok, 'sm_session')!;
      assert.equal((await call(app, 'GET', '/api/inbox', { cookie: session })).statusCode, 200);
      assert.equal((await audits(ctx, 'staff.sign-in')).at(-1)?.target, 'session:totp');

      // The pending sign-in is spent, and the same code is refused on a new one.
      assert.equal((await call(app, 'POST', '/api/staff/login/totp', { cookie: pending, body: { code } })).json().code, 'second_factor_expired');
      const again = await passwordStep(app, 'physician@north.test');
      const replay = await call(app, 'POST', '/api/staff/login/totp', { cookie: again.pending, body: { code } });
      assert.equal(replay.statusCode, 401);
      assert.equal(replay.json().code, 'invalid_code');
      assert.deepEqual((await audits(ctx, 'staff.sign-in.second-factor')).map((a) => [a.target, a.outcome]).at(-1), ['totp:replayed', 'denied']);
    });

    it('accepts each recovery code once, and regenerating replaces them', async (t) => {
      const { app, deps } = await build(t, d.name);
      await seedClinic(deps, 'north');
      const cookie = await staffCookie(app, 'staff@north.test');
      const { recoveryCodes } = await enrolTotp(app, cookie);

      const first = await passwordStep(app, 'staff@north.test');
      const used = await call(app, 'POST', '/api/staff/login/recovery', { cookie: first.pending, body: { code: recoveryCodes[3]!.toUpperCase() } });
      assert.equal(used.statusCode, 200, used.body);
      assert.equal((await call(app, 'GET', '/api/staff/me/two-factor', { cookie })).json().recoveryCodesLeft, 9);

      const second = await passwordStep(app, 'staff@north.test');
      const reused = await call(app, 'POST', '/api/staff/login/recovery', { cookie: second.pending, body: { code: recoveryCodes[3]! } });
      assert.equal(reused.statusCode, 401);
      assert.equal(reused.json().code, 'invalid_code');

      const fresh = await call(app, 'POST', '/api/staff/me/recovery-codes', { cookie });
      assert.equal(fresh.statusCode, 200);
      const newCodes = fresh.json().recoveryCodes as string[];
      assert.equal(newCodes.length, 10);
      const old = await call(app, 'POST', '/api/staff/login/recovery', { cookie: second.pending, body: { code: recoveryCodes[0]! } });
      assert.equal(old.json().code, 'invalid_code', 'the old set stopped working');
      const ok = await call(app, 'POST', '/api/staff/login/recovery', { cookie: second.pending, body: { code: newCodes[0]! } });
      assert.equal(ok.statusCode, 200, ok.body);
    });

    it('throttles an account after repeated wrong codes, whatever the pending sign-in', async (t) => {
      const ctx = await build(t, d.name);
      const { app } = ctx;
      await seedClinic(ctx.deps, 'north');
      const { secret } = await enrolTotp(app, await staffCookie(app, 'admin@north.test'));
      for (let i = 0; i < MAX_SECOND_FACTOR_FAILURES; i++) {
        // A fresh password step each time: throttling counts per account, not per pending sign-in.
        const { pending } = await passwordStep(app, 'admin@north.test');
        const res = await call(app, 'POST', '/api/staff/login/totp', { cookie: pending, body: { code: wrongCode(secret) } });
        assert.equal(res.statusCode, 401, `attempt ${i + 1}`);
      }
      const { pending } = await passwordStep(app, 'admin@north.test');
      const limited = await call(app, 'POST', '/api/staff/login/totp', { cookie: pending, body: { code: codeFor(secret, 1) } });
      assert.equal(limited.statusCode, 429);
      assert.equal(limited.json().code, 'second_factor_throttled');
      assert.equal((await call(app, 'POST', '/api/staff/login/recovery', { cookie: pending, body: { code: 'aaaaa-bbbbb' } })).statusCode, 429);
      const rows = await audits(ctx, 'staff.sign-in.second-factor');
      assert.equal(rows.filter((r) => r.target === 'totp' && r.outcome === 'denied').length, MAX_SECOND_FACTOR_FAILURES);
      assert.ok(rows.some((r) => r.target === 'throttled' && r.outcome === 'denied'));
      // A throttle, not a lock: once the window has passed, the right code signs in.
      await ctx.deps.db.updateTable('rate_limits').set({ reset_at: Date.now() - 1 }).execute();
      const ok = await call(app, 'POST', '/api/staff/login/totp', { cookie: pending, body: { code: codeFor(secret, 1) } });
      assert.equal(ok.statusCode, 200, ok.body);
    });

    it('limits a clinic that requires two-factor sign-in to enrolment until the person has a factor', async (t) => {
      const { app, deps } = await build(t, d.name);
      await seedClinic(deps, 'north');
      const admin = await staffCookie(app, 'admin@north.test');
      const clinic = (await call(app, 'GET', '/api/clinic', { cookie: admin })).json();
      const settings = { name: clinic.name, allowedOrigins: clinic.allowedOrigins, brandColor: clinic.brandColor, consentText: clinic.consentText };
      const early = await call(app, 'PUT', '/api/clinic', { cookie: admin, body: { ...settings, requireTwoFactor: true } });
      assert.equal(early.statusCode, 409, 'an admin without a factor cannot lock everyone into enrolment');
      assert.equal(early.json().code, 'two_factor_setup_first');
      await enrolTotp(app, admin);
      const on = await call(app, 'PUT', '/api/clinic', { cookie: admin, body: { ...settings, requireTwoFactor: true } });
      assert.equal(on.statusCode, 200, on.body);
      assert.equal(on.json().requireTwoFactor, true);
      const kept = await call(app, 'PUT', '/api/clinic', { cookie: admin, body: settings });
      assert.equal(kept.json().requireTwoFactor, true, 'absent means unchanged');

      const login = await call(app, 'POST', '/api/staff/login', { body: { email: 'staff@north.test', password: PASSWORD } });
      assert.equal(login.statusCode, 200);
      assert.equal(login.json().enrolmentRequired, true);
      const limited = cookieOf(login, 'sm_session')!;
      for (const [method, url, body] of [
        ['GET', '/api/inbox', undefined],
        ['GET', '/api/patients?q=a', undefined],
        ['POST', '/api/threads', { id: randomUUID(), patientId: randomUUID(), subject: 'x', category: 'general', body: 'x', patientMayReply: true }],
        ['POST', '/api/staff/device-key', undefined],
      ] as const) {
        const res = await call(app, method, url, { cookie: limited, ...(body ? { body } : {}) });
        assert.equal(res.statusCode, 403, `${method} ${url}`);
        assert.equal(res.json().code, 'two_factor_required', `${method} ${url}`);
      }
      assert.equal((await call(app, 'GET', '/api/staff/me', { cookie: limited })).statusCode, 200);
      assert.equal((await call(app, 'GET', '/api/staff/me/two-factor', { cookie: limited })).json().required, true);

      await enrolTotp(app, limited);
      assert.equal((await call(app, 'GET', '/api/inbox', { cookie: limited })).statusCode, 200, 'enrolled: the session is a full one');
      assert.equal((await call(app, 'GET', '/api/staff/me', { cookie: limited })).json().enrolmentRequired, undefined);
      await passwordStep(app, 'staff@north.test');
    });

    it("lets an admin reset a colleague's factors, ending their sessions", async (t) => {
      const ctx = await build(t, d.name);
      const { app } = ctx;
      await seedClinic(ctx.deps, 'north');
      const admin = await staffCookie(app, 'admin@north.test');
      const physician = await staffCookie(app, 'physician@north.test');
      await enrolTotp(app, physician);
      const list = (await call(app, 'GET', '/api/staff', { cookie: admin })).json() as Array<{ id: string; email: string; twoFactor: boolean }>;
      const target = list.find((s) => s.email === 'physician@north.test')!;
      assert.equal(target.twoFactor, true);
      assert.equal((await call(app, 'DELETE', `/api/staff/${target.id}/two-factor`, { cookie: physician })).statusCode, 403, 'admins only');
      const reset = await call(app, 'DELETE', `/api/staff/${target.id}/two-factor`, { cookie: admin });
      assert.equal(reset.statusCode, 204);
      assert.equal((await call(app, 'GET', '/api/staff/me', { cookie: physician })).statusCode, 401, 'their sessions ended');
      assert.equal((await call(app, 'POST', '/api/staff/login', { body: { email: 'physician@north.test', password: PASSWORD } })).statusCode, 200, 'the password alone signs in again');
      assert.deepEqual((await audits(ctx, 'staff.two-factor.reset')).map((a) => a.target), [`staff:${target.id}`]);
    });

    it('asks for the password again before a change to how someone signs in, once the session is 10 minutes old', async (t) => {
      const ctx = await build(t, d.name);
      const { app } = ctx;
      await seedClinic(ctx.deps, 'north');
      const admin = await staffCookie(app, 'admin@north.test');
      const physician = await staffCookie(app, 'physician@north.test');
      await enrolTotp(app, admin);
      await enrolTotp(app, physician);
      const target = (await ctx.deps.db.selectFrom('staff').select('id').where('email', '=', 'physician@north.test').executeTakeFirstOrThrow()).id;
      // Sessions signed in 11 minutes ago: the computer may have been left open.
      await ctx.deps.db.updateTable('sessions').set({ created_at: new Date(Date.now() - 11 * 60_000).toISOString() }).execute();
      for (const [method, url, cookie] of [
        ['DELETE', '/api/staff/me/totp', admin],
        ['POST', '/api/staff/me/recovery-codes', admin],
        ['DELETE', `/api/staff/${target}/two-factor`, admin],
        ['DELETE', '/api/staff/me/passkeys/some-passkey', physician],
      ] as const) {
        const res = await call(app, method, url, { cookie });
        assert.equal(res.statusCode, 403, `${method} ${url}`);
        assert.equal(res.json().code, 'reauthentication_required');
      }
      const wrong = await call(app, 'POST', '/api/staff/me/confirm-password', { cookie: admin, body: { password: 'not my password at all' } });
      assert.equal(wrong.statusCode, 403);
      assert.equal(wrong.json().code, 'wrong_password');
      assert.equal((await call(app, 'GET', '/api/staff/me', { cookie: admin })).statusCode, 200, 'a wrong password here does not end the session');
      assert.equal((await call(app, 'POST', '/api/staff/me/confirm-password', { cookie: admin, body: { password: PASSWORD } })).statusCode, 204);
      assert.equal((await call(app, 'DELETE', `/api/staff/${target}/two-factor`, { cookie: admin })).statusCode, 204);
      assert.equal((await call(app, 'DELETE', '/api/staff/me/totp', { cookie: admin })).statusCode, 204);
      assert.deepEqual((await audits(ctx, 'staff.reauthenticate')).map((a) => a.outcome), ['denied', 'ok']);
      // The confirmation holds for this session only, and 10 minutes.
      await ctx.deps.db.updateTable('sessions').set({ reauthenticated_at: new Date(Date.now() - 11 * 60_000).toISOString() }).execute();
      assert.equal((await call(app, 'POST', '/api/staff/me/recovery-codes', { cookie: admin })).json().code, 'reauthentication_required');
    });

    it('keeps the secret sealed and the recovery codes hashed in the database', async (t) => {
      const { app, deps } = await build(t, d.name);
      await seedClinic(deps, 'north');
      const { secret, recoveryCodes } = await enrolTotp(app, await staffCookie(app, 'staff@north.test'));
      const stored = JSON.stringify([await deps.db.selectFrom('staff_totp').selectAll().execute(), await deps.db.selectFrom('staff_recovery_codes').selectAll().execute()]);
      assert.ok(!stored.includes(secret), 'the base32 secret is not stored in clear');
      assert.ok(!stored.includes(Buffer.from(Secret.fromBase32(secret).buffer).toString('hex')), 'nor as hex');
      for (const code of recoveryCodes) {
        assert.ok(!stored.includes(code) && !stored.includes(code.replace('-', '')), 'no recovery code in clear');
      }
      const row = await deps.db.selectFrom('staff_totp').select('secret_enc').executeTakeFirstOrThrow();
      assert.match(row.secret_enc, /^v1\./);
    });

    it('needs a live pending sign-in for every second step, and a passkey for the passkey step', async (t) => {
      const { app, deps } = await build(t, d.name);
      await seedClinic(deps, 'north');
      for (const url of ['/api/staff/login/totp', '/api/staff/login/recovery']) {
        const res = await call(app, 'POST', url, { body: { code: '123456' } });
        assert.equal(res.statusCode, 401);
        assert.equal(res.json().code, 'second_factor_expired');
      }
      await enrolTotp(app, await staffCookie(app, 'staff@north.test'));
      const { pending } = await passwordStep(app, 'staff@north.test');
      const options = await call(app, 'POST', '/api/staff/login/passkey/options', { cookie: pending });
      assert.equal(options.statusCode, 409);
      assert.equal(options.json().code, 'no_passkey');
      await deps.db.updateTable('pending_logins').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).execute();
      assert.equal((await call(app, 'POST', '/api/staff/login/recovery', { cookie: pending, body: { code: 'aaaaa-bbbbb' } })).json().code, 'second_factor_expired');
    });
  });
}
