/**
 * Recurring questionnaires and reminders, on SQLite and PostgreSQL: one assignment per period as
 * time passes (job runners given a clock), none twice when two instances run the same period, the
 * schedule carried on by a restarted instance, stopped by staff (audited), a reminder sent once and
 * not after completion, and e-mails without health information. And the home blood-pressure log:
 * valid FHIR R4, its category right at each threshold.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertR4 } from '../support/fhir-r4.js';
import { DateTime } from 'luxon';
import { libraryResource } from '../../server/domain/questionnaire-library.js';
import { scoreAnswers } from '../../server/domain/questionnaire-scoring.js';
import { checkQuestionnaire } from '../../server/domain/questionnaires.js';
import { reminderAt } from '../../server/domain/questionnaire-reminders.js';
import { periodsAround, RECUR_JOB, runRecurJob, scheduleRule } from '../../server/domain/questionnaire-schedules.js';
import type { JobEnv } from '../../server/domain/notices.js';
import { JobRunner } from '../../server/jobs/runner.js';
import { HANDLERS } from '../../server/workers.js';
import type { Deps } from '../../server/deps.js';
import type { Answers } from '../../shared/questionnaire-logic.js';
import { startTwilioStandIn } from '../support/twilio.js';
import { DIALECTS, build, call, patientToken, secondInstance, seedClinic, seedPatient, staffCookie, type TestApp } from './helpers.js';

const ZONE = 'America/Toronto';
const DAY = 24 * 60 * 60 * 1000;
const localDay = (at: Date, plusDays = 0) => DateTime.fromJSDate(at).setZone(ZONE).plus({ days: plusDays }).toISODate()!;
/** Words an e-mail about a questionnaire must never contain. */
const HEALTH = /PHQ|GAD|blood|pressure|tension|depress|anxi|systolic|mm ?Hg/i;

const mmHg = (value: number) => [{ valueQuantity: { value } }];
const bpAnswers = (systolic: number, diastolic: number): Answers => ({ 'bp-when': [{ valueDateTime: '2026-11-26T09:00:00-05:00' }], 'bp-systolic': mmHg(systolic), 'bp-diastolic': mmHg(diastolic) });
const meta = { id: 'r1', status: 'completed' as const, questionnaireCanonical: 'urn:uuid:x|1', patientId: 'p1', authored: '2026-01-01T00:00:00.000Z' };

describe('a monthly schedule', () => {
  /** Each period's local date from `start`, walking the rule as the recurring job does. */
  const periods = (startIso: string, every: number, until: string) => {
    const start = DateTime.fromISO(startIso, { zone: ZONE });
    const rule = scheduleRule({ unit: 'month', every, until }, start);
    const out: string[] = [];
    for (let at = start.toJSDate(), i = 0; i < 24; i++) {
      const { next } = periodsAround(rule, ZONE, at);
      if (!next) break;
      const local = DateTime.fromObject({ year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate(), hour: next.getUTCHours(), minute: next.getUTCMinutes() }, { zone: ZONE });
      out.push(local.toFormat("yyyy-MM-dd'T'HH:mm"));
      at = local.toJSDate();
    }
    return out;
  };

  it('started on the 31st, falls on the last day of shorter months instead of skipping them', () => {
    assert.deepEqual(periods('2027-01-31T09:30', 1, '2027-06-30'), ['2027-02-28T09:30', '2027-03-31T09:30', '2027-04-30T09:30', '2027-05-31T09:30', '2027-06-30T09:30']);
  });

  it('started on the 30th, every two months, keeps the 30th where there is one (29 February in a leap year)', () => {
    assert.deepEqual(periods('2027-12-30T08:00', 2, '2028-08-31'), ['2028-02-29T08:00', '2028-04-30T08:00', '2028-06-30T08:00', '2028-08-30T08:00']);
  });

  it('started on an ordinary day, keeps that day', () => {
    assert.deepEqual(periods('2027-01-15T10:00', 1, '2027-04-20'), ['2027-02-15T10:00', '2027-03-15T10:00', '2027-04-15T10:00']);
  });
});

describe('the home blood-pressure log', () => {
  const bp = libraryResource('bp-log')!;

  it('is a valid FHIR R4 Questionnaire, with UCUM units, French text, and passes our own import checks', () => {
    assertR4(bp, 'the BP log');
    checkQuestionnaire(structuredClone(bp));
    assert.match(JSON.stringify(bp), /"code":"mm\[Hg\]"/);
    assert.match(JSON.stringify(bp), /Relevé de la pression artérielle à domicile/);
    assert.match(JSON.stringify(bp), /Diastolique/);
    // What to do about a severe reading is on the form itself, in both languages.
    const advice = bp.item!.find((i) => i.linkId === 'bp-severe-advice')!;
    assert.equal(advice.type, 'display');
    assert.match(advice.text!, /180 or more.*110 or more.*911/s);
    assert.match(JSON.stringify((advice as { _text?: unknown })._text), /180 ou plus.*110 ou plus.*911/s);
  });

  const CASES: Array<[number, number, string]> = [
    [120, 70, 'normal'], [129, 79, 'normal'],
    [130, 70, 'elevated'], [120, 80, 'elevated'], [134, 84, 'elevated'],
    [135, 70, 'high'], [120, 85, 'high'], [134, 85, 'high'], [135, 84, 'high'], [179, 109, 'high'],
    [180, 90, 'severe'], [150, 110, 'severe'], [190, 115, 'severe'],
  ];
  for (const [systolic, diastolic, band] of CASES) {
    it(`${systolic}/${diastolic} at home is ${band}${band === 'severe' ? ', flagged to staff' : ''}`, () => {
      const { result } = scoreAnswers(bp, bpAnswers(systolic, diastolic), meta);
      assert.equal(result.scores.length, 1);
      assert.equal(result.scores[0]!.band?.code, band);
      assert.deepEqual(result.flags, band === 'severe' ? ['bp-severe'] : []);
    });
  }

  it('scores the response as valid FHIR R4 with the category as an answer', () => {
    const { answers } = scoreAnswers(bp, bpAnswers(140, 90), meta);
    assert.deepEqual(answers['bp-category'], [{ valueInteger: 2 }]);
  });
});

/** A job runner on `deps`' database whose clock reads `at` (time has passed). */
async function runAt(t: { after: (fn: () => Promise<void>) => void }, deps: Deps, at: Date): Promise<void> {
  const env: JobEnv = { db: deps.db, dialect: deps.dialect, keyring: deps.keyring, mailer: deps.mailer, config: deps.config, clock: () => at };
  const runner = new JobRunner(env, HANDLERS, { leaseMs: 30_000, retryBaseMs: 60_000, pollMs: 60_000 });
  t.after(() => runner.stop());
  await runner.start();
  await runner.settle();
  await runner.stop();
}

for (const d of DIALECTS) {
  describe(`recurring questionnaires and reminders (${d.name})`, { skip: d.skip }, () => {
    async function setup(t: Parameters<typeof build>[0]) {
      const ctx = await build(t, d.name);
      const clinic = await seedClinic(ctx.deps, 'north');
      const patient = await seedPatient(ctx.deps, clinic);
      const admin = await staffCookie(ctx.app, 'admin@north.test');
      const added = await call(ctx.app, 'POST', '/api/questionnaire-library/bp-log', { cookie: admin });
      assert.equal(added.statusCode, 201, added.body);
      return { ...ctx, clinic, patient, admin, questionnaireId: added.json().questionnaire.id as string };
    }
    const assignmentsOf = (ctx: TestApp, scheduleId: string) =>
      ctx.owner.selectFrom('questionnaire_assignments').select(['id', 'period', 'due_date', 'status']).where('schedule_id', '=', scheduleId).orderBy('period').execute();
    /** Mail to `to` that arrived and was not taken yet. */
    const unread = (ctx: TestApp, to: string) => ctx.smtp.messages.filter((m) => m.to === to);
    const smtpTo = (ctx: TestApp, to: string) => unread(ctx, to).length;

    it('sends one assignment per period as weeks pass, never twice for two instances at once, carries on after a restart, and ends on its last day', async (t) => {
      const ctx = await setup(t);
      const start = new Date();
      const body = { patientIds: [ctx.patient.id], dueDate: localDay(start, 2), repeat: { every: 1, unit: 'week', until: localDay(start, 27) } };
      const sent = await call(ctx.app, 'POST', `/api/questionnaires/${ctx.questionnaireId}/assignments`, { cookie: ctx.admin, body });
      assert.equal(sent.statusCode, 201, sent.body);
      const { ids, scheduleIds } = sent.json();
      assert.equal(ids.length, 1);
      assert.equal(scheduleIds.length, 1);
      const [scheduleId] = scheduleIds;
      const first = await ctx.smtp.take(ctx.patient.email);
      assert.equal(HEALTH.test(first.subject + first.text), false, 'the e-mail says nothing about the questionnaire');
      assert.equal((await assignmentsOf(ctx, scheduleId)).length, 1);

      // A week later: the second period's assignment, due two days after it was sent, and its notice.
      await runAt(t, ctx.deps, new Date(start.getTime() + 7 * DAY + 60_000));
      let rows = await assignmentsOf(ctx, scheduleId);
      assert.equal(rows.length, 2);
      assert.equal(rows[1]!.due_date, localDay(new Date(start.getTime() + 7 * DAY), 2));
      const second = await ctx.smtp.take(ctx.patient.email);
      assert.equal(HEALTH.test(second.subject + second.text), false);

      // Two weeks: two instances run the period at the same time, and the same job twice over (a lease passed on mid-run).
      const other = await secondInstance(ctx);
      const twoWeeks = new Date(start.getTime() + 14 * DAY + 60_000);
      const job = await ctx.owner.selectFrom('jobs').selectAll().where('kind', '=', RECUR_JOB).where('status', '=', 'pending').executeTakeFirstOrThrow();
      const envOf = (deps: Deps): JobEnv => ({ db: deps.db, dialect: deps.dialect, keyring: deps.keyring, mailer: deps.mailer, config: deps.config, clock: () => twoWeeks });
      const runs = [() => runRecurJob(job, envOf(ctx.deps)), () => runRecurJob(job, envOf(other.deps)), () => runAt(t, ctx.deps, twoWeeks), () => runAt(t, other.deps, twoWeeks)];
      // At the same time on PostgreSQL; in turn on SQLite, whose driver blocks the one process while it waits for the other connection's lock.
      if (d.name === 'postgres') await Promise.all(runs.map((run) => run()));
      else for (const run of runs) await run();
      await runAt(t, ctx.deps, twoWeeks);
      rows = await assignmentsOf(ctx, scheduleId);
      assert.equal(rows.length, 3, 'one assignment for the period');
      assert.equal(new Set(rows.map((r) => r.period)).size, 3);
      await ctx.smtp.take(ctx.patient.email);
      await ctx.deps.jobs.settle();
      assert.equal(unread(ctx, ctx.patient.email).length, 0, 'one notice for the period');
      const waiting = await ctx.owner.selectFrom('jobs').select(['dedupe_key']).where('kind', '=', RECUR_JOB).where('status', '=', 'pending').execute();
      assert.equal(waiting.length, 1, 'one job waits, for the next period');

      // A restart: a new instance on the same database (its own connections and runner) carries on.
      const restarted = await secondInstance(ctx);
      await runAt(t, restarted.deps, new Date(start.getTime() + 21 * DAY + 60_000));
      assert.equal((await assignmentsOf(ctx, scheduleId)).length, 4);
      await ctx.smtp.take(ctx.patient.email);

      // The last day has passed: nothing more, and nothing waits.
      await runAt(t, restarted.deps, new Date(start.getTime() + 35 * DAY));
      assert.equal((await assignmentsOf(ctx, scheduleId)).length, 4);
      assert.equal((await ctx.owner.selectFrom('jobs').select('id').where('kind', '=', RECUR_JOB).where('status', '=', 'pending').execute()).length, 0);
      const listed = (await call(ctx.app, 'GET', '/api/questionnaire-schedules', { cookie: ctx.admin })).json();
      assert.equal(listed.length, 1);
      assert.equal(listed[0].patientName, 'Jamie Patient');
      assert.equal(listed[0].every, 1);
      assert.equal(listed[0].unit, 'week');
      assert.equal(listed[0].dueDays, 2);
    });

    it('sends only the latest period after a long outage, and stops for good when staff stop it (audited, 404 to another clinic)', async (t) => {
      const ctx = await setup(t);
      const start = new Date();
      const sent = await call(ctx.app, 'POST', `/api/questionnaires/${ctx.questionnaireId}/assignments`, { cookie: ctx.admin, body: { patientIds: [ctx.patient.id], repeat: { every: 1, unit: 'day', until: localDay(start, 20) } } });
      assert.equal(sent.statusCode, 201, sent.body);
      const [scheduleId] = sent.json().scheduleIds;
      await runAt(t, ctx.deps, new Date(start.getTime() + 3 * DAY + 60_000));
      const rows = await assignmentsOf(ctx, scheduleId);
      assert.equal(rows.length, 2, 'the missed days are not sent all at once');
      assert.equal(rows[1]!.period!.slice(0, 10), localDay(new Date(start.getTime() + 3 * DAY)));

      await seedClinic(ctx.deps, 'south');
      const stranger = await staffCookie(ctx.app, 'admin@south.test');
      assert.equal((await call(ctx.app, 'POST', `/api/questionnaire-schedules/${scheduleId}/stop`, { cookie: stranger })).statusCode, 404);
      assert.equal((await call(ctx.app, 'GET', '/api/questionnaire-schedules', { cookie: stranger })).json().length, 0);

      const staff = await staffCookie(ctx.app, 'staff@north.test');
      const stopped = await call(ctx.app, 'POST', `/api/questionnaire-schedules/${scheduleId}/stop`, { cookie: staff });
      assert.equal(stopped.statusCode, 204, stopped.body);
      const audit = await ctx.owner.selectFrom('audit_log').select(['action', 'target']).where('action', '=', 'questionnaire.schedule-stop').execute();
      assert.deepEqual(audit.map((a) => a.target), [`schedule:${scheduleId}`]);
      await runAt(t, ctx.deps, new Date(start.getTime() + 6 * DAY));
      assert.equal((await assignmentsOf(ctx, scheduleId)).length, 2, 'nothing after the stop');
      const listed = (await call(ctx.app, 'GET', '/api/questionnaire-schedules', { cookie: ctx.admin })).json();
      assert.ok(listed[0].stoppedAt);
      assert.equal(listed[0].nextAt, null);
    });

    it('by text message: each period and the reminder go by text, naming nothing', async (t) => {
      const twilio = await startTwilioStandIn();
      t.after(() => twilio.close());
      const ctx = await build(t, d.name, { ...twilio.env });
      const clinic = await seedClinic(ctx.deps, 'north');
      const patient = await seedPatient(ctx.deps, clinic);
      const admin = await staffCookie(ctx.app, 'admin@north.test');
      const questionnaireId = (await call(ctx.app, 'POST', '/api/questionnaire-library/bp-log', { cookie: admin })).json().questionnaire.id as string;
      assert.equal((await call(ctx.app, 'PATCH', `/api/patients/${patient.id}`, { cookie: admin, body: { mobile: '+15145550123', smsConsent: true } })).statusCode, 200);
      const start = new Date();
      const body = { patientIds: [patient.id], channel: 'sms', dueDate: localDay(start, 3), reminderDaysBefore: 1, repeat: { every: 1, unit: 'week', until: localDay(start, 10) } };
      const sent = await call(ctx.app, 'POST', `/api/questionnaires/${questionnaireId}/assignments`, { cookie: admin, body });
      assert.equal(sent.statusCode, 201, sent.body);
      await twilio.waitFor(1);
      await runAt(t, ctx.deps, new Date(reminderAt(localDay(start, 3), 1, ZONE).getTime() + 60_000));
      await twilio.waitFor(2);
      assert.match(twilio.messages[1]!.body, /reminder/);
      await runAt(t, ctx.deps, new Date(start.getTime() + 7 * DAY + 60_000));
      await twilio.waitFor(3);
      for (const m of twilio.messages) assert.equal(HEALTH.test(m.body), false, 'a text names nothing about the questionnaire');
      assert.equal(smtpTo(ctx, patient.email), 0, 'no e-mail when sent by text');
    });

    it('sends a reminder once before the due date, none once completed, and refuses a reminder without a due date or a repeat that has ended', async (t) => {
      const ctx = await setup(t);
      const now = new Date();
      const due = localDay(now, 3);
      const path = `/api/questionnaires/${ctx.questionnaireId}/assignments`;
      assert.equal((await call(ctx.app, 'POST', path, { cookie: ctx.admin, body: { patientIds: [ctx.patient.id], reminderDaysBefore: 1 } })).json().code, 'reminder_needs_due_date');
      assert.equal((await call(ctx.app, 'POST', path, { cookie: ctx.admin, body: { patientIds: [ctx.patient.id], repeat: { every: 1, unit: 'week', until: localDay(now, 0) } } })).json().code, 'invalid_repeat');

      const other = await seedPatient(ctx.deps, ctx.clinic, { name: 'Robin Other', email: 'robin@north.example' });
      const sent = await call(ctx.app, 'POST', path, { cookie: ctx.admin, body: { patientIds: [ctx.patient.id, other.id], dueDate: due, reminderDaysBefore: 1 } });
      assert.equal(sent.statusCode, 201, sent.body);
      const [mine] = sent.json().ids;
      await ctx.smtp.take(ctx.patient.email);
      await ctx.smtp.take(other.email);

      // Jamie completes theirs; Robin does not.
      const token = await patientToken(ctx, 'north', ctx.patient.email, ctx.patient.dateOfBirth);
      const submitted = await call(ctx.app, 'POST', `/api/patient/questionnaires/${mine}/submit`, { token, body: { answers: bpAnswers(138, 82) } });
      assert.equal(submitted.statusCode, 200, submitted.body);
      const detail = (await call(ctx.app, 'GET', `/api/questionnaire-assignments/${mine}`, { cookie: ctx.admin })).json();
      assert.equal(detail.assignment.result.scores[0].band.code, 'high');

      const when = reminderAt(due, 1, ZONE);
      assert.equal(DateTime.fromJSDate(when).setZone(ZONE).toFormat('yyyy-MM-dd HH:mm'), `${localDay(now, 2)} 09:00`);
      await runAt(t, ctx.deps, new Date(when.getTime() + 60_000));
      const reminder = await ctx.smtp.take(other.email);
      assert.match(reminder.subject, /Reminder/);
      assert.equal(HEALTH.test(reminder.subject + reminder.text), false, 'the reminder says nothing about the questionnaire');
      await runAt(t, ctx.deps, new Date(when.getTime() + 2 * DAY));
      await ctx.deps.jobs.settle();
      assert.equal(unread(ctx, other.email).length, 0, 'one reminder');
      assert.equal(unread(ctx, ctx.patient.email).length, 0, 'no reminder of a completed questionnaire');
    });
  });
}
