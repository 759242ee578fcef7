/**
 * Who may do what: reply templates and the development mailbox are for administrators, refusals are
 * audited, and a caller who may not use a route is refused before its input is looked at.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DIALECTS, ORIGIN, build, call, patientToken, seedClinic, seedPatient, staffCookie } from './helpers.js';

for (const d of DIALECTS) {
  describe(`roles (${d.name})`, { skip: d.skip }, () => {
    it('lets only administrators add and remove reply templates, and audits the refusals', async (t) => {
      const ctx = await build(t, d.name);
      await seedClinic(ctx.deps, 'north');
      const admin = await staffCookie(ctx.app, 'admin@north.test');
      const added = await call(ctx.app, 'POST', '/api/canned-replies', { cookie: admin, body: { title: 'Thanks', body: 'Thank you for your message.' } });
      assert.equal(added.statusCode, 201);
      for (const role of ['physician', 'staff']) {
        const cookie = await staffCookie(ctx.app, `${role}@north.test`);
        const add = await call(ctx.app, 'POST', '/api/canned-replies', { cookie, body: { title: 'Mine', body: 'x' } });
        assert.equal(add.statusCode, 403, `${role} adds`);
        const remove = await call(ctx.app, 'DELETE', `/api/canned-replies/${added.json().id}`, { cookie });
        assert.equal(remove.statusCode, 403, `${role} removes`);
        const list = await call(ctx.app, 'GET', '/api/canned-replies', { cookie });
        assert.deepEqual(list.json().map((c: { title: string }) => c.title), ['Thanks'], `${role} still uses them`);
      }
      const denied = await ctx.deps.db.selectFrom('audit_log').select(['role', 'action', 'target', 'outcome']).where('outcome', '=', 'denied').orderBy('at').execute();
      assert.deepEqual(
        denied.map((r) => `${r.role} ${r.action} ${r.target}`).sort(),
        ['physician access.forbidden DELETE /api/canned-replies/:id', 'physician access.forbidden POST /api/canned-replies', 'staff access.forbidden DELETE /api/canned-replies/:id', 'staff access.forbidden POST /api/canned-replies'],
      );
      assert.equal((await call(ctx.app, 'DELETE', `/api/canned-replies/${added.json().id}`, { cookie: admin })).statusCode, 204);
    });

    it('shows the development mailbox to administrators only, sealed at rest, every read audited', async (t) => {
      const ctx = await build(t, d.name, { SMTP_URL: '' });
      const clinic = await seedClinic(ctx.deps, 'north');
      const p = await seedPatient(ctx.deps, clinic);
      await call(ctx.app, 'POST', '/api/patient/auth/code', { body: { clinic: 'north', email: p.email } });
      const admin = await staffCookie(ctx.app, 'admin@north.test');
      let mail: Array<{ to: string; text: string }> = [];
      for (let i = 0; i < 100 && mail.length === 0; i++) {
        mail = (await call(ctx.app, 'GET', '/api/dev/mailbox', { cookie: admin })).json();
        if (mail.length === 0) await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(mail[0]!.to, p.email);
      const code = /\b(\d{6})\b/.exec(mail[0]!.text)![1]!;
      const raw = JSON.stringify(await ctx.deps.db.selectFrom('dev_mail').selectAll().execute());
      assert.equal(raw.includes(code), false, 'no live code in clear at rest');
      assert.equal(raw.includes(p.email), false, 'no address in clear at rest');

      assert.equal((await call(ctx.app, 'GET', '/api/staff/me', { cookie: admin })).json().devMailbox, true);
      for (const role of ['physician', 'staff']) {
        const cookie = await staffCookie(ctx.app, `${role}@north.test`);
        assert.equal((await call(ctx.app, 'GET', '/api/dev/mailbox', { cookie })).statusCode, 403, role);
        assert.equal((await call(ctx.app, 'GET', '/api/staff/me', { cookie })).json().devMailbox, false, `${role} is not offered the mailbox`);
      }
      const rows = await ctx.deps.db.selectFrom('audit_log').select(['role', 'action', 'outcome']).where('action', 'in', ['dev-mailbox.read', 'access.forbidden']).execute();
      assert.ok(rows.some((r) => r.role === 'admin' && r.action === 'dev-mailbox.read' && r.outcome === 'ok'));
      assert.equal(rows.filter((r) => r.action === 'access.forbidden' && r.outcome === 'denied').length, 2);
    });

    it('has no development mailbox once SMTP is configured', async (t) => {
      const ctx = await build(t, d.name);
      await seedClinic(ctx.deps, 'north');
      const admin = await staffCookie(ctx.app, 'admin@north.test');
      assert.equal((await call(ctx.app, 'GET', '/api/dev/mailbox', { cookie: admin })).statusCode, 404);
      assert.equal((await call(ctx.app, 'GET', '/api/staff/me', { cookie: admin })).json().devMailbox, false);
    });

    it('refuses callers before validating what they sent: no field names for the unauthenticated', async (t) => {
      const ctx = await build(t, d.name);
      const clinic = await seedClinic(ctx.deps, 'north');
      const bad = { nonsense: true };
      for (const [method, url] of [
        ['POST', '/api/canned-replies'],
        ['PUT', '/api/messaging/settings'],
        ['POST', '/api/staff'],
        ['POST', '/api/patients'],
        ['POST', '/api/patient/threads'],
      ] as const) {
        const res = await call(ctx.app, method, url, { body: bad });
        assert.equal(res.statusCode, 401, `${method} ${url}: ${res.body}`);
        assert.equal(res.body.includes('nonsense') || /required|field/.test(res.json().message), false, `${method} ${url} says nothing of its schema`);
      }
      const physician = await staffCookie(ctx.app, 'physician@north.test');
      for (const [method, url] of [['POST', '/api/canned-replies'], ['PUT', '/api/messaging/settings'], ['POST', '/api/staff']] as const) {
        assert.equal((await call(ctx.app, method, url, { cookie: physician, body: bad })).statusCode, 403, `${method} ${url} for a physician`);
      }
      // Signed in and allowed: now the input is checked, and the answer names the field.
      const p = await seedPatient(ctx.deps, clinic);
      const token = await patientToken(ctx, 'north', p.email, p.dateOfBirth);
      const res = await ctx.app.inject({ method: 'POST', url: '/api/patient/threads', headers: { origin: ORIGIN, authorization: `Bearer ${token}` }, payload: bad });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().code, 'invalid_request');
    });
  });
}
