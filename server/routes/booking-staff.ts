/** Booking for the clinic's staff: set-up (admins), the day list and calendar, booking for a patient, moving, cancel and no-show, exports and feeds. */
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { DateTime } from 'luxon';
import { Type } from 'typebox';
import { ErrorBody, IdParams } from '../../shared/api.js';
import {
  AppointmentPatch, AppointmentType, BookingException, BookingRules, CalendarFeed, CalendarQuery, CalendarRange, DayQuery, FhirResource, FhirSlotQuery, NewAppointmentType, NewBooking, NewBookingException, NewProvider, NewWeeklyHours,
  Provider, ProviderPatch, Reschedule, SlotList, SlotQuery, StaffAppointment, StaffWaitlistEntry, Appointment, WeeklyHours,
} from '../../shared/booking.js';
import type { Deps } from '../deps.js';
import { assertSmsAvailable } from '../domain/sms.js';
import { audited } from '../domain/action.js';
import { clinicCipher, getClinic } from '../domain/clinics.js';
import { appointmentDetail, bookAppointment, findSlots, listDay, listRange, rescheduleAppointment, updateAppointmentStatus } from '../domain/booking/appointments.js';
import { appointmentResource, scheduleBundle } from '../domain/booking/fhir.js';
import { leaveWaitlist, listClinicWaitlist } from '../domain/booking/waitlist.js';
import { providerFeed } from '../domain/booking/feed.js';
import {
  addException, addHours, addProvider, addType, clinicTimeZone, getBookingRules, getProvider, getType, listExceptions, listHours, listProviders, listTypes, removeException, removeHours, renewFeedToken, replaceType,
  revokeFeedToken, saveBookingRules, toProvider, updateProvider,
} from '../domain/booking/setup.js';
import { getPatient } from '../domain/patients.js';
import { requireRole, requireStaff, staffOf } from '../http/auth.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const Done = Type.Object({ ok: Type.Literal(true) });
const CalendarText = { description: 'The provider’s booked times as iCalendar (RFC 5545)', content: { 'text/calendar': { schema: { type: 'string' } } } };
const StaffBooking = Type.Object({ ...NewBooking.properties, patientId: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) }, { additionalProperties: false });

export const staffBookingRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get(
    '/api/public/booking/feed',
    {
      schema: {
        tags: ['booking'],
        summary: 'A provider’s private calendar feed (the token is the secret; revocable). In the query string, which logs never carry',
        querystring: Type.Object({ token: Type.String({ pattern: '^[A-Za-z0-9_-]{20,100}$' }) }, { additionalProperties: false }),
        response: { 200: CalendarText, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (request, reply) => {
      const text = await providerFeed(deps.db, request.query.token, { mailFrom: deps.config.mailFrom, hostname: deps.config.publicUrl.hostname });
      return reply.type('text/calendar; charset=utf-8').header('cache-control', 'no-store').send(text);
    },
  );

  await app.register(async (plain) => {
    const scoped = plain.withTypeProvider<TypeBoxTypeProvider>();
    scoped.addHook('onRequest', requireStaff(deps));
    const admin = { onRequest: requireRole(deps, ['admin']) };
    const clinicOf = (request: FastifyRequest) => staffOf(request).clinicId;
    /** A set-up change with its audit row (no health information: the target names the record). */
    const change = <T>(request: FastifyRequest, action: string, work: Parameters<typeof audited<T>>[3], target: (r: T) => string) =>
      audited(deps, staffOf(request), request.id, work, (r) => ({ action, target: target(r) }));

    // The day list and exports first: the contract test works through operations in this order.
    scoped.get('/api/booking/appointments', { schema: { tags: ['booking'], summary: 'A day’s appointments (clinic time zone), every status', querystring: DayQuery, response: { 200: Type.Array(StaffAppointment), ...errors } } }, async (request) => {
      const who = staffOf(request);
      const cipher = clinicCipher(deps.keyring, await getClinic(deps.db, who.clinicId));
      return audited(deps, who, request.id, (tx) => listDay(tx, cipher, request.query.date, request.query.providerId), (list) =>
        list.length ? list.map((a) => ({ action: 'appointment.day', patientId: a.patientId, target: `appointment:${a.id}` })) : { action: 'appointment.day', target: `day:${request.query.date}` },
      );
    });
    scoped.post('/api/booking/appointments', { schema: { tags: ['booking'], summary: 'Book for a patient (the same booking again answers 200 with the appointment already made)', body: StaffBooking, response: { 200: Appointment, 201: Appointment, ...errors } } }, async (request, reply) => {
      const who = staffOf(request);
      const { patientId, ...booking } = request.body;
      await getPatient(deps.db, clinicCipher(deps.keyring, await getClinic(deps.db, who.clinicId)), patientId);
      const { appointment, created } = await bookAppointment(deps, who, request.id, patientId, booking);
      return reply.status(created ? 201 : 200).send(appointment);
    });
    scoped.patch('/api/booking/appointments/:id', { schema: { tags: ['booking'], summary: 'Cancel, or mark as a no-show', params: IdParams, body: AppointmentPatch, response: { 200: Appointment, ...errors } } }, async (request) =>
      updateAppointmentStatus(deps, staffOf(request), request.id, request.params.id, request.body),
    );

    scoped.get('/api/booking/waitlist', { schema: { tags: ['booking'], summary: 'The waitlist: waiting entries by type, provider and join time, with any slot held for them', response: { 200: Type.Array(StaffWaitlistEntry), ...errors } } }, async (request) => {
      const who = staffOf(request);
      const cipher = clinicCipher(deps.keyring, await getClinic(deps.db, who.clinicId));
      return audited(deps, who, request.id, (tx) => listClinicWaitlist(tx, cipher), (list) =>
        list.length ? list.map((e) => ({ action: 'waitlist.read', patientId: e.patientId, target: `waitlist:${e.id}` })) : { action: 'waitlist.read', target: 'waitlist' },
      );
    });
    scoped.delete('/api/booking/waitlist/:id', { schema: { tags: ['booking'], summary: 'Remove an entry from the waitlist (a slot held for it passes on)', params: IdParams, response: { 200: Done, ...errors } } }, async (request) => {
      await leaveWaitlist(deps, staffOf(request), request.id, request.params.id);
      return { ok: true as const };
    });
    scoped.get('/api/booking/calendar', { schema: { tags: ['booking'], summary: 'The appointments of a day or a week (clinic time zone), every status; one provider or all', querystring: CalendarQuery, response: { 200: CalendarRange, ...errors } } }, async (request) => {
      const who = staffOf(request);
      const { from, days = 1, providerId } = request.query;
      const cipher = clinicCipher(deps.keyring, await getClinic(deps.db, who.clinicId));
      const appointments = await audited(deps, who, request.id, (tx) => listRange(tx, cipher, from, days, providerId), (list) =>
        list.length ? list.map((a) => ({ action: 'appointment.calendar', patientId: a.patientId, target: `appointment:${a.id}` })) : { action: 'appointment.calendar', target: `range:${from}+${days}` },
      );
      return { timeZone: await clinicTimeZone(deps.db, who.clinicId), from, days, appointments };
    });
    scoped.get('/api/booking/slots', { schema: { tags: ['booking'], summary: 'Open slots of a type (one provider or all), for booking or moving on a patient’s behalf: outside the online rules (also while online booking is off, inside the notice window and up to a year ahead)', querystring: SlotQuery, response: { 200: SlotList, ...errors } } }, async (request) =>
      findSlots(deps.db, clinicOf(request), request.query, new Date(), undefined, 'staff'),
    );
    scoped.post('/api/booking/appointments/:id/reschedule', { schema: { tags: ['booking'], summary: 'Move to another open slot of the same type (no patient cut-off; 409 `slot_taken` when someone was faster)', params: IdParams, body: Reschedule, response: { 200: Appointment, ...errors } } }, async (request) =>
      rescheduleAppointment(deps, staffOf(request), request.id, request.params.id, request.body),
    );

    scoped.get('/api/booking/appointments/:id/fhir', { schema: { tags: ['booking'], summary: 'The appointment as a FHIR R4 Appointment', params: IdParams, response: { 200: FhirResource, ...errors } } }, async (request) => {
      const who = staffOf(request);
      return audited(deps, who, request.id, (tx) => appointmentDetail(tx, who.clinicId, request.params.id).then(appointmentResource), () => ({ action: 'appointment.export', target: `appointment:${request.params.id}` }));
    });
    scoped.get('/api/booking/providers/:id/fhir', { schema: { tags: ['booking'], summary: 'A provider’s open slots of a type as a FHIR R4 Bundle (Schedule and Slots)', params: IdParams, querystring: FhirSlotQuery, response: { 200: FhirResource, ...errors } } }, async (request) => {
      const clinicId = clinicOf(request);
      const provider = toProvider(await getProvider(deps.db, clinicId, request.params.id));
      const type = await getType(deps.db, clinicId, request.query.typeId);
      const list = await findSlots(deps.db, clinicId, { typeId: type.id, providerId: provider.id, ...(request.query.from ? { from: request.query.from } : {}), days: request.query.days ?? 7 });
      const zone = await clinicTimeZone(deps.db, clinicId);
      const first = request.query.from ? DateTime.fromISO(request.query.from, { zone }) : DateTime.now().setZone(zone).startOf('day');
      return scheduleBundle(provider, type, list.slots, { start: first.toJSDate(), end: first.plus({ days: request.query.days ?? 7 }).toJSDate() });
    });

    scoped.get('/api/booking/rules', { schema: { tags: ['booking'], summary: 'The clinic’s booking rules', response: { 200: BookingRules, ...errors } } }, async (request) => getBookingRules(deps.db, clinicOf(request)));
    scoped.put('/api/booking/rules', { ...admin, schema: { tags: ['booking'], summary: 'Replace the booking rules', body: BookingRules, response: { 200: BookingRules, ...errors } } }, async (request) =>
      {
        // Reminders by text need a configured SMS provider: refused now rather than failing later.
        if ((request.body.reminderChannel ?? 'email') !== 'email') assertSmsAvailable(deps.config);
        return change(request, 'booking.rules', (tx) => saveBookingRules(tx, clinicOf(request), request.body), () => 'booking-rules');
      },
    );

    scoped.get('/api/booking/providers', { schema: { tags: ['booking'], summary: 'Providers', response: { 200: Type.Array(Provider), ...errors } } }, async (request) => listProviders(deps.db, clinicOf(request)));
    scoped.post('/api/booking/providers', { ...admin, schema: { tags: ['booking'], summary: 'Add a provider', body: NewProvider, response: { 201: Provider, ...errors } } }, async (request, reply) =>
      reply.status(201).send(await change(request, 'booking.provider.add', (tx) => addProvider(tx, clinicOf(request), request.body), (p) => `provider:${p.id}`)),
    );
    scoped.patch('/api/booking/providers/:id', { ...admin, schema: { tags: ['booking'], summary: 'Rename, link or (de)activate a provider', params: IdParams, body: ProviderPatch, response: { 200: Provider, ...errors } } }, async (request) =>
      change(request, 'booking.provider.update', (tx) => updateProvider(tx, clinicOf(request), request.params.id, request.body), (p) => `provider:${p.id}`),
    );
    scoped.post('/api/booking/providers/:id/feed', { ...admin, schema: { tags: ['booking'], summary: 'A new private calendar feed URL (the previous one stops working)', params: IdParams, response: { 200: CalendarFeed, ...errors } } }, async (request) => {
      const token = await change(request, 'booking.feed.renew', (tx) => renewFeedToken(tx, clinicOf(request), request.params.id), () => `provider:${request.params.id}`);
      return { url: `${deps.config.publicUrl.origin}/api/public/booking/feed?token=${token}` };
    });
    scoped.delete('/api/booking/providers/:id/feed', { ...admin, schema: { tags: ['booking'], summary: 'Revoke the provider’s calendar feed', params: IdParams, response: { 200: Done, ...errors } } }, async (request) => {
      await change(request, 'booking.feed.revoke', (tx) => revokeFeedToken(tx, clinicOf(request), request.params.id), () => `provider:${request.params.id}`);
      return { ok: true as const };
    });

    scoped.get('/api/booking/types', { schema: { tags: ['booking'], summary: 'Appointment types', response: { 200: Type.Array(AppointmentType), ...errors } } }, async (request) => listTypes(deps.db, clinicOf(request)));
    scoped.post('/api/booking/types', { ...admin, schema: { tags: ['booking'], summary: 'Add an appointment type', body: NewAppointmentType, response: { 201: AppointmentType, ...errors } } }, async (request, reply) =>
      reply.status(201).send(await change(request, 'booking.type.add', (tx) => addType(tx, clinicOf(request), request.body, staffOf(request).staffId), (t) => `type:${t.id}`)),
    );
    scoped.put('/api/booking/types/:id', { ...admin, schema: { tags: ['booking'], summary: 'Replace an appointment type', params: IdParams, body: NewAppointmentType, response: { 200: AppointmentType, ...errors } } }, async (request) =>
      change(request, 'booking.type.update', (tx) => replaceType(tx, clinicOf(request), request.params.id, request.body, staffOf(request).staffId), (t) => `type:${t.id}`),
    );

    scoped.get('/api/booking/hours', { schema: { tags: ['booking'], summary: 'Weekly hours of every provider', response: { 200: Type.Array(WeeklyHours), ...errors } } }, async (request) => listHours(deps.db, clinicOf(request)));
    scoped.post('/api/booking/hours', { ...admin, schema: { tags: ['booking'], summary: 'Add weekly hours for a provider', body: NewWeeklyHours, response: { 201: WeeklyHours, ...errors } } }, async (request, reply) =>
      reply.status(201).send(await change(request, 'booking.hours.add', (tx) => addHours(tx, clinicOf(request), request.body), (h) => `hours:${h.id}`)),
    );
    scoped.delete('/api/booking/hours/:id', { ...admin, schema: { tags: ['booking'], summary: 'Remove weekly hours', params: IdParams, response: { 200: Done, ...errors } } }, async (request) => {
      await change(request, 'booking.hours.remove', (tx) => removeHours(tx, clinicOf(request), request.params.id), () => `hours:${request.params.id}`);
      return { ok: true as const };
    });

    scoped.get('/api/booking/exceptions', { schema: { tags: ['booking'], summary: 'Blocked time from today on', response: { 200: Type.Array(BookingException), ...errors } } }, async (request) => listExceptions(deps.db, clinicOf(request), new Date()));
    scoped.post('/api/booking/exceptions', { ...admin, schema: { tags: ['booking'], summary: 'Block time for a provider or the clinic', body: NewBookingException, response: { 201: BookingException, ...errors } } }, async (request, reply) =>
      reply.status(201).send(await change(request, 'booking.exception.add', (tx) => addException(tx, clinicOf(request), request.body), (x) => `exception:${x.id}`)),
    );
    scoped.delete('/api/booking/exceptions/:id', { ...admin, schema: { tags: ['booking'], summary: 'Remove blocked time', params: IdParams, response: { 200: Done, ...errors } } }, async (request) => {
      await change(request, 'booking.exception.remove', (tx) => removeException(tx, clinicOf(request), request.params.id), () => `exception:${request.params.id}`);
      return { ok: true as const };
    });
  });
};
