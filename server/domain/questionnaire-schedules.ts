/**
 * Recurring questionnaires for remote monitoring ("weekly blood pressure until March"). A schedule
 * is an RRULE over wall-clock times in the clinic's time zone (rrule's floating convention, placed in
 * the zone by luxon, so 9:00 stays 9:00 across daylight-saving changes). The send itself is the first
 * period; each later period is a durable job (`questionnaire.recur`) that makes the period's
 * assignment, its notice and the next period's job in one action. The assignment carries
 * (schedule, period), unique in the database: however many instances, restarts or retried leases
 * run a period, one assignment and one notice come of it. A job that runs late (the server was down)
 * sends the latest period only, not every one missed.
 */
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import * as rruleModule from 'rrule';
import type { JobRow } from '../db/schema.js';
import type { QuestionnaireSchedule, Repeat, RepeatUnit, ScheduleQuery } from '../../shared/questionnaire-schedules.js';
import { questionnaireTitle } from '../../shared/questionnaire-logic.js';
import type { Questionnaire } from '@medplum/fhirtypes';
import { runAction, type Action, type ActionStore } from './action.js';
import type { ClinicCipher } from './crypto.js';
import { AppError, notFound } from './errors.js';
import type { NewJob } from './jobs.js';
import type { JobEnv } from './notices.js';
import { patientNames } from './patients.js';
import type { StaffPrincipal } from './principal.js';
import { assignPeriodInAction, currentVersionId } from './questionnaires.js';

// rrule ships a UMD bundle to Node: its exports sit on `default` there, and on the namespace for bundlers.
const { RRule } = (rruleModule as unknown as { default?: typeof rruleModule }).default ?? rruleModule;

/** The job that sends a schedule's period. */
export const RECUR_JOB = 'questionnaire.recur';

const FREQ: Record<RepeatUnit, number> = { day: RRule.DAILY, week: RRule.WEEKLY, month: RRule.MONTHLY };
const UNIT: Record<number, RepeatUnit> = { [RRule.DAILY]: 'day', [RRule.WEEKLY]: 'week', [RRule.MONTHLY]: 'month' };

/** A wall-clock time as rrule wants it: its fields read as UTC. */
const floating = (local: DateTime): Date => new Date(Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute));
/** The real instant of a floating time in `zone`. */
const placed = (f: Date, zone: string): DateTime =>
  DateTime.fromObject({ year: f.getUTCFullYear(), month: f.getUTCMonth() + 1, day: f.getUTCDate(), hour: f.getUTCHours(), minute: f.getUTCMinutes() }, { zone });
/** A period's key: its local wall time to the minute ("2026-12-03T09:00"). */
const periodKey = (f: Date): string => f.toISOString().slice(0, 16);

/**
 * The RRULE of "every `every` `unit`s from `start` (local) until the end of `until` (local)". Monthly
 * from the 29th to the 31st falls on the month's last day where it is shorter (RFC 5545 would skip
 * those months): the latest of days 28 to the start's that the month has.
 */
export function scheduleRule(repeat: Repeat, start: DateTime): string {
  const end = DateTime.fromISO(repeat.until, { zone: 'utc' }).endOf('day').toJSDate();
  const monthEnd = repeat.unit === 'month' && start.day > 28 ? { bymonthday: Array.from({ length: start.day - 27 }, (_, i) => 28 + i), bysetpos: -1 } : {};
  return new RRule({ freq: FREQ[repeat.unit], interval: repeat.every, dtstart: floating(start.startOf('minute')), until: end, ...monthEnd }).toString();
}

/** The schedule's latest period at or before `now`, and the one after it. */
export function periodsAround(rule: string, zone: string, now: Date): { current: Date | null; next: Date | null } {
  const r = RRule.fromString(rule);
  const local = floating(DateTime.fromJSDate(now).setZone(zone));
  const current = r.before(local, true);
  return { current, next: r.after(current ?? local, false) };
}

/** The job that sends the period `f` of a schedule, at its time. */
function periodJob(clinicId: string, scheduleId: string, f: Date, zone: string): NewJob {
  return { kind: RECUR_JOB, clinicId, payload: { scheduleId }, runAt: placed(f, zone).toJSDate(), dedupeKey: `${RECUR_JOB}:${scheduleId}:${periodKey(f)}`, maxAttempts: 5 };
}

/** What a repeating send checks before anything is assigned: the end date is ahead and within two years. */
export function checkRepeat(repeat: Repeat, zone: string, now = new Date()): void {
  const today = DateTime.fromJSDate(now).setZone(zone).toISODate()!;
  const last = DateTime.fromJSDate(now).setZone(zone).plus({ years: 2 }).toISODate()!;
  if (repeat.until <= today || repeat.until > last) throw new AppError(400, 'invalid_repeat', 'repeat.until must be after today and within two years', { field: 'repeat.until' });
}

/** What a new schedule needs (its first period is sent by the same action). */
export interface NewSchedule {
  clinicId: string;
  patientId: string;
  questionnaireId: string;
  versionId: string;
  channel: 'email' | 'sms';
  repeat: Repeat;
  zone: string;
  dueDays: number | null;
  remindDaysBefore: number | null;
  assignedBy: string;
}

/** Starts a schedule within an action: the schedule, its first period's assignment, and the next period's job. */
export async function startScheduleInAction(a: Action, n: NewSchedule, now = new Date()): Promise<{ scheduleId: string; assignmentId: string }> {
  const scheduleId = randomUUID();
  const start = DateTime.fromJSDate(now).setZone(n.zone);
  const rule = scheduleRule(n.repeat, start);
  await a.tx
    .insertInto('questionnaire_schedules')
    .values({
      id: scheduleId, clinic_id: n.clinicId, questionnaire_id: n.questionnaireId, patient_id: n.patientId, channel: n.channel, rule, time_zone: n.zone, until: n.repeat.until,
      due_days: n.dueDays, remind_days_before: n.remindDaysBefore, created_by: n.assignedBy, created_at: now.toISOString(), last_period: null, stopped_at: null, stopped_by: null,
    })
    .execute();
  a.audit({ action: 'questionnaire.schedule', patientId: n.patientId, target: `schedule:${scheduleId}` });
  const { current, next } = periodsAround(rule, n.zone, now);
  const first = current ?? floating(start.startOf('minute'));
  const assignmentId = await sendPeriod(a, { ...n, scheduleId }, first, now);
  if (!assignmentId) throw new Error('a new schedule cannot have sent its first period');
  if (next) a.enqueue(periodJob(n.clinicId, scheduleId, next, n.zone));
  return { scheduleId, assignmentId };
}

/** The due date of period `f`'s assignment: `dueDays` after the period's local day. */
const dueOf = (f: Date, dueDays: number | null): string | null => (dueDays === null ? null : DateTime.fromJSDate(f, { zone: 'utc' }).plus({ days: dueDays }).toISODate());

/**
 * Makes period `f`'s assignment (with its notice and reminder) unless the period was sent already:
 * the unique (schedule, period) makes a second attempt, on any instance, a no-op. Null then.
 */
async function sendPeriod(a: Action, s: Omit<NewSchedule, 'repeat'> & { scheduleId: string }, f: Date, now: Date): Promise<string | null> {
  const period = periodKey(f);
  const id = await assignPeriodInAction(a, {
    clinicId: s.clinicId, patientId: s.patientId, questionnaireId: s.questionnaireId, versionId: s.versionId, dueDate: dueOf(f, s.dueDays), assignedBy: s.assignedBy, channel: s.channel,
    remindDaysBefore: s.remindDaysBefore, zone: s.zone,
  }, { id: s.scheduleId, period }, now);
  if (id) await a.tx.updateTable('questionnaire_schedules').set({ last_period: period }).where('id', '=', s.scheduleId).execute();
  return id;
}

/**
 * Runs a `questionnaire.recur` job: sends the schedule's latest period due by now (unless stopped,
 * ended or sent already) and leaves the job of the period after it. `env.clock` stands in for now.
 */
export async function runRecurJob(job: JobRow, env: JobEnv): Promise<void> {
  const now = env.clock?.() ?? new Date();
  const { scheduleId } = JSON.parse(job.payload) as { scheduleId: string };
  const clinicId = job.clinic_id!;
  const store: ActionStore = { db: env.db, dialect: env.dialect, keyring: env.keyring };
  await runAction(store, { kind: 'system', clinicId }, null, async (a) => {
    // Locked on PostgreSQL, so a stop and a send of the same schedule take turns.
    let q = a.tx.selectFrom('questionnaire_schedules').selectAll().where('clinic_id', '=', clinicId).where('id', '=', scheduleId);
    if (a.dialect === 'postgres') q = q.forUpdate();
    const s = await q.executeTakeFirst();
    if (!s || s.stopped_at) return;
    const { current, next } = periodsAround(s.rule, s.time_zone, now);
    if (current) {
      // The questionnaire's version as of this period: a change published since applies from now on.
      const versionId = await currentVersionId(a.tx, clinicId, s.questionnaire_id);
      if (!versionId) return;
      await sendPeriod(a, { clinicId, patientId: s.patient_id, questionnaireId: s.questionnaire_id, versionId, channel: s.channel, zone: s.time_zone, dueDays: s.due_days, remindDaysBefore: s.remind_days_before, assignedBy: s.created_by, scheduleId }, current, now);
    }
    if (next) a.enqueue(periodJob(clinicId, scheduleId, next, s.time_zone));
  });
}

/** Stops a schedule (audited): no later period is sent; assignments already sent stay. */
export async function stopSchedule(store: ActionStore, who: StaffPrincipal, requestId: string | null, id: string): Promise<void> {
  await runAction(store, who, requestId, async (a) => {
    const s = await a.tx.selectFrom('questionnaire_schedules').select(['patient_id', 'stopped_at']).where('clinic_id', '=', who.clinicId).where('id', '=', id).executeTakeFirst();
    if (!s) throw notFound('Schedule');
    if (s.stopped_at) return;
    await a.tx.updateTable('questionnaire_schedules').set({ stopped_at: new Date().toISOString(), stopped_by: who.staffId }).where('id', '=', id).execute();
    // Its waiting job would find it stopped; removing it keeps the queue honest.
    await a.tx.deleteFrom('jobs').where('clinic_id', '=', who.clinicId).where('kind', '=', RECUR_JOB).where('status', '=', 'pending').where('dedupe_key', 'like', `${RECUR_JOB}:${id}:%`).execute();
    a.audit({ action: 'questionnaire.schedule-stop', patientId: s.patient_id, target: `schedule:${id}` });
  });
}

/** The clinic's schedules, newest first, with each one's next send (each listed row audited: it names a patient). */
export async function listSchedules(store: ActionStore, cipher: ClinicCipher, who: StaffPrincipal, requestId: string | null, query: ScheduleQuery, now = new Date()): Promise<QuestionnaireSchedule[]> {
  return runAction(store, who, requestId, async (a) => {
    let q = a.tx
      .selectFrom('questionnaire_schedules as s')
      .innerJoin('questionnaires as q', 'q.id', 's.questionnaire_id')
      .innerJoin('questionnaire_versions as v', (j) => j.onRef('v.questionnaire_id', '=', 'q.id').onRef('v.version', '=', 'q.current_version'))
      .selectAll('s')
      .select(['v.resource'])
      .where('s.clinic_id', '=', who.clinicId);
    if (query.questionnaireId) q = q.where('s.questionnaire_id', '=', query.questionnaireId);
    if (query.patientId) q = q.where('s.patient_id', '=', query.patientId);
    const rows = await q.orderBy('s.created_at', 'desc').orderBy('s.id').limit(500).execute();
    const names = await patientNames(a.tx, cipher, [...new Set(rows.map((r) => r.patient_id))]);
    a.audit(rows.map((r) => ({ action: 'questionnaire.schedule-list', patientId: r.patient_id, target: `schedule:${r.id}` })));
    return rows.map((r) => {
      const options = RRule.parseString(r.rule);
      const { next } = periodsAround(r.rule, r.time_zone, now);
      const title = JSON.parse(r.resource) as Questionnaire;
      return {
        id: r.id, questionnaireId: r.questionnaire_id, title: questionnaireTitle(title, 'en'), titleFr: questionnaireTitle(title, 'fr'), patientId: r.patient_id, patientName: names.get(r.patient_id) ?? '',
        channel: r.channel, every: options.interval ?? 1, unit: UNIT[options.freq!] ?? 'week', until: r.until, dueDays: r.due_days, remindDaysBefore: r.remind_days_before, createdAt: r.created_at,
        nextAt: r.stopped_at || !next ? null : placed(next, r.time_zone).toUTC().toISO()!, stoppedAt: r.stopped_at,
      };
    });
  });
}
