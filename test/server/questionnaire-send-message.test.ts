/**
 * Sending a questionnaire as a message in a secure conversation: the patient finds a message naming
 * it (and its due date) in their language, the assignment points at that conversation, the e-mail is
 * the usual content-free notice, and a repeating send refuses this channel.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DIALECTS, build, call, patientToken, seedClinic, seedPatient, staffCookie } from './helpers.js';

for (const d of DIALECTS) {
  describe(`questionnaire sent as a message (${d.name})`, { skip: d.skip }, () => {
    it('opens a conversation naming the questionnaire, links the assignment to it, and e-mails only a notice', async (t) => {
      const ctx = await build(t, d.name);
      const clinic = await seedClinic(ctx.deps, 'north');
      const patient = await seedPatient(ctx.deps, clinic);
      const admin = await staffCookie(ctx.app, 'admin@north.test');
      const phq = (await call(ctx.app, 'POST', '/api/questionnaire-library/phq-9', { cookie: admin })).json().questionnaire.id as string;
      // Signed in first: the sign-in code is the only e-mail the patient has had.
      const token = await patientToken(ctx, 'north', patient.email, patient.dateOfBirth);

      const res = await call(ctx.app, 'POST', `/api/questionnaires/${phq}/assignments`, { cookie: admin, body: { patientIds: [patient.id], channel: 'message', dueDate: '2099-03-05' } });
      assert.equal(res.statusCode, 201, res.body);
      const [assignmentId] = res.json().ids as string[];

      const row = await ctx.deps.db.selectFrom('questionnaire_assignments').select(['reply_thread_id', 'patient_id']).where('id', '=', assignmentId!).executeTakeFirstOrThrow();
      assert.ok(row.reply_thread_id, 'the assignment points at its conversation');
      const thread = await call(ctx.app, 'GET', `/api/patient/threads/${row.reply_thread_id}`, { token });
      assert.equal(thread.statusCode, 200, thread.body);
      const body = thread.json() as { thread: { subject: string }; messages: Array<{ body: string; author: string }> };
      assert.equal(body.thread.subject, 'A questionnaire to fill in: Patient Health Questionnaire (PHQ-9)');
      assert.equal(body.messages.length, 1);
      assert.equal(body.messages[0]!.author, 'staff');
      assert.match(body.messages[0]!.body, /Please fill in the questionnaire “Patient Health Questionnaire \(PHQ-9\)” by March 5, 2099\./);
      const listed = (await call(ctx.app, 'GET', '/api/patient/questionnaires', { token })).json() as Array<{ id: string }>;
      assert.ok(listed.some((a) => a.id === assignmentId), 'the patient has it to fill in');

      // The patient hears of it by the conversation's usual notice (no content), not by a questionnaire link e-mail.
      const kinds = (await ctx.deps.db.selectFrom('jobs').select(['kind']).where('clinic_id', '=', clinic.id).execute()).map((k) => k.kind);
      assert.ok(kinds.includes('mail.new-message'), `a new-message notice: ${kinds.join(', ')}`);
      assert.ok(!kinds.some((k) => k.includes('questionnaire-assigned')), `no link e-mail: ${kinds.join(', ')}`);
      const audit = await ctx.deps.db.selectFrom('audit_log').select(['action']).where('clinic_id', '=', clinic.id).where('action', '=', 'questionnaire.assign').execute();
      assert.equal(audit.length, 1);
    });

    it('writes to a French-speaking patient in French, and refuses the channel for a repeating send', async (t) => {
      const ctx = await build(t, d.name);
      const clinic = await seedClinic(ctx.deps, 'north');
      const patient = await seedPatient(ctx.deps, clinic);
      await ctx.deps.db.updateTable('patients').set({ lang: 'fr' }).where('id', '=', patient.id).execute();
      const admin = await staffCookie(ctx.app, 'admin@north.test');
      const gad = (await call(ctx.app, 'POST', '/api/questionnaire-library/gad-7', { cookie: admin })).json().questionnaire.id as string;
      const token = await patientToken(ctx, 'north', patient.email, patient.dateOfBirth);

      const repeat = await call(ctx.app, 'POST', `/api/questionnaires/${gad}/assignments`, { cookie: admin, body: { patientIds: [patient.id], channel: 'message', repeat: { every: 1, unit: 'week', until: '2099-01-01' } } });
      assert.equal(repeat.statusCode, 400);
      assert.equal(repeat.json().code, 'repeat_needs_link');
      assert.equal(Number((await ctx.deps.db.selectFrom('questionnaire_assignments').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n), 0, 'nothing sent');

      const res = await call(ctx.app, 'POST', `/api/questionnaires/${gad}/assignments`, { cookie: admin, body: { patientIds: [patient.id], channel: 'message' } });
      assert.equal(res.statusCode, 201, res.body);
      const row = await ctx.deps.db.selectFrom('questionnaire_assignments').select(['reply_thread_id']).executeTakeFirstOrThrow();
      const thread = (await call(ctx.app, 'GET', `/api/patient/threads/${row.reply_thread_id}`, { token })).json() as { thread: { subject: string }; messages: Array<{ body: string }> };
      assert.match(thread.thread.subject, /^Un questionnaire à remplir : /);
      assert.match(thread.messages[0]!.body, /^Veuillez remplir le questionnaire « .+ »\. Vous le trouverez sous Questionnaires/);
    });
  });
}
