/**
 * Staff reading responses beyond the list: the trend of numeric answers and scores of one patient for
 * one questionnaire, a response laid out for print, and a reply to the patient about a response in a
 * secure conversation. One source for the server (validation, OpenAPI) and the admin (types).
 */
import { Type, type Static } from 'typebox';
import { Id, Timestamp } from './api.js';
import { ClientId } from './messaging.js';
import { FhirQuestionnaire, ResponseRevision } from './questionnaires.js';

/** Which patient's answers to which questionnaire. */
export const SeriesQuery = Type.Object({ patientId: Id, questionnaireId: Id }, { additionalProperties: false });
export type SeriesQuery = Static<typeof SeriesQuery>;

/** One submitted response's value of a series. */
export const SeriesPoint = Type.Object({ at: Timestamp, value: Type.Number(), responseId: Type.String(), assignmentId: Type.String() });
export type SeriesPoint = Static<typeof SeriesPoint>;

/** A score the questionnaire calculates (e.g. the PHQ-9 total) or a numeric answer (e.g. systolic pressure), over time. */
export const Series = Type.Object({
  linkId: Type.String(),
  kind: Type.Union([Type.Literal('score'), Type.Literal('answer')]),
  en: Type.String(),
  fr: Type.String(),
  /** The UCUM unit of a quantity answer (e.g. mm[Hg]), empty otherwise. */
  unit: Type.String(),
  /** Oldest first. */
  points: Type.Array(SeriesPoint),
});
export type Series = Static<typeof Series>;

/** Every numeric series of one patient's submitted responses to one questionnaire (each assignment's latest revision). */
export const ResponseSeries = Type.Object({ patientId: Type.String(), patientName: Type.String(), questionnaireId: Type.String(), title: Type.String(), titleFr: Type.String(), series: Type.Array(Series) });
export type ResponseSeries = Static<typeof ResponseSeries>;

/** One response revision with what a printed copy shows: clinic, patient, questionnaire and version, date, answers, scores. */
export const ResponsePrint = Type.Object({
  clinicName: Type.String(),
  patient: Type.Object({ id: Type.String(), name: Type.String(), dateOfBirth: Type.String() }),
  assignmentId: Type.String(),
  title: Type.String(),
  titleFr: Type.String(),
  version: Type.Integer(),
  questionnaire: FhirQuestionnaire,
  response: ResponseRevision,
});
export type ResponsePrint = Static<typeof ResponsePrint>;

/** Staff write to the patient about a response; `id` makes a retry safe (as for every message). */
export const ResponseReply = Type.Object({ id: ClientId, body: Type.String({ minLength: 1, maxLength: 100000 }) }, { additionalProperties: false });
export type ResponseReply = Static<typeof ResponseReply>;

/** The conversation the reply went to: a new one, or (newThread false) the one already opened about this assignment; false for a retry too. */
export const ResponseReplyResult = Type.Object({ threadId: Type.String(), messageId: Type.String(), newThread: Type.Boolean() });
export type ResponseReplyResult = Static<typeof ResponseReplyResult>;
