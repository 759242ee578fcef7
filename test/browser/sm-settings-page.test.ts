import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import '../../admin/pages/sm-settings-page.js';
import type { SmSettingsPage } from '../../admin/pages/sm-settings-page.js';
import { AdminApi } from '../../admin/admin-api.js';
import type { Clinic, Me } from '../../shared/api.js';
import { startWorker, worker } from './msw.js';

const me: Me = { staff: { id: 's1', name: 'Dana Admin', email: 'dana@north.test', role: 'admin', disabled: false, createdAt: '2026-11-26T00:00:00.000Z' }, clinic: { id: 'c1', slug: 'north', name: 'North' }, devMailbox: false };
const clinic: Clinic = { id: 'c1', slug: 'north', name: 'North Clinic', allowedOrigins: ['https://north.example'], brandColor: '#0b5cad', consentText: { en: 'Not for emergencies.', fr: 'Pas pour les urgences.' }, requireTwoFactor: false, patientPageUrl: null };

describe('<sm-settings-page>', () => {
  before(startWorker);
  afterEach(() => worker.resetHandlers());

  it('sends the websites one per line as typed, shows what was saved, and puts a refusal at the field in French', async () => {
    const sent: string[][] = [];
    worker.use(
      http.get('/api/clinic', () => HttpResponse.json(clinic)),
      http.put('/api/clinic', async ({ request }) => {
        const body = (await request.json()) as Clinic;
        sent.push(body.allowedOrigins);
        return body.allowedOrigins.includes('pas un site')
          ? HttpResponse.json({ code: 'invalid_origin', message: 'x', params: { value: 'pas un site', line: 2 }, requestId: 'r' }, { status: 400 })
          : HttpResponse.json({ ...clinic, allowedOrigins: ['https://www.maclinique.ca'] });
      }),
    );
    const el = await fixture<SmSettingsPage>(html`<sm-settings-page .api=${new AdminApi()} .me=${me} lang="fr"></sm-settings-page>`);
    const root = el.shadowRoot!;
    await waitUntil(() => root.querySelector('textarea[name=origins]'));
    const origins = root.querySelector<HTMLTextAreaElement>('textarea[name=origins]')!;
    origins.value = 'www.maclinique.ca\npas un site';
    root.querySelector<HTMLFormElement>('form')!.requestSubmit();
    await waitUntil(() => root.querySelector('#origins-error'));
    expect(sent[0]).to.deep.equal(['www.maclinique.ca', 'pas un site']);
    expect(root.querySelector('#origins-error')!.textContent).to.contain('La ligne 2 des sites autorisés, « pas un site »');
    expect(origins.getAttribute('aria-invalid')).to.equal('true');
    expect(origins.getAttribute('aria-describedby')).to.equal('origins-error');
    await waitUntil(() => root.activeElement === origins, 'the field with the problem gets the focus');
    expect(root.querySelector('.ok[role=status]')).to.equal(null, 'nothing claims it was saved');

    root.querySelector<HTMLTextAreaElement>('textarea[name=origins]')!.value = 'www.maclinique.ca';
    root.querySelector<HTMLFormElement>('form')!.requestSubmit();
    await waitUntil(() => root.querySelector('.ok[role=status]'));
    expect(root.querySelector<HTMLTextAreaElement>('textarea[name=origins]')!.value).to.equal('https://www.maclinique.ca', 'shows the origin that was saved');
    expect(root.querySelector('#origins-error')).to.equal(null);
    await expect(el).to.be.accessible();
  });

  it('saves the patient page (the notices’ link) as typed, and says a refused address at its field', async () => {
    const sent: Array<string | null | undefined> = [];
    worker.use(
      http.get('/api/clinic', () => HttpResponse.json(clinic)),
      http.put('/api/clinic', async ({ request }) => {
        const body = (await request.json()) as Clinic;
        sent.push(body.patientPageUrl);
        return body.patientPageUrl === 'ftp://north.example'
          ? HttpResponse.json({ code: 'invalid_patient_page', message: 'x', params: { value: 'ftp://north.example' }, requestId: 'r' }, { status: 400 })
          : HttpResponse.json({ ...clinic, patientPageUrl: 'https://north.example/messages' });
      }),
    );
    const el = await fixture<SmSettingsPage>(html`<sm-settings-page .api=${new AdminApi()} .me=${me}></sm-settings-page>`);
    const root = el.shadowRoot!;
    await waitUntil(() => root.querySelector('input[name=patientPageUrl]'));
    const input = root.querySelector<HTMLInputElement>('input[name=patientPageUrl]')!;
    input.value = 'ftp://north.example';
    root.querySelector<HTMLFormElement>('form')!.requestSubmit();
    await waitUntil(() => root.querySelector('#patient-page-error'));
    expect(root.querySelector('#patient-page-error')!.textContent).to.contain('starting with https://');
    expect(input.getAttribute('aria-invalid')).to.equal('true');
    expect(input.getAttribute('aria-describedby')).to.contain('patient-page-error');
    await waitUntil(() => root.activeElement === input, 'the field with the problem gets the focus');

    input.value = 'north.example/messages';
    root.querySelector<HTMLFormElement>('form')!.requestSubmit();
    await waitUntil(() => root.querySelector('.ok[role=status]'));
    expect(sent).to.deep.equal(['ftp://north.example', 'north.example/messages']);
    expect(root.querySelector<HTMLInputElement>('input[name=patientPageUrl]')!.value).to.equal('https://north.example/messages');
    await expect(el).to.be.accessible();
  });
});
