import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { http, HttpResponse } from 'msw';
import '../../widget/frame/booking/sm-booking-view.js';
import { PatientApi } from '../../widget/frame/patient-api.js';
import type { SmBookingView } from '../../widget/frame/booking/sm-booking-view.js';
import type { Appointment, BookingOptions, SlotList, WaitlistEntry } from '../../shared/booking.js';
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

  it('words each refusal a clinic change can cause in French, refreshes what it changed, and puts focus on the result', async () => {
    let mine: Appointment[] = [appointment()];
    let open = true;
    let booking: 'closed' | 'offline' = 'closed';
    worker.use(
      http.get('/api/patient/booking/options', () => HttpResponse.json({ ...options, enabled: open })),
      http.get('/api/patient/booking/slots', () => HttpResponse.json(slots)),
      http.get('/api/patient/appointments', () => HttpResponse.json(mine)),
      // The clinic cancelled it meanwhile.
      http.post('/api/patient/appointments/a1/cancel', () => ((mine = []), HttpResponse.json({ code: 'not_booked', message: 'This appointment is no longer booked' }, { status: 409 }))),
      http.post('/api/patient/appointments', () => {
        if (booking === 'offline') return HttpResponse.error();
        open = false;
        return HttpResponse.json({ code: 'booking_closed', message: 'The clinic is not taking bookings online now' }, { status: 409 });
      }),
    );
    const view = await fixture<SmBookingView>(html`<sm-booking-view lang="fr" .api=${new PatientApi('north', 'fr')}></sm-booking-view>`);
    await waitUntil(() => shadow(view).querySelector('[role=option]') && shadow(view).querySelector('.appointments'));
    const button = (label: string) => [...shadow(view).querySelectorAll('button')].find((b) => b.textContent!.includes(label))!;
    const alert = () => shadow(view).querySelector('[role=alert]')?.textContent ?? '';

    button('Annuler ce rendez-vous').click();
    await view.updateComplete;
    button("Oui, l'annuler").click();
    await waitUntil(() => alert());
    expect(alert()).to.contain("Ce rendez-vous n'est plus réservé");
    expect(text(view)).to.contain("Vous n'avez aucun rendez-vous à venir.", 'the list shows what the clinic did');
    expect(shadow(view).activeElement?.id).to.equal('booking-status');

    booking = 'offline';
    shadow(view).querySelector<HTMLElement>('[role=option]')!.click();
    await view.updateComplete;
    button('Réserver cette heure').click();
    await waitUntil(() => alert().includes('hors ligne'));
    expect(alert()).to.contain("Vous êtes hors ligne : rien n'a été réservé ni modifié.");

    booking = 'closed';
    button('Réserver cette heure').click();
    await waitUntil(() => alert().includes('vient de fermer'));
    expect(alert()).to.contain('La clinique vient de fermer la prise de rendez-vous en ligne');
    expect(alert()).not.to.contain('Une erreur est survenue');
    await waitUntil(() => text(view).includes("La prise de rendez-vous en ligne n'est pas ouverte"), 'the closed state shows');
    expect(shadow(view).activeElement?.id).to.equal('booking-status');
    await expect(view).to.be.accessible();
  });

  it('hands a session the server ended to the frame (which shows the sign-in) instead of showing an error', async () => {
    worker.use(
      http.get('/api/patient/booking/options', () => HttpResponse.json(options)),
      http.get('/api/patient/booking/slots', () => HttpResponse.json(slots)),
      http.get('/api/patient/appointments', () => HttpResponse.json([])),
      http.post('/api/patient/appointments', () => HttpResponse.json({ code: 'unauthenticated', message: 'Sign in' }, { status: 401 })),
    );
    const view = await fixture<SmBookingView>(html`<sm-booking-view .api=${new PatientApi('north', 'en')}></sm-booking-view>`);
    await waitUntil(() => shadow(view).querySelector('[role=option]'));
    let ended = 0;
    view.addEventListener('sm-session-ended', () => ended++);
    shadow(view).querySelector<HTMLElement>('[role=option]')!.click();
    await view.updateComplete;
    [...shadow(view).querySelectorAll('button')].find((b) => b.textContent!.includes('Book this time'))!.click();
    await waitUntil(() => ended === 1);
    await view.updateComplete;
    expect(shadow(view).querySelector('[role=alert]')).to.equal(null);
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

  it('joins the waitlist when no time suits (a refusal worded first), shows it under My appointments and leaves it', async () => {
    const joins: unknown[] = [];
    let waiting: WaitlistEntry[] = [];
    const entry: WaitlistEntry = { id: 'w1', typeId: 'follow', typeName: { en: 'Follow-up', fr: 'Suivi' }, providerId: null, providerName: null, earliest: '2099-03-02', latest: '2099-03-13', joinedAt: '2099-02-01T12:00:00.000Z', offer: null };
    worker.use(
      http.get('/api/patient/booking/options', () => HttpResponse.json({ ...options, horizonDays: 30 })),
      http.get('/api/patient/booking/slots', () => HttpResponse.json({ timeZone: 'America/Toronto', slots: [], nextAvailable: null })),
      http.get('/api/patient/appointments', () => HttpResponse.json([])),
      http.get('/api/patient/waitlist', () => HttpResponse.json(waiting)),
      http.post('/api/patient/waitlist', async ({ request }) => {
        joins.push(await request.json());
        if (joins.length === 1) return HttpResponse.json({ code: 'too_many_waitlist', message: 'At most 2', params: { limit: 2 } }, { status: 409 });
        waiting = [entry];
        return HttpResponse.json(entry, { status: 201 });
      }),
      http.delete('/api/patient/waitlist/w1', () => {
        waiting = [];
        return HttpResponse.json({ ok: true });
      }),
    );
    const view = await fixture<SmBookingView>(html`<sm-booking-view .api=${new PatientApi('north', 'en')}></sm-booking-view>`);
    await waitUntil(() => text(view).includes('No open times in the weeks ahead'));
    shadow(view).querySelector<HTMLButtonElement>('#wl-open')!.click();
    await waitUntil(() => shadow(view).querySelector('fieldset'));
    await view.updateComplete;
    expect(shadow(view).activeElement?.id).to.equal('wl-earliest', 'focus moves into the form');
    expect(shadow(view).querySelector('legend')!.textContent).to.contain('Follow-up (any provider)');
    await expect(view).to.be.accessible();
    const submit = () => [...shadow(view).querySelectorAll('fieldset button')].find((b) => b.textContent!.includes('Join the waitlist')) as HTMLButtonElement;
    submit().click();
    await waitUntil(() => shadow(view).querySelector('[role=alert]'));
    expect(shadow(view).querySelector('[role=alert]')!.textContent).to.contain('You are on the waitlist 2 times already');
    submit().click();
    await waitUntil(() => text(view).includes('You are on the waitlist for Follow-up'));
    expect(shadow(view).activeElement?.id).to.equal('booking-status', 'the result is read out where focus is');
    const body = joins[1] as { typeId: string; earliest: string; latest: string; lang: string };
    expect(body.typeId).to.equal('follow');
    expect(body.lang).to.equal('en');
    expect(body.latest >= body.earliest).to.equal(true);
    expect(text(view)).to.contain('My waitlist');
    expect(text(view)).to.contain('Follow-up, any provider, from Monday, March 2 to Friday, March 13');
    await expect(view).to.be.accessible();
    [...shadow(view).querySelectorAll('button')].find((b) => b.textContent!.includes('Leave the waitlist'))!.click();
    await waitUntil(() => text(view).includes('You left the waitlist.'));
    expect(text(view)).not.to.contain('My waitlist');
  });

  it('books a time the waitlist holds for the patient, in French', async () => {
    let accepted = false;
    const held: WaitlistEntry = {
      id: 'w1', typeId: 'follow', typeName: { en: 'Follow-up', fr: 'Suivi' }, providerId: null, providerName: null, earliest: '2099-03-02', latest: '2099-03-13', joinedAt: '2099-02-01T12:00:00.000Z',
      offer: { id: 'h1', providerId: 'shah', providerName: 'Dr. Shah', startsAt: slots.slots[0]!.startsAt, endsAt: slots.slots[0]!.endsAt, expiresAt: '2099-03-01T16:00:00.000Z' },
    };
    worker.use(
      http.get('/api/patient/booking/options', () => HttpResponse.json(options)),
      http.get('/api/patient/booking/slots', () => HttpResponse.json({ timeZone: 'America/Toronto', slots: [], nextAvailable: null })),
      http.get('/api/patient/appointments', () => HttpResponse.json(accepted ? [appointment({ providerId: 'shah', providerName: 'Dr. Shah', startsAt: slots.slots[0]!.startsAt })] : [])),
      http.get('/api/patient/waitlist', () => HttpResponse.json(accepted ? [] : [held])),
      http.post('/api/patient/waitlist/offers/h1/accept', () => {
        accepted = true;
        return HttpResponse.json(appointment({ providerId: 'shah', providerName: 'Dr. Shah', startsAt: slots.slots[0]!.startsAt }), { status: 201 });
      }),
    );
    let booked = 0;
    const view = await fixture<SmBookingView>(html`<sm-booking-view lang="fr" .api=${new PatientApi('north', 'fr')} @sm-appointment-booked=${() => booked++}></sm-booking-view>`);
    await waitUntil(() => shadow(view).querySelector('.offer'));
    expect(shadow(view).querySelector('.offer')!.textContent!.replace(/\s+/g, ' ')).to.contain("Une heure s'est libérée : le lundi 2 mars à 9 h 00 avec Dr. Shah");
    await expect(view).to.be.accessible();
    [...shadow(view).querySelectorAll<HTMLButtonElement>('.offer button')].find((b) => b.textContent!.includes('Réserver cette heure'))!.click();
    await waitUntil(() => text(view).includes('Rendez-vous pris pour le lundi 2 mars'));
    expect(booked).to.equal(1);
    expect(shadow(view).querySelector('.offer')).to.equal(null);
    expect(shadow(view).querySelector('.appointments')!.textContent).to.contain('Dr. Shah');
  });
});
