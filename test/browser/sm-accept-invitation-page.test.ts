import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import '../../admin/pages/sm-accept-invitation-page.js';
import type { SmAcceptInvitationPage } from '../../admin/pages/sm-accept-invitation-page.js';
import { AdminApi } from '../../admin/admin-api.js';
import type { Me } from '../../shared/api.js';
import { startWorker, worker } from './msw.js';

const TOKEN = 'aaaaBBBBccccDDDDeeeeFFFFgggg_-12345678901';
const me: Me = { staff: { id: 's9', name: 'Robin Newcomer', email: 'robin@north.test', role: 'staff', disabled: false, createdAt: '2026-11-26T00:00:00.000Z' }, clinic: { id: 'c1', slug: 'north', name: 'North Clinic' }, devMailbox: false };

const shadow = (el: Element) => el.shadowRoot!;
const input = (el: Element) => shadow(el).querySelector<HTMLInputElement>('#password')!;
const alertText = (el: Element) => shadow(el).querySelector('[role=alert]')?.textContent?.trim();
function type(el: Element, value: string) {
  input(el).value = value;
  input(el).dispatchEvent(new Event('input'));
}
const submit = (el: Element) => shadow(el).querySelector<HTMLButtonElement>('form button')!.click();

/** Opens the page as the invitation link does: the token in the fragment. */
async function open(lang: 'en' | 'fr' = 'en', token: string | null = TOKEN) {
  history.replaceState(null, '', `${location.pathname}${token ? `#token=${token}&lang=${lang}` : ''}`);
  return fixture<SmAcceptInvitationPage>(html`<sm-accept-invitation-page .api=${new AdminApi()} .lang=${lang}></sm-accept-invitation-page>`);
}

describe('<sm-accept-invitation-page>', () => {
  before(startWorker);
  afterEach(() => worker.resetHandlers());

  it('shows the rule, counts the length as you type, lets the server refuse a common password, then signs in', async () => {
    const sent: unknown[] = [];
    worker.use(
      http.post('/api/staff/invitation/check', async ({ request }) => {
        expect(await request.json()).to.deep.equal({ token: TOKEN });
        return HttpResponse.json({ name: 'Robin Newcomer', email: 'robin@north.test', clinic: 'North Clinic' });
      }),
      http.post('/api/staff/invitation/accept', async ({ request }) => {
        const body = (await request.json()) as { token: string; password: string };
        sent.push(body);
        if (body.password === 'qwerty123456') return HttpResponse.json({ code: 'common_password', message: 'This password is too common' }, { status: 400 });
        return HttpResponse.json(me);
      }),
    );
    const el = await open();
    await waitUntil(() => shadow(el).querySelector('h1'), 'form shown');
    expect(location.hash, 'the token leaves the address bar').to.equal('');
    const h1 = shadow(el).querySelector('h1')!;
    expect(h1.textContent).to.equal('Welcome to North Clinic');
    expect(shadow(el).activeElement, 'focus on the heading').to.equal(h1);
    expect(shadow(el).textContent).to.contain('Hello Robin Newcomer.');
    expect(input(el).getAttribute('aria-describedby')).to.equal('password-rule password-count');
    expect(shadow(el).querySelector('#password-rule')!.textContent).to.contain('at least 12 characters (up to 128)');
    expect(input(el).autocomplete).to.equal('new-password');
    await expect(el).to.be.accessible();

    type(el, 'eleven char');
    await el.updateComplete;
    expect(shadow(el).querySelector('#password-count')!.textContent).to.equal('11 characters, at least 12 needed');
    submit(el);
    await el.updateComplete;
    expect(alertText(el)).to.equal('This password is too short: use at least 12 characters.');
    expect(sent, 'not sent: the length is checked first').to.have.length(0);
    expect(input(el).getAttribute('aria-invalid')).to.equal('true');

    type(el, 'qwerty123456');
    await el.updateComplete;
    expect(shadow(el).querySelector('#password-count')!.textContent).to.equal('12 characters: long enough');
    submit(el);
    await waitUntil(() => alertText(el)?.startsWith('This password is too common'), 'the server refused it');
    await expect(el).to.be.accessible();

    type(el, 'a long and memorable passphrase');
    const signedIn = oneEvent(el, 'sm-staff-signed-in');
    submit(el);
    const event = await signedIn;
    expect(event.detail.me.staff.email).to.equal('robin@north.test');
    expect(sent).to.deep.equal([
      { token: TOKEN, password: 'qwerty123456' },
      { token: TOKEN, password: 'a long and memorable passphrase' },
    ]);
  });

  it('says an expired link has expired, in French, with the focus on the heading', async () => {
    worker.use(http.post('/api/staff/invitation/check', () => HttpResponse.json({ code: 'link_expired', message: 'This link has expired' }, { status: 410 })));
    const el = await open('fr');
    await waitUntil(() => alertText(el), 'problem shown');
    expect(alertText(el)).to.equal('Ce lien a expiré.');
    const h1 = shadow(el).querySelector('h1')!;
    expect(h1.textContent).to.equal('Configurer votre compte du personnel');
    expect(shadow(el).activeElement).to.equal(h1);
    expect(shadow(el).querySelector('form')).to.equal(null);
    await expect(el).to.be.accessible();
  });

  it('switches to the "link no longer works" screen when the link was used meanwhile', async () => {
    worker.use(
      http.post('/api/staff/invitation/check', () => HttpResponse.json({ name: 'Robin', email: 'robin@north.test', clinic: 'North Clinic' })),
      http.post('/api/staff/invitation/accept', () => HttpResponse.json({ code: 'link_invalid', message: 'used' }, { status: 404 })),
    );
    const el = await open();
    await waitUntil(() => shadow(el).querySelector('form'));
    type(el, 'a long and memorable passphrase');
    submit(el);
    await waitUntil(() => alertText(el)?.startsWith('This link no longer works'));
    expect(shadow(el).activeElement).to.equal(shadow(el).querySelector('h1'));
  });

  it('asks for the link when the page is opened without one', async () => {
    const el = await open('en', null);
    await el.updateComplete;
    expect(alertText(el)).to.equal('This page needs the link from your e-mail. Open the link from the e-mail again.');
  });
});
