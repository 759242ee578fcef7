import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertR4 } from '../support/fhir-r4.js';
import type { Questionnaire, QuestionnaireResponseItem } from '@medplum/fhirtypes';
import { instanceScope, missingRequired, pruneAnswers, scopeEnabled, TOP_SCOPE, type Answers } from '../../shared/questionnaire-logic.js';
import { logicOptions } from '../../server/domain/questionnaire-scoring.js';
import { DIALECTS, build, call, patientToken, seedClinic, seedPatient, staffCookie } from './helpers.js';

/** Medications (repeating), each with its doses (repeating): conditions inside the inner group look at the dose, the medication and the questionnaire. */
const MEDS: Questionnaire = {
  resourceType: 'Questionnaire',
  status: 'active',
  title: 'Medications',
  item: [
    { linkId: 'any-meds', type: 'boolean', text: 'Do you take medication?' },
    {
      linkId: 'meds', type: 'group', text: 'Medication', repeats: true,
      enableWhen: [{ question: 'any-meds', operator: '=', answerBoolean: true }],
      item: [
        { linkId: 'med-name', type: 'string', text: 'Name', required: true },
        { linkId: 'med-prn', type: 'boolean', text: 'Only when needed?' },
        {
          linkId: 'doses', type: 'group', text: 'Dose', repeats: true, required: true,
          item: [
            { linkId: 'dose-amount', type: 'decimal', text: 'Amount', required: true },
            { linkId: 'dose-time', type: 'string', text: 'Time of day', enableWhen: [{ question: 'med-prn', operator: '=', answerBoolean: false }] },
            { linkId: 'dose-food', type: 'boolean', text: 'With food?', enableWhen: [{ question: 'any-meds', operator: 'exists', answerBoolean: true }] },
            { linkId: 'dose-note', type: 'string', text: 'Why?', enableWhen: [{ question: 'dose-amount', operator: '>', answerDecimal: 100 }] },
          ],
        },
      ],
    },
  ],
};

const med = (name: string, prn: boolean, doses: Answers[]) => ({ item: { 'med-name': [{ valueString: name }], 'med-prn': [{ valueBoolean: prn }], doses: doses.map((item) => ({ item })) } });

describe('a repeating group inside a repeating group (logic)', () => {
  it('decides an inner instance by its own answers, then its medication\'s, then the questionnaire\'s', () => {
    const meds = MEDS.item![1]!;
    const doses = meds.item![2]!;
    const top: Answers = { 'any-meds': [{ valueBoolean: true }] };
    const outer = scopeEnabled(MEDS.item, top, TOP_SCOPE);
    const inMed = (prn: boolean) => {
      const medAnswers: Answers = { 'med-prn': [{ valueBoolean: prn }] };
      const medScope = instanceScope(meds, top, outer, TOP_SCOPE);
      return instanceScope(doses, medAnswers, scopeEnabled(meds.item, medAnswers, medScope), medScope);
    };
    assert.equal(scopeEnabled(doses.item, {}, inMed(false)).has('dose-time'), true, 'a regular medication asks the time');
    assert.equal(scopeEnabled(doses.item, {}, inMed(true)).has('dose-time'), false, 'one taken when needed does not');
    assert.equal(scopeEnabled(doses.item, {}, inMed(true)).has('dose-food'), true, 'a question of the questionnaire counts inside');
    assert.equal(scopeEnabled(doses.item, { 'dose-amount': [{ valueDecimal: 500 }] }, inMed(true)).has('dose-note'), true, 'a question of the same dose counts');
  });

  it('keeps each dose under its own medication, drops what is hidden or empty, and names what is missing by both instances', () => {
    const answers: Answers = {
      'any-meds': [{ valueBoolean: true }],
      meds: [
        med('Ramipril', false, [{ 'dose-amount': [{ valueDecimal: 5 }], 'dose-time': [{ valueString: 'morning' }] }, {}, { 'dose-time': [{ valueString: 'night' }] }]),
        med('Tylenol', true, [{ 'dose-amount': [{ valueDecimal: 500 }], 'dose-time': [{ valueString: 'hidden' }], 'dose-note': [{ valueString: 'headache' }] }]),
        { item: { 'med-name': [{ valueString: 'Vitamin D' }] } },
      ],
    };
    const kept = pruneAnswers(MEDS.item, answers);
    assert.deepEqual(kept.meds![0]!.item!.doses, [{ item: { 'dose-amount': [{ valueDecimal: 5 }], 'dose-time': [{ valueString: 'morning' }] } }, { item: { 'dose-time': [{ valueString: 'night' }] } }]);
    assert.deepEqual(kept.meds![1]!.item!.doses, [{ item: { 'dose-amount': [{ valueDecimal: 500 }], 'dose-note': [{ valueString: 'headache' }] } }], 'the time of a when-needed medication is dropped');
    assert.deepEqual(missingRequired(MEDS.item, answers), ['meds/0/doses/2/dose-amount', 'meds/2/doses']);
    assert.deepEqual(pruneAnswers(MEDS.item, { ...answers, 'any-meds': [{ valueBoolean: false }] }), { 'any-meds': [{ valueBoolean: false }] }, 'a hidden outer group takes its inner groups with it');
  });

  it('evaluates an enableWhenExpression inside a dose over the response as that dose sees it (its own medication only)', () => {
    const q: Questionnaire = structuredClone(MEDS);
    const dose = q.item![1]!.item![2]!;
    dose.item!.push({
      linkId: 'dose-why', type: 'string', text: 'What for?',
      extension: [{ url: 'http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-enableWhenExpression', valueExpression: { language: 'text/fhirpath', expression: "%resource.repeat(item).where(linkId='med-prn').answer.value = true" } }],
    });
    const why = { 'dose-amount': [{ valueDecimal: 1 }], 'dose-why': [{ valueString: 'pain' }] };
    const kept = pruneAnswers(q.item, { 'any-meds': [{ valueBoolean: true }], meds: [med('Ramipril', false, [why]), med('Tylenol', true, [why])] }, logicOptions(q));
    assert.deepEqual(kept.meds!.map((m) => m.item!.doses![0]!.item!['dose-why']), [undefined, [{ valueString: 'pain' }]]);
  });
});

for (const d of DIALECTS) {
  describe(`repeating groups inside repeating groups (${d.name})`, { skip: d.skip }, () => {
    async function setup(t: Parameters<typeof build>[0]) {
      const ctx = await build(t, d.name);
      const clinic = await seedClinic(ctx.deps, 'north');
      const patient = await seedPatient(ctx.deps, clinic);
      const admin = await staffCookie(ctx.app, 'admin@north.test');
      const token = await patientToken(ctx, 'north', patient.email, patient.dateOfBirth);
      const imported = await call(ctx.app, 'POST', '/api/questionnaires', { cookie: admin, body: MEDS });
      assert.equal(imported.statusCode, 201, imported.body);
      const qid = imported.json().questionnaire.id as string;
      const [assignmentId] = (await call(ctx.app, 'POST', `/api/questionnaires/${qid}/assignments`, { cookie: admin, body: { patientIds: [patient.id] } })).json().ids as string[];
      return { ...ctx, admin, token, assignmentId: assignmentId! };
    }

    it('stores doses under their medication and exports them nested in a valid R4 QuestionnaireResponse', async (t) => {
      const ctx = await setup(t);
      const answers = {
        'any-meds': [{ valueBoolean: true }],
        meds: [
          med('Ramipril', false, [{ 'dose-amount': [{ valueDecimal: 5 }], 'dose-time': [{ valueString: 'morning' }] }, { 'dose-amount': [{ valueDecimal: 2.5 }], 'dose-time': [{ valueString: 'night' }] }]),
          med('Tylenol', true, [{ 'dose-amount': [{ valueDecimal: 500 }], 'dose-note': [{ valueString: 'headache' }] }]),
        ],
      };
      const saved = await call(ctx.app, 'PUT', `/api/patient/questionnaires/${ctx.assignmentId}/answers`, { token: ctx.token, body: { answers } });
      assert.equal(saved.statusCode, 200, saved.body);
      const reopened = (await call(ctx.app, 'GET', `/api/patient/questionnaires/${ctx.assignmentId}`, { token: ctx.token })).json();
      assert.deepEqual(reopened.response.answers, answers, 'the autosaved answers come back as they were nested');
      const submitted = await call(ctx.app, 'POST', `/api/patient/questionnaires/${ctx.assignmentId}/submit`, { token: ctx.token, body: { answers } });
      assert.equal(submitted.statusCode, 200, submitted.body);

      const detail = (await call(ctx.app, 'GET', `/api/questionnaire-assignments/${ctx.assignmentId}`, { cookie: ctx.admin })).json();
      assert.deepEqual(detail.responses[0].answers, answers);
      const qr = (await call(ctx.app, 'GET', `/api/questionnaire-responses/${detail.responses[0].id}/fhir`, { cookie: ctx.admin })).json();
      assertR4(qr, 'the QuestionnaireResponse with nested repeating groups');
      const meds = (qr.item as QuestionnaireResponseItem[]).filter((i) => i.linkId === 'meds');
      assert.equal(meds.length, 2, 'one response item per medication');
      const doses = (m: QuestionnaireResponseItem) => m.item!.filter((i) => i.linkId === 'doses');
      assert.deepEqual(doses(meds[0]!).map((x) => x.item!.map((i) => `${i.linkId}=${i.answer![0]!.valueDecimal ?? i.answer![0]!.valueString}`)), [['dose-amount=5', 'dose-time=morning'], ['dose-amount=2.5', 'dose-time=night']]);
      assert.deepEqual(doses(meds[1]!).map((x) => x.item!.map((i) => i.linkId)), [['dose-amount', 'dose-note']]);
      assert.equal(JSON.stringify(await ctx.deps.db.selectFrom('questionnaire_responses').selectAll().execute()).includes('Ramipril'), false, 'answers sealed at rest');
    });

    it('refuses a wrong answer inside a dose by its full path, a missing dose amount by both instances, and nesting deeper than the questionnaire', async (t) => {
      const ctx = await setup(t);
      const save = (answers: unknown) => call(ctx.app, 'PUT', `/api/patient/questionnaires/${ctx.assignmentId}/answers`, { token: ctx.token, body: { answers } });
      const wrong = await save({ meds: [med('Ramipril', false, [{}, { 'dose-amount': [{ valueString: 'lots' }] }])] });
      assert.equal(wrong.statusCode, 422, wrong.body);
      assert.equal(wrong.json().code, 'invalid_answer');
      assert.match(wrong.json().message, /^meds\/0\/doses\/1\/dose-amount: wrong_type/);
      const stray = await save({ meds: [{ item: { 'dose-amount': [{ valueDecimal: 1 }] } }] });
      assert.equal(stray.statusCode, 422, 'a dose question outside its dose');
      assert.equal(stray.json().code, 'unknown_item');
      const deeper = await save({ meds: [{ item: { doses: [{ item: { 'dose-amount': [{ item: { x: [{ valueString: 'y' }] } }] } }] } }] });
      assert.equal(deeper.statusCode, 400, 'a third level is refused at the edge');

      const missing = await call(ctx.app, 'POST', `/api/patient/questionnaires/${ctx.assignmentId}/submit`, { token: ctx.token, body: { answers: { 'any-meds': [{ valueBoolean: true }], meds: [med('Ramipril', false, [{ 'dose-time': [{ valueString: 'morning' }] }])] } } });
      assert.equal(missing.statusCode, 422);
      assert.equal(missing.json().code, 'answers_missing');
      assert.match(missing.json().message, /meds\/0\/doses\/0\/dose-amount/);
    });

    it('imports two levels of repeating groups, refuses a third and a condition reaching into another medication\'s doses', async (t) => {
      const ctx = await setup(t);
      const importing = (body: unknown) => call(ctx.app, 'POST', '/api/questionnaires', { cookie: ctx.admin, body });
      const base = { resourceType: 'Questionnaire', status: 'active', title: 'x' };
      const three = await importing({ ...base, item: [{ linkId: 'a', type: 'group', repeats: true, item: [{ linkId: 'b', type: 'group', repeats: true, item: [{ linkId: 'c', type: 'group', repeats: true, item: [{ linkId: 's', type: 'string' }] }] }] }] });
      assert.equal(three.statusCode, 422);
      assert.match(three.json().message, /^Questionnaire\.item\[0\]\.item\[0\]\.item\[0\]\.repeats: repeating groups nest 2 deep at most/);
      const reaching = await importing({
        ...base,
        item: [{ linkId: 'a', type: 'group', repeats: true, item: [{ linkId: 'b', type: 'group', repeats: true, item: [{ linkId: 'in', type: 'boolean' }] }, { linkId: 'out', type: 'string', enableWhen: [{ question: 'in', operator: 'exists', answerBoolean: true }] }] }],
      });
      assert.equal(reaching.statusCode, 422);
      assert.match(reaching.json().message, /"in" is inside a repeating group this item is not in/);
    });
  });
}
