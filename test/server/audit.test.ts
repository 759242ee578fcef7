import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { safeCell } from '../../server/domain/audit.js';
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
      const entries = (await call(app, 'GET', `/api/audit?patientId=${a.id}`, { cookie: admin })).json().entries;
      assert.equal(entries.length, 1);
      assert.equal(entries[0].action, 'patient.read');
      assert.equal(entries[0].actorName, 'staff of north');
      assert.equal(entries[0].role, 'staff');
      assert.equal(entries[0].outcome, 'ok');
      assert.equal(entries[0].requestId, read.json().requestId ?? entries[0].requestId);
      assert.ok(entries[0].requestId);
      assert.equal((await call(app, 'GET', '/api/audit?action=patient.read', { cookie: admin })).json().entries.length, 2);
      assert.equal((await call(app, 'GET', '/api/audit?cursor=bm90LWE', { cookie: admin })).json().code, 'invalid_cursor');
      assert.equal((await call(app, 'GET', '/api/audit?limit=0', { cookie: admin })).statusCode, 400);
      assert.equal((await call(app, 'GET', '/api/audit?from=yesterday', { cookie: admin })).statusCode, 400);
    });

    it('pages the log newest first with a stable cursor, each entry once while entries are added', async (t) => {
      const { app, deps } = await build(t, d.name);
      const clinic = await seedClinic(deps, 'north');
      const p = await seedPatient(deps, clinic);
      const staff = await staffCookie(app, 'staff@north.test');
      for (let i = 0; i < 5; i++) await call(app, 'GET', `/api/patients/${p.id}`, { cookie: staff });
      const admin = await staffCookie(app, 'admin@north.test');
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = (await call(app, 'GET', `/api/audit?action=patient.read&limit=2${cursor ? `&cursor=${cursor}` : ''}`, { cookie: admin })).json() as { entries: Array<{ id: string }>; nextCursor: string | null };
        seen.push(...page.entries.map((e) => e.id));
        cursor = page.nextCursor;
        if (pages++ === 0) await call(app, 'GET', `/api/patients/${p.id}`, { cookie: staff }); // newer than the pages to come
      } while (cursor);
      assert.equal(pages, 3);
      assert.equal(new Set(seen).size, 5, 'the five reads made before the first page, each once');
      const all = await deps.db.selectFrom('audit_log').select('id').where('action', '=', 'patient.read').orderBy('at', 'desc').orderBy('id').execute();
      assert.deepEqual(seen, all.slice(1).map((r) => r.id), 'in the log’s order, the late read not among them');
    });

    it("never shows another clinic's entries", async (t) => {
      const { app, deps } = await build(t, d.name);
      await seedClinic(deps, 'north');
      const south = await seedClinic(deps, 'south');
      const p = await seedPatient(deps, south);
      await call(app, 'GET', `/api/patients/${p.id}`, { cookie: await staffCookie(app, 'staff@south.test') });
      const seen = (await call(app, 'GET', '/api/audit', { cookie: await staffCookie(app, 'admin@north.test') })).json().entries as Array<{ action: string; actorName: string | null }>;
      assert.deepEqual(seen.map((e) => `${e.action} by ${e.actorName}`), ['staff.sign-in by admin of north'], 'only north’s own sign-in, nothing of south');
    });

    it('names patients for the reader and filters by the patient picked', async (t) => {
      const { app, deps } = await build(t, d.name);
      const clinic = await seedClinic(deps, 'north');
      const a = await seedPatient(deps, clinic, { name: 'Amélie Tremblay', email: 'a@example.com' });
      const b = await seedPatient(deps, clinic, { name: 'Bob Martin', email: 'b@example.com' });
      const staff = await staffCookie(app, 'staff@north.test');
      await call(app, 'GET', `/api/patients/${a.id}`, { cookie: staff });
      await call(app, 'GET', `/api/patients/${b.id}`, { cookie: staff });
      const admin = await staffCookie(app, 'admin@north.test');
      // The picker finds the patient through the patient search, then filters by the id it picked.
      const found = (await call(app, 'GET', '/api/patients?q=tremblay', { cookie: admin })).json().patients as Array<{ id: string; name: string }>;
      assert.deepEqual(found.map((p) => p.name), ['Amélie Tremblay']);
      const entries = (await call(app, 'GET', `/api/audit?patientId=${found[0]!.id}&action=patient.read`, { cookie: admin })).json().entries as Array<{ patientId: string; patientName: string | null }>;
      assert.deepEqual(entries.map((e) => [e.patientId, e.patientName]), [[a.id, 'Amélie Tremblay']]);
      const all = (await call(app, 'GET', '/api/audit?action=patient.read', { cookie: admin })).json().entries as Array<{ patientName: string | null }>;
      assert.deepEqual(all.map((e) => e.patientName).sort(), ['Amélie Tremblay', 'Bob Martin']);
      // Reading the log, which names patients, is itself audited.
      assert.ok((await deps.db.selectFrom('audit_log').select('id').where('action', '=', 'audit.list').execute()).length >= 2);
    });

    it('exports the current filter as CSV, neutralising spreadsheet formulas, and audits the export', async (t) => {
      const { app, deps } = await build(t, d.name);
      const clinic = await seedClinic(deps, 'north');
      const evil = await seedPatient(deps, clinic, { name: '=HYPERLINK("http://evil.example","x")', email: 'e@example.com' });
      const other = await seedPatient(deps, clinic, { name: 'Bob Martin', email: 'b@example.com' });
      const staff = await staffCookie(app, 'staff@north.test');
      await call(app, 'GET', `/api/patients/${evil.id}`, { cookie: staff });
      await call(app, 'GET', `/api/patients/${other.id}`, { cookie: staff });
      const admin = await staffCookie(app, 'admin@north.test');
      const res = await call(app, 'GET', `/api/audit/export.csv?patientId=${evil.id}&action=patient.read`, { cookie: admin });
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^text\/csv/);
      assert.match(String(res.headers['content-disposition']), /^attachment; filename="audit-\d{4}-\d{2}-\d{2}\.csv"$/);
      assert.equal(res.headers['cache-control'], 'no-store');
      const lines = res.body.trim().split('\n');
      assert.equal(lines[0], 'at,actor,role,action,target,patient,patient id,outcome,request id');
      assert.equal(lines.length, 2, 'only the read of the filtered patient');
      assert.match(lines[1]!, /,staff of north,staff,patient\.read,patient-details,"'=HYPERLINK\(""http:\/\/evil\.example"",""x""\)",/);
      assert.ok(!res.body.includes('Bob Martin'));
      const exports = await deps.db.selectFrom('audit_log').select(['actor_id', 'patient_id', 'target']).where('action', '=', 'audit.export').execute();
      assert.deepEqual(exports.map((e) => [e.patient_id, e.target]), [[evil.id, 'audit-csv:patientId,action']]);
      assert.equal((await call(app, 'GET', '/api/audit/export.csv', { cookie: staff })).statusCode, 403);
      assert.equal((await call(app, 'GET', '/api/audit', { cookie: staff })).statusCode, 403);
    });
  });
}

describe('audit CSV cells', () => {
  it('gets a leading apostrophe when a spreadsheet would read it as a formula', () => {
    assert.deepEqual(['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx', 'plain', "'quoted", null].map(safeCell), ["'=1+1", "'+1", "'-1", "'@SUM(A1)", "'\tx", "'\rx", 'plain', "'quoted", '']);
  });
});
