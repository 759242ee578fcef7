import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import '../../admin/pages/sm-mailbox-page.js';
import type { SmMailboxPage } from '../../admin/pages/sm-mailbox-page.js';
import { AdminApi } from '../../admin/admin-api.js';
import type { Me } from '../../shared/api.js';
import { startWorker, worker } from './msw.js';

const me: Me = { staff: { id: 's1', name: 'Dana', email: 'd@x.test', role: 'staff', disabled: false, createdAt: '' }, clinic: { id: 'c1', slug: 'north', name: 'North' }, devMailbox: true };

describe('<sm-mailbox-page>', () => {
  before(startWorker);
  afterEach(() => worker.resetHandlers());

  it('says it is development mode and shows the kept e-mail, in French too', async () => {
    worker.use(http.get('/api/dev/mailbox', () => HttpResponse.json([{ id: 'm1', to: 'jamie@example.com', subject: 'Your sign-in code for North', text: 'Your one-time sign-in code is 123456.', createdAt: '2026-11-25T12:00:00.000Z' }])));
    const el = await fixture<SmMailboxPage>(html`<sm-mailbox-page .api=${new AdminApi()} .me=${me} .lang=${'fr'}></sm-mailbox-page>`);
    await waitUntil(() => el.shadowRoot!.querySelector('article'));
    expect(el.shadowRoot!.querySelector('.notice')!.textContent).to.contain('Mode développement');
    expect(el.shadowRoot!.querySelector('article h2')!.textContent).to.equal('Your sign-in code for North');
    expect(el.shadowRoot!.querySelector('pre')!.textContent).to.contain('123456');
    await expect(el).to.be.accessible();
  });

  it('says so when there is no mail', async () => {
    worker.use(http.get('/api/dev/mailbox', () => HttpResponse.json([])));
    const el = await fixture<SmMailboxPage>(html`<sm-mailbox-page .api=${new AdminApi()} .me=${me}></sm-mailbox-page>`);
    await waitUntil(() => el.shadowRoot!.querySelector('p.muted'));
    expect(el.shadowRoot!.querySelector('p.muted')!.textContent).to.equal('No e-mail yet.');
  });
});
