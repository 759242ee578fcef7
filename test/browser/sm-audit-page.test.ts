import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import '../../admin/pages/sm-audit-page.js';
import type { SmAuditPage } from '../../admin/pages/sm-audit-page.js';
import { AdminApi } from '../../admin/admin-api.js';
import type { AuditEntry, AuditVerification, Me, Patient } from '../../shared/api.js';
import { startWorker, worker } from './msw.js';

const me: Me = { staff: { id: 's1', name: 'Dana', email: 'd@x.test', role: 'admin', disabled: false, createdAt: '' }, clinic: { id: 'c1', slug: 'north', name: 'North' }, devMailbox: false };
const AMELIE = '11111111-1111-4111-8111-111111111111';
const entry = (over: Partial<AuditEntry>): AuditEntry => ({
  id: crypto.randomUUID(), at: '2026-11-25T18:30:00.000Z', actorType: 'staff', actorId: 's2', actorName: 'Sam Staff', role: 'staff',
  patientId: AMELIE, patientName: 'Amélie Tremblay', action: 'patient.read', target: 'patient-details', outcome: 'ok', requestId: 'r1', ...over,
});
const amelie: Patient = { id: AMELIE, name: 'Amélie Tremblay', dateOfBirth: '1984-03-09', email: 'a@x.test', phone: null, mobile: null, smsConsentAt: null, healthNumber: null, lang: 'fr', consentedAt: null, createdAt: '2026-01-01T00:00:00.000Z' };

const shadow = (el: Element) => el.shadowRoot!;
const rows = (el: Element) => [...shadow(el).querySelectorAll('tbody tr')].map((r) => r.textContent!.replace(/\s+/g, ' ').trim());
const button = (el: Element, text: string) => [...shadow(el).querySelectorAll('button')].find((b) => b.textContent!.replace(/\s+/g, ' ').trim() === text);
const chainStatus = (el: Element) => shadow(el).querySelector('p.chain[role=status]')?.textContent?.trim() ?? '';

function serve(verification: AuditVerification, queries: string[]) {
  worker.use(
    http.get('/api/audit/verify', () => HttpResponse.json(verification)),
    http.get('/api/audit', ({ request }) => {
      const search = new URL(request.url).searchParams;
      queries.push(search.toString());
      const entries = search.get('patientId') ? [entry({})] : [entry({}), entry({ patientId: '22222222-2222-4222-8222-222222222222', patientName: 'Bob Martin' }), entry({ patientId: null, patientName: null, action: 'staff.sign-in', target: 'session' })];
      return HttpResponse.json({ entries, nextCursor: null });
    }),
    http.get('/api/patients', ({ request }) => HttpResponse.json({ patients: new URL(request.url).searchParams.get('q') === 'tremblay' ? [amelie] : [], nextCursor: null })),
  );
}

describe('<sm-audit-page>', () => {
  before(startWorker);
  afterEach(() => worker.resetHandlers());

  it('says the log is intact and names patients, not ids', async () => {
    const queries: string[] = [];
    serve({ intact: true, entries: 42, broken: null }, queries);
    const el = await fixture<SmAuditPage>(html`<sm-audit-page .api=${new AdminApi()} .me=${me}></sm-audit-page>`);
    await waitUntil(() => rows(el).length === 3 && chainStatus(el).includes('verified'), 'entries and verification shown');
    expect(chainStatus(el)).to.equal('Audit log verified: 42 entries, intact.');
    expect(rows(el)[0]).to.contain('Amélie Tremblay').and.not.contain(AMELIE);
    expect(rows(el)[1]).to.contain('Bob Martin');
    expect(rows(el)[2]).to.contain('staff.sign-in').and.contain('—');
    expect(shadow(el).querySelector<HTMLAnchorElement>('a.export')!.getAttribute('href')).to.equal('/api/audit/export.csv?');
    await expect(el).to.be.accessible();
  });

  it('filters by a patient picked by name, exports that filter, and clears it', async () => {
    const queries: string[] = [];
    serve({ intact: true, entries: 3, broken: null }, queries);
    const el = await fixture<SmAuditPage>(html`<sm-audit-page .api=${new AdminApi()} .me=${me}></sm-audit-page>`);
    await waitUntil(() => rows(el).length === 3);
    const search = shadow(el).querySelector<HTMLInputElement>('input[name=patientQuery]')!;
    search.value = 'nobody';
    button(el, 'Search')!.click();
    await waitUntil(() => shadow(el).querySelector('form [role=status]'));
    expect(shadow(el).querySelector('form [role=status]')!.textContent).to.equal('No patient matches “nobody”.');
    search.value = 'tremblay';
    search.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, composed: true }));
    await waitUntil(() => shadow(el).querySelector('ul.found button'), 'patients found');
    const pick = shadow(el).querySelector<HTMLButtonElement>('ul.found button')!;
    expect(pick.getAttribute('aria-label')).to.equal('Show entries for Amélie Tremblay (1984-03-09)');
    expect(queries).to.deep.equal(['limit=200'], 'Enter searched, it did not submit the filter');
    await expect(el).to.be.accessible();
    pick.click();
    await waitUntil(() => rows(el).length === 1, 'filtered');
    expect(queries[1]).to.equal(`patientId=${AMELIE}&limit=200`);
    expect(shadow(el).querySelector('p.chosen')!.textContent).to.contain('Patient: Amélie Tremblay');
    expect(shadow(el).querySelector<HTMLAnchorElement>('a.export')!.getAttribute('href')).to.equal(`/api/audit/export.csv?patientId=${AMELIE}`);
    expect(shadow(el).activeElement, 'focus on the clear button').to.equal(button(el, 'All patients'));
    button(el, 'All patients')!.click();
    await waitUntil(() => rows(el).length === 3, 'filter cleared');
    expect(queries[2]).to.equal('limit=200');
  });

  it('says where the chain is broken, in French', async () => {
    serve({ intact: false, entries: 6, broken: { seq: 7, rowId: 'x', reason: 'gap' } }, []);
    const el = await fixture<SmAuditPage>(html`<sm-audit-page .api=${new AdminApi()} .me=${me} .lang=${'fr'}></sm-audit-page>`);
    await waitUntil(() => chainStatus(el).includes('7'));
    expect(chainStatus(el)).to.equal("La vérification du journal d'audit a échoué à l'entrée 7 : une entrée manque. Le journal a peut-être été altéré; prévenez votre responsable de la protection de la vie privée.");
    expect(shadow(el).querySelector('p.chain')!.classList.contains('error')).to.equal(true);
    await expect(el).to.be.accessible();
  });

  it('reads older entries a page at a time and moves focus to the first new row', async () => {
    const queries: string[] = [];
    worker.use(
      http.get('/api/audit/verify', () => HttpResponse.json({ intact: true, entries: 3, broken: null })),
      http.get('/api/audit', ({ request }) => {
        const search = new URL(request.url).searchParams;
        queries.push(search.toString());
        return HttpResponse.json(
          search.get('cursor') === 'page2'
            ? { entries: [entry({ at: '2026-11-20T10:00:00.000Z', patientName: 'Bob Martin' })], nextCursor: null }
            : { entries: [entry({}), entry({ action: 'thread.read' })], nextCursor: 'page2' },
        );
      }),
    );
    const el = await fixture<SmAuditPage>(html`<sm-audit-page .api=${new AdminApi()} .me=${me}></sm-audit-page>`);
    await waitUntil(() => rows(el).length === 2, 'first page');
    button(el, 'Show more')!.click();
    await waitUntil(() => rows(el).length === 3, 'second page appended');
    expect(queries[1]).to.equal('limit=200&cursor=page2');
    expect(rows(el)[2]).to.contain('Bob Martin');
    expect(button(el, 'Show more'), 'no more pages').to.equal(undefined);
    expect(shadow(el).activeElement).to.equal(shadow(el).querySelectorAll('tbody tr > td:first-child time')[2]);
    await expect(el).to.be.accessible();
  });
});
