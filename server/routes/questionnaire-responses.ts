/** Staff reading responses: a patient's trend for a questionnaire, a response's print view, a reply to the patient about it. */
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ErrorBody, IdParams } from '../../shared/api.js';
import { ResponsePrint, ResponseReply, ResponseReplyResult, ResponseSeries, SeriesQuery } from '../../shared/questionnaire-responses.js';
import type { Deps } from '../deps.js';
import { replyAboutResponse, responsePrint, responseSeries } from '../domain/questionnaire-responses.js';
import type { QuestionnaireContext } from '../domain/questionnaires.js';
import { requireStaff, staffOf } from '../http/auth.js';
import { messagingContext } from './messaging-context.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody };

async function context(deps: Deps, clinicId: string, requestId: string): Promise<QuestionnaireContext & { clinicName: string }> {
  const { clinic, cipher } = await deps.clinics.get(deps.db, clinicId);
  return { db: deps.db, store: deps, requestId, cipher, clinicName: clinic.name };
}

export const questionnaireResponseRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  await app.register(async (plain) => {
    const scoped = plain.withTypeProvider<TypeBoxTypeProvider>();
    scoped.addHook('onRequest', requireStaff(deps));
    const tags = ['questionnaires'];

    scoped.get(
      '/api/questionnaire-series',
      { schema: { tags, summary: "One patient's scores and numeric answers to one questionnaire over time (each assignment's latest submitted revision)", querystring: SeriesQuery, response: { 200: ResponseSeries, ...errors } } },
      async (request) => {
        const who = staffOf(request);
        return responseSeries(await context(deps, who.clinicId, request.id), who, request.query);
      },
    );

    scoped.get('/api/questionnaire-responses/:id/print', { schema: { tags, summary: 'One response revision with what its printed copy shows (audited as a view)', params: IdParams, response: { 200: ResponsePrint, ...errors } } }, async (request) => {
      const who = staffOf(request);
      const ctx = await context(deps, who.clinicId, request.id);
      return responsePrint(ctx, who, ctx.clinicName, request.params.id);
    });

    scoped.post(
      '/api/questionnaire-assignments/:id/reply',
      { schema: { tags, summary: 'Write to the patient about the response in a secure conversation (its first lines name the questionnaire and date; no answers are copied)', params: IdParams, body: ResponseReply, response: { 200: ResponseReplyResult, ...errors } } },
      async (request) => {
        const who = staffOf(request);
        return replyAboutResponse(await context(deps, who.clinicId, request.id), await messagingContext(deps, who.clinicId, request.id), who, request.params.id, request.body);
      },
    );
  });
};
