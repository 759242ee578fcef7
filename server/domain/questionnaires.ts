/**
 * Questionnaires on FHIR R4: a clinic's questionnaires (from the library or imported FHIR JSON, each
 * change published as a new version), assigned to patients, answered (autosaved in progress, then
 * submitted; an amendment is a new revision and both are kept) and scored. Answers and scores are
 * sealed with the clinic's key; every read of them is audited; another clinic's ids are 404 and a
 * patient sees only their own assignments.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { isUniqueViolation } from '../db/errors.js';
import type { Questionnaire } from '@medplum/fhirtypes';
import type { Database, QuestionnaireAssignmentsTable, QuestionnaireResponsesTable } from '../db/schema.js';
import type { Selectable } from 'kysely';
import {
  answerProblem, attachmentId, flattenItems, isQuestion, isRepeatingGroup, itemUnit, missingRequired, pruneAnswers, questionnaireTitle, scopeItems, SUPPORTED_ITEM_TYPES, UCUM, withItemUnit, type AnswerValue, type Answers,
} from '../../shared/questionnaire-logic.js';
import type { QuestionnaireItem } from '@medplum/fhirtypes';
import { claimForQuestionnaire } from './attachments.js';
import type {
  AssignmentQuery, LibraryEntry, NewAssignments, PatientAssignment, PatientAssignmentDetail, QuestionnaireDetail, QuestionnaireSummary, ResponseResult, ResponseRevision, SaveAnswers,
  SavedResponse, StaffAssignment, StaffAssignmentDetail, SubmitAnswers,
} from '../../shared/questionnaires.js';
import { MAX_REPEAT_DEPTH } from '../../shared/questionnaires.js';
import type { QuestionnaireResponse } from '@medplum/fhirtypes';
import { runAction, type Action, type ActionStore } from './action.js';
import type { ClinicCipher } from './crypto.js';
import { AppError, notFound } from './errors.js';
import { assertValidFhir } from './fhir.js';
import { LIBRARY, libraryResource } from './questionnaire-library.js';
import { buildResponse, calculatedExpression, expressionsOf, logicOptions, malformedExpressionItems, parsesAsFhirpath, scoreAnswers } from './questionnaire-scoring.js';
import { assertConsent, getPatient, patientNames } from './patients.js';
import type { PatientPrincipal, StaffPrincipal } from './principal.js';
import { questionnaireAssignedNotice, questionnaireFlagNotice } from './notices.js';
import { questionnaireAssignedText, smsUnavailable, textable } from './sms.js';
import { cancelReminder, reminderJob } from './questionnaire-reminders.js';
import { checkRepeat, startScheduleInAction } from './questionnaire-schedules.js';
import { clinicTimeZone } from './booking/setup.js';
import { DateTime } from 'luxon';
import { translate } from '../../shared/i18n-all.js';
import { normalizeLang } from '../../shared/lang.js';
import { startStaffThread, type MessagingContext } from './threads.js';

/** What questionnaire operations need. */
export interface QuestionnaireContext {
  db: Kysely<Database>;
  store: ActionStore;
  requestId: string | null;
  cipher: ClinicCipher;
  /** Whether this server can send texts (SMS configured). */
  smsAvailable?: boolean;
}

type AssignmentRow = Selectable<QuestionnaireAssignmentsTable>;
type ResponseRow = Selectable<QuestionnaireResponsesTable>;

const ANSWERS = 'questionnaire.answers';
const RESULT = 'questionnaire.result';

// --- questionnaires and versions ------------------------------------------------------------

/**
 * Checks a Questionnaire before it is stored: valid FHIR R4 (by the maintained validator), then what
 * this product needs on top: item types it renders, unique linkIds, enableWhen questions that exist,
 * coded options, FHIRPath that parses. Refusals are 422 `invalid_fhir` with "path: problem".
 */
export function checkQuestionnaire(json: unknown): Questionnaire {
  if (!json || typeof json !== 'object' || (json as { resourceType?: unknown }).resourceType !== 'Questionnaire') {
    throw new AppError(422, 'invalid_fhir', 'resourceType: expected "Questionnaire"');
  }
  assertValidFhir(json);
  const q = json as Questionnaire;
  const seen = new Set<string>();
  /** For each linkId, the repeating groups it sits in, outermost first. */
  const groupsOf = new Map<string, string[]>();
  const problem = (path: string, what: string) => new AppError(422, 'invalid_fhir', `${path}: ${what}`);
  const walk = (items: Questionnaire['item'], path: string, groups: string[]) => {
    (items ?? []).forEach((item, n) => {
      const at = `${path}.item[${n}]`;
      if (!(SUPPORTED_ITEM_TYPES as readonly string[]).includes(item.type)) throw problem(`${at}.type`, `item type "${item.type}" is not supported yet (supported: ${SUPPORTED_ITEM_TYPES.join(', ')})`);
      if (seen.has(item.linkId)) throw problem(`${at}.linkId`, `linkId "${item.linkId}" is used twice`);
      seen.add(item.linkId);
      groupsOf.set(item.linkId, groups);
      if (item.type === 'choice' && !(item.answerOption ?? []).length) throw problem(`${at}.answerOption`, 'a choice item needs answer options');
      (item.answerOption ?? []).forEach((o, k) => {
        if (!o.valueCoding?.code) throw problem(`${at}.answerOption[${k}]`, 'answer options must be coded (valueCoding with a code)');
      });
      if (isRepeatingGroup(item)) {
        if (groups.length >= MAX_REPEAT_DEPTH) throw problem(`${at}.repeats`, `repeating groups nest ${MAX_REPEAT_DEPTH} deep at most (a repeating group inside a repeating group)`);
        if (!(item.item ?? []).length) throw problem(`${at}.item`, 'a repeating group needs items');
      }
      if (groups.length > 0 && calculatedExpression(item)) throw problem(`${at}.extension`, 'a calculated item inside a repeating group is not supported');
      if (item.type === 'quantity') {
        const unit = itemUnit(item);
        if (unit && (unit.system ?? UCUM) !== UCUM) throw problem(`${at}.extension`, 'a quantity item\'s unit must be a UCUM code (system http://unitsofmeasure.org)');
      }
      walk(item.item, at, isRepeatingGroup(item) ? [...groups, item.linkId] : groups);
    });
  };
  walk(q.item, 'Questionnaire', []);
  flattenItems(q.item).forEach((item) => {
    (item.enableWhen ?? []).forEach((c, k) => {
      if (!seen.has(c.question)) throw problem(`Questionnaire.item(${item.linkId}).enableWhen[${k}].question`, `no item has linkId "${c.question}"`);
      // The question must be answered where this item can see it: its own instance or outside every repeating group it is not in.
      const theirs = groupsOf.get(c.question)!;
      const mine = groupsOf.get(item.linkId)!;
      if (theirs.some((g, i) => mine[i] !== g)) throw problem(`Questionnaire.item(${item.linkId}).enableWhen[${k}].question`, `"${c.question}" is inside a repeating group this item is not in`);
    });
  });
  const malformed = malformedExpressionItems(q);
  if (malformed.length > 0) throw problem(`Questionnaire.item(${malformed[0]}).extension`, 'an enableWhenExpression must be a text/fhirpath Expression with an expression');
  for (const expression of expressionsOf(q)) if (!parsesAsFhirpath(expression)) throw problem('Questionnaire', `the FHIRPath expression "${expression.slice(0, 120)}" does not parse`);
  return q;
}

/** The canonical reference of one version (what a response points at). */
const canonical = (questionnaireId: string, version: number) => `urn:uuid:${questionnaireId}|${version}`;

/** The stored resource of a version as exported: our id, canonical URL and version number. */
function exported(resource: string, questionnaireId: string, version: number): Questionnaire {
  const q = JSON.parse(resource) as Questionnaire;
  return { ...q, id: questionnaireId, url: `urn:uuid:${questionnaireId}`, version: String(version) };
}

function summaryOf(row: { id: string; library_key: string | null; current_version: number; updated_at: string; version_id: string; resource: string }): QuestionnaireSummary {
  const q = JSON.parse(row.resource) as Questionnaire;
  return { id: row.id, title: questionnaireTitle(q, 'en'), titleFr: questionnaireTitle(q, 'fr'), libraryKey: row.library_key, version: row.current_version, versionId: row.version_id, updatedAt: row.updated_at };
}

function currentVersions(db: Kysely<Database>, clinicId: string) {
  return db
    .selectFrom('questionnaires as q')
    .innerJoin('questionnaire_versions as v', (j) => j.onRef('v.questionnaire_id', '=', 'q.id').onRef('v.version', '=', 'q.current_version'))
    .select(['q.id', 'q.library_key', 'q.current_version', 'q.updated_at', 'v.id as version_id', 'v.resource'])
    .where('q.clinic_id', '=', clinicId);
}

/** The clinic's questionnaires, most recently changed first. */
export async function listQuestionnaires(db: Kysely<Database>, clinicId: string): Promise<QuestionnaireSummary[]> {
  const rows = await currentVersions(db, clinicId).orderBy('q.updated_at', 'desc').orderBy('q.id').execute();
  return rows.map(summaryOf);
}

/** One questionnaire with its versions and current resource. */
export async function getQuestionnaire(db: Kysely<Database>, clinicId: string, id: string): Promise<QuestionnaireDetail> {
  const row = await currentVersions(db, clinicId).where('q.id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Questionnaire');
  const versions = await db.selectFrom('questionnaire_versions').select(['id', 'version', 'created_at']).where('clinic_id', '=', clinicId).where('questionnaire_id', '=', id).orderBy('version', 'desc').execute();
  return { questionnaire: summaryOf(row), versions: versions.map((v) => ({ id: v.id, version: v.version, createdAt: v.created_at })), resource: exported(row.resource, id, row.current_version) };
}

/** A version's FHIR resource for export (the current one unless a version number is given). */
export async function exportQuestionnaire(db: Kysely<Database>, clinicId: string, id: string, version?: number): Promise<Questionnaire> {
  const q = await db.selectFrom('questionnaires').select(['current_version']).where('clinic_id', '=', clinicId).where('id', '=', id).executeTakeFirst();
  if (!q) throw notFound('Questionnaire');
  const v = await db.selectFrom('questionnaire_versions').select(['resource', 'version']).where('clinic_id', '=', clinicId).where('questionnaire_id', '=', id).where('version', '=', version ?? q.current_version).executeTakeFirst();
  if (!v) throw notFound('Questionnaire version');
  return exported(v.resource, id, v.version);
}

/** The library's instruments and, for each, the clinic's questionnaire made from it. */
export async function listLibrary(db: Kysely<Database>, clinicId: string): Promise<LibraryEntry[]> {
  const have = await db.selectFrom('questionnaires').select(['id', 'library_key']).where('clinic_id', '=', clinicId).where('library_key', 'is not', null).orderBy('created_at').execute();
  return Object.entries(LIBRARY).map(([key, q]) => ({ key, title: questionnaireTitle(q, 'en'), titleFr: questionnaireTitle(q, 'fr'), questionnaireId: have.find((h) => h.library_key === key)?.id ?? null }));
}

async function insertVersion(a: Action, clinicId: string, questionnaireId: string, version: number, q: Questionnaire, by: string | null): Promise<string> {
  const id = randomUUID();
  // Stored without the ids we give it on export, so a re-import of an export is the same content.
  const content: Partial<Questionnaire> = { ...q };
  delete content.id;
  delete content.url;
  delete content.version;
  delete content.meta;
  await a.tx.insertInto('questionnaire_versions').values({ id, clinic_id: clinicId, questionnaire_id: questionnaireId, version, title: questionnaireTitle(q, 'en').slice(0, 500), resource: JSON.stringify(content), published_by: by, created_at: new Date().toISOString() }).execute();
  return id;
}

/** Creates a questionnaire (version 1) in its own action. */
async function createQuestionnaire(ctx: QuestionnaireContext, who: StaffPrincipal | { kind: 'system'; clinicId: string }, q: Questionnaire, libraryKey: string | null, action: string): Promise<QuestionnaireDetail> {
  const id = randomUUID();
  await runAction(ctx.store, who, ctx.requestId, async (a) => {
    const at = new Date().toISOString();
    await a.tx.insertInto('questionnaires').values({ id, clinic_id: ctx.cipher.clinicId, library_key: libraryKey, current_version: 1, created_at: at, updated_at: at }).execute();
    await insertVersion(a, ctx.cipher.clinicId, id, 1, q, who.kind === 'staff' ? who.staffId : null);
    a.audit({ action, target: `questionnaire:${id}:v1` });
  });
  return getQuestionnaire(ctx.db, ctx.cipher.clinicId, id);
}

/** Adds a library instrument to the clinic's questionnaires (a second add answers with the first). */
export async function addFromLibrary(ctx: QuestionnaireContext, who: StaffPrincipal | { kind: 'system'; clinicId: string }, key: string): Promise<{ detail: QuestionnaireDetail; created: boolean }> {
  const q = libraryResource(key);
  if (!q) throw notFound('Library questionnaire');
  const existing = (await listLibrary(ctx.db, ctx.cipher.clinicId)).find((e) => e.key === key)?.questionnaireId;
  if (existing) return { detail: await getQuestionnaire(ctx.db, ctx.cipher.clinicId, existing), created: false };
  return { detail: await createQuestionnaire(ctx, who, q, key, 'questionnaire.add'), created: true };
}

/** Imports FHIR JSON as a new questionnaire; refuses an invalid one with the path of its first problem. */
export async function importQuestionnaire(ctx: QuestionnaireContext, who: StaffPrincipal, json: unknown): Promise<QuestionnaireDetail> {
  return createQuestionnaire(ctx, who, checkQuestionnaire(json), null, 'questionnaire.import');
}

/** Publishes a change: the resource becomes the next version; assignments already made keep theirs. */
export async function publishVersion(ctx: QuestionnaireContext, who: StaffPrincipal, id: string, json: unknown): Promise<QuestionnaireDetail> {
  const q = checkQuestionnaire(json);
  await runAction(ctx.store, who, ctx.requestId, async (a) => {
    const row = await a.tx.selectFrom('questionnaires').select(['current_version']).where('clinic_id', '=', ctx.cipher.clinicId).where('id', '=', id).executeTakeFirst();
    if (!row) throw notFound('Questionnaire');
    const version = row.current_version + 1;
    await insertVersion(a, ctx.cipher.clinicId, id, version, q, who.staffId);
    await a.tx.updateTable('questionnaires').set({ current_version: version, updated_at: new Date().toISOString() }).where('id', '=', id).execute();
    a.audit({ action: 'questionnaire.publish', target: `questionnaire:${id}:v${version}` });
  });
  return getQuestionnaire(ctx.db, ctx.cipher.clinicId, id);
}

// --- assignments ------------------------------------------------------------------------------

/**
 * Asks patients to fill in the questionnaire's current version: one action per patient (the
 * assignment, its audit row and the patient's e-mail notice, a link only; with `repeat`, the
 * patient's schedule too). Every patient must be the clinic's (404 before anything is assigned otherwise).
 */
export async function assignQuestionnaire(ctx: QuestionnaireContext, who: StaffPrincipal, questionnaireId: string, input: NewAssignments, now = new Date(), messaging?: MessagingContext): Promise<{ ids: string[]; scheduleIds: string[] }> {
  const { cipher } = ctx;
  const q = await currentVersions(ctx.db, cipher.clinicId).where('q.id', '=', questionnaireId).executeTakeFirst();
  if (!q) throw notFound('Questionnaire');
  if (input.dueDate && Number.isNaN(Date.parse(`${input.dueDate}T00:00:00Z`))) throw new AppError(400, 'invalid_due_date', 'dueDate is not a date');
  const channel = input.channel ?? 'email';
  if (channel === 'sms' && !ctx.smsAvailable) throw smsUnavailable();
  // A schedule's later periods go out as links (a job has no staff member to write as).
  if (channel === 'message' && input.repeat) throw new AppError(400, 'repeat_needs_link', 'A repeating send goes by e-mail or text link', { field: 'channel' });
  if (channel === 'message' && !messaging) throw new Error('Sending as a message needs the messaging context');
  if (input.reminderDaysBefore !== undefined && !input.dueDate) throw new AppError(400, 'reminder_needs_due_date', 'A reminder needs a due date', { field: 'reminderDaysBefore' });
  const zone = await clinicTimeZone(ctx.db, cipher.clinicId);
  const today = DateTime.fromJSDate(now).setZone(zone).toISODate()!;
  if (input.repeat) {
    checkRepeat(input.repeat, zone, now);
    if (input.dueDate && input.dueDate < today) throw new AppError(400, 'invalid_due_date', 'A repeating send cannot be due before today', { field: 'dueDate' });
  }
  for (const patientId of input.patientIds) {
    const patient = await getPatient(ctx.db, cipher, patientId);
    // By text only to patients with a mobile number who agreed to texts: all or none are sent.
    if (channel === 'sms' && !textable(patient)) throw new AppError(409, 'patient_not_textable', 'A patient has no mobile number or has not agreed to text messages', { field: 'patientIds' });
  }
  const ids: string[] = [];
  const scheduleIds: string[] = [];
  const remindDaysBefore = input.reminderDaysBefore ?? null;
  if (channel === 'message') {
    for (const patientId of input.patientIds) ids.push(await assignByMessage(ctx, messaging!, who, { patientId, q, dueDate: input.dueDate ?? null, remindDaysBefore, zone }, now));
    return { ids, scheduleIds };
  }
  for (const patientId of input.patientIds) {
    await runAction(ctx.store, who, ctx.requestId, async (a) => {
      if (input.repeat) {
        // Each later period is due as many days after it is sent as this one.
        const dueDays = input.dueDate ? Math.round(DateTime.fromISO(input.dueDate).diff(DateTime.fromISO(today), 'days').days) : null;
        const made = await startScheduleInAction(a, { clinicId: cipher.clinicId, patientId, questionnaireId, versionId: q.version_id, channel, repeat: input.repeat, zone, dueDays, remindDaysBefore, assignedBy: who.staffId }, now);
        ids.push(made.assignmentId);
        scheduleIds.push(made.scheduleId);
      } else {
        ids.push(await assignInAction(a, { clinicId: cipher.clinicId, patientId, versionId: q.version_id, questionnaireId, dueDate: input.dueDate ?? null, assignedBy: who.staffId, channel, remindDaysBefore, zone }, now));
      }
    });
  }
  return { ids, scheduleIds };
}

/** What one assignment needs: the version asked for, by whom, and (when a booking sent it) the appointment. */
export interface NewAssignment {
  clinicId: string;
  patientId: string;
  questionnaireId: string;
  versionId: string;
  dueDate: string | null;
  /** The staff member who asked (for a booking: who set the appointment type to send it). */
  assignedBy: string;
  appointmentId?: string;
  /** How the patient is told: an e-mail link (default), a text-message link, or a message in a conversation (sent by the caller). */
  channel?: 'email' | 'sms' | 'message';
  /** A reminder this many days before the due date (by the same channel), in the clinic's time zone `zone`. */
  remindDaysBefore?: number | null;
  zone?: string;
}

/** Assigns within an action: the row, its audit row, the patient's notice (a link only) and any reminder. */
export async function assignInAction(a: Action, n: NewAssignment, now = new Date()): Promise<string> {
  return (await insertAssignment(a, n, null, now))!;
}

/**
 * Assigns a schedule's period within an action, unless that period has its assignment already (the
 * database's unique (schedule, period) decides, whoever tries): null then, and nothing is sent.
 */
export async function assignPeriodInAction(a: Action, n: NewAssignment, schedule: { id: string; period: string }, now = new Date()): Promise<string | null> {
  return insertAssignment(a, n, schedule, now);
}

/**
 * Sends a questionnaire as a message in a new secure conversation: the message names it (and its due
 * date) in the patient's language and points to the clinic's questionnaires; the assignment, its link
 * to the conversation, its audit row and any reminder commit with the message (one action).
 */
async function assignByMessage(
  ctx: QuestionnaireContext,
  m: MessagingContext,
  who: StaffPrincipal,
  s: { patientId: string; q: { id: string; version_id: string; resource: string }; dueDate: string | null; remindDaysBefore: number | null; zone: string },
  now: Date,
): Promise<string> {
  const patient = await getPatient(ctx.db, ctx.cipher, s.patientId);
  const lang = normalizeLang(patient.lang);
  const title = questionnaireTitle(JSON.parse(s.q.resource) as Questionnaire, lang);
  const due = s.dueDate ? DateTime.fromISO(s.dueDate).setLocale(lang === 'fr' ? 'fr-CA' : 'en-CA').toLocaleString(DateTime.DATE_FULL) : null;
  const body = translate(lang, due ? 'q.send.bodyDue' : 'q.send.body', { title, ...(due ? { date: due } : {}) });
  let id = '';
  await startStaffThread(m, who, { id: randomUUID(), patientId: s.patientId, subject: translate(lang, 'q.send.subject', { title }).slice(0, 200), category: formsCategory(m), body, patientMayReply: true }, async (a, sent) => {
    id = await assignInAction(a, { clinicId: ctx.cipher.clinicId, patientId: s.patientId, versionId: s.q.version_id, questionnaireId: s.q.id, dueDate: s.dueDate, assignedBy: who.staffId, channel: 'message', remindDaysBefore: s.remindDaysBefore, zone: s.zone }, now);
    await a.tx.updateTable('questionnaire_assignments').set({ reply_thread_id: sent.threadId }).where('clinic_id', '=', ctx.cipher.clinicId).where('id', '=', id).execute();
  });
  return id;
}

/** The category a conversation about a questionnaire goes under: "Forms" when the clinic has it. */
export function formsCategory(m: MessagingContext): string {
  const ids = m.settings.categories.map((c) => c.id);
  return ids.includes('forms') ? 'forms' : ids.includes('other') ? 'other' : (ids[0] ?? '');
}

async function insertAssignment(a: Action, n: NewAssignment, schedule: { id: string; period: string } | null, now: Date): Promise<string | null> {
  const id = randomUUID();
  const at = new Date().toISOString();
  const inserted = await a.tx
    .insertInto('questionnaire_assignments')
    .values({
      id, clinic_id: n.clinicId, patient_id: n.patientId, questionnaire_id: n.questionnaireId, version_id: n.versionId, status: 'assigned', due_date: n.dueDate, assigned_by: n.assignedBy, appointment_id: n.appointmentId ?? null,
      schedule_id: schedule?.id ?? null, period: schedule?.period ?? null, remind_days_before: n.remindDaysBefore ?? null, created_at: at, updated_at: at,
    })
    .onConflict((oc) => oc.columns(['schedule_id', 'period']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!inserted) return null;
  a.audit({ action: 'questionnaire.assign', patientId: n.patientId, target: `assignment:${id}` });
  const channel = n.channel ?? 'email';
  // Sent as a message, the conversation's own notice tells the patient.
  if (channel !== 'message') a.enqueue(channel === 'sms' ? questionnaireAssignedText(n.clinicId, n.patientId) : questionnaireAssignedNotice(n.clinicId, n.patientId));
  if (n.remindDaysBefore !== null && n.remindDaysBefore !== undefined && n.dueDate && n.zone) {
    const reminder = reminderJob({ clinicId: n.clinicId, patientId: n.patientId, assignmentId: id, dueDate: n.dueDate, daysBefore: n.remindDaysBefore, channel: channel === 'sms' ? 'sms' : 'email', zone: n.zone }, now);
    if (reminder) a.enqueue(reminder);
  }
  return id;
}

/**
 * The appointment that sent questionnaires was cancelled or moved. Cancelled: those the patient has
 * not started are withdrawn (nothing to prepare for a visit that will not happen); started or
 * submitted ones stay, as answers are kept. Moved: those not yet submitted are due on the new day.
 */
export async function followAppointment(a: Action, clinicId: string, appointmentId: string, change: { cancelled: true } | { dueDate: string }): Promise<void> {
  const rows = await a.tx
    .selectFrom('questionnaire_assignments as qa')
    .leftJoin('questionnaire_responses as r', 'r.assignment_id', 'qa.id')
    .select(['qa.id', 'qa.patient_id', 'qa.status', 'r.id as response_id'])
    .where('qa.clinic_id', '=', clinicId)
    .where('qa.appointment_id', '=', appointmentId)
    .where('qa.status', '!=', 'completed')
    .execute();
  for (const id of new Set(rows.map((r) => r.id))) {
    const row = rows.find((r) => r.id === id)!;
    if ('cancelled' in change) {
      if (row.status !== 'assigned' || rows.some((r) => r.id === id && r.response_id !== null)) continue;
      await cancelReminder(a.tx, clinicId, id);
      await a.tx.deleteFrom('questionnaire_assignments').where('clinic_id', '=', clinicId).where('id', '=', id).execute();
      a.audit({ action: 'questionnaire.withdraw', patientId: row.patient_id, target: `assignment:${id}` });
    } else {
      await a.tx.updateTable('questionnaire_assignments').set({ due_date: change.dueDate, updated_at: new Date().toISOString() }).where('clinic_id', '=', clinicId).where('id', '=', id).execute();
      a.audit({ action: 'questionnaire.due-date', patientId: row.patient_id, target: `assignment:${id}` });
    }
  }
}

/** The version id a new assignment of the clinic's questionnaire gets, or null when it has none (or is not the clinic's). */
export async function currentVersionId(db: Kysely<Database>, clinicId: string, questionnaireId: string): Promise<string | null> {
  return (await currentVersions(db, clinicId).where('q.id', '=', questionnaireId).executeTakeFirst())?.version_id ?? null;
}

/** Today's date where the clinic is: a form due today is not overdue in Ontario's evening, when it is already tomorrow in UTC. */
async function clinicToday(db: Kysely<Database>, clinicId: string): Promise<string> {
  return DateTime.now().setZone(await clinicTimeZone(db, clinicId)).toISODate()!;
}
const isOverdue = (row: AssignmentRow, today: string) => row.status !== 'completed' && row.due_date !== null && row.due_date < today;

async function latestResponse(db: Kysely<Database>, clinicId: string, assignmentId: string): Promise<ResponseRow | undefined> {
  return db.selectFrom('questionnaire_responses').selectAll().where('clinic_id', '=', clinicId).where('assignment_id', '=', assignmentId).orderBy('revision', 'desc').limit(1).executeTakeFirst();
}

/** (Shared with questionnaire-responses.ts.) */
export function resultOf(cipher: ClinicCipher, row: ResponseRow | undefined): ResponseResult | null {
  return row?.result_enc ? (JSON.parse(cipher.decrypt(row.result_enc, RESULT)) as ResponseResult) : null;
}

/** (Shared with questionnaire-responses.ts.) */
export function answersOf(cipher: ClinicCipher, row: ResponseRow): Answers {
  return JSON.parse(cipher.decrypt(row.answers_enc, ANSWERS)) as Answers;
}

/** (Shared with questionnaire-responses.ts.) */
export async function versionOf(db: Kysely<Database>, clinicId: string, versionId: string) {
  const v = await db.selectFrom('questionnaire_versions').select(['id', 'questionnaire_id', 'version', 'resource']).where('clinic_id', '=', clinicId).where('id', '=', versionId).executeTakeFirstOrThrow();
  return { ...v, questionnaire: exported(v.resource, v.questionnaire_id, v.version) };
}

/** The assignments matching the filter, newest first, for staff (each listed row audited). */
export async function listAssignments(ctx: QuestionnaireContext, who: StaffPrincipal, query: AssignmentQuery): Promise<StaffAssignment[]> {
  const { cipher } = ctx;
  return runAction(ctx.store, who, ctx.requestId, async (a) => {
    const today = await clinicToday(a.tx, cipher.clinicId);
    let q = a.tx
      .selectFrom('questionnaire_assignments as s')
      .innerJoin('questionnaire_versions as v', 'v.id', 's.version_id')
      .selectAll('s')
      .select(['v.version', 'v.resource'])
      .where('s.clinic_id', '=', cipher.clinicId);
    if (query.questionnaireId) q = q.where('s.questionnaire_id', '=', query.questionnaireId);
    if (query.patientId) q = q.where('s.patient_id', '=', query.patientId);
    // Overdue: not completed and past its due date (the same rule as the `overdue` flag).
    if (query.status === 'overdue') q = q.where('s.status', '!=', 'completed').where('s.due_date', '<', today);
    else if (query.status) q = q.where('s.status', '=', query.status);
    const rows = await q.orderBy('s.created_at', 'desc').orderBy('s.id').limit(query.limit ?? 200).execute();
    const names = await patientNames(a.tx, cipher, [...new Set(rows.map((r) => r.patient_id))]);
    const list: StaffAssignment[] = [];
    for (const r of rows) {
      const latestDone = await a.tx.selectFrom('questionnaire_responses').selectAll().where('clinic_id', '=', cipher.clinicId).where('assignment_id', '=', r.id).where('status', '!=', 'in-progress').orderBy('revision', 'desc').limit(1).executeTakeFirst();
      list.push(staffAssignment(cipher, r, r.version, JSON.parse(r.resource) as Questionnaire, names.get(r.patient_id) ?? '', latestDone, today));
    }
    a.audit(list.map((s) => ({ action: 'questionnaire.list', patientId: s.patientId, target: `assignment:${s.id}` })));
    return list;
  });
}

function staffAssignment(cipher: ClinicCipher, r: AssignmentRow, version: number, q: Questionnaire, patientName: string, latestDone: ResponseRow | undefined, today: string): StaffAssignment {
  return {
    id: r.id, questionnaireId: r.questionnaire_id, versionId: r.version_id, version, title: questionnaireTitle(q, 'en'), titleFr: questionnaireTitle(q, 'fr'), patientId: r.patient_id, patientName,
    status: r.status, overdue: isOverdue(r, today), dueDate: r.due_date, createdAt: r.created_at, submittedAt: latestDone?.submitted_at ?? null, result: resultOf(cipher, latestDone),
  };
}

/** (Shared with questionnaire-responses.ts.) */
export async function assignmentOf(db: Kysely<Database>, clinicId: string, id: string): Promise<AssignmentRow> {
  const row = await db.selectFrom('questionnaire_assignments').selectAll().where('clinic_id', '=', clinicId).where('id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Assignment');
  return row;
}

/** (Shared with questionnaire-responses.ts.) */
export function revisionOf(cipher: ClinicCipher, r: ResponseRow): ResponseRevision {
  return { id: r.id, revision: r.revision, status: r.status, answers: answersOf(cipher, r), result: resultOf(cipher, r), updatedAt: r.updated_at, submittedAt: r.submitted_at };
}

/** One assignment for staff: the version asked and every revision of the answers, newest first (audited). */
export async function readAssignment(ctx: QuestionnaireContext, who: StaffPrincipal, id: string): Promise<StaffAssignmentDetail> {
  const { cipher } = ctx;
  return runAction(ctx.store, who, ctx.requestId, async (a) => {
    const row = await assignmentOf(a.tx, cipher.clinicId, id);
    const v = await versionOf(a.tx, cipher.clinicId, row.version_id);
    const responses = await a.tx.selectFrom('questionnaire_responses').selectAll().where('clinic_id', '=', cipher.clinicId).where('assignment_id', '=', id).orderBy('revision', 'desc').execute();
    const names = await patientNames(a.tx, cipher, [row.patient_id]);
    a.audit({ action: 'questionnaire.read', patientId: row.patient_id, target: `assignment:${id}` });
    return {
      assignment: staffAssignment(cipher, row, v.version, v.questionnaire, names.get(row.patient_id) ?? '', responses.find((r) => r.status !== 'in-progress'), await clinicToday(a.tx, cipher.clinicId)),
      questionnaire: v.questionnaire,
      responses: responses.map((r) => revisionOf(cipher, r)),
    };
  });
}

/** One response revision as a FHIR R4 QuestionnaireResponse (audited). */
export async function exportResponse(ctx: QuestionnaireContext, who: StaffPrincipal, responseId: string): Promise<QuestionnaireResponse> {
  const { cipher } = ctx;
  return runAction(ctx.store, who, ctx.requestId, async (a) => {
    const r = await a.tx.selectFrom('questionnaire_responses').selectAll().where('clinic_id', '=', cipher.clinicId).where('id', '=', responseId).executeTakeFirst();
    if (!r) throw notFound('Response');
    const v = await versionOf(a.tx, cipher.clinicId, r.version_id);
    a.audit({ action: 'questionnaire.export', patientId: r.patient_id, target: `response:${r.id}` });
    return fhirResponse(v.questionnaire, r, answersOf(cipher, r), canonical(v.questionnaire_id, v.version));
  });
}

function fhirResponse(q: Questionnaire, r: ResponseRow, answers: Answers, questionnaireCanonical: string): QuestionnaireResponse {
  return buildResponse(q, answers, { id: r.id, status: r.status, questionnaireCanonical, patientId: r.patient_id, authored: r.submitted_at ?? r.updated_at });
}

// --- the patient's side -----------------------------------------------------------------------

function patientAssignment(r: AssignmentRow, q: Questionnaire, submittedAt: string | null, today: string): PatientAssignment {
  return { id: r.id, title: questionnaireTitle(q, 'en'), titleFr: questionnaireTitle(q, 'fr'), status: r.status, overdue: isOverdue(r, today), dueDate: r.due_date, createdAt: r.created_at, submittedAt };
}

/** The patient's assignments: open ones first (earliest due first), then completed, newest first (audited). */
export async function listPatientAssignments(ctx: QuestionnaireContext, who: PatientPrincipal): Promise<PatientAssignment[]> {
  const { cipher } = ctx;
  return runAction(ctx.store, who, ctx.requestId, async (a) => {
    const today = await clinicToday(a.tx, cipher.clinicId);
    const rows = await a.tx
      .selectFrom('questionnaire_assignments as s')
      .innerJoin('questionnaire_versions as v', 'v.id', 's.version_id')
      .selectAll('s')
      .select(['v.resource'])
      .where('s.clinic_id', '=', cipher.clinicId)
      .where('s.patient_id', '=', who.patientId)
      .orderBy('s.created_at', 'desc')
      .orderBy('s.id')
      .execute();
    const list: PatientAssignment[] = [];
    for (const r of rows) {
      const done = await a.tx.selectFrom('questionnaire_responses').select(['submitted_at']).where('clinic_id', '=', cipher.clinicId).where('assignment_id', '=', r.id).where('status', '!=', 'in-progress').orderBy('revision', 'desc').limit(1).executeTakeFirst();
      list.push(patientAssignment(r, JSON.parse(r.resource) as Questionnaire, done?.submitted_at ?? null, today));
    }
    a.audit({ action: 'questionnaire.list', target: `assignments:${list.length}` });
    const open = list.filter((s) => s.status !== 'completed').sort((x, y) => (x.dueDate ?? '9999').localeCompare(y.dueDate ?? '9999'));
    return [...open, ...list.filter((s) => s.status === 'completed')];
  });
}

async function patientsAssignment(db: Kysely<Database>, who: PatientPrincipal, id: string): Promise<AssignmentRow> {
  const row = await assignmentOf(db, who.clinicId, id);
  if (row.patient_id !== who.patientId) throw notFound('Assignment');
  return row;
}

/** One of the patient's assignments with the questionnaire and their latest answers (audited). */
export async function readPatientAssignment(ctx: QuestionnaireContext, who: PatientPrincipal, id: string): Promise<PatientAssignmentDetail> {
  const { cipher } = ctx;
  return runAction(ctx.store, who, ctx.requestId, async (a) => {
    const row = await patientsAssignment(a.tx, who, id);
    const v = await versionOf(a.tx, cipher.clinicId, row.version_id);
    const latest = await latestResponse(a.tx, cipher.clinicId, id);
    const done = latest && latest.status !== 'in-progress' ? latest : await a.tx.selectFrom('questionnaire_responses').selectAll().where('clinic_id', '=', cipher.clinicId).where('assignment_id', '=', id).where('status', '!=', 'in-progress').orderBy('revision', 'desc').limit(1).executeTakeFirst();
    a.audit({ action: 'questionnaire.read', target: `assignment:${id}` });
    return {
      assignment: patientAssignment(row, v.questionnaire, done?.submitted_at ?? null, await clinicToday(a.tx, cipher.clinicId)),
      questionnaire: v.questionnaire,
      response: latest ? { id: latest.id, revision: latest.revision, status: latest.status, answers: answersOf(cipher, latest), updatedAt: latest.updated_at } : null,
    };
  });
}

/** Checks every answer against its item (422), recursing into repeating groups' instances. */
function checkAnswers(items: QuestionnaireItem[] | undefined, answers: Answers, path: string): void {
  if (!answers || typeof answers !== 'object' || Array.isArray(answers)) throw new AppError(422, 'invalid_answer', `${path || 'answers'}: expected answers by linkId`);
  const byId = new Map(scopeItems(items).map((i) => [i.linkId, i]));
  for (const [linkId, given] of Object.entries(answers)) {
    const item = byId.get(linkId);
    const at = `${path}${linkId}`;
    if (!item || !isQuestion(item) || item.readOnly || calculatedExpression(item)) throw new AppError(422, 'unknown_item', `${at}: this questionnaire has no question with that linkId that takes answers`);
    if (!Array.isArray(given)) throw new AppError(422, 'invalid_answer', `${at}: expected a list of answers`);
    if (given.length > 1 && !item.repeats) throw new AppError(422, 'invalid_answer', `${at}: takes one answer`);
    given.forEach((value, n) => {
      const problem = answerProblem(item, value);
      if (problem) throw new AppError(422, 'invalid_answer', `${at}: ${problem}`);
      // A quantity is stored with the item's own UCUM unit, whatever label the browser showed.
      if (item.type === 'quantity') given[n] = withItemUnit(item, value.valueQuantity!.value!);
      if (isRepeatingGroup(item)) checkAnswers(item.item, value.item!, `${at}/${n}/`);
    });
  }
}

/** Every attachment answer, at any depth. */
function attachmentAnswers(answers: Answers): AnswerValue[] {
  return Object.values(answers).flatMap((list) => list.flatMap((a) => (a.item ? attachmentAnswers(a.item) : a.valueAttachment ? [a] : [])));
}

/** Checks every answer against its item (422) and keeps only those to enabled questions. */
function cleanAnswers(q: Questionnaire, answers: Answers): Answers {
  checkAnswers(q.item, answers, '');
  return pruneAnswers(q.item, answers, logicOptions(q));
}

/**
 * Attachment answers name files the patient uploaded (the message attachments' upload and checks);
 * each is claimed by the assignment and its answer rewritten from the stored file: the reference,
 * type, size and name, never bytes (the file stays sealed in the attachments table).
 */
async function resolveAttachments(a: Action, cipher: ClinicCipher, patientId: string, assignmentId: string, answers: Answers): Promise<void> {
  const found = attachmentAnswers(answers);
  const files = await claimForQuestionnaire(a.tx, cipher, patientId, assignmentId, [...new Set(found.map((f) => attachmentId(f)!))]);
  for (const f of found) {
    const id = attachmentId(f)!;
    f.valueAttachment = { contentType: files.get(id)!.contentType, url: `urn:uuid:${id}`, size: files.get(id)!.size, title: files.get(id)!.title };
  }
}

/**
 * Stores the patient's answers in the open revision (creating it: the first, or with `amend`, the
 * next after a submitted one). A submitted response never changes: saving over it without `amend`
 * is a 409. Returns the row, for submit to complete.
 */
async function store(a: Action, ctx: QuestionnaireContext, who: PatientPrincipal, id: string, input: SaveAnswers): Promise<{ row: ResponseRow; assignment: AssignmentRow; questionnaire: Questionnaire; canonical: string; answers: Answers }> {
  const { cipher } = ctx;
  await a.lockPatient(cipher.clinicId, who.patientId);
  await assertConsent(a.tx, who.clinicId, who.patientId);
  const assignment = await patientsAssignment(a.tx, who, id);
  const v = await versionOf(a.tx, cipher.clinicId, assignment.version_id);
  const answers = cleanAnswers(v.questionnaire, input.answers);
  await resolveAttachments(a, cipher, who.patientId, id, answers);
  const latest = await latestResponse(a.tx, cipher.clinicId, id);
  const at = new Date().toISOString();
  const sealed = cipher.encrypt(JSON.stringify(answers), ANSWERS);
  let row: ResponseRow;
  if (latest && latest.status === 'in-progress') {
    await a.tx.updateTable('questionnaire_responses').set({ answers_enc: sealed, updated_at: at }).where('id', '=', latest.id).execute();
    row = { ...latest, answers_enc: sealed, updated_at: at };
  } else {
    if (latest && !input.amend) throw new AppError(409, 'response_completed', 'This questionnaire was already submitted; to change an answer, start an amendment (amend: true)');
    row = { id: randomUUID(), clinic_id: cipher.clinicId, assignment_id: id, patient_id: who.patientId, version_id: assignment.version_id, revision: (latest?.revision ?? 0) + 1, status: 'in-progress', answers_enc: sealed, result_enc: null, created_at: at, updated_at: at, submitted_at: null, submit_id: null, submit_hash: null };
    await a.tx.insertInto('questionnaire_responses').values(row).execute();
  }
  if (assignment.status === 'assigned') await a.tx.updateTable('questionnaire_assignments').set({ status: 'in-progress', updated_at: at }).where('id', '=', id).execute();
  return { row, assignment, questionnaire: v.questionnaire, canonical: canonical(v.questionnaire_id, v.version), answers };
}

const saved = (r: ResponseRow): SavedResponse => ({ id: r.id, revision: r.revision, status: r.status, updatedAt: r.updated_at });

/** Autosave: the answers so far, in progress. */
export async function saveAnswers(ctx: QuestionnaireContext, who: PatientPrincipal, id: string, input: SaveAnswers): Promise<SavedResponse> {
  return runAction(ctx.store, who, ctx.requestId, async (a) => {
    const { row } = await store(a, ctx, who, id, input);
    a.audit({ action: 'questionnaire.save', target: `response:${row.id}` });
    return saved(row);
  });
}

/**
 * Submits: the answers are stored, every enabled required question must be answered (422
 * `answers_missing` naming them), the scores are calculated and sealed, and a safety flag (PHQ-9
 * item 9) reaches staff at once: a live event and an e-mail notice (no health information) to each
 * active admin and physician.
 */
export async function submitAnswers(ctx: QuestionnaireContext, who: PatientPrincipal, id: string, input: SubmitAnswers): Promise<SavedResponse> {
  const { cipher } = ctx;
  // Hashed as sent, before checking rewrites anything (a quantity's unit): a retry sends the same bytes.
  const hash = input.id ? cipher.blindIndex(JSON.stringify([id, input.answers, input.amend === true]), 'questionnaire.submit') : null;
  try {
    return await runAction(ctx.store, who, ctx.requestId, async (a) => {
      await a.lockPatient(cipher.clinicId, who.patientId);
      const again = input.id ? await replaySubmit(a.tx, who, id, input.id, hash!) : null;
      if (again) return again;
      return completeSubmit(a, ctx, who, id, input, hash);
    });
  } catch (err) {
    // Two requests racing with one id: the loser answers as the winner did.
    const winner = input.id && isUniqueViolation(err) ? await replaySubmit(ctx.db, who, id, input.id, hash!) : null;
    if (winner) return winner;
    throw err;
  }
}

/**
 * The earlier answer to a retried submit, or null for a new id. Someone else's id (another patient,
 * another clinic, another assignment) is a 404 like every foreign id; the caller's own id with other
 * answers is a 409, as for messages.
 */
async function replaySubmit(db: Kysely<Database>, who: PatientPrincipal, assignmentId: string, submitId: string, hash: string): Promise<SavedResponse | null> {
  const row = await db.selectFrom('questionnaire_responses').selectAll().where('submit_id', '=', submitId).executeTakeFirst();
  if (!row) return null;
  if (row.clinic_id !== who.clinicId || row.patient_id !== who.patientId || row.assignment_id !== assignmentId) throw notFound('Questionnaire');
  if (row.submit_hash !== hash) throw new AppError(409, 'id_conflict', 'Different answers were already submitted with this id');
  return saved(row);
}

/** A new submit: stored, checked, scored and announced in the caller's action. */
async function completeSubmit(a: Action, ctx: QuestionnaireContext, who: PatientPrincipal, id: string, input: SubmitAnswers, hash: string | null): Promise<SavedResponse> {
  const { cipher } = ctx;
  const s = await store(a, ctx, who, id, input);
  const missing = missingRequired(s.questionnaire.item, s.answers, logicOptions(s.questionnaire));
  if (missing.length > 0) throw new AppError(422, 'answers_missing', `Required questions are unanswered: ${missing.join(', ')}`);
  const at = new Date().toISOString();
  const status = s.row.revision > 1 ? 'amended' : 'completed';
  const scored = scoreAnswers(s.questionnaire, s.answers, { id: s.row.id, status, questionnaireCanonical: s.canonical, patientId: who.patientId, authored: at });
  await a.tx
    .updateTable('questionnaire_responses')
    .set({ status, answers_enc: cipher.encrypt(JSON.stringify(scored.answers), ANSWERS), result_enc: cipher.encrypt(JSON.stringify(scored.result), RESULT), updated_at: at, submitted_at: at, submit_id: input.id ?? null, submit_hash: hash })
    .where('id', '=', s.row.id)
    .execute();
  await a.tx.updateTable('questionnaire_assignments').set({ status: 'completed', updated_at: at }).where('id', '=', id).execute();
  await cancelReminder(a.tx, cipher.clinicId, id);
  a.audit({ action: 'questionnaire.submit', target: `response:${s.row.id}` });
  a.emit(cipher.clinicId, { type: 'questionnaire', assignmentId: id, patientId: who.patientId, kind: 'submitted' });
  if (scored.result.flags.length > 0) {
    a.emit(cipher.clinicId, { type: 'questionnaire', assignmentId: id, patientId: who.patientId, kind: 'safety-flag' });
    const clinicians = await a.tx.selectFrom('staff').select('id').where('clinic_id', '=', cipher.clinicId).where('disabled_at', 'is', null).where('password_set_at', 'is not', null).where('role', 'in', ['admin', 'physician']).execute();
    for (const c of clinicians) a.enqueue(questionnaireFlagNotice(cipher.clinicId, c.id, s.row.id));
    a.audit({ action: 'questionnaire.flag', target: `response:${s.row.id}:${scored.result.flags.join(',')}` });
  }
  return saved({ ...s.row, status, updated_at: at, submitted_at: at });
}
