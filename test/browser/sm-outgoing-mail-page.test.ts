import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import '../../admin/pages/sm-outgoing-mail-page.js';
import type { SmOutgoingMailPage } from '../../admin/pages/sm-outgoing-mail-page.js';
import { AdminApi } from '../../admin/admin-api.js';
import type { Me, OutgoingMail } from '../../shared/api.js';
import { startWorker, worker } from './msw.js';

const me: Me = { staff: { id: 's1', name: 'Dana', email: 'd@x.test', role: 'admin', disabled: false, createdAt: '' }, clinic: { id: 'c1', slug: 'north', name: 'North' }, devMailbox: false };
const mail = (over: Partial<OutgoingMail>): OutgoingMail => ({
  id: 'm1', channel: 'email', kind: 'new-message', recipient: 'Jamie Patient', status: 'failed', attempts: 10, maxAttempts: 10, lastError: 'ECONNREFUSED',
  createdAt: '2026-11-25T12:00:00.000Z', at: '2026-11-25T18:30:00.000Z', ...over,
});

const shadow = (el: Element) => el.shadowRoot!;
const rows = (el: Element) => [...shadow(el).querySelectorAll('tbody tr')].map((r) => r.textContent!.replace(/\s+/g, ' ').trim());
const buttons = (el: Element, text: string) => [...shadow(el).querySelectorAll('button')].filter((b) => b.textContent!.trim() === text);

describe('<sm-outgoing-mail-page>', () => {
  before(startWorker);
  afterEach(() => worker.resetHandlers());

  it('lists failed e-mail, sends one again, reloads the list and says so where the focus lands', async () => {
    const queries: string[] = [];
    const retried: string[] = [];
    const second = mail({ id: 'm2', kind: 'staff-digest', recipient: 'Dana Staff', attempts: 3, lastError: 'SMTP 550' });
    worker.use(
      http.get('/api/outgoing-mail', ({ request }) => {
        queries.push(new URL(request.url).search);
        return HttpResponse.json(retried.includes('m1') ? [second] : [mail({}), second]);
      }),
      http.post('/api/outgoing-mail/:id/retry', ({ params }) => {
        retried.push(String(params.id));
        return new HttpResponse(null, { status: 204 });
      }),
    );
    const el = await fixture<SmOutgoingMailPage>(html`<sm-outgoing-mail-page .api=${new AdminApi()} .me=${me}></sm-outgoing-mail-page>`);
    await waitUntil(() => rows(el).length === 2, 'failed e-mail listed');
    expect(queries).to.deep.equal(['?status=failed']);
    expect(shadow(el).querySelector('h1')!.textContent).to.equal('Outgoing e-mail and texts');
    expect(shadow(el).querySelector('select')!.value).to.equal('failed');
    expect(shadow(el).querySelector('caption')!.textContent).to.equal('E-mail that failed');
    const at = new Intl.DateTimeFormat('en-CA', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date('2026-11-25T18:30:00.000Z'));
    expect(rows(el)[0]).to.contain('New-message notice').and.contain('Jamie Patient').and.contain('10 of 10').and.contain('ECONNREFUSED').and.contain(at);
    expect(rows(el)[1]).to.contain('Staff digest').and.contain('3 of 10').and.contain('SMTP 550');
    const again = buttons(el, 'Send again');
    expect(again).to.have.length(2);
    expect(again[0]!.getAttribute('aria-label')).to.equal('Send again: New-message notice for Jamie Patient');
    await expect(el).to.be.accessible();

    again[0]!.click();
    await waitUntil(() => rows(el).length === 1, 'list reloaded');
    expect(retried).to.deep.equal(['m1']);
    expect(queries).to.deep.equal(['?status=failed', '?status=failed']);
    expect(rows(el)[0]).to.contain('Dana Staff');
    const status = shadow(el).querySelector('[role=status]')!;
    expect(status.textContent).to.equal('The e-mail for Jamie Patient is back in the queue and will be sent shortly.');
    expect(shadow(el).activeElement?.id, 'focus on the status message').to.equal(status.id);
    await expect(el).to.be.accessible();
  });

  it('explains a refused retry in the page language and moves focus to it', async () => {
    let listed = 0;
    worker.use(
      http.get('/api/outgoing-mail', () => HttpResponse.json(listed++ === 0 ? [mail({})] : [])),
      http.post('/api/outgoing-mail/:id/retry', () => HttpResponse.json({ code: 'not_found', message: 'Failed job not found' }, { status: 404 })),
    );
    const el = await fixture<SmOutgoingMailPage>(html`<sm-outgoing-mail-page .api=${new AdminApi()} .me=${me} .lang=${'fr'}></sm-outgoing-mail-page>`);
    await waitUntil(() => buttons(el, 'Renvoyer').length === 1);
    buttons(el, 'Renvoyer')[0]!.click();
    await waitUntil(() => shadow(el).querySelector('[role=alert]') && rows(el).length === 0);
    const alert = shadow(el).querySelector('[role=alert]')!;
    expect(alert.textContent).to.equal('Ce courriel ne figure plus parmi les courriels en échec; il a peut-être déjà été renvoyé. La liste a été actualisée.');
    expect(shadow(el).activeElement?.id, 'focus on the error').to.equal(alert.id);
    expect(shadow(el).querySelector('p.muted:not([role])')!.textContent).to.equal("Aucun courriel n'a échoué. Il n'y a rien à renvoyer.");
  });

  it('says so when no e-mail failed', async () => {
    worker.use(http.get('/api/outgoing-mail', () => HttpResponse.json([])));
    const el = await fixture<SmOutgoingMailPage>(html`<sm-outgoing-mail-page .api=${new AdminApi()} .me=${me}></sm-outgoing-mail-page>`);
    await waitUntil(() => shadow(el).querySelector('p.muted:not([role])'));
    expect(shadow(el).querySelector('p.muted:not([role])')!.textContent).to.equal('No e-mail has failed. Nothing needs to be sent again.');
    expect(shadow(el).querySelector('table')).to.equal(null);
    await expect(el).to.be.accessible();
  });

  it('lists waiting e-mail when the filter changes, without a retry button', async () => {
    const queries: string[] = [];
    worker.use(
      http.get('/api/outgoing-mail', ({ request }) => {
        const status = new URL(request.url).searchParams.get('status');
        queries.push(status ?? '');
        return HttpResponse.json(status === 'pending' ? [mail({ id: 'm3', kind: 'sign-in-code', status: 'pending', attempts: 2, lastError: 'ETIMEDOUT' }), mail({ id: 'm4', status: 'running', attempts: 0, lastError: null })] : []);
      }),
    );
    const el = await fixture<SmOutgoingMailPage>(html`<sm-outgoing-mail-page .api=${new AdminApi()} .me=${me}></sm-outgoing-mail-page>`);
    await waitUntil(() => queries.length === 1 && shadow(el).querySelector('p.muted:not([role])'));
    const select = shadow(el).querySelector('select')!;
    select.value = 'pending';
    select.dispatchEvent(new Event('change'));
    await waitUntil(() => rows(el).length === 2, 'waiting e-mail listed');
    expect(queries).to.deep.equal(['failed', 'pending']);
    expect(shadow(el).querySelector('caption')!.textContent).to.equal('E-mail waiting to be sent');
    expect([...shadow(el).querySelectorAll('th')].map((th) => th.textContent)).to.deep.equal(['E-mail', 'Channel', 'Recipient', 'Attempts', 'Last error', 'Next attempt']);
    expect(rows(el)[0]).to.contain('Sign-in code').and.contain('2 of 10').and.contain('ETIMEDOUT');
    expect(rows(el)[1]).to.contain('Being sent now').and.contain('None');
    expect(shadow(el).querySelector('tbody button')).to.equal(null);
    await expect(el).to.be.accessible();
  });

  it('reads in French', async () => {
    worker.use(http.get('/api/outgoing-mail', () => HttpResponse.json([mail({ attempts: 3 })])));
    const el = await fixture<SmOutgoingMailPage>(html`<sm-outgoing-mail-page .api=${new AdminApi()} .me=${me} .lang=${'fr'}></sm-outgoing-mail-page>`);
    await waitUntil(() => rows(el).length === 1);
    expect(shadow(el).querySelector('h1')!.textContent).to.equal('Courriels et textos sortants');
    expect(shadow(el).querySelector('label')!.textContent).to.contain('Afficher');
    expect(shadow(el).querySelector('option[value=failed]')!.textContent).to.equal('En échec');
    expect(rows(el)[0]).to.contain('Avis de nouveau message').and.contain('3 sur 10');
    expect(rows(el)[0]).to.contain(new Intl.DateTimeFormat('fr-CA', { dateStyle: 'medium', timeStyle: 'short' }).format(new Date('2026-11-25T18:30:00.000Z')));
    expect(buttons(el, 'Renvoyer')[0]!.getAttribute('aria-label')).to.equal('Renvoyer : Avis de nouveau message pour Jamie Patient');
    await expect(el).to.be.accessible();
  });
  it('lists a text message by kind and channel with no number or text, and says whether texts are set up (EN and FR)', async () => {
    worker.use(
      http.get('/api/outgoing-mail', () => HttpResponse.json([mail({ id: 't1', channel: 'sms', kind: 'booking-reminder', attempts: 1, maxAttempts: 6, lastError: 'sms_http_400_21211' })])),
      http.get('/api/sms-status', () => HttpResponse.json({ available: true, provider: 'Twilio' })),
    );
    const el = await fixture<SmOutgoingMailPage>(html`<sm-outgoing-mail-page .api=${new AdminApi()} .me=${me}></sm-outgoing-mail-page>`);
    await waitUntil(() => rows(el).length === 1 && shadow(el).querySelector('.sms-status'), 'text listed');
    expect(rows(el)[0]).to.contain('Appointment reminder (text)').and.contain('Text message').and.contain('1 of 6').and.contain('sms_http_400_21211');
    expect(shadow(el).querySelector('.sms-status')!.textContent).to.equal('Text messages are sent through Twilio. They go through this same queue, and never contain health information.');
    expect(buttons(el, 'Send again')[0]!.getAttribute('aria-label')).to.equal('Send again: Appointment reminder (text) for Jamie Patient');
    await expect(el).to.be.accessible();
    worker.use(http.post('/api/outgoing-mail/:id/retry', () => new HttpResponse(null, { status: 204 })));
    buttons(el, 'Send again')[0]!.click();
    await waitUntil(() => shadow(el).querySelector('[role=status]')!.textContent!.includes('back in the queue'));
    expect(shadow(el).querySelector('[role=status]')!.textContent).to.equal('The text message for Jamie Patient is back in the queue and will be sent shortly.');

    worker.use(http.get('/api/sms-status', () => HttpResponse.json({ available: false, provider: null })));
    const fr = await fixture<SmOutgoingMailPage>(html`<sm-outgoing-mail-page .api=${new AdminApi()} .me=${me} .lang=${'fr'}></sm-outgoing-mail-page>`);
    await waitUntil(() => rows(fr).length === 1 && shadow(fr).querySelector('.sms-status'));
    expect(rows(fr)[0]).to.contain('Rappel de rendez-vous (texto)').and.contain('Texto');
    expect(shadow(fr).querySelector('.sms-status')!.textContent).to.contain('Les textos ne sont pas configurés sur ce serveur');
  });
});
