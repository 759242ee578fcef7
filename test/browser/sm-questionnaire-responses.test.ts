import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import '../../admin/pages/sm-questionnaires-page.js';
import '../../admin/questionnaires/sm-response-print.js';
import type { SmQuestionnairesPage } from '../../admin/pages/sm-questionnaires-page.js';
import type { SmResponsePrint } from '../../admin/questionnaires/sm-response-print.js';
import { AdminApi } from '../../admin/admin-api.js';
import type { Me } from '../../shared/api.js';
import type { ResponsePrint, ResponseSeries } from '../../shared/questionnaire-responses.js';
import type { QuestionnaireSummary, StaffAssignment, StaffAssignmentDetail } from '../../shared/questionnaires.js';
import { startWorker, worker } from './msw.js';

const me: Me = { staff: { id: 's1', name: 'Dana', email: 'd@x.test', role: 'physician', disabled: false, createdAt: '' }, clinic: { id: 'c1', slug: 'north', name: 'North' }, devMailbox: false };
const bp: QuestionnaireSummary = { id: 'q2', title: 'Home blood pressure', titleFr: 'Tension artérielle à domicile', libraryKey: null, version: 2, versionId: 'v2', updatedAt: '2026-11-26T00:00:00.000Z' };
const result = { scores: [], flags: [] };
const done: StaffAssignment = {
  id: 'a1', questionnaireId: 'q2', versionId: 'v2', version: 2, title: bp.title, titleFr: bp.titleFr, patientId: 'p1', patientName: 'Jamie Patient', status: 'completed', overdue: false,
  dueDate: null, createdAt: '2026-11-20T00:00:00.000Z', submittedAt: '2026-11-25T15:00:00.000Z', result,
};
const late: StaffAssignment = { ...done, id: 'a2', patientId: 'p2', patientName: 'Robin Other', status: 'assigned', overdue: true, dueDate: '2026-11-01', submittedAt: null, result: null };
const questionnaire = {
  resourceType: 'Questionnaire' as const,
  status: 'active' as const,
  title: bp.title,
  item: [
    { linkId: 'sys', type: 'quantity' as const, text: 'Systolic' },
    { linkId: 'dia', type: 'quantity' as const, text: 'Diastolic' },
    { linkId: 'note', type: 'string' as const, text: 'Anything to add?' },
  ],
};
const answers = { sys: [{ valueQuantity: { value: 131, unit: 'mmHg', code: 'mm[Hg]' } }], dia: [{ valueQuantity: { value: 84, unit: 'mmHg', code: 'mm[Hg]' } }], note: [{ valueString: 'after a walk' }] };
const series: ResponseSeries = {
  patientId: 'p1', patientName: 'Jamie Patient', questionnaireId: 'q2', title: bp.title, titleFr: bp.titleFr,
  series: [
    { linkId: 'sys', kind: 'answer', en: 'Systolic', fr: 'Systolique', unit: 'mm[Hg]', points: [{ at: '2026-09-01T12:00:00.000Z', value: 142, responseId: 'r0', assignmentId: 'a0' }, { at: '2026-11-25T15:00:00.000Z', value: 131, responseId: 'r1', assignmentId: 'a1' }] },
    { linkId: 'dia', kind: 'answer', en: 'Diastolic', fr: 'Diastolique', unit: 'mm[Hg]', points: [{ at: '2026-09-01T12:00:00.000Z', value: 91, responseId: 'r0', assignmentId: 'a0' }, { at: '2026-11-25T15:00:00.000Z', value: 84, responseId: 'r1', assignmentId: 'a1' }] },
  ],
};

const shadow = (el: Element) => el.shadowRoot!;
const text = (el: Element) => shadow(el).textContent!.replace(/\s+/g, ' ');

describe('staff reading responses', () => {
  before(startWorker);
  afterEach(() => worker.resetHandlers());

  function serve(seen: { lists: string[]; replies: unknown[] }) {
    worker.use(
      http.get('/api/questionnaires', () => HttpResponse.json([bp])),
      http.get('/api/questionnaire-library', () => HttpResponse.json([])),
      http.get('/api/questionnaire-assignments', ({ request }) => {
        const q = new URL(request.url).searchParams;
        seen.lists.push(q.toString());
        return HttpResponse.json(q.get('status') === 'overdue' ? [late] : [done, late]);
      }),
      http.get('/api/questionnaire-assignments/a1', () => HttpResponse.json({ assignment: done, questionnaire, responses: [{ id: 'r1', revision: 1, status: 'completed', answers, result, updatedAt: done.submittedAt!, submittedAt: done.submittedAt }] } satisfies StaffAssignmentDetail)),
      http.get('/api/questionnaire-series', ({ request }) => {
        const q = new URL(request.url).searchParams;
        return q.get('patientId') === 'p1' && q.get('questionnaireId') === 'q2' ? HttpResponse.json(series) : HttpResponse.json({ code: 'not_found', message: 'x' }, { status: 404 });
      }),
      http.post('/api/questionnaire-assignments/a1/reply', async ({ request }) => {
        const body = (await request.json()) as { id: string };
        seen.replies.push(body);
        return HttpResponse.json({ threadId: 't9', messageId: body.id, newThread: true });
      }),
    );
  }

  async function page(lang = 'en') {
    const el = await fixture<SmQuestionnairesPage>(html`<sm-questionnaires-page .api=${new AdminApi()} .me=${me} lang=${lang}></sm-questionnaires-page>`);
    await waitUntil(() => shadow(el).querySelectorAll('tbody tr').length === 2, 'assignments listed');
    return el;
  }

  it('filters the responses by status (overdue) and offers the patients seen as a filter', async () => {
    const seen = { lists: [] as string[], replies: [] };
    serve(seen);
    const el = await page();
    const filters = shadow(el).querySelector('sm-response-filters')!;
    await filters.updateComplete;
    const patient = shadow(filters).querySelector<HTMLSelectElement>('select[name="patient"]')!;
    expect([...patient.options].map((o) => o.textContent!.trim())).to.deep.equal(['All', 'Jamie Patient', 'Robin Other']);
    const status = shadow(filters).querySelector<HTMLSelectElement>('select[name="status"]')!;
    status.value = 'overdue';
    status.dispatchEvent(new Event('change'));
    await waitUntil(() => shadow(el).querySelectorAll('tbody tr').length === 1, 'filtered');
    expect(seen.lists.at(-1)).to.equal('status=overdue');
    expect(text(el)).to.contain('Responses shown: 1');
    expect(shadow(el).querySelector('tbody tr')!.textContent).to.contain('Robin Other');
    await expect(el).to.be.accessible();
  });

  it('draws the trend of numeric answers with a summary and a table of the same data behind a keyboard toggle', async () => {
    serve({ lists: [], replies: [] });
    const el = await page();
    const open = [...shadow(el).querySelectorAll<HTMLButtonElement>('tbody button')].find((b) => b.textContent!.includes('Trend: Home blood pressure, Jamie Patient'))!;
    open.click();
    await waitUntil(() => shadow(el).querySelector('sm-response-trend')?.shadowRoot?.querySelector('table'), 'the trend loaded');
    const trend = shadow(el).querySelector('sm-response-trend')!;
    await waitUntil(() => shadow(trend).querySelector('.chart canvas'), 'the chart is drawn');
    expect(shadow(trend).querySelector('h3')!.textContent).to.equal('Home blood pressure over time: Jamie Patient');
    expect(shadow(trend).activeElement === shadow(trend).querySelector('h3'), 'focus on the heading').to.equal(true);
    const chart = shadow(trend).querySelector('.chart')!;
    expect(chart.getAttribute('role')).to.equal('img');
    expect(chart.getAttribute('tabindex')).to.equal('0');
    expect(chart.getAttribute('aria-label')).to.equal('Chart of Systolic (mmHg), Diastolic (mmHg). The table below has the same data.');
    expect(shadow(trend).querySelector('#trend-summary')!.textContent!.replace(/\s+/g, ' ')).to.contain('Systolic (mmHg): 2 values from Sep 1, 2026 to Nov 25, 2026; lowest 131, highest 142, latest 131.');

    const toggle = [...shadow(trend).querySelectorAll('button')].find((b) => b.getAttribute('aria-controls') === 'trend-table')!;
    expect(toggle.getAttribute('aria-expanded')).to.equal('false');
    expect(shadow(trend).querySelector<HTMLElement>('#trend-table')!.hidden).to.equal(true);
    toggle.click();
    await trend.updateComplete;
    expect(toggle.getAttribute('aria-expanded')).to.equal('true');
    const rows = [...shadow(trend).querySelectorAll('#trend-table tbody tr')].map((r) => [...r.children].map((c) => c.textContent!.trim()));
    expect(rows).to.deep.equal([['Sep 1, 2026', '142', '91'], ['Nov 25, 2026', '131', '84']]);
    expect([...shadow(trend).querySelectorAll('#trend-table thead th')].map((th) => th.textContent!.trim())).to.deep.equal(['Date', 'Systolic (mmHg)', 'Diastolic (mmHg)']);

    // Unticking a value takes it out of the chart's description and the table alike.
    const dia = [...shadow(trend).querySelectorAll('fieldset label')].find((l) => l.textContent!.includes('Diastolic'))!.querySelector('input')!;
    dia.click();
    await trend.updateComplete;
    expect([...shadow(trend).querySelectorAll('#trend-table tbody tr')].map((r) => r.children.length)).to.deep.equal([2, 2]);
    await expect(trend).to.be.accessible();
  });

  it('links each revision to its print view and sends a reply, then opens that conversation', async () => {
    const seen = { lists: [] as string[], replies: [] as unknown[] };
    serve(seen);
    const el = await page();
    shadow(el).querySelector<HTMLButtonElement>('tbody tr button')!.click();
    await waitUntil(() => shadow(el).querySelector('#detail sm-response-reply'), 'detail shown');
    const print = [...shadow(el).querySelectorAll<HTMLAnchorElement>('#detail a')].find((a) => a.textContent!.includes('Print view of revision 1'))!;
    expect(print.getAttribute('href')).to.equal('/admin/questionnaires/responses/r1/print');

    const reply = shadow(el).querySelector('sm-response-reply')!;
    await reply.updateComplete;
    shadow(reply).querySelector<HTMLButtonElement>('#reply-open')!.click();
    await reply.updateComplete;
    const area = shadow(reply).querySelector('textarea')!;
    expect(shadow(reply).activeElement === area, 'focus in the message').to.equal(true);
    expect(text(reply)).to.contain('Your message to Jamie Patient');
    shadow(reply).querySelector('form')!.requestSubmit();
    await reply.updateComplete;
    expect(shadow(reply).querySelector('[role="alert"]')!.textContent).to.equal('Write a message first.');
    expect(seen.replies.length).to.equal(0);

    const went = new Promise<string>((resolve) => window.addEventListener('vaadin-router-go', (e) => resolve((e as CustomEvent<{ pathname: string }>).detail.pathname), { once: true }));
    area.value = 'Thank you, could you call us?';
    shadow(reply).querySelector('form')!.requestSubmit();
    expect(await went).to.equal('/admin/inbox/t9');
    expect(seen.replies).to.have.length(1);
    expect((seen.replies[0] as { body: string }).body).to.equal('Thank you, could you call us?');
    expect((seen.replies[0] as { id: string }).id).to.match(/^[0-9a-f-]{36}$/);
  });

  it('lays a response out for print: clinic, patient, questionnaire and version, date, answers with their questions, in French too', async () => {
    const data: ResponsePrint = {
      clinicName: 'Clinique Nord', patient: { id: 'p1', name: 'Jamie Patient', dateOfBirth: '1990-05-17' }, assignmentId: 'a1', title: bp.title, titleFr: bp.titleFr, version: 2,
      questionnaire, response: { id: 'r1', revision: 1, status: 'completed', answers, result: { scores: [{ linkId: 'x', en: 'Total', fr: 'Total', value: 12, band: { code: 'moderate', en: 'Moderate', fr: 'Modérée' } }], flags: [] }, updatedAt: done.submittedAt!, submittedAt: done.submittedAt },
    };
    worker.use(http.get('/api/questionnaire-responses/r1/print', () => HttpResponse.json(data)));
    const el = await fixture<SmResponsePrint>(html`<sm-response-print .api=${new AdminApi()} .me=${me} .routeParams=${{ id: 'r1' }} lang="fr"></sm-response-print>`);
    await waitUntil(() => shadow(el).querySelector('h1'), 'print view shown');
    const all = text(el);
    expect(shadow(el).querySelector('h1')!.textContent).to.equal('Tension artérielle à domicile');
    expect(shadow(el).activeElement === shadow(el).querySelector('h1'), 'focus on the heading').to.equal(true);
    for (const part of ['Clinique Nord', 'Confidentiel', 'Jamie Patient', '1990-05-17', '(version 2)', '25 novembre 2026', 'Modérée']) expect(all).to.contain(part);
    const qa = [...shadow(el).querySelectorAll('.answers .qa')].map((d) => [d.querySelector('dt')!.textContent!.trim(), d.querySelector('dd')!.textContent!.trim()]);
    expect(qa).to.deep.equal([['Systolic', '131 mmHg'], ['Diastolic', '84 mmHg'], ['Anything to add?', 'after a walk']]);

    const printed: unknown[] = [];
    const original = window.print;
    window.print = () => void printed.push(1);
    try {
      [...shadow(el).querySelectorAll('button')].find((b) => b.textContent!.includes('Imprimer ou enregistrer en PDF'))!.click();
    } finally {
      window.print = original;
    }
    expect(printed).to.have.length(1);
    await expect(el).to.be.accessible();
  });
});
