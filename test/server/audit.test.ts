import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DIALECTS, build, call, seedClinic, seedPatient, staffCookie } from './helpers.js';

for (const d of DIALECTS) {
  describe(`audit log (${d.name})`, { skip: d.skip }, () => {
    it('is append-only in the database itself', async (t) => {
      const { app, deps, owner } = await build(t, d.name);
      const clinic = await seedClinic(deps, 'north');
      const p = await seedPatient(deps, clinic);
      const cookie = await staffCookie(app, 'staff@north.test');
      await call(app, 'GET', `/api/patients/${p.id}`, { cookie });
      // Even the owner (who may change any table) is refused by the triggers.
      await assert.rejects(owner.updateTable('audit_log').set({ outcome: 'denied' }).execute(), /append-only/);
      await assert.rejects(owner.deleteFrom('audit_log').execute(), /append-only/);
      // The app's own role (restricted on PostgreSQL) is refused too.
      await assert.rejects(deps.db.updateTable('audit_log').set({ outcome: 'denied' }).execute(), d.name === 'postgres' ? /permission denied/ : /append-only/);
      assert.equal((await deps.db.selectFrom('audit_log').select('id').where('action', '=', 'patient.read').execute()).length, 1);
    });

    it('lets admins filter by patient and action, and records who, role, request id', async (t) => {
      const { app, deps } = await build(t, d.name);
      const clinic = await seedClinic(deps, 'north');
      const a = await seedPatient(deps, clinic, { email: 'a@example.com' });
      const b = await seedPatient(deps, clinic, { email: 'b@example.com' });
      const staff = await staffCookie(app, 'staff@north.test');
      const read = await call(app, 'GET', `/api/patients/${a.id}`, { cookie: staff });
      await call(app, 'GET', `/api/patients/${b.id}`, { cookie: staff });
      const admin = await staffCookie(app, 'admin@north.test');
      const entries = (await call(app, 'GET', `/api/audit?patientId=${a.id}`, { cookie: admin })).json();
      assert.equal(entries.length, 1);
      assert.equal(entries[0].action, 'patient.read');
      assert.equal(entries[0].actorName, 'staff of north');
      assert.equal(entries[0].role, 'staff');
      assert.equal(entries[0].outcome, 'ok');
      assert.equal(entries[0].requestId, read.json().requestId ?? entries[0].requestId);
      assert.ok(entries[0].requestId);
      assert.equal((await call(app, 'GET', '/api/audit?action=patient.read', { cookie: admin })).json().length, 2);
      assert.equal((await call(app, 'GET', '/api/audit?limit=0', { cookie: admin })).statusCode, 400);
      assert.equal((await call(app, 'GET', '/api/audit?from=yesterday', { cookie: admin })).statusCode, 400);
    });

    it("never shows another clinic's entries", async (t) => {
      const { app, deps } = await build(t, d.name);
      await seedClinic(deps, 'north');
      const south = await seedClinic(deps, 'south');
      const p = await seedPatient(deps, south);
      await call(app, 'GET', `/api/patients/${p.id}`, { cookie: await staffCookie(app, 'staff@south.test') });
      const seen = (await call(app, 'GET', '/api/audit', { cookie: await staffCookie(app, 'admin@north.test') })).json() as Array<{ action: string; actorName: string | null }>;
      assert.deepEqual(seen.map((e) => `${e.action} by ${e.actorName}`), ['staff.sign-in by admin of north'], 'only north’s own sign-in, nothing of south');
    });
  });
}
