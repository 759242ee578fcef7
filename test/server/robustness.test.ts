import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { codeFrom } from '../support/smtp.js';
import { DIALECTS, ORIGIN, build, call, seedClinic, seedPatient, staffCookie } from './helpers.js';

/** Bodies no endpoint should accept, and none should answer with a 500. */
const GARBAGE: unknown[] = [null, [], 'text', 42, { name: 123 }, { email: 'x'.repeat(10_000) }, { '__proto__': { admin: true } }, { dateOfBirth: '0000-00-00', name: '\u0000' }];

for (const d of DIALECTS) {
  describe(`robustness (${d.name})`, { skip: d.skip }, () => {
    it('answers bad input on every documented endpoint with a specific 4xx, never a 500', async (t) => {
      const { app, deps } = await build(t, d.name);
      const clinic = await seedClinic(deps, 'north');
      const p = await seedPatient(deps, clinic);
      const cookie = await staffCookie(app, 'admin@north.test');
      const doc = (await app.inject('/api/openapi.json')).json() as { paths: Record<string, Record<string, unknown>> };
      let checked = 0;
      for (const [path, methods] of Object.entries(doc.paths)) {
        for (const method of Object.keys(methods)) {
          if (path.endsWith('/logout')) continue; // would end the session the rest of the loop uses
          if (path.endsWith('/events')) continue; // Server-Sent Event streams never end; covered in messaging tests
          const urls = [path.replace('{id}', p.id).replace('{slug}', 'north'), path.replace('{id}', 'no-such-id%00').replace('{slug}', '..%2f..')];
          for (const url of urls) {
            const bodies = method === 'get' ? [undefined] : GARBAGE;
            for (const body of bodies) {
              const res = await app.inject({
                method: method.toUpperCase() as 'GET',
                url: `${url}?limit=-1&q=${'%ff'}&from=nope`,
                headers: { origin: ORIGIN, cookie, 'content-type': 'application/json' },
                ...(body !== undefined ? { payload: JSON.stringify(body) } : {}),
              });
              assert.ok(res.statusCode < 500, `${method} ${url} ${JSON.stringify(body)} → ${res.statusCode} ${res.body}`);
              if (res.statusCode >= 400) {
                const err = res.json();
                assert.ok(err.code && err.message, `${method} ${url} explains itself: ${res.body}`);
              }
              checked++;
            }
          }
        }
      }
      assert.ok(checked > 100, `checked ${checked} requests`);
    });

    it('refuses a path that is not valid percent-encoding in the API error shape', async (t) => {
      const { app } = await build(t, d.name);
      for (const url of ['/assets/%ff', '/api/patients/%E0%A4%A', '/p/%c0%af']) {
        const res = await app.inject({ method: 'GET', url });
        assert.equal(res.statusCode, 400, `${url} → ${res.body}`);
        assert.match(res.headers['content-type'] as string, /^application\/json/);
        const body = res.json();
        assert.equal(body.code, 'bad_url', url);
        assert.ok(body.message && body.requestId, url);
      }
    });

    it('keeps names, e-mail addresses, codes and search terms out of the logs', async (t) => {
      const logs: string[] = [];
      const ctx = await build(t, d.name, {}, logs);
      const clinic = await seedClinic(ctx.deps, 'north');
      const cookie = await staffCookie(ctx.app, 'admin@north.test');
      const marker = 'Qwertyuiop';
      const enrol = await call(ctx.app, 'POST', '/api/patients', { cookie, body: { name: `Pat ${marker}`, dateOfBirth: '1970-01-01', email: `${marker.toLowerCase()}@example.com`, healthNumber: '1112223334', mobile: '+15145550177', smsConsent: true } });
      assert.equal(enrol.statusCode, 201);
      // A refused number is not logged either.
      await call(ctx.app, 'PATCH', `/api/patients/${enrol.json().id}`, { cookie, body: { mobile: '514 555 0166' } });
      await call(ctx.app, 'GET', `/api/patients?q=${marker}`, { cookie });
      await call(ctx.app, 'POST', '/api/patients', { cookie, body: { name: `Pat ${marker}`, dateOfBirth: 'bad', email: 'not-an-email' } });
      const start = await call(ctx.app, 'POST', '/api/patient/auth/code', { body: { clinic: 'north', email: `${marker.toLowerCase()}@example.com` } });
      const code = codeFrom(await ctx.smtp.take(`${marker.toLowerCase()}@example.com`));
      await call(ctx.app, 'POST', '/api/patient/auth/verify', { body: { challengeId: start.json().challengeId, code, dateOfBirth: '1970-01-01' } });
      assert.ok(logs.length > 10, 'requests were logged');
      const all = logs.join('\n').toLowerCase();
      for (const secret of [marker.toLowerCase(), '1112223334', '1970-01-01', code, 'admin@north.test', '5145550177', '514 555 0166']) assert.equal(all.includes(secret), false, `logs contain ${secret}`);
      assert.ok(clinic.id);
    });
  });
}
