import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import type { Questionnaire } from '@medplum/fhirtypes';
import '../../admin/pages/sm-questionnaires-page.js';
import type { SmQuestionnairesPage } from '../../admin/pages/sm-questionnaires-page.js';
import { AdminApi } from '../../admin/admin-api.js';
import type { Me } from '../../shared/api.js';
import type { StaffAssignment, StaffAssignmentDetail } from '../../shared/questionnaires.js';
import { startWorker, worker } from './msw.js';

const me: Me = { staff: { id: 's1', name: 'Dana', email: 'd@x.test', role: 'physician', disabled: false, createdAt: '' }, clinic: { id: 'c1', slug: 'north', name: 'North' }, devMailbox: false };
const questionnaire = {
  resourceType: 'Questionnaire',
  status: 'active',
  title: 'Intake',
  item: [
    { linkId: 'weight', type: 'quantity', text: 'Weight' },
    { linkId: 'photo', type: 'attachment', text: 'Photo' },
    {
      linkId: 'meds', type: 'group', text: 'Medication', repeats: true,
      item: [{ linkId: 'med-name', type: 'string', text: 'Name' }, { linkId: 'doses', type: 'group', text: 'Dose', repeats: true, item: [{ linkId: 'dose-amount', type: 'decimal', text: 'Amount' }] }],
    },
  ],
} as unknown as Questionnaire;
const assignment: StaffAssignment = {
  id: 'a1', questionnaireId: 'q1', versionId: 'v1', version: 1, title: 'Intake', titleFr: 'Accueil', patientId: 'p1', patientName: 'Jamie Patient', status: 'completed', overdue: false,
  dueDate: null, createdAt: '2026-11-20T00:00:00.000Z', submittedAt: '2026-11-25T00:00:00.000Z', result: null,
};
const detail: StaffAssignmentDetail = {
  assignment,
  questionnaire,
  responses: [{
    id: 'r1', revision: 1, status: 'completed', result: null, updatedAt: '2026-11-25T00:00:00.000Z', submittedAt: '2026-11-25T00:00:00.000Z',
    answers: {
      weight: [{ valueQuantity: { value: 72.5, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' } }],
      photo: [{ valueAttachment: { url: 'urn:uuid:0b5c2a9e-8f3e-4d5b-9c1a-1d2e3f4a5b6c', contentType: 'image/png', size: 68, title: 'rash.png' } }],
      meds: [
        { item: { 'med-name': [{ valueString: 'Ramipril' }], doses: [{ item: { 'dose-amount': [{ valueDecimal: 5 }] } }, { item: { 'dose-amount': [{ valueDecimal: 2.5 }] } }] } },
        { item: { 'med-name': [{ valueString: 'Vitamin D' }] } },
      ],
    },
  }],
};

const shadow = (el: Element) => el.shadowRoot!;

describe('<sm-questionnaires-page> answers of the remaining item types', () => {
  before(startWorker);
  afterEach(() => worker.resetHandlers());

  it('reads quantities with their unit, links attached files and lists each group instance, doses inside their medication', async () => {
    worker.use(
      http.get('/api/questionnaires', () => HttpResponse.json([])),
      http.get('/api/questionnaire-library', () => HttpResponse.json([])),
      http.get('/api/questionnaire-assignments', () => HttpResponse.json([assignment])),
      http.get('/api/questionnaire-assignments/a1', () => HttpResponse.json(detail)),
    );
    const el = await fixture<SmQuestionnairesPage>(html`<sm-questionnaires-page .api=${new AdminApi()} .me=${me}></sm-questionnaires-page>`);
    await waitUntil(() => shadow(el).querySelector('tbody tr button'), 'assignments listed');
    shadow(el).querySelector<HTMLButtonElement>('tbody tr button')!.click();
    await waitUntil(() => shadow(el).querySelector('#detail'), 'the answers open');
    const pairs = [...shadow(el).querySelectorAll('#detail dt')].map((dt) => `${dt.textContent!.trim()}: ${dt.nextElementSibling!.textContent!.replace(/\s+/g, ' ').trim()}`);
    expect(pairs).to.include('Weight: 72.5 kg');
    expect(pairs).to.include('Name: Ramipril');
    expect(pairs).to.include('Name: Vitamin D');
    expect([...shadow(el).querySelectorAll('#detail dd > p')].map((p) => p.textContent)).to.deep.equal(['Medication 1', 'Dose 1', 'Dose 2', 'Medication 2']);
    expect(pairs.filter((p) => p.startsWith('Amount'))).to.deep.equal(['Amount: 5', 'Amount: 2.5']);
    expect(pairs).to.include('Dose: No answer', 'Vitamin D has no dose');
    const link = shadow(el).querySelector<HTMLAnchorElement>('#detail a[download]')!;
    expect(link.getAttribute('href')).to.equal('/api/attachments/0b5c2a9e-8f3e-4d5b-9c1a-1d2e3f4a5b6c');
    expect(link.textContent).to.equal('rash.png');
    await expect(el).to.be.accessible();
  });
});
