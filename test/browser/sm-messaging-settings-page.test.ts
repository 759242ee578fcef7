import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import '../../admin/pages/sm-messaging-settings-page.js';
import type { SmMessagingSettingsPage } from '../../admin/pages/sm-messaging-settings-page.js';
import { AdminApi } from '../../admin/admin-api.js';
import type { Me } from '../../shared/api.js';
import type { MessagingSettings } from '../../shared/messaging.js';
import { startWorker, worker } from './msw.js';

const me: Me = { staff: { id: 's1', name: 'Dana Admin', email: 'dana@north.test', role: 'admin', disabled: false, createdAt: '2026-11-26T00:00:00.000Z' }, clinic: { id: 'c1', slug: 'north', name: 'North' }, devMailbox: false };
const nineToFive = [{ start: '09:00', end: '17:00' }];
const settings: MessagingSettings = {
  mode: 'two-way',
  categories: [
    { id: 'prescription', en: 'Prescription renewal', fr: "Renouvellement d'ordonnance" },
    { id: 'other', en: 'Other', fr: 'Autre' },
  ],
  subjectRequired: true,
  maxChars: 1500,
  maxWords: null,
  attachmentMaxMb: 10,
  weeklyThreadQuota: 3,
  responseBusinessDays: 2,
  timeZone: 'America/Toronto',
  hours: { mon: nineToFive, tue: nineToFive, wed: nineToFive, thu: nineToFive, fri: nineToFive, sat: [], sun: [] },
  closures: ['2026-12-25'],
  answeringBlocks: { mon: [], tue: [], wed: [], thu: [], fri: [], sat: [], sun: [] },
  acceptNewOutsideHours: true,
  autoReply: { en: 'Thanks.', fr: 'Merci.' },
  emergencyNotice: { en: 'Not for emergencies: call 911.', fr: 'Pas pour les urgences : composez le 911.' },
  staffDigestEmail: false,
};

/** The page, loaded, with the PUT bodies it sends; `answer` decides the PUT's reply. */
async function page(lang: 'en' | 'fr', answer?: (body: MessagingSettings) => Response) {
  const sent: MessagingSettings[] = [];
  worker.use(
    http.get('/api/messaging/settings', () => HttpResponse.json(settings)),
    http.get('/api/canned-replies', () => HttpResponse.json([])),
    http.put('/api/messaging/settings', async ({ request }) => {
      const body = (await request.json()) as MessagingSettings;
      sent.push(body);
      return answer ? answer(body) : HttpResponse.json(body);
    }),
  );
  const el = await fixture<SmMessagingSettingsPage>(html`<sm-messaging-settings-page .api=${new AdminApi()} .me=${me} lang=${lang}></sm-messaging-settings-page>`);
  const root = el.shadowRoot!;
  await waitUntil(() => root.querySelector('#f-timeZone'), 'the form is shown');
  const $ = <T extends HTMLElement = HTMLElement>(sel: string) => {
    const found = root.querySelector<T>(sel);
    if (!found) throw new Error(`no ${sel}`);
    return found;
  };
  const type = (sel: string, value: string) => {
    const input = $<HTMLInputElement>(sel);
    input.value = value;
    input.dispatchEvent(new Event('input', { bubbles: true }));
  };
  const save = () => $<HTMLFormElement>('form').requestSubmit();
  const preview = () => root.querySelector('sm-messaging-preview')!.shadowRoot!;
  return { el, root, $, type, save, sent, preview };
}

describe('<sm-messaging-settings-page>', function () {
  // A long form (every time zone, two weekly grids) and axe over it: slow on a loaded machine, not timed behaviour.
  this.timeout(30000);
  before(startWorker);
  afterEach(() => worker.resetHandlers());

  it('offers the time zones with Canada first and sends the one chosen', async () => {
    const p = await page('en');
    const select = p.$<HTMLSelectElement>('#f-timeZone');
    const groups = select.querySelectorAll('optgroup');
    expect(groups[0]!.label).to.equal('Canada');
    expect([...groups[0]!.querySelectorAll('option')].map((o) => o.value)).to.include.members(['America/Toronto', 'America/Vancouver', 'America/Halifax']);
    expect(groups[1]!.querySelectorAll('option').length).to.be.greaterThan(100, 'every other zone the browser knows');
    expect(select.value).to.equal('America/Toronto');
    select.value = 'America/Winnipeg';
    select.dispatchEvent(new Event('change'));
    p.save();
    await waitUntil(() => p.sent.length === 1);
    expect(p.sent[0]!.timeZone).to.equal('America/Winnipeg');
    await waitUntil(() => p.root.querySelector('.ok[role=status]'));
  });

  it('edits the weekly hours with time inputs, several ranges a day, and moves the focus to what was added or removed', async () => {
    const p = await page('en');
    p.$<HTMLInputElement>('#f-hours-sat-open').click();
    await p.el.updateComplete;
    expect(p.$<HTMLInputElement>('#f-hours-sat-0-start').value).to.equal('09:00', 'opening a day gives it hours');
    p.$('#f-hours-mon-add').click();
    await waitUntil(() => p.root.activeElement === p.root.querySelector('#f-hours-mon-1-start'), 'the new range has the focus');
    expect(p.$<HTMLInputElement>('#f-hours-mon-1-start').type).to.equal('time');
    p.type('#f-hours-mon-0-end', '12:00');
    p.type('#f-hours-mon-1-start', '13:00');
    p.type('#f-hours-mon-1-end', '18:30');
    p.$('#f-hours-tue-0-remove').click();
    await waitUntil(() => p.root.activeElement === p.root.querySelector('#f-hours-tue-open'), 'removing the only range focuses the day');
    expect(p.$<HTMLInputElement>('#f-hours-tue-open').checked).to.equal(false);
    p.$('#f-answeringBlocks-wed-add').click();
    await waitUntil(() => p.root.activeElement === p.root.querySelector('#f-answeringBlocks-wed-0-start'));
    p.save();
    await waitUntil(() => p.sent.length === 1);
    const sent = p.sent[0]!;
    expect(sent.hours.mon).to.deep.equal([{ start: '09:00', end: '12:00' }, { start: '13:00', end: '18:30' }]);
    expect(sent.hours.tue).to.deep.equal([]);
    expect(sent.hours.sat).to.deep.equal([{ start: '09:00', end: '17:00' }]);
    expect(sent.answeringBlocks.wed).to.deep.equal([{ start: '12:00', end: '13:00' }]);
  });

  it('adds and removes closure dates with date pickers', async () => {
    const p = await page('en');
    p.$('#f-closures-add').click();
    await waitUntil(() => p.root.activeElement === p.root.querySelector('#f-closures-1'), 'the new date has the focus');
    expect(p.$<HTMLInputElement>('#f-closures-1').type).to.equal('date');
    p.type('#f-closures-1', '2026-12-26');
    p.$<HTMLButtonElement>('button[aria-label="Remove closure 1"]').click();
    await waitUntil(() => p.root.activeElement === p.root.querySelector('#f-closures-0'), 'the next date takes the focus');
    expect(p.$<HTMLInputElement>('#f-closures-0').value).to.equal('2026-12-26');
    p.$<HTMLButtonElement>('button[aria-label="Remove closure 1"]').click();
    await waitUntil(() => p.root.activeElement === p.root.querySelector('#f-closures-add'), 'with none left, the add button');
    p.save();
    await waitUntil(() => p.sent.length === 1);
    expect(p.sent[0]!.closures).to.deep.equal([]);
  });

  it('edits categories as rows: a new row takes its code from its English name, and rows move and go with the focus following', async () => {
    const p = await page('en');
    p.$('#f-categories').click();
    await waitUntil(() => p.root.activeElement === p.root.querySelector('#f-categories-2-en'), 'the new row’s English name has the focus');
    p.type('#f-categories-2-en', 'Lab réquisition');
    p.type('#f-categories-2-fr', 'Réquisition de laboratoire');
    await p.el.updateComplete;
    expect(p.$<HTMLInputElement>('#f-categories-2-id').value).to.equal('lab-requisition');
    p.$('#f-categories-2-up').click();
    await waitUntil(() => p.root.activeElement === p.root.querySelector('#f-categories-1-up'), 'the focus follows the row');
    p.$('#f-categories-1-up').click();
    await waitUntil(() => p.root.activeElement === p.root.querySelector('#f-categories-0-down'), 'at the top, its other move button');
    p.$('#f-categories-2-remove').click();
    await waitUntil(() => p.root.activeElement === p.root.querySelector('#f-categories-1-en'), 'removing the last row focuses the one before');
    p.save();
    await waitUntil(() => p.sent.length === 1);
    expect(p.sent[0]!.categories).to.deep.equal([
      { id: 'lab-requisition', en: 'Lab réquisition', fr: 'Réquisition de laboratoire' },
      { id: 'prescription', en: 'Prescription renewal', fr: "Renouvellement d'ordonnance" },
    ]);
  });

  it('sends limits from number inputs, empty meaning no limit', async () => {
    const p = await page('en');
    p.type('#f-maxChars', '');
    p.type('#f-weeklyThreadQuota', '5');
    p.type('#f-responseBusinessDays', '3');
    p.save();
    await waitUntil(() => p.sent.length === 1);
    expect(p.sent[0]!.maxChars).to.equal(null);
    expect(p.sent[0]!.weeklyThreadQuota).to.equal(5);
    expect(p.sent[0]!.responseBusinessDays).to.equal(3);
  });

  it('puts each of the server’s refusals at its field in French, focuses the first, and links them from a summary', async () => {
    const p = await page('fr', () =>
      HttpResponse.json(
        {
          code: 'range_end_before_start',
          message: 'x',
          params: { day: 'tue', start: '17:00', end: '09:00' },
          field: 'hours.tue.0.end',
          errors: [
            { code: 'range_end_before_start', field: 'hours.tue.0.end', params: { day: 'tue', start: '17:00', end: '09:00' } },
            { code: 'duplicate_category', field: 'categories.1.id', params: { id: 'other' } },
          ],
          requestId: 'r',
        },
        { status: 400 },
      ),
    );
    p.save();
    const end = p.$<HTMLInputElement>('#f-hours-tue-0-end');
    await waitUntil(() => end.getAttribute('aria-invalid') === 'true');
    expect(end.getAttribute('aria-describedby')).to.equal('f-hours-tue-0-end-error');
    expect(p.$('#f-hours-tue-0-end-error').textContent).to.contain('Finit à 9 h 00, avant son début à 17 h 00');
    expect(p.$('#f-categories-1-id-error').textContent).to.contain('Une autre catégorie utilise déjà le code « other »');
    await waitUntil(() => p.root.activeElement === end, 'the first field with a problem has the focus');
    const links = [...p.root.querySelectorAll<HTMLAnchorElement>('#problems a')];
    expect(p.$('#problems-title').textContent).to.contain('Il y a 2 problèmes');
    expect(links.map((a) => a.textContent)).to.deep.equal([
      'Heures de messagerie – mardi, plage 1 – À : Finit à 9 h 00, avant son début à 17 h 00. Choisissez une heure de fin plus tardive.',
      'Catégorie 2 – Code : Une autre catégorie utilise déjà le code « other ».',
    ]);
    links[1]!.click();
    await waitUntil(() => p.root.activeElement === p.root.querySelector('#f-categories-1-id'), 'the summary link moves to its field');
    expect(p.root.querySelector('.ok[role=status]')).to.equal(null, 'nothing claims it was saved');
    expect(p.preview().querySelector('[data-preview]')!.getAttribute('lang')).to.equal('fr', 'the preview starts in the reader’s language');
    await expect(p.el).to.be.accessible();
  });

  it('refuses an empty emergency notice at the field before sending, and the message goes once it is fixed', async () => {
    const p = await page('en');
    p.type('#f-emergencyNotice-fr', '   ');
    p.save();
    const fr = p.$<HTMLTextAreaElement>('#f-emergencyNotice-fr');
    await waitUntil(() => p.root.activeElement === fr, 'the empty notice has the focus');
    expect(p.sent).to.have.length(0, 'nothing is sent');
    expect(fr.getAttribute('aria-invalid')).to.equal('true');
    expect(p.$(`#${fr.getAttribute('aria-describedby')}`).textContent).to.contain('The emergency notice cannot be empty');
    p.type('#f-emergencyNotice-fr', 'Composez le 911.');
    await p.el.updateComplete;
    expect(fr.getAttribute('aria-invalid')).to.equal('false', 'fixing the field clears its message');
    expect(p.root.querySelector('#problems')).to.equal(null);
    p.save();
    await waitUntil(() => p.sent.length === 1);
    expect(p.sent[0]!.emergencyNotice.fr).to.equal('Composez le 911.');
  });

  it('checks the hours as the server does before sending: an end before its start is said at the field', async () => {
    const p = await page('fr');
    p.type('#f-hours-wed-0-start', '17:00');
    p.type('#f-hours-wed-0-end', '09:00');
    p.save();
    const end = p.$<HTMLInputElement>('#f-hours-wed-0-end');
    await waitUntil(() => p.root.activeElement === end);
    expect(p.sent).to.have.length(0);
    expect(p.$('#f-hours-wed-0-end-error').textContent).to.contain('Finit à 9 h 00');
  });

  it('previews what the patient sees, in English or French, as the admin edits', async () => {
    const p = await page('en');
    const pv = p.preview();
    expect(pv.querySelector('[data-emergency]')!.textContent).to.contain('Not for emergencies: call 911.');
    expect(pv.querySelector('[data-promise]')!.textContent).to.contain('within 2 business days');
    expect(pv.querySelector('[data-hours]')!.textContent).to.contain('Monday 9:00 a.m.–5:00 p.m.');
    p.type('#f-responseBusinessDays', '1');
    p.type('#f-emergencyNotice-en', 'Call 911 now.');
    p.type('#f-categories-1-en', 'Something else');
    p.$<HTMLInputElement>('#f-hours-mon-open').click();
    await p.el.updateComplete;
    await (p.root.querySelector('sm-messaging-preview') as HTMLElement & { updateComplete: Promise<unknown> }).updateComplete;
    expect(pv.querySelector('[data-promise]')!.textContent).to.contain('within 1 business day.');
    expect(pv.querySelector('[data-emergency]')!.textContent).to.contain('Call 911 now.');
    expect(pv.querySelector('[data-hours]')!.textContent).not.to.contain('Monday');
    expect([...pv.querySelectorAll('[data-categories] option')].map((o) => o.textContent)).to.deep.equal(['Choose a category', 'Prescription renewal', 'Something else'], 'as the widget shows them, starting on "choose"');
    const french = [...pv.querySelectorAll<HTMLButtonElement>('button')].find((b) => b.textContent === 'Français')!;
    french.click();
    await (p.root.querySelector('sm-messaging-preview') as HTMLElement & { updateComplete: Promise<unknown> }).updateComplete;
    expect(french.getAttribute('aria-pressed')).to.equal('true');
    expect(pv.querySelector('[data-preview]')!.getAttribute('lang')).to.equal('fr');
    expect(pv.querySelector('[data-emergency]')!.textContent).to.contain('Pas pour les urgences');
    expect(pv.querySelector('[data-hours]')!.textContent).to.contain('mardi 9 h 00');
    await expect(p.el).to.be.accessible();
  });

  it('adds a template in both languages and says an unknown placeholder at the text that uses it, in French', async () => {
    const p = await page('fr');
    const posted: unknown[] = [];
    worker.use(
      http.post('/api/canned-replies', async ({ request }) => {
        const body = (await request.json()) as { title: string; body: string; bodyFr?: string };
        posted.push(body);
        if (body.bodyFr?.includes('{patient.prenom}')) {
          return HttpResponse.json({ code: 'unknown_placeholder', message: 'bodyFr uses {patient.prenom}', params: { field: 'bodyFr', name: 'patient.prenom' } }, { status: 422 });
        }
        return HttpResponse.json({ id: '11111111-1111-4111-8111-111111111111', title: body.title, body: body.body, bodyFr: body.bodyFr ?? null }, { status: 201 });
      }),
    );
    const root = p.el.shadowRoot!;
    const form = root.querySelector<HTMLFormElement>('form.canned')!;
    expect(root.querySelector('#canned-placeholders')!.textContent).to.contain('{patient.firstName}');
    form.querySelector<HTMLInputElement>('input[name=title]')!.value = 'Résultats';
    form.querySelector<HTMLTextAreaElement>('#canned-body')!.value = 'Hello {patient.firstName}, your results are normal.';
    const fr = form.querySelector<HTMLTextAreaElement>('#canned-bodyFr')!;
    fr.value = 'Bonjour {patient.prenom}, vos résultats sont normaux.';
    form.requestSubmit();
    await waitUntil(() => root.querySelector('#canned-bodyFr-error'), 'the refusal shown at the French text');
    expect(root.querySelector('#canned-bodyFr-error')!.textContent).to.equal('Le modèle utilise {patient.prenom}, qui n’est pas rempli. Utilisez {patient.firstName}, {patient.lastName}, {clinic.name} ou {staff.name}.');
    expect(fr.getAttribute('aria-invalid')).to.equal('true');
    expect(fr.getAttribute('aria-describedby')).to.contain('canned-bodyFr-error');
    expect(root.activeElement).to.equal(fr);
    await expect(p.el).to.be.accessible();
    fr.value = 'Bonjour {patient.firstName}, vos résultats sont normaux.';
    form.requestSubmit();
    await waitUntil(() => root.querySelector('ul li strong')?.textContent === 'Résultats', 'the template listed');
    expect(posted[1]).to.deep.equal({ title: 'Résultats', body: 'Hello {patient.firstName}, your results are normal.', bodyFr: 'Bonjour {patient.firstName}, vos résultats sont normaux.' });
    expect(root.querySelector('#canned-bodyFr-error')).to.equal(null);
  });
});
