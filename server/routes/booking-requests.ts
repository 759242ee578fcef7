/**
 * Booking requests from new patients: the public side (a visitor without a session sees the types open
 * to new patients and their open slots, and sends a request; rate-limited per network address, and per
 * e-mail address in the domain) and the staff side (list, approve, decline; the clinic's staff only).
 */
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorBody, IdParams } from '../../shared/api.js';
import {
  ApproveBookingRequest, BookingOptions, BookingRequestQuery, BookingRequestReceipt, DeclineBookingRequest, NewBookingRequest, SlotList, SlotQuery, StaffAppointment, StaffBookingRequest,
} from '../../shared/booking.js';
import type { Deps } from '../deps.js';
import { getClinicBySlug } from '../domain/clinics.js';
import { AppError } from '../domain/errors.js';
import { bookableType, findSlots } from '../domain/booking/appointments.js';
import { approveBookingRequest, createBookingRequest, declineBookingRequest, listBookingRequests, newPatientBookingOptions } from '../domain/booking/requests.js';
import { requireStaff, staffOf } from '../http/auth.js';

const Slug = Type.Object({ slug: Type.String({ maxLength: 64 }) });
const publicErrors = { 400: ErrorBody, 404: ErrorBody, 409: ErrorBody, 429: ErrorBody };
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody };
const Done = Type.Object({ ok: Type.Literal(true) });
/** Reading open times is cheap but public: generous per address, like the sign-in code check. */
const READS = { rateLimit: { max: 200, timeWindow: '15 minutes' } };

export const bookingRequestRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get(
    '/api/public/clinics/:slug/booking/options',
    { schema: { tags: ['widget'], summary: 'What a new patient may request: the types open to new patients, their providers, the clinic’s time zone', params: Slug, response: { 200: BookingOptions, ...publicErrors } }, config: READS },
    async (request) => newPatientBookingOptions(deps.db, request.params.slug),
  );

  app.get(
    '/api/public/clinics/:slug/booking/slots',
    { schema: { tags: ['widget'], summary: 'Open slots of a type open to new patients (409 `existing_patients_only` for another type)', params: Slug, querystring: SlotQuery, response: { 200: SlotList, ...publicErrors } }, config: READS },
    async (request) => {
      const clinic = await getClinicBySlug(deps.db, request.params.slug);
      const type = await bookableType(deps.db, clinic.id, request.query.typeId);
      if (type.existingPatientsOnly) throw new AppError(409, 'existing_patients_only', 'This type of visit is for patients of the clinic only', { field: 'typeId' });
      return findSlots(deps.db, clinic.id, request.query);
    },
  );

  app.post(
    '/api/public/clinics/:slug/booking/requests',
    {
      schema: {
        tags: ['widget'],
        summary: 'A new patient asks for a slot (kept for them while the clinic decides); 409 `slot_taken`, `slot_unavailable` or `existing_patients_only`',
        params: Slug,
        body: NewBookingRequest,
        response: { 201: BookingRequestReceipt, ...publicErrors },
      },
      // Per network address here; per e-mail address in the domain.
      config: { rateLimit: { max: 10, timeWindow: '15 minutes' } },
    },
    async (request, reply) => reply.status(201).send(await createBookingRequest(deps, request.params.slug, request.id, request.body)),
  );

  await app.register(async (plain) => {
    const scoped = plain.withTypeProvider<TypeBoxTypeProvider>();
    scoped.addHook('onRequest', requireStaff(deps));
    scoped.get(
      '/api/booking/requests',
      { schema: { tags: ['booking'], summary: 'New patients’ booking requests (pending unless asked), with the existing patient each would be linked to', querystring: BookingRequestQuery, response: { 200: Type.Array(StaffBookingRequest), ...errors } } },
      async (request) => listBookingRequests(deps, staffOf(request), request.id, request.query),
    );
    scoped.post(
      '/api/booking/requests/:id/approve',
      {
        schema: {
          tags: ['booking'],
          summary: 'Approve: link or enrol the patient and book the time (or another one given); 409 `slot_taken` when the time is gone, `request_decided` when already decided',
          params: IdParams,
          body: ApproveBookingRequest,
          response: { 201: StaffAppointment, ...errors },
        },
      },
      async (request, reply) => reply.status(201).send(await approveBookingRequest(deps, staffOf(request), request.id, request.params.id, request.body ?? {})),
    );
    scoped.post(
      '/api/booking/requests/:id/decline',
      { schema: { tags: ['booking'], summary: 'Decline, with an optional note e-mailed to the requester', params: IdParams, body: DeclineBookingRequest, response: { 200: Done, ...errors } } },
      async (request) => {
        await declineBookingRequest(deps, staffOf(request), request.id, request.params.id, request.body ?? {});
        return { ok: true as const };
      },
    );
  });
};
