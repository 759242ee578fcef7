import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import type { Questionnaire } from '@medplum/fhirtypes';
import '../../widget/frame/sm-questionnaire-view.js';
import { PatientApi } from '../../widget/frame/patient-api.js';
import type { SmQuestionnaireView } from '../../widget/frame/sm-questionnaire-view.js';
import type { PatientAssignment, PatientAssignmentDetail } from '../../shared/questionnaires.js';
import { startWorker, worker } from './msw.js';

const fr = (text: string) => ({ extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/translation', extension: [{ url: 'lang', valueCode: 'fr' }, { url: 'content', valueString: text }] }] });

const questionnaire = {
  resourceType: 'Questionnaire',
  status: 'active',
  title: 'Pre-visit check',
  _title: fr('Vérification avant la visite'),
  item: [
    { linkId: 'intro', type: 'display', text: 'A few questions.', _text: fr('Quelques questions.') },
    { linkId: 'smoke', type: 'boolean', text: 'Do you smoke?', _text: fr('Fumez-vous ?'), required: true },
    { linkId: 'packs', type: 'integer', text: 'Packs a day', _text: fr('Paquets par jour'), required: true, enableWhen: [{ question: 'smoke', operator: '=', answerBoolean: true }] },
    {
      linkId: 'mood', type: 'choice', text: 'Mood', _text: fr('Humeur'), required: true,
      answerOption: [{ valueCoding: { system: 'http://example.org', code: 'good', display: 'Good', _display: fr('Bonne') } }, { valueCoding: { system: 'http://example.org', code: 'bad', display: 'Bad', _display: fr('Mauvaise') } }],
    },
    { linkId: 'total', type: 'integer', text: 'Total', readOnly: true },
  ],
} as unknown as Questionnaire;

const assignment: PatientAssignment = { id: 'a1', title: 'Pre-visit check', titleFr: 'Vérification avant la visite', status: 'assigned', overdue: false, dueDate: '2099-03-15', createdAt: '2026-11-01T00:00:00.000Z', submittedAt: null };
const detail: PatientAssignmentDetail = { assignment, questionnaire, response: null };

const root = (el: Element) => el.shadowRoot!;
const text = (el: Element) => root(el).textContent!.replace(/\s+/g, ' ');

function radio(view: SmQuestionnaireView, legend: string, label: string): HTMLInputElement {
  const fieldset = [...root(view).querySelectorAll('fieldset')].find((f) => f.querySelector('legend')!.textContent!.includes(legend))!;
  return [...fieldset.querySelectorAll('label')].find((l) => l.textContent!.trim() === label)!.querySelector('input')!;
}

async function choose(view: SmQuestionnaireView, legend: string, label: string) {
  const input = radio(view, legend, label);
  input.checked = true;
  input.dispatchEvent(new Event('change'));
  await view.updateComplete;
}

describe('<sm-questionnaire-view>', () => {
  before(startWorker);
  afterEach(() => worker.resetHandlers());

  async function openView(lang: 'en' | 'fr' = 'en') {
    const saves: Array<{ answers: Record<string, unknown> }> = [];
    const submits: Array<{ answers: Record<string, unknown> }> = [];
    worker.use(
      http.get('/api/patient/questionnaires', () => HttpResponse.json([assignment])),
      http.get('/api/patient/questionnaires/a1', () => HttpResponse.json(submits.length ? { ...detail, assignment: { ...assignment, status: 'completed', submittedAt: '2026-11-26T10:00:00.000Z' }, response: { id: 'r1', revision: 1, status: 'completed', answers: submits[0]!.answers, updatedAt: '2026-11-26T10:00:00.000Z' } } : detail)),
      http.put('/api/patient/questionnaires/a1/answers', async ({ request }) => {
        saves.push((await request.json()) as (typeof saves)[number]);
        return HttpResponse.json({ id: 'r1', revision: 1, status: 'in-progress', updatedAt: '2026-11-26T10:00:00.000Z' });
      }),
      http.post('/api/patient/questionnaires/a1/submit', async ({ request }) => {
        submits.push((await request.json()) as (typeof submits)[number]);
        return HttpResponse.json({ id: 'r1', revision: 1, status: 'completed', updatedAt: '2026-11-26T10:00:00.000Z' });
      }),
    );
    const view = await fixture<SmQuestionnaireView>(html`<sm-questionnaire-view .api=${new PatientApi('north', lang)} .lang=${lang}></sm-questionnaire-view>`);
    await waitUntil(() => root(view).querySelector('ul.list button'), 'the list shows');
    return { view, saves, submits };
  }

  it('lists what the clinic asks with its due date and the emergency notice, accessibly', async () => {
    const { view } = await openView();
    expect(text(view)).to.contain('Not for emergencies');
    expect(text(view)).to.contain('Pre-visit check');
    expect(text(view)).to.contain('Please fill in by March 15, 2099');
    await expect(view).to.be.accessible();
  });

  it('shows conditional questions as answers change, autosaves without hidden answers, and focuses and announces errors', async () => {
    const { view, saves, submits } = await openView();
    root(view).querySelector<HTMLButtonElement>('ul.list button')!.click();
    await waitUntil(() => root(view).querySelector('form'), 'the questionnaire opens');
    expect(root(view).activeElement?.tagName).to.equal('H3');
    expect(root(view).querySelector('#q-packs')).to.equal(null, 'hidden until the patient smokes');
    expect(text(view)).not.to.contain('Total', 'calculated items are not asked');
    await expect(view).to.be.accessible();

    await choose(view, 'Do you smoke?', 'Yes');
    const packs = root(view).querySelector<HTMLInputElement>('#q-packs')!;
    expect(root(view).querySelector(`label[for=q-packs]`)!.textContent).to.contain('Packs a day');
    packs.value = '2';
    packs.dispatchEvent(new Event('input'));
    await waitUntil(() => saves.length > 0, 'autosaved', { timeout: 3000 });
    expect(saves.at(-1)!.answers).to.deep.equal({ smoke: [{ valueBoolean: true }], packs: [{ valueInteger: 2 }] });

    await choose(view, 'Do you smoke?', 'No');
    expect(root(view).querySelector('#q-packs')).to.equal(null, 'hidden again');
    await waitUntil(() => saves.length > 1, 'autosaved again', { timeout: 3000 });
    expect(saves.at(-1)!.answers).to.deep.equal({ smoke: [{ valueBoolean: false }] }, 'the hidden answer is not sent');

    // Submitting without the required choice: a summary is announced, the error sits beside the question, focus goes there.
    root(view).querySelector('form')!.requestSubmit();
    await view.updateComplete;
    expect(root(view).querySelector('[role=alert]')!.textContent).to.contain('1 answers need your attention');
    const moodFirst = radio(view, 'Mood', 'Good');
    expect(root(view).activeElement).to.equal(moodFirst);
    const fieldset = moodFirst.closest('fieldset')!;
    expect(root(view).getElementById(fieldset.getAttribute('aria-describedby')!)!.textContent).to.equal('This question needs an answer.');
    expect(submits.length).to.equal(0);
    await expect(view).to.be.accessible();

    await choose(view, 'Mood', 'Bad');
    root(view).querySelector('form')!.requestSubmit();
    await waitUntil(() => root(view).querySelector('.thanks'), 'thanked');
    expect(submits[0]!.answers).to.deep.equal({ smoke: [{ valueBoolean: false }], mood: [{ valueCoding: { system: 'http://example.org', code: 'bad' } }] });
    expect(text(view)).to.contain('You submitted this questionnaire on');
    expect(text(view)).to.contain('Change my answers');
  });

  it('hands a session the server ended at submit to the frame instead of "reload and try again"; words other refusals by their code in French', async () => {
    const { view } = await openView('fr');
    root(view).querySelector<HTMLButtonElement>('ul.list button')!.click();
    await waitUntil(() => root(view).querySelector('form'), 'the questionnaire opens');
    await choose(view, 'Fumez-vous ?', 'Non');
    await choose(view, 'Humeur', 'Bonne');
    let ended = 0;
    view.addEventListener('sm-session-ended', () => ended++);
    let answer = () => HttpResponse.json({ code: 'unauthenticated', message: 'Sign in' }, { status: 401 });
    worker.use(http.post('/api/patient/questionnaires/a1/submit', () => answer()));
    root(view).querySelector('form')!.requestSubmit();
    await waitUntil(() => ended === 1, 'the frame is told');
    await view.updateComplete;
    expect(text(view)).not.to.contain('Rechargez le questionnaire');

    answer = () => HttpResponse.json({ code: 'rate_limited', message: 'Too many', params: { retryAfterSeconds: 120 } }, { status: 429 });
    root(view).querySelector('form')!.requestSubmit();
    await waitUntil(() => text(view).includes('Trop de tentatives'), 'the wait is said');
    expect(ended).to.equal(1);
  });

  it('speaks French from the FHIR translation extension', async () => {
    const { view } = await openView('fr');
    expect(text(view)).to.contain('Vérification avant la visite');
    expect(text(view)).to.contain('À remplir avant le 15 mars 2099');
    root(view).querySelector<HTMLButtonElement>('ul.list button')!.click();
    await waitUntil(() => root(view).querySelector('form'));
    expect(text(view)).to.contain('Fumez-vous ?');
    expect(text(view)).to.contain('Oui');
    expect(text(view)).to.contain('Mauvaise');
    await expect(view).to.be.accessible();
  });
});
