/**
 * The admin's Booking requests page (msw): pending requests with who asked, the time, the existing
 * patient they match and whether the time is still kept; approving announces the booking where the
 * focus lands; a taken time offers another day's open times to approve at; declining sends the note;
 * in French.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import '../../admin/pages/sm-booking-requests-page.js';
import type { SmBookingRequestsPage } from '../../admin/pages/sm-booking-requests-page.js';
import { AdminApi } from '../../admin/admin-api.js';
import type { Me } from '../../shared/api.js';
import type { StaffAppointment, StaffBookingRequest } from '../../shared/booking.js';
import { startWorker, worker } from './msw.js';

const me: Me = { staff: { id: 's1', name: 'Dana', email: 'd@x.test', role: 'staff', disabled: false, createdAt: '' }, clinic: { id: 'c1', slug: 'north', name: 'North' }, devMailbox: false };
const request = (over: Partial<StaffBookingRequest> = {}): StaffBookingRequest => ({
  id: 'r1', typeId: 'intake', typeName: { en: 'New patient visit', fr: 'Visite nouveau patient' }, providerId: 'shah', providerName: 'Dr. Shah',
  // 10:00 Toronto (EST), Monday 2 March 2099.
  startsAt: '2099-03-02T15:00:00.000Z', endsAt: '2099-03-02T15:30:00.000Z', timeZone: 'America/Toronto',
  name: 'Sam Lee', dateOfBirth: '1990-04-05', email: 'sam@example.org', phone: null, healthNumber: '1234567890AB', lang: 'en', status: 'pending',
  held: true, holdExpiresAt: '2099-02-27T15:00:00.000Z', match: null, patientId: null, appointmentId: null, createdAt: '2099-02-24T15:00:00.000Z', ...over,
});
const appointment = (startsAt: string): StaffAppointment => ({
  id: 'a1', typeId: 'intake', typeName: { en: 'New patient visit', fr: 'Visite nouveau patient' }, providerId: 'shah', providerName: 'Dr. Shah', startsAt, endsAt: startsAt,
  mode: 'in-person', location: '', status: 'booked', changeable: true, patientId: 'p1', patientName: 'Sam Lee',
});

const shadow = (el: Element) => el.shadowRoot!;
const text = (el: Element) => shadow(el).textContent!.replace(/\s+/g, ' ');
const button = (el: Element, label: string) => [...shadow(el).querySelectorAll('button')].find((b) => b.textContent!.trim() === label)!;

describe('<sm-booking-requests-page>', () => {
  before(startWorker);
  afterEach(() => worker.resetHandlers());

  it('lists pending requests, and after a taken time approves at another open time, announcing it where the focus lands', async () => {
    const approvals: unknown[] = [];
    let list = [request(), request({ id: 'r2', name: 'Lou Roy', healthNumber: null, phone: '613-555-0100', held: false, match: { patientId: 'p9', patientName: 'Louise Roy', by: 'email' } })];
    worker.use(
      http.get('/api/booking/requests', () => HttpResponse.json(list)),
      http.get('/api/booking/providers', () => HttpResponse.json([{ id: 'shah', name: 'Dr. Shah', staffId: null, active: true, feed: false }])),
      http.get('/api/booking/slots', () => HttpResponse.json({ timeZone: 'America/Toronto', nextAvailable: null, slots: [{ providerId: 'shah', startsAt: '2099-03-02T19:00:00.000Z', endsAt: '2099-03-02T19:30:00.000Z' }] })),
      http.post('/api/booking/requests/:id/approve', async ({ request: req }) => {
        const body = (await req.json()) as { startsAt?: string };
        approvals.push(body);
        if (!body.startsAt) return HttpResponse.json({ code: 'slot_taken', message: 'taken', requestId: 'x' }, { status: 409 });
        list = list.slice(1);
        return HttpResponse.json(appointment(body.startsAt), { status: 201 });
      }),
    );
    const el = await fixture<SmBookingRequestsPage>(html`<sm-booking-requests-page .api=${new AdminApi()} .me=${me}></sm-booking-requests-page>`);
    await waitUntil(() => shadow(el).querySelectorAll('.requests > li').length === 2);
    expect(shadow(el).querySelector('h1')!.textContent).to.equal('Booking requests');
    const [first, second] = [...shadow(el).querySelectorAll('.requests > li')].map((li) => li.textContent!.replace(/\s+/g, ' '));
    expect(first).to.contain('Sam Lee').and.contain('New patient visit with Dr. Shah, Monday, March 2, 2099 at 10:00').and.contain('Health card 1234567890AB').and.contain('Not a patient yet');
    expect(first).to.contain('Time kept for this request until');
    expect(second).to.contain('Same e-mail as the patient Louise Roy').and.contain('Phone 613-555-0100').and.contain('no longer kept');
    await expect(el).to.be.accessible();

    shadow(el).querySelector<HTMLButtonElement>('button[aria-label="Approve the request of Sam Lee"]')!.click();
    await waitUntil(() => shadow(el).querySelector('#error'));
    expect(shadow(el).querySelector('#error')!.textContent).to.contain('The time Sam Lee asked for is no longer free');
    expect(shadow(el).activeElement?.id).to.equal('error', 'focus on the alert');
    await waitUntil(() => shadow(el).querySelector('select[name=slot]'));
    expect(shadow(el).querySelector('select[name=slot]')!.textContent).to.contain('2:00').and.contain('Dr. Shah');
    await expect(el).to.be.accessible();

    button(el, 'Approve at this time').click();
    await waitUntil(() => shadow(el).querySelectorAll('.requests > li').length === 1);
    expect(approvals).to.deep.equal([{}, { providerId: 'shah', startsAt: '2099-03-02T19:00:00.000Z' }]);
    const status = shadow(el).querySelector('#status')!;
    expect(status.textContent).to.equal('Approved: Monday, March 2, 2099 at 2:00 p.m. is booked for Sam Lee.');
    await waitUntil(() => shadow(el).activeElement?.id === 'status', 'focus on the status');
  });

  it('declines with a note, in French', async () => {
    const declined: unknown[] = [];
    worker.use(
      http.get('/api/booking/requests', () => HttpResponse.json(declined.length ? [] : [request()])),
      http.get('/api/booking/providers', () => HttpResponse.json([])),
      http.post('/api/booking/requests/:id/decline', async ({ request: req, params }) => {
        declined.push({ id: params.id, ...((await req.json()) as object) });
        return HttpResponse.json({ ok: true });
      }),
    );
    const el = await fixture<SmBookingRequestsPage>(html`<sm-booking-requests-page lang="fr" .api=${new AdminApi()} .me=${me}></sm-booking-requests-page>`);
    await waitUntil(() => shadow(el).querySelector('.requests > li'));
    expect(text(el)).to.contain('Demandes de rendez-vous').and.contain('Visite nouveau patient avec Dr. Shah, le lundi 2 mars 2099 à 10 h 00').and.contain('Pas encore patient');
    shadow(el).querySelector<HTMLButtonElement>('button[aria-label="Refuser la demande de Sam Lee"]')!.click();
    await waitUntil(() => shadow(el).activeElement?.id === 'decline-r1', 'focus on the note');
    const note = shadow(el).querySelector<HTMLTextAreaElement>('#decline-r1')!;
    note.value = 'Nous ne prenons pas de nouveaux patients avant mars.';
    await expect(el).to.be.accessible();
    button(el, 'Refuser et envoyer').click();
    await waitUntil(() => text(el).includes('Aucune demande ici.'));
    expect(declined).to.deep.equal([{ id: 'r1', message: 'Nous ne prenons pas de nouveaux patients avant mars.' }]);
    expect(shadow(el).querySelector('#status')!.textContent).to.equal('Refusée : Sam Lee recevra un courriel.');
    await waitUntil(() => shadow(el).activeElement?.id === 'status');
  });
});
