/** The clinic's outgoing e-mail and text queue, for admins: what waits, what failed, a retry button, and whether SMS is set up. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorBody, IdParams, OutgoingMail, OutgoingMailQuery, SmsStatus } from '../../shared/api.js';
import type { Deps } from '../deps.js';
import { clinicCipher, getClinic } from '../domain/clinics.js';
import { listOutgoingMail, retryOutgoingMail } from '../domain/outgoing-mail.js';
import { requireStaff, staffOf } from '../http/auth.js';

export const outgoingMailRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
  app.addHook('onRequest', requireStaff(deps, ['admin']));

  app.get('/api/outgoing-mail', { schema: { tags: ['infra'], summary: "The clinic's e-mail queue, newest first (admins)", querystring: OutgoingMailQuery, response: { 200: Type.Array(OutgoingMail), ...errors } } }, async (request) => {
    const who = staffOf(request);
    return listOutgoingMail(deps, request.id, clinicCipher(deps.keyring, await getClinic(deps.db, who.clinicId)), who, request.query);
  });

  app.get('/api/sms-status', { schema: { tags: ['infra'], summary: 'Whether text messages are set up on this server (admins)', response: { 200: SmsStatus, ...errors } } }, async () => ({
    available: deps.config.sms !== null,
    provider: deps.config.sms ? 'Twilio' : null,
  }));

  app.post('/api/outgoing-mail/:id/retry', { schema: { tags: ['infra'], summary: 'Send a failed e-mail again', params: IdParams, response: { 204: Type.Null(), ...errors } } }, async (request, reply) => {
    await retryOutgoingMail(deps, request.id, staffOf(request), request.params.id);
    return reply.status(204).send(null);
  });
};
