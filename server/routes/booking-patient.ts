/** Self-booking for the signed-in patient, called from the <sm-booking> frame. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorBody, IdParams } from '../../shared/api.js';
import { Appointment, BookingOptions, NewBooking, Reschedule, SlotList, SlotQuery } from '../../shared/booking.js';
import type { Deps } from '../deps.js';
import { audited } from '../domain/action.js';
import { getClinic } from '../domain/clinics.js';
import { bookAppointment, cancelAppointment, findSlots, listPatientAppointments, rescheduleAppointment } from '../domain/booking/appointments.js';
import { clinicTimeZone, getBookingRules, listProviders, listTypes, offers } from '../domain/booking/setup.js';
import { patientOf, requirePatient } from '../http/auth.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };

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
      types: types.map((t) => ({ id: t.id, name: t.name, durationMinutes: t.durationMinutes, mode: t.mode, location: t.location, providerIds: t.providerIds.length ? t.providerIds : providers.map((p) => p.id) })),
      providers: providers.map((p) => ({ id: p.id, name: p.name })),
    };
  });

  app.get('/api/patient/booking/slots', { schema: { tags: ['widget'], summary: 'Open slots of a type, by provider or first available, with the next available date when none', querystring: SlotQuery, response: { 200: SlotList, ...errors } } }, async (request) =>
    findSlots(deps.db, patientOf(request).clinicId, request.query),
  );

  app.get('/api/patient/appointments', { schema: { tags: ['widget'], summary: 'The patient’s upcoming appointments', response: { 200: Type.Array(Appointment), ...errors } } }, async (request) => {
    const who = patientOf(request);
    return audited(deps, who, request.id, (tx) => listPatientAppointments(tx, who), () => ({ action: 'appointment.list', target: 'appointments' }));
  });

  app.post('/api/patient/appointments', { schema: { tags: ['widget'], summary: 'Book a slot (409 `slot_taken` when someone was faster)', body: NewBooking, response: { 201: Appointment, ...errors } } }, async (request, reply) => {
    const who = patientOf(request);
    return reply.status(201).send(await bookAppointment(deps, who, request.id, who.patientId, request.body));
  });

  app.post('/api/patient/appointments/:id/cancel', { schema: { tags: ['widget'], summary: 'Cancel, until the clinic’s cut-off', params: IdParams, response: { 200: Appointment, ...errors } } }, async (request) =>
    cancelAppointment(deps, patientOf(request), request.id, request.params.id),
  );

  app.post('/api/patient/appointments/:id/reschedule', { schema: { tags: ['widget'], summary: 'Move to another open slot, until the clinic’s cut-off', params: IdParams, body: Reschedule, response: { 200: Appointment, ...errors } } }, async (request) =>
    rescheduleAppointment(deps, patientOf(request), request.id, request.params.id, request.body),
  );
};
