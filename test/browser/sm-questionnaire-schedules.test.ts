import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import '../../admin/pages/sm-questionnaires-page.js';
import type { SmQuestionnairesPage } from '../../admin/pages/sm-questionnaires-page.js';
import type { SmQuestionnaireSchedules } from '../../admin/pages/sm-questionnaire-schedules.js';
import { AdminApi } from '../../admin/admin-api.js';
import type { Me } from '../../shared/api.js';
import type { QuestionnaireSchedule } from '../../shared/questionnaire-schedules.js';
import type { QuestionnaireSummary } from '../../shared/questionnaires.js';
import { startWorker, worker } from './msw.js';

const me: Me = { staff: { id: 's1', name: 'Dana', email: 'd@x.test', role: 'physician', disabled: false, createdAt: '' }, clinic: { id: 'c1', slug: 'north', name: 'North' }, devMailbox: false };
const bp: QuestionnaireSummary = { id: 'q1', title: 'Home blood pressure log', titleFr: 'Relevé de la pression artérielle à domicile', libraryKey: 'bp-log', version: 1, versionId: 'v1', updatedAt: '2026-11-26T00:00:00.000Z' };
const jamie = { id: 'p1', name: 'Jamie Patient', dateOfBirth: '1990-05-17', email: 'j@x.test', phone: null, mobile: null, smsConsentAt: null, healthNumber: null, lang: 'en', consentedAt: null, createdAt: '2026-01-01T00:00:00.000Z' };
const weekly: QuestionnaireSchedule = {
  id: 's1', questionnaireId: 'q1', title: bp.title, titleFr: bp.titleFr, patientId: 'p1', patientName: 'Jamie Patient', channel: 'email', every: 2, unit: 'week', until: '2027-03-31',
  dueDays: 2, remindDaysBefore: 1, createdAt: '2026-11-26T00:00:00.000Z', nextAt: '2026-12-10T14:00:00.000Z', stoppedAt: null,
};

const shadow = (el: Element) => el.shadowRoot!;

describe('sending a questionnaire with a reminder and a repeat, and stopping a recurring one', () => {
  before(startWorker);
  afterEach(() => worker.resetHandlers());

  function serve(sent: unknown[], stops: string[]) {
    let schedules: QuestionnaireSchedule[] = [];
    worker.use(
      http.get('/api/questionnaires', () => HttpResponse.json([bp])),
      http.get('/api/questionnaire-library', () => HttpResponse.json([])),
      http.get('/api/questionnaire-assignments', () => HttpResponse.json([])),
      http.get('/api/patients', () => HttpResponse.json({ patients: [jamie], nextCursor: null })),
      http.get('/api/questionnaire-schedules', () => HttpResponse.json(schedules)),
      http.post('/api/questionnaires/:id/assignments', async ({ request }) => {
        sent.push(await request.json());
        schedules = [weekly];
        return HttpResponse.json({ ids: ['a1'], scheduleIds: ['s1'] }, { status: 201 });
      }),
      http.post('/api/questionnaire-schedules/:id/stop', ({ params }) => {
        stops.push(String(params.id));
        schedules = [{ ...weekly, stoppedAt: '2026-11-27T15:00:00.000Z', nextAt: null }];
        return new HttpResponse(null, { status: 204 });
      }),
    );
  }

  async function pick(el: SmQuestionnairesPage) {
    await waitUntil(() => shadow(el).querySelector('input[type=search]'));
    const search = shadow(el).querySelector<HTMLInputElement>('input[type=search]')!;
    search.value = 'Jamie';
    search.dispatchEvent(new Event('input'));
    await waitUntil(() => shadow(el).querySelector('select[name=patient] option'));
    return search.closest('form')!;
  }

  it('sends the due date, reminder and repeat, lists the schedule, and stops it with focus on the outcome', async () => {
    const sent: unknown[] = [];
    const stops: string[] = [];
    serve(sent, stops);
    const el = await fixture<SmQuestionnairesPage>(html`<sm-questionnaires-page .api=${new AdminApi()} .me=${me}></sm-questionnaires-page>`);
    const form = await pick(el);
    const list = () => shadow(el).querySelector<SmQuestionnaireSchedules>('sm-questionnaire-schedules')!;
    await waitUntil(() => shadow(list()).textContent!.includes('No recurring questionnaires.'), 'the empty list');
    const field = <T extends HTMLElement>(name: string) => form.querySelector<T>(`[name=${name}]`)!;

    // A reminder without a due date is refused here, focused on the due date.
    field<HTMLSelectElement>('reminder').value = '1';
    form.requestSubmit();
    await el.updateComplete;
    expect(shadow(el).querySelector('[role=alert]')!.textContent).to.equal('A reminder needs a due date.');
    expect(shadow(el).activeElement).to.equal(field('due'));
    expect(sent.length).to.equal(0);

    field<HTMLInputElement>('due').value = '2026-11-28';
    field<HTMLSelectElement>('repeat-unit').value = 'week';
    field<HTMLInputElement>('repeat-every').value = '2';
    form.requestSubmit();
    await el.updateComplete;
    expect(shadow(el).querySelector('[role=alert]')!.textContent).to.equal('Choose the last day it repeats.');
    expect(shadow(el).activeElement).to.equal(field('repeat-until'));

    field<HTMLInputElement>('repeat-until').value = '2027-03-31';
    form.requestSubmit();
    await waitUntil(() => shadow(el).querySelector('[role=status].ok'), 'sent');
    expect(sent[0]).to.deep.equal({ patientIds: ['p1'], dueDate: '2026-11-28', channel: 'email', reminderDaysBefore: 1, repeat: { every: 2, unit: 'week', until: '2027-03-31' } });
    expect(shadow(el).querySelector('[role=status].ok')!.textContent).to.contain('It repeats until 2027-03-31');

    await waitUntil(() => shadow(list()).querySelector('tbody tr'), 'the schedule is listed');
    const row = shadow(list()).querySelector('tbody tr')!.textContent!.replace(/\s+/g, ' ');
    expect(row).to.contain('Jamie Patient');
    expect(row).to.contain('Every 2 weeks');
    await expect(el).to.be.accessible();

    const confirm = window.confirm;
    window.confirm = () => true;
    try {
      const stop = shadow(list()).querySelector<HTMLButtonElement>('tbody button')!;
      expect(stop.getAttribute('aria-label')).to.equal('Stop Home blood pressure log for Jamie Patient');
      stop.click();
      await waitUntil(() => shadow(list()).querySelector('.ok'), 'stopped');
    } finally {
      window.confirm = confirm;
    }
    expect(stops).to.deep.equal(['s1']);
    expect(shadow(list()).activeElement).to.equal(shadow(list()).querySelector('.ok'));
    expect(shadow(list()).querySelector('tbody tr')!.textContent).to.contain('Stopped on');
    expect(shadow(list()).querySelector('tbody button')).to.equal(null);
  });

  it('sends to several patients at once: each added to the list, one removed, one request for the rest', async () => {
    const sent: unknown[] = [];
    serve(sent, []);
    const sam = { ...jamie, id: 'p2', name: 'Sam Other', dateOfBirth: '1975-02-03' };
    const lee = { ...jamie, id: 'p3', name: 'Lee Third', dateOfBirth: '1960-07-08' };
    worker.use(http.get('/api/patients', () => HttpResponse.json({ patients: [jamie, sam, lee], nextCursor: null })));
    const el = await fixture<SmQuestionnairesPage>(html`<sm-questionnaires-page .api=${new AdminApi()} .me=${me}></sm-questionnaires-page>`);
    const form = await pick(el);
    await waitUntil(() => form.querySelectorAll('select[name=patient] option').length === 3);
    const select = form.querySelector<HTMLSelectElement>('select[name=patient]')!;
    const add = [...form.querySelectorAll<HTMLButtonElement>('button[type=button]')].find((b) => b.textContent === 'Add to the list')!;
    for (const id of ['p1', 'p2', 'p3', 'p2']) {
      select.value = id;
      add.click();
      await el.updateComplete;
    }
    const names = () => [...form.querySelectorAll('ul.chosen li')].map((li) => li.textContent!.replace(/\s+/g, ' ').replace(/ Remove\s*$/, '').trim());
    expect(names()).to.deep.equal(['Jamie Patient (1990-05-17)', 'Sam Other (1975-02-03)', 'Lee Third (1960-07-08)'], 'added once each');
    expect(form.querySelector('#chosen-title')!.textContent).to.equal('Sending to 3 patients:');
    const remove = form.querySelector<HTMLButtonElement>('ul.chosen li:nth-child(2) button')!;
    expect(remove.getAttribute('aria-label')).to.equal('Remove Sam Other from the list');
    remove.click();
    await el.updateComplete;
    await el.updateComplete;
    expect(names()).to.deep.equal(['Jamie Patient (1990-05-17)', 'Lee Third (1960-07-08)']);
    expect(shadow(el).activeElement).to.equal(form.querySelector('ul.chosen button'), 'the focus stays in the list');
    await expect(el).to.be.accessible();
    form.requestSubmit();
    await waitUntil(() => shadow(el).querySelector('[role=status].ok')?.textContent?.includes('Sent to 2 patients.'), 'sent');
    expect(sent).to.deep.equal([{ patientIds: ['p1', 'p3'], channel: 'email' }]);
    expect(form.querySelector('ul.chosen')).to.equal(null, 'the list is emptied after the send');
  });

  it('speaks French: the repeat fields and the schedule list', async () => {
    serve([], []);
    const el = await fixture<SmQuestionnairesPage>(html`<sm-questionnaires-page lang="fr" .api=${new AdminApi()} .me=${me}></sm-questionnaires-page>`);
    const form = await pick(el);
    expect(form.querySelector('#repeat-title')!.textContent).to.equal('Répétition (suivi à distance)');
    expect([...form.querySelectorAll('select[name=reminder] option')].map((o) => o.textContent)).to.deep.equal(['Aucun rappel', 'Le jour de l’échéance', '1 jour avant l’échéance', '2 jours avant l’échéance', '3 jours avant l’échéance', '7 jours avant l’échéance']);
    const list = shadow(el).querySelector<SmQuestionnaireSchedules>('sm-questionnaire-schedules')!;
    await waitUntil(() => shadow(list).textContent!.includes('Aucun questionnaire récurrent.'));
    await expect(el).to.be.accessible();
  });
});
