import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import '../../widget/frame/sm-frame-app.js';
import { PatientApi } from '../../widget/frame/patient-api.js';
import type { SmFrameApp } from '../../widget/frame/sm-frame-app.js';
import type { MessagingRules } from '../../shared/messaging.js';
import { startWorker, worker } from './msw.js';

const week = { mon: [{ start: '09:00', end: '17:00' }], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] };
const rules: MessagingRules = {
  mode: 'two-way', categories: [{ id: 'other', en: 'Other', fr: 'Autre' }], subjectRequired: false, maxChars: null, maxWords: null, attachmentMaxMb: 10, weeklyThreadQuota: null,
  responseBusinessDays: 2, timeZone: 'America/Toronto', hours: week, acceptNewOutsideHours: true, emergencyNotice: { en: 'Call 911.', fr: 'Composez le 911.' },
  autoReply: { en: '', fr: '' }, openNow: true, nextOpening: null,
};

/** The element that has focus, looking inside shadow roots. */
function deepActive(): Element | null {
  let a = document.activeElement;
  while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
  return a;
}

/** Everything the frame shows as text, shadow roots included. */
function textOf(root: Element | ShadowRoot): string {
  let out = '';
  for (const node of root.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) out += node.textContent;
    else if (node instanceof Element) out += textOf(node.shadowRoot ?? node) + (node.shadowRoot ? textOf(node) : '');
  }
  return out.replace(/\s+/g, ' ');
}

const inner = <T extends Element>(app: SmFrameApp, tag: string) => app.shadowRoot!.querySelector(tag) as T | null;

async function deviceKeys() {
  const keys = await crypto.subtle.generateKey({ name: 'RSA-OAEP', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['wrapKey', 'unwrapKey']);
  const b64 = (b: ArrayBuffer) => btoa(String.fromCharCode(...new Uint8Array(b)));
  return { keyId: 'k1', publicKey: b64(await crypto.subtle.exportKey('spki', keys.publicKey)), privateKey: b64(await crypto.subtle.exportKey('pkcs8', keys.privateKey)) };
}

describe('<sm-frame-app>', () => {
  let logouts = 0;
  let consentRequired = true;
  before(startWorker);
  beforeEach(async () => {
    logouts = 0;
    consentRequired = true;
    const keys = await deviceKeys();
    worker.use(
      http.get('/api/public/clinics/north', () => HttpResponse.json({ slug: 'north', name: 'Clinique Nord', brandColor: '#00587c', consentText: { en: 'Consent', fr: 'Consentement' } })),
      http.get('/api/public/clinics/north/messaging', () => HttpResponse.json(rules)),
      http.get('/api/patient/me', ({ request }) => (request.headers.get('authorization') ? HttpResponse.json({ name: 'Alex Tremblay', consentRequired, consentText: 'Je consens.' }) : new HttpResponse(null, { status: 401 }))),
      http.get('/api/patient/threads', () => HttpResponse.json([])),
      http.get('/api/patient/events', () => new HttpResponse(null, { status: 401 })),
      http.post('/api/patient/device-key', () => HttpResponse.json(keys)),
      http.post('/api/patient/logout', () => ((logouts += 1), new HttpResponse(null, { status: 204 }))),
      http.post('/api/patient/auth/code', () => HttpResponse.json({ challengeId: 'ch-1', expiresAt: '' }, { status: 202 })),
      http.post('/api/patient/auth/verify', async ({ request }) => {
        const body = (await request.json()) as { code: string };
        if (body.code !== '123456') return HttpResponse.json({ code: 'invalid_code', message: 'That code and date of birth do not match' }, { status: 401 });
        return HttpResponse.json({ token: 'tok_abcdefghijklmnopqrstuvwxyz', expiresAt: '', patient: { name: 'Alex Tremblay', consentRequired, consentText: 'Je consens.' } });
      }),
      http.post('/api/patient/consent', () => ((consentRequired = false), HttpResponse.json({ name: 'Alex Tremblay', consentRequired: false, consentText: 'Je consens.' }))),
    );
  });
  afterEach(() => {
    worker.resetHandlers();
    localStorage.clear();
    for (const name of ['--sm-brand', '--sm-accent', '--sm-accent-contrast', '--sm-accent-text']) document.documentElement.style.removeProperty(name);
  });

  it('takes the clinic’s brand colour as its accent, keeps text on it readable, and lets the page’s own --sm-accent win', async () => {
    const button = async (brand: string) => {
      worker.use(http.get('/api/public/clinics/north', () => HttpResponse.json({ slug: 'north', name: 'Clinique Nord', brandColor: brand, consentText: { en: 'Consent', fr: 'Consentement' } })));
      const app = await mount();
      await waitUntil(() => inner(app, 'sm-patient-sign-in')?.shadowRoot?.querySelector('form button'));
      return getComputedStyle(inner(app, 'sm-patient-sign-in')!.shadowRoot!.querySelector('form button')!);
    };
    const dark = await button('#8a1538');
    expect(dark.backgroundColor).to.equal('rgb(138, 21, 56)');
    expect(dark.color).to.equal('rgb(255, 255, 255)');
    const pale = await button('#ffe680');
    expect(pale.backgroundColor).to.equal('rgb(255, 230, 128)');
    expect(pale.color).to.equal('rgb(0, 0, 0)', 'black text on a pale brand colour');
    document.documentElement.style.setProperty('--sm-accent', 'rgb(1, 2, 3)');
    expect((await button('#8a1538')).backgroundColor).to.equal('rgb(1, 2, 3)', 'the embedding page’s theme wins');
  });

  async function mount(view: 'messages' | 'booking' = 'messages') {
    const app = await fixture<SmFrameApp>(html`<sm-frame-app .api=${new PatientApi('north', 'fr')} lang="fr" view=${view}></sm-frame-app>`);
    return app;
  }

  async function signIn(app: SmFrameApp, code: string) {
    await waitUntil(() => inner(app, 'sm-patient-sign-in')?.shadowRoot?.querySelector('form'));
    const signIn = inner(app, 'sm-patient-sign-in')!;
    const root = signIn.shadowRoot!;
    if (root.querySelector('#email')) {
      root.querySelector<HTMLInputElement>('#email')!.value = 'alex@example.com';
      root.querySelector('form')!.requestSubmit();
      await waitUntil(() => root.querySelector('#code'));
    }
    root.querySelector<HTMLInputElement>('#code')!.value = code;
    root.querySelector<HTMLInputElement>('input[name=dob]')!.value = '1990-05-17';
    root.querySelector('form')!.requestSubmit();
  }

  /** The public booking options of Clinique Nord: one type open to new patients, or (`open: false`) none. */
  function requestOptions(open: boolean) {
    const intake = { id: 'intake', name: { en: 'New patient visit', fr: 'Visite nouveau patient' }, durationMinutes: 30, mode: 'in-person', location: '', providerIds: ['shah'] };
    return HttpResponse.json({ enabled: true, timeZone: 'America/Toronto', clinicName: 'Clinique Nord', cancelCutoffHours: 24, types: open ? [intake] : [], providers: open ? [{ id: 'shah', name: 'Dr. Shah' }] : [] });
  }

  it('offers a signed-out visitor of the booking widget a new patient\'s request, with focus on each screen, and back to the sign-in', async () => {
    worker.use(
      http.get('/api/public/clinics/north/booking/options', () => requestOptions(true)),
      http.get('/api/public/clinics/north/booking/slots', () => HttpResponse.json({ timeZone: 'America/Toronto', slots: [], nextAvailable: null })),
    );
    const messages = await mount('messages');
    await waitUntil(() => inner(messages, 'sm-patient-sign-in'));
    expect(messages.shadowRoot!.querySelector('#request-open')).to.equal(null, 'only the booking widget offers it');
    const app = await mount('booking');
    await waitUntil(() => app.shadowRoot!.querySelector('#request-open'));
    expect(textOf(app.shadowRoot!)).to.contain('Nouveau patient de Clinique Nord?');
    app.shadowRoot!.querySelector<HTMLButtonElement>('#request-open')!.click();
    await waitUntil(() => deepActive()?.id === 'screen-title', 'focus on the request screen\'s heading');
    expect(deepActive()!.textContent).to.equal('Demander un rendez-vous (nouveaux patients)');
    await waitUntil(() => inner(app, 'sm-booking-view'), 'the booking view, once its chunk is in');
    const view = inner(app, 'sm-booking-view')!;
    expect(view.hasAttribute('new-patient')).to.equal(true);
    await waitUntil(() => textOf(view.shadowRoot!).includes('Visite nouveau patient'), 'the type open to new patients');
    await expect(app).to.be.accessible();
    [...app.shadowRoot!.querySelectorAll('button')].find((b) => b.textContent!.includes('Retour à la connexion'))!.click();
    await waitUntil(() => inner(app, 'sm-patient-sign-in'));
    await waitUntil(() => deepActive()?.tagName === 'H2' && inner(app, 'sm-patient-sign-in')!.shadowRoot!.contains(deepActive()), 'focus back on the sign-in heading');
  });

  it('offers no new patient\'s request when no type is open to new patients, and offers it again once one is', async () => {
    let open = false;
    let asked = 0;
    worker.use(http.get('/api/public/clinics/north/booking/options', () => (asked++, requestOptions(open))));
    const closed = await mount('booking');
    await waitUntil(() => inner(closed, 'sm-patient-sign-in') && asked === 1, 'the closed options asked for');

    open = true;
    const opened = await mount('booking');
    await waitUntil(() => opened.shadowRoot!.querySelector('#request-open'), 'the link, once a type is open to new patients');
    expect(textOf(opened.shadowRoot!)).to.contain('Nouveau patient de Clinique Nord?');
    // The first frame's answer came before the second's: it has had its say.
    await closed.updateComplete;
    expect(closed.shadowRoot!.querySelector('#request-open') === null).to.equal(true, 'no request link');
    expect(textOf(closed.shadowRoot!)).not.to.contain('Nouveau patient de Clinique Nord?');
    await expect(closed).to.be.accessible();
  });

  it('moves focus through sign-in, a wrong code, consent and the signed-in screen; declining consent signs out', async () => {
    const app = await mount();
    await signIn(app, '000000');
    const signInRoot = () => inner(app, 'sm-patient-sign-in')!.shadowRoot!;
    await waitUntil(() => signInRoot().querySelector('[role=alert]'));
    expect(deepActive()).to.equal(signInRoot().querySelector('#code'), 'wrong code: focus on the code field');
    expect(signInRoot().querySelector('[role=alert]')!.textContent).to.equal('Le code et la date de naissance ne correspondent pas. Vérifiez-les et réessayez.');

    await signIn(app, '123456');
    await waitUntil(() => inner(app, 'sm-consent') && deepActive()?.textContent === 'Avant de commencer', 'consent screen: focus on its heading');
    await expect(app).to.be.accessible();

    const decline = [...inner(app, 'sm-consent')!.shadowRoot!.querySelectorAll('button')].find((b) => b.textContent === 'Refuser et me déconnecter')!;
    expect(decline, 'a decline action next to the consent').to.be.instanceOf(HTMLButtonElement);
    decline.click();
    await waitUntil(() => inner(app, 'sm-patient-sign-in') && deepActive()?.id === 'title', 'declined: the sign-in screen, focus on its heading');
    expect(logouts).to.equal(1, 'the session ended on the server');
    expect(localStorage.getItem('sm:session:north')).to.equal(null);
    expect(deepActive()!.textContent).to.contain('Connexion patient');

    await signIn(app, '123456');
    await waitUntil(() => inner(app, 'sm-consent'));
    inner(app, 'sm-consent')!.shadowRoot!.querySelector('button')!.click();
    await waitUntil(() => deepActive()?.id === 'screen-title', 'consent accepted: focus on the signed-in screen heading');
    expect(deepActive()!.textContent).to.equal('Messages sécurisés');
  });

  it('lets sm-message-sent out of the frame app exactly once per message, with its kind', async () => {
    consentRequired = false;
    const app = await mount();
    await signIn(app, '123456');
    await waitUntil(() => inner(app, 'sm-messages-view'), 'signed in: the messages view');
    const heard: unknown[] = [];
    app.addEventListener('sm-message-sent', (e) => heard.push((e as CustomEvent).detail));
    // What the view fires when the clinic took a message (composed, so it crosses the app's shadow root).
    inner(app, 'sm-messages-view')!.dispatchEvent(new CustomEvent('sm-message-sent', { bubbles: true, composed: true, detail: { kind: 'reply' } }));
    await new Promise((r) => setTimeout(r));
    expect(heard).to.deep.equal([{ kind: 'reply' }]);
  });

  it('signs out when the page asks, leaving focus where it is on the page', async () => {
    consentRequired = false;
    const app = await mount();
    await signIn(app, '123456');
    await waitUntil(() => inner(app, 'sm-messages-view'), 'signed in');
    const outside = document.createElement('button');
    document.body.append(outside);
    outside.focus();
    const signedOut = new Promise((r) => app.addEventListener('sm-signed-out', r, { once: true }));
    await app.signOut(false);
    await signedOut;
    expect(inner(app, 'sm-patient-sign-in')).to.be.instanceOf(HTMLElement);
    expect(logouts).to.equal(1);
    expect(document.activeElement).to.equal(outside);
    outside.remove();
  });

  it('decline consent in English too', async () => {
    const app = await fixture<SmFrameApp>(html`<sm-frame-app .api=${new PatientApi('north', 'en')} lang="en"></sm-frame-app>`);
    await signIn(app, '123456');
    await waitUntil(() => inner(app, 'sm-consent'));
    expect(textOf(inner(app, 'sm-consent')!.shadowRoot!)).to.contain('Decline and sign out');
  });

  it('shares one sign-in between the frames of a clinic: sign-out in one signs the others out, with no “updated in another tab” banner', async () => {
    consentRequired = false;
    localStorage.setItem('sm:session:north', 'tok_abcdefghijklmnopqrstuvwxyz');
    // Two message widgets on one page: both hold a device session on the same on-device database.
    const messages = await mount('messages');
    const booking = await mount('messages');
    for (const app of [messages, booking]) await waitUntil(() => textOf(app.shadowRoot!).includes('Session ouverte : Alex Tremblay'));
    await waitUntil(() => messages.deviceSession && booking.deviceSession);

    const signOut = [...messages.shadowRoot!.querySelectorAll('button')].find((b) => b.textContent === 'Se déconnecter')!;
    signOut.click();
    await waitUntil(() => inner(booking, 'sm-patient-sign-in'), 'the other frame shows the sign-in');
    await new Promise((r) => setTimeout(r, 200)); // let a late "versionchange" arrive, if one were to
    const other = textOf(booking.shadowRoot!);
    expect(other).not.to.contain('Session ouverte');
    expect(other).not.to.contain('mise à jour dans un autre onglet');
    expect(logouts).to.equal(1, 'one sign-out on the server');

    // Signing in again in the other frame signs this one in too.
    await signIn(booking, '123456');
    await waitUntil(() => textOf(messages.shadowRoot!).includes('Session ouverte : Alex Tremblay'), 'the first frame follows the sign-in');
    expect(textOf(messages.shadowRoot!)).not.to.contain('mise à jour dans un autre onglet');
    await messages.deviceSession?.end();
  });

  it('stops asking for consent in every frame once the patient accepts it in one', async () => {
    localStorage.setItem('sm:session:north', 'tok_abcdefghijklmnopqrstuvwxyz');
    const messages = await mount('messages');
    const booking = await mount('booking');
    for (const app of [messages, booking]) await waitUntil(() => inner(app, 'sm-consent')?.shadowRoot?.querySelector('button'), 'both frames ask for consent');
    [...inner(messages, 'sm-consent')!.shadowRoot!.querySelectorAll('button')].find((b) => b.textContent === "Je comprends et j'accepte" || b.textContent === 'Je comprends et j’accepte')!.click();
    await waitUntil(() => !inner(booking, 'sm-consent'), 'the other frame stopped asking');
    expect(textOf(booking.shadowRoot!)).to.contain('Session ouverte : Alex Tremblay');
    await messages.deviceSession?.end();
  });

  it('when another frame finds the session ended, says why what was queued here is gone', async () => {
    consentRequired = false;
    localStorage.setItem('sm:session:north', 'tok_abcdefghijklmnopqrstuvwxyz');
    const messages = await mount('messages');
    await waitUntil(() => messages.deviceSession);
    const elsewhere = new PatientApi('north', 'fr'); // another frame of the page, told 401 by the server
    elsewhere.forget();
    await waitUntil(() => inner(messages, 'sm-patient-sign-in'));
    expect(textOf(messages.shadowRoot!)).to.contain('Votre session a pris fin');
  });

  it('reflows at 320 CSS px: no screen scrolls sideways in a 256 px frame (sign-in, consent, list, new message, emergency notice, conversation)', async () => {
    const long = 'Renouvellement d’ordonnance pour un médicament au nom très long';
    const t1 = { id: 't1', subject: `${long} (suivi)`, category: 'renewal', status: 'open', patientMayReply: true, startedBy: 'patient', unread: 2, lastMessageAt: '2026-11-20T15:00:00.000Z', createdAt: '2026-11-20T15:00:00.000Z' };
    worker.use(
      http.get('/api/public/clinics/north/messaging', () => HttpResponse.json({ ...rules, subjectRequired: true, maxChars: 1500, maxWords: 250, weeklyThreadQuota: 3, categories: [{ id: 'renewal', en: long, fr: long }] })),
      http.get('/api/patient/threads', () => HttpResponse.json([t1])),
      http.get('/api/patient/threads/t1', () => HttpResponse.json({ thread: t1, messages: [{ id: 'm1', threadId: 't1', author: 'staff', authorName: 'Dre Marie-Ève Beauchemin-Tremblay', kind: 'message', body: `Voir https://exemple.ca/${'a'.repeat(80)} et ${'x'.repeat(60)}`, attachments: [{ id: 'a1', fileName: `${'résultats-'.repeat(6)}.pdf`, mime: 'application/pdf', size: 1 }], createdAt: '2026-11-20T15:00:00.000Z' }] })),
    );
    const box = await fixture<HTMLDivElement>(html`<div style="width: 256px; overflow: auto"><sm-frame-app .api=${new PatientApi('north', 'fr')} lang="fr"></sm-frame-app></div>`);
    const app = box.querySelector('sm-frame-app')!;
    const fits = (screen: string) => expect(box.scrollWidth, `${screen}: scrollWidth ${box.scrollWidth} in ${box.clientWidth}`).to.be.at.most(box.clientWidth);
    const view = () => inner(app, 'sm-messages-view')!.shadowRoot!;
    const editor = () => view().querySelector('sm-message-editor')!.shadowRoot!;

    await waitUntil(() => inner(app, 'sm-patient-sign-in')?.shadowRoot?.querySelector('#email'));
    fits('sign-in');
    await signIn(app, '123456');
    await waitUntil(() => inner(app, 'sm-consent')?.shadowRoot?.querySelector('button'));
    fits('consent');
    inner(app, 'sm-consent')!.shadowRoot!.querySelector('button')!.click();
    await waitUntil(() => inner(app, 'sm-messages-view')?.shadowRoot?.querySelector('ul.threads'));
    fits('list');
    view().querySelector<HTMLButtonElement>('button:not(.link)')!.click();
    await waitUntil(() => view().querySelector('sm-message-editor')?.shadowRoot?.querySelector('textarea'));
    fits('new message');
    const area = editor().querySelector('textarea')!;
    area.value = 'J’ai une douleur à la poitrine depuis ce matin';
    area.dispatchEvent(new Event('input'));
    editor().querySelector('form')!.requestSubmit();
    await waitUntil(() => editor().querySelector('#emergency'));
    fits('emergency notice');
    view().querySelector<HTMLButtonElement>('button.link')!.click();
    await waitUntil(() => view().querySelector('ul.threads button'));
    view().querySelector<HTMLButtonElement>('ul.threads button')!.click();
    await waitUntil(() => view().querySelector('ol.messages li'));
    fits('conversation');
    await app.deviceSession?.end();
  });

  it('keeps the outbox in the messages widget only: another widget of the page shares the sign-in, not the queue', async () => {
    consentRequired = false;
    localStorage.setItem('sm:session:north', 'tok_abcdefghijklmnopqrstuvwxyz');
    const booking = await mount('booking');
    await waitUntil(() => textOf(booking.shadowRoot!).includes('Session ouverte : Alex Tremblay'));
    expect(booking.deviceSession).to.equal(null);
  });
  it('in the booking widget, a session that ended on the server brings back the sign-in, says why in French and focuses it (not a generic error)', async () => {
    consentRequired = false;
    localStorage.setItem('sm:session:north', 'tok_abcdefghijklmnopqrstuvwxyz');
    const slot = { providerId: 'shah', startsAt: '2099-03-02T14:00:00.000Z', endsAt: '2099-03-02T14:30:00.000Z' };
    const type = { id: 'follow', name: { en: 'Follow-up', fr: 'Suivi' }, durationMinutes: 30, mode: 'in-person', location: '', providerIds: ['shah'] };
    worker.use(
      http.get('/api/patient/booking/options', () => HttpResponse.json({ enabled: true, timeZone: 'America/Toronto', clinicName: 'Clinique Nord', cancelCutoffHours: 24, types: [type], providers: [{ id: 'shah', name: 'Dr. Shah' }] })),
      http.get('/api/patient/booking/slots', () => HttpResponse.json({ timeZone: 'America/Toronto', slots: [slot], nextAvailable: null })),
      http.get('/api/patient/appointments', () => HttpResponse.json([])),
      http.get('/api/patient/waitlist', () => HttpResponse.json([])),
      http.post('/api/patient/appointments', () => HttpResponse.json({ code: 'unauthenticated', message: 'Sign in to continue; your session may have ended' }, { status: 401 })),
    );
    const app = await mount('booking');
    await waitUntil(() => inner(app, 'sm-booking-view')?.shadowRoot?.querySelector('[role=option]'), 'the open times');
    const view = inner(app, 'sm-booking-view')!.shadowRoot!;
    view.querySelector<HTMLElement>('[role=option]')!.click();
    await waitUntil(() => [...view.querySelectorAll('button')].find((b) => b.textContent!.includes('Réserver cette heure')));
    [...view.querySelectorAll('button')].find((b) => b.textContent!.includes('Réserver cette heure'))!.click();
    await waitUntil(() => inner(app, 'sm-patient-sign-in'), 'the sign-in');
    expect(app.shadowRoot!.querySelector('[role=status].notice')?.textContent).to.contain('Votre session a pris fin. Veuillez vous reconnecter.');
    expect(textOf(app.shadowRoot!)).not.to.contain('Une erreur est survenue');
    expect(localStorage.getItem('sm:session:north')).to.equal(null, 'the ended token is forgotten');
    await waitUntil(() => deepActive()?.tagName === 'H2', 'focus on the sign-in heading');
    expect(deepActive()!.textContent).to.contain('Connexion');
  });

  it('in the messages widget, opening a conversation after the session ended on the server brings back the sign-in, saying why', async () => {
    consentRequired = false;
    localStorage.setItem('sm:session:north', 'tok_abcdefghijklmnopqrstuvwxyz');
    worker.use(
      http.get('/api/patient/threads', () => HttpResponse.json([{ id: 't1', subject: 'Renouvellement', category: 'other', status: 'open', patientMayReply: true, startedBy: 'patient', unread: 0, lastMessageAt: '2026-11-26T14:00:00.000Z', createdAt: '2026-11-26T14:00:00.000Z' }])),
      http.get('/api/patient/threads/t1', () => HttpResponse.json({ code: 'unauthenticated', message: 'Sign in' }, { status: 401 })),
    );
    const app = await mount('messages');
    await waitUntil(() => inner(app, 'sm-messages-view')?.shadowRoot?.querySelector('ul.threads button'), 'the conversations');
    inner(app, 'sm-messages-view')!.shadowRoot!.querySelector<HTMLButtonElement>('ul.threads button')!.click();
    await waitUntil(() => inner(app, 'sm-patient-sign-in'), 'the sign-in');
    expect(textOf(app.shadowRoot!)).to.match(/Votre session a pris fin/);
    expect(textOf(app.shadowRoot!)).not.to.contain('Session ouverte');
    await waitUntil(() => deepActive()?.tagName === 'H2', 'focus on the sign-in heading');
  });

  it('where the browser refuses the frame any storage, takes up the session the server kept in its cookie; elsewhere it does not ask', async () => {
    consentRequired = false;
    const asked: unknown[] = [];
    worker.use(http.post('/api/patient/auth/resume', async ({ request }) => (asked.push(await request.json()), HttpResponse.json({ token: 'tok_abcdefghijklmnopqrstuvwxyz' }))));
    // Storage available and empty: signed out, and the cookie is not asked for.
    const plain = await mount();
    await waitUntil(() => inner(plain, 'sm-patient-sign-in'));
    expect(asked).to.deep.equal([]);

    // A third-party frame whose storage is blocked (not partitioned): reading localStorage throws.
    const original = Object.getOwnPropertyDescriptor(window, 'localStorage')!;
    Object.defineProperty(window, 'localStorage', { configurable: true, get: () => { throw new DOMException('Access is denied for this document.', 'SecurityError'); } });
    try {
      const app = await mount();
      await waitUntil(() => textOf(app.shadowRoot!).includes('Session ouverte : Alex Tremblay'), 'signed in with no new code');
      expect(asked).to.deep.equal([{ clinic: 'north' }]);
      await app.deviceSession?.end();
    } finally {
      Object.defineProperty(window, 'localStorage', original);
    }
  });
});
