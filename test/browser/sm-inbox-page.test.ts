import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { sendKeys, setViewport } from '@web/test-runner-commands';
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
  createdAt: new Date().toISOString(), patientId: 'p1', patientName: 'Jamie Patient', assignedTo: null, awaitingReplySince: new Date().toISOString(), dueAt: null,
  preview: { author: 'patient', kind: 'message', text: 'Can I take metformin with food?' }, ...over,
});
const SETTINGS = { categories: [{ id: 'prescription', en: 'Prescription renewal', fr: 'Renouvellement' }], timeZone: 'America/Toronto', answeringBlocks: { sun: [], mon: [{ start: '12:30', end: '13:30' }], tue: [], wed: [], thu: [], fri: [], sat: [] } };
const COLLEAGUES = [{ id: 's1', name: 'Dana', role: 'staff' }, { id: 's2', name: 'Dr. Lee', role: 'physician' }];

/** The inbox with the given rows; records every inbox query and POST body. */
function serve(rows: InboxThread[], unreadTotal = 3) {
  const queries: string[] = [];
  const posts: Array<{ url: string; body: unknown }> = [];
  worker.use(
    http.get('/api/inbox', ({ request }) => {
      queries.push(new URL(request.url).search);
      return HttpResponse.json({ threads: rows, nextCursor: null, unreadTotal });
    }),
    http.get('/api/messaging/settings', () => HttpResponse.json(SETTINGS)),
    http.get('/api/messaging/staff', () => HttpResponse.json(COLLEAGUES)),
    http.post('/api/threads/bulk', async ({ request }) => {
      const body = (await request.json()) as { ids: string[] };
      posts.push({ url: '/api/threads/bulk', body });
      return HttpResponse.json({ updated: body.ids.length });
    }),
    http.post('/api/threads/:id/unread', ({ params }) => {
      posts.push({ url: `/api/threads/${String(params.id)}/unread`, body: null });
      return new HttpResponse(null, { status: 204 });
    }),
  );
  return { queries, posts };
}

const ROWS = [
  thread({ id: 't1', dueAt: new Date(Date.now() + 3 * 3600_000 + 60_000).toISOString() }),
  thread({ id: 't2', subject: 'Results', unread: 0, assignedTo: 's2', dueAt: new Date(Date.now() - 26 * 3600_000).toISOString(), preview: { author: 'staff', kind: 'note', text: 'Called the lab' } }),
  thread({ id: 't3', subject: 'Forms', unread: 2, patientName: 'Alex Martin' }),
];

async function page(rows = ROWS, lang: 'en' | 'fr' = 'en') {
  const io = serve(rows);
  const el = await fixture<SmInboxPage>(html`<sm-inbox-page .api=${new AdminApi()} .me=${me} lang=${lang}></sm-inbox-page>`);
  await waitUntil(() => el.shadowRoot!.querySelectorAll('ul.threads li').length === rows.length && el.shadowRoot!.textContent!.includes('Dr. Lee') && el.shadowRoot!.textContent!.includes(lang === 'en' ? 'Prescription renewal' : 'Renouvellement'));
  return { el, ...io, $: <T extends Element>(s: string) => el.shadowRoot!.querySelector<T>(s)!, $$: (s: string) => [...el.shadowRoot!.querySelectorAll(s)] };
}

describe('<sm-inbox-page>', () => {
  before(startWorker);
  afterEach(async () => {
    worker.resetHandlers();
    await setViewport({ width: 800, height: 600 });
  });

  it('lists each thread with its date, assignee, preview, unread for me and time left, and my unread total', async () => {
    const { el, $$ } = await page();
    const rows = $$('ul.threads li').map((r) => r.textContent!.replace(/\s+/g, ' ').trim());
    expect(rows[0]).to.contain('Jamie Patient').and.contain('Renewal').and.contain('1 new message').and.contain('Can I take metformin with food?').and.contain('3 h 1 min left').and.contain('Unassigned').and.contain('Last message');
    expect(rows[1]).to.contain('Overdue by 1 d 2 h').and.contain('Assigned to Dr. Lee').and.contain('Note: Called the lab').and.contain('Mark unread').and.not.contain('new message');
    expect(rows[2]).to.contain('2 new messages');
    expect(el.shadowRoot!.querySelector('.unread-total')!.textContent).to.equal('3 conversations unread by you');
    expect(el.shadowRoot!.querySelector('details.shortcuts summary')!.textContent).to.equal('Keyboard shortcuts');
    await expect(el).to.be.accessible();
  });

  it('marks the moment its first page of threads is on screen, once, for in-page timing', async () => {
    performance.clearMarks('sm-inbox-shown');
    const { el } = await page();
    const marks = performance.getEntriesByName('sm-inbox-shown', 'mark') as PerformanceMark[];
    expect(marks.length).to.equal(1);
    expect(marks[0]!.detail).to.deep.equal({ threads: 3 });
    el.requestUpdate();
    await el.updateComplete;
    expect(performance.getEntriesByName('sm-inbox-shown', 'mark').length).to.equal(1, 'not again on later updates');
  });

  it('applies filters as they change, waits for a pause in typing, and leaves focus where it was', async () => {
    const { el, queries, $, $$ } = await page();
    expect($$('form.inline button:not([type=button])')).to.have.length(0, 'no Apply button');
    $<HTMLInputElement>('input[name=overdue]').click();
    await waitUntil(() => queries.length === 2);
    expect(queries[1]).to.equal('?overdue=true');
    const sort = $<HTMLSelectElement>('select[name=sort]');
    sort.value = 'due';
    sort.dispatchEvent(new Event('change', { bubbles: true }));
    await waitUntil(() => queries.length === 3);
    expect(queries[2]).to.equal('?sort=due&overdue=true');

    const search = $<HTMLInputElement>('input[name=q]');
    search.focus();
    await sendKeys({ type: 'metformin' });
    await waitUntil(() => queries.some((q) => q.includes('q=metformin')));
    expect(queries.filter((q) => q.includes('q=')).every((q) => q.includes('q=metformin')), 'one request after the typing, not one per letter').to.equal(true);
    expect(el.shadowRoot!.activeElement).to.equal(search);
  });

  it('moves with j/k, selects with x, closes with e and opens with r, but not while typing', async () => {
    const { el, posts, queries, $, $$ } = await page();
    const links = () => $$('ul.threads a.subject');
    $<HTMLInputElement>('input[name=q]').focus();
    await sendKeys({ type: 'j' });
    await waitUntil(() => queries.some((q) => q === '?q=j'), 'the j went into the search');
    expect($$('li.current')).to.have.length(0, 'typing a j in a field is just typing');
    // As after a screen change: focus on the page, not in the inbox.
    (document.activeElement as HTMLElement).blur();
    await sendKeys({ press: 'j' });
    await waitUntil(() => el.shadowRoot!.activeElement === links()[0]);
    await sendKeys({ press: 'j' });
    await waitUntil(() => el.shadowRoot!.activeElement === links()[1]);
    await sendKeys({ press: 'k' });
    await waitUntil(() => el.shadowRoot!.activeElement === links()[0]);
    expect($('li.current').textContent).to.contain('Renewal');

    // x selects the current row, then e closes what is selected.
    await sendKeys({ press: 'x' });
    expect($<HTMLInputElement>('ul.threads li input[type=checkbox]').checked).to.equal(true);
    await sendKeys({ press: 'j' });
    await sendKeys({ press: 'x' });
    const before = queries.length;
    await sendKeys({ press: 'e' });
    await waitUntil(() => posts.length === 1 && queries.length > before);
    expect(posts[0]).to.deep.equal({ url: '/api/threads/bulk', body: { ids: ['t1', 't2'], status: 'closed' } });
    await waitUntil(() => el.shadowRoot!.querySelector('[role=status].ok')?.textContent === '2 conversations closed.');
    await waitUntil(() => el.shadowRoot!.activeElement === links()[1], 'focus stays on the row');

    // With nothing selected, e closes the current row.
    await sendKeys({ press: 'e' });
    await waitUntil(() => posts.length === 2);
    expect(posts[1]!.body).to.deep.equal({ ids: ['t2'], status: 'closed' });

    let opened = '';
    const onGo = (e: Event) => (opened = (e as CustomEvent<{ pathname: string }>).detail.pathname);
    window.addEventListener('vaadin-router-go', onGo);
    await waitUntil(() => el.shadowRoot!.activeElement === links()[1]);
    await sendKeys({ press: 'r' });
    window.removeEventListener('vaadin-router-go', onGo);
    expect(opened).to.equal('/admin/inbox/t2');
  });

  it('closes or assigns every selected thread in one request, and marks one unread', async () => {
    const { el, posts, $, $$ } = await page();
    const close = () => $$('.bulk button').find((b) => b.textContent === 'Close') as HTMLButtonElement;
    expect(close().disabled).to.equal(true, 'nothing selected yet');
    $<HTMLInputElement>('input[name=all]').click();
    await el.updateComplete;
    expect($$('ul.threads input[type=checkbox]').every((c) => (c as HTMLInputElement).checked)).to.equal(true);
    expect($('.bulk').textContent).to.contain('3 selected');
    const assignee = $<HTMLSelectElement>('select[name=assignee]');
    assignee.value = 's2';
    ($$('.bulk button').find((b) => b.textContent === 'Assign') as HTMLButtonElement).click();
    await waitUntil(() => posts.length === 1);
    expect(posts[0]!.body).to.deep.equal({ ids: ['t1', 't2', 't3'], assignedTo: 's2' });
    await waitUntil(() => el.shadowRoot!.textContent!.includes('3 conversations assigned.'));
    expect($$('ul.threads input[type=checkbox]:checked')).to.have.length(0, 'the selection is cleared');

    ($$('ul.threads button').find((b) => b.textContent === 'Mark unread') as HTMLButtonElement).click();
    await waitUntil(() => posts.length === 2);
    expect(posts[1]!.url).to.equal('/api/threads/t2/unread');
    await waitUntil(() => $('.unread-total').textContent === '4 conversations unread by you');
    expect($$('ul.threads li')[1]!.textContent).to.contain('1 new message');
  });

  it('words a refused bulk change in the reader’s language and keeps the selection', async () => {
    const { el, $, $$ } = await page(ROWS, 'fr');
    worker.use(http.post('/api/threads/bulk', () => HttpResponse.json({ code: 'unknown_staff', message: 'assignedTo is not an active staff member of this clinic' }, { status: 400 })));
    $<HTMLInputElement>('ul.threads li input[type=checkbox]').click();
    await el.updateComplete;
    $<HTMLSelectElement>('select[name=assignee]').value = 's2';
    ($$('.bulk button').find((b) => b.textContent === 'Assigner') as HTMLButtonElement).click();
    await waitUntil(() => el.shadowRoot!.querySelector('[role=alert]')?.textContent === 'Ce collègue ne peut plus recevoir de conversations. Choisissez une autre personne.');
    expect($<HTMLInputElement>('ul.threads li input[type=checkbox]').checked).to.equal(true);
  });

  it('fits a phone screen without sideways scrolling, in French too', async () => {
    for (const width of [375, 320]) {
      await setViewport({ width, height: 800 });
      const { el } = await page(ROWS.map((t) => ({ ...t, subject: 'Renouvellement-de-prescription-sans-espace-aucune', patientName: 'Marie-Hélène Lavoie-Tremblay' })), 'fr');
      await el.updateComplete;
      const root = document.documentElement;
      expect(root.scrollWidth, `page at ${width}px`).to.be.at.most(root.clientWidth);
      expect(el.scrollWidth, `inbox at ${width}px`).to.be.at.most(el.clientWidth);
      worker.resetHandlers();
    }
  });

  it('pages past the first page with the server’s cursor, and puts focus on the first new row', async () => {
    const queries: string[] = [];
    worker.use(
      http.get('/api/inbox', ({ request }) => {
        const cursor = new URL(request.url).searchParams.get('cursor');
        queries.push(cursor ?? '');
        return HttpResponse.json(cursor === 'after-t2' ? { threads: [thread({ id: 't3', subject: 'Older' })], nextCursor: null, unreadTotal: 3 } : { threads: [thread({ id: 't1' }), thread({ id: 't2' })], nextCursor: 'after-t2', unreadTotal: 3 });
      }),
      http.get('/api/messaging/settings', () => HttpResponse.json({ categories: [], answeringBlocks: { sun: [], mon: [], tue: [], wed: [], thu: [], fri: [], sat: [] } })),
      http.get('/api/messaging/staff', () => HttpResponse.json([])),
    );
    const el = await fixture<SmInboxPage>(html`<sm-inbox-page .api=${new AdminApi()} .me=${me}></sm-inbox-page>`);
    await waitUntil(() => el.shadowRoot!.querySelectorAll('ul.threads li').length === 2);
    const more = [...el.shadowRoot!.querySelectorAll('button')].find((b) => b.textContent!.includes('Show older conversations'))!;
    more.click();
    await waitUntil(() => el.shadowRoot!.querySelectorAll('ul.threads li').length === 3);
    expect(queries).to.deep.equal(['', 'after-t2']);
    expect(el.shadowRoot!.activeElement?.textContent).to.contain('Older');
    expect([...el.shadowRoot!.querySelectorAll('button')].some((b) => b.textContent!.includes('Show older conversations'))).to.equal(false, 'no button on the last page');
  });

  it('formats durations for people', () => {
    expect(humanDuration(45 * 60_000)).to.equal('45 min');
    expect(humanDuration(-(2 * 86400_000 + 3 * 3600_000))).to.equal('2 d 3 h');
  });
});
