import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import '../../admin/pages/sm-inbox-page.js';
import { humanDuration, type SmInboxPage } from '../../admin/pages/sm-inbox-page.js';
import { AdminApi } from '../../admin/admin-api.js';
import type { Me } from '../../shared/api.js';
import type { InboxThread } from '../../shared/messaging.js';
import { startWorker, worker } from './msw.js';

const me: Me = { staff: { id: 's1', name: 'Dana', email: 'd@x.test', role: 'staff', disabled: false, createdAt: '' }, clinic: { id: 'c1', slug: 'north', name: 'North' }, devMailbox: false };
const thread = (over: Partial<InboxThread>): InboxThread => ({
  id: 't1', subject: 'Renewal', category: 'prescription', status: 'open', patientMayReply: true, startedBy: 'patient', unread: 1, lastMessageAt: new Date().toISOString(),
  createdAt: new Date().toISOString(), patientId: 'p1', patientName: 'Jamie Patient', assignedTo: null, awaitingReplySince: new Date().toISOString(), dueAt: null, ...over,
});

describe('<sm-inbox-page>', () => {
  before(startWorker);
  afterEach(() => worker.resetHandlers());

  it('lists threads with the time left to answer, and filters through the API', async () => {
    const queries: string[] = [];
    worker.use(
      http.get('/api/inbox', ({ request }) => {
        queries.push(new URL(request.url).search);
        return HttpResponse.json({
          threads: [thread({ id: 't1', dueAt: new Date(Date.now() + 3 * 3600_000 + 60_000).toISOString() }), thread({ id: 't2', subject: 'Results', dueAt: new Date(Date.now() - 26 * 3600_000).toISOString() })],
          nextCursor: null,
        });
      }),
      http.get('/api/messaging/settings', () => HttpResponse.json({ categories: [{ id: 'prescription', en: 'Prescription renewal', fr: 'Renouvellement' }], answeringBlocks: { sun: [], mon: [{ start: '12:30', end: '13:30' }], tue: [{ start: '12:30', end: '13:30' }], wed: [{ start: '12:30', end: '13:30' }], thu: [{ start: '12:30', end: '13:30' }], fri: [{ start: '12:30', end: '13:30' }], sat: [] } })),
    );
    const el = await fixture<SmInboxPage>(html`<sm-inbox-page .api=${new AdminApi()} .me=${me}></sm-inbox-page>`);
    await waitUntil(() => el.shadowRoot!.querySelectorAll('tbody tr').length === 2 && el.shadowRoot!.textContent!.includes('Prescription renewal'));
    const rows = [...el.shadowRoot!.querySelectorAll('tbody tr')].map((r) => r.textContent!.replace(/\s+/g, ' ').trim());
    expect(rows[0]).to.contain('Jamie Patient').and.contain('Renewal (1)').and.contain('3 h 1 min left');
    expect(rows[1]).to.contain('Overdue by 1 d 2 h');
    await expect(el).to.be.accessible();

    el.shadowRoot!.querySelector<HTMLInputElement>('input[name=overdue]')!.checked = true;
    el.shadowRoot!.querySelector<HTMLFormElement>('form.inline')!.requestSubmit();
    await waitUntil(() => queries.length === 2);
    expect(queries[1]).to.equal('?overdue=true');
  });

  it('pages past the first page with the server’s cursor, and puts focus on the first new row', async () => {
    const queries: string[] = [];
    worker.use(
      http.get('/api/inbox', ({ request }) => {
        const cursor = new URL(request.url).searchParams.get('cursor');
        queries.push(cursor ?? '');
        return HttpResponse.json(cursor === 'after-t2' ? { threads: [thread({ id: 't3', subject: 'Older' })], nextCursor: null } : { threads: [thread({ id: 't1' }), thread({ id: 't2' })], nextCursor: 'after-t2' });
      }),
      http.get('/api/messaging/settings', () => HttpResponse.json({ categories: [], answeringBlocks: { sun: [], mon: [], tue: [], wed: [], thu: [], fri: [], sat: [] } })),
    );
    const el = await fixture<SmInboxPage>(html`<sm-inbox-page .api=${new AdminApi()} .me=${me}></sm-inbox-page>`);
    await waitUntil(() => el.shadowRoot!.querySelectorAll('tbody tr').length === 2);
    const more = [...el.shadowRoot!.querySelectorAll('button')].find((b) => b.textContent!.includes('Show older conversations'))!;
    more.click();
    await waitUntil(() => el.shadowRoot!.querySelectorAll('tbody tr').length === 3);
    expect(queries).to.deep.equal(['', 'after-t2']);
    expect(el.shadowRoot!.activeElement?.textContent).to.contain('Older');
    expect([...el.shadowRoot!.querySelectorAll('button')].some((b) => b.textContent!.includes('Show older conversations'))).to.equal(false, 'no button on the last page');
  });

  it('formats durations for people', () => {
    expect(humanDuration(45 * 60_000)).to.equal('45 min');
    expect(humanDuration(-(2 * 86400_000 + 3 * 3600_000))).to.equal('2 d 3 h');
  });
});
