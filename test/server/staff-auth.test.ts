import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DIALECTS, ORIGIN, PASSWORD, build, call, seedClinic, staffCookie } from './helpers.js';
import { IDLE_TIMEOUT_MS, ABSOLUTE_LIFETIME_MS } from '../../server/domain/sessions.js';

for (const d of DIALECTS) {
  describe(`staff sign-in and sessions (${d.name})`, { skip: d.skip }, () => {
    it('signs in with a session cookie that is HttpOnly and SameSite=Strict, and answers /me', async (t) => {
      const { app, deps } = await build(t, d.name);
      await seedClinic(deps, 'north');
      const res = await call(app, 'POST', '/api/staff/login', { body: { email: 'ADMIN@north.test ', password: PASSWORD } });
      assert.equal(res.statusCode, 400, 'an e-mail with a trailing space fails validation');
      const ok = await call(app, 'POST', '/api/staff/login', { body: { email: 'ADMIN@north.test', password: PASSWORD } });
      assert.equal(ok.statusCode, 200);
      const setCookie = String(ok.headers['set-cookie']);
      assert.match(setCookie, /HttpOnly/);
      assert.match(setCookie, /SameSite=Strict/);
      assert.equal(ok.json().staff.role, 'admin');
      const cookie = `${ok.cookies[0]!.name}=${ok.cookies[0]!.value}`;
      const me = await call(app, 'GET', '/api/staff/me', { cookie });
      assert.equal(me.statusCode, 200);
      assert.equal(me.json().clinic.slug, 'north');
    });

    it('uses a __Host- cookie marked Secure when served over https', async (t) => {
      const { app, deps } = await build(t, d.name, { PUBLIC_URL: 'https://msg.example.ca' });
      await seedClinic(deps, 'north');
      const res = await app.inject({ method: 'POST', url: '/api/staff/login', headers: { origin: 'https://msg.example.ca' }, payload: { email: 'admin@north.test', password: PASSWORD } });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['set-cookie']), /^__Host-sm_session=.*; Path=\/;.*HttpOnly; Secure; SameSite=Strict/);
      assert.match(String(res.headers['strict-transport-security']), /max-age=31536000/);
    });

    it('refuses a wrong password without saying which part was wrong', async (t) => {
      const { app, deps } = await build(t, d.name);
      await seedClinic(deps, 'north');
      const wrong = await call(app, 'POST', '/api/staff/login', { body: { email: 'admin@north.test', password: 'not the password' } });
      const unknown = await call(app, 'POST', '/api/staff/login', { body: { email: 'nobody@north.test', password: PASSWORD } });
      assert.equal(wrong.statusCode, 401);
      assert.deepEqual([wrong.json().code, wrong.json().message], [unknown.json().code, unknown.json().message]);
    });

    it('rate-limits repeated sign-in attempts', async (t) => {
      const { app, deps } = await build(t, d.name);
      await seedClinic(deps, 'north');
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await call(app, 'POST', '/api/staff/login', { body: { email: 'admin@north.test', password: 'wrong password!' } })).statusCode);
      assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
      assert.equal(statuses[11], 429);
      const limited = await call(app, 'POST', '/api/staff/login', { body: { email: 'admin@north.test', password: PASSWORD } });
      assert.equal(limited.json().code, 'rate_limited');
    });

    it('revokes the session at logout', async (t) => {
      const { app, deps } = await build(t, d.name);
      await seedClinic(deps, 'north');
      const cookie = await staffCookie(app, 'admin@north.test');
      assert.equal((await call(app, 'POST', '/api/staff/logout', { cookie })).statusCode, 204);
      const after = await call(app, 'GET', '/api/staff/me', { cookie });
      assert.equal(after.statusCode, 401);
      assert.equal(after.json().code, 'unauthenticated');
    });

    it('ends a session after 30 idle minutes and after 12 hours in all', async (t) => {
      const { app, deps } = await build(t, d.name);
      await seedClinic(deps, 'north');
      const idle = await staffCookie(app, 'admin@north.test');
      const old = new Date(Date.now() - IDLE_TIMEOUT_MS - 1000).toISOString();
      await deps.db.updateTable('sessions').set({ last_seen_at: old }).execute();
      assert.equal((await call(app, 'GET', '/api/staff/me', { cookie: idle })).statusCode, 401);

      const busy = await staffCookie(app, 'admin@north.test');
      await deps.db
        .updateTable('sessions')
        .set({ created_at: new Date(Date.now() - ABSOLUTE_LIFETIME_MS - 1000).toISOString(), expires_at: new Date(Date.now() - 1000).toISOString() })
        .where('revoked_at', 'is', null)
        .execute();
      assert.equal((await call(app, 'GET', '/api/staff/me', { cookie: busy })).statusCode, 401);
    });

    it('revokes every session of a staff member who is disabled', async (t) => {
      const { app, deps } = await build(t, d.name);
      await seedClinic(deps, 'north');
      const admin = await staffCookie(app, 'admin@north.test');
      const staff = await staffCookie(app, 'staff@north.test');
      const list = (await call(app, 'GET', '/api/staff', { cookie: admin })).json() as Array<{ id: string; email: string }>;
      const target = list.find((s) => s.email === 'staff@north.test')!;
      const res = await call(app, 'PATCH', `/api/staff/${target.id}`, { cookie: admin, body: { disabled: true } });
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().disabled, true);
      assert.equal((await call(app, 'GET', '/api/staff/me', { cookie: staff })).statusCode, 401);
      const login = await call(app, 'POST', '/api/staff/login', { body: { email: 'staff@north.test', password: PASSWORD } });
      assert.equal(login.statusCode, 401);
    });

    it('keeps at least one active administrator', async (t) => {
      const { app, deps } = await build(t, d.name);
      await seedClinic(deps, 'north');
      const admin = await staffCookie(app, 'admin@north.test');
      const me = (await call(app, 'GET', '/api/staff/me', { cookie: admin })).json();
      const res = await call(app, 'PATCH', `/api/staff/${me.staff.id}`, { cookie: admin, body: { role: 'staff' } });
      assert.equal(res.statusCode, 409);
      assert.equal(res.json().code, 'last_admin');
    });

    it('lets an admin invite staff (no admin-typed password), and nobody else', async (t) => {
      const { app, deps } = await build(t, d.name);
      await seedClinic(deps, 'north');
      const admin = await staffCookie(app, 'admin@north.test');
      const typed = await call(app, 'POST', '/api/staff', { cookie: admin, body: { name: 'New', email: 'new@north.test', role: 'staff', password: 'long enough password' } });
      assert.equal(typed.statusCode, 400, 'an admin no longer types the password');
      const created = await call(app, 'POST', '/api/staff', { cookie: admin, body: { name: 'New', email: 'new@north.test', role: 'staff' } });
      assert.equal(created.statusCode, 201);
      assert.equal(created.json().invitation.expired, false);
      const dup = await call(app, 'POST', '/api/staff', { cookie: admin, body: { name: 'New', email: 'NEW@north.test', role: 'staff' } });
      assert.equal(dup.statusCode, 409);
      const physician = await staffCookie(app, 'physician@north.test');
      const denied = await call(app, 'POST', '/api/staff', { cookie: physician, body: { name: 'X', email: 'x@north.test', role: 'admin' } });
      assert.equal(denied.statusCode, 403);
    });

    it('refuses state-changing requests without our Origin (CSRF)', async (t) => {
      const { app, deps } = await build(t, d.name);
      await seedClinic(deps, 'north');
      const cookie = await staffCookie(app, 'admin@north.test');
      const none = await app.inject({ method: 'POST', url: '/api/staff/logout', headers: { cookie } });
      const foreign = await app.inject({ method: 'POST', url: '/api/staff/logout', headers: { cookie, origin: 'https://evil.example' } });
      assert.equal(none.statusCode, 403);
      assert.equal(foreign.statusCode, 403);
      assert.equal(foreign.json().code, 'bad_origin');
      assert.equal((await call(app, 'GET', '/api/staff/me', { cookie })).statusCode, 200, 'the forged logout did nothing');
      assert.equal(ORIGIN, deps.config.publicUrl.origin);
    });
  });
}
