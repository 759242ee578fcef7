import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertR4 } from '../support/fhir-r4.js';
import type { Questionnaire } from '@medplum/fhirtypes';
import { libraryResource } from '../../server/domain/questionnaire-library.js';
import { scoreAnswers } from '../../server/domain/questionnaire-scoring.js';
import type { Answers } from '../../shared/questionnaire-logic.js';
import { DIALECTS, build, call, patientToken, seedClinic, seedPatient, staffCookie } from './helpers.js';

const FREQ = ['LA6568-5', 'LA6569-3', 'LA6570-1', 'LA6571-9'];
const coded = (score: number) => [{ valueCoding: { system: 'http://loinc.org', code: FREQ[score]! } }];

/** Answers to `prefix-1..n` adding up to `total`, item `n` (PHQ-9 item 9) scored `last` unless the total needs more. */
function answersFor(prefix: string, n: number, total: number, last = 0): Answers {
  const scores = Array.from({ length: n }, () => 0);
  scores[n - 1] = last;
  let left = total - last;
  for (let i = 0; i < n - 1 && left > 0; i++) {
    scores[i] = Math.min(3, left);
    left -= scores[i]!;
  }
  if (left > 0) scores[n - 1]! += left;
  assert.equal(scores.reduce((a, b) => a + b, 0), total);
  return Object.fromEntries(scores.map((s, i) => [`${prefix}-${i + 1}`, coded(s)]));
}

const meta = { id: 'r1', status: 'completed' as const, questionnaireCanonical: 'urn:uuid:x|1', patientId: 'p1', authored: '2026-01-01T00:00:00.000Z' };

describe('library instruments: scores, bands and the PHQ-9 item-9 flag', () => {
  const phq9 = libraryResource('phq-9')!;
  const gad7 = libraryResource('gad-7')!;

  it('ships valid FHIR R4 Questionnaires with French text', () => {
    assertR4(phq9, 'PHQ-9');
    assertR4(gad7, 'GAD-7');
    assert.match(JSON.stringify(phq9), /Peu d’intérêt ou de plaisir/);
  });

  const PHQ9_BANDS: Array<[number, string]> = [[0, 'minimal'], [4, 'minimal'], [5, 'mild'], [9, 'mild'], [10, 'moderate'], [14, 'moderate'], [15, 'moderately-severe'], [19, 'moderately-severe'], [20, 'severe'], [27, 'severe']];
  for (const [total, band] of PHQ9_BANDS) {
    it(`PHQ-9 total ${total} is ${band}`, () => {
      const { result, answers } = scoreAnswers(phq9, answersFor('phq9', 9, total), meta);
      assert.equal(result.scores.length, 1);
      assert.equal(result.scores[0]!.value, total);
      assert.equal(result.scores[0]!.band?.code, band);
      assert.deepEqual(answers['phq9-total'], [{ valueInteger: total }], 'the calculated total is an answer of the response');
    });
  }

  const GAD7_BANDS: Array<[number, string]> = [[0, 'minimal'], [4, 'minimal'], [5, 'mild'], [9, 'mild'], [10, 'moderate'], [14, 'moderate'], [15, 'severe'], [21, 'severe']];
  for (const [total, band] of GAD7_BANDS) {
    it(`GAD-7 total ${total} is ${band}`, () => {
      const { result } = scoreAnswers(gad7, answersFor('gad7', 7, total), meta);
      assert.equal(result.scores[0]!.value, total);
      assert.equal(result.scores[0]!.band?.code, band);
      assert.deepEqual(result.flags, []);
    });
  }

  it('raises the item-9 flag for any answer above 0, whatever the total, and not for 0', () => {
    for (const item9 of [1, 2, 3]) assert.deepEqual(scoreAnswers(phq9, answersFor('phq9', 9, item9, item9), meta).result.flags, ['phq9-item9']);
    assert.deepEqual(scoreAnswers(phq9, answersFor('phq9', 9, 24, 0), meta).result.flags, []);
    assert.equal(scoreAnswers(phq9, answersFor('phq9', 9, 1, 1), meta).result.scores[0]!.band?.code, 'minimal');
  });
});

/** A small imported questionnaire: free text, a condition, every simple type. */
const CUSTOM: Questionnaire = {
  resourceType: 'Questionnaire',
  status: 'active',
  title: 'Pre-visit check',
  item: [
    { linkId: 'intro', type: 'display', text: 'A few questions before your visit.' },
    { linkId: 'smoke', type: 'boolean', text: 'Do you smoke?', required: true },
    { linkId: 'packs', type: 'integer', text: 'Packs a day', required: true, enableWhen: [{ question: 'smoke', operator: '=', answerBoolean: true }] },
    { linkId: 'notes', type: 'text', text: 'Anything else?' },
    { linkId: 'weight', type: 'decimal', text: 'Weight (kg)' },
    { linkId: 'last', type: 'date', text: 'Last visit' },
  ],
};

for (const d of DIALECTS) {
  describe(`questionnaires (${d.name})`, { skip: d.skip }, () => {
    async function setup(t: Parameters<typeof build>[0]) {
      const ctx = await build(t, d.name);
      const clinic = await seedClinic(ctx.deps, 'north');
      const patient = await seedPatient(ctx.deps, clinic);
      const other = await seedPatient(ctx.deps, clinic, { name: 'Robin Other', email: 'robin@north.example' });
      const admin = await staffCookie(ctx.app, 'admin@north.test');
      const token = await patientToken(ctx, 'north', patient.email, patient.dateOfBirth);
      return { ...ctx, clinic, patient, other, admin, token };
    }

    it('adds PHQ-9 from the library, assigns it, the patient fills it in, staff see score, band and the item-9 flag at once', async (t) => {
      const ctx = await setup(t);
      const library = (await call(ctx.app, 'GET', '/api/questionnaire-library', { cookie: ctx.admin })).json();
      assert.deepEqual(library.map((e: { key: string }) => e.key).sort(), ['bp-log', 'gad-7', 'phq-9']);
      const added = await call(ctx.app, 'POST', '/api/questionnaire-library/phq-9', { cookie: ctx.admin });
      assert.equal(added.statusCode, 201, added.body);
      const q = added.json();
      assertR4(q.resource, 'the questionnaire detail');
      assert.equal((await call(ctx.app, 'POST', '/api/questionnaire-library/phq-9', { cookie: ctx.admin })).statusCode, 200, 'adding again answers with the first');
      assertR4((await call(ctx.app, 'GET', `/api/questionnaires/${q.questionnaire.id}/fhir`, { cookie: ctx.admin })).json(), 'the export');

      const assigned = await call(ctx.app, 'POST', `/api/questionnaires/${q.questionnaire.id}/assignments`, { cookie: ctx.admin, body: { patientIds: [ctx.patient.id], dueDate: '2099-01-31' } });
      assert.equal(assigned.statusCode, 201, assigned.body);
      const [assignmentId] = assigned.json().ids;
      const notice = await ctx.smtp.take(ctx.patient.email);
      assert.match(notice.text, /http:\/\/localhost:3000\/p\/north|https:\/\/clinic\.example/);
      assert.equal(/PHQ|depress|Health Questionnaire/i.test(notice.subject + notice.text), false, 'the e-mail says nothing about the questionnaire');

      const mine = (await call(ctx.app, 'GET', '/api/patient/questionnaires', { token: ctx.token })).json();
      assert.equal(mine.length, 1);
      assert.equal(mine[0].dueDate, '2099-01-31');
      assert.equal(mine[0].status, 'assigned');
      const open = (await call(ctx.app, 'GET', `/api/patient/questionnaires/${assignmentId}`, { token: ctx.token })).json();
      assertR4(open.questionnaire, "the patient's questionnaire");
      assert.equal(open.response, null);

      // Autosave twice (in progress), then a submit with a missing answer is refused, then submitted.
      const partial = answersFor('phq9', 9, 12, 1);
      delete partial['phq9-5'];
      const save1 = await call(ctx.app, 'PUT', `/api/patient/questionnaires/${assignmentId}/answers`, { token: ctx.token, body: { answers: { 'phq9-1': coded(2) } } });
      assert.equal(save1.statusCode, 200, save1.body);
      const save2 = await call(ctx.app, 'PUT', `/api/patient/questionnaires/${assignmentId}/answers`, { token: ctx.token, body: { answers: partial } });
      assert.equal(save2.json().id, save1.json().id, 'autosave updates the same in-progress revision');
      assert.equal(save2.json().status, 'in-progress');
      const missing = await call(ctx.app, 'POST', `/api/patient/questionnaires/${assignmentId}/submit`, { token: ctx.token, body: { answers: partial } });
      assert.equal(missing.statusCode, 422);
      assert.equal(missing.json().code, 'answers_missing');
      assert.match(missing.json().message, /phq9-5/);
      const full = answersFor('phq9', 9, 12, 1);
      const submit = await call(ctx.app, 'POST', `/api/patient/questionnaires/${assignmentId}/submit`, { token: ctx.token, body: { answers: full } });
      assert.equal(submit.statusCode, 200, submit.body);
      assert.equal(submit.json().status, 'completed');

      // The flag: a live event and one notice per clinician, saying nothing about the patient or the answer.
      const events = await ctx.deps.db.selectFrom('events').select(['type', 'data']).where('type', '=', 'questionnaire').execute();
      assert.ok(events.some((e) => JSON.parse(e.data).kind === 'safety-flag'), 'a live safety-flag event');
      for (const who of ['admin@north.test', 'physician@north.test']) {
        const mail = await ctx.smtp.take(who);
        assert.match(mail.subject, /prompt review/);
        assert.equal(mail.text.includes(ctx.patient.name) || /PHQ|item 9|self-harm|suicid/i.test(mail.text), false, 'no health information in the e-mail');
      }
      const flagJobs = await ctx.deps.db.selectFrom('jobs').select(['payload']).where('kind', '=', 'mail.questionnaire-flag').execute();
      assert.equal(flagJobs.length, 2, 'admin and physician, not front-desk staff');

      const list = (await call(ctx.app, 'GET', '/api/questionnaire-assignments', { cookie: ctx.admin })).json();
      assert.equal(list[0].status, 'completed');
      assert.equal(list[0].patientName, ctx.patient.name);
      assert.equal(list[0].result.scores[0].value, 12);
      assert.equal(list[0].result.scores[0].band.code, 'moderate');
      assert.deepEqual(list[0].result.flags, ['phq9-item9']);

      const detail = (await call(ctx.app, 'GET', `/api/questionnaire-assignments/${assignmentId}`, { cookie: ctx.admin })).json();
      assertR4(detail.questionnaire, 'the questionnaire of an assignment');
      const exported = await call(ctx.app, 'GET', `/api/questionnaire-responses/${detail.responses[0].id}/fhir`, { cookie: ctx.admin });
      const qr = exported.json();
      assertR4(qr, 'the QuestionnaireResponse export');
      assert.equal(qr.status, 'completed');
      assert.equal(qr.questionnaire, `urn:uuid:${q.questionnaire.id}|1`);
      assert.equal(qr.subject.reference, `Patient/${ctx.patient.id}`);
      assert.deepEqual(qr.item.find((i: { linkId: string }) => i.linkId === 'phq9-total').answer, [{ valueInteger: 12 }]);

      const audit = await ctx.deps.db.selectFrom('audit_log').select(['action', 'actor_type', 'patient_id']).where('action', 'like', 'questionnaire.%').execute();
      const seen = new Set(audit.map((r) => `${r.actor_type}:${r.action}`));
      for (const expected of ['staff:questionnaire.add', 'staff:questionnaire.assign', 'patient:questionnaire.list', 'patient:questionnaire.read', 'patient:questionnaire.save', 'patient:questionnaire.submit', 'patient:questionnaire.flag', 'staff:questionnaire.list', 'staff:questionnaire.read', 'staff:questionnaire.export']) {
        assert.ok(seen.has(expected), `audited: ${expected}`);
      }
      assert.ok(audit.filter((r) => r.action !== 'questionnaire.add').every((r) => r.patient_id === ctx.patient.id), 'each row names the patient');
    });

    it('imports FHIR JSON (refusing invalid resources with the path of the first problem), publishes versions, drops hidden answers and keeps amendments', async (t) => {
      const ctx = await setup(t);
      const refused = async (body: unknown) => {
        const res = await call(ctx.app, 'POST', '/api/questionnaires', { cookie: ctx.admin, body });
        assert.equal(res.statusCode, 422, res.body);
        assert.equal(res.json().code, 'invalid_fhir');
        return res.json().message as string;
      };
      assert.match(await refused({ resourceType: 'Patient' }), /^resourceType: /);
      assert.match(await refused({ ...CUSTOM, item: [{ type: 'string', text: 'no id' }] }), /^Questionnaire\.item\[0\]\.linkId: Missing required property/);
      assert.match(await refused({ ...CUSTOM, status: undefined }), /^Questionnaire\.status: /);
      assert.match(await refused({ ...CUSTOM, item: [{ linkId: 'a', type: 'string', text: 7 }] }), /^Questionnaire\.item\[0\]\.text: /);
      assert.match(await refused({ ...CUSTOM, item: [{ linkId: 'a', type: 'reference' }] }), /^Questionnaire\.item\[0\]\.type: .*not supported/);
      assert.match(await refused({ ...CUSTOM, item: [{ linkId: 'a', type: 'string', enableWhen: [{ question: 'nope', operator: 'exists', answerBoolean: true }] }] }), /no item has linkId "nope"/);

      const imported = await call(ctx.app, 'POST', '/api/questionnaires', { cookie: ctx.admin, body: CUSTOM });
      assert.equal(imported.statusCode, 201, imported.body);
      const id = imported.json().questionnaire.id as string;
      const v1 = (await call(ctx.app, 'POST', `/api/questionnaires/${id}/assignments`, { cookie: ctx.admin, body: { patientIds: [ctx.patient.id] } })).json().ids[0];

      const changed = { ...CUSTOM, title: 'Pre-visit check (new)', item: [...CUSTOM.item!, { linkId: 'extra', type: 'string', text: 'New question' }] };
      const published = await call(ctx.app, 'PUT', `/api/questionnaires/${id}`, { cookie: ctx.admin, body: changed });
      assert.equal(published.statusCode, 200, published.body);
      assert.equal(published.json().questionnaire.version, 2);
      assert.deepEqual(published.json().versions.map((v: { version: number }) => v.version), [2, 1]);
      assertR4((await call(ctx.app, 'GET', `/api/questionnaires/${id}/fhir?version=1`, { cookie: ctx.admin })).json(), 'version 1');

      // The first assignment keeps version 1: "extra" is not one of its questions.
      const opened = (await call(ctx.app, 'GET', `/api/patient/questionnaires/${v1}`, { token: ctx.token })).json();
      assert.equal(opened.questionnaire.version, '1');
      const extra = await call(ctx.app, 'PUT', `/api/patient/questionnaires/${v1}/answers`, { token: ctx.token, body: { answers: { extra: [{ valueString: 'x' }] } } });
      assert.equal(extra.statusCode, 422);
      assert.equal(extra.json().code, 'unknown_item');
      const wrongType = await call(ctx.app, 'PUT', `/api/patient/questionnaires/${v1}/answers`, { token: ctx.token, body: { answers: { packs: [{ valueString: 'two' }] } } });
      assert.equal(wrongType.json().code, 'invalid_answer');

      // "packs" is hidden (not a smoker): the server drops its answer. The free text is sealed at rest.
      const secret = 'MY-PRIVATE-ANSWER-4242';
      const answers = { smoke: [{ valueBoolean: false }], packs: [{ valueInteger: 2 }], notes: [{ valueString: secret }], weight: [{ valueDecimal: 71.5 }], last: [{ valueDate: '2025-11-02' }] };
      const submitted = await call(ctx.app, 'POST', `/api/patient/questionnaires/${v1}/submit`, { token: ctx.token, body: { answers } });
      assert.equal(submitted.statusCode, 200, submitted.body);
      const detail = (await call(ctx.app, 'GET', `/api/questionnaire-assignments/${v1}`, { cookie: ctx.admin })).json();
      assert.equal(detail.assignment.version, 1);
      assert.equal(detail.responses[0].answers.packs, undefined, 'the answer to a hidden question was dropped');
      assert.equal(detail.responses[0].answers.notes[0].valueString, secret);

      const rows = await ctx.deps.db.selectFrom('questionnaire_responses').selectAll().execute();
      const raw = JSON.stringify(rows);
      assert.equal(raw.includes(secret), false, 'no answer text in the raw rows');
      assert.equal(raw.includes('71.5') || raw.includes('2025-11-02'), false, 'no answer values in the raw rows');

      // Submitted answers do not change silently: a save is refused; an amendment is a new revision, both kept.
      const over = await call(ctx.app, 'PUT', `/api/patient/questionnaires/${v1}/answers`, { token: ctx.token, body: { answers } });
      assert.equal(over.statusCode, 409);
      assert.equal(over.json().code, 'response_completed');
      const amend = await call(ctx.app, 'PUT', `/api/patient/questionnaires/${v1}/answers`, { token: ctx.token, body: { answers: { ...answers, notes: [{ valueString: 'changed' }] }, amend: true } });
      assert.equal(amend.statusCode, 200, amend.body);
      assert.equal(amend.json().revision, 2);
      const amended = await call(ctx.app, 'POST', `/api/patient/questionnaires/${v1}/submit`, { token: ctx.token, body: { answers: { ...answers, notes: [{ valueString: 'changed' }] } } });
      assert.equal(amended.json().status, 'amended');
      const both = (await call(ctx.app, 'GET', `/api/questionnaire-assignments/${v1}`, { cookie: ctx.admin })).json();
      assert.deepEqual(both.responses.map((r: { revision: number; status: string }) => [r.revision, r.status]), [[2, 'amended'], [1, 'completed']]);
      assert.equal(both.responses[1].answers.notes[0].valueString, secret, 'the first submission is kept as it was');
      for (const r of both.responses) assertR4((await call(ctx.app, 'GET', `/api/questionnaire-responses/${r.id}/fhir`, { cookie: ctx.admin })).json(), `revision ${r.revision}`);

      // A new assignment gets version 2.
      const v2 = (await call(ctx.app, 'POST', `/api/questionnaires/${id}/assignments`, { cookie: ctx.admin, body: { patientIds: [ctx.patient.id] } })).json().ids[0];
      assert.equal((await call(ctx.app, 'GET', `/api/patient/questionnaires/${v2}`, { token: ctx.token })).json().questionnaire.version, '2');
    });

    it("answers 404 for another clinic's questionnaires, assignments and responses, and for another patient's assignment", async (t) => {
      const ctx = await setup(t);
      const south = await seedClinic(ctx.deps, 'south');
      const southPatient = await seedPatient(ctx.deps, south, { email: 'sam@south.example' });
      const southAdmin = await staffCookie(ctx.app, 'admin@south.test');
      const q = (await call(ctx.app, 'POST', '/api/questionnaire-library/gad-7', { cookie: ctx.admin })).json();
      const id = q.questionnaire.id as string;
      const [assignmentId] = (await call(ctx.app, 'POST', `/api/questionnaires/${id}/assignments`, { cookie: ctx.admin, body: { patientIds: [ctx.patient.id] } })).json().ids;
      await call(ctx.app, 'POST', `/api/patient/questionnaires/${assignmentId}/submit`, { token: ctx.token, body: { answers: answersFor('gad7', 7, 3) } });
      const responseId = (await call(ctx.app, 'GET', `/api/questionnaire-assignments/${assignmentId}`, { cookie: ctx.admin })).json().responses[0].id;

      for (const [method, url, body] of [
        ['GET', `/api/questionnaires/${id}`],
        ['GET', `/api/questionnaires/${id}/fhir`],
        ['PUT', `/api/questionnaires/${id}`, libraryResource('gad-7')],
        ['POST', `/api/questionnaires/${id}/assignments`, { patientIds: [southPatient.id] }],
        ['GET', `/api/questionnaire-assignments/${assignmentId}`],
        ['GET', `/api/questionnaire-responses/${responseId}/fhir`],
      ] as Array<['GET' | 'PUT' | 'POST', string, unknown?]>) {
        const res = await call(ctx.app, method, url, { cookie: southAdmin, ...(body ? { body } : {}) });
        assert.equal(res.statusCode, 404, `${method} ${url}: ${res.body}`);
      }
      assert.deepEqual((await call(ctx.app, 'GET', '/api/questionnaire-assignments', { cookie: southAdmin })).json(), []);
      // North cannot assign to south's patient either.
      assert.equal((await call(ctx.app, 'POST', `/api/questionnaires/${id}/assignments`, { cookie: ctx.admin, body: { patientIds: [southPatient.id] } })).statusCode, 404);

      const otherToken = await patientToken(ctx, 'north', ctx.other.email, ctx.other.dateOfBirth);
      assert.deepEqual((await call(ctx.app, 'GET', '/api/patient/questionnaires', { token: otherToken })).json(), []);
      assert.equal((await call(ctx.app, 'GET', `/api/patient/questionnaires/${assignmentId}`, { token: otherToken })).statusCode, 404);
      assert.equal((await call(ctx.app, 'PUT', `/api/patient/questionnaires/${assignmentId}/answers`, { token: otherToken, body: { answers: {} } })).statusCode, 404);
      assert.equal((await call(ctx.app, 'POST', `/api/patient/questionnaires/${assignmentId}/submit`, { token: otherToken, body: { answers: {} } })).statusCode, 404);
      // Front-desk staff assign and read, but do not curate.
      const staff = await staffCookie(ctx.app, 'staff@north.test');
      assert.equal((await call(ctx.app, 'POST', '/api/questionnaires', { cookie: staff, body: CUSTOM })).statusCode, 403);
      assert.equal((await call(ctx.app, 'GET', `/api/questionnaire-assignments/${assignmentId}`, { cookie: staff })).statusCode, 200);
    });
  });
}
