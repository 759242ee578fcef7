import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import '../../admin/pages/sm-new-thread-page.js';
import type { SmNewThreadPage } from '../../admin/pages/sm-new-thread-page.js';
import { AdminApi } from '../../admin/admin-api.js';
import type { Me, Patient } from '../../shared/api.js';
import type { NewStaffThread } from '../../shared/messaging.js';
import { startWorker, worker } from './msw.js';

const me: Me = { staff: { id: 's1', name: 'Dana', email: 'd@x.test', role: 'staff', disabled: false, createdAt: '' }, clinic: { id: 'c1', slug: 'north', name: 'North' }, devMailbox: false };
const person = (id: string, name: string): Patient => ({ id, name, dateOfBirth: '1980-01-01', email: `${id}@x.test`, phone: null, mobile: null, smsConsentAt: null, healthNumber: null, lang: 'en', consentedAt: null, createdAt: '' });

describe('<sm-new-thread-page>', () => {
  before(startWorker);
  afterEach(() => worker.resetHandlers());

  it('picks one patient by searching as you type, needs a category chosen, and sends with "Message"', async () => {
    const queries: string[] = [];
    const started: NewStaffThread[] = [];
    worker.use(
      http.get('/api/messaging/settings', () => HttpResponse.json({ categories: [{ id: 'results', en: 'Test results', fr: 'Résultats' }, { id: 'forms', en: 'Forms', fr: 'Formulaires' }] })),
      http.get('/api/patients', ({ request }) => {
        const q = new URL(request.url).searchParams.get('q')!;
        queries.push(q);
        return HttpResponse.json({ patients: q === 'jam' ? [person('p1', 'Jamie Patient'), person('p2', 'James Other')] : [], nextCursor: null });
      }),
      http.post('/api/threads', async ({ request }) => {
        started.push((await request.json()) as NewStaffThread);
        return HttpResponse.json({ threadId: 't1', messageId: 'm1' }, { status: 201 });
      }),
    );
    const el = await fixture<SmNewThreadPage>(html`<sm-new-thread-page .api=${new AdminApi()} .me=${me}></sm-new-thread-page>`);
    const root = el.shadowRoot!;
    await waitUntil(() => root.querySelector('select[name=category] option[value=forms]'));
    expect(root.activeElement).to.equal(root.querySelector('h1'), 'the heading has the focus');
    expect(root.querySelectorAll('select[name=patientId], select[name=category] ~ select').length).to.equal(0, 'no second patient control');
    const category = root.querySelector<HTMLSelectElement>('select[name=category]')!;
    expect(category.value).to.equal('', 'no category chosen for the staff member');
    expect(category.options[0]!.textContent).to.equal('Choose…');
    expect(category.required).to.equal(true);
    const submit = root.querySelector<HTMLButtonElement>('form button:not([type=button])')!;
    expect(submit.textContent).to.equal('Message');

    // Sending without a patient: the picker says so and gets the focus.
    root.querySelector<HTMLInputElement>('input[name=subject]')!.value = 'Your results';
    root.querySelector<HTMLTextAreaElement>('textarea[name=body]')!.value = 'Your results are normal.';
    category.value = 'results';
    root.querySelector<HTMLFormElement>('form')!.requestSubmit();
    await waitUntil(() => root.querySelector('#patient-error'));
    const search = root.querySelector<HTMLInputElement>('#patient-search')!;
    expect(search.getAttribute('aria-invalid')).to.equal('true');
    expect(search.getAttribute('aria-describedby')).to.contain('patient-error');
    expect(root.activeElement).to.equal(search);
    expect(started).to.have.length(0);

    search.value = 'jam';
    search.dispatchEvent(new Event('input'));
    await waitUntil(() => root.querySelectorAll('ul.results button').length === 2);
    expect(queries).to.deep.equal(['jam'], 'one search after typing stops');
    expect(root.querySelector('#patient-count')!.textContent).to.contain('Matching patients: 2');
    await expect(el).to.be.accessible();
    const found = [...root.querySelectorAll<HTMLButtonElement>('ul.results button')];
    expect(found.map((b) => b.textContent!.trim())).to.deep.equal(['Choose James Other, born 1980-01-01', 'Choose Jamie Patient, born 1980-01-01'], 'by name');
    found[1]!.click();
    await waitUntil(() => root.querySelector('#chosen-patient'));
    expect(root.querySelector('#chosen-patient')!.textContent).to.contain('Jamie Patient');
    expect(root.querySelector('ul.results')).to.equal(null);
    expect(root.activeElement).to.equal(root.querySelector('input[name=subject]'), 'on to the subject');

    root.querySelector<HTMLFormElement>('form')!.requestSubmit();
    await waitUntil(() => started.length === 1);
    expect(started[0]).to.include({ patientId: 'p1', subject: 'Your results', category: 'results', body: 'Your results are normal.', patientMayReply: true });
    await expect(el).to.be.accessible();
  });

  it('speaks French', async () => {
    worker.use(http.get('/api/messaging/settings', () => HttpResponse.json({ categories: [{ id: 'forms', en: 'Forms', fr: 'Formulaires' }] })));
    const el = await fixture<SmNewThreadPage>(html`<sm-new-thread-page .api=${new AdminApi()} .me=${me} lang="fr"></sm-new-thread-page>`);
    const root = el.shadowRoot!;
    await waitUntil(() => root.querySelector('select[name=category] option[value=forms]'));
    expect(root.querySelector('h1')!.textContent).to.equal('Écrire à un patient');
    expect(root.querySelector('form button:not([type=button])')!.textContent).to.equal('Envoyer le message');
    expect(root.querySelector('select[name=category] option')!.textContent).to.equal('Choisir…');
  });
});
