import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Questionnaire } from '@medplum/fhirtypes';
import type { Answers } from '../../shared/questionnaire-logic.js';
import { DIALECTS, build, call, patientToken, seedClinic, seedPatient, staffCookie } from './helpers.js';

const FREQ = ['LA6568-5', 'LA6569-3', 'LA6570-1', 'LA6571-9'];

/** PHQ-9 answers adding up to `total` (item 9 left at 0). */
function phq9(total: number): Answers {
  const scores = Array.from({ length: 9 }, () => 0);
  for (let i = 0, left = total; i < 8 && left > 0; i++, left -= scores[i - 1]!) scores[i] = Math.min(3, left);
  return Object.fromEntries(scores.map((s, i) => [`phq9-${i + 1}`, [{ valueCoding: { system: 'http://loinc.org', code: FREQ[s]! } }]]));
}

const MMHG = [{ url: 'http://hl7.org/fhir/StructureDefinition/questionnaire-unit', valueCoding: { system: 'http://unitsofmeasure.org', code: 'mm[Hg]', display: 'mmHg' } }];
/** A home blood-pressure log: two quantities and a note. */
const BP: Questionnaire = {
  resourceType: 'Questionnaire',
  status: 'active',
  title: 'Home blood pressure',
  item: [
    { linkId: 'sys', type: 'quantity', text: 'Systolic', required: true, extension: MMHG },
    { linkId: 'dia', type: 'quantity', text: 'Diastolic', required: true, extension: MMHG },
    { linkId: 'note', type: 'string', text: 'Anything to add?' },
  ],
};

for (const d of DIALECTS) {
  describe(`questionnaire responses: trend, print, reply (${d.name})`, { skip: d.skip }, () => {
    async function setup(t: Parameters<typeof build>[0]) {
      const ctx = await build(t, d.name);
      const clinic = await seedClinic(ctx.deps, 'north');
      const south = await seedClinic(ctx.deps, 'south');
      const patient = await seedPatient(ctx.deps, clinic);
      const southPatient = await seedPatient(ctx.deps, south, { email: 'sam@south.example', name: 'Sam South' });
      const admin = await staffCookie(ctx.app, 'admin@north.test');
      const southAdmin = await staffCookie(ctx.app, 'admin@south.test');
      const token = await patientToken(ctx, 'north', patient.email, patient.dateOfBirth);
      const assign = async (questionnaireId: string) => {
        const res = await call(ctx.app, 'POST', `/api/questionnaires/${questionnaireId}/assignments`, { cookie: admin, body: { patientIds: [patient.id] } });
        assert.equal(res.statusCode, 201, res.body);
        await ctx.smtp.take(patient.email);
        return res.json().ids[0] as string;
      };
      const submit = async (assignmentId: string, answers: Answers, amend = false) => {
        const res = await call(ctx.app, 'POST', `/api/patient/questionnaires/${assignmentId}/submit`, { token, body: { answers, ...(amend ? { amend } : {}) } });
        assert.equal(res.statusCode, 200, res.body);
        return res.json().id as string;
      };
      return { ...ctx, clinic, south, patient, southPatient, admin, southAdmin, token, assign, submit };
    }

    it("charts a patient's scores and numeric answers over time, counting each assignment once by its latest revision, in the clinic only", async (t) => {
      const ctx = await setup(t);
      const phq = (await call(ctx.app, 'POST', '/api/questionnaire-library/phq-9', { cookie: ctx.admin })).json().questionnaire.id as string;
      const first = await ctx.assign(phq);
      await ctx.submit(first, phq9(5));
      const second = await ctx.assign(phq);
      await ctx.submit(second, phq9(12));
      await ctx.submit(first, phq9(7), true); // an amendment replaces what it amends
      await ctx.assign(phq); // assigned, not answered: no point

      const res = await call(ctx.app, 'GET', `/api/questionnaire-series?patientId=${ctx.patient.id}&questionnaireId=${phq}`, { cookie: ctx.admin });
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.equal(body.patientName, ctx.patient.name);
      assert.match(body.title, /PHQ-9/);
      assert.equal(body.series.length, 1, 'the total only: the items are coded answers');
      assert.equal(body.series[0].kind, 'score');
      assert.equal(body.series[0].linkId, 'phq9-total');
      assert.deepEqual(body.series[0].points.map((p: { value: number }) => p.value).sort(), [12, 7]);
      assert.deepEqual(new Set(body.series[0].points.map((p: { assignmentId: string }) => p.assignmentId)), new Set([first, second]));

      const bp = (await call(ctx.app, 'POST', '/api/questionnaires', { cookie: ctx.admin, body: BP })).json().questionnaire.id as string;
      for (const [sys, dia] of [[142, 91], [131, 84]]) await ctx.submit(await ctx.assign(bp), { sys: [{ valueQuantity: { value: sys! } }], dia: [{ valueQuantity: { value: dia! } }], note: [{ valueString: 'after a walk' }] });
      const bpSeries = (await call(ctx.app, 'GET', `/api/questionnaire-series?patientId=${ctx.patient.id}&questionnaireId=${bp}`, { cookie: ctx.admin })).json().series;
      assert.deepEqual(
        bpSeries.map((s: { linkId: string; kind: string; unit: string; points: Array<{ value: number }> }) => [s.linkId, s.kind, s.unit, s.points.map((p) => p.value)]),
        [['sys', 'answer', 'mm[Hg]', [142, 131]], ['dia', 'answer', 'mm[Hg]', [91, 84]]],
        'oldest first, the text answer left out',
      );

      // Another clinic's staff, patient or questionnaire: not found.
      assert.equal((await call(ctx.app, 'GET', `/api/questionnaire-series?patientId=${ctx.patient.id}&questionnaireId=${phq}`, { cookie: ctx.southAdmin })).statusCode, 404);
      assert.equal((await call(ctx.app, 'GET', `/api/questionnaire-series?patientId=${ctx.southPatient.id}&questionnaireId=${phq}`, { cookie: ctx.admin })).statusCode, 404);
      assert.equal((await call(ctx.app, 'GET', `/api/questionnaire-series?patientId=${ctx.patient.id}&questionnaireId=${randomUUID()}`, { cookie: ctx.admin })).statusCode, 404);
      assert.equal((await call(ctx.app, 'GET', `/api/questionnaire-series?patientId=${ctx.patient.id}&questionnaireId=${phq}`)).statusCode, 401);

      const audit = await ctx.deps.db.selectFrom('audit_log').select(['action', 'patient_id', 'target']).where('action', '=', 'questionnaire.trend').execute();
      assert.equal(audit.length, 2);
      assert.ok(audit.every((r) => r.patient_id === ctx.patient.id));
      assert.ok(audit.some((r) => r.target === `questionnaire:${phq}:responses:2`));
    });

    it('filters the list by patient, questionnaire and status, overdue included', async (t) => {
      const ctx = await setup(t);
      const phq = (await call(ctx.app, 'POST', '/api/questionnaire-library/phq-9', { cookie: ctx.admin })).json().questionnaire.id as string;
      const gad = (await call(ctx.app, 'POST', '/api/questionnaire-library/gad-7', { cookie: ctx.admin })).json().questionnaire.id as string;
      const done = await ctx.assign(phq);
      await ctx.submit(done, phq9(3));
      const late = (await call(ctx.app, 'POST', `/api/questionnaires/${gad}/assignments`, { cookie: ctx.admin, body: { patientIds: [ctx.patient.id], dueDate: '2020-01-01' } })).json().ids[0];
      const list = async (q: string) => (await call(ctx.app, 'GET', `/api/questionnaire-assignments?${q}`, { cookie: ctx.admin })).json().map((a: { id: string }) => a.id);
      assert.deepEqual(await list('status=completed'), [done]);
      assert.deepEqual(await list('status=overdue'), [late]);
      assert.deepEqual(await list('status=assigned'), [late]);
      assert.deepEqual(await list(`questionnaireId=${phq}&patientId=${ctx.patient.id}`), [done]);
      assert.deepEqual(await list('status=in-progress'), []);
      assert.equal((await call(ctx.app, 'GET', '/api/questionnaire-assignments?status=late', { cookie: ctx.admin })).statusCode, 400);

      // Overdue by the clinic's calendar (America/Toronto): at 22:00 on 9 March there, already the
      // 10th in UTC, a form due on the 9th is not late yet; two hours later it is.
      const dueToday = (await call(ctx.app, 'POST', `/api/questionnaires/${phq}/assignments`, { cookie: ctx.admin, body: { patientIds: [ctx.patient.id], dueDate: '2026-03-09' } })).json().ids[0];
      const overdueOf = async () => (await call(ctx.app, 'GET', `/api/questionnaire-assignments?patientId=${ctx.patient.id}`, { cookie: ctx.admin })).json().find((a: { id: string }) => a.id === dueToday).overdue;
      t.mock.timers.enable({ apis: ['Date'], now: Date.parse('2026-03-10T02:00:00Z') });
      assert.equal(await overdueOf(), false);
      assert.deepEqual(await list('status=overdue'), [late]);
      t.mock.timers.setTime(Date.parse('2026-03-10T04:30:00Z'));
      assert.equal(await overdueOf(), true);
      assert.deepEqual(new Set(await list('status=overdue')), new Set([late, dueToday]));
      t.mock.timers.reset();
    });

    it("gives the print view its clinic, patient, questionnaire version, answers and scores, audited as a view, and 404 to another clinic", async (t) => {
      const ctx = await setup(t);
      const phq = (await call(ctx.app, 'POST', '/api/questionnaire-library/phq-9', { cookie: ctx.admin })).json().questionnaire.id as string;
      const assignment = await ctx.assign(phq);
      const responseId = await ctx.submit(assignment, phq9(11));
      const res = await call(ctx.app, 'GET', `/api/questionnaire-responses/${responseId}/print`, { cookie: ctx.admin });
      assert.equal(res.statusCode, 200, res.body);
      const p = res.json();
      assert.equal(p.clinicName, 'Clinic north');
      assert.deepEqual(p.patient, { id: ctx.patient.id, name: ctx.patient.name, dateOfBirth: ctx.patient.dateOfBirth });
      assert.equal(p.assignmentId, assignment);
      assert.equal(p.version, 1);
      assert.equal(p.questionnaire.resourceType, 'Questionnaire');
      assert.equal(p.response.status, 'completed');
      assert.ok(p.response.submittedAt);
      assert.deepEqual(p.response.answers['phq9-1'], phq9(11)['phq9-1']);
      assert.equal(p.response.result.scores[0].value, 11);
      assert.equal(p.response.result.scores[0].band.code, 'moderate');
      assert.equal((await call(ctx.app, 'GET', `/api/questionnaire-responses/${responseId}/print`, { cookie: ctx.southAdmin })).statusCode, 404);
      const audit = await ctx.deps.db.selectFrom('audit_log').select(['patient_id', 'target']).where('action', '=', 'questionnaire.print').execute();
      assert.deepEqual(audit, [{ patient_id: ctx.patient.id, target: `response:${responseId}` }]);
    });

    it('replies about a response in one conversation: a thread and message naming the questionnaire and date, no answers, a content-free notice, audited', async (t) => {
      const ctx = await setup(t);
      const phq = (await call(ctx.app, 'POST', '/api/questionnaire-library/phq-9', { cookie: ctx.admin })).json().questionnaire.id as string;
      const assignment = await ctx.assign(phq);
      await ctx.submit(assignment, phq9(16));
      const body = { id: randomUUID(), body: 'Thank you. Could you call us this week?' };
      const res = await call(ctx.app, 'POST', `/api/questionnaire-assignments/${assignment}/reply`, { cookie: ctx.admin, body });
      assert.equal(res.statusCode, 200, res.body);
      const { threadId, messageId, newThread } = res.json();
      assert.equal(newThread, true);
      assert.equal(messageId, body.id);
      const again = await call(ctx.app, 'POST', `/api/questionnaire-assignments/${assignment}/reply`, { cookie: ctx.admin, body });
      assert.equal(again.json().threadId, threadId, 'a retry answers with the same conversation');

      const thread = (await call(ctx.app, 'GET', `/api/patient/threads/${threadId}`, { token: ctx.token })).json();
      assert.match(thread.thread.subject, /PHQ-9/);
      assert.equal(thread.messages.length, 1);
      const text: string = thread.messages[0].body;
      assert.match(text, /^About your questionnaire “Patient Health Questionnaire \(PHQ-9\)” of \w+ \d{1,2}, \d{4}:\n\nThank you\. Could you call us this week\?$/);
      assert.doesNotMatch(text, /16|moderately|severe/i, 'no score or answer is copied');

      const row = await ctx.deps.db.selectFrom('questionnaire_assignments').select(['reply_thread_id']).where('id', '=', assignment).executeTakeFirstOrThrow();
      assert.equal(row.reply_thread_id, threadId);
      const notices = await ctx.deps.db.selectFrom('jobs').select(['payload']).where('kind', '=', 'mail.new-message').execute();
      assert.equal(notices.length, 1);
      assert.deepEqual(Object.keys(JSON.parse(notices[0]!.payload)), ['patientId'], 'the notice carries nothing but who to tell');

      // A second reply continues the same conversation.
      const next = await call(ctx.app, 'POST', `/api/questionnaire-assignments/${assignment}/reply`, { cookie: ctx.admin, body: { id: randomUUID(), body: 'One more thing.' } });
      assert.equal(next.statusCode, 200, next.body);
      assert.equal(next.json().threadId, threadId);
      assert.equal(next.json().newThread, false);

      const audit = await ctx.deps.db.selectFrom('audit_log').select(['action', 'patient_id', 'target']).where('action', 'in', ['questionnaire.reply', 'thread.start', 'message.send']).orderBy('seq').execute();
      assert.deepEqual(audit.map((r) => r.action), ['thread.start', 'message.send', 'questionnaire.reply', 'message.send', 'questionnaire.reply']);
      assert.ok(audit.every((r) => r.patient_id === ctx.patient.id));

      // Another clinic's staff: not found, nothing written.
      const foreign = await call(ctx.app, 'POST', `/api/questionnaire-assignments/${assignment}/reply`, { cookie: ctx.southAdmin, body: { id: randomUUID(), body: 'Hello' } });
      assert.equal(foreign.statusCode, 404);
      assert.equal((await ctx.deps.db.selectFrom('messages').select('id').execute()).length, 2);
    });
  });
}
