import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import '../../admin/pages/sm-login-page.js';
import type { SmLoginPage } from '../../admin/pages/sm-login-page.js';
import { AdminApi } from '../../admin/admin-api.js';
import type { Me } from '../../shared/api.js';
import { startWorker, worker } from './msw.js';

const me: Me = { staff: { id: 's1', name: 'Dana', email: 'dana@north.test', role: 'staff', disabled: false, createdAt: '2026-01-01T00:00:00.000Z' }, clinic: { id: 'c1', slug: 'north', name: 'North' }, devMailbox: false };

const root = (el: SmLoginPage) => el.shadowRoot!;
const heading = (el: SmLoginPage) => root(el).querySelector('h1')!.textContent!.trim();
const alertText = (el: SmLoginPage) => root(el).querySelector('[role=alert]')?.textContent?.trim();
const button = (el: SmLoginPage, name: string) => [...root(el).querySelectorAll('button')].find((b) => b.textContent!.trim() === name)!;

async function password(el: SmLoginPage) {
  await waitUntil(() => root(el).querySelector('form'));
  root(el).querySelector<HTMLInputElement>('input[name=email]')!.value = 'dana@north.test';
  root(el).querySelector<HTMLInputElement>('input[name=password]')!.value = 'right password';
  root(el).querySelector('form')!.requestSubmit();
}

async function submitCode(el: SmLoginPage, code: string) {
  root(el).querySelector<HTMLInputElement>('input[name=code]')!.value = code;
  root(el).querySelector('form')!.requestSubmit();
}

describe('<sm-login-page> second step', () => {
  before(startWorker);
  afterEach(() => worker.resetHandlers());

  it('asks for the authenticator code after the password, moves focus to it, announces a wrong code, and offers a recovery code', async () => {
    const seen: Array<{ url: string; body: unknown }> = [];
    worker.use(
      http.post('/api/staff/login', () => HttpResponse.json({ secondFactor: ['totp', 'passkey', 'recovery'] }, { status: 202 })),
      http.post('/api/staff/login/totp', async ({ request }) => {
        seen.push({ url: 'totp', body: await request.json() });
        return HttpResponse.json({ code: 'invalid_code', message: 'That code is not valid' }, { status: 401 });
      }),
      http.post('/api/staff/login/recovery', async ({ request }) => {
        seen.push({ url: 'recovery', body: await request.json() });
        return HttpResponse.json(me);
      }),
    );
    const el = await fixture<SmLoginPage>(html`<sm-login-page .api=${new AdminApi()}></sm-login-page>`);
    await password(el);
    await waitUntil(() => root(el).querySelector('input[name=code]'), 'the second step appears');
    expect(heading(el)).to.equal('Confirm it is you');
    const code = root(el).querySelector<HTMLInputElement>('input[name=code]')!;
    expect(code.getAttribute('autocomplete')).to.equal('one-time-code');
    expect(code.getAttribute('inputmode')).to.equal('numeric');
    await waitUntil(() => root(el).activeElement === code, 'focus moves to the code field');
    expect(button(el, 'Use a passkey')).to.not.equal(undefined);
    await expect(el).to.be.accessible();

    await submitCode(el, '123 456');
    await waitUntil(() => alertText(el));
    expect(alertText(el)).to.equal('That code is not valid. Check it and try again.');
    expect(seen[0]).to.deep.equal({ url: 'totp', body: { code: '123456' } });

    button(el, 'Use a recovery code').click();
    await waitUntil(() => heading(el) === 'Use a recovery code');
    const recovery = root(el).querySelector<HTMLInputElement>('input[name=code]')!;
    await waitUntil(() => root(el).activeElement === recovery, 'focus moves to the recovery code field');
    expect(alertText(el), 'the old error is gone').to.equal(undefined);
    const signedIn = oneEvent(el, 'sm-staff-signed-in');
    await submitCode(el, 'abcde-fghjk');
    expect((await signedIn).detail.me.staff.name).to.equal('Dana');
    expect(seen[1]).to.deep.equal({ url: 'recovery', body: { code: 'abcde-fghjk' } });
  });

  it('signs in at once when the account has no second factor', async () => {
    worker.use(http.post('/api/staff/login', () => HttpResponse.json(me)));
    const el = await fixture<SmLoginPage>(html`<sm-login-page .api=${new AdminApi()}></sm-login-page>`);
    const signedIn = oneEvent(el, 'sm-staff-signed-in');
    await password(el);
    expect((await signedIn).detail.me.staff.email).to.equal('dana@north.test');
  });

  it('words throttling and an expired sign-in from their codes, in French, and returns to the password with focus on the e-mail', async () => {
    let answer = { status: 429, code: 'second_factor_throttled' };
    worker.use(
      http.post('/api/staff/login', () => HttpResponse.json({ secondFactor: ['totp'] }, { status: 202 })),
      http.post('/api/staff/login/totp', () => HttpResponse.json({ code: answer.code, message: 'English only' }, { status: answer.status })),
    );
    const el = await fixture<SmLoginPage>(html`<sm-login-page .api=${new AdminApi()} .lang=${'fr'}></sm-login-page>`);
    await password(el);
    await waitUntil(() => root(el).querySelector('input[name=code]'));
    expect(heading(el)).to.equal("Confirmez qu'il s'agit bien de vous");
    expect(button(el, "Utiliser une clé d'accès"), 'no passkey on this account').to.equal(undefined);

    await submitCode(el, '123456');
    await waitUntil(() => alertText(el));
    expect(alertText(el)).to.equal('Trop de codes erronés. Attendez 15 minutes, puis réessayez.');

    answer = { status: 401, code: 'second_factor_expired' };
    await submitCode(el, '654321');
    await waitUntil(() => root(el).querySelector('input[name=password]'), 'back to the password step');
    expect(alertText(el)).to.equal('Votre connexion a pris trop de temps. Entrez de nouveau votre courriel et votre mot de passe.');
    await waitUntil(() => root(el).activeElement === root(el).querySelector('input[name=email]'), 'focus on the e-mail field');
  });
});
