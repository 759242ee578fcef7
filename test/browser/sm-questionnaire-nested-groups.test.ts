/**
 * A repeating group inside a repeating group (Medications, each with its Doses) in the patient's
 * view: doses are added and removed per medication by keyboard (focus and announcements naming
 * both), conditions inside a dose look at its medication, answers autosave nested as the
 * QuestionnaireResponse nests them, come back from the device offline, and staff read them
 * medication by medication.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { render } from 'lit';
import { http, HttpResponse } from 'msw';
import type { Questionnaire } from '@medplum/fhirtypes';
import '../../widget/frame/sm-questionnaire-view.js';
import { PatientApi } from '../../widget/frame/patient-api.js';
import { startQuestionnaireDevice } from '../../widget/frame/questionnaire-device.js';
import type { SmQuestionnaireView } from '../../widget/frame/sm-questionnaire-view.js';
import { answerList } from '../../admin/questionnaires/response-answers.js';
import type { PatientAssignment, PatientAssignmentDetail } from '../../shared/questionnaires.js';
import type { Answers } from '../../shared/questionnaire-logic.js';
import { startWorker, worker } from './msw.js';

const fr = (text: string) => ({ extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/translation', extension: [{ url: 'lang', valueCode: 'fr' }, { url: 'content', valueString: text }] }] });

const questionnaire = {
  resourceType: 'Questionnaire',
  status: 'active',
  title: 'Medications',
  _title: fr('Médicaments'),
  item: [
    { linkId: 'any-meds', type: 'boolean', text: 'Do you take medication?', _text: fr('Prenez-vous des médicaments ?') },
    {
      linkId: 'meds', type: 'group', text: 'Medication', _text: fr('Médicament'), repeats: true,
      enableWhen: [{ question: 'any-meds', operator: '=', answerBoolean: true }],
      item: [
        { linkId: 'med-name', type: 'string', text: 'Name', _text: fr('Nom'), required: true },
        { linkId: 'med-prn', type: 'boolean', text: 'Only when needed?', _text: fr('Seulement au besoin ?') },
        {
          linkId: 'doses', type: 'group', text: 'Dose', _text: fr('Dose'), repeats: true, required: true,
          item: [
            { linkId: 'dose-amount', type: 'decimal', text: 'Amount', _text: fr('Quantité'), required: true },
            { linkId: 'dose-time', type: 'string', text: 'Time of day', _text: fr('Moment de la journée'), enableWhen: [{ question: 'med-prn', operator: '=', answerBoolean: false }] },
          ],
        },
      ],
    },
  ],
} as unknown as Questionnaire;

const assignment: PatientAssignment = { id: 'a3', title: 'Medications', titleFr: 'Médicaments', status: 'assigned', overdue: false, dueDate: null, createdAt: '2026-11-01T00:00:00.000Z', submittedAt: null };
const detail: PatientAssignmentDetail = { assignment, questionnaire, response: null };

const root = (el: Element) => el.shadowRoot!;
const text = (el: Element) => root(el).textContent!.replace(/\s+/g, ' ');
const $ = <T extends Element = HTMLInputElement>(view: SmQuestionnaireView, selector: string) => root(view).querySelector<T>(selector)!;
const focused = (view: SmQuestionnaireView) => root(view).activeElement?.id;

async function type(view: SmQuestionnaireView, selector: string, value: string) {
  const input = $(view, selector);
  input.value = value;
  input.dispatchEvent(new Event('input'));
  await view.updateComplete;
}

/** Answers a yes/no question (its first radio is Yes, the second No). */
async function yesNo(view: SmQuestionnaireView, id: string, yes: boolean) {
  const input = $(view, yes ? `#${id}` : `#${id}-no`);
  input.checked = true;
  input.dispatchEvent(new Event('change'));
  await view.updateComplete;
}

/** Presses a button by keyboard. */
async function press(view: SmQuestionnaireView, selector: string) {
  $<HTMLButtonElement>(view, selector).focus();
  await sendKeys({ press: 'Enter' });
  await view.updateComplete;
}

const removeButton = (view: SmQuestionnaireView, name: string) => [...root(view).querySelectorAll<HTMLButtonElement>('fieldset.instance button')].find((b) => b.textContent === name)!;

describe('<sm-questionnaire-view> repeating groups inside repeating groups', () => {
  before(startWorker);
  afterEach(() => worker.resetHandlers());

  async function openView(lang: 'en' | 'fr' = 'en') {
    const saves: Array<{ answers: Answers }> = [];
    worker.use(
      http.get('/api/patient/questionnaires', () => HttpResponse.json([assignment])),
      http.get('/api/patient/questionnaires/a3', () => HttpResponse.json(detail)),
      http.put('/api/patient/questionnaires/a3/answers', async ({ request }) => {
        saves.push((await request.json()) as (typeof saves)[number]);
        return HttpResponse.json({ id: 'r1', revision: 1, status: 'in-progress', updatedAt: '2026-11-26T10:00:00.000Z' });
      }),
    );
    const view = await fixture<SmQuestionnaireView>(html`<sm-questionnaire-view .api=${new PatientApi('north', lang)} .lang=${lang}></sm-questionnaire-view>`);
    await waitUntil(() => root(view).querySelector('ul.list button'), 'the list shows');
    root(view).querySelector<HTMLButtonElement>('ul.list button')!.click();
    await waitUntil(() => root(view).querySelector('form'), 'the questionnaire opens');
    return { view, saves };
  }

  it('adds doses to each medication by keyboard, focusing the new dose and announcing it with its medication, and autosaves them nested', async () => {
    const { view, saves } = await openView();
    await yesNo(view, 'q-any-meds', true);
    await press(view, '#q-meds');
    expect(focused(view)).to.equal('q-meds_0_med-name');
    await sendKeys({ type: 'Ramipril' });
    await yesNo(view, 'q-meds_0_med-prn', false);

    const addDose = $<HTMLButtonElement>(view, '#q-meds_0_doses');
    expect(addDose.textContent).to.equal('Add Dose to Medication 1');
    await press(view, '#q-meds_0_doses');
    expect(focused(view)).to.equal('q-meds_0_doses_0_dose-amount', 'focus goes to the new dose');
    expect(text(view)).to.contain('Dose 1 added to Medication 1.');
    await sendKeys({ type: '5' });
    await type(view, '#q-meds_0_doses_0_dose-time', 'morning');
    await press(view, '#q-meds_0_doses');
    expect(focused(view)).to.equal('q-meds_0_doses_1_dose-amount');
    await sendKeys({ type: '2,5' });

    // A second medication, taken when needed: its doses do not ask the time (the condition looks at its own medication).
    await press(view, '#q-meds');
    expect(focused(view)).to.equal('q-meds_1_med-name');
    await sendKeys({ type: 'Tylenol' });
    await yesNo(view, 'q-meds_1_med-prn', true);
    await press(view, '#q-meds_1_doses');
    expect(focused(view)).to.equal('q-meds_1_doses_0_dose-amount');
    expect(text(view)).to.contain('Dose 1 added to Medication 2.');
    await sendKeys({ type: '500' });
    expect(root(view).querySelector('#q-meds_1_doses_0_dose-time')).to.equal(null, 'no time for a when-needed dose');
    expect(root(view).querySelector('#q-meds_0_doses_0_dose-time')).not.to.equal(null, 'the regular medication still asks it');

    const legends = [...root(view).querySelectorAll('fieldset.instance > legend')].map((l) => l.textContent);
    expect(legends).to.deep.equal(['Medication 1', 'Dose 1', 'Dose 2', 'Medication 2', 'Dose 1']);
    await expect(view).to.be.accessible();

    await waitUntil(() => saves.length > 0 && JSON.stringify(saves.at(-1)!.answers).includes('500'), 'autosaved', { timeout: 3000 });
    expect(saves.at(-1)!.answers).to.deep.equal({
      'any-meds': [{ valueBoolean: true }],
      meds: [
        { item: { 'med-name': [{ valueString: 'Ramipril' }], 'med-prn': [{ valueBoolean: false }], doses: [{ item: { 'dose-amount': [{ valueDecimal: 5 }], 'dose-time': [{ valueString: 'morning' }] } }, { item: { 'dose-amount': [{ valueDecimal: 2.5 }] } }] } },
        { item: { 'med-name': [{ valueString: 'Tylenol' }], 'med-prn': [{ valueBoolean: true }], doses: [{ item: { 'dose-amount': [{ valueDecimal: 500 }] } }] } },
      ],
    });
  });

  it('removes one dose of one medication, announcing it and returning focus to that medication\'s Add, and renumbers what follows', async () => {
    const { view, saves } = await openView();
    await yesNo(view, 'q-any-meds', true);
    for (const [m, name] of ['Ramipril', 'Tylenol'].entries()) {
      await press(view, '#q-meds');
      await type(view, `#q-meds_${m}_med-name`, name);
      for (const amount of ['1', '2']) {
        await press(view, `#q-meds_${m}_doses`);
        await sendKeys({ type: `${m}${amount}` });
      }
    }
    const remove = removeButton(view, 'Remove Dose 1 from Medication 2');
    remove.focus();
    await sendKeys({ press: 'Enter' });
    await view.updateComplete;
    expect(focused(view)).to.equal('q-meds_1_doses', 'focus returns to Add Dose to Medication 2');
    expect(text(view)).to.contain('Dose 1 removed from Medication 2.');
    expect($(view, '#q-meds_1_doses_0_dose-amount').value).to.equal('12', 'the second dose is now the first');
    expect(root(view).querySelector('#q-meds_1_doses_1_dose-amount')).to.equal(null);
    expect($(view, '#q-meds_0_doses_0_dose-amount').value).to.equal('01', 'the other medication keeps its doses');

    // Removing the first medication takes its doses along; the second's typed text moves with it.
    removeButton(view, 'Remove Medication 1').click();
    await view.updateComplete;
    expect($(view, '#q-meds_0_med-name').value).to.equal('Tylenol');
    expect($(view, '#q-meds_0_doses_0_dose-amount').value).to.equal('12');
    await waitUntil(() => saves.length > 0 && !JSON.stringify(saves.at(-1)!.answers).includes('Ramipril'), 'autosaved', { timeout: 3000 });
    expect(saves.at(-1)!.answers.meds).to.deep.equal([{ item: { 'med-name': [{ valueString: 'Tylenol' }], doses: [{ item: { 'dose-amount': [{ valueDecimal: 12 }] } }] } }]);
    await expect(view).to.be.accessible();
  });

  it('puts a missing dose, or a missing amount inside a dose, beside its own medication and focuses the first', async () => {
    const { view } = await openView();
    await yesNo(view, 'q-any-meds', true);
    await press(view, '#q-meds');
    await type(view, '#q-meds_0_med-name', 'Ramipril');
    await press(view, '#q-meds_0_doses');
    await type(view, '#q-meds_0_doses_0_dose-amount', 'lots');
    await press(view, '#q-meds');
    await type(view, '#q-meds_1_med-name', 'Tylenol');
    root(view).querySelector('form')!.requestSubmit();
    await view.updateComplete;
    const amount = $(view, '#q-meds_0_doses_0_dose-amount');
    expect(root(view).activeElement).to.equal(amount, 'the first problem takes focus');
    expect(amount.getAttribute('aria-invalid')).to.equal('true');
    expect(root(view).getElementById(amount.getAttribute('aria-describedby')!)!.textContent).to.equal('Enter a number.');
    const doses = $(view, '#q-meds_1_doses').closest('fieldset')!;
    expect(root(view).getElementById(doses.getAttribute('aria-describedby')!)!.textContent).to.equal('This question needs an answer.', 'the second medication has no dose');
    // The first medication's only dose has no number in it, so that dose counts as not given either (as the server counts it).
    expect(root(view).querySelector('[role=alert]')!.textContent).to.contain('3 answers need your attention');
    await expect(view).to.be.accessible();

    // Adding the missing dose clears that medication's error only.
    await press(view, '#q-meds_1_doses');
    expect($(view, '#q-meds_1_doses').closest('fieldset')!.hasAttribute('aria-describedby')).to.equal(false);
    expect(amount.getAttribute('aria-invalid')).to.equal('true');
  });

  it('speaks French for the nested buttons and announcements', async () => {
    const { view } = await openView('fr');
    await yesNo(view, 'q-any-meds', true);
    await press(view, '#q-meds');
    expect($(view, '#q-meds_0_doses').textContent).to.equal('Ajouter : Dose (Médicament 1)');
    await press(view, '#q-meds_0_doses');
    expect(text(view)).to.contain('Dose 1 ajouté (Médicament 1).');
    expect(removeButton(view, 'Retirer : Dose 1 (Médicament 1)')).to.be.instanceOf(HTMLButtonElement);
    await expect(view).to.be.accessible();
  });

  it('keeps nested answers on the device offline and brings them back when reopened offline', async () => {
    const net = { up: true };
    const keys = await crypto.subtle.generateKey({ name: 'RSA-OAEP', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['wrapKey', 'unwrapKey']);
    const b64 = (b: ArrayBuffer) => btoa(String.fromCharCode(...new Uint8Array(b)));
    const deviceKey = { keyId: 'k', publicKey: b64(await crypto.subtle.exportKey('spki', keys.publicKey)), privateKey: b64(await crypto.subtle.exportKey('pkcs8', keys.privateKey)) };
    worker.use(
      http.post('/api/patient/device-key', () => HttpResponse.json(deviceKey)),
      http.get('/api/patient/questionnaires', () => (net.up ? HttpResponse.json([assignment]) : HttpResponse.error())),
      http.get('/api/patient/questionnaires/a3', () => (net.up ? HttpResponse.json(detail) : HttpResponse.error())),
      http.put('/api/patient/questionnaires/a3/answers', () => (net.up ? HttpResponse.json({ id: 'r1', revision: 1, status: 'in-progress', updatedAt: '2026-11-26T10:00:00.000Z' }) : HttpResponse.error())),
    );
    const api = new PatientApi('north', 'en');
    const device = await startQuestionnaireDevice(api);
    await device.unlock();
    const view = await fixture<SmQuestionnaireView>(html`<sm-questionnaire-view .api=${api} .device=${device}></sm-questionnaire-view>`);
    const openFirst = async () => {
      await waitUntil(() => root(view).querySelector('ul.list button'), 'the list shows');
      root(view).querySelector<HTMLButtonElement>('ul.list button')!.click();
      await waitUntil(() => root(view).querySelector('form'), 'the questionnaire opens');
    };
    await openFirst();
    net.up = false;
    await yesNo(view, 'q-any-meds', true);
    await press(view, '#q-meds');
    await type(view, '#q-meds_0_med-name', 'Ramipril');
    await yesNo(view, 'q-meds_0_med-prn', false);
    await press(view, '#q-meds_0_doses');
    await type(view, '#q-meds_0_doses_0_dose-amount', '5');
    await press(view, '#q-meds_0_doses');
    await type(view, '#q-meds_0_doses_1_dose-time', 'night');
    await waitUntil(() => text(view).includes('Saved on this device'), 'saved on the device', { timeout: 4000 });

    root(view).querySelector<HTMLButtonElement>('button.link')!.click();
    await openFirst();
    expect(text(view)).to.contain('These are the answers saved on this device.');
    expect($(view, '#q-meds_0_med-name').value).to.equal('Ramipril');
    expect($(view, '#q-meds_0_doses_0_dose-amount').value).to.equal('5');
    expect($(view, '#q-meds_0_doses_1_dose-time').value).to.equal('night');
    expect(root(view).querySelector('#q-meds_0_doses_2_dose-amount')).to.equal(null);
  });
});

describe('staff reading nested answers (response view and print)', () => {
  it('lists each medication with its own doses, in the reader\'s language', async () => {
    const answers: Answers = {
      'any-meds': [{ valueBoolean: true }],
      meds: [
        { item: { 'med-name': [{ valueString: 'Ramipril' }], doses: [{ item: { 'dose-amount': [{ valueDecimal: 5 }] } }, { item: { 'dose-amount': [{ valueDecimal: 2.5 }], 'dose-time': [{ valueString: 'night' }] } }] } },
        { item: { 'med-name': [{ valueString: 'Tylenol' }], doses: [{ item: { 'dose-amount': [{ valueDecimal: 500 }] } }] } },
      ],
    };
    for (const [lang, medication, dose] of [['en', 'Medication', 'Dose'], ['fr', 'Médicament', 'Dose']] as const) {
      const host = await fixture<HTMLDivElement>(html`<div></div>`);
      render(answerList(questionnaire.item, answers, lang), host);
      const meds = host.querySelector(':scope > dl > .qa:nth-of-type(2) > dd')!;
      const instances = [...meds.children].filter((c) => c.tagName === 'P').map((p) => p.textContent);
      expect(instances).to.deep.equal([`${medication} 1`, `${medication} 2`]);
      const first = meds.querySelector(':scope > dl')!;
      expect([...first.querySelectorAll(':scope > .qa > dd > p')].map((p) => p.textContent)).to.deep.equal([`${dose} 1`, `${dose} 2`]);
      expect(first.textContent!.replace(/\s+/g, ' ')).to.contain('night');
      expect(meds.querySelectorAll(':scope > dl')[1]!.textContent).to.contain('500').and.not.to.contain('night');
      await expect(host).to.be.accessible();
    }
  });
});
