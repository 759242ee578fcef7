/**
 * Recurring questionnaires and reminders on the wire (server validation, OpenAPI, browser types):
 * "repeat every N days/weeks/months until a date", and the staff list of recurring schedules.
 */
import { Type, type Static } from 'typebox';
import { Id, Timestamp } from './api.js';

const IsoDate = Type.String({ format: 'date', description: 'YYYY-MM-DD' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

/** The unit of a repeat. */
export const RepeatUnit = Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month')]);
export type RepeatUnit = Static<typeof RepeatUnit>;

/**
 * Send again every `every` `unit`s until `until` (inclusive, in the clinic's time zone). The first
 * period is the send itself; each later one makes a new assignment with its own link, due the same
 * number of days after it is sent as the first (when the send has a due date).
 */
export const Repeat = Type.Object(
  { every: Type.Integer({ minimum: 1, maximum: 52 }), unit: RepeatUnit, until: IsoDate },
  { additionalProperties: false },
);
export type Repeat = Static<typeof Repeat>;

/** Days before the due date a reminder goes (at 9:00 in the clinic's time zone), if not completed by then. */
export const ReminderDaysBefore = Type.Integer({ minimum: 0, maximum: 30 });

/** What a send answers: the assignments made now and, when it repeats, each patient's schedule. */
export const AssignmentsMade = Type.Object({ ids: Type.Array(Type.String()), scheduleIds: Type.Array(Type.String()) });
export type AssignmentsMade = Static<typeof AssignmentsMade>;

/** A recurring schedule as staff see it. */
export const QuestionnaireSchedule = Type.Object({
  id: Id,
  questionnaireId: Id,
  title: Type.String(),
  titleFr: Type.String(),
  patientId: Id,
  patientName: Type.String(),
  channel: Type.Union([Type.Literal('email'), Type.Literal('sms')]),
  every: Type.Integer(),
  unit: RepeatUnit,
  until: Type.String(),
  dueDays: Nullable(Type.Integer()),
  remindDaysBefore: Nullable(Type.Integer()),
  createdAt: Timestamp,
  /** The next send (null when none is left or it is stopped). */
  nextAt: Nullable(Timestamp),
  stoppedAt: Nullable(Timestamp),
});
export type QuestionnaireSchedule = Static<typeof QuestionnaireSchedule>;

/** Filters of the staff list of schedules. */
export const ScheduleQuery = Type.Object(
  { questionnaireId: Type.Optional(Id), patientId: Type.Optional(Id) },
  { additionalProperties: false },
);
export type ScheduleQuery = Static<typeof ScheduleQuery>;
