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
/** Chooses the conversation's category in the new message form (it starts on "Choose a category"). */
function chooseCategory(view: SmMessagesView, id = 'other') {
  const select = shadow(view).querySelector<HTMLSelectElement>('select[name=category]')!;
  select.value = id;
  select.dispatchEvent(new Event('change'));
}
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
    setTimeout(() => shadow(el).querySelectorAll<HTMLButtonElement>('[role=alert] button')[1]!.click());
    const e = (await oneEvent(el, 'sm-editor-submit')) as CustomEvent<{ body: string }>;
    expect(e.detail.body).to.equal('I have chest pain since this morning');
  });
});

describe('<sm-message-editor> with nothing written', () => {
  for (const [lang, said, text] of [['en', 'Your message is empty.', ''], ['fr', 'Votre message est vide.', '   ']] as const) {
    it(`says an empty message is empty (${JSON.stringify(text)}), beside the box, instead of ignoring the click; the error goes as the patient types (${lang})`, async () => {
      const el = await fixture<SmMessageEditor>(html`<sm-message-editor label="Your message" .lang=${lang}></sm-message-editor>`);
      let sent = false;
      el.addEventListener('sm-editor-submit', () => (sent = true));
      await type(el, text);
      shadow(el).querySelector('form')!.requestSubmit();
      await waitUntil(() => shadow(el).querySelector('#body-error'));
      const area = shadow(el).querySelector('textarea')!;
      expect(shadow(el).querySelector('#body-error')!.textContent).to.equal(said);
      expect(area.getAttribute('aria-invalid')).to.equal('true');
      expect(area.getAttribute('aria-describedby')!.split(' ')).to.include('body-error');
      await waitUntil(() => deepActive() === area, 'focus on the box');
      expect(sent).to.equal(false);
      await expect(el).to.be.accessible();
      await type(el, 'Now something');
      expect(shadow(el).querySelector('#body-error')).to.equal(null);
    });
  }
});

describe('<sm-message-editor> emergency notice', () => {
  it('moves focus to the notice; editing the text re-checks it; "Edit my message" returns to the text; sending anyway is marked', async () => {
    const el = await fixture<SmMessageEditor>(html`<sm-message-editor label="Your message" emergencyNotice="Call 911."></sm-message-editor>`);
    const submits: Array<{ body: string; emergencyOverride: boolean }> = [];
    el.addEventListener('sm-editor-submit', (e) => submits.push({ body: e.detail.body, emergencyOverride: e.detail.emergencyOverride }));
    const notice = () => shadow(el).querySelector<HTMLElement>('#emergency');
    const area = () => shadow(el).querySelector('textarea')!;
    const submit = () => shadow(el).querySelector('form')!.requestSubmit();

    await type(el, 'My chest hurts since this morning');
    submit();
    await waitUntil(() => notice() && deepActive() === notice(), 'the notice appears and takes focus');
    expect(notice()!.getAttribute('role')).to.equal('alert');
    expect(notice()!.textContent).to.contain('Call 911.');
    expect([...notice()!.querySelectorAll('button')].map((b) => b.textContent!.trim())).to.deep.equal(['Edit my message', 'It is not an emergency: send']);
    expect(area().getAttribute('aria-describedby')!.split(' ')).to.include('emergency');
    expect(submits).to.deep.equal([], 'nothing sent yet');
    await expect(el).to.be.accessible();

    await type(el, 'My knee hurts since this morning');
    expect(notice(), 'edited so it no longer suggests an emergency: the notice goes').to.equal(null);
    expect(shadow(el).querySelector('form > button')!.textContent).to.equal('Send');

    await type(el, "J'ai de la DIFFICULTE a respirer");
    submit();
    await waitUntil(() => notice(), 'urgent again (French, other accents and case): the notice again');
    notice()!.querySelector<HTMLButtonElement>('button.secondary')!.click();
    await waitUntil(() => deepActive() === area(), '"Edit my message": focus back to the text');
    expect(notice()).to.equal(null);
    expect(el.value).to.equal("J'ai de la DIFFICULTE a respirer", 'the text is kept');

    submit();
    await waitUntil(() => notice(), 'still urgent at the next send');
    await type(el, "J'ai de la difficulté à respirer depuis hier");
    expect(notice(), 'an edit that still suggests an emergency keeps the notice').not.to.equal(null);
    [...notice()!.querySelectorAll('button')].at(-1)!.click();
    expect(submits).to.deep.equal([{ body: "J'ai de la difficulté à respirer depuis hier", emergencyOverride: true }]);

    await type(el, 'A plain question');
    submit();
    expect(submits.at(-1)).to.deep.equal({ body: 'A plain question', emergencyOverride: false });
  });

  it('words the notice’s choices in French', async () => {
    const el = await fixture<SmMessageEditor>(html`<sm-message-editor lang="fr" label="Votre message" emergencyNotice="Composez le 911."></sm-message-editor>`);
    await type(el, 'Douleur à la poitrine');
    shadow(el).querySelector('form')!.requestSubmit();
    await waitUntil(() => shadow(el).querySelector('#emergency'));
    expect([...shadow(el).querySelectorAll('#emergency button')].map((b) => b.textContent!.trim())).to.deep.equal(['Modifier mon message', 'Ce n’est pas une urgence : envoyer']);
    await expect(el).to.be.accessible();
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
          ? HttpResponse.json({ code: 'weekly_quota', message: 'You can start 3 new conversations a week with this clinic', params: { limit: 3 } }, { status: 429 })
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
    expect(text).to.match(/Messages are read Monday 9:00\sa\.m\.–5:00\sp\.m\.(?!\.)/, 'one clock style, and no "p.m.."');
    expect(text).to.contain('Call 911.');
    expect(text).to.contain('You can start up to 3 new conversations a week.');
    await expect(view).to.be.accessible();

    shadow(view).querySelector<HTMLInputElement>('input[name=subject]')!.value = 'Hello';
    chooseCategory(view);
    await type(editorOf(view), 'A short question');
    shadow(editorOf(view)).querySelector('form')!.requestSubmit();
    await waitUntil(() => shadow(view).querySelector('[role=alert]'));
    expect(shadow(view).querySelector('[role=alert]')!.textContent).to.equal('You can start 3 new conversations a week with this clinic. You can still reply to your conversations.');
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
    chooseCategory(view);
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

describe('<sm-messages-view>: category, weekly limit, emergency override, reply-only', () => {
  before(startWorker);
  afterEach(() => worker.resetHandlers());

  const base = (over: Partial<MessagingRules> = {}, status: object = { weeklyThreadQuota: 3, weeklyThreadsLeft: 2, weeklyResetsAt: null }) => {
    const bodies: Array<Record<string, unknown>> = [];
    worker.use(
      http.get('/api/public/clinics/north/messaging', () => HttpResponse.json({ ...rules, ...over })),
      http.get('/api/patient/messaging', () => HttpResponse.json(status)),
      http.get('/api/patient/threads', () => HttpResponse.json([thread('t1', 'Vos résultats')])),
      http.get('/api/patient/events', () => new HttpResponse(null, { status: 401 })),
      http.post('/api/patient/threads', async ({ request }) => {
        bodies.push((await request.json()) as Record<string, unknown>);
        return HttpResponse.json({ threadId: 't1', messageId: 'm1' }, { status: 201 });
      }),
      http.post('/api/patient/threads/t1/messages', async ({ request }) => {
        bodies.push((await request.json()) as Record<string, unknown>);
        return HttpResponse.json({ threadId: 't1', messageId: 'm2' }, { status: 201 });
      }),
      http.get('/api/patient/threads/t1', () => HttpResponse.json({ thread: { ...thread('t1', 'Vos résultats'), startedBy: 'staff' }, messages: [] })),
    );
    return bodies;
  };
  async function openCompose(lang: 'en' | 'fr') {
    const view = await fixture<SmMessagesView>(html`<sm-messages-view .api=${new PatientApi('north', lang)} .lang=${lang}></sm-messages-view>`);
    await waitUntil(() => shadow(view).querySelector('ul.threads'));
    shadow(view).querySelector<HTMLButtonElement>('button:not(.link)')!.click();
    await waitUntil(() => shadow(view).querySelector('sm-message-editor'));
    return view;
  }

  for (const [lang, choose, error] of [
    ['en', 'Choose a category', 'Choose a category for your message.'],
    ['fr', 'Choisissez une catégorie', 'Choisissez une catégorie pour votre message.'],
  ] as const) {
    it(`starts the category on “${choose}” and refuses to send without one, at that field (${lang})`, async () => {
      const bodies = base();
      const view = await openCompose(lang);
      const select = shadow(view).querySelector<HTMLSelectElement>('select[name=category]')!;
      expect(select.value).to.equal('', 'not the first category');
      expect(select.selectedOptions[0]!.textContent!.trim()).to.equal(choose);
      expect(select.required).to.equal(true);
      shadow(view).querySelector<HTMLInputElement>('input[name=subject]')!.value = 'Genou';
      await type(editorOf(view), 'Une question');
      shadow(editorOf(view)).querySelector('form')!.requestSubmit();
      await waitUntil(() => shadow(view).querySelector('#category-error'));
      expect(shadow(view).querySelector('#category-error')!.textContent).to.equal(error);
      expect(select.getAttribute('aria-invalid')).to.equal('true');
      expect(select.getAttribute('aria-describedby')).to.equal('category-error');
      expect(deepActive()).to.equal(select, 'focus on the field to fix');
      expect(bodies).to.deep.equal([], 'nothing sent');
      await expect(view).to.be.accessible();

      chooseCategory(view);
      await view.updateComplete;
      expect(shadow(view).querySelector('#category-error'), 'the error goes once a category is chosen').to.equal(null);
      shadow(editorOf(view)).querySelector('form')!.requestSubmit();
      await waitUntil(() => bodies.length === 1);
      expect(bodies[0]!.category).to.equal('other');
    });
  }

  it('says how many new conversations are left this week before writing (plurals by Intl, EN and FR; none left: from when)', async () => {
    base();
    let view = await openCompose('en');
    const notice = () => shadow(view).querySelector('.notice')!.textContent!.replace(/\s+/g, ' ');
    expect(notice()).to.contain('You can start up to 3 new conversations a week. You can start 2 more new conversations this week.');

    base({}, { weeklyThreadQuota: 3, weeklyThreadsLeft: 1, weeklyResetsAt: '2026-12-01T14:30:00.000Z' });
    view = await openCompose('fr');
    expect(notice()).to.contain('Vous pouvez encore commencer 1 nouvelle conversation cette semaine.');

    base({}, { weeklyThreadQuota: 3, weeklyThreadsLeft: 0, weeklyResetsAt: '2026-12-01T14:30:00.000Z' });
    view = await fixture<SmMessagesView>(html`<sm-messages-view .api=${new PatientApi('north', 'en')}></sm-messages-view>`);
    await waitUntil(() => shadow(view).querySelector('[data-quota-left]'));
    expect(shadow(view).querySelector('[data-quota-left]')!.textContent, 'on the list too, before opening the form').to.match(
      /^You have started all the new conversations this clinic accepts this week\. You can still reply to your conversations\. You can start another one from Tuesday, December 1 at 9:30\sa\.m\.( EST)?\.$/,
    );
    await expect(view).to.be.accessible();
  });

  it('sends the override to the clinic when the patient sends past the emergency notice', async () => {
    const bodies = base();
    const view = await openCompose('en');
    shadow(view).querySelector<HTMLInputElement>('input[name=subject]')!.value = 'Chest';
    chooseCategory(view);
    await type(editorOf(view), 'My chest hurts when I climb stairs');
    shadow(editorOf(view)).querySelector('form')!.requestSubmit();
    await waitUntil(() => shadow(editorOf(view)).querySelector('#emergency'));
    expect(bodies).to.deep.equal([]);
    [...shadow(editorOf(view)).querySelectorAll<HTMLButtonElement>('#emergency button')].at(-1)!.click();
    await waitUntil(() => bodies.length === 1);
    expect(bodies[0]!.emergencyOverride).to.equal(true);
  });

  it('in a reply-only clinic, still shows the response time, hours and emergency line in the conversation', async () => {
    const bodies = base({ mode: 'reply-only' });
    const view = await fixture<SmMessagesView>(html`<sm-messages-view .api=${new PatientApi('north', 'en')}></sm-messages-view>`);
    await waitUntil(() => shadow(view).querySelector('ul.threads button'));
    expect(shadow(view).textContent).to.contain('This clinic writes to you first');
    shadow(view).querySelector<HTMLButtonElement>('ul.threads button')!.click();
    await waitUntil(() => shadow(view).querySelector('sm-message-editor'));
    const expectations = shadow(view).querySelector('.notice[role=note]')!.textContent!.replace(/\s+/g, ' ');
    expect(expectations).to.contain('Call 911.');
    expect(expectations).to.contain('The clinic answers within 2 business days.');
    expect(expectations).to.match(/Messages are read Monday 9:00\sa\.m\.–5:00\sp\.m\./);
    expect(expectations).to.match(/Messages will be read from /, 'closed now: when replies will be read');
    expect(expectations).not.to.contain('new conversation', 'the weekly limit is about new conversations, not replies');
    await expect(view).to.be.accessible();
    await type(editorOf(view), 'Thanks');
    shadow(editorOf(view)).querySelector('form')!.requestSubmit();
    await waitUntil(() => bodies.length === 1);
  });
});

/** The element that has focus, looking inside shadow roots. */
function deepActive(): Element | null {
  let a = document.activeElement;
  while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
  return a;
}

async function sessionKeys() {
  const keys = await crypto.subtle.generateKey({ name: 'RSA-OAEP', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['wrapKey', 'unwrapKey']);
  const b64 = (b: ArrayBuffer) => btoa(String.fromCharCode(...new Uint8Array(b)));
  return { keyId: 'k', publicKey: b64(await crypto.subtle.exportKey('spki', keys.publicKey)), privateKey: b64(await crypto.subtle.exportKey('pkcs8', keys.privateKey)) };
}

const thread = (id: string, subject: string, unread = 0) => ({ id, subject, category: 'other', status: 'open', patientMayReply: true, startedBy: 'patient', unread, lastMessageAt: '2026-11-20T15:00:00.000Z', createdAt: '2026-11-20T15:00:00.000Z' });

describe('<sm-messages-view> in French: refusals by code, focus, announcements', () => {
  before(startWorker);
  afterEach(() => worker.resetHandlers());

  let requests = 0;
  async function composeIn(lang: 'en' | 'fr', refusals: Array<{ status: number; body: Record<string, unknown> }>) {
    requests = 0;
    worker.use(
      http.get('/api/public/clinics/north/messaging', () => HttpResponse.json(rules)),
      http.get('/api/patient/threads', () => HttpResponse.json([])),
      http.get('/api/patient/events', () => new HttpResponse(null, { status: 401 })),
      http.post('/api/patient/threads', () => {
        requests++;
        const next = refusals.shift()!;
        return HttpResponse.json(next.body, { status: next.status });
      }),
    );
    const view = await fixture<SmMessagesView>(html`<sm-messages-view .api=${new PatientApi('north', lang)} .lang=${lang}></sm-messages-view>`);
    await waitUntil(() => shadow(view).querySelector('button'));
    shadow(view).querySelector('button')!.click();
    await waitUntil(() => shadow(view).querySelector('sm-message-editor'));
    chooseCategory(view);
    await type(editorOf(view), 'Une question courte');
    return view;
  }

  async function send(view: SmMessagesView) {
    const before = shadow(view).querySelector('[role=alert]')?.textContent ?? null;
    shadow(editorOf(view)).querySelector('form')!.requestSubmit();
    await waitUntil(() => ((shadow(view).querySelector('[role=alert]') ?? shadow(editorOf(view)).querySelector('[role=alert]:not(#over-limit)'))?.textContent ?? null) !== before);
    await waitUntil(() => !editorOf(view).busy);
    await view.updateComplete;
  }

  it('words each refusal from its code and parameters, beside its field, and moves focus there', async () => {
    const view = await composeIn('fr', [
      { status: 429, body: { code: 'weekly_quota', message: 'You can start 1 new conversations a week', params: { limit: 1, resetsAt: '2026-12-01T14:30:00.000Z' } } },
      { status: 422, body: { code: 'too_long', message: 'The message is 45 characters long', params: { chars: 45, max: 40 } } },
      { status: 429, body: { code: 'rate_limited', message: 'Too many requests', params: { retryAfterSeconds: 300 } } },
      { status: 418, body: { code: 'a_code_nobody_knows', message: 'English only' } },
    ]);
    expect(deepActive()?.textContent).to.equal('Nouveau message', 'the new message form: focus on its heading');

    await send(view);
    const subject = shadow(view).querySelector<HTMLInputElement>('input[name=subject]')!;
    const subjectError = shadow(view).querySelector('#subject-error')!;
    expect(subjectError.textContent).to.equal('Cette clinique demande un objet. Ajoutez-en un, puis envoyez de nouveau.');
    expect(subject.getAttribute('aria-invalid')).to.equal('true');
    expect(subject.getAttribute('aria-describedby')).to.equal('subject-error');
    expect(deepActive()).to.equal(subject, 'focus on the field to fix');
    expect(requests).to.equal(0, 'the missing subject is said before anything is sent');
    await expect(view).to.be.accessible();

    subject.value = 'Genou';
    subject.dispatchEvent(new Event('input'));
    await send(view);
    const quota = shadow(view).querySelector('#send-error')!;
    expect(quota.textContent).to.match(/^Vous pouvez commencer 1 nouvelle conversation par semaine avec cette clinique\. Vous pouvez toujours répondre à vos conversations\. Vous pourrez en commencer une autre à partir du mardi 1 décembre à 0?9 h 30( HNE)?\.$/);
    expect(deepActive()).to.equal(quota, 'a refusal about no field: focus on the sentence');
    expect(subject.getAttribute('aria-invalid')).to.equal('false');

    await send(view);
    const area = shadow(editorOf(view)).querySelector('textarea')!;
    const bodyError = shadow(editorOf(view)).querySelector('#body-error')!;
    expect(bodyError.textContent).to.equal('Cette clinique accepte au plus 40 caractères par message; le vôtre en compte 45.');
    expect(area.getAttribute('aria-invalid')).to.equal('true');
    expect(area.getAttribute('aria-describedby')!.split(' ')).to.include('body-error');
    expect(deepActive()).to.equal(area);
    expect(editorOf(view).value).to.equal('Une question courte', 'the text is kept');

    await send(view);
    expect(shadow(view).querySelector('#send-error')!.textContent).to.equal('Trop de tentatives. Réessayez dans 5 minutes.');
    await send(view);
    expect(shadow(view).querySelector('#send-error')!.textContent).to.equal('Une erreur est survenue. Veuillez réessayer.', 'an unknown code: a generic sentence, never the English message');
    await expect(view).to.be.accessible();
  });

  it('words the expectations in French: plurals, one clock style, dates in the clinic’s zone without seconds', async () => {
    worker.use(
      http.get('/api/public/clinics/north/messaging', () => HttpResponse.json({ ...rules, responseBusinessDays: 1, weeklyThreadQuota: 1 })),
      http.get('/api/patient/threads', () => HttpResponse.json([thread('t1', 'Genou', 2)])),
      http.get('/api/patient/events', () => new HttpResponse(null, { status: 401 })),
    );
    const view = await fixture<SmMessagesView>(html`<sm-messages-view .api=${new PatientApi('north', 'fr')} lang="fr"></sm-messages-view>`);
    await waitUntil(() => shadow(view).querySelector('.badge'));
    expect(shadow(view).querySelector('.badge')!.textContent).to.equal('2 non lus');
    shadow(view).querySelector('button')!.click();
    await waitUntil(() => shadow(view).querySelector('.notice'));
    const text = shadow(view).querySelector('.notice')!.textContent!.replace(/\s+/g, ' ');
    expect(text).to.contain('La clinique répond dans un délai de 1 jour ouvrable.');
    expect(text).to.contain('Vous pouvez commencer jusqu’à 1 nouvelle conversation par semaine.');
    expect(text).to.contain('Les messages sont lus lundi 9 h 00–17 h 00.');
    expect(text).to.match(/Ils seront lus à partir du lundi 30 novembre à 9 h 00( HNE)?\./);
    expect(text).not.to.match(/\d:\d\d:\d\d|a\.m\.|p\.m\./, 'no seconds, no 12-hour clock in French');
  });

  it('shows a file refusal at the file field', async () => {
    worker.use(http.post('/api/patient/attachments', () => HttpResponse.json({ code: 'file_too_large', message: 'Files may be at most 10 MB', params: { maxMb: 10 } }, { status: 413 })));
    const view = await composeIn('fr', []);
    shadow(view).querySelector<HTMLInputElement>('input[name=subject]')!.value = 'Résultats';
    const files = shadow(editorOf(view)).querySelector<HTMLInputElement>('input[type=file]')!;
    const dt = new DataTransfer();
    dt.items.add(new File(['%PDF-1.4'], 'scan.pdf', { type: 'application/pdf' }));
    files.files = dt.files;
    await send(view);
    expect(shadow(editorOf(view)).querySelector('#files-error')!.textContent).to.match(/^Chaque fichier peut faire au plus 10\s+Mo\.$/);
    expect(files.getAttribute('aria-invalid')).to.equal('true');
    expect(files.getAttribute('aria-describedby')).to.equal('files-error');
    expect(deepActive()).to.equal(files);
  });

  it('refuses a file over the clinic’s size cap before uploading it', async () => {
    let uploads = 0;
    worker.use(http.post('/api/patient/attachments', () => ((uploads += 1), HttpResponse.json({ id: 'a1', fileName: 'x.pdf', contentType: 'application/pdf', size: 1 }, { status: 201 }))));
    const view = await composeIn('en', []);
    shadow(view).querySelector<HTMLInputElement>('input[name=subject]')!.value = 'Results';
    const files = shadow(editorOf(view)).querySelector<HTMLInputElement>('input[type=file]')!;
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(10 * 1024 * 1024 + 1)], 'scan.pdf', { type: 'application/pdf' }));
    files.files = dt.files;
    await send(view);
    expect(shadow(editorOf(view)).querySelector('#files-error')!.textContent).to.match(/^Each file can be at most 10\s+MB\.$/);
    expect(deepActive()).to.equal(files);
    expect(uploads).to.equal(0, 'nothing was uploaded');
    expect(requests).to.equal(0, 'nothing was sent');
  });

  it('words a refusal the outbox stored in the reader’s language when it is shown', async () => {
    worker.use(
      http.get('/api/public/clinics/north/messaging', () => HttpResponse.json({ ...rules, mode: 'reply-only' })),
      http.get('/api/patient/threads', () => HttpResponse.json([])),
      http.get('/api/patient/events', () => new HttpResponse(null, { status: 401 })),
      http.post('/api/patient/threads', () => HttpResponse.json({ code: 'new_threads_closed', message: 'This clinic does not accept new conversations from patients' }, { status: 403 })),
    );
    const api = new PatientApi('north', 'fr');
    const deviceKeys = await sessionKeys();
    const device = await DeviceSession.start<PatientOutboxPayload>({ name: `sm-test-${crypto.randomUUID()}`, persist: false, fetchKeys: async () => deviceKeys, deliver: (item: { clientId: string; payload: PatientOutboxPayload }) => api.startThread({ id: item.clientId, subject: item.payload.subject ?? '', category: item.payload.category ?? '', body: item.payload.body, attachmentIds: [] }).then(() => undefined) });
    device.outbox.stop();
    await device.outbox.add('thread', null, { body: 'Écrit hors ligne', attachmentIds: [], subject: 'Genou', category: 'other', label: 'Genou' });
    await device.outbox.flush();
    const [item] = await device.outbox.items();
    expect([item!.status, item!.code]).to.deep.equal(['refused', 'new_threads_closed'], 'kept as a code, not as the English sentence');

    const view = await fixture<SmMessagesView>(html`<sm-messages-view .api=${api} .device=${device satisfies PatientDevice} lang="fr"></sm-messages-view>`);
    await waitUntil(() => shadow(view).querySelector('ul.pending li[data-status=refused]'));
    const shown = shadow(view).querySelector('ul.pending li[data-status=refused] p')!.textContent!;
    expect(shown).to.contain('Non envoyé : Cette clinique ne reçoit pas de nouvelles conversations de patients ici.');
    expect(shown).not.to.contain('This clinic');
    await expect(view).to.be.accessible();
    await device.end();
  });

  it('moves focus to each new screen’s heading: a conversation, back to the list, after sending', async () => {
    let sent = false;
    worker.use(
      http.get('/api/public/clinics/north/messaging', () => HttpResponse.json(rules)),
      http.get('/api/patient/threads', () => HttpResponse.json([thread('t1', 'Genou')])),
      http.get('/api/patient/events', () => new HttpResponse(null, { status: 401 })),
      http.get('/api/patient/threads/t1', () => HttpResponse.json({ thread: thread('t1', 'Genou'), messages: sent ? [{ id: 'm1', author: 'patient', authorName: 'Vous', body: 'Merci', createdAt: '2026-11-20T15:00:00.000Z', attachments: [] }] : [] })),
      http.post('/api/patient/threads/t1/messages', () => ((sent = true), HttpResponse.json({ threadId: 't1', messageId: 'm1' }, { status: 201 }))),
    );
    const view = await fixture<SmMessagesView>(html`<sm-messages-view .api=${new PatientApi('north', 'fr')} lang="fr"></sm-messages-view>`);
    await waitUntil(() => shadow(view).querySelector('ul.threads button'));
    shadow(view).querySelector<HTMLButtonElement>('ul.threads button')!.click();
    await waitUntil(() => deepActive()?.tagName === 'H3');
    expect(deepActive()!.textContent).to.equal('Genou', 'conversation opened: its heading');

    await type(editorOf(view), 'Merci');
    shadow(editorOf(view)).querySelector('form')!.requestSubmit();
    await waitUntil(() => shadow(view).querySelector('[role=status]')?.textContent === 'Message envoyé.');
    await waitUntil(() => deepActive()?.tagName === 'H3');
    expect(deepActive()!.textContent).to.equal('Genou', 'message sent: the conversation heading, with the status said');

    shadow(view).querySelector<HTMLButtonElement>('button.link')!.click();
    await waitUntil(() => deepActive()?.textContent === 'Vos conversations');
    expect(deepActive()!.getAttribute('tabindex')).to.equal('-1');
  });

  it('announces a message that arrives live in a polite live region', async () => {
    let threadsServed = 0;
    let firstServed!: () => void;
    const served = new Promise<void>((r) => (firstServed = r));
    let streams = 0;
    worker.use(
      http.get('/api/public/clinics/north/messaging', () => HttpResponse.json(rules)),
      http.get('/api/patient/threads', () => {
        threadsServed++;
        if (threadsServed === 1) firstServed();
        return HttpResponse.json([thread('t1', 'Résultats de laboratoire', threadsServed === 1 ? 0 : 1)]);
      }),
      http.get('/api/patient/events', async () => {
        if (streams++ > 0) return new HttpResponse(null, { status: 401 });
        await served;
        const body = new ReadableStream<Uint8Array>({
          start(c) {
            c.enqueue(new TextEncoder().encode('id: 7\ndata: {"threadId":"t1"}\n\n'));
            c.close();
          },
        });
        return new HttpResponse(body, { headers: { 'content-type': 'text/event-stream' } });
      }),
    );
    localStorage.setItem('sm:session:north', 'tok_live'); // the live stream needs a session
    const api = new PatientApi('north', 'fr');
    localStorage.clear();
    const view = await fixture<SmMessagesView>(html`<sm-messages-view .api=${api} lang="fr"></sm-messages-view>`);
    const live = () => shadow(view).querySelector('[aria-live=polite][data-live]')!;
    expect(live().textContent).to.equal('', 'the region is in the page before anything is said');
    await waitUntil(() => live().textContent === 'Nouveau message dans « Résultats de laboratoire ».', 'the arrival is announced');
    // The list is read again after the announcement: its badge follows.
    await waitUntil(() => shadow(view).querySelector('.badge'), 'the list shows the unread count', { timeout: 5000 });
    expect(shadow(view).querySelector('.badge')!.textContent).to.equal('1 non lu');
  });
});

/** A message of conversation t1 written at minute `n` (by the clinic when `staff`). */
const msg = (n: number, staff = n % 2 === 1) => ({
  id: `m${n}`, threadId: 't1', author: staff ? 'staff' : 'patient', authorName: staff ? 'Dr. Roy' : 'Jamie', kind: 'message', body: `Message ${n}`, attachments: [],
  createdAt: `2026-11-20T15:${String(n).padStart(2, '0')}:00.000Z`,
});
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => msg(from + i));

describe('<sm-messages-view> long conversations', () => {
  before(startWorker);
  afterEach(() => worker.resetHandlers());

  for (const [lang, button, loaded, start] of [
    ['en', 'Earlier messages', '3 earlier messages loaded', 'Start of the conversation'],
    ['fr', 'Messages précédents', '3 messages précédents chargés', 'Début de la conversation'],
  ] as const) {
    it(`opens on the newest messages, loads earlier ones above them (focus and announcement), and keeps them when a reply arrives live (${lang})`, async () => {
      let replied = false;
      let release!: () => void;
      const pagedBack = new Promise<void>((r) => (release = r));
      const befores: Array<string | null> = [];
      let streams = 0;
      worker.use(
        http.get('/api/public/clinics/north/messaging', () => HttpResponse.json(rules)),
        http.get('/api/patient/threads', () => HttpResponse.json([thread('t1', 'Genou')])),
        // Newest page: m4–m6; once the clinic replied, m5–m7 (the page moved on by one).
        http.get('/api/patient/threads/t1', () => HttpResponse.json({ thread: thread('t1', 'Genou'), messages: replied ? range(5, 7) : range(4, 6), earlierCursor: replied ? 'c-after' : 'c-first' })),
        http.get('/api/patient/threads/t1/messages', ({ request }) => {
          befores.push(new URL(request.url).searchParams.get('before'));
          return HttpResponse.json({ messages: range(1, 3), earlierCursor: null });
        }),
        http.get('/api/patient/events', async () => {
          if (streams++ > 0) return new HttpResponse(null, { status: 401 });
          await pagedBack;
          replied = true;
          const body = new ReadableStream<Uint8Array>({
            start(c) {
              c.enqueue(new TextEncoder().encode('id: 8\ndata: {"threadId":"t1"}\n\n'));
              c.close();
            },
          });
          return new HttpResponse(body, { headers: { 'content-type': 'text/event-stream' } });
        }),
      );
      localStorage.setItem('sm:session:north', 'tok_live'); // the live stream needs a session
      const api = new PatientApi('north', lang);
      localStorage.clear();
      const view = await fixture<SmMessagesView>(html`<sm-messages-view .api=${api} lang=${lang}></sm-messages-view>`);
      const root = shadow(view);
      const ids = () => [...root.querySelectorAll<HTMLElement>('ol.messages li')].map((li) => li.dataset.id);
      const live = () => root.querySelector('[aria-live=polite][data-live]')!;
      await waitUntil(() => root.querySelector('ul.threads button'));
      root.querySelector<HTMLButtonElement>('ul.threads button')!.click();
      await waitUntil(() => deepActive()?.tagName === 'H3');
      expect(ids()).to.deep.equal(['m4', 'm5', 'm6'], 'the newest page, oldest first');
      const earlier = root.querySelector<HTMLButtonElement>('p.earlier button')!;
      expect(earlier.textContent).to.equal(button);
      expect(earlier.compareDocumentPosition(root.querySelector('ol.messages')!) & Node.DOCUMENT_POSITION_FOLLOWING, 'the button is above the messages').to.be.greaterThan(0);
      await expect(view).to.be.accessible();

      earlier.click();
      await waitUntil(() => ids().length === 6);
      expect(befores).to.deep.equal(['c-first'], 'asked for the page before the first one');
      expect(ids()).to.deep.equal(['m1', 'm2', 'm3', 'm4', 'm5', 'm6']);
      await waitUntil(() => deepActive() === root.querySelector('li[data-id=m1]'), 'focus on the first message brought');
      expect(live().textContent).to.equal(loaded);
      expect(root.querySelector('p.earlier button'), 'nothing earlier: no button').to.equal(null);
      expect(root.querySelector('p.earlier')!.textContent).to.equal(start);
      await expect(view).to.be.accessible();

      // The clinic replies: the conversation is read again, and the earlier pages stay.
      release();
      await waitUntil(() => ids().length === 7, 'the reply arrives', { timeout: 5000 });
      expect(ids()).to.deep.equal(['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
      expect(root.querySelector('p.earlier button'), 'the earlier pages are all shown still').to.equal(null);
      await waitUntil(() => live().textContent!.includes('Genou'), 'the clinic’s reply is announced');
    });
  }
});

describe('<sm-messages-view> drafts on a slow device', () => {
  before(startWorker);
  afterEach(() => worker.resetHandlers());

  const online = () =>
    worker.use(
      http.get('/api/public/clinics/north/messaging', () => HttpResponse.json(rules)),
      http.get('/api/patient/messaging', () => HttpResponse.json({ weeklyThreadQuota: 3, weeklyThreadsLeft: 2, weeklyResetsAt: null })),
      http.get('/api/patient/threads', () => HttpResponse.json([thread('t1', 'Knee')])),
      http.get('/api/patient/events', () => new HttpResponse(null, { status: 401 })),
      http.get('/api/patient/threads/t1', () => HttpResponse.json({ thread: thread('t1', 'Knee'), messages: [] })),
    );
  const newMessage = async (view: SmMessagesView) => {
    await waitUntil(() => shadow(view).querySelector('ul.threads'));
    shadow(view).querySelector<HTMLButtonElement>('button:not(.link)')!.click();
    await waitUntil(() => shadow(view).querySelector('sm-message-editor'));
  };

  it('saves what was typed before the device keys came, once they come', async () => {
    online();
    const pair = await crypto.subtle.generateKey({ name: 'RSA-OAEP', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['wrapKey', 'unwrapKey']);
    const b64 = (b: ArrayBuffer) => btoa(String.fromCharCode(...new Uint8Array(b)));
    const keys = { keyId: 'k', publicKey: b64(await crypto.subtle.exportKey('spki', pair.publicKey)), privateKey: b64(await crypto.subtle.exportKey('pkcs8', pair.privateKey)) };
    // The server is slow to hand out the session's keys (just after sign-in, on a loaded phone).
    let giveKeys!: () => void;
    const keysCame = new Promise<void>((resolve) => (giveKeys = resolve));
    const device = await DeviceSession.start<PatientOutboxPayload>({ name: `sm-test-${crypto.randomUUID()}`, persist: false, fetchKeys: () => keysCame.then(() => keys), deliver: async () => undefined });
    device.outbox.stop();
    let saves = 0;
    const save = device.saveDraft.bind(device);
    device.saveDraft = (key, text) => (saves++, save(key, text));
    const view = await fixture<SmMessagesView>(html`<sm-messages-view .api=${new PatientApi('north', 'en')} .device=${device satisfies PatientDevice}></sm-messages-view>`);
    await newMessage(view);
    await type(editorOf(view), 'My knee is worse since Monday');
    await waitUntil(() => saves === 1, 'the draft is saved after a pause in typing', { timeout: 3000 });
    expect(device.vault.canWrite, 'no key yet').to.equal(false);

    giveKeys();
    await waitUntil(async () => (await device.loadDraft('new')) === 'My knee is worse since Monday', 'the draft is kept once the keys come', { timeout: 3000 });
    await device.end();
  });

  it('a draft read late never replaces what the patient typed, nor lands in another screen’s box', async () => {
    online();
    // The device reads drafts slowly (its keys are still on the way): each read waits for the test.
    const reads: Array<{ key: string; give: (text: string | null) => void }> = [];
    const device = Object.assign(new EventTarget(), {
      loadDraft: (key: string) => new Promise<string | null>((give) => reads.push({ key, give })),
      saveDraft: async () => undefined,
      clearDraft: async () => undefined,
      outbox: { items: async () => [] },
    }) as unknown as PatientDevice;
    const view = await fixture<SmMessagesView>(html`<sm-messages-view .api=${new PatientApi('north', 'en')} .device=${device}></sm-messages-view>`);
    await newMessage(view);
    await type(editorOf(view), 'Typed before the draft was read');
    for (const r of reads.splice(0)) r.give('An older draft');
    await view.updateComplete;
    await editorOf(view).updateComplete;
    expect(editorOf(view).value).to.equal('Typed before the draft was read');
    expect(shadow(editorOf(view)).querySelector('textarea')!.value).to.equal('Typed before the draft was read');

    // The patient leaves the new message before its draft is read, and opens a conversation.
    shadow(view).querySelector<HTMLButtonElement>('button.link')!.click();
    await waitUntil(() => shadow(view).querySelector('ul.threads button'));
    shadow(view).querySelector<HTMLButtonElement>('ul.threads button')!.click();
    await waitUntil(() => shadow(view).querySelector('sm-message-editor'));
    // The conversation's read answers first, then the new message's stale one.
    for (const r of reads.splice(0).reverse()) r.give(r.key === 'new' ? 'The new message’s draft' : null);
    await view.updateComplete;
    expect(editorOf(view).value, 'the reply box gets nothing of the new message').to.equal('');
  });
});
