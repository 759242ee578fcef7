import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, it } from 'node:test';
import pg from 'pg';
import { DIALECTS, build, call, seedClinic, seedPatient, staffCookie, patientToken } from './helpers.js';

const valid = { name: 'Marie-Ève Lavoie', dateOfBirth: '1972-11-30', email: 'marie@example.com', phone: '+1 519 555 0100', healthNumber: '1234567890AB', lang: 'fr' };

for (const d of DIALECTS) {
  describe(`patients (${d.name})`, { skip: d.skip }, () => {
    it('pages the roster with a stable cursor: every patient once, newest first, while others enrol', async (t) => {
      const { app, deps } = await build(t, d.name);
      const clinic = await seedClinic(deps, 'north');
      const before: string[] = [];
      for (let i = 0; i < 7; i++) before.push((await seedPatient(deps, clinic, { name: `Pat Number${i}`, email: `p${i}@north.example` })).id);
      const cookie = await staffCookie(app, 'staff@north.test');
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await call(app, 'GET', `/api/patients?limit=3${cursor ? `&cursor=${cursor}` : ''}`, { cookie });
        assert.equal(res.statusCode, 200, res.body);
        const page = res.json() as { patients: Array<{ id: string }>; nextCursor: string | null };
        seen.push(...page.patients.map((p) => p.id));
        cursor = page.nextCursor;
        // Someone enrols a patient between two pages: it is newer than every page still to come.
        if (pages++ === 0) await seedPatient(deps, clinic, { name: 'Late Arrival', email: 'late@north.example' });
      } while (cursor);
      assert.equal(pages, 3);
      assert.deepEqual(seen, [...before].reverse(), 'each patient enrolled before the first page exactly once, newest first');
      const named = (await call(app, 'GET', '/api/patients?q=number&limit=5', { cookie })).json() as { patients: unknown[]; nextCursor: string | null };
      assert.equal(named.patients.length, 5);
      const rest = (await call(app, 'GET', `/api/patients?q=number&limit=5&cursor=${named.nextCursor}`, { cookie })).json() as { patients: unknown[]; nextCursor: string | null };
      assert.deepEqual([rest.patients.length, rest.nextCursor], [2, null], 'a search pages the same way');
      const bad = await call(app, 'GET', '/api/patients?cursor=bm9wZQ', { cookie });
      assert.deepEqual([bad.statusCode, bad.json().code], [400, 'invalid_cursor']);
    });

    it('enrols, finds, reads and edits a patient, auditing each access', async (t) => {
      const { app, deps } = await build(t, d.name);
      await seedClinic(deps, 'north');
      const cookie = await staffCookie(app, 'staff@north.test');
      const created = await call(app, 'POST', '/api/patients', { cookie, body: valid });
      assert.equal(created.statusCode, 201, created.body);
      const id = created.json().id as string;
      assert.equal(created.json().consentedAt, null);

      const found = await call(app, 'GET', '/api/patients?q=lavoie', { cookie });
      assert.deepEqual(found.json().patients.map((p: { id: string }) => p.id), [id]);
      assert.deepEqual((await call(app, 'GET', '/api/patients?q=nobody', { cookie })).json(), { patients: [], nextCursor: null });
      assert.equal((await call(app, 'GET', '/api/patients?q=1234567890', { cookie })).json().patients.length, 1, 'search by health number');

      const edited = await call(app, 'PATCH', `/api/patients/${id}`, { cookie, body: { phone: null, name: 'Marie-Ève Lavoie-Roy' } });
      assert.equal(edited.statusCode, 200);
      assert.equal(edited.json().phone, null);
      assert.equal(edited.json().name, 'Marie-Ève Lavoie-Roy');
      assert.equal((await call(app, 'GET', `/api/patients/${id}`, { cookie })).json().healthNumber, '1234567890AB');

      const rows = await deps.db.selectFrom('audit_log').select(['action', 'patient_id', 'actor_type', 'role']).where('patient_id', '=', id).orderBy('at').execute();
      assert.deepEqual(
        rows.map((r) => r.action),
        ['patient.enrol', 'patient.list', 'patient.list', 'patient.update', 'patient.read'],
      );
      assert.ok(rows.every((r) => r.actor_type === 'staff' && r.role === 'staff'));
    });

    it('refuses a second patient with the same e-mail in the clinic', async (t) => {
      const { app, deps } = await build(t, d.name);
      await seedClinic(deps, 'north');
      const cookie = await staffCookie(app, 'staff@north.test');
      assert.equal((await call(app, 'POST', '/api/patients', { cookie, body: valid })).statusCode, 201);
      const dup = await call(app, 'POST', '/api/patients', { cookie, body: { ...valid, email: 'MARIE@example.com' } });
      assert.equal(dup.statusCode, 409);
      assert.equal(dup.json().code, 'email_taken');
    });

    it('gives a specific 400 for each kind of bad patient input', async (t) => {
      const { app, deps } = await build(t, d.name);
      await seedClinic(deps, 'north');
      const cookie = await staffCookie(app, 'staff@north.test');
      const cases: Array<[object, RegExp]> = [
        [{ ...valid, email: 'not-an-email' }, /email/],
        [{ ...valid, dateOfBirth: '1972-02-30' }, /dateOfBirth/],
        [{ ...valid, dateOfBirth: '2999-01-01' }, /future/],
        [{ ...valid, dateOfBirth: '30/11/1972' }, /dateOfBirth/],
        [{ ...valid, healthNumber: '12345' }, /healthNumber/],
        [{ ...valid, name: '   ' }, /name/],
        [{ ...valid, extra: 'field' }, /extra is not a known field/],
        [{ name: 'Only a name' }, /dateOfBirth is required/],
      ];
      for (const [body, message] of cases) {
        const res = await call(app, 'POST', '/api/patients', { cookie, body });
        assert.equal(res.statusCode, 400, JSON.stringify(body));
        assert.match(res.json().message, message, JSON.stringify(body));
      }
      const notJson = await app.inject({ method: 'POST', url: '/api/patients', headers: { cookie, origin: 'http://localhost:3000', 'content-type': 'application/json' }, payload: '{"name": ' });
      assert.equal(notJson.statusCode, 400);
      const wrongType = await app.inject({ method: 'POST', url: '/api/patients', headers: { cookie, origin: 'http://localhost:3000', 'content-type': 'application/xml' }, payload: '<patient/>' });
      assert.equal(wrongType.statusCode, 415);
      const text = await app.inject({ method: 'POST', url: '/api/patients', headers: { cookie, origin: 'http://localhost:3000', 'content-type': 'text/plain' }, payload: '{"name":"A"}' });
      assert.equal(text.statusCode, 415, 'a text/plain body is not read');
      assert.equal((await call(app, 'PATCH', '/api/patients/x', { cookie, body: {} })).statusCode, 400, 'an empty patch');
    });

    it('stores patient details encrypted: nothing readable in the database', async (t) => {
      const ctx = await build(t, d.name);
      const clinic = await seedClinic(ctx.deps, 'north');
      const marker = `Zyxwv${Date.now()}`;
      await seedPatient(ctx.deps, clinic, { name: `Patient ${marker}`, email: `${marker.toLowerCase()}@example.com` });
      await ctx.deps.db.destroy();
      if (ctx.sqliteFile) {
        const bytes = Buffer.concat(['', '-wal'].filter((s) => fs.existsSync(ctx.sqliteFile + s)).map((s) => fs.readFileSync(ctx.sqliteFile + s)));
        assert.ok(bytes.length > 0);
        assert.equal(bytes.includes(marker), false);
        assert.equal(bytes.includes(marker.toLowerCase()), false);
      } else {
        const client = new pg.Client({ connectionString: ctx.databaseUrl! });
        await client.connect();
        const { rows } = await client.query(`select row_to_json(p)::text as row from ${ctx.pgSchema}.patients p`);
        await client.end();
        assert.equal(rows.length, 1);
        assert.equal(rows[0].row.toLowerCase().includes(marker.toLowerCase()), false);
      }
    });
  });

  describe(`tenancy and isolation (${d.name})`, { skip: d.skip }, () => {
    it("gives clinic A's staff a 404 for clinic B's patient, exactly like a missing one", async (t) => {
      const { app, deps } = await build(t, d.name);
      await seedClinic(deps, 'north');
      const south = await seedClinic(deps, 'south');
      const theirs = await seedPatient(deps, south);
      const cookie = await staffCookie(app, 'admin@north.test');
      const foreign = await call(app, 'GET', `/api/patients/${theirs.id}`, { cookie });
      const missing = await call(app, 'GET', '/api/patients/does-not-exist', { cookie });
      assert.equal(foreign.statusCode, 404);
      assert.deepEqual([foreign.json().code, foreign.json().message], [missing.json().code, missing.json().message]);
      assert.equal((await call(app, 'PATCH', `/api/patients/${theirs.id}`, { cookie, body: { name: 'Hijack' } })).statusCode, 404);
      const denied = await deps.db.selectFrom('audit_log').select(['action', 'outcome', 'target', 'clinic_id', 'patient_id']).where('outcome', '=', 'denied').orderBy('at').execute();
      assert.deepEqual(
        denied.map((r) => [r.action, r.target, r.patient_id]).sort(),
        [
          ['access.not-found', `GET /api/patients/:id id:${theirs.id}`, null],
          ['access.not-found', 'GET /api/patients/:id id:does-not-exist', null],
          ['access.not-found', `PATCH /api/patients/:id id:${theirs.id}`, null],
        ].sort(),
        'the attempts are audited in the caller’s clinic, without linking them to the other clinic’s patient',
      );
      assert.ok(denied.every((r) => r.clinic_id !== south.id));
      assert.deepEqual((await call(app, 'GET', '/api/patients', { cookie })).json(), { patients: [], nextCursor: null });
      const staffList = (await call(app, 'GET', '/api/staff', { cookie })).json() as Array<{ email: string }>;
      assert.ok(staffList.every((s) => s.email.endsWith('@north.test')));
      const southStaff = await deps.db.selectFrom('staff').select('id').where('clinic_id', '=', south.id).executeTakeFirstOrThrow();
      assert.equal((await call(app, 'PATCH', `/api/staff/${southStaff.id}`, { cookie, body: { disabled: true } })).statusCode, 404);
    });

    it('does not let a patient session call staff endpoints', async (t) => {
      const ctx = await build(t, d.name);
      const clinic = await seedClinic(ctx.deps, 'north');
      const p = await seedPatient(ctx.deps, clinic);
      const token = await patientToken(ctx, 'north', p.email, p.dateOfBirth);
      for (const url of ['/api/patients', '/api/staff', '/api/clinic', '/api/audit', '/api/staff/me']) {
        assert.equal((await call(ctx.app, 'GET', url, { token })).statusCode, 401, `bearer on ${url}`);
        assert.equal((await call(ctx.app, 'GET', url, { cookie: `sm_session=${token}` })).statusCode, 401, `as cookie on ${url}`);
      }
    });

    it('does not let a staff session act as a patient', async (t) => {
      const { app, deps } = await build(t, d.name);
      await seedClinic(deps, 'north');
      const cookie = await staffCookie(app, 'admin@north.test');
      const token = cookie.split('=')[1]!;
      assert.equal((await call(app, 'GET', '/api/patient/me', { token })).statusCode, 401);
    });

    it('keeps staff of lower roles out of admin pages', async (t) => {
      const { app, deps } = await build(t, d.name);
      await seedClinic(deps, 'north');
      const cookie = await staffCookie(app, 'physician@north.test');
      assert.equal((await call(app, 'GET', '/api/audit', { cookie })).statusCode, 403);
      assert.equal((await call(app, 'GET', '/api/staff', { cookie })).statusCode, 403);
      const settings = (await call(app, 'GET', '/api/clinic', { cookie })).json();
      assert.equal((await call(app, 'PUT', '/api/clinic', { cookie, body: { name: settings.name, allowedOrigins: [], brandColor: '#000000', consentText: settings.consentText } })).statusCode, 403);
    });
  });
}
