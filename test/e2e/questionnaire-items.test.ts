import assert from 'node:assert/strict';
import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import { after, before, describe, it } from 'node:test';
import { DEMO_PATIENT } from '../../server/demo-seed.js';
import type { Harness } from './harness.js';
import { codeFrom } from '../support/smtp.js';
import { axeViolations, newPage, startHarness } from './harness.js';

const EXPR = 'http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-enableWhenExpression';
const INTAKE = {
  resourceType: 'Questionnaire',
  status: 'active',
  title: 'Rash intake',
  item: [
    { linkId: 'allergy', type: 'open-choice', text: 'Allergy', answerOption: [{ valueCoding: { system: 'http://snomed.info/sct', code: '91936005', display: 'Penicillin' } }] },
    { linkId: 'weight', type: 'quantity', text: 'Weight', extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/questionnaire-unit', valueCoding: { system: 'http://unitsofmeasure.org', code: 'kg', display: 'kg' } }] },
    { linkId: 'photo', type: 'attachment', text: 'Photo of the rash' },
    { linkId: 'pain', type: 'integer', text: 'Pain from 0 to 10' },
    { linkId: 'pain-where', type: 'string', text: 'Where does it hurt?', extension: [{ url: EXPR, valueExpression: { language: 'text/fhirpath', expression: "%resource.repeat(item).where(linkId='pain').answer.value > 5" } }] },
    { linkId: 'meds', type: 'group', text: 'Medication', repeats: true, item: [{ linkId: 'med-name', type: 'string', text: 'Medicine name', required: true }] },
  ],
};

describe('end to end: the remaining item types in the patient frame of the real build', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h?.close());

  it('imported questionnaire → the patient answers open-choice, quantity, a photo, an expression-driven question and a repeating group at 320 px → staff read a valid response', async () => {
    const physician = h.product.demoLogins!.find((l) => l.role === 'physician')!;
    const staff = await newPage(h.browser);
    await staff.goto(`${h.product.publicUrl}/admin/`);
    await staff.getByLabel('E-mail').fill(physician.email);
    await staff.getByLabel('Password').fill(physician.password);
    await staff.getByRole('button', { name: 'Sign in' }).click();
    await staff.getByRole('link', { name: 'Questionnaires' }).waitFor();
    const assignmentId = await staff.evaluate(async ({ body, name }) => {
      const post = (url: string, data: unknown) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(data) }).then((r) => r.json());
      const q = await post('/api/questionnaires', body);
      const found = await fetch(`/api/patients?q=${encodeURIComponent(name)}`).then((r) => r.json());
      const assigned = await post(`/api/questionnaires/${q.questionnaire.id}/assignments`, { patientIds: [found.patients[0].id] });
      return assigned.ids[0] as string;
    }, { body: INTAKE, name: DEMO_PATIENT.name });
    assert.ok(assignmentId);

    const patient = await newPage(h.browser);
    await patient.setViewportSize({ width: 320, height: 900 });
    await patient.goto(h.product.demoUrl!);
    const frame = patient.frameLocator('sm-questionnaire iframe');
    await frame.getByLabel('E-mail address').fill(DEMO_PATIENT.email);
    for (let i = h.smtp.messages.length - 1; i >= 0; i--) if (h.smtp.messages[i]!.to === DEMO_PATIENT.email) h.smtp.messages.splice(i, 1);
    await frame.getByRole('button', { name: 'E-mail me a code' }).click();
    await frame.getByLabel('6-digit code').fill(codeFrom(await h.smtp.take(DEMO_PATIENT.email)));
    await frame.getByLabel('Date of birth').fill(DEMO_PATIENT.dateOfBirth);
    await frame.getByRole('button', { name: 'Sign in' }).click();
    await frame.getByRole('button', { name: 'I understand and agree' }).press('Enter');
    await frame.getByRole('button', { name: 'I understand and agree' }).waitFor({ state: 'detached' });
    await frame.getByRole('button', { name: /Rash intake/ }).press('Enter');
    await frame.getByRole('heading', { name: 'Rash intake' }).waitFor();

    await frame.getByRole('group', { name: 'Allergy' }).getByLabel('Other').press('Space');
    await frame.getByLabel('Other (please specify)').fill('Latex');
    await frame.getByLabel(/Weight/).fill('72.5');
    const png = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sm-e2e-')), 'rash.png');
    fs.writeFileSync(png, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)]));
    await frame.getByLabel('Photo of the rash').setInputFiles(png);
    await frame.getByText('Attached: rash.png').waitFor();
    // The FHIRPath engine loads in the frame (its own chunk, under the frame's CSP) and shows the question.
    await frame.getByLabel('Pain from 0 to 10').fill('8');
    await frame.getByLabel('Where does it hurt?').fill('left arm');
    await frame.getByRole('button', { name: 'Add Medication' }).press('Enter');
    await frame.getByLabel(/Medicine name/).fill('Ramipril');

    const wide = await patient.frames().find((f) => f.url().includes('/frame/questionnaire'))!.evaluate(() => {
      const width = document.documentElement.clientWidth;
      const out: string[] = [];
      const walk = (root: Document | ShadowRoot) => {
        for (const el of root.querySelectorAll('*')) {
          if (el.getBoundingClientRect().right > width + 0.5) out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${el.className} ${Math.round(el.getBoundingClientRect().right)}>${width}`);
          if (el.shadowRoot) walk(el.shadowRoot);
        }
      };
      walk(document);
      return { overflow: document.documentElement.scrollWidth - width, out };
    });
    assert.ok(wide.overflow <= 0, `no sideways scrolling at 320 px (${wide.overflow} px too wide: ${wide.out.slice(0, 5).join('; ')})`);
    assert.deepEqual(await axeViolations(patient), []);
    await frame.getByRole('button', { name: 'Submit my answers' }).press('Enter');
    await frame.getByText('Thank you. Your answers were sent to the clinic.').waitFor();

    const qr = await staff.evaluate(async (id) => {
      const detail = await fetch(`/api/questionnaire-assignments/${id}`).then((r) => r.json());
      return fetch(`/api/questionnaire-responses/${detail.responses[0].id}/fhir`).then((r) => r.json());
    }, assignmentId);
    const byId = (linkId: string) => qr.item.find((i: { linkId: string }) => i.linkId === linkId);
    assert.deepEqual(byId('allergy').answer, [{ valueString: 'Latex' }]);
    assert.deepEqual(byId('weight').answer, [{ valueQuantity: { value: 72.5, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' } }]);
    assert.equal(byId('photo').answer[0].valueAttachment.contentType, 'image/png');
    assert.deepEqual(byId('pain-where').answer, [{ valueString: 'left arm' }]);
    assert.deepEqual(byId('meds').item, [{ linkId: 'med-name', text: 'Medicine name', answer: [{ valueString: 'Ramipril' }] }]);
  });
});
