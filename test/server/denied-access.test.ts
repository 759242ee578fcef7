/**
 * Every attempt on something that is not the caller's, by staff or patient, in any route, is a 404
 * that looks like a missing record and leaves a denied row in the caller's clinic's audit log.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { DEFAULT_MESSAGING } from '../../server/domain/messaging-settings.js';
import { DIALECTS, build, call, patientToken, seedClinic, seedPatient, staffCookie } from './helpers.js';

const OPEN = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => [day, [{ start: '00:00', end: '23:59' }]]));

for (const d of DIALECTS) {
  describe(`denied access is audited (${d.name})`, { skip: d.skip }, () => {
    it('audits foreign threads, attachments, staff, templates, patient ids in a body, and patient-side misses', async (t) => {
      const ctx = await build(t, d.name);
      const north = await seedClinic(ctx.deps, 'north');
      const south = await seedClinic(ctx.deps, 'south');
      const southAdmin = await staffCookie(ctx.app, 'admin@south.test');
      await call(ctx.app, 'PUT', '/api/messaging/settings', { cookie: southAdmin, body: { ...DEFAULT_MESSAGING, hours: OPEN } });
      const theirPatient = await seedPatient(ctx.deps, south);
      const theirToken = await patientToken(ctx, 'south', theirPatient.email, theirPatient.dateOfBirth);
      const theirThread = (await call(ctx.app, 'POST', '/api/patient/threads', { token: theirToken, body: { id: randomUUID(), subject: 'Mine', category: 'other', body: 'Private.' } })).json().threadId as string;
      const theirTemplate = (await call(ctx.app, 'POST', '/api/canned-replies', { cookie: southAdmin, body: { title: 'T', body: 'x' } })).json().id as string;
      const theirStaff = await ctx.deps.db.selectFrom('staff').select('id').where('clinic_id', '=', south.id).where('role', '=', 'staff').executeTakeFirstOrThrow();
      const missingAttachment = randomUUID();
      const newMessage = randomUUID();

      const admin = await staffCookie(ctx.app, 'admin@north.test');
      const ourPatient = await seedPatient(ctx.deps, north);
      const ourToken = await patientToken(ctx, 'north', ourPatient.email, ourPatient.dateOfBirth);
      const attempts = [
        call(ctx.app, 'GET', `/api/threads/${theirThread}`, { cookie: admin }),
        call(ctx.app, 'PATCH', `/api/threads/${theirThread}`, { cookie: admin, body: { status: 'closed' } }),
        call(ctx.app, 'GET', `/api/attachments/${missingAttachment}`, { cookie: admin }),
        call(ctx.app, 'PATCH', `/api/staff/${theirStaff.id}`, { cookie: admin, body: { disabled: true } }),
        call(ctx.app, 'DELETE', `/api/canned-replies/${theirTemplate}`, { cookie: admin }),
        call(ctx.app, 'POST', '/api/threads', { cookie: admin, body: { id: newMessage, patientId: theirPatient.id, subject: 'Hello', category: 'other', body: 'x', patientMayReply: true } }),
        call(ctx.app, 'GET', `/api/patient/threads/${theirThread}`, { token: ourToken }),
        call(ctx.app, 'GET', `/api/patient/attachments/${missingAttachment}`, { token: ourToken }),
      ];
      for (const res of await Promise.all(attempts)) assert.equal(res.statusCode, 404, `${res.body}`);

      const denied = await ctx.deps.db.selectFrom('audit_log').select(['clinic_id', 'actor_type', 'action', 'target', 'patient_id']).where('outcome', '=', 'denied').execute();
      assert.deepEqual(
        denied.map((r) => `${r.actor_type} ${r.target}`).sort(),
        [
          `patient GET /api/patient/attachments/:id id:${missingAttachment}`,
          `patient GET /api/patient/threads/:id id:${theirThread}`,
          `staff DELETE /api/canned-replies/:id id:${theirTemplate}`,
          `staff GET /api/attachments/:id id:${missingAttachment}`,
          `staff GET /api/threads/:id id:${theirThread}`,
          `staff PATCH /api/staff/:id id:${theirStaff.id}`,
          `staff PATCH /api/threads/:id id:${theirThread}`,
          `staff POST /api/threads id:${newMessage} patient:${theirPatient.id}`,
        ].sort(),
      );
      assert.ok(denied.every((r) => r.clinic_id === north.id && r.action === 'access.not-found'), 'in the caller’s clinic');
      assert.ok(denied.every((r) => r.patient_id === null || r.patient_id === ourPatient.id), 'never linked to the other clinic’s patient');
      // Nothing of the other clinic changed.
      assert.equal((await call(ctx.app, 'GET', '/api/canned-replies', { cookie: southAdmin })).json().length, 1);
    });
  });
}
