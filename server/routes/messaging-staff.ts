/** Messaging for the clinic's staff: settings, inbox, threads, replies, notes, attachments, live events. */
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorBody, IdParams } from '../../shared/api.js';
import { AttachmentInfo, BulkThreadPatch, CannedReply, InboxFilter, InboxPage, MessagePage, MessagePageQuery, MessagingSettings, NewCannedReply, NewReply, NewStaffThread, StaffThreadDetail, ThreadPatch } from '../../shared/messaging.js';
import type { Deps } from '../deps.js';
import { readAttachment, storeAttachment } from '../domain/attachments.js';
import { audited } from '../domain/action.js';
import { addCannedReply, listCannedReplies, removeCannedReply } from '../domain/canned-replies.js';
import { getMessagingSettings, saveMessagingSettings } from '../domain/messaging-settings.js';
import { getPatient } from '../domain/patients.js';
import { listActiveColleagues } from '../domain/staff.js';
import { bulkUpdateThreads, listInbox, markThreadUnread, readStaffMessages, readStaffThread, staffReply, startStaffThread, updateThread } from '../domain/threads.js';
import { sessionIdOf } from '../domain/sessions.js';
import { requireRole, requireStaff, staffOf, staffSessionLive, staffToken } from '../http/auth.js';
import { Download, EventStream, UPLOAD_RATE, sendFile, uploadedFile } from '../http/files.js';
import { streamEvents } from '../http/sse.js';
import { messagingContext } from './messaging-context.js';

const Sent = Type.Object({ threadId: Type.String(), messageId: Type.String() });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 413: ErrorBody, 415: ErrorBody, 422: ErrorBody };

export const staffMessagingRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  app.get('/api/messaging/settings', { onRequest: requireStaff(deps), schema: { tags: ['messaging'], summary: "The clinic's messaging rules", response: { 200: MessagingSettings, 401: ErrorBody } } }, async (request) =>
    getMessagingSettings(deps.db, staffOf(request).clinicId),
  );

  app.put(
    '/api/messaging/settings',
    { onRequest: requireStaff(deps, ['admin']), schema: { tags: ['messaging'], summary: 'Replace the messaging rules (applies to the widget at once)', body: MessagingSettings, response: { 200: MessagingSettings, ...errors } } },
    async (request) => {
      const who = staffOf(request);
      return audited(deps, who, request.id, (tx) => saveMessagingSettings(tx, who.clinicId, request.body), () => ({ action: 'messaging.settings', target: 'messaging-settings' }));
    },
  );

  await app.register(async (plain) => {
    const scoped = plain.withTypeProvider<TypeBoxTypeProvider>();
    scoped.addHook('onRequest', requireStaff(deps));

    scoped.get('/api/inbox', { schema: { tags: ['messaging'], summary: 'One page of threads (newest activity or soonest due first), with filters, message-text search and the unread total', querystring: InboxFilter, response: { 200: InboxPage, ...errors } } }, async (request) => {
      const who = staffOf(request);
      return listInbox(await messagingContext(deps, who.clinicId, request.id), who, request.query);
    });

    scoped.post('/api/threads', { schema: { tags: ['messaging'], summary: 'Start a conversation with a patient', body: NewStaffThread, response: { 200: Sent, 201: Sent, ...errors } } }, async (request, reply) => {
      const who = staffOf(request);
      const sent = await startStaffThread(await messagingContext(deps, who.clinicId, request.id), who, request.body);
      return reply.status(sent.created ? 201 : 200).send({ threadId: sent.threadId, messageId: sent.messageId });
    });

    scoped.get('/api/threads/:id', { schema: { tags: ['messaging'], summary: 'A conversation with its newest messages and internal notes (marks it read); earlierCursor pages back', params: IdParams, response: { 200: StaffThreadDetail, ...errors } } }, async (request) => {
      const who = staffOf(request);
      return readStaffThread(await messagingContext(deps, who.clinicId, request.id), who, request.params.id);
    });

    scoped.get(
      '/api/threads/:id/messages',
      { schema: { tags: ['messaging'], summary: 'Earlier messages and notes of a conversation: the page before `before` (its earlierCursor), newest page without it', params: IdParams, querystring: MessagePageQuery, response: { 200: MessagePage, ...errors } } },
      async (request) => {
        const who = staffOf(request);
        return readStaffMessages(await messagingContext(deps, who.clinicId, request.id), who, request.params.id, request.query);
      },
    );

    scoped.patch('/api/threads/:id', { schema: { tags: ['messaging'], summary: 'Close, reopen or assign', params: IdParams, body: ThreadPatch, response: { 200: Type.Object({ status: Type.String(), assignedTo: Type.Union([Type.String(), Type.Null()]) }), ...errors } } }, async (request) => {
      const who = staffOf(request);
      const row = await updateThread(await messagingContext(deps, who.clinicId, request.id), who, request.params.id, request.body);
      return { status: row.status, assignedTo: row.assigned_to };
    });

    scoped.post('/api/threads/bulk', { schema: { tags: ['messaging'], summary: 'Close, reopen or assign many conversations at once (all or none)', body: BulkThreadPatch, response: { 200: Type.Object({ updated: Type.Integer() }), ...errors } } }, async (request) => {
      const who = staffOf(request);
      return { updated: await bulkUpdateThreads(await messagingContext(deps, who.clinicId, request.id), who, request.body) };
    });

    scoped.post('/api/threads/:id/unread', { schema: { tags: ['messaging'], summary: 'Mark a conversation unread for the signed-in staff member', params: IdParams, response: { 204: Type.Null(), ...errors } } }, async (request, reply) => {
      const who = staffOf(request);
      await markThreadUnread(await messagingContext(deps, who.clinicId, request.id), who, request.params.id);
      return reply.status(204).send(null);
    });

    scoped.post('/api/threads/:id/messages', { schema: { tags: ['messaging'], summary: 'Reply to the patient, or add an internal note (note: true)', params: IdParams, body: NewReply, response: { 200: Sent, 201: Sent, ...errors } } }, async (request, reply) => {
      const who = staffOf(request);
      const sent = await staffReply(await messagingContext(deps, who.clinicId, request.id), who, request.params.id, request.body);
      return reply.status(sent.created ? 201 : 200).send({ threadId: sent.threadId, messageId: sent.messageId });
    });

    scoped.post(
      '/api/attachments',
      { config: { rateLimit: UPLOAD_RATE }, schema: { tags: ['messaging'], summary: "Upload a PDF, JPEG or PNG for a patient's conversation (multipart field \"file\")", consumes: ['multipart/form-data'], querystring: Type.Object({ patientId: IdParams.properties.id }), response: { 201: AttachmentInfo, ...errors } } },
      async (request, reply) => {
        const who = staffOf(request);
        const ctx = await messagingContext(deps, who.clinicId);
        await getPatient(deps.db, ctx.cipher, request.query.patientId);
        const info = await storeAttachment(deps, request.id, ctx.cipher, who, request.query.patientId, await uploadedFile(request, ctx.settings.attachmentMaxMb), ctx.settings.attachmentMaxMb);
        return reply.status(201).send(info);
      },
    );

    scoped.get('/api/attachments/:id', { schema: { tags: ['messaging'], summary: 'Download an attachment', params: IdParams, response: { 200: Download, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody } } }, async (request, reply) => {
      const who = staffOf(request);
      const ctx = await messagingContext(deps, who.clinicId);
      return sendFile(reply, await readAttachment(deps, request.id, ctx.cipher, who, request.params.id));
    });

    scoped.get(
      '/api/staff/events',
      { schema: { tags: ['messaging'], summary: "Server-Sent Events: new messages in the clinic's conversations (each with an id; Last-Event-ID resumes)", response: { 200: EventStream, 401: ErrorBody, 429: ErrorBody } } },
      async (request, reply) => {
        const who = staffOf(request);
        const token = staffToken(deps, request)!;
        await streamEvents(request, reply, deps.events, deps.streams, {
          clinicId: who.clinicId,
          sessionId: sessionIdOf(token),
          subject: { kind: 'staff', id: who.staffId },
          visible: (e) => e.author !== 'staff' || e.kind !== 'message',
          stillValid: () => staffSessionLive(deps, token),
        });
      },
    );

    scoped.get('/api/messaging/staff', { schema: { tags: ['messaging'], summary: 'Active colleagues a thread can be assigned to', response: { 200: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), role: Type.String() })), ...errors } } }, async (request) =>
      listActiveColleagues(deps.db, staffOf(request).clinicId),
    );

    scoped.get('/api/canned-replies', { schema: { tags: ['messaging'], summary: "The clinic's reply templates", response: { 200: Type.Array(CannedReply), ...errors } } }, async (request) =>
      listCannedReplies(deps.db, staffOf(request).clinicId),
    );

    // Templates are the clinic's voice: administrators keep them; everyone uses them.
    scoped.post('/api/canned-replies', { onRequest: requireRole(deps, ['admin']), schema: { tags: ['messaging'], summary: 'Add a reply template', body: NewCannedReply, response: { 201: CannedReply, ...errors } } }, async (request, reply) => {
      const who = staffOf(request);
      const added = await audited(deps, who, request.id, (tx) => addCannedReply(tx, who.clinicId, request.body), (r) => ({ action: 'template.add', target: `template:${r.id}` }));
      return reply.status(201).send(added);
    });

    scoped.delete('/api/canned-replies/:id', { onRequest: requireRole(deps, ['admin']), schema: { tags: ['messaging'], summary: 'Remove a reply template', params: IdParams, response: { 204: Type.Null(), ...errors } } }, async (request, reply) => {
      const who = staffOf(request);
      await audited(deps, who, request.id, (tx) => removeCannedReply(tx, who.clinicId, request.params.id), () => ({ action: 'template.remove', target: `template:${request.params.id}` }));
      return reply.status(204).send(null);
    });
  });
};
