import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DIALECTS, build, call, seedClinic, staffCookie } from './helpers.js';

for (const d of DIALECTS) {
  describe(`health, headers and pages (${d.name})`, { skip: d.skip }, () => {
    it('answers /health with the database state', async (t) => {
      const { app } = await build(t, d.name);
      const res = await app.inject('/health');
      assert.equal(res.statusCode, 200);
      const { diskFreeBytes, jobs, ...rest } = res.json();
      assert.deepEqual(rest, { status: 'ok', database: 'reachable', storage: 'ok', dialect: d.name });
      assert.equal(typeof jobs.pending, 'number', 'the queue is reported');
      assert.equal(jobs.failed, 0);
      if (d.name === 'sqlite') assert.ok(diskFreeBytes > 0, 'free disk space is reported for SQLite');
    });

    it('sends the security headers on API responses and pages', async (t) => {
      const { app } = await build(t, d.name);
      for (const url of ['/health', '/api/staff/me', '/admin/patients']) {
        const res = await app.inject(url);
        const csp = String(res.headers['content-security-policy']);
        assert.match(csp, /script-src 'self'(;|$)/, url);
        assert.doesNotMatch(csp, /script-src[^;]*unsafe-inline/, url);
        assert.match(csp, /object-src 'none'/);
        assert.match(csp, /base-uri 'none'/);
        assert.equal(res.headers['x-content-type-options'], 'nosniff');
        assert.equal(res.headers['referrer-policy'], 'no-referrer');
        assert.equal(res.headers['strict-transport-security'], undefined, 'no HSTS over http');
      }
    });

    it('publishes an OpenAPI 3 document of the API', async (t) => {
      const { app } = await build(t, d.name);
      const doc = (await app.inject('/api/openapi.json')).json();
      assert.match(doc.openapi, /^3\./);
      for (const path of ['/api/staff/login', '/api/patients', '/api/patients/{id}', '/api/patient/auth/code', '/api/audit', '/health']) assert.ok(doc.paths[path], path);
      assert.equal((await app.inject('/api/docs')).statusCode < 400, true);
    });

    it('lets only the clinic’s allowed sites embed its frame pages', async (t) => {
      const { app, deps } = await build(t, d.name);
      await seedClinic(deps, 'north', ['https://north.example', 'http://localhost:8080']);
      const res = await app.inject('/frame/messages?clinic=north&lang=en');
      assert.equal(res.statusCode, 200);
      const csp = String(res.headers['content-security-policy']);
      assert.match(csp, /frame-ancestors 'self' https:\/\/north\.example http:\/\/localhost:8080(;|$)/);
      assert.equal(res.headers['x-frame-options'], undefined);
      assert.match(String(res.headers['content-type']), /text\/html/);
      assert.equal((await app.inject('/frame/messages?clinic=south')).statusCode, 404);
      assert.equal((await app.inject('/frame/inbox?clinic=north')).statusCode, 400);

      // Other pages may only be framed by ourselves.
      const admin = await app.inject('/admin/');
      assert.match(String(admin.headers['content-security-policy']), /frame-ancestors 'self'(;|$)/);
    });

    it('follows the clinic settings for frame-ancestors as soon as they change', async (t) => {
      const { app, deps } = await build(t, d.name);
      await seedClinic(deps, 'north', ['https://old.example']);
      const cookie = await staffCookie(app, 'admin@north.test');
      const current = (await call(app, 'GET', '/api/clinic', { cookie })).json();
      // Pasted as people paste them: a trailing slash, upper case, no scheme, a path, the same site twice.
      const put = await call(app, 'PUT', '/api/clinic', { cookie, body: { name: current.name, brandColor: '#123456', consentText: current.consentText, allowedOrigins: ['https://new.example/', 'WWW.New.Example', 'new.example/contact', 'https://NEW.example'] } });
      assert.equal(put.statusCode, 200, put.body);
      assert.deepEqual(put.json().allowedOrigins, ['https://new.example', 'https://www.new.example']);
      const csp = String((await app.inject('/frame/booking?clinic=north')).headers['content-security-policy']);
      assert.match(csp, /frame-ancestors 'self' https:\/\/new\.example https:\/\/www\.new\.example(;|$)/);
      assert.doesNotMatch(csp, /old\.example/);
      const bad = await call(app, 'PUT', '/api/clinic', { cookie, body: { name: current.name, brandColor: '#123456', consentText: current.consentText, allowedOrigins: ['new.example', 'javascript:alert(1)'] } });
      assert.equal(bad.statusCode, 400);
      assert.deepEqual([bad.json().code, bad.json().params], ['invalid_origin', { value: 'javascript:alert(1)', line: 2 }], 'names the line');
      assert.deepEqual((await call(app, 'GET', '/api/clinic', { cookie })).json().allowedOrigins, ['https://new.example', 'https://www.new.example'], 'nothing saved');
    });

    it('tells the embed loader whether a site may show the clinic’s widgets, to any origin', async (t) => {
      const { app, deps } = await build(t, d.name);
      await seedClinic(deps, 'north', ['https://www.north.example']);
      const ask = (slug: string, origin: string) => app.inject({ url: `/api/public/clinics/${slug}/embed?origin=${encodeURIComponent(origin)}`, headers: { origin } });
      const yes = await ask('north', 'https://www.north.example');
      assert.deepEqual([yes.statusCode, yes.json(), yes.headers['access-control-allow-origin']], [200, { allowed: true }, '*']);
      assert.deepEqual((await ask('north', 'https://elsewhere.example')).json(), { allowed: false });
      const unknown = await ask('nowhere', 'https://www.north.example');
      assert.deepEqual([unknown.statusCode, unknown.json().code, unknown.headers['access-control-allow-origin']], [404, 'not_found', '*'], 'the loader can read why');
    });

    it('serves the loader so any site can load it', async (t) => {
      const { app } = await build(t, d.name);
      const res = await app.inject('/widget.js');
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['cross-origin-resource-policy'], 'cross-origin');
      assert.match(String(res.headers['content-type']), /javascript/);
    });

    it("shows a clinic's public configuration to anyone, and nothing private", async (t) => {
      const { app, deps } = await build(t, d.name);
      await seedClinic(deps, 'north');
      const res = await app.inject('/api/public/clinics/north');
      assert.equal(res.statusCode, 200);
      assert.deepEqual(Object.keys(res.json()).sort(), ['brandColor', 'consentText', 'name', 'slug']);
    });
  });
}

for (const d of DIALECTS) {
  describe(`patient portal (${d.name})`, { skip: d.skip }, () => {
    it('serves an installable portal page per clinic, in the patient’s language, escaping the clinic name', async (t) => {
      const { app, deps } = await build(t, d.name);
      await seedClinic(deps, 'north');
      await deps.db.updateTable('clinics').set({ name: 'North <Family> & "Co"' }).execute();
      const page = await app.inject({ url: '/p/north', headers: { 'accept-language': 'fr-CA,fr;q=0.9' } });
      assert.equal(page.statusCode, 200);
      assert.match(page.body, /<html lang="fr">/);
      assert.match(page.body, /<sm-messages clinic="north" lang="fr"><\/sm-messages>/);
      assert.match(page.body, /North &#60;Family&#62; &#38; &#34;Co&#34; – portail patient/);
      assert.doesNotMatch(page.body, /<Family>/);
      assert.match(page.body, /<meta name="description" content="Écrivez à North &#60;Family&#62; &#38; &#34;Co&#34; en toute sécurité, [^"]+">/);
      assert.match(page.body, /<link rel="icon" href="\/favicon.svg"/);
      assert.match(page.body, /<link rel="manifest" href="\/p\/north\/manifest.webmanifest">/);
      assert.match((await app.inject('/p/north?lang=en')).body, /<html lang="en">/);
      const manifest = await app.inject('/p/north/manifest.webmanifest');
      assert.match(String(manifest.headers['content-type']), /^application\/manifest\+json/);
      const m = manifest.json();
      assert.equal(m.start_url, '/p/north');
      assert.equal(m.display, 'standalone');
      assert.deepEqual(m.icons.map((i: { sizes: string }) => i.sizes), ['192x192', '512x512', 'any']);
      assert.equal((await app.inject('/p/south')).statusCode, 404);
      assert.equal((await app.inject('/p/../etc')).statusCode, 404);
    });
  });
}
