import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import '../../admin/pages/sm-questionnaires-page.js';
import type { SmQuestionnairesPage } from '../../admin/pages/sm-questionnaires-page.js';
import { AdminApi } from '../../admin/admin-api.js';
import type { Me } from '../../shared/api.js';
import type { LibraryEntry, QuestionnaireSummary, StaffAssignment } from '../../shared/questionnaires.js';
import { startWorker, worker } from './msw.js';

const me: Me = { staff: { id: 's1', name: 'Dana', email: 'd@x.test', role: 'physician', disabled: false, createdAt: '' }, clinic: { id: 'c1', slug: 'north', name: 'North' }, devMailbox: false };
const phq9: QuestionnaireSummary = { id: 'q1', title: 'Patient Health Questionnaire (PHQ-9)', titleFr: 'Questionnaire sur la santé du patient (PHQ-9)', libraryKey: 'phq-9', version: 1, versionId: 'v1', updatedAt: '2026-11-26T00:00:00.000Z' };
const library: LibraryEntry[] = [
  { key: 'phq-9', title: phq9.title, titleFr: phq9.titleFr, questionnaireId: 'q1' },
  { key: 'gad-7', title: 'Generalized Anxiety Disorder (GAD-7)', titleFr: 'Trouble d’anxiété généralisée (GAD-7)', questionnaireId: null },
];
const completed: StaffAssignment = {
  id: 'a1', questionnaireId: 'q1', versionId: 'v1', version: 1, title: phq9.title, titleFr: phq9.titleFr, patientId: 'p1', patientName: 'Jamie Patient', status: 'completed', overdue: false,
  dueDate: '2026-12-01', createdAt: '2026-11-20T00:00:00.000Z', submittedAt: '2026-11-25T00:00:00.000Z',
  result: { scores: [{ linkId: 'phq9-total', en: 'Total score', fr: 'Score total', value: 12, band: { code: 'moderate', en: 'Moderate depression', fr: 'Dépression modérée' } }], flags: ['phq9-item9', 'bp-severe', 'clinic-own-flag'] },
};

const shadow = (el: Element) => el.shadowRoot!;
const text = (el: Element) => shadow(el).textContent!.replace(/\s+/g, ' ');

describe('<sm-questionnaires-page>', () => {
  before(startWorker);
  afterEach(() => worker.resetHandlers());

  function serve(imports: unknown[]) {
    worker.use(
      http.get('/api/questionnaires', () => HttpResponse.json([phq9])),
      http.get('/api/questionnaire-library', () => HttpResponse.json(library)),
      http.get('/api/questionnaire-assignments', () => HttpResponse.json([completed])),
      http.post('/api/questionnaires', async ({ request }) => {
        imports.push(await request.json());
        return HttpResponse.json({ code: 'invalid_fhir', message: 'Questionnaire.item[0].linkId: Missing required property' }, { status: 422 });
      }),
    );
  }

  it('shows each response with its score, band and the item-9 flag, and offers the library instruments not yet added', async () => {
    serve([]);
    const el = await fixture<SmQuestionnairesPage>(html`<sm-questionnaires-page .api=${new AdminApi()} .me=${me}></sm-questionnaires-page>`);
    await waitUntil(() => shadow(el).querySelector('tbody tr'), 'assignments listed');
    const row = shadow(el).querySelector('tbody tr')!.textContent!.replace(/\s+/g, ' ');
    expect(row).to.contain('Jamie Patient');
    expect(row).to.contain('12 – Moderate depression');
    expect(row).to.contain('Safety flag: PHQ-9 item 9');
    expect(row).to.contain('Safety flag: Home blood pressure of 180/110 or more');
    // A flag of an imported questionnaire has no words of ours: its code is shown.
    expect(row).to.contain('Safety flag: clinic-own-flag');
    expect(text(el)).to.contain('Add Generalized Anxiety Disorder (GAD-7)');
    expect(text(el)).to.contain('Patient Health Questionnaire (PHQ-9): added');
    await expect(el).to.be.accessible();
  });

  it('refuses an invalid import with the path of the first problem, in French too', async () => {
    const imports: unknown[] = [];
    serve(imports);
    const el = await fixture<SmQuestionnairesPage>(html`<sm-questionnaires-page .api=${new AdminApi()} .me=${me} lang="fr"></sm-questionnaires-page>`);
    await waitUntil(() => shadow(el).querySelector('#import-json'));
    const area = shadow(el).querySelector<HTMLTextAreaElement>('#import-json')!;
    area.value = '{ not json';
    area.dispatchEvent(new Event('input'));
    await el.updateComplete;
    shadow(el).querySelector<HTMLFormElement>('form')!.requestSubmit();
    await el.updateComplete;
    expect(shadow(el).querySelector('#import-error')!.textContent).to.contain("Ce n'est pas du JSON");
    expect(imports.length).to.equal(0);

    area.value = JSON.stringify({ resourceType: 'Questionnaire', status: 'active', item: [{ type: 'string' }] });
    area.dispatchEvent(new Event('input'));
    await el.updateComplete;
    shadow(el).querySelector<HTMLFormElement>('form')!.requestSubmit();
    await waitUntil(() => shadow(el).querySelector('#import-error')?.textContent?.includes('Questionnaire.item[0].linkId'), 'the path is shown');
    expect(shadow(el).querySelector('#import-error')!.textContent).to.equal("Ce n'est pas un questionnaire utilisable. Premier problème à Questionnaire.item[0].linkId : Missing required property");
    expect(shadow(el).activeElement).to.equal(area);
    expect(imports.length).to.equal(1);
    await expect(el).to.be.accessible();
  });
  it('sends by text-message link when chosen, says so, and words a refusal from its code (EN and FR)', async () => {
    serve([]);
    const sent: unknown[] = [];
    let refuse = false;
    const jamie = { id: 'p1', name: 'Jamie Patient', dateOfBirth: '1990-05-17', email: 'j@x.test', phone: null, mobile: '+15145550123', smsConsentAt: '2026-11-01T00:00:00.000Z', healthNumber: null, lang: 'en', consentedAt: null, createdAt: '2026-01-01T00:00:00.000Z' };
    worker.use(
      http.get('/api/patients', () => HttpResponse.json({ patients: [jamie], nextCursor: null })),
      http.post('/api/questionnaires/:id/assignments', async ({ request }) => {
        sent.push(await request.json());
        return refuse ? HttpResponse.json({ code: 'patient_not_textable', message: 'A patient has no mobile number' }, { status: 409 }) : HttpResponse.json({ ids: ['a2'] }, { status: 201 });
      }),
    );
    const pick = async (el: SmQuestionnairesPage) => {
      await waitUntil(() => shadow(el).querySelector('input[type=search]'));
      const search = shadow(el).querySelector<HTMLInputElement>('input[type=search]')!;
      search.value = 'Jamie';
      search.dispatchEvent(new Event('input'));
      await waitUntil(() => shadow(el).querySelector('select[name=patient] option'));
      shadow(el).querySelector<HTMLInputElement>('input[name=channel][value=sms]')!.click();
      return search.closest('form')!;
    };
    const el = await fixture<SmQuestionnairesPage>(html`<sm-questionnaires-page .api=${new AdminApi()} .me=${me}></sm-questionnaires-page>`);
    const form = await pick(el);
    const legend = form.querySelector('fieldset legend')!;
    expect(legend.textContent).to.equal('Send by');
    expect([...form.querySelectorAll('fieldset label')].map((l) => l.textContent!.trim())).to.deep.equal(['E-mail link', 'Text message link', 'Message in a secure conversation']);
    await expect(el).to.be.accessible();
    form.requestSubmit();
    await waitUntil(() => shadow(el).querySelector('[role=status].ok'));
    expect(sent[0]).to.deep.equal({ patientIds: ['p1'], channel: 'sms' });
    expect(shadow(el).querySelector('[role=status].ok')!.textContent).to.equal('Assigned to Jamie Patient. They get a text message with a link, and nothing about the questionnaire.');

    refuse = true;
    const fr = await fixture<SmQuestionnairesPage>(html`<sm-questionnaires-page lang="fr" .api=${new AdminApi()} .me=${me}></sm-questionnaires-page>`);
    (await pick(fr)).requestSubmit();
    await waitUntil(() => shadow(fr).querySelector('[role=alert]'));
    expect(shadow(fr).querySelector('[role=alert]')!.textContent).to.equal('Un patient n’a pas de numéro de cellulaire ou n’a pas accepté les textos. Ajoutez le numéro et le consentement à la page Patients, ou envoyez par courriel.');
  });
});
