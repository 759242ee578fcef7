import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { http, HttpResponse } from 'msw';
import type { Questionnaire } from '@medplum/fhirtypes';
import '../../widget/frame/sm-questionnaire-view.js';
import { PatientApi } from '../../widget/frame/patient-api.js';
import type { SmQuestionnaireView } from '../../widget/frame/sm-questionnaire-view.js';
import type { PatientAssignment, PatientAssignmentDetail } from '../../shared/questionnaires.js';
import { startWorker, worker } from './msw.js';

const fr = (text: string) => ({ extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/translation', extension: [{ url: 'lang', valueCode: 'fr' }, { url: 'content', valueString: text }] }] });
const EXPR = 'http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-enableWhenExpression';

const questionnaire = {
  resourceType: 'Questionnaire',
  status: 'active',
  title: 'Intake',
  _title: fr('Accueil'),
  item: [
    {
      linkId: 'allergy', type: 'open-choice', text: 'Allergy', _text: fr('Allergie'),
      answerOption: [{ valueCoding: { system: 'http://snomed.info/sct', code: '91936005', display: 'Penicillin', _display: fr('Pénicilline') } }],
    },
    { linkId: 'onset', type: 'dateTime', text: 'When did it start?', _text: fr('Depuis quand ?') },
    { linkId: 'weight', type: 'quantity', text: 'Weight', _text: fr('Poids'), extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/questionnaire-unit', valueCoding: { system: 'http://unitsofmeasure.org', code: 'kg', display: 'kg' } }] },
    { linkId: 'photo', type: 'attachment', text: 'Photo of the rash', _text: fr('Photo de la rougeur') },
    { linkId: 'pain', type: 'integer', text: 'Pain (0-10)', _text: fr('Douleur (0-10)') },
    { linkId: 'pain-where', type: 'string', text: 'Where does it hurt?', _text: fr('Où avez-vous mal ?'), extension: [{ url: EXPR, valueExpression: { language: 'text/fhirpath', expression: "%resource.repeat(item).where(linkId='pain').answer.value > 5" } }] },
    {
      linkId: 'meds', type: 'group', text: 'Medication', _text: fr('Médicament'), repeats: true,
      item: [{ linkId: 'med-name', type: 'string', text: 'Name', _text: fr('Nom'), required: true }, { linkId: 'med-notes', type: 'text', text: 'Notes', _text: fr('Notes') }],
    },
  ],
} as unknown as Questionnaire;

const assignment: PatientAssignment = { id: 'a2', title: 'Intake', titleFr: 'Accueil', status: 'assigned', overdue: false, dueDate: null, createdAt: '2026-11-01T00:00:00.000Z', submittedAt: null };
const detail: PatientAssignmentDetail = { assignment, questionnaire, response: null };

const root = (el: Element) => el.shadowRoot!;
const text = (el: Element) => root(el).textContent!.replace(/\s+/g, ' ');
const $ = <T extends Element = HTMLInputElement>(view: SmQuestionnaireView, selector: string) => root(view).querySelector<T>(selector)!;

async function type(view: SmQuestionnaireView, selector: string, value: string) {
  const input = $(view, selector);
  input.value = value;
  input.dispatchEvent(new Event('input'));
  await view.updateComplete;
}

describe('<sm-questionnaire-view> remaining item types', () => {
  before(startWorker);
  afterEach(() => worker.resetHandlers());

  async function openView(lang: 'en' | 'fr' = 'en') {
    const saves: Array<{ answers: Record<string, unknown> }> = [];
    const uploads: string[] = [];
    worker.use(
      http.get('/api/patient/questionnaires', () => HttpResponse.json([assignment])),
      http.get('/api/patient/questionnaires/a2', () => HttpResponse.json(detail)),
      http.put('/api/patient/questionnaires/a2/answers', async ({ request }) => {
        saves.push((await request.json()) as (typeof saves)[number]);
        return HttpResponse.json({ id: 'r1', revision: 1, status: 'in-progress', updatedAt: '2026-11-26T10:00:00.000Z' });
      }),
      http.post('/api/patient/attachments', async ({ request }) => {
        const file = (await request.formData()).get('file') as File;
        uploads.push(file.name);
        if (file.name.endsWith('.exe')) return HttpResponse.json({ code: 'unsupported_file', message: 'Only PDF, JPEG and PNG files can be attached', requestId: 'x' }, { status: 415 });
        return HttpResponse.json({ id: '0b5c2a9e-8f3e-4d5b-9c1a-1d2e3f4a5b6c', fileName: file.name, mime: 'image/png', size: file.size }, { status: 201 });
      }),
    );
    const view = await fixture<SmQuestionnaireView>(html`<sm-questionnaire-view .api=${new PatientApi('north', lang)} .lang=${lang}></sm-questionnaire-view>`);
    await waitUntil(() => root(view).querySelector('ul.list button'), 'the list shows');
    root(view).querySelector<HTMLButtonElement>('ul.list button')!.click();
    await waitUntil(() => root(view).querySelector('form'), 'the questionnaire opens');
    return { view, saves, uploads };
  }

  it('renders open-choice with an "Other" text, dateTime, quantity with its unit and an attachment, accessibly, and autosaves FHIR answers', async () => {
    const { view, saves, uploads } = await openView();
    await expect(view).to.be.accessible();
    expect($(view, 'label[for=q-weight]').textContent).to.contain('Weight').and.to.contain('(in kg)');
    expect($(view, '#q-onset').type).to.equal('datetime-local');
    expect($(view, '#q-photo').accept).to.equal('image/jpeg,image/png,application/pdf');

    // open-choice: a coded option, then "Other" with free text (a fieldset with a legend, a labelled text field).
    const fieldset = $(view, '#q-allergy').closest('fieldset')!;
    expect(fieldset.querySelector('legend')!.textContent).to.contain('Allergy');
    const other = $(view, '#q-allergy-other');
    other.checked = true;
    other.dispatchEvent(new Event('change'));
    await view.updateComplete;
    expect($(view, 'label[for=q-allergy-other-text]').textContent).to.equal('Other (please specify)');
    await type(view, '#q-allergy-other-text', 'Latex');
    await type(view, '#q-onset', '2026-11-20T08:30');
    await type(view, '#q-weight', '72,5');

    const photo = $(view, '#q-photo');
    const transfer = new DataTransfer();
    transfer.items.add(new File([new Uint8Array([0x89, 0x50, 0x4e, 0x47])], 'rash.png', { type: 'image/png' }));
    photo.files = transfer.files;
    photo.dispatchEvent(new Event('change'));
    await waitUntil(() => text(view).includes('Attached: rash.png'), 'the file is attached');
    expect(uploads).to.deep.equal(['rash.png']);

    await waitUntil(() => saves.length > 0 && (saves.at(-1)!.answers as Record<string, unknown>).photo, 'autosaved', { timeout: 3000 });
    const sent = saves.at(-1)!.answers as Record<string, Array<Record<string, unknown>>>;
    expect(sent.allergy).to.deep.equal([{ valueString: 'Latex' }]);
    expect(sent.weight).to.deep.equal([{ valueQuantity: { value: 72.5, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' } }]);
    expect(String(sent.onset![0]!.valueDateTime)).to.match(/^2026-11-20T08:30:00(Z|[+-]\d\d:\d\d)$/);
    expect((sent.photo![0]!.valueAttachment as { url: string }).url).to.equal('urn:uuid:0b5c2a9e-8f3e-4d5b-9c1a-1d2e3f4a5b6c');
    expect(JSON.stringify(sent.photo)).not.to.contain('data', 'no file bytes in the answers');
    await expect(view).to.be.accessible();

    // Choosing the coded option again replaces "Other".
    const coded = $(view, '#q-allergy');
    coded.checked = true;
    coded.dispatchEvent(new Event('change'));
    await view.updateComplete;
    expect(root(view).querySelector('#q-allergy-other-text')).to.equal(null);
  });

  it('words an upload refusal beside the attachment question', async () => {
    const { view } = await openView();
    const photo = $(view, '#q-photo');
    const transfer = new DataTransfer();
    transfer.items.add(new File([new Uint8Array([0x4d, 0x5a])], 'virus.exe', { type: 'image/png' }));
    photo.files = transfer.files;
    photo.dispatchEvent(new Event('change'));
    await waitUntil(() => root(view).querySelector('#q-photo-error'), 'the refusal shows');
    expect(photo.getAttribute('aria-invalid')).to.equal('true');
    expect(photo.getAttribute('aria-describedby')).to.contain('q-photo-error');
    await expect(view).to.be.accessible();
  });

  it('adds and removes instances of a repeating group by keyboard, moving focus and announcing each change', async () => {
    const { view, saves } = await openView();
    const add = $<HTMLButtonElement>(view, '#q-meds');
    expect(add.textContent).to.equal('Add Medication');
    add.focus();
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => root(view).querySelector('#q-meds_0_med-name'), 'the first instance opens');
    expect(root(view).activeElement?.id).to.equal('q-meds_0_med-name', 'focus goes to the new instance');
    expect(text(view)).to.contain('Medication 1 added.');
    await sendKeys({ type: 'Ramipril' });
    add.focus();
    await sendKeys({ press: 'Space' });
    await waitUntil(() => root(view).querySelector('#q-meds_1_med-name'));
    expect(root(view).activeElement?.id).to.equal('q-meds_1_med-name');
    await sendKeys({ type: 'Vitamin D' });
    const legends = [...root(view).querySelectorAll('fieldset.instance > legend')].map((l) => l.textContent);
    expect(legends).to.deep.equal(['Medication 1', 'Medication 2']);
    await expect(view).to.be.accessible();

    const remove = [...root(view).querySelectorAll<HTMLButtonElement>('fieldset.instance button')].find((b) => b.textContent === 'Remove Medication 1')!;
    remove.focus();
    await sendKeys({ press: 'Enter' });
    await view.updateComplete;
    expect(root(view).activeElement?.id).to.equal('q-meds', 'focus returns to the Add button');
    expect(text(view)).to.contain('Medication 1 removed.');
    expect($(view, '#q-meds_0_med-name').value).to.equal('Vitamin D', 'the other instance stays, renumbered');
    await waitUntil(() => saves.length > 0 && JSON.stringify(saves.at(-1)!.answers).includes('Vitamin D') && !JSON.stringify(saves.at(-1)!.answers).includes('Ramipril'), 'autosaved', { timeout: 3000 });
    expect(saves.at(-1)!.answers.meds).to.deep.equal([{ item: { 'med-name': [{ valueString: 'Vitamin D' }] } }]);

    // An instance started without its required name: submitting puts the error beside that field and focuses it.
    add.click();
    await view.updateComplete;
    await type(view, '#q-meds_1_med-notes', 'after meals');
    root(view).querySelector('form')!.requestSubmit();
    await view.updateComplete;
    const name = $(view, '#q-meds_1_med-name');
    expect(root(view).activeElement).to.equal(name);
    expect(name.getAttribute('aria-invalid')).to.equal('true');
    expect(root(view).getElementById(name.getAttribute('aria-describedby')!)!.textContent).to.equal('This question needs an answer.');
    expect(root(view).querySelector('[role=alert]')!.textContent).to.contain('1 answers need your attention');
    await expect(view).to.be.accessible();
  });

  it('shows and hides an item by its enableWhenExpression (FHIRPath), and does not send its hidden answer', async () => {
    const { view, saves } = await openView();
    expect(root(view).querySelector('#q-pain-where')).to.equal(null, 'hidden while pain is not above 5');
    await type(view, '#q-pain', '8');
    await waitUntil(() => root(view).querySelector('#q-pain-where'), 'shown when pain is above 5');
    await type(view, '#q-pain-where', 'knee');
    await type(view, '#q-pain', '3');
    expect(root(view).querySelector('#q-pain-where')).to.equal(null, 'hidden again');
    await waitUntil(() => saves.length > 0 && JSON.stringify(saves.at(-1)!.answers).includes('"valueInteger":3'), 'autosaved', { timeout: 3000 });
    expect(saves.at(-1)!.answers).to.deep.equal({ pain: [{ valueInteger: 3 }] });
  });

  it('speaks French for the new controls', async () => {
    const { view } = await openView('fr');
    expect(text(view)).to.contain('Allergie');
    expect(text(view)).to.contain('Autre');
    expect($(view, 'label[for=q-weight]').textContent).to.contain('(en kg)');
    expect($(view, '#q-meds').textContent).to.equal('Ajouter : Médicament');
    await expect(view).to.be.accessible();
  });
});
