import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertR4 } from '../support/fhir-r4.js';
import type { Questionnaire, QuestionnaireResponseItem } from '@medplum/fhirtypes';
import { logicOptions } from '../../server/domain/questionnaire-scoring.js';
import { enabledLinkIds, instanceEnabled, missingRequired, pruneAnswers, type Answers } from '../../shared/questionnaire-logic.js';
import { DIALECTS, build, call, patientToken, seedClinic, seedPatient, staffCookie } from './helpers.js';

const EXPR = 'http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-enableWhenExpression';
const UNIT = 'http://hl7.org/fhir/StructureDefinition/questionnaire-unit';
const fr = (text: string) => ({ extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/translation', extension: [{ url: 'lang', valueCode: 'fr' }, { url: 'content', valueString: text }] }] });

/** Every remaining item type, a repeating group and an enableWhenExpression. */
const ITEMS: Questionnaire = {
  resourceType: 'Questionnaire',
  status: 'active',
  title: 'Intake',
  item: [
    {
      linkId: 'allergy', type: 'open-choice', text: 'Allergy', _text: fr('Allergie'), required: true,
      answerOption: [{ valueCoding: { system: 'http://snomed.info/sct', code: '91936005', display: 'Penicillin' } }, { valueCoding: { system: 'http://snomed.info/sct', code: '300913006', display: 'Shellfish' } }],
    } as Questionnaire['item'] extends Array<infer T> | undefined ? T : never,
    { linkId: 'onset', type: 'dateTime', text: 'When did it start?' },
    { linkId: 'weight', type: 'quantity', text: 'Weight', extension: [{ url: UNIT, valueCoding: { system: 'http://unitsofmeasure.org', code: 'kg', display: 'kg' } }] },
    { linkId: 'photo', type: 'attachment', text: 'Photo of the rash' },
    { linkId: 'pain', type: 'integer', text: 'Pain (0-10)' },
    {
      linkId: 'pain-where', type: 'string', text: 'Where does it hurt?',
      extension: [{ url: EXPR, valueExpression: { language: 'text/fhirpath', expression: "%resource.repeat(item).where(linkId='pain').answer.value > 5" } }],
    },
    {
      linkId: 'meds', type: 'group', text: 'Medication', repeats: true,
      item: [
        { linkId: 'med-name', type: 'string', text: 'Name', required: true },
        { linkId: 'med-daily', type: 'boolean', text: 'Every day?' },
        { linkId: 'med-times', type: 'integer', text: 'Times a day', enableWhen: [{ question: 'med-daily', operator: '=', answerBoolean: true }] },
      ],
    },
  ],
};


describe('questionnaire logic for the remaining item types', () => {
  const options = logicOptions(ITEMS);

  it('evaluates enableWhenExpression with the fhirpath engine: answers to a disabled item are dropped', () => {
    assert.equal(enabledLinkIds(ITEMS.item, { pain: [{ valueInteger: 3 }] }, options).has('pain-where'), false);
    assert.equal(enabledLinkIds(ITEMS.item, { pain: [{ valueInteger: 8 }] }, options).has('pain-where'), true);
    assert.deepEqual(pruneAnswers(ITEMS.item, { pain: [{ valueInteger: 3 }], 'pain-where': [{ valueString: 'knee' }] }, options), { pain: [{ valueInteger: 3 }] });
    assert.deepEqual(pruneAnswers(ITEMS.item, { pain: [{ valueInteger: 8 }], 'pain-where': [{ valueString: 'knee' }] }, options), { pain: [{ valueInteger: 8 }], 'pain-where': [{ valueString: 'knee' }] });
  });

  it('decides enableWhen inside each repeating-group instance by that instance, drops empty instances and names missing answers by instance', () => {
    const group = ITEMS.item!.find((i) => i.linkId === 'meds')!;
    assert.equal(instanceEnabled(group, { 'med-daily': [{ valueBoolean: true }] }, {}).has('med-times'), true);
    assert.equal(instanceEnabled(group, { 'med-daily': [{ valueBoolean: false }] }, {}).has('med-times'), false);
    const answers: Answers = {
      allergy: [{ valueString: 'Latex' }],
      meds: [
        { item: { 'med-name': [{ valueString: 'Ramipril' }], 'med-daily': [{ valueBoolean: false }], 'med-times': [{ valueInteger: 2 }] } },
        { item: {} },
        { item: { 'med-daily': [{ valueBoolean: true }], 'med-times': [{ valueInteger: 3 }] } },
      ],
    };
    assert.deepEqual(pruneAnswers(ITEMS.item, answers, options).meds, [
      { item: { 'med-name': [{ valueString: 'Ramipril' }], 'med-daily': [{ valueBoolean: false }] } },
      { item: { 'med-daily': [{ valueBoolean: true }], 'med-times': [{ valueInteger: 3 }] } },
    ]);
    assert.deepEqual(missingRequired(ITEMS.item, answers, options), ['meds/2/med-name']);
  });
});

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 1)]);

for (const d of DIALECTS) {
  describe(`questionnaire item types (${d.name})`, { skip: d.skip }, () => {
    async function setup(t: Parameters<typeof build>[0]) {
      const ctx = await build(t, d.name);
      const clinic = await seedClinic(ctx.deps, 'north');
      const patient = await seedPatient(ctx.deps, clinic);
      const other = await seedPatient(ctx.deps, clinic, { name: 'Robin Other', email: 'robin@north.example' });
      const admin = await staffCookie(ctx.app, 'admin@north.test');
      const token = await patientToken(ctx, 'north', patient.email, patient.dateOfBirth);
      const otherToken = await patientToken(ctx, 'north', other.email, other.dateOfBirth);
      const upload = (who: string, file: Buffer, name: string) => {
        const boundary = 'xBoundary42';
        const payload = Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: image/png\r\n\r\n`), file, Buffer.from(`\r\n--${boundary}--\r\n`)]);
        return ctx.app.inject({ method: 'POST', url: '/api/patient/attachments', payload, headers: { origin: 'http://localhost:3000', authorization: `Bearer ${who}`, 'content-type': `multipart/form-data; boundary=${boundary}` } });
      };
      const imported = await call(ctx.app, 'POST', '/api/questionnaires', { cookie: admin, body: ITEMS });
      assert.equal(imported.statusCode, 201, imported.body);
      assertR4(imported.json().resource, 'the imported questionnaire');
      const qid = imported.json().questionnaire.id as string;
      const [assignmentId] = (await call(ctx.app, 'POST', `/api/questionnaires/${qid}/assignments`, { cookie: admin, body: { patientIds: [patient.id] } })).json().ids as string[];
      return { ...ctx, patient, admin, token, otherToken, upload, assignmentId: assignmentId! };
    }

    it('accepts open-choice, dateTime, quantity, attachment and repeating groups and exports a valid R4 QuestionnaireResponse', async (t) => {
      const ctx = await setup(t);
      const up = await ctx.upload(ctx.token, PNG, 'rash.png');
      assert.equal(up.statusCode, 201, up.body);
      const fileId = up.json().id as string;
      const answers = {
        allergy: [{ valueString: 'Latex gloves' }],
        onset: [{ valueDateTime: '2026-11-20T08:30:00-05:00' }],
        weight: [{ valueQuantity: { value: 72.5 } }],
        photo: [{ valueAttachment: { url: `urn:uuid:${fileId}`, contentType: 'text/html', title: 'lie.html' } }],
        pain: [{ valueInteger: 7 }],
        'pain-where': [{ valueString: 'left knee' }],
        meds: [{ item: { 'med-name': [{ valueString: 'Ramipril' }], 'med-daily': [{ valueBoolean: true }], 'med-times': [{ valueInteger: 1 }] } }, { item: { 'med-name': [{ valueString: 'Vitamin D' }], 'med-daily': [{ valueBoolean: false }] } }],
      };
      const submitted = await call(ctx.app, 'POST', `/api/patient/questionnaires/${ctx.assignmentId}/submit`, { token: ctx.token, body: { answers } });
      assert.equal(submitted.statusCode, 200, submitted.body);

      const detail = (await call(ctx.app, 'GET', `/api/questionnaire-assignments/${ctx.assignmentId}`, { cookie: ctx.admin })).json();
      const stored = detail.responses[0].answers;
      assert.deepEqual(stored.weight, [{ valueQuantity: { value: 72.5, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' } }], 'the quantity carries the item\'s UCUM unit');
      assert.deepEqual(stored.photo, [{ valueAttachment: { contentType: 'image/png', url: `urn:uuid:${fileId}`, size: PNG.length, title: 'rash.png' } }], 'the attachment is described from the stored file, not the browser');
      assert.equal(stored.meds.length, 2);

      const qr = (await call(ctx.app, 'GET', `/api/questionnaire-responses/${detail.responses[0].id}/fhir`, { cookie: ctx.admin })).json();
      assertR4(qr, 'the QuestionnaireResponse with every new item type');
      const meds = (qr.item as QuestionnaireResponseItem[]).filter((i) => i.linkId === 'meds');
      assert.equal(meds.length, 2, 'one response item per group instance');
      assert.deepEqual(meds[0]!.item!.map((i) => i.linkId), ['med-name', 'med-daily', 'med-times']);
      assert.deepEqual(meds[1]!.item!.map((i) => i.linkId), ['med-name', 'med-daily']);
      assert.equal(JSON.stringify(qr).includes('"data"'), false, 'no inline file data');
      assert.equal((qr.item as QuestionnaireResponseItem[]).find((i) => i.linkId === 'pain-where')?.answer?.[0]?.valueString, 'left knee', 'enabled by its expression');

      // The file is claimed by the assignment (so the sweep of unsent uploads leaves it) and staff can read it.
      const row = await ctx.deps.db.selectFrom('attachments').select(['questionnaire_assignment_id']).where('id', '=', fileId).executeTakeFirstOrThrow();
      assert.equal(row.questionnaire_assignment_id, ctx.assignmentId);
      const file = await call(ctx.app, 'GET', `/api/attachments/${fileId}`, { cookie: ctx.admin });
      assert.equal(file.statusCode, 200);
      assert.equal(file.headers['content-type'], 'image/png');
      assert.equal(JSON.stringify(await ctx.deps.db.selectFrom('questionnaire_responses').selectAll().execute()).includes('Ramipril'), false, 'answers sealed at rest');
    });

    it('drops the answer to an item its enableWhenExpression disables', async (t) => {
      const ctx = await setup(t);
      const answers = { allergy: [{ valueCoding: { system: 'http://snomed.info/sct', code: '91936005' } }], pain: [{ valueInteger: 2 }], 'pain-where': [{ valueString: 'left knee' }] };
      const submitted = await call(ctx.app, 'POST', `/api/patient/questionnaires/${ctx.assignmentId}/submit`, { token: ctx.token, body: { answers } });
      assert.equal(submitted.statusCode, 200, submitted.body);
      const detail = (await call(ctx.app, 'GET', `/api/questionnaire-assignments/${ctx.assignmentId}`, { cookie: ctx.admin })).json();
      assert.equal(detail.responses[0].answers['pain-where'], undefined);
      const qr = (await call(ctx.app, 'GET', `/api/questionnaire-responses/${detail.responses[0].id}/fhir`, { cookie: ctx.admin })).json();
      assertR4(qr, 'the response with a coded open-choice answer');
      assert.equal((qr.item as QuestionnaireResponseItem[]).some((i) => i.linkId === 'pain-where'), false);
    });

    it('refuses answers that do not fit the new item types, hostile files and files that are not the patient\'s', async (t) => {
      const ctx = await setup(t);
      const save = (answers: unknown) => call(ctx.app, 'PUT', `/api/patient/questionnaires/${ctx.assignmentId}/answers`, { token: ctx.token, body: { answers } });
      const refused = async (answers: unknown, status: number, code: string, what: string) => {
        const res = await save(answers);
        assert.equal(res.statusCode, status, `${what}: ${res.body}`);
        assert.equal(res.json().code, code, what);
      };
      await refused({ allergy: [{ valueCoding: { code: 'nope' } }] }, 422, 'invalid_answer', 'an open-choice code that is not an option');
      await refused({ onset: [{ valueDateTime: '2026-11-20T08:30' }] }, 422, 'invalid_answer', 'a time without seconds and zone');
      await refused({ onset: [{ valueDateTime: '2026-13-01' }] }, 422, 'invalid_answer', 'month 13');
      await refused({ weight: [{ valueQuantity: { value: 160, system: 'http://unitsofmeasure.org', code: '[lb_av]' } }] }, 422, 'invalid_answer', 'another unit');
      await refused({ weight: [{ valueDecimal: 72 }] }, 422, 'invalid_answer', 'a bare number for a quantity');
      await refused({ photo: [{ valueAttachment: { url: 'https://evil.example/x.png' } }] }, 422, 'invalid_answer', 'an outside URL');
      await refused({ 'med-name': [{ valueString: 'x' }] }, 422, 'unknown_item', 'a group member outside its instance');
      await refused({ meds: [{ item: { 'med-times': [{ valueString: 'twice' }] } }] }, 422, 'invalid_answer', 'a wrong type inside an instance');
      await refused({ meds: [{ valueString: 'x' }] }, 422, 'invalid_answer', 'a group answered with a value');
      const inline = await save({ photo: [{ valueAttachment: { url: 'urn:uuid:00000000-0000-4000-8000-000000000000', data: PNG.toString('base64') } }] });
      assert.equal(inline.statusCode, 400, 'inline base64 is refused at the edge');
      await refused({ photo: [{ valueAttachment: { url: 'urn:uuid:00000000-0000-4000-8000-000000000000' } }] }, 404, 'not_found', 'a file that does not exist');

      // The same checks as message attachments: a script named .png is refused at upload.
      const hostile = await ctx.upload(ctx.token, Buffer.from('<html><script>alert(1)</script></html>'), 'photo.png');
      assert.equal(hostile.statusCode, 415);
      assert.equal(hostile.json().code, 'unsupported_file');
      const theirs = await ctx.upload(ctx.otherToken, PNG, 'theirs.png');
      assert.equal(theirs.statusCode, 201);
      await refused({ photo: [{ valueAttachment: { url: `urn:uuid:${theirs.json().id}` } }] }, 404, 'not_found', "another patient's file");

      // A required question inside a started instance is named by its instance.
      const missing = await call(ctx.app, 'POST', `/api/patient/questionnaires/${ctx.assignmentId}/submit`, { token: ctx.token, body: { answers: { allergy: [{ valueString: 'Latex' }], meds: [{ item: { 'med-daily': [{ valueBoolean: false }] } }] } } });
      assert.equal(missing.statusCode, 422);
      assert.equal(missing.json().code, 'answers_missing');
      assert.match(missing.json().message, /meds\/0\/med-name/);
    });

    it('refuses at import what it cannot run: repeating groups three deep, expressions that do not parse, conditions reaching into a repeating group, non-UCUM units', async (t) => {
      const ctx = await setup(t);
      const refused = async (body: unknown) => {
        const res = await call(ctx.app, 'POST', '/api/questionnaires', { cookie: ctx.admin, body });
        assert.equal(res.statusCode, 422, res.body);
        assert.equal(res.json().code, 'invalid_fhir');
        return res.json().message as string;
      };
      const base = { resourceType: 'Questionnaire', status: 'active', title: 'x' };
      assert.match(await refused({ ...base, item: [{ linkId: 'g', type: 'group', repeats: true, item: [{ linkId: 'h', type: 'group', repeats: true, item: [{ linkId: 'i', type: 'group', repeats: true, item: [{ linkId: 's', type: 'string' }] }] }] }] }), /repeating groups nest 2 deep at most/);
      assert.match(await refused({ ...base, item: [{ linkId: 's', type: 'string', extension: [{ url: EXPR, valueExpression: { language: 'text/fhirpath', expression: "item.where(linkId='x'" } }] }] }), /does not parse/);
      assert.match(await refused({ ...base, item: [{ linkId: 'g', type: 'group', repeats: true, item: [{ linkId: 'in', type: 'boolean' }] }, { linkId: 'out', type: 'string', enableWhen: [{ question: 'in', operator: 'exists', answerBoolean: true }] }] }), /inside a repeating group/);
      assert.match(await refused({ ...base, item: [{ linkId: 'g', type: 'group', repeats: true, item: [{ linkId: 'c', type: 'integer', extension: [{ url: 'http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-calculatedExpression', valueExpression: { language: 'text/fhirpath', expression: '1 + 1' } }] }] }] }), /calculated item inside a repeating group/);
      assert.match(await refused({ ...base, item: [{ linkId: 'w', type: 'quantity', extension: [{ url: UNIT, valueCoding: { system: 'http://example.org/units', code: 'kilo' } }] }] }), /UCUM/);
    });
  });
}
