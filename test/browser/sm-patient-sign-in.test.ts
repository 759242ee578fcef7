import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import '../../widget/frame/sm-patient-sign-in.js';
import { PatientApi } from '../../widget/frame/patient-api.js';
import type { SmPatientSignIn } from '../../widget/frame/sm-patient-sign-in.js';
import { startWorker, worker } from './msw.js';

function input(el: SmPatientSignIn, selector: string): HTMLInputElement {
  return el.shadowRoot!.querySelector<HTMLInputElement>(selector)!;
}

/** Submits the visible form and waits until its request has been answered (the button is enabled again). */
async function submit(el: SmPatientSignIn) {
  el.shadowRoot!.querySelector('form')!.requestSubmit();
  await el.updateComplete;
  await waitUntil(() => !el.shadowRoot!.querySelector('form button[disabled]'), 'the request was answered', { timeout: 5000 });
  await el.updateComplete;
}

describe('<sm-patient-sign-in>', () => {
  before(startWorker);
  afterEach(() => {
    worker.resetHandlers();
    localStorage.clear();
  });

  async function mount(lang: 'en' | 'fr' = 'en') {
    return fixture<SmPatientSignIn>(html`<sm-patient-sign-in .api=${new PatientApi('north', lang)} .lang=${lang} clinic-name="North Clinic"></sm-patient-sign-in>`);
  }

  it('asks for the e-mail, then the code and date of birth, and signs in', async () => {
    let codeBody: unknown;
    let verifyBody: unknown;
    worker.use(
      http.post('/api/patient/auth/code', async ({ request }) => {
        codeBody = await request.json();
        return HttpResponse.json({ challengeId: 'ch-1', expiresAt: new Date().toISOString() }, { status: 202 });
      }),
      http.post('/api/patient/auth/verify', async ({ request }) => {
        verifyBody = await request.json();
        return HttpResponse.json({ token: 'tok_abcdefghijklmnopqrstuvwxyz', expiresAt: new Date().toISOString(), patient: { name: 'Jamie', consentRequired: true, consentText: 'Consent' } });
      }),
    );
    const el = await mount();
    await expect(el).to.be.accessible();
    input(el, '#email').value = 'jamie@example.com';
    await submit(el);
    expect(codeBody).to.deep.equal({ clinic: 'north', email: 'jamie@example.com', lang: 'en' });
    expect(el.shadowRoot!.activeElement?.id).to.equal('code', 'focus moves to the code field');
    await expect(el).to.be.accessible();

    input(el, '#code').value = '123456';
    input(el, 'input[name=dob]').value = '1990-05-17';
    const signedIn = oneEvent(el, 'sm-signed-in');
    await submit(el);
    const event = (await signedIn) as CustomEvent;
    expect(event.detail.patient.name).to.equal('Jamie');
    expect(verifyBody).to.deep.equal({ challengeId: 'ch-1', code: '123456', dateOfBirth: '1990-05-17', sharedDevice: false });
    expect(localStorage.getItem('sm:session:north')).to.equal('tok_abcdefghijklmnopqrstuvwxyz');
  });

  it('keeps nothing in storage on a shared computer', async () => {
    worker.use(
      http.post('/api/patient/auth/code', () => HttpResponse.json({ challengeId: 'ch-1', expiresAt: '' }, { status: 202 })),
      http.post('/api/patient/auth/verify', () => HttpResponse.json({ token: 'tok_abcdefghijklmnopqrstuvwxyz', expiresAt: '', patient: { name: 'J', consentRequired: false, consentText: '' } })),
    );
    const el = await mount();
    input(el, '#email').value = 'jamie@example.com';
    await submit(el);
    input(el, '#code').value = '123456';
    input(el, 'input[name=dob]').value = '1990-05-17';
    input(el, 'input[name=shared]').checked = true;
    const signedIn = oneEvent(el, 'sm-signed-in');
    await submit(el);
    await signedIn;
    expect(localStorage.length).to.equal(0);
  });

  it('says clearly when the code or date of birth is wrong, in French too', async () => {
    worker.use(
      http.post('/api/patient/auth/code', () => HttpResponse.json({ challengeId: 'ch-1', expiresAt: '' }, { status: 202 })),
      http.post('/api/patient/auth/verify', () => HttpResponse.json({ code: 'invalid_code', message: 'no' }, { status: 401 })),
    );
    const el = await mount('fr');
    expect(el.shadowRoot!.querySelector('h2')!.textContent).to.contain('Connexion patient');
    input(el, '#email').value = 'jamie@example.com';
    await submit(el);
    input(el, '#code').value = '000000';
    input(el, 'input[name=dob]').value = '1990-05-17';
    await submit(el);
    const alert = el.shadowRoot!.querySelector('[role=alert]')!;
    expect(alert.textContent).to.equal('Le code et la date de naissance ne correspondent pas. Vérifiez-les et réessayez.');
    expect(input(el, '#code').value).to.equal('000000', 'what the patient typed is kept');
    expect(el.shadowRoot!.activeElement?.id).to.equal('code', 'focus goes to the field to fix');
    expect(input(el, '#code').getAttribute('aria-invalid')).to.equal('true');
    expect(input(el, '#code').getAttribute('aria-describedby')!.split(' ')).to.include(alert.id);
    await expect(el).to.be.accessible();
  });

  it('words a rate limit with its wait, in French, at the e-mail field', async () => {
    worker.use(http.post('/api/patient/auth/code', () => HttpResponse.json({ code: 'rate_limited', message: 'Too many attempts; wait a few minutes and try again', params: { retryAfterSeconds: 540 } }, { status: 429 })));
    const el = await mount('fr');
    input(el, '#email').value = 'jamie@example.com';
    await submit(el);
    expect(el.shadowRoot!.querySelector('[role=alert]')!.textContent).to.equal('Trop de tentatives. Réessayez dans 9 minutes.');
    expect(el.shadowRoot!.activeElement?.id).to.equal('email');
    expect(input(el, '#email').getAttribute('aria-invalid')).to.equal('true');
  });

  it('goes back to the e-mail step when the code is locked', async () => {
    worker.use(
      http.post('/api/patient/auth/code', () => HttpResponse.json({ challengeId: 'ch-1', expiresAt: '' }, { status: 202 })),
      http.post('/api/patient/auth/verify', () => HttpResponse.json({ code: 'code_locked', message: 'locked' }, { status: 429 })),
    );
    const el = await mount();
    input(el, '#email').value = 'jamie@example.com';
    await submit(el);
    input(el, '#code').value = '000000';
    input(el, 'input[name=dob]').value = '1990-05-17';
    await submit(el);
    expect(el.shadowRoot!.querySelector('[role=alert]')!.textContent).to.equal('Too many attempts. Request a new code.');
    expect(input(el, '#email')).to.be.instanceOf(HTMLInputElement);
  });

  it('tells the patient when they are offline', async () => {
    worker.use(http.post('/api/patient/auth/code', () => HttpResponse.error()));
    const el = await mount();
    input(el, '#email').value = 'jamie@example.com';
    await submit(el);
    expect(el.shadowRoot!.querySelector('[role=alert]')!.textContent).to.contain('offline');
  });
});
