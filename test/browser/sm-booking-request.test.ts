/**
 * A new patient's booking request in <sm-booking-view new-patient> (msw for the public API): the
 * times of the types open to new patients, the details form with each problem beside its field and
 * focus on the first one, the request sent (health card compacted, the reader's language), focus on
 * each new screen; in French, a time taken meanwhile sends the visitor back to the times, and a
 * field the server refuses is shown at that field.
 */
import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { http, HttpResponse } from 'msw';
import '../../widget/frame/booking/sm-booking-view.js';
import { PatientApi } from '../../widget/frame/patient-api.js';
import type { SmBookingView } from '../../widget/frame/booking/sm-booking-view.js';
import type { SmBookingRequestForm } from '../../widget/frame/booking/sm-booking-request-form.js';
import type { BookingOptions, SlotList } from '../../shared/booking.js';
import { startWorker, worker } from './msw.js';

const options: BookingOptions = {
  enabled: true, timeZone: 'America/Toronto', clinicName: 'North Clinic', cancelCutoffHours: 24,
  types: [{ id: 'intake', name: { en: 'New patient visit', fr: 'Visite nouveau patient' }, durationMinutes: 30, mode: 'in-person', location: '12 Main St', providerIds: ['shah'] }],
  providers: [{ id: 'shah', name: 'Dr. Shah' }],
};
// 09:00 and 09:30 Toronto (EST) on 2 March 2099.
const slots: SlotList = {
  timeZone: 'America/Toronto', nextAvailable: null,
  slots: [
    { providerId: 'shah', startsAt: '2099-03-02T14:00:00.000Z', endsAt: '2099-03-02T14:30:00.000Z' },
    { providerId: 'shah', startsAt: '2099-03-02T14:30:00.000Z', endsAt: '2099-03-02T15:00:00.000Z' },
  ],
};
const BASE = '/api/public/clinics/north/booking';
const shadow = (el: Element) => el.shadowRoot!;
const text = (el: Element) => shadow(el).textContent!.replace(/\s+/g, ' ');
const button = (el: Element, label: string) => [...shadow(el).querySelectorAll('button')].find((b) => b.textContent!.includes(label))!;

async function toDetails(view: SmBookingView, continueLabel: string): Promise<SmBookingRequestForm> {
  await waitUntil(() => shadow(view).querySelector('[role=option]'));
  shadow(view).querySelector<HTMLElement>('[data-index="1"]')!.click();
  await view.updateComplete;
  button(view, continueLabel).click();
  await waitUntil(() => shadow(view).querySelector('sm-booking-request-form'));
  const form = shadow(view).querySelector('sm-booking-request-form')!;
  await waitUntil(() => shadow(form).activeElement?.id === 'request-title', 'focus on the details heading');
  return form;
}

function type(form: Element, field: string, value: string) {
  const input = shadow(form).querySelector<HTMLInputElement>(`#rq-${field}`)!;
  input.value = value;
  input.dispatchEvent(new Event('input'));
}

describe('<sm-booking-view new-patient>', () => {
  before(startWorker);
  afterEach(() => worker.resetHandlers());

  it('asks for the details with errors beside the fields, sends the request, and moves focus to each new screen', async () => {
    const sent: unknown[] = [];
    worker.use(
      http.get(`${BASE}/options`, () => HttpResponse.json(options)),
      http.get(`${BASE}/slots`, () => HttpResponse.json(slots)),
      http.post(`${BASE}/requests`, async ({ request }) => {
        sent.push(await request.json());
        return HttpResponse.json({ status: 'pending', startsAt: slots.slots[1]!.startsAt }, { status: 201 });
      }),
    );
    const view = await fixture<SmBookingView>(html`<sm-booking-view new-patient .api=${new PatientApi('north', 'en')}></sm-booking-view>`);
    await waitUntil(() => shadow(view).querySelector('[role=option]'));
    expect(text(view)).not.to.contain('My appointments', 'no session: nothing of a patient is asked for');
    expect(text(view)).not.to.contain('waitlist');
    const form = await toDetails(view, 'Continue with this time');
    expect(text(form)).to.contain('New patient visit with Dr. Shah on Monday, March 2 at 9:30');
    expect(text(form)).to.contain('Please do not write health details here');
    await expect(form).to.be.accessible();

    button(form, 'Send the request').click();
    await waitUntil(() => shadow(form).querySelector('[role=alert]'));
    expect(shadow(form).querySelector('[role=alert]')!.textContent).to.equal('3 fields need correcting.');
    for (const f of ['name', 'dateOfBirth', 'email']) {
      const input = shadow(form).querySelector(`#rq-${f}`)!;
      expect(input.getAttribute('aria-invalid')).to.equal('true');
      expect(input.getAttribute('aria-describedby')).to.contain(`rq-${f}-error`);
      expect(shadow(form).querySelector(`#rq-${f}-error`), f).not.to.equal(null);
    }
    expect(shadow(form).querySelector('#rq-phone')!.getAttribute('aria-invalid')).to.equal('false', 'optional fields left empty are fine');
    expect(shadow(form).activeElement?.id).to.equal('rq-name', 'focus on the first field to correct');
    expect(shadow(form).querySelector('#rq-email-error')!.textContent).to.equal('Enter an e-mail address, like name@example.com.');
    await expect(form).to.be.accessible();

    type(form, 'name', 'Sam Lee');
    type(form, 'dateOfBirth', '1990-04-05');
    type(form, 'email', 'sam@example.org');
    type(form, 'healthNumber', '1234 567 89');
    await form.updateComplete;
    expect(shadow(form).querySelector('#rq-name')!.getAttribute('aria-invalid')).to.equal('false', 'a corrected field is no longer flagged');
    button(form, 'Send the request').click();
    await waitUntil(() => shadow(form).querySelector('#rq-healthNumber-error'));
    expect(shadow(form).querySelector('[role=alert]')!.textContent).to.equal('One field needs correcting.');
    expect(shadow(form).activeElement?.id).to.equal('rq-healthNumber');
    expect(sent).to.deep.equal([]);

    type(form, 'healthNumber', '1234 567 890 ab');
    button(form, 'Send the request').click();
    await waitUntil(() => shadow(view).querySelector('#request-sent'));
    expect(sent).to.deep.equal([{ typeId: 'intake', providerId: 'shah', startsAt: slots.slots[1]!.startsAt, name: 'Sam Lee', dateOfBirth: '1990-04-05', email: 'sam@example.org', healthNumber: '1234567890AB', lang: 'en' }]);
    await waitUntil(() => shadow(view).activeElement?.id === 'request-sent', 'focus on the "sent" heading');
    expect(shadow(view).querySelector('[role=status]')!.textContent).to.contain('North Clinic received your request for Monday, March 2 at 9:30');
    await expect(view).to.be.accessible();
  });

  it('reflows at 320 CSS px: the details form and its errors never scroll sideways in a 256 px frame', async () => {
    worker.use(http.get(`${BASE}/options`, () => HttpResponse.json(options)), http.get(`${BASE}/slots`, () => HttpResponse.json(slots)));
    const box = await fixture<HTMLDivElement>(html`<div style="width: 256px; overflow: auto"><sm-booking-view new-patient lang="fr" .api=${new PatientApi('north', 'fr')}></sm-booking-view></div>`);
    const view = box.querySelector('sm-booking-view')!;
    const form = await toDetails(view, 'Continuer avec cette heure');
    button(form, 'Envoyer la demande').click();
    await waitUntil(() => shadow(form).querySelector('[role=alert]'));
    expect(box.scrollWidth).to.be.at.most(box.clientWidth);
  });

  it('in French: a time taken meanwhile goes back to the times with an alert, and a field refused by the server is shown at that field', async () => {
    let taken = true;
    worker.use(
      http.get(`${BASE}/options`, () => HttpResponse.json(options)),
      http.get(`${BASE}/slots`, () => HttpResponse.json(slots)),
      http.post(`${BASE}/requests`, () =>
        taken
          ? HttpResponse.json({ code: 'slot_taken', message: 'That time was just booked', requestId: 'r1' }, { status: 409 })
          : HttpResponse.json({ code: 'invalid_date_of_birth', message: 'Date of birth cannot be in the future', field: 'dateOfBirth', requestId: 'r2' }, { status: 400 }),
      ),
    );
    const view = await fixture<SmBookingView>(html`<sm-booking-view new-patient lang="fr" .api=${new PatientApi('north', 'fr')}></sm-booking-view>`);
    let form = await toDetails(view, 'Continuer avec cette heure');
    expect(text(form)).to.contain('Vos coordonnées');
    expect(text(form)).to.contain('Visite nouveau patient avec Dr. Shah');
    button(form, 'Envoyer la demande').click();
    await waitUntil(() => shadow(form).querySelector('[role=alert]'));
    expect(shadow(form).querySelector('[role=alert]')!.textContent).to.equal('3 champs sont à corriger.');
    expect(shadow(form).querySelector('#rq-dateOfBirth-error')!.textContent).to.contain('Entrez votre date de naissance');

    type(form, 'name', 'Amélie Tremblay');
    type(form, 'dateOfBirth', '1988-02-03');
    type(form, 'email', 'amelie@example.org');
    button(form, 'Envoyer la demande').click();
    await waitUntil(() => shadow(view).querySelector('#booking-status'));
    expect(shadow(view).querySelector('#booking-status')!.getAttribute('role')).to.equal('alert');
    expect(text(view)).to.contain("Quelqu'un vient de réserver cette heure.");
    await waitUntil(() => shadow(view).activeElement?.id === 'booking-status', 'focus on the alert');
    await expect(view).to.be.accessible();

    taken = false;
    form = await toDetails(view, 'Continuer avec cette heure');
    type(form, 'name', 'Amélie Tremblay');
    type(form, 'dateOfBirth', '1988-02-03');
    type(form, 'email', 'amelie@example.org');
    button(form, 'Envoyer la demande').click();
    await waitUntil(() => shadow(form).querySelector('#rq-dateOfBirth-error'));
    expect(shadow(form).querySelector('#rq-dateOfBirth')!.getAttribute('aria-invalid')).to.equal('true');
    expect(shadow(form).querySelector('[role=alert]')!.textContent).to.equal('Un champ est à corriger.');
    expect(shadow(form).activeElement?.id).to.equal('rq-dateOfBirth');
  });
});
