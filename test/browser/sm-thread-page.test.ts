import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import { setViewport } from '@web/test-runner-commands';
import '../../admin/pages/sm-thread-page.js';
import type { SmThreadPage } from '../../admin/pages/sm-thread-page.js';
import { AdminApi } from '../../admin/admin-api.js';
import type { Me, Patient } from '../../shared/api.js';
import type { CannedReply, Message, StaffThreadDetail } from '../../shared/messaging.js';
import { startWorker, worker } from './msw.js';

const me: Me = { staff: { id: 's1', name: 'Dana Nurse', email: 'd@x.test', role: 'staff', disabled: false, createdAt: '' }, clinic: { id: 'c1', slug: 'north', name: 'North Clinic' }, devMailbox: false };
const patient: Patient = { id: 'p1', name: 'Jamie Lee Patient', dateOfBirth: '1980-01-01', email: 'j@x.test', phone: null, mobile: null, smsConsentAt: null, healthNumber: null, lang: 'fr', consentedAt: null, createdAt: '2026-11-01T00:00:00.000Z' };
const detail = (over: Partial<StaffThreadDetail['thread']> = {}): StaffThreadDetail => ({
  thread: {
    id: 't2', subject: 'Renewal', category: 'prescription', status: 'open', patientMayReply: true, startedBy: 'patient', unread: 0, lastMessageAt: '2026-11-26T14:00:00.000Z', createdAt: '2026-11-26T14:00:00.000Z',
    patientId: 'p1', patientName: 'Jamie Lee Patient', assignedTo: null, awaitingReplySince: '2026-11-26T14:00:00.000Z', dueAt: '2099-11-28T19:30:00.000Z', ...over,
  },
  messages: [
    { id: 'm1', threadId: 't2', author: 'patient', authorName: 'Jamie Lee Patient', kind: 'message', body: 'Please renew.', attachments: [], createdAt: '2026-11-26T14:00:00.000Z' },
    { id: 'm2', threadId: 't2', author: 'staff', authorName: 'Dana Nurse', kind: 'message', body: 'On it.', attachments: [], createdAt: '2026-11-26T14:05:00.000Z', seenAt: '2026-11-26T15:10:00.000Z' },
    { id: 'm3', threadId: 't2', author: 'staff', authorName: 'Dana Nurse', kind: 'message', body: 'Done.', attachments: [], createdAt: '2026-11-26T14:06:00.000Z', seenAt: null },
  ],
  earlierCursor: null,
  previousId: 't1',
  nextId: 't3',
  otherThreads: [{ id: 't9', subject: 'Old forms', status: 'closed', lastMessageAt: '2026-10-01T12:00:00.000Z' }],
});
const templates: CannedReply[] = [{ id: 'c1', title: 'Hello', body: 'Hello {patient.firstName}, {staff.name} at {clinic.name}.', bodyFr: 'Bonjour {patient.firstName} {patient.lastName}, ici {staff.name} de {clinic.name}.' }];

function mockApi(thread: StaffThreadDetail, sent: unknown[]) {
  worker.use(
    http.get('/api/threads/:id', () => HttpResponse.json(thread)),
    http.get('/api/patients/:id', () => HttpResponse.json(patient)),
    http.get('/api/messaging/staff', () => HttpResponse.json([])),
    http.get('/api/canned-replies', () => HttpResponse.json(templates)),
    http.get('/api/messaging/settings', () => HttpResponse.json({ timeZone: 'America/Toronto', categories: [{ id: 'prescription', en: 'Prescription renewal', fr: 'Renouvellement' }, { id: 'forms', en: 'Forms', fr: 'Formulaires' }] })),
    http.post('/api/threads/:id/messages', async ({ request }) => {
      sent.push(await request.json());
      return HttpResponse.json({ threadId: 't2', messageId: 'x' }, { status: 201 });
    }),
    http.patch('/api/threads/:id', async ({ request }) => {
      sent.push(await request.json());
      return HttpResponse.json({ status: 'open', assignedTo: null });
    }),
  );
}

async function page(lang: 'en' | 'fr' = 'en', live: EventTarget | null = null) {
  const el = await fixture<SmThreadPage>(html`<sm-thread-page .api=${new AdminApi()} .me=${me} .live=${live} .routeParams=${{ id: 't2' }} lang=${lang}></sm-thread-page>`);
  const root = el.shadowRoot!;
  await waitUntil(() => root.querySelector('h1') && root.querySelector('#category option[value=forms]') && root.querySelector('#template-help'));
  return { el, root };
}

describe('<sm-thread-page>', () => {
  before(startWorker);
  afterEach(() => worker.resetHandlers());

  it('marks the moment the conversation is on screen, for in-page timing', async () => {
    mockApi(detail(), []);
    performance.clearMarks('sm-thread-shown');
    const { root } = await page();
    await waitUntil(() => performance.getEntriesByName('sm-thread-shown', 'mark').length > 0, 'marked');
    const marks = performance.getEntriesByName('sm-thread-shown', 'mark') as PerformanceMark[];
    expect(marks.length).to.equal(1);
    expect(marks[0]!.detail).to.deep.equal({ messages: 3 });
    expect(root.textContent).to.contain('Please renew.', 'marked once the messages are in the page');
  });

  it('keeps the reply and the internal note apart: two tabs, two forms, two buttons; a note is never sent as a reply', async () => {
    const sent: Array<{ body: string; note: boolean }> = [];
    mockApi(detail(), sent);
    const { el, root } = await page();
    await waitUntil(() => root.activeElement === root.querySelector('h1'), 'the heading gets the focus');
    const tabs = [...root.querySelectorAll<HTMLButtonElement>('[role=tab]')];
    expect(tabs.map((t) => t.textContent!.trim())).to.deep.equal(['Reply to patient', 'Internal note']);
    expect(tabs[0]!.getAttribute('aria-selected')).to.equal('true');
    const reply = root.querySelector<HTMLFormElement>('#panel-reply form')!;
    const note = root.querySelector<HTMLFormElement>('#panel-note form')!;
    const panel = (f: HTMLFormElement) => f.parentElement!;
    expect(panel(note).hidden).to.equal(true);
    expect(reply.querySelector('button')!.textContent).to.equal('Send to patient');
    expect(note.querySelector('button')!.textContent).to.equal('Save note');
    expect(reply.querySelector('input[name=note]')).to.equal(null, 'no "as a note" checkbox');

    // Keyboard: the right arrow moves to the note tab and its panel shows.
    tabs[0]!.focus();
    tabs[0]!.dispatchEvent(new KeyboardEvent('keydown', { key: 'ArrowRight', bubbles: true }));
    await waitUntil(() => root.activeElement === tabs[1]);
    await el.updateComplete;
    expect(tabs[1]!.getAttribute('aria-selected')).to.equal('true');
    expect(tabs[1]!.tabIndex).to.equal(0);
    expect(tabs[0]!.tabIndex).to.equal(-1);
    expect(panel(reply).hidden).to.equal(true);
    expect(panel(note).hidden).to.equal(false);
    await expect(el).to.be.accessible();

    root.querySelector<HTMLTextAreaElement>('#note-body')!.value = 'Check the chart first';
    note.requestSubmit();
    await waitUntil(() => sent.length === 1);
    expect(sent[0]).to.include({ body: 'Check the chart first', note: true });
    await waitUntil(() => root.querySelector('[role=status]')?.textContent?.includes('Note saved'));

    tabs[1]!.dispatchEvent(new KeyboardEvent('keydown', { key: 'Home', bubbles: true }));
    await waitUntil(() => !panel(reply).hidden);
    root.querySelector<HTMLTextAreaElement>('#reply-body')!.value = 'Renewed.';
    reply.requestSubmit();
    await waitUntil(() => sent.length === 2);
    expect(sent[1]).to.include({ body: 'Renewed.', note: false });
  });

  it('shows the due time in the clinic’s zone, read receipts, the neighbours and the patient’s other conversations, and changes the category', async () => {
    const sent: unknown[] = [];
    mockApi(detail(), sent);
    const { el, root } = await page();
    const text = root.textContent!.replace(/\s+/g, ' ');
    expect(root.querySelector('dl.meta time')!.textContent).to.match(/Saturday, November 28 .*2:30 p\.m\./);
    expect(text).to.contain('Seen by the patient Nov 26, 10:10 a.m.');
    expect(text).to.contain('Not yet seen by the patient');
    expect(root.querySelectorAll('.receipt').length).to.equal(2, 'only the clinic’s replies carry a receipt');
    expect(root.querySelector<HTMLAnchorElement>('a[rel=prev]')!.getAttribute('href')).to.equal('/admin/inbox/t1');
    expect(root.querySelector<HTMLAnchorElement>('a[rel=next]')!.getAttribute('href')).to.equal('/admin/inbox/t3');
    const other = [...root.querySelectorAll<HTMLAnchorElement>('aside a')].find((a) => a.textContent === 'Old forms')!;
    expect(other.getAttribute('href')).to.equal('/admin/inbox/t9');
    await expect(el).to.be.accessible();

    const category = root.querySelector<HTMLSelectElement>('#category')!;
    expect(category.value).to.equal('prescription');
    category.value = 'forms';
    category.dispatchEvent(new Event('change'));
    await waitUntil(() => sent.length === 1);
    expect(sent[0]).to.deep.equal({ category: 'forms' });
  });

  it('says in French when the colleague chosen was disabled meanwhile, and shows the assignment and the staff list as they are now', async () => {
    const sent: unknown[] = [];
    mockApi(detail(), sent);
    let colleagues = [{ id: 's1', name: 'Dana Nurse' }, { id: 's9', name: 'Ex Colleague' }];
    worker.use(
      http.get('/api/messaging/staff', () => HttpResponse.json(colleagues)),
      http.patch('/api/threads/:id', async ({ request }) => {
        sent.push(await request.json());
        colleagues = [{ id: 's1', name: 'Dana Nurse' }];
        return HttpResponse.json({ code: 'unknown_staff', message: 'assignedTo is not an active staff member of this clinic' }, { status: 400 });
      }),
    );
    const { root } = await page('fr');
    await waitUntil(() => root.querySelector('option[value=s9]'), 'the colleagues');
    const assign = root.querySelector<HTMLOptionElement>('option[value=s9]')!.closest('select')!;
    assign.value = 's9';
    assign.dispatchEvent(new Event('change'));
    await waitUntil(() => root.querySelector('[role=alert]'), 'the refusal');
    expect(sent).to.deep.equal([{ assignedTo: 's9' }]);
    expect(root.querySelector('[role=alert]')!.textContent).to.contain('Cette personne ne fait plus partie du personnel actif');
    await waitUntil(() => !root.querySelector('option[value=s9]'), 'the list is refreshed');
    expect(assign.value).to.equal('', 'still unassigned, as on the server');
  });

  it('reflows at 320 px: the composer and the details fit the screen, nothing scrolls sideways', async () => {
    mockApi(detail(), []);
    await page();
    await setViewport({ width: 320, height: 640 });
    try {
      await waitUntil(() => document.documentElement.scrollWidth <= 320, `scrollWidth ${document.documentElement.scrollWidth} in 320`);
    } finally {
      await setViewport({ width: 800, height: 600 });
    }
  });

  it('fills a template in the patient’s language with their and the clinic’s names', async () => {
    mockApi(detail(), []);
    const { root } = await page();
    await waitUntil(() => root.querySelector('#template-help')!.textContent!.includes('French'), 'the patient’s language is known');
    const select = root.querySelector<HTMLSelectElement>('#panel-reply select')!;
    select.value = 'c1';
    select.dispatchEvent(new Event('change'));
    const body = root.querySelector<HTMLTextAreaElement>('#reply-body')!;
    expect(body.value).to.equal('Bonjour Jamie Lee Patient, ici Dana Nurse de North Clinic.');
    expect(root.activeElement).to.equal(body);
  });

  for (const [lang, button, loaded, start] of [
    ['en', 'Earlier messages', '20 earlier messages loaded', 'Start of the conversation'],
    ['fr', 'Messages précédents', '20 messages précédents chargés', 'Début de la conversation'],
  ] as const) {
    it(`opens on the newest messages and loads earlier ones above them, focusing the first and saying how many; live updates keep them (${lang})`, async () => {
      /** Message `n` of the conversation, minute `n` after 14:00 (every third an internal note). */
      const msg = (n: number): Message => ({
        id: `m${n}`, threadId: 't2', author: n % 3 ? 'patient' : 'staff', authorName: n % 3 ? 'Jamie Lee Patient' : 'Dana Nurse', kind: n % 3 ? 'message' : 'note', body: `Message ${n}`, attachments: [],
        createdAt: new Date(Date.UTC(2026, 10, 26, 14, n)).toISOString(),
      });
      const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => msg(from + i));
      let arrived = false;
      const befores: Array<string | null> = [];
      mockApi(detail(), []);
      worker.use(
        // The newest page: m21–m70; after a new message, m22–m71.
        http.get('/api/threads/:id', () => HttpResponse.json({ ...detail(), messages: arrived ? range(22, 71) : range(21, 70), earlierCursor: arrived ? 'c-after' : 'c-first' })),
        http.get('/api/threads/:id/messages', ({ request }) => {
          befores.push(new URL(request.url).searchParams.get('before'));
          return HttpResponse.json({ messages: range(1, 20), earlierCursor: null });
        }),
      );
      const live = new EventTarget();
      const { el, root } = await page(lang, live);
      const ids = () => [...root.querySelectorAll<HTMLElement>('ol > li[data-id]')].map((li) => li.dataset.id);
      await waitUntil(() => root.activeElement === root.querySelector('h1'), 'the heading gets the focus');
      expect(ids()).to.deep.equal(range(21, 70).map((m) => m.id), 'the newest page, oldest first');
      const earlier = root.querySelector<HTMLButtonElement>('p.earlier button')!;
      expect(earlier.textContent).to.equal(button);
      expect(earlier.compareDocumentPosition(root.querySelector('ol')!) & Node.DOCUMENT_POSITION_FOLLOWING, 'the button is above the messages').to.be.greaterThan(0);
      const status = root.querySelector('[aria-live=polite][data-earlier-status]')!;
      expect(status.textContent).to.equal('', 'the live region is in the page before anything is said');

      earlier.click();
      await waitUntil(() => ids().length === 70);
      expect(befores).to.deep.equal(['c-first']);
      expect(ids()).to.deep.equal(range(1, 70).map((m) => m.id));
      await waitUntil(() => root.activeElement === root.querySelector('li[data-id=m1]'), 'focus on the first message brought');
      expect(status.textContent).to.equal(loaded);
      expect(root.querySelector('p.earlier button'), 'nothing earlier: no button').to.equal(null);
      expect(root.querySelector('p.earlier')!.textContent).to.equal(start);
      await expect(el).to.be.accessible();

      // A new message: the conversation is read again; the earlier page stays, the focus stays.
      arrived = true;
      live.dispatchEvent(new CustomEvent('sm-thread-event', { detail: { threadId: 't2', author: 'patient', kind: 'message' } }));
      await waitUntil(() => ids().length === 71, 'the new message appears');
      expect(ids()).to.deep.equal(range(1, 71).map((m) => m.id));
      expect(root.activeElement).to.equal(root.querySelector('li[data-id=m1]'));
    });
  }

  it('takes only notes on a closed conversation', async () => {
    mockApi(detail({ status: 'closed', dueAt: null }), []);
    const { root } = await page('fr');
    await waitUntil(() => root.querySelector<HTMLElement>('#panel-reply')!.hidden);
    expect(root.querySelector('#tab-reply')!.getAttribute('aria-disabled')).to.equal('true');
    expect(root.querySelector('#tab-note')!.getAttribute('aria-selected')).to.equal('true');
    expect(root.querySelector('#panel-note button')!.textContent).to.equal('Enregistrer la note');
    expect(root.textContent).to.contain('Aucune réponse attendue');
  });
});
