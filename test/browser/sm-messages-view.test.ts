import { expect, fixture, html, waitUntil, oneEvent } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import '../../widget/frame/sm-messages-view.js';
import '../../widget/frame/sm-message-editor.js';
import { PatientApi } from '../../widget/frame/patient-api.js';
import { DeviceSession } from '../../shared/offline/device-session.js';
import type { PatientDevice, PatientOutboxPayload } from '../../widget/frame/patient-device.js';
import type { SmMessagesView } from '../../widget/frame/sm-messages-view.js';
import type { SmMessageEditor } from '../../widget/frame/sm-message-editor.js';
import type { MessagingRules } from '../../shared/messaging.js';
import { startWorker, worker } from './msw.js';

const week = { mon: [{ start: '09:00', end: '17:00' }], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };
const rules: MessagingRules = {
  mode: 'two-way', categories: [{ id: 'other', en: 'Other', fr: 'Autre' }], subjectRequired: true, maxChars: 40, maxWords: null, attachmentMaxMb: 10, weeklyThreadQuota: 3,
  responseBusinessDays: 2, timeZone: 'America/Toronto', hours: week, acceptNewOutsideHours: true, emergencyNotice: { en: 'Call 911.', fr: 'Composez le 911.' },
  autoReply: { en: '', fr: '' }, openNow: false, nextOpening: '2026-11-30T14:00:00.000Z',
};

const shadow = (el: Element) => el.shadowRoot!;
const editorOf = (view: SmMessagesView) => shadow(view).querySelector('sm-message-editor') as SmMessageEditor;
async function type(editor: SmMessageEditor, text: string) {
  const area = shadow(editor).querySelector('textarea')!;
  area.value = text;
  area.dispatchEvent(new Event('input'));
  await editor.updateComplete;
}

describe('<sm-message-editor>', () => {
  it('counts as the patient types, refuses over the limit and keeps the text', async () => {
    const el = await fixture<SmMessageEditor>(html`<sm-message-editor label="Your message" .limits=${{ maxChars: 10, maxWords: 3 }}></sm-message-editor>`);
    await type(el, 'one two three four');
    expect(shadow(el).querySelector('.counter')!.textContent!.replace(/\s+/g, ' ').trim()).to.equal('18 of 10 characters · 4 of 3 words');
    let sent = false;
    el.addEventListener('sm-editor-submit', () => (sent = true));
    shadow(el).querySelector('form')!.requestSubmit();
    await el.updateComplete;
    expect(sent).to.equal(false);
    expect(shadow(el).querySelector('[role=alert]')!.textContent).to.contain('over the clinic’s limit');
    expect(el.value).to.equal('one two three four');
    await expect(el).to.be.accessible();
  });

  it('shows the emergency notice again before sending words that suggest an emergency', async () => {
    const el = await fixture<SmMessageEditor>(html`<sm-message-editor label="Your message" emergencyNotice="Call 911."></sm-message-editor>`);
    await type(el, "I have chest pain since this morning");
    shadow(el).querySelector('form')!.requestSubmit();
    await el.updateComplete;
    expect(shadow(el).querySelector('[role=alert]')!.textContent).to.contain('Call 911.');
    await expect(el).to.be.accessible();
    setTimeout(() => shadow(el).querySelector<HTMLButtonElement>('[role=alert] button')!.click());
    const e = (await oneEvent(el, 'sm-editor-submit')) as CustomEvent<{ body: string }>;
    expect(e.detail.body).to.equal('I have chest pain since this morning');
  });
});

describe('<sm-messages-view>', () => {
  before(startWorker);
  afterEach(() => worker.resetHandlers());

  it('shows the expectations before a new message, and sends it with a client id', async () => {
    const bodies: Array<{ id: string; body: string; subject: string }> = [];
    worker.use(
      http.get('/api/public/clinics/north/messaging', () => HttpResponse.json(rules)),
      http.get('/api/patient/threads', () => HttpResponse.json([])),
      http.get('/api/patient/events', () => new HttpResponse(null, { status: 401 })),
      http.post('/api/patient/threads', async ({ request }) => {
        bodies.push((await request.json()) as (typeof bodies)[number]);
        return bodies.length === 1
          ? HttpResponse.json({ code: 'weekly_quota', message: 'You can start 3 new conversations a week with this clinic' }, { status: 429 })
          : HttpResponse.json({ threadId: 't1', messageId: bodies[1]!.id }, { status: 201 });
      }),
      http.get('/api/patient/threads/t1', () => HttpResponse.json({ thread: { id: 't1', subject: 'Hello', category: 'other', status: 'open', patientMayReply: true, startedBy: 'patient', unread: 0, lastMessageAt: '', createdAt: '' }, messages: [] })),
    );
    const view = await fixture<SmMessagesView>(html`<sm-messages-view .api=${new PatientApi('north', 'en')}></sm-messages-view>`);
    await waitUntil(() => shadow(view).querySelector('button'));
    shadow(view).querySelector('button')!.click();
    await view.updateComplete;
    const text = shadow(view).textContent!;
    expect(text).to.contain('The clinic answers within 2 business days.');
    expect(text).to.contain('Messages are read Monday 09:00–17:00.');
    expect(text).to.contain('Call 911.');
    expect(text).to.contain('You can start up to 3 new conversations a week.');
    await expect(view).to.be.accessible();

    shadow(view).querySelector<HTMLInputElement>('input[name=subject]')!.value = 'Hello';
    await type(editorOf(view), 'A short question');
    shadow(editorOf(view)).querySelector('form')!.requestSubmit();
    await waitUntil(() => shadow(view).querySelector('[role=alert]'));
    expect(shadow(view).querySelector('[role=alert]')!.textContent).to.equal('You can start 3 new conversations a week with this clinic');
    expect(editorOf(view).value).to.equal('A short question', 'refused: the text is kept');

    shadow(editorOf(view)).querySelector('form')!.requestSubmit();
    await waitUntil(() => shadow(view).querySelector('h3')?.textContent === 'Hello');
    expect(bodies[1]!.subject).to.equal('Hello');
    expect(bodies[1]!.id).to.match(/^[0-9a-f-]{36}$/);
  });

  it('puts a message that cannot reach the server in the outbox, shows it waiting, and sends it later with the same id', async () => {
    const ids: string[] = [];
    let reachable = false;
    worker.use(
      http.get('/api/public/clinics/north/messaging', () => HttpResponse.json(rules)),
      http.get('/api/patient/threads', () => HttpResponse.json([])),
      http.get('/api/patient/events', () => new HttpResponse(null, { status: 401 })),
      http.post('/api/patient/threads', async ({ request }) => {
        ids.push(((await request.json()) as { id: string }).id);
        return reachable ? HttpResponse.json({ threadId: 't9', messageId: ids.at(-1) }, { status: 201 }) : HttpResponse.error();
      }),
    );
    const api = new PatientApi('north', 'en');
    const keys = await crypto.subtle.generateKey({ name: 'RSA-OAEP', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['wrapKey', 'unwrapKey']);
    const b64 = (b: ArrayBuffer) => btoa(String.fromCharCode(...new Uint8Array(b)));
    const deviceKeys = { keyId: 'k', publicKey: b64(await crypto.subtle.exportKey('spki', keys.publicKey)), privateKey: b64(await crypto.subtle.exportKey('pkcs8', keys.privateKey)) };
    const device = await DeviceSession.start<PatientOutboxPayload>({ name: `sm-test-${crypto.randomUUID()}`, persist: false, fetchKeys: async () => deviceKeys, deliver: (item: { clientId: string; payload: PatientOutboxPayload }) => api.startThread({ id: item.clientId, subject: item.payload.subject ?? '', category: item.payload.category ?? '', body: item.payload.body, attachmentIds: [] }).then(() => undefined) });
    device.outbox.stop(); // the test decides when the outbox sends
    const view = await fixture<SmMessagesView>(html`<sm-messages-view .api=${api} .device=${device satisfies PatientDevice}></sm-messages-view>`);
    await waitUntil(() => shadow(view).querySelector('button'));
    shadow(view).querySelector('button')!.click();
    await view.updateComplete;
    shadow(view).querySelector<HTMLInputElement>('input[name=subject]')!.value = 'Knee';
    await type(editorOf(view), 'My knee still hurts');
    shadow(editorOf(view)).querySelector('form')!.requestSubmit();
    await waitUntil(() => shadow(view).textContent!.includes('Saved on this device'));
    await waitUntil(() => shadow(view).querySelector('ul.pending li'));
    expect(shadow(view).querySelector('ul.pending')!.textContent).to.contain('My knee still hurts');
    expect(shadow(view).querySelector('ul.pending')!.textContent).to.contain('New conversation: Knee');
    await expect(view).to.be.accessible();

    reachable = true;
    await device.outbox.flush();
    await waitUntil(() => !shadow(view).querySelector('ul.pending li'));
    expect(ids.length).to.equal(2);
    expect(ids[1]).to.equal(ids[0], 'the retry carries the id of the first attempt');
    await device.end();
  });
});
