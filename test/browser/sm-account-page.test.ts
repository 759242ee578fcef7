import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import '../../admin/pages/sm-account-page.js';
import type { SmAccountPage } from '../../admin/pages/sm-account-page.js';
import { AdminApi } from '../../admin/admin-api.js';
import type { Me } from '../../shared/api.js';
import { startWorker, worker } from './msw.js';

const me: Me = { staff: { id: 's1', name: 'Dana Admin', email: 'dana@north.test', role: 'admin', disabled: false, createdAt: '2026-11-26T00:00:00.000Z' }, clinic: { id: 'c1', slug: 'north', name: 'North' }, devMailbox: false };

/** The element that has focus, through shadow roots. */
function deepActive(): Element | null {
  let a: Element | null = document.activeElement;
  while (a?.shadowRoot?.activeElement) a = a.shadowRoot.activeElement;
  return a;
}

describe('<sm-account-page>', () => {
  before(startWorker);
  afterEach(() => worker.resetHandlers());

  it('asks for the password before removing the authenticator app, says so when it is wrong, then removes it', async () => {
    let totp = true;
    const confirmations: string[] = [];
    let removed = 0;
    worker.use(
      http.get('/api/staff/me/two-factor', () => HttpResponse.json({ required: false, totp, recoveryCodesLeft: 10, passkeys: [] })),
      http.post('/api/staff/me/confirm-password', async ({ request }) => {
        const { password } = (await request.json()) as { password: string };
        confirmations.push(password);
        return password === 'my real password'
          ? new HttpResponse(null, { status: 204 })
          : HttpResponse.json({ code: 'wrong_password', message: 'That is not your password', requestId: 'r' }, { status: 403 });
      }),
      http.delete('/api/staff/me/totp', () => {
        removed++;
        totp = false;
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const el = await fixture<SmAccountPage>(html`<sm-account-page .api=${new AdminApi()} .me=${me} lang="en"></sm-account-page>`);
    const root = el.shadowRoot!;
    await waitUntil(() => [...root.querySelectorAll('button')].some((b) => b.textContent!.includes('Remove the authenticator app')));
    [...root.querySelectorAll('button')].find((b) => b.textContent!.includes('Remove the authenticator app'))!.click();

    await waitUntil(() => root.querySelector('sm-confirm-password')?.shadowRoot?.querySelector('input'));
    const confirm = root.querySelector('sm-confirm-password')!;
    const input = confirm.shadowRoot!.querySelector<HTMLInputElement>('input[name=password]')!;
    await waitUntil(() => deepActive() === input, 'focus goes to the password field');
    expect(confirm.shadowRoot!.textContent).to.contain('Remove the authenticator app');
    expect(removed).to.equal(0, 'nothing removed before the password');

    input.value = 'a wrong guess';
    confirm.shadowRoot!.querySelector<HTMLButtonElement>('form button:not([type=button])')!.click();
    await waitUntil(() => confirm.shadowRoot!.querySelector('[role=alert]'));
    expect(confirm.shadowRoot!.querySelector('[role=alert]')!.textContent).to.contain('That is not your password.');
    expect(input.getAttribute('aria-invalid')).to.equal('true');
    expect(removed).to.equal(0);

    input.value = 'my real password';
    confirm.shadowRoot!.querySelector<HTMLButtonElement>('form button:not([type=button])')!.click();
    await waitUntil(() => removed === 1 && !root.querySelector('sm-confirm-password'));
    await waitUntil(() => root.querySelector('.ok[role=status]')?.textContent?.includes('The authenticator app was removed.'), 'the removal is announced');
    expect(confirmations).to.deep.equal(['a wrong guess', 'my real password']);
    await expect(el).to.be.accessible();
  });

  it('cancels without changing anything', async () => {
    let removed = 0;
    worker.use(
      http.get('/api/staff/me/two-factor', () => HttpResponse.json({ required: false, totp: true, recoveryCodesLeft: 10, passkeys: [] })),
      http.delete('/api/staff/me/totp', () => {
        removed++;
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const el = await fixture<SmAccountPage>(html`<sm-account-page .api=${new AdminApi()} .me=${me} lang="fr"></sm-account-page>`);
    const root = el.shadowRoot!;
    await waitUntil(() => root.querySelector('#totp-title'));
    await waitUntil(() => root.querySelectorAll('#totp-title ~ button').length > 0);
    root.querySelector<HTMLButtonElement>('#totp-title ~ button')!.click();
    await waitUntil(() => root.querySelector('sm-confirm-password')?.shadowRoot?.querySelector('button[type=button]'));
    const confirm = root.querySelector('sm-confirm-password')!;
    expect(confirm.shadowRoot!.textContent).to.contain('Confirmez votre identité');
    confirm.shadowRoot!.querySelector<HTMLButtonElement>('button[type=button]')!.click();
    await waitUntil(() => !root.querySelector('sm-confirm-password'));
    expect(removed).to.equal(0);
  });
});
