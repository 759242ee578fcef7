/**
 * Questionnaires on the wire: one source for the server (validation, OpenAPI) and the browser (types).
 * Questionnaires and responses travel as FHIR R4 JSON where they leave the product (export, import);
 * inside it, answers are a map of linkId → FHIR answer values (shared/questionnaire-logic.ts).
 */
import type { Questionnaire, QuestionnaireResponse } from '@medplum/fhirtypes';
import { Type, type Static, type TSchema } from 'typebox';
import { Id, Timestamp } from './api.js';
import { ClientId } from './messaging.js';
import type { Answers as LogicAnswers } from './questionnaire-logic.js';
import { ReminderDaysBefore, Repeat } from './questionnaire-schedules.js';

const IsoDate = Type.String({ format: 'date', description: 'YYYY-MM-DD' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

/** A FHIR R4 Questionnaire (validated by the server against the R4 definitions; any valid JSON shape). */
export const FhirQuestionnaire = Type.Unsafe<Questionnaire>(Type.Object({ resourceType: Type.Literal('Questionnaire') }, { additionalProperties: true }));
/** A FHIR R4 QuestionnaireResponse. */
export const FhirQuestionnaireResponse = Type.Unsafe<QuestionnaireResponse>(Type.Object({ resourceType: Type.Literal('QuestionnaireResponse') }, { additionalProperties: true }));
/** What an import receives: any JSON object; the server says whether it is a valid R4 Questionnaire. */
export const QuestionnaireImport = Type.Object(
  {
    resourceType: Type.String({ maxLength: 64 }),
    status: Type.Optional(Type.String({ maxLength: 32 })),
    title: Type.Optional(Type.String({ maxLength: 500 })),
    item: Type.Optional(Type.Array(Type.Object({}, { additionalProperties: true }), { maxItems: 1000 })),
  },
  { additionalProperties: true },
);

/** A coded answer. */
export const AnswerCoding = Type.Object({ system: Type.Optional(Type.String({ maxLength: 255 })), code: Type.String({ minLength: 1, maxLength: 100 }), display: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false });

const answerValues = {
  valueBoolean: Type.Optional(Type.Boolean()),
  valueDecimal: Type.Optional(Type.Number()),
  valueInteger: Type.Optional(Type.Integer()),
  valueDate: Type.Optional(Type.String({ maxLength: 10 })),
  valueDateTime: Type.Optional(Type.String({ maxLength: 40 })),
  valueString: Type.Optional(Type.String({ maxLength: 10000 })),
  valueCoding: Type.Optional(AnswerCoding),
  /** A number with its UCUM unit (the server sets unit, system and code from the item). */
  valueQuantity: Type.Optional(Type.Object({ value: Type.Number(), unit: Type.Optional(Type.String({ maxLength: 100 })), system: Type.Optional(Type.String({ maxLength: 255 })), code: Type.Optional(Type.String({ maxLength: 100 })) }, { additionalProperties: false })),
  /** A file uploaded through /api/patient/attachments, named `urn:uuid:<its id>`: never inline bytes (no `data`). */
  valueAttachment: Type.Optional(
    Type.Object({ url: Type.String({ maxLength: 100 }), contentType: Type.Optional(Type.String({ maxLength: 100 })), size: Type.Optional(Type.Integer({ minimum: 0 })), title: Type.Optional(Type.String({ maxLength: 255 })) }, { additionalProperties: false }),
  ),
};
const LinkId = Type.String({ pattern: '^[A-Za-z0-9._:-]{1,255}$' });

/** How deep repeating groups nest (a repeating group inside a repeating group: 2); deeper ones are refused at import. */
export const MAX_REPEAT_DEPTH = 2;

/** One answer value inside the innermost repeating group's instance: exactly one value[x]. */
const LeafAnswerValue = Type.Object(answerValues, { additionalProperties: false });

/** An answer value that may be an instance of a repeating group `depth` levels deep at most. */
const answerValueOf = (depth: number): TSchema =>
  depth === 0 ? LeafAnswerValue : Type.Object({ ...answerValues, item: Type.Optional(Type.Record(LinkId, Type.Array(answerValueOf(depth - 1), { maxItems: 50 }), { maxProperties: 200 })) }, { additionalProperties: false });

/**
 * One answer value: exactly one value[x] (the server refuses more, or one of the wrong type, with
 * 422); for a repeating group (`group` with `repeats`), one instance with its answers by linkId,
 * whose own repeating groups nest the same way (MAX_REPEAT_DEPTH levels at most).
 */
export const AnswerValue = answerValueOf(MAX_REPEAT_DEPTH);

/** Answers by item linkId. */
export const Answers = Type.Unsafe<LogicAnswers>(Type.Record(LinkId, Type.Array(AnswerValue, { maxItems: 50 }), { maxProperties: 1000 }));

/** A score band as the instrument defines it. */
export const ScoreBand = Type.Object({ code: Type.String(), en: Type.String(), fr: Type.String() });
/** One calculated score (e.g. the PHQ-9 total) and its band. */
export const Score = Type.Object({ linkId: Type.String(), en: Type.String(), fr: Type.String(), value: Type.Number(), band: Nullable(ScoreBand) });
/** A submitted response's scores and the safety flags it raised (e.g. `phq9-item9`). */
export const ResponseResult = Type.Object({ scores: Type.Array(Score), flags: Type.Array(Type.String()) });
export type ResponseResult = Static<typeof ResponseResult>;

/** A questionnaire in the clinic's list (its current version). */
export const QuestionnaireSummary = Type.Object({
  id: Type.String(),
  title: Type.String(),
  titleFr: Type.String(),
  libraryKey: Nullable(Type.String()),
  version: Type.Integer(),
  versionId: Type.String(),
  updatedAt: Timestamp,
});
export type QuestionnaireSummary = Static<typeof QuestionnaireSummary>;

/** A questionnaire with its versions and the current version's FHIR resource. */
export const QuestionnaireDetail = Type.Object({
  questionnaire: QuestionnaireSummary,
  versions: Type.Array(Type.Object({ id: Type.String(), version: Type.Integer(), createdAt: Timestamp })),
  resource: FhirQuestionnaire,
});
export type QuestionnaireDetail = Static<typeof QuestionnaireDetail>;

/** An instrument of the library shipped with the product, and whether the clinic has it. */
export const LibraryEntry = Type.Object({ key: Type.String(), title: Type.String(), titleFr: Type.String(), questionnaireId: Nullable(Type.String()) });
export type LibraryEntry = Static<typeof LibraryEntry>;

/** Staff ask patients to fill in a questionnaire's current version. */
export const NewAssignments = Type.Object(
  {
    patientIds: Type.Array(Id, { minItems: 1, maxItems: 200, uniqueItems: true }),
    dueDate: Type.Optional(IsoDate),
    /**
     * How the patient hears of it: an e-mail link (default) or a text-message link, neither naming the
     * questionnaire; or a message in a secure conversation (its e-mail notice carries no content).
     */
    channel: Type.Optional(Type.Union([Type.Literal('email'), Type.Literal('sms'), Type.Literal('message')])),
    /** A reminder this many days before the due date, if not completed by then (needs a due date). */
    reminderDaysBefore: Type.Optional(ReminderDaysBefore),
    /** Send again each period until a date (remote monitoring); one schedule per patient. */
    repeat: Type.Optional(Repeat),
  },
  { additionalProperties: false },
);
export type NewAssignments = Static<typeof NewAssignments>;

/** Where an assignment stands. */
export const AssignmentStatus = Type.Union([Type.Literal('assigned'), Type.Literal('in-progress'), Type.Literal('completed')]);

/** One assignment as staff see it. */
export const StaffAssignment = Type.Object({
  id: Type.String(),
  questionnaireId: Type.String(),
  versionId: Type.String(),
  version: Type.Integer(),
  title: Type.String(),
  titleFr: Type.String(),
  patientId: Type.String(),
  patientName: Type.String(),
  status: AssignmentStatus,
  overdue: Type.Boolean(),
  dueDate: Nullable(Type.String()),
  createdAt: Timestamp,
  submittedAt: Nullable(Timestamp),
  /** Of the latest submitted revision. */
  result: Nullable(ResponseResult),
});
export type StaffAssignment = Static<typeof StaffAssignment>;

/** Filters of the staff list of assignments. */
export const AssignmentQuery = Type.Object(
  {
    questionnaireId: Type.Optional(Id),
    patientId: Type.Optional(Id),
    /** `overdue`: not completed and past the due date. */
    status: Type.Optional(Type.Union([Type.Literal('assigned'), Type.Literal('in-progress'), Type.Literal('completed'), Type.Literal('overdue')])),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
  },
  { additionalProperties: false },
);
export type AssignmentQuery = Static<typeof AssignmentQuery>;

/** One revision of a response. */
export const ResponseRevision = Type.Object({
  id: Type.String(),
  revision: Type.Integer(),
  status: Type.Union([Type.Literal('in-progress'), Type.Literal('completed'), Type.Literal('amended')]),
  answers: Answers,
  result: Nullable(ResponseResult),
  updatedAt: Timestamp,
  submittedAt: Nullable(Timestamp),
});
export type ResponseRevision = Static<typeof ResponseRevision>;

/** An assignment for staff, with the version asked and every revision of the answers, newest first. */
export const StaffAssignmentDetail = Type.Object({ assignment: StaffAssignment, questionnaire: FhirQuestionnaire, responses: Type.Array(ResponseRevision) });
export type StaffAssignmentDetail = Static<typeof StaffAssignmentDetail>;

/** One of the patient's assignments. */
export const PatientAssignment = Type.Object({
  id: Type.String(),
  title: Type.String(),
  titleFr: Type.String(),
  status: AssignmentStatus,
  overdue: Type.Boolean(),
  dueDate: Nullable(Type.String()),
  createdAt: Timestamp,
  submittedAt: Nullable(Timestamp),
});
export type PatientAssignment = Static<typeof PatientAssignment>;

/** An assignment opened by the patient: the questionnaire and their latest answers (in progress or submitted). */
export const PatientAssignmentDetail = Type.Object({
  assignment: PatientAssignment,
  questionnaire: FhirQuestionnaire,
  response: Nullable(Type.Object({ id: Type.String(), revision: Type.Integer(), status: ResponseRevision.properties.status, answers: Answers, updatedAt: Timestamp })),
});
export type PatientAssignmentDetail = Static<typeof PatientAssignmentDetail>;

/** Autosave (in progress) or submit. `amend: true` starts a new revision of a submitted response. */
export const SaveAnswers = Type.Object({ answers: Answers, amend: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
export type SaveAnswers = Static<typeof SaveAnswers>;

/**
 * A submit: the answers, and the client's id for this submit (as a message's id): a retry with the
 * same id (the device's outbox, after a lost answer) answers as the first did and stores nothing new.
 */
export const SubmitAnswers = Type.Object(
  { answers: Answers, amend: Type.Optional(Type.Boolean()), id: Type.Optional(ClientId) },
  { additionalProperties: false },
);
export type SubmitAnswers = Static<typeof SubmitAnswers>;

/** What a save or submit stored. */
export const SavedResponse = Type.Object({ id: Type.String(), revision: Type.Integer(), status: ResponseRevision.properties.status, updatedAt: Timestamp });
export type SavedResponse = Static<typeof SavedResponse>;
