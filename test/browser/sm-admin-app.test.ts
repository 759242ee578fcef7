import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import '../../admin/sm-admin-app.js';
import type { SmAdminApp } from '../../admin/sm-admin-app.js';
import type { Me, Patient } from '../../shared/api.js';
import { startWorker, worker } from './msw.js';

const me = (role: 'admin' | 'staff', devMailbox = true): Me => ({
  staff: { id: 's1', name: 'Dana', email: 'dana@north.test', role, disabled: false, createdAt: '2026-01-01T00:00:00.000Z' },
  clinic: { id: 'c1', slug: 'north', name: 'North Clinic' },
  devMailbox,
});

const patient: Patient = {
  id: 'p1', name: 'Jamie Patient', dateOfBirth: '1990-05-17', email: 'jamie@example.com', phone: null, mobile: null, smsConsentAt: null, healthNumber: null, lang: 'en', consentedAt: null, createdAt: '2026-01-01T00:00:00.000Z',
};

const shadow = (el: Element) => el.shadowRoot!;
const login = (app: SmAdminApp) => shadow(app).querySelector('sm-login-page')!;
const navTexts = (app: SmAdminApp) => [...shadow(app).querySelectorAll('nav a')].map((a) => a.textContent!.trim());
const currentPage = (app: SmAdminApp) => shadow(app).querySelector('#outlet')?.firstElementChild as HTMLElement & { updateComplete: Promise<unknown> };

async function signIn(app: SmAdminApp, email: string, password: string) {
  await waitUntil(() => login(app)?.shadowRoot?.querySelector('form'));
  const page = login(app);
  shadow(page).querySelector<HTMLInputElement>('input[name=email]')!.value = email;
  shadow(page).querySelector<HTMLInputElement>('input[name=password]')!.value = password;
  shadow(page).querySelector('form')!.requestSubmit();
}

describe('<sm-admin-app>', () => {
  before(startWorker);
  afterEach(() => {
    worker.resetHandlers();
    localStorage.clear();
    history.replaceState(null, '', '/');
  });

  it('signs a staff member in and shows the navigation their role allows', async () => {
    worker.use(
      http.get('/api/staff/me', () => HttpResponse.json({ code: 'unauthenticated', message: '' }, { status: 401 })),
      http.post('/api/staff/login', async ({ request }) => {
        const body = (await request.json()) as { password: string };
        return body.password === 'right password'
          ? HttpResponse.json(me('staff', false))
          : HttpResponse.json({ code: 'invalid_credentials', message: 'E-mail or password is incorrect' }, { status: 401 });
      }),
      http.get('/api/patients', () => HttpResponse.json({ patients: [], nextCursor: null })),
      http.get('/api/inbox', () => HttpResponse.json({ threads: [], nextCursor: null })),
      http.get('/api/messaging/settings', () => HttpResponse.json({ categories: [], answeringBlocks: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] } })),
    );
    const app = await fixture<SmAdminApp>(html`<sm-admin-app></sm-admin-app>`);
    await signIn(app, 'dana@north.test', 'wrong');
    await waitUntil(() => shadow(login(app)).querySelector('[role=alert]'));
    expect(shadow(login(app)).querySelector('[role=alert]')!.textContent).to.equal('E-mail or password is incorrect.');
    await expect(login(app)).to.be.accessible();

    await signIn(app, 'dana@north.test', 'right password');
    await waitUntil(() => shadow(app).querySelector('nav'));
    expect(navTexts(app)).to.deep.equal(['Inbox', 'Patients', 'Questionnaires', 'Clinic settings', 'Messaging', 'Booking', 'Calendar', 'Booking requests', 'Embed', 'My account']);
  });

  it('shows admins every page, and switches the whole admin to French', async () => {
    worker.use(http.get('/api/staff/me', () => HttpResponse.json(me('admin'))), http.get('/api/patients', () => HttpResponse.json({ patients: [patient], nextCursor: null })));
    history.replaceState(null, '', '/admin/patients');
    const app = await fixture<SmAdminApp>(html`<sm-admin-app></sm-admin-app>`);
    await waitUntil(() => shadow(app).querySelector('nav'));
    expect(navTexts(app)).to.deep.equal(['Inbox', 'Patients', 'Questionnaires', 'Clinic settings', 'Staff', 'Audit log', 'Outgoing e-mail and texts', 'Messaging', 'Booking', 'Calendar', 'Booking requests', 'Embed', 'Dev mailbox', 'My account']);
    await waitUntil(() => currentPage(app)?.shadowRoot?.querySelector('table'));
    await expect(app).to.be.accessible();

    const select = shadow(app).querySelector<HTMLSelectElement>('header select')!;
    select.value = 'fr';
    select.dispatchEvent(new Event('change'));
    await app.updateComplete;
    await currentPage(app)!.updateComplete;
    expect(navTexts(app)).to.include('Paramètres de la clinique');
    expect(document.documentElement.lang).to.equal('fr');
    expect(shadow(currentPage(app)!).querySelector('h1')!.textContent).to.equal('Patients');
    expect(shadow(currentPage(app)!).querySelector('button')!.textContent).to.equal('Rechercher');
    await expect(app).to.be.accessible();
  });

  it("lands on the new page's heading after a screen change and names the page in the tab's title, in French too", async () => {
    worker.use(
      http.get('/api/staff/me', () => HttpResponse.json(me('admin'))),
      http.get('/api/inbox', () => HttpResponse.json({ threads: [], nextCursor: null, unreadTotal: 0 })),
      http.get('/api/patients', () => HttpResponse.json({ patients: [patient], nextCursor: null })),
      http.get('/api/messaging/settings', () => HttpResponse.json({ categories: [], answeringBlocks: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] } })),
    );
    history.replaceState(null, '', '/admin/inbox');
    const app = await fixture<SmAdminApp>(html`<sm-admin-app></sm-admin-app>`);
    await waitUntil(() => currentPage(app)?.shadowRoot?.querySelector('h1'), 'the inbox shows');
    await waitUntil(() => document.title.startsWith('Inbox'), 'the title names the page');
    expect(document.title).to.equal('Inbox · North Clinic · Clinic administration');
    const link = [...shadow(app).querySelectorAll<HTMLAnchorElement>('nav a')].find((a) => a.textContent!.trim() === 'Patients')!;
    link.focus();
    link.click();
    await waitUntil(() => currentPage(app)?.tagName === 'SM-PATIENTS-PAGE' && shadow(currentPage(app)!).activeElement?.tagName === 'H1', 'focus on the patients heading');
    expect(shadow(app).activeElement).to.equal(currentPage(app));
    expect(document.title).to.equal('Patients · North Clinic · Clinic administration');

    // A page that shows its heading while it loads keeps the focus there once its content arrives.
    let answer: (() => void) | null = null;
    worker.use(
      http.get('/api/clinic', async () => {
        await new Promise<void>((resolve) => (answer = resolve));
        return HttpResponse.json({ id: 'c1', slug: 'north', name: 'North Clinic', allowedOrigins: [], brandColor: '#0b5cad', consentText: { en: 'x', fr: 'x' }, requireTwoFactor: false, patientPageUrl: null });
      }),
    );
    [...shadow(app).querySelectorAll<HTMLAnchorElement>('nav a')].find((a) => a.textContent!.trim() === 'Clinic settings')!.click();
    await waitUntil(() => currentPage(app)?.tagName === 'SM-SETTINGS-PAGE' && shadow(currentPage(app)!).activeElement?.tagName === 'H1' && answer, 'focus on the settings heading while it loads');
    answer!();
    await waitUntil(() => shadow(currentPage(app)!).querySelector('form'), 'the settings form shows');
    expect(shadow(currentPage(app)!).activeElement?.tagName).to.equal('H1');

    const select = shadow(app).querySelector<HTMLSelectElement>('header select')!;
    select.value = 'fr';
    select.dispatchEvent(new Event('change'));
    await app.updateComplete;
    [...shadow(app).querySelectorAll<HTMLAnchorElement>('nav a')].find((a) => a.textContent!.trim() === 'Boîte de réception')!.click();
    await waitUntil(() => currentPage(app)?.tagName === 'SM-INBOX-PAGE' && shadow(currentPage(app)!).activeElement?.tagName === 'H1', 'focus on the inbox heading');
    expect(document.title).to.equal('Boîte de réception · North Clinic · Administration de la clinique');
  });

  it('names the tab of the signed-out pages in the chosen language', async () => {
    worker.use(http.get('/api/staff/me', () => HttpResponse.json({ code: 'unauthenticated', message: '' }, { status: 401 })));
    document.title = 'Clinic administration – Secure Messaging';
    localStorage.setItem('sm-admin-lang', 'fr');
    const app = await fixture<SmAdminApp>(html`<sm-admin-app></sm-admin-app>`);
    await waitUntil(() => document.title.startsWith('Connexion'), 'the sign-in page names the tab');
    expect(document.title).to.equal('Connexion du personnel · Administration de la clinique');
    app.remove();
    history.replaceState(null, '', '/admin/forgot-password');
    await fixture<SmAdminApp>(html`<sm-admin-app></sm-admin-app>`);
    await waitUntil(() => document.title.startsWith('Réinitialiser'), 'the forgotten-password page names the tab');
    expect(document.title).to.equal('Réinitialiser votre mot de passe · Administration de la clinique');
  });

  it('enrols a patient and keeps the form as typed when the server refuses it', async () => {
    const posted: unknown[] = [];
    worker.use(
      http.get('/api/staff/me', () => HttpResponse.json(me('staff'))),
      http.get('/api/patients', () => HttpResponse.json({ patients: [], nextCursor: null })),
      http.post('/api/patients', async ({ request }) => {
        posted.push(await request.json());
        return HttpResponse.json({ code: 'email_taken', message: 'Another patient of this clinic already uses this e-mail address' }, { status: 409 });
      }),
    );
    history.replaceState(null, '', '/admin/patients');
    const app = await fixture<SmAdminApp>(html`<sm-admin-app></sm-admin-app>`);
    await waitUntil(() => currentPage(app)?.shadowRoot?.querySelector('form'));
    const page = currentPage(app)!;
    [...shadow(page).querySelectorAll('button')].find((b) => b.textContent === 'Enrol a patient')!.click();
    await page.updateComplete;
    const form = shadow(page).querySelector<HTMLFormElement>('form.grid')!;
    const set = (name: string, value: string) => (form.querySelector<HTMLInputElement>(`[name=${name}]`)!.value = value);
    set('name', 'Alex New');
    set('dateOfBirth', '1985-01-02');
    set('email', 'alex@example.com');
    set('healthNumber', '1234-567-890');
    await expect(page).to.be.accessible();
    form.requestSubmit();
    await waitUntil(() => shadow(page).querySelector('[role=alert]'));
    expect(posted).to.deep.equal([{ name: 'Alex New', dateOfBirth: '1985-01-02', email: 'alex@example.com', phone: null, mobile: null, smsConsent: false, healthNumber: '1234567890', lang: 'en' }]);
    expect(shadow(page).querySelector('[role=alert]')!.textContent).to.equal('Another patient of this clinic already uses this e-mail address.');
    expect(form.querySelector<HTMLInputElement>('[name=name]')!.value).to.equal('Alex New');
  });

  it("words every refusal in the reader's language, never with the server's English sentence", async () => {
    let refusal = { code: 'email_taken', message: 'Another patient of this clinic already uses this e-mail address' };
    worker.use(
      http.get('/api/staff/me', () => HttpResponse.json(me('staff'))),
      http.get('/api/patients', () => HttpResponse.json({ patients: [], nextCursor: null })),
      http.post('/api/patients', () => HttpResponse.json(refusal, { status: 409 })),
    );
    localStorage.setItem('sm-admin-lang', 'fr');
    history.replaceState(null, '', '/admin/patients');
    const app = await fixture<SmAdminApp>(html`<sm-admin-app></sm-admin-app>`);
    await waitUntil(() => currentPage(app)?.shadowRoot?.querySelector('form'));
    const page = currentPage(app)!;
    [...shadow(page).querySelectorAll('button')].find((b) => b.textContent === 'Inscrire un patient')!.click();
    await page.updateComplete;
    const form = shadow(page).querySelector<HTMLFormElement>('form.grid')!;
    const set = (name: string, value: string) => (form.querySelector<HTMLInputElement>(`[name=${name}]`)!.value = value);
    set('name', 'Alex Nouveau');
    set('dateOfBirth', '1985-01-02');
    set('email', 'alex@example.com');
    const alert = () => shadow(page).querySelector('[role=alert]')?.textContent ?? '';
    form.requestSubmit();
    await waitUntil(() => alert() !== '', 'the refusal shown');
    expect(alert()).to.equal('Un autre patient de cette clinique utilise déjà cette adresse courriel.');
    // A code this page does not know: the generic sentence in French, not the server's words.
    refusal = { code: 'something_new', message: 'A refusal in English' };
    form.requestSubmit();
    await waitUntil(() => alert() !== '' && !alert().startsWith('Un autre'), 'the second refusal shown');
    expect(alert()).to.equal('Une erreur est survenue. Veuillez réessayer.');
  });

  it('returns to sign-in with a notice when the session ends', async () => {
    let calls = 0;
    worker.use(
      http.get('/api/staff/me', () => (calls++ === 0 ? HttpResponse.json(me('admin')) : HttpResponse.json({}, { status: 401 }))),
      http.get('/api/patients', () => HttpResponse.json({ code: 'unauthenticated', message: '' }, { status: 401 })),
    );
    history.replaceState(null, '', '/admin/patients');
    const app = await fixture<SmAdminApp>(html`<sm-admin-app></sm-admin-app>`);
    await waitUntil(() => login(app)?.shadowRoot?.querySelector('[role=status]'), 'sign-in page with notice', { timeout: 3000 });
    expect(shadow(login(app)).querySelector('[role=status]')!.textContent).to.equal('Your session has ended. Please sign in again.');
  });

  it('takes a person whose clinic requires two-factor sign-in to My account until they have a factor', async () => {
    let enrolled = false;
    worker.use(
      http.get('/api/staff/me', () => HttpResponse.json({ ...me('staff'), ...(enrolled ? {} : { enrolmentRequired: true }) })),
      http.get('/api/staff/me/two-factor', () => HttpResponse.json({ required: true, totp: enrolled, recoveryCodesLeft: enrolled ? 10 : 0, passkeys: [] })),
      http.post('/api/staff/me/totp', () => HttpResponse.json({ uri: 'otpauth://totp/North:dana%40north.test?secret=JBSWY3DPEHPK3PXP', secret: 'JBSWY3DPEHPK3PXP', qrSvg: '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><path d="M0 0h1v1H0z"/></svg>' })),
      http.post('/api/staff/me/totp/confirm', () => {
        enrolled = true;
        return HttpResponse.json({ recoveryCodes: Array.from({ length: 10 }, (_, i) => `aaaa${i}-bbbbb`) });
      }),
      http.get('/api/inbox', () => HttpResponse.json([])),
      http.get('/api/messaging/settings', () => HttpResponse.json({ categories: [], answeringBlocks: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] } })),
    );
    history.replaceState(null, '', '/admin/inbox');
    const app = await fixture<SmAdminApp>(html`<sm-admin-app></sm-admin-app>`);
    await waitUntil(() => currentPage(app)?.shadowRoot?.querySelector('button'), 'the account page');
    expect(location.pathname).to.equal('/admin/account');
    expect(navTexts(app)).to.deep.equal(['My account']);
    const page = currentPage(app)!;
    expect(shadow(page).querySelector('.notice')!.textContent).to.contain('Your clinic requires two-factor sign-in');
    [...shadow(page).querySelectorAll('button')].find((b) => b.textContent === 'Set up an authenticator app')!.click();
    await waitUntil(() => shadow(page).querySelector('img.qr'));
    expect(shadow(page).querySelector('code')!.textContent).to.equal('JBSW Y3DP EHPK 3PXP');
    await waitUntil(() => shadow(page).activeElement === shadow(page).querySelector('input[name=code]'), 'focus on the code field');
    await expect(page).to.be.accessible();
    shadow(page).querySelector<HTMLInputElement>('input[name=code]')!.value = '123456';
    shadow(page).querySelector<HTMLFormElement>('form')!.requestSubmit();
    await waitUntil(() => shadow(page).querySelector('ol.codes'), 'recovery codes shown once');
    expect(shadow(page).querySelectorAll('ol.codes li')).to.have.length(10);
    [...shadow(page).querySelectorAll('button')].find((b) => b.textContent === 'I have saved these codes')!.click();
    await waitUntil(() => navTexts(app).length > 1, 'the other pages open');
    expect(navTexts(app)).to.include('Inbox');
  });

  it('reads a conversation opened by its address at the same time as who is signed in, once', async () => {
    const id = '0b5c4a1e-3f6d-4c2b-9a8e-7d1f2e3c4b5a';
    let threadReads = 0;
    let threadAsked!: () => void;
    const asked = new Promise<void>((r) => (threadAsked = r));
    worker.use(
      // Who is signed in answers only once the conversation was asked for: were the two in sequence, the page would never show.
      http.get('/api/staff/me', async () => (await asked, HttpResponse.json(me('staff')))),
      http.get('/api/threads/:id', ({ params }) => {
        threadReads++;
        threadAsked();
        return HttpResponse.json({
          thread: { id: params.id, subject: 'Renewal', category: 'prescription', status: 'open', patientMayReply: true, startedBy: 'patient', unread: 0, lastMessageAt: '2026-11-26T14:00:00.000Z', createdAt: '2026-11-26T14:00:00.000Z', patientId: 'p1', patientName: 'Jamie Patient', assignedTo: null, awaitingReplySince: null, dueAt: null },
          messages: [{ id: 'm1', threadId: params.id, author: 'patient', authorName: 'Jamie Patient', kind: 'message', body: 'Please renew.', attachments: [], createdAt: '2026-11-26T14:00:00.000Z' }],
          earlierCursor: null, previousId: null, nextId: null, otherThreads: [],
        });
      }),
      http.get('/api/patients/:id', () => HttpResponse.json(patient)),
      http.get('/api/messaging/staff', () => HttpResponse.json([])),
      http.get('/api/canned-replies', () => HttpResponse.json([])),
      http.get('/api/messaging/settings', () => HttpResponse.json({ timeZone: 'America/Toronto', categories: [] })),
    );
    history.replaceState(null, '', `/admin/inbox/${id}`);
    const app = await fixture<SmAdminApp>(html`<sm-admin-app></sm-admin-app>`);
    await waitUntil(() => currentPage(app)?.shadowRoot?.querySelector('h1')?.textContent === 'Renewal', 'the conversation shows', { timeout: 5000 });
    expect(shadow(currentPage(app)!).querySelector('ol li .body')!.textContent).to.equal('Please renew.');
    expect(threadReads).to.equal(1, 'the page used the read that started with the shell');
  });

  it('shows a not-found page for an unknown address', async () => {
    worker.use(http.get('/api/staff/me', () => HttpResponse.json(me('admin'))));
    history.replaceState(null, '', '/admin/nowhere');
    const app = await fixture<SmAdminApp>(html`<sm-admin-app></sm-admin-app>`);
    await waitUntil(() => currentPage(app)?.shadowRoot?.querySelector('h1'));
    expect(shadow(currentPage(app)!).querySelector('h1')!.textContent).to.equal('Page not found.');
  });
});
