/**
 * A submit retried with its id (the device's outbox after a lost answer, or two tabs at once) is the
 * same submit: one response revision, one audit row, one "submitted" event; the same id with other
 * answers is a conflict and someone else's id is not found.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import type { Answers } from '../../shared/questionnaire-logic.js';
import { DIALECTS, build, call, patientToken, seedClinic, seedPatient, staffCookie } from './helpers.js';

const FREQ = ['LA6568-5', 'LA6569-3', 'LA6570-1', 'LA6571-9'];
/** GAD-7 answers, every item scored `score`. */
const gad7 = (score: number): Answers => Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`gad7-${i + 1}`, [{ valueCoding: { system: 'http://loinc.org', code: FREQ[score]! } }]]));

for (const d of DIALECTS) {
  describe(`questionnaire submit retried with its id (${d.name})`, { skip: d.skip }, () => {
    async function setup(t: Parameters<typeof build>[0]) {
      const ctx = await build(t, d.name);
      const clinic = await seedClinic(ctx.deps, 'north');
      const patient = await seedPatient(ctx.deps, clinic);
      const other = await seedPatient(ctx.deps, clinic, { name: 'Robin Other', email: 'robin@north.example' });
      const admin = await staffCookie(ctx.app, 'admin@north.test');
      const token = await patientToken(ctx, 'north', patient.email, patient.dateOfBirth);
      // Signed in before the assignment's e-mails arrive (the sign-in code is read from the mailbox).
      const otherToken = await patientToken(ctx, 'north', other.email, other.dateOfBirth);
      const q = (await call(ctx.app, 'POST', '/api/questionnaire-library/gad-7', { cookie: admin })).json();
      const [assignmentId] = (await call(ctx.app, 'POST', `/api/questionnaires/${q.questionnaire.id}/assignments`, { cookie: admin, body: { patientIds: [patient.id, other.id] } })).json().ids as string[];
      const submit = (body: unknown, as = token) => call(ctx.app, 'POST', `/api/patient/questionnaires/${assignmentId}/submit`, { token: as, body });
      const revisions = async () => (await ctx.deps.db.selectFrom('questionnaire_responses').select(['revision', 'status']).where('assignment_id', '=', assignmentId!).orderBy('revision').execute()).map((r) => `${r.revision}:${r.status}`);
      const submitAudits = async () => (await ctx.deps.db.selectFrom('audit_log').select('action').where('action', '=', 'questionnaire.submit').execute()).length;
      const submittedEvents = async () => (await ctx.deps.db.selectFrom('events').select('data').execute()).filter((e) => String(e.data).includes('"submitted"')).length;
      return { ...ctx, otherToken, token, submit, revisions, submitAudits, submittedEvents };
    }

    it('stores a replayed submit once and answers it as the first time', async (t) => {
      const ctx = await setup(t);
      const id = randomUUID();
      const first = await ctx.submit({ id, answers: gad7(1) });
      assert.equal(first.statusCode, 200, first.body);
      const again = await ctx.submit({ id, answers: gad7(1) });
      assert.equal(again.statusCode, 200, again.body);
      assert.deepEqual(again.json(), first.json(), 'the retry answers as the first submit did');
      assert.deepEqual(await ctx.revisions(), ['1:completed']);
      assert.equal(await ctx.submitAudits(), 1);
      assert.equal(await ctx.submittedEvents(), 1);

      // An amendment retried with its id is one amendment, not two.
      const amendId = randomUUID();
      const amended = await ctx.submit({ id: amendId, amend: true, answers: gad7(2) });
      assert.equal(amended.statusCode, 200, amended.body);
      const amendedAgain = await ctx.submit({ id: amendId, amend: true, answers: gad7(2) });
      assert.equal(amendedAgain.statusCode, 200, amendedAgain.body);
      assert.equal(amendedAgain.json().revision, 2);
      assert.deepEqual(await ctx.revisions(), ['1:completed', '2:amended']);
      assert.equal(await ctx.submitAudits(), 2);

      // A new id without amend over a submitted response is still refused as before.
      const fresh = await ctx.submit({ id: randomUUID(), answers: gad7(1) });
      assert.equal(fresh.statusCode, 409);
      assert.equal(fresh.json().code, 'response_completed');
    });

    it('refuses the same id with other answers (409 id_conflict), and another patient using it is a 404', async (t) => {
      const ctx = await setup(t);
      const id = randomUUID();
      assert.equal((await ctx.submit({ id, answers: gad7(1) })).statusCode, 200);
      const changed = await ctx.submit({ id, answers: gad7(3) });
      assert.equal(changed.statusCode, 409);
      assert.equal(changed.json().code, 'id_conflict');
      assert.equal((await ctx.submit({ id, answers: gad7(1) }, ctx.otherToken)).statusCode, 404);
      assert.deepEqual(await ctx.revisions(), ['1:completed']);
    });

    it('two submits racing with one id end with one response', async (t) => {
      const ctx = await setup(t);
      const id = randomUUID();
      const results = await Promise.all(Array.from({ length: 4 }, () => ctx.submit({ id, answers: gad7(1) })));
      for (const r of results) assert.equal(r.statusCode, 200, r.body);
      assert.equal(new Set(results.map((r) => r.json().id)).size, 1);
      assert.deepEqual(await ctx.revisions(), ['1:completed']);
      assert.equal(await ctx.submitAudits(), 1);
    });
  });
}
