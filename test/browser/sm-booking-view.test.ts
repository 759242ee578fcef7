import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { http, HttpResponse } from 'msw';
import '../../widget/frame/booking/sm-booking-view.js';
import { PatientApi } from '../../widget/frame/patient-api.js';
import type { SmBookingView } from '../../widget/frame/booking/sm-booking-view.js';
import type { Appointment, BookingOptions, SlotList } from '../../shared/booking.js';
import { startWorker, worker } from './msw.js';

const options: BookingOptions = {
  enabled: true, timeZone: 'America/Toronto', clinicName: 'North Clinic', cancelCutoffHours: 24,
  types: [{ id: 'follow', name: { en: 'Follow-up', fr: 'Suivi' }, durationMinutes: 30, mode: 'in-person', location: '12 Main St', providerIds: ['shah', 'roy'] }],
  providers: [{ id: 'shah', name: 'Dr. Shah' }, { id: 'roy', name: 'Dr. Roy' }],
};
// 09:00 and 09:30 Toronto (EST) on 2 March 2099, and 10:00 the next day.
const slots: SlotList = {
  timeZone: 'America/Toronto', nextAvailable: null,
  slots: [
    { providerId: 'shah', startsAt: '2099-03-02T14:00:00.000Z', endsAt: '2099-03-02T14:30:00.000Z' },
    { providerId: 'roy', startsAt: '2099-03-02T14:30:00.000Z', endsAt: '2099-03-02T15:00:00.000Z' },
    { providerId: 'shah', startsAt: '2099-03-03T15:00:00.000Z', endsAt: '2099-03-03T15:30:00.000Z' },
  ],
};
const appointment = (over: Partial<Appointment> = {}): Appointment => ({
  id: 'a1', typeId: 'follow', typeName: { en: 'Follow-up', fr: 'Suivi' }, providerId: 'roy', providerName: 'Dr. Roy', startsAt: slots.slots[1]!.startsAt, endsAt: slots.slots[1]!.endsAt,
  mode: 'in-person', location: '12 Main St', status: 'booked', changeable: true, ...over,
});
const shadow = (el: Element) => el.shadowRoot!;
const text = (el: Element) => shadow(el).textContent!.replace(/\s+/g, ' ');

describe('<sm-booking-view>', () => {
  before(startWorker);
  afterEach(() => worker.resetHandlers());

  it('lists open times by day in a listbox the keyboard can drive, books the chosen one and shows it under My appointments', async () => {
    const booked: unknown[] = [];
    let mine: Appointment[] = [];
    worker.use(
      http.get('/api/patient/booking/options', () => HttpResponse.json(options)),
      http.get('/api/patient/booking/slots', () => HttpResponse.json(slots)),
      http.get('/api/patient/appointments', () => HttpResponse.json(mine)),
      http.post('/api/patient/appointments', async ({ request }) => {
        booked.push(await request.json());
        mine = [appointment()];
        return HttpResponse.json(mine[0], { status: 201 });
      }),
    );
    const view = await fixture<SmBookingView>(html`<sm-booking-view .api=${new PatientApi('north', 'en')}></sm-booking-view>`);
    await waitUntil(() => shadow(view).querySelector('[role=option]'));
    expect(text(view)).to.contain('You have no upcoming appointments.');
    const groups = shadow(view).querySelectorAll('[role=listbox] [role=group]');
    expect(groups.length).to.equal(2, 'one group per day');
    expect(groups[0]!.textContent).to.contain('Monday, March 2');
    const options_ = [...shadow(view).querySelectorAll<HTMLElement>('[role=option]')];
    expect(options_.map((o) => o.tabIndex)).to.deep.equal([0, -1, -1], 'one tab stop');
    expect(options_[0]!.textContent).to.contain('9:00');
    await expect(view).to.be.accessible();

    options_[0]!.focus();
    await sendKeys({ press: 'ArrowDown' });
    await view.updateComplete;
    expect(shadow(view).activeElement?.getAttribute('data-index')).to.equal('1');
    await sendKeys({ press: 'Enter' });
    await view.updateComplete;
    expect(shadow(view).querySelector('[data-index="1"]')!.getAttribute('aria-selected')).to.equal('true');
    expect(text(view)).to.contain('Follow-up with Dr. Roy on Monday, March 2 at 9:30');
    await expect(view).to.be.accessible();

    [...shadow(view).querySelectorAll('button')].find((b) => b.textContent!.includes('Book this time'))!.click();
    await waitUntil(() => text(view).includes('Booked for'));
    expect(booked).to.deep.equal([{ typeId: 'follow', providerId: 'roy', startsAt: slots.slots[1]!.startsAt, lang: 'en' }]);
    expect(shadow(view).querySelector('.appointments')!.textContent).to.contain('Dr. Roy');
  });

  it('says when the next open time is when a week is empty, and words a taken slot in French', async () => {
    let asked = 0;
    worker.use(
      http.get('/api/patient/booking/options', () => HttpResponse.json(options)),
      http.get('/api/patient/booking/slots', () => HttpResponse.json(asked++ === 0 ? { timeZone: 'America/Toronto', slots: [], nextAvailable: '2099-03-09T14:00:00.000Z' } : slots)),
      http.get('/api/patient/appointments', () => HttpResponse.json([])),
      http.post('/api/patient/appointments', () => HttpResponse.json({ code: 'slot_taken', message: 'That time was just booked' }, { status: 409 })),
    );
    const view = await fixture<SmBookingView>(html`<sm-booking-view lang="fr" .api=${new PatientApi('north', 'fr')}></sm-booking-view>`);
    await waitUntil(() => text(view).includes('Aucune heure libre'));
    expect(text(view)).to.contain('La prochaine est le lundi 9 mars');
    await expect(view).to.be.accessible();
    [...shadow(view).querySelectorAll('button')].find((b) => b.textContent!.includes('Afficher cette semaine'))!.click();
    await waitUntil(() => shadow(view).querySelector('[role=option]'));
    shadow(view).querySelector<HTMLElement>('[role=option]')!.click();
    await view.updateComplete;
    [...shadow(view).querySelectorAll('button')].find((b) => b.textContent!.includes('Réserver cette heure'))!.click();
    await waitUntil(() => shadow(view).querySelector('[role=alert]'));
    expect(shadow(view).querySelector('[role=alert]')!.textContent).to.contain("Quelqu'un vient de réserver cette heure");
  });

  it('says booking is closed with how to reach the clinic, and cancels an appointment after asking', async () => {
    let cancelled = false;
    worker.use(
      http.get('/api/patient/booking/options', () => HttpResponse.json({ ...options, enabled: false })),
      http.get('/api/patient/appointments', () => HttpResponse.json(cancelled ? [] : [appointment(), appointment({ id: 'a2', changeable: false })])),
      http.post('/api/patient/appointments/a1/cancel', () => {
        cancelled = true;
        return HttpResponse.json(appointment({ status: 'cancelled' }));
      }),
    );
    const view = await fixture<SmBookingView>(html`<sm-booking-view .api=${new PatientApi('north', 'en')}></sm-booking-view>`);
    await waitUntil(() => text(view).includes('My appointments') && shadow(view).querySelector('.appointments'));
    expect(text(view)).to.contain('Online booking is not open at North Clinic now. Please call the clinic to book.');
    expect(text(view)).to.contain('call the clinic (online changes close 24 hours before)');
    [...shadow(view).querySelectorAll('button')].find((b) => b.textContent!.includes('Cancel this appointment'))!.click();
    await view.updateComplete;
    await expect(view).to.be.accessible();
    [...shadow(view).querySelectorAll('button')].find((b) => b.textContent!.includes('Yes, cancel it'))!.click();
    await waitUntil(() => text(view).includes('The appointment is cancelled.'));
    expect(cancelled).to.equal(true);
    expect(text(view)).to.contain('You have no upcoming appointments.');
  });

  it('moves an appointment to another open time', async () => {
    const moves: unknown[] = [];
    worker.use(
      http.get('/api/patient/booking/options', () => HttpResponse.json(options)),
      http.get('/api/patient/booking/slots', () => HttpResponse.json(slots)),
      http.get('/api/patient/appointments', () => HttpResponse.json([appointment(moves.length ? { startsAt: slots.slots[2]!.startsAt, providerId: 'shah', providerName: 'Dr. Shah' } : {})])),
      http.post('/api/patient/appointments/a1/reschedule', async ({ request }) => {
        moves.push(await request.json());
        return HttpResponse.json(appointment({ startsAt: slots.slots[2]!.startsAt }));
      }),
    );
    const view = await fixture<SmBookingView>(html`<sm-booking-view .api=${new PatientApi('north', 'en')}></sm-booking-view>`);
    await waitUntil(() => shadow(view).querySelector('.appointments') && shadow(view).querySelector('[role=option]'));
    [...shadow(view).querySelectorAll('button')].find((b) => b.textContent!.includes('Change the time'))!.click();
    await waitUntil(() => text(view).includes('Choose a new time for your appointment of Monday, March 2'));
    await waitUntil(() => shadow(view).querySelector('[data-index="2"]'));
    shadow(view).querySelector<HTMLElement>('[data-index="2"]')!.click();
    await view.updateComplete;
    await expect(view).to.be.accessible();
    [...shadow(view).querySelectorAll('button')].find((b) => b.textContent!.includes('Move to this time'))!.click();
    await waitUntil(() => text(view).includes('Moved to'));
    expect(moves).to.deep.equal([{ providerId: 'shah', startsAt: slots.slots[2]!.startsAt }]);
    expect(text(view)).not.to.contain('Choose a new time');
  });

  it('starts on the type and provider the clinic’s page named', async () => {
    const asked: string[] = [];
    worker.use(
      http.get('/api/patient/booking/options', () => HttpResponse.json(options)),
      http.get('/api/patient/booking/slots', ({ request }) => {
        asked.push(new URL(request.url).searchParams.get('providerId') ?? '');
        return HttpResponse.json(slots);
      }),
      http.get('/api/patient/appointments', () => HttpResponse.json([])),
    );
    const view = await fixture<SmBookingView>(html`<sm-booking-view type="follow" provider="roy" .api=${new PatientApi('north', 'en')}></sm-booking-view>`);
    await waitUntil(() => shadow(view).querySelector('[role=option]'));
    expect(asked).to.deep.equal(['roy']);
    expect(shadow(view).querySelectorAll('select')[1]!.value).to.equal('roy');
  });
});
