import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import '../../admin/pages/sm-patients-page.js';
import type { SmPatientsPage } from '../../admin/pages/sm-patients-page.js';
import { AdminApi } from '../../admin/admin-api.js';
import type { Me, Patient } from '../../shared/api.js';
import { startWorker, worker } from './msw.js';

const me: Me = { staff: { id: 's1', name: 'Dana', email: 'd@x.test', role: 'staff', disabled: false, createdAt: '' }, clinic: { id: 'c1', slug: 'north', name: 'North' }, devMailbox: false };
const jamie: Patient = {
  id: 'p1', name: 'Jamie Patient', dateOfBirth: '1990-05-17', email: 'jamie@example.com', phone: null, mobile: null, smsConsentAt: null, healthNumber: null, lang: 'en', consentedAt: null,
  createdAt: '2026-01-01T00:00:00.000Z',
};
const shadow = (el: Element) => el.shadowRoot!;
const button = (el: Element, label: string) => [...shadow(el).querySelectorAll('button')].find((b) => b.textContent!.trim() === label)!;

describe('<sm-patients-page> mobile number and consent to texts', () => {
  before(startWorker);
  afterEach(() => worker.resetHandlers());

  function serve(patches: unknown[]) {
    worker.use(
      http.get('/api/patients', () => HttpResponse.json({ patients: [jamie], nextCursor: null })),
      http.patch('/api/patients/:id', async ({ request }) => {
        const body = (await request.json()) as { mobile: string | null; smsConsent: boolean };
        patches.push(body);
        return HttpResponse.json({ ...jamie, mobile: body.mobile, smsConsentAt: body.smsConsent ? '2026-11-26T14:00:00.000Z' : null });
      }),
    );
  }

  it('refuses a number not in international format beside the field, with focus on it, then saves a valid one with consent', async () => {
    const patches: unknown[] = [];
    serve(patches);
    const el = await fixture<SmPatientsPage>(html`<sm-patients-page .api=${new AdminApi()} .me=${me}></sm-patients-page>`);
    await waitUntil(() => shadow(el).querySelector('tbody tr'));
    button(el, 'Edit').click();
    await el.updateComplete;
    const form = shadow(el).querySelector<HTMLFormElement>('form.grid')!;
    const mobile = form.querySelector<HTMLInputElement>('input[name=mobile]')!;
    expect(mobile.labels![0]!.textContent).to.contain('Mobile number for text messages');
    await expect(el).to.be.accessible();
    mobile.value = '514 555 0123';
    form.requestSubmit();
    await waitUntil(() => shadow(el).querySelector('#mobile-error'));
    expect(shadow(el).querySelector('#mobile-error')!.textContent).to.equal('Enter the mobile number in international format, e.g. +15145550123.');
    expect(mobile.getAttribute('aria-invalid')).to.equal('true');
    expect(mobile.getAttribute('aria-describedby')).to.equal('mobile-hint mobile-error');
    expect(shadow(el).activeElement).to.equal(mobile);
    expect(patches).to.deep.equal([], 'nothing sent');
    await expect(el).to.be.accessible();

    mobile.value = '+1 (514) 555-0123';
    form.querySelector<HTMLInputElement>('input[name=smsConsent]')!.checked = true;
    form.requestSubmit();
    await waitUntil(() => patches.length === 1);
    expect(patches[0]).to.include({ mobile: '+15145550123', smsConsent: true });
  });

  it('shows the consent date in French when editing a patient who agreed to texts', async () => {
    worker.use(http.get('/api/patients', () => HttpResponse.json({ patients: [{ ...jamie, mobile: '+15145550123', smsConsentAt: '2026-11-20T10:00:00.000Z' }], nextCursor: null })));
    const el = await fixture<SmPatientsPage>(html`<sm-patients-page lang="fr" .api=${new AdminApi()} .me=${me}></sm-patients-page>`);
    await waitUntil(() => shadow(el).querySelector('tbody tr'));
    button(el, 'Modifier').click();
    await el.updateComplete;
    const form = shadow(el).querySelector<HTMLFormElement>('form.grid')!;
    expect(form.querySelector<HTMLInputElement>('input[name=mobile]')!.value).to.equal('+15145550123');
    const consent = form.querySelector<HTMLInputElement>('input[name=smsConsent]')!;
    expect(consent.checked).to.equal(true);
    expect(consent.closest('label')!.textContent!.replace(/\s+/g, ' ')).to.contain('Le patient accepte de recevoir des textos').and.contain('A accepté les textos le 2026-11-20');
    await expect(el).to.be.accessible();
  });
});
