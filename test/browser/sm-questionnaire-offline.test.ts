/**
 * <sm-questionnaire-view> offline (msw answers with a network error): answers autosave to the device
 * and reopen from it, a submit waits in the device's outbox and reaches the server once when the
 * connection returns, with its id; a refusal on the way is shown with the answers kept.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import type { Questionnaire } from '@medplum/fhirtypes';
import '../../widget/frame/sm-questionnaire-view.js';
import { PatientApi } from '../../widget/frame/patient-api.js';
import { startQuestionnaireDevice, type QuestionnaireDevice } from '../../widget/frame/questionnaire-device.js';
import type { SmQuestionnaireView } from '../../widget/frame/sm-questionnaire-view.js';
import type { PatientAssignment, PatientAssignmentDetail } from '../../shared/questionnaires.js';
import { startWorker, worker } from './msw.js';

const questionnaire = {
  resourceType: 'Questionnaire',
  status: 'active',
  title: 'Pre-visit check',
  item: [
    { linkId: 'smoke', type: 'boolean', text: 'Do you smoke?', required: true },
    { linkId: 'mood', type: 'choice', text: 'Mood', required: true, answerOption: [{ valueCoding: { system: 'http://example.org', code: 'good', display: 'Good' } }, { valueCoding: { system: 'http://example.org', code: 'bad', display: 'Bad' } }] },
  ],
} as unknown as Questionnaire;

const assignment: PatientAssignment = { id: 'a1', title: 'Pre-visit check', titleFr: 'Vérification avant la visite', status: 'assigned', overdue: false, dueDate: null, createdAt: '2026-11-01T00:00:00.000Z', submittedAt: null };
const detail: PatientAssignmentDetail = { assignment, questionnaire, response: null };
const completed: PatientAssignmentDetail = {
  assignment: { ...assignment, status: 'completed', submittedAt: '2026-11-26T10:00:00.000Z' },
  questionnaire,
  response: { id: 'r1', revision: 1, status: 'completed', answers: { smoke: [{ valueBoolean: false }], mood: [{ valueCoding: { system: 'http://example.org', code: 'bad' } }] }, updatedAt: '2026-11-26T10:00:00.000Z' },
};

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

async function deviceKeys() {
  const keys = await crypto.subtle.generateKey({ name: 'RSA-OAEP', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['wrapKey', 'unwrapKey']);
  const b64 = (b: ArrayBuffer) => btoa(String.fromCharCode(...new Uint8Array(b)));
  return { keyId: 'k', publicKey: b64(await crypto.subtle.exportKey('spki', keys.publicKey)), privateKey: b64(await crypto.subtle.exportKey('pkcs8', keys.privateKey)) };
}

describe('<sm-questionnaire-view> offline', () => {
  before(startWorker);
  afterEach(() => worker.resetHandlers());

  /** The view with the real questionnaire device; `net.up` false makes every questionnaire call a network error. */
  async function setup(onSubmit: (body: { id: string; answers: unknown }, n: number) => Response) {
    const net = { up: true, submitted: false };
    const submits: Array<{ id: string; answers: unknown }> = [];
    const keys = await deviceKeys();
    worker.use(
      http.post('/api/patient/device-key', () => HttpResponse.json(keys)),
      http.get('/api/patient/questionnaires', () => (net.up ? HttpResponse.json([net.submitted ? completed.assignment : assignment]) : HttpResponse.error())),
      http.get('/api/patient/questionnaires/a1', () => (net.up ? HttpResponse.json(net.submitted ? completed : detail) : HttpResponse.error())),
      http.put('/api/patient/questionnaires/a1/answers', () => (net.up ? HttpResponse.json({ id: 'r1', revision: 1, status: 'in-progress', updatedAt: '2026-11-26T10:00:00.000Z' }) : HttpResponse.error())),
      http.post('/api/patient/questionnaires/a1/submit', async ({ request }) => {
        if (!net.up) return HttpResponse.error();
        submits.push((await request.json()) as (typeof submits)[number]);
        return onSubmit(submits.at(-1)!, submits.length);
      }),
    );
    const api = new PatientApi('north', 'en');
    const device: QuestionnaireDevice = await startQuestionnaireDevice(api);
    await device.unlock();
    const view = await fixture<SmQuestionnaireView>(html`<sm-questionnaire-view .api=${api} .device=${device}></sm-questionnaire-view>`);
    await waitUntil(() => root(view).querySelector('ul.list button'), 'the list shows');
    return { view, device, net, submits };
  }

  async function openFirst(view: SmQuestionnaireView) {
    root(view).querySelector<HTMLButtonElement>('ul.list button')!.click();
    await waitUntil(() => root(view).querySelector('form'), 'the questionnaire opens');
  }

  it('autosaves to the device offline, reopens from it, queues the submit and delivers it exactly once when back online', async () => {
    const { view, device, net, submits } = await setup((_body, n) => {
      // The first delivery reaches the server but its answer is lost on the way back.
      if (n === 1) return HttpResponse.error() as unknown as Response;
      net.submitted = true;
      return HttpResponse.json({ id: 'r1', revision: 1, status: 'completed', updatedAt: '2026-11-26T10:00:00.000Z' });
    });
    await openFirst(view);

    net.up = false;
    await choose(view, 'Do you smoke?', 'No');
    await choose(view, 'Mood', 'Bad');
    await waitUntil(() => text(view).includes('Saved on this device'), 'saved on the device', { timeout: 4000 });

    // Back to the list and in again, still offline: the list and the answers come from the device.
    root(view).querySelector<HTMLButtonElement>('button.link')!.click();
    await waitUntil(() => root(view).querySelector('ul.list button'), 'the list from the device');
    expect(text(view)).to.contain('You are offline. This is the list as it was when you were last online.');
    await openFirst(view);
    expect(text(view)).to.contain('You are offline. These are the answers saved on this device.');
    expect(radio(view, 'Do you smoke?', 'No').checked).to.equal(true);
    expect(radio(view, 'Mood', 'Bad').checked).to.equal(true);

    root(view).querySelector('form')!.requestSubmit();
    await waitUntil(() => root(view).querySelector('.queued'), 'queued');
    expect(text(view)).to.contain("Will be sent when you're back online.");
    expect(root(view).activeElement).to.equal(root(view).querySelector('.queued'), 'focus on what happened');
    expect(root(view).querySelector('[role=status].visually-hidden')!.textContent).to.contain("Will be sent when you're back online.");
    expect(root(view).querySelector('button[type=submit]')).to.equal(null, 'not submitted twice while it waits');
    expect(radio(view, 'Mood', 'Bad').disabled).to.equal(true);
    await expect(view).to.be.accessible();
    expect(submits.length).to.equal(0);
    const [queued] = await device.outbox.items();
    expect(queued!.status).to.equal('waiting');

    // Back online: the answer to the first delivery is lost, the retry carries the same id.
    net.up = true;
    window.dispatchEvent(new Event('online'));
    await waitUntil(() => submits.length >= 1, 'delivered once', { timeout: 4000 });
    await device.outbox.flush();
    await waitUntil(() => root(view).querySelector('.thanks'), 'sent', { timeout: 8000 });
    expect(root(view).querySelector('.thanks')!.textContent).to.equal('Sent. Your answers reached the clinic.');
    expect(root(view).querySelector('[role=status].visually-hidden')!.textContent).to.equal('Sent. Your answers reached the clinic.');
    expect(submits.length).to.equal(2);
    expect(new Set(submits.map((s) => s.id))).to.deep.equal(new Set([queued!.clientId]), 'every attempt is the same submit');
    expect(submits[0]!.answers).to.deep.equal({ smoke: [{ valueBoolean: false }], mood: [{ valueCoding: { system: 'http://example.org', code: 'bad' } }] });
    expect(await device.outbox.items()).to.deep.equal([]);
    window.dispatchEvent(new Event('online'));
    await device.outbox.flush();
    expect(submits.length).to.equal(2, 'nothing sent again');
    expect(text(view)).to.contain('You submitted this questionnaire on');
    await device.end();
  });

  it('shows a submit the server refuses on the way, with the answers kept to submit again', async () => {
    const { view, device, net, submits } = await setup(() => HttpResponse.json({ error: 'Conflict', code: 'response_completed', message: 'already submitted' }, { status: 409 }));
    await openFirst(view);
    net.up = false;
    await choose(view, 'Do you smoke?', 'Yes');
    await choose(view, 'Mood', 'Good');
    root(view).querySelector('form')!.requestSubmit();
    await waitUntil(() => root(view).querySelector('.queued'), 'queued');

    net.up = true;
    net.submitted = true; // meanwhile submitted from another device
    await device.outbox.flush();
    await waitUntil(() => root(view).querySelector('[role=alert]'), 'the refusal shows');
    expect(root(view).querySelector('[role=alert]')!.textContent).to.contain('Your answers were not sent: This questionnaire was already submitted, perhaps from another device.');
    expect(radio(view, 'Do you smoke?', 'Yes').checked).to.equal(true, 'the answers are kept');
    expect(radio(view, 'Mood', 'Good').checked).to.equal(true);
    expect(radio(view, 'Mood', 'Good').disabled).to.equal(false, 'and can be changed');
    expect(submits.length).to.equal(1);
    expect((await device.outbox.items())[0]!.status).to.equal('refused');
    await expect(view).to.be.accessible();

    // In the list too, then back: still there, never lost.
    root(view).querySelector<HTMLButtonElement>('button.link')!.click();
    await waitUntil(() => root(view).querySelector('ul.list button'));
    expect(text(view)).to.contain('Not sent: needs your attention');
    await openFirst(view);
    expect(radio(view, 'Mood', 'Good').checked).to.equal(true);
    await device.end();
  });
});
