/** Self-booking for the signed-in patient, called from the <sm-booking> frame. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorBody, IdParams } from '../../shared/api.js';
import { Appointment, BookingOptions, NewBooking, NewWaitlistEntry, Reschedule, SlotList, SlotQuery, WaitlistEntry } from '../../shared/booking.js';
import type { Deps } from '../deps.js';
import { audited } from '../domain/action.js';
import { getClinic } from '../domain/clinics.js';
import { bookAppointment, cancelAppointment, findSlots, listPatientAppointments, rescheduleAppointment } from '../domain/booking/appointments.js';
import { acceptOffer, declineOffer, joinWaitlist, leaveWaitlist, listPatientWaitlist } from '../domain/booking/waitlist.js';
import { clinicTimeZone, getBookingRules, listProviders, listTypes, offers } from '../domain/booking/setup.js';
import { patientOf, requirePatient } from '../http/auth.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const Done = Type.Object({ ok: Type.Literal(true) });

export const patientBookingRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.addHook('onRequest', requirePatient(deps));

  app.get('/api/patient/booking/options', { schema: { tags: ['widget'], summary: 'What can be booked: appointment types, providers, the clinic’s time zone', response: { 200: BookingOptions, ...errors } } }, async (request) => {
    const { clinicId } = patientOf(request);
    const rules = await getBookingRules(deps.db, clinicId);
    const providers = await listProviders(deps.db, clinicId, { activeOnly: true });
    const types = (await listTypes(deps.db, clinicId, { activeOnly: true })).filter((t) => providers.some((p) => offers(t, p.id)));
    return {
      enabled: rules.enabled,
      timeZone: await clinicTimeZone(deps.db, clinicId),
      clinicName: (await getClinic(deps.db, clinicId)).name,
      cancelCutoffHours: rules.cancelCutoffHours,
      horizonDays: rules.horizonDays,
      types: types.map((t) => ({ id: t.id, name: t.name, durationMinutes: t.durationMinutes, mode: t.mode, location: t.location, providerIds: t.providerIds.length ? t.providerIds : providers.map((p) => p.id) })),
      providers: providers.map((p) => ({ id: p.id, name: p.name })),
    };
  });

  app.get('/api/patient/booking/slots', { schema: { tags: ['widget'], summary: 'Open slots of a type, by provider or first available, with the next available date when none', querystring: SlotQuery, response: { 200: SlotList, ...errors } } }, async (request) =>
    findSlots(deps.db, patientOf(request).clinicId, request.query, new Date(), patientOf(request).patientId),
  );

  app.get('/api/patient/appointments', { schema: { tags: ['widget'], summary: 'The patient’s upcoming appointments', response: { 200: Type.Array(Appointment), ...errors } } }, async (request) => {
    const who = patientOf(request);
    return audited(deps, who, request.id, (tx) => listPatientAppointments(tx, who), () => ({ action: 'appointment.list', target: 'appointments' }));
  });

  app.post('/api/patient/appointments', { schema: { tags: ['widget'], summary: 'Book a slot (409 `slot_taken` when someone was faster; the same booking again answers 200 with the appointment already made)', body: NewBooking, response: { 200: Appointment, 201: Appointment, ...errors } } }, async (request, reply) => {
    const who = patientOf(request);
    const { appointment, created } = await bookAppointment(deps, who, request.id, who.patientId, request.body);
    return reply.status(created ? 201 : 200).send(appointment);
  });

  app.post('/api/patient/appointments/:id/cancel', { schema: { tags: ['widget'], summary: 'Cancel, until the clinic’s cut-off', params: IdParams, response: { 200: Appointment, ...errors } } }, async (request) =>
    cancelAppointment(deps, patientOf(request), request.id, request.params.id),
  );

  app.post('/api/patient/appointments/:id/reschedule', { schema: { tags: ['widget'], summary: 'Move to another open slot, until the clinic’s cut-off', params: IdParams, body: Reschedule, response: { 200: Appointment, ...errors } } }, async (request) =>
    rescheduleAppointment(deps, patientOf(request), request.id, request.params.id, request.body),
  );

  app.get('/api/patient/waitlist', { schema: { tags: ['widget'], summary: 'The patient’s waitlist entries, each with the slot held for it if any', response: { 200: Type.Array(WaitlistEntry), ...errors } } }, async (request) => {
    const who = patientOf(request);
    return audited(deps, who, request.id, (tx) => listPatientWaitlist(tx, who), () => ({ action: 'waitlist.list', target: 'waitlist' }));
  });
  app.post('/api/patient/waitlist', { schema: { tags: ['widget'], summary: 'Join the waitlist for a type (a provider or any) between two days; 409 `too_many_waitlist` past the clinic’s limit', body: NewWaitlistEntry, response: { 201: WaitlistEntry, ...errors } } }, async (request, reply) => {
    const who = patientOf(request);
    return reply.status(201).send(await joinWaitlist(deps, who, request.id, request.body));
  });
  app.delete('/api/patient/waitlist/:id', { schema: { tags: ['widget'], summary: 'Leave the waitlist (a slot held for the entry passes on)', params: IdParams, response: { 200: Done, ...errors } } }, async (request) => {
    await leaveWaitlist(deps, patientOf(request), request.id, request.params.id);
    return { ok: true as const };
  });
  app.post('/api/patient/waitlist/offers/:id/accept', { schema: { tags: ['widget'], summary: 'Book the slot held for the patient; 409 `offer_expired` once the hold has ended', params: IdParams, response: { 201: Appointment, ...errors } } }, async (request, reply) =>
    reply.status(201).send(await acceptOffer(deps, patientOf(request), request.id, request.params.id)),
  );
  app.post('/api/patient/waitlist/offers/:id/decline', { schema: { tags: ['widget'], summary: 'Let the held slot go to the next patient (the entry stays on the waitlist)', params: IdParams, response: { 200: Done, ...errors } } }, async (request) => {
    await declineOffer(deps, patientOf(request), request.id, request.params.id);
    return { ok: true as const };
  });
};
