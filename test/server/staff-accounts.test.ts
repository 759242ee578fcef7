/**
 * Staff accounts (issue 9): invitations by e-mail instead of admin-typed passwords, "forgot password"
 * links, the password rules (length, common passwords) and sign-in throttling per account and per
 * address. Real SMTP on loopback; SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DIALECTS, ORIGIN, PASSWORD, build, call, seedClinic, staffCookie, type TestApp } from './helpers.js';
import type { ReceivedMail } from '../support/smtp.js';
import { sweep } from '../../server/domain/sweep.js';

const NEW_PASSWORD = 'a long and memorable passphrase';

/** The link in an invitation or reset e-mail, and its token. */
function linkFrom(mail: ReceivedMail): { link: string; token: string } {
  const m = /(http\S+#token=([A-Za-z0-9_-]+))/.exec(mail.text);
  if (!m) throw new Error('No link in the e-mail');
  return { link: m[1]!, token: m[2]! };
}

async function invite(t: TestApp, cookie: string, email: string, lang?: 'en' | 'fr') {
  const res = await call(t.app, 'POST', '/api/staff', { cookie, body: { name: 'Robin Newcomer', email, role: 'staff', ...(lang ? { lang } : {}) } });
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as { id: string; invitation?: { expiresAt: string; expired: boolean } };
}

const accept = (t: TestApp, token: string, password = NEW_PASSWORD) => call(t.app, 'POST', '/api/staff/invitation/accept', { body: { token, password } });
const login = (t: TestApp, email: string, password: string, address?: string) =>
  t.app.inject({ method: 'POST', url: '/api/staff/login', headers: { origin: ORIGIN, ...(address ? { 'x-forwarded-for': address } : {}) }, payload: { email, password } });

for (const d of DIALECTS) {
  describe(`staff accounts (${d.name})`, { skip: d.skip }, () => {
    it('invites a colleague by e-mail; the link sets their password once and signs them in', async (t) => {
      const ctx = await build(t, d.name);
      await seedClinic(ctx.deps, 'north');
      const admin = await staffCookie(ctx.app, 'admin@north.test');
      const invited = await invite(ctx, admin, 'robin@north.test');
      assert.equal(invited.invitation?.expired, false);
      assert.ok(Date.parse(invited.invitation!.expiresAt) - Date.now() > 71 * 3600_000, 'the link lasts 72 hours');

      assert.equal((await login(ctx, 'robin@north.test', NEW_PASSWORD)).statusCode, 401, 'an invited account cannot sign in');
      assert.equal((await login(ctx, 'robin@north.test', '')).statusCode, 400);

      const mail = await ctx.smtp.take('robin@north.test');
      assert.match(mail.subject, /Clinic north/);
      const { link, token } = linkFrom(mail);
      assert.ok(link.startsWith(`${ORIGIN}/admin/invitation#token=`), link);

      const info = await call(ctx.app, 'POST', '/api/staff/invitation/check', { body: { token } });
      assert.deepEqual(info.json(), { name: 'Robin Newcomer', email: 'robin@north.test', clinic: 'Clinic north' });

      const short = await accept(ctx, token, 'elevenchars');
      assert.equal(short.statusCode, 400);
      assert.equal(short.json().code, 'password_too_short');
      const common = await accept(ctx, token, 'Qwerty123456');
      assert.equal(common.statusCode, 400);
      assert.equal(common.json().code, 'common_password');

      const ok = await accept(ctx, token);
      assert.equal(ok.statusCode, 200, ok.body);
      assert.equal(ok.json().staff.email, 'robin@north.test');
      assert.equal(ok.json().staff.invitation, undefined);
      const cookie = `${ok.cookies[0]!.name}=${ok.cookies[0]!.value}`;
      assert.equal((await call(ctx.app, 'GET', '/api/staff/me', { cookie })).statusCode, 200, 'signed in by accepting');

      const again = await accept(ctx, token, 'another long passphrase');
      assert.equal(again.statusCode, 404);
      assert.equal(again.json().code, 'link_invalid');
      assert.equal((await login(ctx, 'robin@north.test', NEW_PASSWORD)).statusCode, 200);
      assert.equal((await login(ctx, 'robin@north.test', 'another long passphrase')).statusCode, 401);

      const audit = await ctx.deps.db.selectFrom('audit_log').select(['action', 'actor_type', 'actor_id']).where('action', 'like', 'staff.invite%').orderBy('at').execute();
      assert.deepEqual(audit.map((a) => [a.action, a.actor_type]), [['staff.invite', 'staff'], ['staff.invite.accept', 'staff']]);
      assert.equal(audit[1]!.actor_id, invited.id, 'the acceptance is the invited person’s own act');
    });

    it('writes the invitation in the language asked for, with no health information', async (t) => {
      const ctx = await build(t, d.name);
      await seedClinic(ctx.deps, 'north');
      const admin = await staffCookie(ctx.app, 'admin@north.test');
      await invite(ctx, admin, 'camille@north.test', 'fr');
      const mail = await ctx.smtp.take('camille@north.test');
      assert.match(mail.subject, /Votre compte du personnel/);
      assert.match(mail.text, /72 heures/);
      const job = await ctx.deps.db.selectFrom('jobs').select('payload').where('kind', '=', 'mail.staff-invitation').executeTakeFirstOrThrow();
      assert.doesNotMatch(job.payload, /camille/, 'the job holds ids, not the address');
      assert.doesNotMatch(job.payload, new RegExp(linkFrom(mail).token), 'the token waits sealed');
    });

    it('refuses an expired link, a replaced link and a revoked invitation', async (t) => {
      const ctx = await build(t, d.name);
      await seedClinic(ctx.deps, 'north');
      const admin = await staffCookie(ctx.app, 'admin@north.test');

      const expiring = await invite(ctx, admin, 'late@north.test');
      const late = linkFrom(await ctx.smtp.take('late@north.test')).token;
      await ctx.deps.db.updateTable('staff_tokens').set({ expires_at: new Date(Date.now() - 1000).toISOString() }).where('staff_id', '=', expiring.id).execute();
      const expired = await accept(ctx, late);
      assert.equal(expired.statusCode, 410);
      assert.equal(expired.json().code, 'link_expired');
      const list = (await call(ctx.app, 'GET', '/api/staff', { cookie: admin })).json() as Array<{ id: string; invitation?: { expired: boolean } }>;
      assert.equal(list.find((s) => s.id === expiring.id)!.invitation?.expired, true, 'the staff list says the invitation expired');

      // Sending again makes a new link and voids the old one.
      const resent = await call(ctx.app, 'POST', `/api/staff/${expiring.id}/invitation`, { cookie: admin, body: {} });
      assert.equal(resent.statusCode, 200);
      assert.equal(resent.json().invitation.expired, false);
      const fresh = linkFrom(await ctx.smtp.take('late@north.test')).token;
      assert.notEqual(fresh, late);
      assert.equal((await accept(ctx, late)).json().code, 'link_invalid');

      const other = await invite(ctx, admin, 'other@north.test');
      const first = linkFrom(await ctx.smtp.take('other@north.test')).token;
      await call(ctx.app, 'POST', `/api/staff/${other.id}/invitation`, { cookie: admin, body: { lang: 'en' } });
      const second = linkFrom(await ctx.smtp.take('other@north.test')).token;
      assert.equal((await accept(ctx, first)).json().code, 'link_invalid', 'a resent invitation voids the earlier link');

      const revoked = await call(ctx.app, 'DELETE', `/api/staff/${other.id}/invitation`, { cookie: admin });
      assert.equal(revoked.statusCode, 204);
      const refused = await accept(ctx, second);
      assert.equal(refused.statusCode, 404);
      assert.equal(refused.json().code, 'link_invalid');
      assert.equal((await login(ctx, 'other@north.test', NEW_PASSWORD)).statusCode, 401);
      const names = ((await call(ctx.app, 'GET', '/api/staff', { cookie: admin })).json() as Array<{ email: string }>).map((s) => s.email);
      assert.ok(!names.includes('other@north.test'), 'a withdrawn invitation leaves no account');
      await invite(ctx, admin, 'other@north.test');

      assert.equal((await accept(ctx, fresh)).statusCode, 200, 'the new link works');
      const active = (await call(ctx.app, 'GET', '/api/staff', { cookie: admin })).json() as Array<{ id: string }>;
      const robinId = active.find((s) => s.id === expiring.id)!.id;
      assert.equal((await call(ctx.app, 'DELETE', `/api/staff/${robinId}/invitation`, { cookie: admin })).json().code, 'not_invited');
      const physician = await staffCookie(ctx.app, 'physician@north.test');
      assert.equal((await call(ctx.app, 'POST', '/api/staff', { cookie: physician, body: { name: 'X', email: 'x@north.test', role: 'admin' } })).statusCode, 403);
    });

    it('answers a reset request the same for known and unknown addresses; the link works once and ends every session', async (t) => {
      const ctx = await build(t, d.name);
      await seedClinic(ctx.deps, 'north');
      const laptop = await staffCookie(ctx.app, 'physician@north.test');
      const phone = await staffCookie(ctx.app, 'physician@north.test');

      const known = await call(ctx.app, 'POST', '/api/staff/password-reset', { body: { email: 'physician@north.test' } });
      const unknown = await call(ctx.app, 'POST', '/api/staff/password-reset', { body: { email: 'nobody@north.test' } });
      assert.deepEqual([known.statusCode, known.body], [202, '{}']);
      assert.deepEqual([unknown.statusCode, unknown.body], [known.statusCode, known.body]);
      const firstLink = linkFrom(await ctx.smtp.take('physician@north.test'));
      assert.ok(firstLink.link.startsWith(`${ORIGIN}/admin/reset-password#token=`));
      // A newer request does not void the earlier, unexpired link.
      await call(ctx.app, 'POST', '/api/staff/password-reset', { body: { email: 'physician@north.test', lang: 'fr' } });
      const secondMail = await ctx.smtp.take('physician@north.test');
      assert.match(secondMail.subject, /Réinitialiser/);
      const second = linkFrom(secondMail).token;
      const jobs = await ctx.deps.db.selectFrom('jobs').select('kind').where('kind', '=', 'mail.staff-password-reset').execute();
      assert.equal(jobs.length, 2, 'no e-mail for the unknown address');
      const requests = await ctx.deps.db.selectFrom('jobs').select('payload').where('kind', '=', 'staff.password-reset-request').execute();
      assert.equal(requests.length, 3, 'every request, known or not, is the same job');
      assert.ok(requests.every((r) => !r.payload.includes('physician') && !r.payload.includes('nobody')), 'the address waits sealed');

      assert.deepEqual((await call(ctx.app, 'POST', '/api/staff/password-reset/check', { body: { token: firstLink.token } })).json(), { email: 'physician@north.test' });
      const short = await call(ctx.app, 'POST', '/api/staff/password-reset/complete', { body: { token: firstLink.token, password: '12345678901' } });
      assert.equal(short.json().code, 'password_too_short');
      const common = await call(ctx.app, 'POST', '/api/staff/password-reset/complete', { body: { token: firstLink.token, password: 'PASSWORD1234' } });
      assert.equal(common.json().code, 'common_password');
      const unicode = 'mot de passe très sûr 🔐';
      const done = await call(ctx.app, 'POST', '/api/staff/password-reset/complete', { body: { token: firstLink.token, password: unicode } });
      assert.equal(done.statusCode, 204, done.body);

      for (const cookie of [laptop, phone]) assert.equal((await call(ctx.app, 'GET', '/api/staff/me', { cookie })).statusCode, 401, 'every session ended');
      assert.equal((await call(ctx.app, 'POST', '/api/staff/password-reset/complete', { body: { token: firstLink.token, password: 'yet another passphrase' } })).json().code, 'link_invalid', 'once');
      assert.equal((await call(ctx.app, 'POST', '/api/staff/password-reset/complete', { body: { token: second, password: 'yet another passphrase' } })).json().code, 'link_invalid', 'using a link voids the others');
      assert.equal((await login(ctx, 'physician@north.test', PASSWORD)).statusCode, 401, 'the old password fails');
      assert.equal((await login(ctx, 'physician@north.test', unicode)).statusCode, 200);

      const audit = await ctx.deps.db.selectFrom('audit_log').select(['action', 'actor_type']).where('action', 'like', 'staff.password-reset%').orderBy('at').execute();
      assert.deepEqual(audit.map((a) => `${a.action}/${a.actor_type}`), ['staff.password-reset.request/system', 'staff.password-reset.request/system', 'staff.password-reset.complete/staff']);
    });

    it('voids open reset links when the password is changed another way', async (t) => {
      const ctx = await build(t, d.name);
      await seedClinic(ctx.deps, 'north');
      await call(ctx.app, 'POST', '/api/staff/password-reset', { body: { email: 'staff@north.test' } });
      const { token } = linkFrom(await ctx.smtp.take('staff@north.test'));
      const admin = await staffCookie(ctx.app, 'admin@north.test');
      const list = (await call(ctx.app, 'GET', '/api/staff', { cookie: admin })).json() as Array<{ id: string; email: string }>;
      const staff = list.find((s) => s.email === 'staff@north.test')!;
      assert.equal((await call(ctx.app, 'PATCH', `/api/staff/${staff.id}`, { cookie: admin, body: { password: 'letmein12' } })).json().code, 'password_too_short');
      assert.equal((await call(ctx.app, 'PATCH', `/api/staff/${staff.id}`, { cookie: admin, body: { password: '1qaz2wsx3edc' } })).json().code, 'common_password');
      assert.equal((await call(ctx.app, 'PATCH', `/api/staff/${staff.id}`, { cookie: admin, body: { password: NEW_PASSWORD } })).statusCode, 200);
      assert.equal((await call(ctx.app, 'POST', '/api/staff/password-reset/complete', { body: { token, password: 'something else entirely' } })).json().code, 'link_invalid');
    });

    it('throttles reset requests per e-mail address, known or not', async (t) => {
      const ctx = await build(t, d.name);
      await seedClinic(ctx.deps, 'north');
      for (const email of ['staff@north.test', 'ghost@north.test']) {
        const statuses: number[] = [];
        for (let i = 0; i < 6; i++) statuses.push((await call(ctx.app, 'POST', '/api/staff/password-reset', { body: { email } })).statusCode);
        assert.deepEqual(statuses, [202, 202, 202, 202, 202, 429], email);
      }
    });

    it('throttles sign-in per account whatever the client address, and lets the right password in after the window', async (t) => {
      const ctx = await build(t, d.name, { TRUST_PROXY: '1' });
      await seedClinic(ctx.deps, 'north');
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) statuses.push((await login(ctx, 'admin@north.test', 'wrong password!', `203.0.113.${i + 1}`)).statusCode);
      assert.deepEqual(statuses, [...Array(10).fill(401), 429]);
      const limited = await login(ctx, 'admin@north.test', PASSWORD, '198.51.100.7');
      assert.equal(limited.statusCode, 429, 'the right password waits too');
      assert.equal(limited.json().code, 'rate_limited');
      assert.ok(Number(limited.headers['retry-after']) > 0, 'says when to try again');
      assert.equal((await login(ctx, 'physician@north.test', PASSWORD, '203.0.113.1')).statusCode, 200, 'other accounts are not affected');

      // The window passes (no permanent lock).
      await ctx.deps.db.updateTable('rate_limits').set({ reset_at: Date.now() - 1 }).execute();
      assert.equal((await login(ctx, 'admin@north.test', PASSWORD, '198.51.100.7')).statusCode, 200);
    });

    it('throttles failed sign-ins per client address across accounts', async (t) => {
      const ctx = await build(t, d.name, { TRUST_PROXY: '1' });
      await seedClinic(ctx.deps, 'north');
      const statuses: number[] = [];
      for (let i = 0; i < 31; i++) statuses.push((await login(ctx, `guess${i}@north.test`, 'wrong password!', '192.0.2.50')).statusCode);
      assert.deepEqual(statuses, [...Array(30).fill(401), 429]);
      assert.equal((await login(ctx, 'admin@north.test', PASSWORD, '192.0.2.50')).statusCode, 429);
      assert.equal((await login(ctx, 'admin@north.test', PASSWORD, '192.0.2.51')).statusCode, 200, 'another address is not affected');
    });

    it('forgets staff links a month after they expire', async (t) => {
      const ctx = await build(t, d.name);
      await seedClinic(ctx.deps, 'north');
      const admin = await staffCookie(ctx.app, 'admin@north.test');
      const old = await invite(ctx, admin, 'old@north.test');
      await invite(ctx, admin, 'recent@north.test');
      await ctx.deps.db.updateTable('staff_tokens').set({ expires_at: new Date(Date.now() - 31 * 24 * 3600_000).toISOString() }).where('staff_id', '=', old.id).execute();
      assert.equal((await sweep(ctx.deps.db)).staffLinks, 1);
      assert.equal((await ctx.deps.db.selectFrom('staff_tokens').select('staff_id').execute()).length, 1);
      const list = (await call(ctx.app, 'GET', '/api/staff', { cookie: admin })).json() as Array<{ id: string; invitation?: { expired: boolean } }>;
      assert.equal(list.find((s) => s.id === old.id)!.invitation?.expired, true, 'still shown as an expired invitation');
    });

    it('keeps e-mail addresses and link tokens out of the logs', async (t) => {
      const logs: string[] = [];
      const ctx = await build(t, d.name, {}, logs);
      await seedClinic(ctx.deps, 'north');
      const admin = await staffCookie(ctx.app, 'admin@north.test');
      await invite(ctx, admin, 'private.person@north.test');
      const invitation = linkFrom(await ctx.smtp.take('private.person@north.test')).token;
      await call(ctx.app, 'POST', '/api/staff/invitation/check', { body: { token: invitation } });
      assert.equal((await accept(ctx, invitation)).statusCode, 200);
      await call(ctx.app, 'POST', '/api/staff/password-reset', { body: { email: 'private.person@north.test' } });
      await call(ctx.app, 'POST', '/api/staff/password-reset', { body: { email: 'unknown.person@north.test' } });
      const reset = linkFrom(await ctx.smtp.take('private.person@north.test')).token;
      await call(ctx.app, 'POST', '/api/staff/password-reset/check', { body: { token: reset } });
      await call(ctx.app, 'POST', '/api/staff/password-reset/complete', { body: { token: reset, password: 'the newest passphrase' } });
      await login(ctx, 'private.person@north.test', 'wrong password!');
      assert.ok(logs.length > 10, 'the logs were captured');
      for (const secret of ['private.person', 'unknown.person', 'admin@north.test', invitation, reset, NEW_PASSWORD]) {
        assert.ok(!logs.some((l) => l.includes(secret)), `the logs never contain ${secret.slice(0, 8)}…`);
      }
    });
  });
}
