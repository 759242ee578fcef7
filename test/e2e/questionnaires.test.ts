import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_PATIENT } from '../../server/demo-seed.js';
import type { Harness } from './harness.js';
import { codeFrom } from '../support/smtp.js';
import { axeViolations, newPage, startHarness } from './harness.js';

const PHQ9_QUESTIONS = [
  'Little interest or pleasure in doing things',
  'Feeling down, depressed, or hopeless',
  'Trouble falling or staying asleep, or sleeping too much',
  'Feeling tired or having little energy',
  'Poor appetite or overeating',
  'Feeling bad about yourself',
  'Trouble concentrating on things',
  'Moving or speaking so slowly',
  'Thoughts that you would be better off dead',
];

describe('end to end: a physician assigns PHQ-9, the patient fills it in on the clinic site, staff see the score and the flag', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
  });
  after(() => h?.close());

  it('assign → fill in on the demo site → score, band and item-9 flag in the admin', async () => {
    const physician = h.product.demoLogins!.find((l) => l.role === 'physician')!;
    const staff = await newPage(h.browser);
    await staff.goto(`${h.product.publicUrl}/admin/`);
    await staff.getByLabel('E-mail').fill(physician.email);
    await staff.getByLabel('Password').fill(physician.password);
    await staff.getByRole('button', { name: 'Sign in' }).click();
    await staff.getByRole('link', { name: 'Questionnaires' }).click();
    await staff.getByRole('heading', { name: 'Questionnaires', level: 1 }).waitFor();
    // The demo clinic starts with the library's instruments.
    await staff.getByText('Patient Health Questionnaire (PHQ-9): added').waitFor();
    // The send form (the responses' filters below have selects of the same names).
    const send = staff.locator('form', { has: staff.getByRole('button', { name: 'Assign' }) });
    await send.locator('select[name=questionnaire]').selectOption({ label: 'Patient Health Questionnaire (PHQ-9)' });
    await staff.getByLabel(/Find the patient/).fill('Alex');
    await send.locator('select[name=patient] option', { hasText: DEMO_PATIENT.name }).waitFor({ state: 'attached' });
    await staff.getByRole('button', { name: 'Assign' }).click();
    await staff.getByRole('status').filter({ hasText: `Assigned to ${DEMO_PATIENT.name}` }).waitFor();
    assert.deepEqual(await axeViolations(staff), []);
    const notice = await h.smtp.take(DEMO_PATIENT.email);
    assert.match(notice.subject, /A questionnaire from/);

    // The patient signs in inside <sm-questionnaire> on the clinic's site.
    const patient = await newPage(h.browser);
    await patient.goto(h.product.demoUrl!);
    const frame = patient.frameLocator('sm-questionnaire iframe');
    await frame.getByLabel('E-mail address').fill(DEMO_PATIENT.email);
    await frame.getByRole('button', { name: 'E-mail me a code' }).click();
    await frame.getByLabel('6-digit code').fill(codeFrom(await h.smtp.take(DEMO_PATIENT.email)));
    await frame.getByLabel('Date of birth').fill(DEMO_PATIENT.dateOfBirth);
    await frame.getByRole('button', { name: 'Sign in' }).click();
    // The other widgets of the page follow the sign-in and change height, moving this frame under the
    // pointer: the patient uses the keyboard here (a click could land where the button was).
    await frame.getByRole('button', { name: 'I understand and agree' }).press('Enter');
    await frame.getByRole('button', { name: 'I understand and agree' }).waitFor({ state: 'detached' });
    await frame.getByText('Not for emergencies').first().waitFor();
    await frame.getByRole('button', { name: /Patient Health Questionnaire \(PHQ-9\)/ }).press('Enter');
    await frame.getByRole('heading', { name: 'Patient Health Questionnaire (PHQ-9)' }).waitFor();
    for (const [n, question] of PHQ9_QUESTIONS.entries()) {
      // By keyboard, as above: the frame grows as answers are saved, which keeps a pointer target moving.
      const answer = frame.getByRole('group', { name: new RegExp(question.replace(/[()?]/g, '.')) }).getByLabel(n === 8 ? 'Several days' : 'More than half the days');
      await answer.press('Space');
      assert.equal(await answer.isChecked(), true);
    }
    assert.deepEqual(await axeViolations(patient), []);
    await frame.getByRole('button', { name: 'Submit my answers' }).press('Enter');
    await frame.getByText('Thank you. Your answers were sent to the clinic.').waitFor();

    // Live in the admin: the flag is announced and the list shows score and band (8 × 2 + 1 = 17).
    await staff.getByRole('alert').filter({ hasText: 'raised a safety flag' }).waitFor();
    const row = staff.getByRole('row', { name: new RegExp(DEMO_PATIENT.name) });
    await row.getByText('17 – Moderately severe depression').waitFor();
    await row.getByText(/Safety flag: PHQ-9 item 9/).waitFor();
    const flagMail = await h.smtp.take('physician@demo.clinic');
    assert.equal(flagMail.text.includes(DEMO_PATIENT.name), false, 'no patient in the flag e-mail');
    assert.deepEqual(await axeViolations(staff), []);
  });
});
