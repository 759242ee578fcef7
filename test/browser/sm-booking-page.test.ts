import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import '../../admin/pages/sm-booking-page.js';
import type { SmBookingPage } from '../../admin/pages/sm-booking-page.js';
import { AdminApi } from '../../admin/admin-api.js';
import type { Me } from '../../shared/api.js';
import type { AppointmentType, BookingRules, Provider, StaffAppointment, StaffWaitlistEntry, WeeklyHours } from '../../shared/booking.js';
import { startWorker, worker } from './msw.js';

const me = (role: 'admin' | 'staff'): Me => ({ staff: { id: 's1', name: 'Dana', email: 'd@x.test', role, disabled: false, createdAt: '' }, clinic: { id: 'c1', slug: 'north', name: 'North' }, devMailbox: false });
const rules: BookingRules = { enabled: true, minNoticeMinutes: 120, horizonDays: 60, maxUpcomingPerPatient: 3, cancelCutoffHours: 24, slotStepMinutes: 15, reminderMinutesBefore: [2880, 120] };
const shah: Provider = { id: 'shah', name: 'Dr. Shah', staffId: null, active: true, feed: false };
const visit = (over: Partial<StaffAppointment> = {}): StaffAppointment => ({
  id: 'a1', typeId: 't1', typeName: { en: 'Follow-up', fr: 'Suivi' }, providerId: 'shah', providerName: 'Dr. Shah', startsAt: '2099-03-02T14:00:00.000Z', endsAt: '2099-03-02T14:30:00.000Z',
  mode: 'in-person', location: '', status: 'booked', changeable: true, patientId: 'p1', patientName: 'Jamie Patient', ...over,
});
const shadow = (el: Element) => el.shadowRoot!;
const text = (el: Element) => shadow(el).textContent!.replace(/\s+/g, ' ');
const button = (el: Element, label: string) => [...shadow(el).querySelectorAll('button')].find((b) => b.textContent!.trim() === label)!;

function api(state: { day: StaffAppointment[]; hours: WeeklyHours[]; patches: unknown[]; added: unknown[]; types?: AppointmentType[] }) {
  worker.use(
    http.get('/api/messaging/settings', () => HttpResponse.json({ timeZone: 'America/Toronto' })),
    http.get('/api/booking/appointments', () => HttpResponse.json(state.day)),
    http.patch('/api/booking/appointments/:id', async ({ request }) => {
      state.patches.push(await request.json());
      state.day = state.day.map((a) => ({ ...a, status: 'cancelled' as const }));
      return HttpResponse.json(state.day[0]);
    }),
    http.get('/api/booking/rules', () => HttpResponse.json(rules)),
    http.get('/api/booking/providers', () => HttpResponse.json([shah])),
    http.get('/api/booking/types', () => HttpResponse.json(state.types ?? [])),
    http.get('/api/questionnaires', () => HttpResponse.json([{ id: 'q1', title: 'Pre-visit check', titleFr: 'Vérification avant la visite', libraryKey: null, version: 1, versionId: 'v1', updatedAt: '2026-01-01T00:00:00.000Z' }])),
    http.put('/api/booking/types/:id', async ({ request }) => {
      const body = (await request.json()) as AppointmentType;
      state.added.push(body);
      state.types = [{ ...body, id: 't1', questionnaireId: body.questionnaireId ?? null }];
      return HttpResponse.json(state.types[0]);
    }),
    http.get('/api/booking/hours', () => HttpResponse.json(state.hours)),
    http.post('/api/booking/hours', async ({ request }) => {
      const body = (await request.json()) as WeeklyHours;
      state.added.push(body);
      state.hours = [{ ...body, id: 'h1', rrule: 'FREQ=WEEKLY;BYDAY=MO' }];
      return HttpResponse.json(state.hours[0], { status: 201 });
    }),
    http.get('/api/booking/exceptions', () => HttpResponse.json([])),
  );
}

describe('<sm-booking-page>', () => {
  before(startWorker);
  afterEach(() => worker.resetHandlers());

  it('lists the day’s appointments in the clinic’s time and cancels one', async () => {
    const state = { day: [visit()], hours: [], patches: [] as unknown[], added: [] as unknown[] };
    api(state);
    const el = await fixture<SmBookingPage>(html`<sm-booking-page .api=${new AdminApi()} .me=${me('staff')}></sm-booking-page>`);
    await waitUntil(() => shadow(el).querySelector('tbody tr'));
    expect(shadow(el).querySelector('tbody tr')!.textContent!.replace(/\s+/g, ' ')).to.contain('9:00').and.contain('Jamie Patient').and.contain('Follow-up').and.contain('Booked');
    expect(text(el)).not.to.contain('Weekly hours', 'set-up is for administrators');
    await expect(el).to.be.accessible();
    button(el, 'Cancel').click();
    await waitUntil(() => text(el).includes('Cancelled'));
    expect(state.patches).to.deep.equal([{ status: 'cancelled' }]);
  });

  it('lets an administrator add weekly hours (in French)', async () => {
    const state = { day: [], hours: [], patches: [] as unknown[], added: [] as unknown[] };
    api(state);
    const el = await fixture<SmBookingPage>(html`<sm-booking-page lang="fr" .api=${new AdminApi()} .me=${me('admin')}></sm-booking-page>`);
    await waitUntil(() => text(el).includes('Heures hebdomadaires') && shadow(el).querySelector('input[name=days]'));
    expect(text(el)).to.contain('Aucun rendez-vous ce jour-là.');
    await expect(el).to.be.accessible();
    // Its button is enabled once the whole page has loaded (the administrator's questionnaires, the waitlist).
    await waitUntil(() => !button(el, 'Ajouter des heures').disabled, 'the page loaded');
    button(el, 'Ajouter des heures').click();
    await waitUntil(() => state.added.length === 1);
    expect(state.added[0]).to.deep.equal({ providerId: 'shah', days: ['MO', 'TU', 'WE', 'TH', 'FR'], start: '09:00', end: '17:00' });
    await waitUntil(() => text(el).includes('Dr. Shah: lun'), 'the new hours listed', { timeout: 5000 });
  });

  it('words a refusal from its code in the reader’s language, not the server’s English', async () => {
    const state = { day: [visit()], hours: [], patches: [] as unknown[], added: [] as unknown[] };
    api(state);
    worker.use(http.patch('/api/booking/appointments/:id', () => HttpResponse.json({ code: 'not_booked', message: 'This appointment is no longer booked' }, { status: 409 })));
    const el = await fixture<SmBookingPage>(html`<sm-booking-page lang="fr" .api=${new AdminApi()} .me=${me('staff')}></sm-booking-page>`);
    await waitUntil(() => shadow(el).querySelector('tbody tr'));
    button(el, 'Annuler').click();
    await waitUntil(() => shadow(el).querySelector('[role=alert]'));
    expect(shadow(el).querySelector('[role=alert]')!.textContent).to.equal("Ce rendez-vous n'est plus réservé; la liste est maintenant à jour.");
  });

  it('lets an administrator choose the questionnaire a type sends after booking (in French)', async () => {
    const followUp: AppointmentType = { id: 't1', name: { en: 'Follow-up', fr: 'Suivi' }, durationMinutes: 15, mode: 'phone', location: '', bufferBeforeMinutes: 0, bufferAfterMinutes: 0, existingPatientsOnly: true, providerIds: [], active: true, questionnaireId: null };
    const state = { day: [], hours: [], patches: [] as unknown[], added: [] as unknown[], types: [followUp] };
    api(state);
    const el = await fixture<SmBookingPage>(html`<sm-booking-page lang="fr" .api=${new AdminApi()} .me=${me('admin')}></sm-booking-page>`);
    await waitUntil(() => shadow(el).querySelector('label.type-questionnaire select option[value=q1]'), 'the clinic’s questionnaires offered');
    const select = shadow(el).querySelector<HTMLSelectElement>('label.type-questionnaire select')!;
    expect(select.closest('label')!.textContent).to.contain('Questionnaire envoyé après la réservation de Suivi');
    expect(select.value).to.equal('');
    await expect(el).to.be.accessible();
    select.value = 'q1';
    select.dispatchEvent(new Event('change'));
    await waitUntil(() => state.added.length === 1, 'the type replaced');
    const expected: Partial<AppointmentType> = { ...followUp, questionnaireId: 'q1' };
    delete expected.id;
    expect(state.added[0]).to.deep.equal(expected, 'every other field kept as it was');
    await waitUntil(() => shadow(el).querySelector<HTMLSelectElement>('label.type-questionnaire select')!.value === 'q1');
  });

  it('shows the waitlist with any time held, and lets staff remove an entry', async () => {
    const state = { day: [], hours: [], patches: [] as unknown[], added: [] as unknown[] };
    api(state);
    const entry = (over: Partial<StaffWaitlistEntry>): StaffWaitlistEntry => ({
      id: 'w1', typeId: 't1', typeName: { en: 'Follow-up', fr: 'Suivi' }, providerId: null, providerName: null, earliest: '2099-03-02', latest: '2099-03-13',
      joinedAt: '2099-02-01T15:00:00.000Z', offer: null, patientId: 'p1', patientName: 'Jamie Patient', ...over,
    });
    let list = [
      entry({ offer: { id: 'h1', providerId: 'shah', providerName: 'Dr. Shah', startsAt: '2099-03-02T14:00:00.000Z', endsAt: '2099-03-02T14:30:00.000Z', expiresAt: '2099-03-01T16:00:00.000Z' } }),
      entry({ id: 'w2', providerId: 'shah', providerName: 'Dr. Shah', patientId: 'p2', patientName: 'Robin Waiting' }),
    ];
    const removed: string[] = [];
    worker.use(
      http.get('/api/booking/waitlist', () => HttpResponse.json(list)),
      http.delete('/api/booking/waitlist/:id', ({ params }) => {
        removed.push(String(params.id));
        list = list.filter((e) => e.id !== params.id);
        return HttpResponse.json({ ok: true });
      }),
    );
    const el = await fixture<SmBookingPage>(html`<sm-booking-page .api=${new AdminApi()} .me=${me('staff')}></sm-booking-page>`);
    await waitUntil(() => shadow(el).querySelector('section[aria-labelledby=waitlist-h] tbody tr'));
    const rows = [...shadow(el).querySelectorAll('section[aria-labelledby=waitlist-h] tbody tr')].map((r) => r.textContent!.replace(/\s+/g, ' '));
    expect(rows[0]).to.contain('Jamie Patient').and.contain('Any').and.contain('Held:').and.contain('Dr. Shah');
    expect(rows[1]).to.contain('Robin Waiting').and.contain('Waiting');
    await expect(el).to.be.accessible();
    shadow(el).querySelector<HTMLButtonElement>('button[aria-label="Remove: Robin Waiting, Follow-up"]')!.click();
    await waitUntil(() => text(el).includes('Robin Waiting is no longer on the waitlist.'));
    expect(removed).to.deep.equal(['w2']);
    expect(shadow(el).querySelectorAll('section[aria-labelledby=waitlist-h] tbody tr').length).to.equal(1);
    expect(shadow(el).activeElement?.id).to.equal('waitlist-h');
  });

  it('saves the reminder channel, and words the refusal when texts are not set up (in French)', async () => {
    const state = { day: [], hours: [], patches: [] as unknown[], added: [] as unknown[] };
    api(state);
    const saved: unknown[] = [];
    worker.use(
      http.put('/api/booking/rules', async ({ request }) => {
        saved.push(await request.json());
        return HttpResponse.json({ code: 'sms_unavailable', message: 'Text messages are not set up on this server' }, { status: 409 });
      }),
    );
    const el = await fixture<SmBookingPage>(html`<sm-booking-page lang="fr" .api=${new AdminApi()} .me=${me('admin')}></sm-booking-page>`);
    await waitUntil(() => shadow(el).querySelector('select[name=reminderChannel]'));
    const select = shadow(el).querySelector<HTMLSelectElement>('select[name=reminderChannel]')!;
    expect(select.labels![0]!.textContent).to.contain('Envoyer les rappels par');
    expect([...select.options].map((o) => o.textContent)).to.deep.equal(['Courriel', 'Texto', 'Courriel et texto']);
    expect(select.value).to.equal('email');
    select.value = 'both';
    select.closest('form')!.requestSubmit();
    await waitUntil(() => shadow(el).querySelector('[role=alert]'));
    expect((saved[0] as { reminderChannel: string }).reminderChannel).to.equal('both');
    expect(shadow(el).querySelector('[role=alert]')!.textContent).to.equal('Les textos ne sont pas configurés sur ce serveur. Choisissez plutôt le courriel.');
    await expect(el).to.be.accessible();
  });
});
