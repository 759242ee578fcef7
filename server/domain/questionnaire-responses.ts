/**
 * Staff reading responses beyond one assignment: the trend of a patient's scores and numeric answers
 * to one questionnaire, one response laid out for print, and a reply to the patient about a response
 * in a secure conversation. Each read is one audited action that decrypts only the rows it returns;
 * another clinic's patients, questionnaires and responses are 404.
 */
import type { Questionnaire } from '@medplum/fhirtypes';
import { DateTime } from 'luxon';
import { translate } from '../../shared/i18n-all.js';
import { normalizeLang } from '../../shared/lang.js';
import { itemText, itemUnit, questionnaireTitle, scopeItems, type AnswerValue } from '../../shared/questionnaire-logic.js';
import type { ResponsePrint, ResponseReply, ResponseReplyResult, ResponseSeries, Series, SeriesQuery } from '../../shared/questionnaire-responses.js';
import { runAction, type Action } from './action.js';
import { notFound } from './errors.js';
import { getPatient } from './patients.js';
import type { StaffPrincipal } from './principal.js';
import { answersOf, assignmentOf, formsCategory, resultOf, revisionOf, versionOf, type QuestionnaireContext } from './questionnaires.js';
import { startStaffThread, staffReply, type MessagingContext, type SendResult } from './threads.js';

const NUMERIC = new Set(['integer', 'decimal', 'quantity']);

function numberOf(a: AnswerValue | undefined): number | null {
  const v = a?.valueInteger ?? a?.valueDecimal ?? a?.valueQuantity?.value;
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

/**
 * One patient's scores and numeric answers to one questionnaire over time: each assignment counts
 * once, by its latest submitted revision (an amendment replaces what it amends), oldest first.
 */
export async function responseSeries(ctx: QuestionnaireContext, who: StaffPrincipal, query: SeriesQuery): Promise<ResponseSeries> {
  const { cipher } = ctx;
  return runAction(ctx.store, who, ctx.requestId, async (a) => {
    const patient = await getPatient(a.tx, cipher, query.patientId);
    const q = await a.tx.selectFrom('questionnaires').select(['id', 'current_version']).where('clinic_id', '=', cipher.clinicId).where('id', '=', query.questionnaireId).executeTakeFirst();
    if (!q) throw notFound('Questionnaire');
    const rows = await a.tx
      .selectFrom('questionnaire_responses as r')
      .innerJoin('questionnaire_assignments as s', 's.id', 'r.assignment_id')
      .selectAll('r')
      .where('r.clinic_id', '=', cipher.clinicId)
      .where('s.clinic_id', '=', cipher.clinicId)
      .where('r.patient_id', '=', patient.id)
      .where('s.questionnaire_id', '=', q.id)
      .where('r.status', '!=', 'in-progress')
      .orderBy('r.assignment_id')
      .orderBy('r.revision', 'desc')
      .execute();
    const latest = new Map<string, (typeof rows)[number]>();
    for (const r of rows) if (!latest.has(r.assignment_id)) latest.set(r.assignment_id, r);
    // Only these rows are decrypted: superseded revisions stay sealed.
    const kept = [...latest.values()].sort((x, y) => (x.submitted_at ?? x.updated_at).localeCompare(y.submitted_at ?? y.updated_at) || x.id.localeCompare(y.id));
    const versions = new Map<string, Questionnaire>();
    const series = new Map<string, Series>();
    const add = (key: Omit<Series, 'points'>, point: Series['points'][number]) => {
      const id = `${key.kind}:${key.linkId}`;
      const s = series.get(id) ?? { ...key, points: [] };
      // The newest version's wording wins (the loop runs oldest first).
      series.set(id, { ...s, en: key.en, fr: key.fr, unit: key.unit || s.unit, points: [...s.points, point] });
    };
    for (const r of kept) {
      if (!versions.has(r.version_id)) versions.set(r.version_id, (await versionOf(a.tx, cipher.clinicId, r.version_id)).questionnaire);
      const questionnaire = versions.get(r.version_id)!;
      const result = resultOf(cipher, r);
      const answers = answersOf(cipher, r);
      const at = r.submitted_at ?? r.updated_at;
      const point = { at, responseId: r.id, assignmentId: r.assignment_id };
      for (const s of result?.scores ?? []) add({ linkId: s.linkId, kind: 'score', en: s.en, fr: s.fr, unit: '' }, { ...point, value: s.value });
      const scored = new Set((result?.scores ?? []).map((s) => s.linkId));
      for (const item of scopeItems(questionnaire.item)) {
        if (!NUMERIC.has(item.type) || scored.has(item.linkId)) continue;
        const value = numberOf(answers[item.linkId]?.[0]);
        if (value === null) continue;
        add({ linkId: item.linkId, kind: 'answer', en: itemText(item, 'en'), fr: itemText(item, 'fr'), unit: itemUnit(item)?.code ?? '' }, { ...point, value });
      }
    }
    const current = await a.tx.selectFrom('questionnaire_versions').select(['resource']).where('clinic_id', '=', cipher.clinicId).where('questionnaire_id', '=', q.id).where('version', '=', q.current_version).executeTakeFirstOrThrow();
    const named = JSON.parse(current.resource) as Questionnaire;
    a.audit({ action: 'questionnaire.trend', patientId: patient.id, target: `questionnaire:${q.id}:responses:${kept.length}` });
    return {
      patientId: patient.id, patientName: patient.name, questionnaireId: q.id, title: questionnaireTitle(named, 'en'), titleFr: questionnaireTitle(named, 'fr'),
      series: [...series.values()].sort((x, y) => (x.kind === y.kind ? 0 : x.kind === 'score' ? -1 : 1)),
    };
  });
}

/** One response revision as its printed copy shows it (audited as a view). */
export async function responsePrint(ctx: QuestionnaireContext, who: StaffPrincipal, clinicName: string, responseId: string): Promise<ResponsePrint> {
  const { cipher } = ctx;
  return runAction(ctx.store, who, ctx.requestId, async (a) => {
    const r = await a.tx.selectFrom('questionnaire_responses').selectAll().where('clinic_id', '=', cipher.clinicId).where('id', '=', responseId).executeTakeFirst();
    if (!r) throw notFound('Response');
    const v = await versionOf(a.tx, cipher.clinicId, r.version_id);
    const patient = await getPatient(a.tx, cipher, r.patient_id);
    a.audit({ action: 'questionnaire.print', patientId: r.patient_id, target: `response:${r.id}` });
    return {
      clinicName, patient: { id: patient.id, name: patient.name, dateOfBirth: patient.dateOfBirth }, assignmentId: r.assignment_id,
      title: questionnaireTitle(v.questionnaire, 'en'), titleFr: questionnaireTitle(v.questionnaire, 'fr'), version: v.version, questionnaire: v.questionnaire, response: revisionOf(cipher, r),
    };
  });
}

/**
 * Staff write to the patient about an assignment's response: the conversation opened about it
 * before (unless closed) or a new one, whose message starts with the questionnaire's name and date in
 * the patient's language and copies no answer. The message, its notice (no health information), the
 * link from the assignment to the conversation and the audit row commit together.
 */
export async function replyAboutResponse(ctx: QuestionnaireContext, m: MessagingContext, who: StaffPrincipal, assignmentId: string, input: ResponseReply): Promise<ResponseReplyResult> {
  const { cipher } = ctx;
  const row = await assignmentOf(ctx.db, cipher.clinicId, assignmentId);
  // A retry of a reply already sent answers with it (the link to the thread may have changed since).
  const sentBefore = await ctx.db.selectFrom('messages').select(['thread_id']).where('clinic_id', '=', cipher.clinicId).where('id', '=', input.id).where('author_id', '=', who.staffId).executeTakeFirst();
  if (sentBefore) return { threadId: sentBefore.thread_id, messageId: input.id, newThread: false };
  const v = await versionOf(ctx.db, cipher.clinicId, row.version_id);
  const patient = await ctx.db.selectFrom('patients').select(['lang']).where('clinic_id', '=', cipher.clinicId).where('id', '=', row.patient_id).executeTakeFirstOrThrow();
  const done = await ctx.db.selectFrom('questionnaire_responses').select(['submitted_at']).where('clinic_id', '=', cipher.clinicId).where('assignment_id', '=', assignmentId).where('submitted_at', 'is not', null).orderBy('revision', 'desc').limit(1).executeTakeFirst();
  const lang = normalizeLang(patient.lang);
  const title = questionnaireTitle(v.questionnaire, lang);
  const date = DateTime.fromISO(done?.submitted_at ?? row.created_at, { zone: m.settings.timeZone }).setLocale(lang === 'fr' ? 'fr-CA' : 'en-CA').toLocaleString(DateTime.DATE_FULL);
  const body = `${translate(lang, 'q.reply.about', { title, date })}\n\n${input.body.trim()}`;
  const link = async (a: Action, sent: SendResult) => {
    await a.tx.updateTable('questionnaire_assignments').set({ reply_thread_id: sent.threadId }).where('clinic_id', '=', cipher.clinicId).where('id', '=', assignmentId).execute();
    a.audit({ action: 'questionnaire.reply', patientId: row.patient_id, target: `assignment:${assignmentId}:thread:${sent.threadId}` });
  };
  const open = row.reply_thread_id ? await ctx.db.selectFrom('threads').select(['id']).where('clinic_id', '=', cipher.clinicId).where('id', '=', row.reply_thread_id).where('status', '!=', 'closed').executeTakeFirst() : undefined;
  const sent = open
    ? await staffReply(m, who, open.id, { id: input.id, body }, link)
    : await startStaffThread(m, who, { id: input.id, patientId: row.patient_id, subject: translate(lang, 'q.reply.subject', { title }).slice(0, 200), category: formsCategory(m), body, patientMayReply: true }, link);
  return { threadId: sent.threadId, messageId: sent.messageId, newThread: !open };
}
