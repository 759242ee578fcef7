/** Messaging for the signed-in patient, called from the <sm-messages> frame. */
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorBody, IdParams } from '../../shared/api.js';
import { normalizeLang } from '../../shared/lang.js';
import { AttachmentInfo, MessagePage, MessagePageQuery, MessagingRules, NewPatientReply, NewPatientThread, PatientMessagingStatus, ThreadDetail, ThreadSummary } from '../../shared/messaging.js';
import type { Deps } from '../deps.js';
import { readAttachment, storeAttachment } from '../domain/attachments.js';
import { getClinicBySlug } from '../domain/clinics.js';
import { getMessagingSettings, toRules } from '../domain/messaging-settings.js';
import { visibleTo } from '../domain/events.js';
import { resolveSession, sessionIdOf } from '../domain/sessions.js';
import { listPatientThreads, patientMessagingStatus, patientReply, readPatientMessages, readPatientThread, startPatientThread } from '../domain/threads.js';
import { bearerToken, patientOf, requirePatient } from '../http/auth.js';
import { Download, EventStream, UPLOAD_RATE, sendFile, uploadedFile } from '../http/files.js';
import { streamEvents } from '../http/sse.js';
import { messagingContext } from './messaging-context.js';

const Sent = Type.Object({ threadId: Type.String(), messageId: Type.String() });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 413: ErrorBody, 415: ErrorBody, 422: ErrorBody, 429: ErrorBody };

export const patientMessagingRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get(
    '/api/public/clinics/:slug/messaging',
    { schema: { tags: ['widget'], summary: "The clinic's messaging rules and whether it is reading messages now", params: Type.Object({ slug: Type.String({ maxLength: 64 }) }), response: { 200: MessagingRules, 400: ErrorBody, 404: ErrorBody } } },
    async (request, reply) => {
      const clinic = await getClinicBySlug(deps.db, request.params.slug);
      reply.header('cache-control', 'no-cache');
      return toRules(await getMessagingSettings(deps.db, clinic.id));
    },
  );

  await app.register(async (plain) => {
    const scoped = plain.withTypeProvider<TypeBoxTypeProvider>();
    scoped.addHook('onRequest', requirePatient(deps));

    // The patient's own standing under the weekly limit: beside the public rules (which the service
    // worker may cache), never cached itself. A count, no content: not audited like a read of messages.
    scoped.get(
      '/api/patient/messaging',
      { schema: { tags: ['widget'], summary: 'How many new conversations the patient can still start this week', response: { 200: PatientMessagingStatus, 401: ErrorBody, 403: ErrorBody, 429: ErrorBody } } },
      async (request, reply) => {
        const who = patientOf(request);
        reply.header('cache-control', 'no-store');
        return patientMessagingStatus(await messagingContext(deps, who.clinicId, request.id), who);
      },
    );

    scoped.get('/api/patient/threads', { schema: { tags: ['widget'], summary: "The patient's conversations, unread first", response: { 200: Type.Array(ThreadSummary), ...errors } } }, async (request) => {
      const who = patientOf(request);
      return listPatientThreads(await messagingContext(deps, who.clinicId, request.id), who);
    });

    scoped.post(
      '/api/patient/threads',
      { schema: { tags: ['widget'], summary: 'Start a conversation (idempotent by message id)', querystring: Type.Object({ lang: Type.Optional(Type.String({ maxLength: 10 })) }), body: NewPatientThread, response: { 200: Sent, 201: Sent, ...errors } } },
      async (request, reply) => {
        const who = patientOf(request);
        const sent = await startPatientThread(await messagingContext(deps, who.clinicId, request.id), who, request.body, normalizeLang(request.query.lang));
        return reply.status(sent.created ? 201 : 200).send({ threadId: sent.threadId, messageId: sent.messageId });
      },
    );

    scoped.get('/api/patient/threads/:id', { schema: { tags: ['widget'], summary: 'One conversation with its newest messages (marks it read); earlierCursor pages back', params: IdParams, response: { 200: ThreadDetail, ...errors } } }, async (request) => {
      const who = patientOf(request);
      return readPatientThread(await messagingContext(deps, who.clinicId, request.id), who, request.params.id);
    });

    scoped.get(
      '/api/patient/threads/:id/messages',
      { schema: { tags: ['widget'], summary: 'Earlier messages of a conversation: the page before `before` (its earlierCursor), newest page without it', params: IdParams, querystring: MessagePageQuery, response: { 200: MessagePage, ...errors } } },
      async (request) => {
        const who = patientOf(request);
        return readPatientMessages(await messagingContext(deps, who.clinicId, request.id), who, request.params.id, request.query);
      },
    );

    scoped.post(
      '/api/patient/threads/:id/messages',
      { schema: { tags: ['widget'], summary: 'Reply (idempotent by message id)', params: IdParams, body: NewPatientReply, response: { 200: Sent, 201: Sent, ...errors } } },
      async (request, reply) => {
        const who = patientOf(request);
        const sent = await patientReply(await messagingContext(deps, who.clinicId, request.id), who, request.params.id, request.body);
        return reply.status(sent.created ? 201 : 200).send({ threadId: sent.threadId, messageId: sent.messageId });
      },
    );

    scoped.post('/api/patient/attachments', { schema: { tags: ['widget'], summary: 'Upload a PDF, JPEG or PNG (multipart field "file")', consumes: ['multipart/form-data'], response: { 201: AttachmentInfo, ...errors } }, config: { rateLimit: UPLOAD_RATE } }, async (request, reply) => {
      const who = patientOf(request);
      const ctx = await messagingContext(deps, who.clinicId);
      const info = await storeAttachment(deps, request.id, ctx.cipher, who, who.patientId, await uploadedFile(request, ctx.settings.attachmentMaxMb), ctx.settings.attachmentMaxMb);
      return reply.status(201).send(info);
    });

    scoped.get('/api/patient/attachments/:id', { schema: { tags: ['widget'], summary: 'Download an attachment', params: IdParams, response: { 200: Download, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody } } }, async (request, reply) => {
      const who = patientOf(request);
      const ctx = await messagingContext(deps, who.clinicId);
      return sendFile(reply, await readAttachment(deps, request.id, ctx.cipher, who, request.params.id));
    });

    scoped.get(
      '/api/patient/events',
      { schema: { tags: ['widget'], summary: 'Server-Sent Events: new messages in the patient’s conversations (each with an id; send Last-Event-ID to resume)', response: { 200: EventStream, 401: ErrorBody, 429: ErrorBody } } },
      async (request, reply) => {
        const who = patientOf(request);
        const token = bearerToken(request)!;
        await streamEvents(request, reply, deps.events, deps.streams, {
          clinicId: who.clinicId,
          sessionId: sessionIdOf(token),
          subject: { kind: 'patient', id: who.patientId },
          // Their own messages and reads too: the patient's other widgets and tabs keep their lists and counts current.
          visible: (e) => visibleTo(who, e),
          stillValid: async () => (await resolveSession(deps.db, token, 'patient', { touch: false })) !== null,
        });
      },
    );
  });
};
