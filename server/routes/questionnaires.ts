/** Questionnaires: the clinic's (staff) and the signed-in patient's (the <sm-questionnaire> frame). */
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { ErrorBody, IdParams } from '../../shared/api.js';
import {
  AssignmentQuery, FhirQuestionnaire, FhirQuestionnaireResponse, LibraryEntry, NewAssignments, PatientAssignment, PatientAssignmentDetail, QuestionnaireDetail, QuestionnaireImport,
  QuestionnaireSummary, SaveAnswers, SavedResponse, SubmitAnswers, StaffAssignment, StaffAssignmentDetail,
} from '../../shared/questionnaires.js';
import { AssignmentsMade, QuestionnaireSchedule, ScheduleQuery } from '../../shared/questionnaire-schedules.js';
import type { Deps } from '../deps.js';
import { listSchedules, stopSchedule } from '../domain/questionnaire-schedules.js';
import { clinicCipher, getClinic } from '../domain/clinics.js';
import {
  addFromLibrary, assignQuestionnaire, exportQuestionnaire, exportResponse, getQuestionnaire, importQuestionnaire, listAssignments, listLibrary, listPatientAssignments, listQuestionnaires,
  publishVersion, readAssignment, readPatientAssignment, saveAnswers, submitAnswers, type QuestionnaireContext,
} from '../domain/questionnaires.js';
import { patientOf, requirePatient, requireRole, requireStaff, staffOf } from '../http/auth.js';
import { messagingContext } from './messaging-context.js';

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody, 422: ErrorBody };
/** Who curates the clinic's questionnaires (everyone may assign them and read responses). */
const CURATORS = ['admin', 'physician'] as const;

async function context(deps: Deps, clinicId: string, requestId: string): Promise<QuestionnaireContext> {
  return { db: deps.db, store: deps, requestId, cipher: clinicCipher(deps.keyring, await getClinic(deps.db, clinicId)), smsAvailable: deps.config.sms !== null };
}

export const questionnaireRoutes: FastifyPluginAsyncTypebox<{ deps: Deps }> = async (app, { deps }) => {
  await app.register(async (plain) => {
    const scoped = plain.withTypeProvider<TypeBoxTypeProvider>();
    scoped.addHook('onRequest', requireStaff(deps));
    const tags = ['questionnaires'];

    scoped.get('/api/questionnaires', { schema: { tags, summary: "The clinic's questionnaires (current versions)", response: { 200: Type.Array(QuestionnaireSummary), ...errors } } }, async (request) =>
      listQuestionnaires(deps.db, staffOf(request).clinicId),
    );

    scoped.get('/api/questionnaire-library', { schema: { tags, summary: 'The validated instruments shipped with the product (PHQ-9, GAD-7, home blood-pressure log)', response: { 200: Type.Array(LibraryEntry), ...errors } } }, async (request) =>
      listLibrary(deps.db, staffOf(request).clinicId),
    );

    scoped.post(
      '/api/questionnaire-library/:id',
      { onRequest: requireRole(deps, [...CURATORS]), schema: { tags, summary: "Add a library instrument to the clinic's questionnaires (once; again answers 200 with it)", params: IdParams, response: { 200: QuestionnaireDetail, 201: QuestionnaireDetail, ...errors } } },
      async (request, reply) => {
        const who = staffOf(request);
        const added = await addFromLibrary(await context(deps, who.clinicId, request.id), who, request.params.id);
        return reply.status(added.created ? 201 : 200).send(added.detail);
      },
    );

    scoped.post(
      '/api/questionnaires',
      { onRequest: requireRole(deps, [...CURATORS]), schema: { tags, summary: 'Import a FHIR R4 Questionnaire (refused with 422 invalid_fhir, "path: problem", when invalid)', body: QuestionnaireImport, response: { 201: QuestionnaireDetail, ...errors } } },
      async (request, reply) => {
        const who = staffOf(request);
        return reply.status(201).send(await importQuestionnaire(await context(deps, who.clinicId, request.id), who, request.body));
      },
    );

    scoped.get('/api/questionnaires/:id', { schema: { tags, summary: 'A questionnaire with its versions and current FHIR resource', params: IdParams, response: { 200: QuestionnaireDetail, ...errors } } }, async (request) =>
      getQuestionnaire(deps.db, staffOf(request).clinicId, request.params.id),
    );

    scoped.put(
      '/api/questionnaires/:id',
      { onRequest: requireRole(deps, [...CURATORS]), schema: { tags, summary: 'Publish a change: the FHIR resource becomes the next version (earlier assignments keep theirs)', params: IdParams, body: QuestionnaireImport, response: { 200: QuestionnaireDetail, ...errors } } },
      async (request) => {
        const who = staffOf(request);
        return publishVersion(await context(deps, who.clinicId, request.id), who, request.params.id, request.body);
      },
    );

    scoped.get(
      '/api/questionnaires/:id/fhir',
      { schema: { tags, summary: 'Export a version (default the current one) as FHIR R4 JSON', params: IdParams, querystring: Type.Object({ version: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })) }), response: { 200: FhirQuestionnaire, ...errors } } },
      async (request) => exportQuestionnaire(deps.db, staffOf(request).clinicId, request.params.id, request.query.version),
    );

    scoped.post(
      '/api/questionnaires/:id/assignments',
      {
        schema: {
          tags,
          summary: 'Assign the current version to enrolled patients (each gets an e-mail or text with a link, no details), optionally with a reminder before the due date and repeating until a date',
          params: IdParams,
          body: NewAssignments,
          response: { 201: AssignmentsMade, ...errors },
        },
      },
      async (request, reply) => {
        const who = staffOf(request);
        const messaging = request.body.channel === 'message' ? await messagingContext(deps, who.clinicId, request.id) : undefined;
        return reply.status(201).send(await assignQuestionnaire(await context(deps, who.clinicId, request.id), who, request.params.id, request.body, new Date(), messaging));
      },
    );

    scoped.get('/api/questionnaire-schedules', { schema: { tags, summary: 'Recurring questionnaires, newest first, with each one\'s next send', querystring: ScheduleQuery, response: { 200: Type.Array(QuestionnaireSchedule), ...errors } } }, async (request) => {
      const who = staffOf(request);
      const ctx = await context(deps, who.clinicId, request.id);
      return listSchedules(deps, ctx.cipher, who, request.id, request.query);
    });

    scoped.post('/api/questionnaire-schedules/:id/stop', { schema: { tags, summary: 'Stop a recurring questionnaire (assignments already sent stay open)', params: IdParams, response: { 204: Type.Null(), ...errors } } }, async (request, reply) => {
      const who = staffOf(request);
      await stopSchedule(deps, who, request.id, request.params.id);
      return reply.status(204).send(null);
    });

    scoped.get('/api/questionnaire-assignments', { schema: { tags, summary: 'Assignments with status, scores, bands and safety flags, newest first', querystring: AssignmentQuery, response: { 200: Type.Array(StaffAssignment), ...errors } } }, async (request) => {
      const who = staffOf(request);
      return listAssignments(await context(deps, who.clinicId, request.id), who, request.query);
    });

    scoped.get('/api/questionnaire-assignments/:id', { schema: { tags, summary: 'One assignment: the version asked and every revision of the answers', params: IdParams, response: { 200: StaffAssignmentDetail, ...errors } } }, async (request) => {
      const who = staffOf(request);
      return readAssignment(await context(deps, who.clinicId, request.id), who, request.params.id);
    });

    scoped.get('/api/questionnaire-responses/:id/fhir', { schema: { tags, summary: 'One response revision as a FHIR R4 QuestionnaireResponse', params: IdParams, response: { 200: FhirQuestionnaireResponse, ...errors } } }, async (request) => {
      const who = staffOf(request);
      return exportResponse(await context(deps, who.clinicId, request.id), who, request.params.id);
    });
  });

  await app.register(async (plain) => {
    const scoped = plain.withTypeProvider<TypeBoxTypeProvider>();
    scoped.addHook('onRequest', requirePatient(deps));
    const tags = ['widget'];

    scoped.get('/api/patient/questionnaires', { schema: { tags, summary: "The patient's questionnaires to fill in, then those submitted", response: { 200: Type.Array(PatientAssignment), ...errors } } }, async (request) => {
      const who = patientOf(request);
      return listPatientAssignments(await context(deps, who.clinicId, request.id), who);
    });

    scoped.get('/api/patient/questionnaires/:id', { schema: { tags, summary: 'One of them, with the questionnaire and the latest answers', params: IdParams, response: { 200: PatientAssignmentDetail, ...errors } } }, async (request) => {
      const who = patientOf(request);
      return readPatientAssignment(await context(deps, who.clinicId, request.id), who, request.params.id);
    });

    scoped.put('/api/patient/questionnaires/:id/answers', { schema: { tags, summary: 'Autosave the answers so far (amend: true starts a new revision of a submitted response)', params: IdParams, body: SaveAnswers, response: { 200: SavedResponse, ...errors } } }, async (request) => {
      const who = patientOf(request);
      return saveAnswers(await context(deps, who.clinicId, request.id), who, request.params.id, request.body);
    });

    scoped.post('/api/patient/questionnaires/:id/submit', { schema: { tags, summary: 'Submit the answers (422 answers_missing names unanswered required questions; a retry with the same id is the same submit, 409 id_conflict if its answers differ)', params: IdParams, body: SubmitAnswers, response: { 200: SavedResponse, ...errors } } }, async (request) => {
      const who = patientOf(request);
      return submitAnswers(await context(deps, who.clinicId, request.id), who, request.params.id, request.body);
    });
  });
};
