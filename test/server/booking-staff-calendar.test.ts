/**
 * The staff calendar over HTTP, on SQLite and PostgreSQL: a day or a week of appointments (clinic
 * time zone, every provider or one, audited, another clinic's provider 404), the open slots staff book
 * and move into, and the staff reschedule (no patient cut-off; the e-mail's .ics keeps its UID;
 * reminders re-planned; audited), with a move racing a booking for the same time giving exactly one winner.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import { createSession } from '../../server/domain/sessions.js';
import { listJobs } from '../../server/domain/jobs.js';
import type { CalendarRange, Slot } from '../../shared/booking.js';
import { DIALECTS, build, call, seedClinic, seedPatient, staffCookie } from './helpers.js';

const ZONE = 'America/Toronto';
const WEEK = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const RULES = { enabled: true, minNoticeMinutes: 60, horizonDays: 30, maxUpcomingPerPatient: 5, cancelCutoffHours: 24, slotStepMinutes: 30, reminderMinutesBefore: [2880, 120] };
const typeBody = { name: { en: 'Follow-up visit', fr: 'Visite de suivi' }, durationMinutes: 30, mode: 'in-person', location: '12 Main St', bufferBeforeMinutes: 0, bufferAfterMinutes: 0, existingPatientsOnly: true, providerIds: [], active: true };

/** Two providers open 09:00–17:00 every day, a 30-minute type, two patients with sessions, an admin. */
async function setup(t: TestContext, dialect: 'sqlite' | 'postgres') {
  const ctx = await build(t, dialect);
  const clinic = await seedClinic(ctx.deps, 'north');
  const admin = await staffCookie(ctx.app, 'admin@north.test');
  const ok = async (res: Awaited<ReturnType<typeof call>>, status = 200) => {
    assert.equal(res.statusCode, status, res.body);
    return res.json();
  };
  await ok(await call(ctx.app, 'PUT', '/api/booking/rules', { cookie: admin, body: RULES }));
  const shah = await ok(await call(ctx.app, 'POST', '/api/booking/providers', { cookie: admin, body: { name: 'Dr. Priya Shah' } }), 201);
  const tremblay = await ok(await call(ctx.app, 'POST', '/api/booking/providers', { cookie: admin, body: { name: 'Dr. Luc Tremblay' } }), 201);
  const type = await ok(await call(ctx.app, 'POST', '/api/booking/types', { cookie: admin, body: typeBody }), 201);
  for (const p of [shah, tremblay]) await ok(await call(ctx.app, 'POST', '/api/booking/hours', { cookie: admin, body: { providerId: p.id, days: WEEK, start: '09:00', end: '17:00' } }), 201);
  const patients = [];
  for (const name of ['Ada Lovelace', 'Grace Hopper']) {
    const p = await seedPatient(ctx.deps, clinic, { email: `${name.split(' ')[0]!.toLowerCase()}@north.example`, name });
    const { token } = await createSession(ctx.deps.db, { kind: 'patient', clinicId: clinic.id, subjectId: p.id });
    patients.push({ ...p, token });
  }
  /** The open slots staff see for a day (clinic zone) of one provider. */
  const slots = async (from: string, providerId: string): Promise<Slot[]> => (await ok(await call(ctx.app, 'GET', `/api/booking/slots?typeId=${type.id}&providerId=${providerId}&from=${from}&days=1`, { cookie: admin }))).slots;
  const book = (patientId: string, providerId: string, startsAt: string) => call(ctx.app, 'POST', '/api/booking/appointments', { cookie: admin, body: { typeId: type.id, providerId, startsAt, patientId } });
  return { ...ctx, clinic, admin, ok, shah, tremblay, type, patients, slots, book };
}

/** A day `n` days from now in the clinic's zone. */
const daysAhead = (n: number) => DateTime.now().setZone(ZONE).plus({ days: n }).toISODate()!;

function parseIcs(text: string) {
  const comp = new ICAL.Component(ICAL.parse(text));
  for (const tz of comp.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(tz);
  const event = new ICAL.Event(comp.getFirstSubcomponent('vevent')!);
  return { method: comp.getFirstPropertyValue('method'), uid: event.uid, sequence: event.sequence, start: event.startDate.toJSDate().toISOString() };
}

for (const d of DIALECTS) {
  describe(`staff calendar (${d.name})`, { skip: d.skip }, () => {
    it('answers a day or a week of every provider (or one), in the clinic’s days, with names and statuses, audited', async (t) => {
      const ctx = await setup(t, d.name);
      const [ada, grace] = ctx.patients;
      const dayA = daysAhead(3);
      const dayB = daysAhead(4);
      const a1 = await ctx.ok(await ctx.book(ada!.id, ctx.shah.id, (await ctx.slots(dayA, ctx.shah.id))[0]!.startsAt), 201);
      const a2 = await ctx.ok(await ctx.book(grace!.id, ctx.tremblay.id, (await ctx.slots(dayA, ctx.tremblay.id))[2]!.startsAt), 201);
      const b1 = await ctx.ok(await ctx.book(grace!.id, ctx.shah.id, (await ctx.slots(dayB, ctx.shah.id)).at(-1)!.startsAt), 201);
      await ctx.ok(await call(ctx.app, 'PATCH', `/api/booking/appointments/${a2.id}`, { cookie: ctx.admin, body: { status: 'cancelled' } }));

      const day: CalendarRange = await ctx.ok(await call(ctx.app, 'GET', `/api/booking/calendar?from=${dayA}`, { cookie: ctx.admin }));
      assert.equal(day.timeZone, ZONE);
      assert.deepEqual(
        day.appointments.map((a) => [a.id, a.providerName, a.patientName, a.status]),
        [
          [a1.id, 'Dr. Priya Shah', 'Ada Lovelace', 'booked'],
          [a2.id, 'Dr. Luc Tremblay', 'Grace Hopper', 'cancelled'],
        ],
        'both providers, every status, soonest first',
      );
      const week: CalendarRange = await ctx.ok(await call(ctx.app, 'GET', `/api/booking/calendar?from=${dayA}&days=7`, { cookie: ctx.admin }));
      assert.deepEqual(week.appointments.map((a) => a.id), [a1.id, a2.id, b1.id]);
      // The late-afternoon appointment is on its clinic day, whatever its UTC date.
      assert.equal(DateTime.fromISO(week.appointments[2]!.startsAt, { zone: ZONE }).toISODate(), dayB);
      const shahsWeek: CalendarRange = await ctx.ok(await call(ctx.app, 'GET', `/api/booking/calendar?from=${dayA}&days=7&providerId=${ctx.shah.id}`, { cookie: ctx.admin }));
      assert.deepEqual(shahsWeek.appointments.map((a) => a.id), [a1.id, b1.id]);
      const dayAfter: CalendarRange = await ctx.ok(await call(ctx.app, 'GET', `/api/booking/calendar?from=${daysAhead(5)}&days=7`, { cookie: ctx.admin }));
      assert.deepEqual(dayAfter.appointments, []);

      // Each appointment shown is an audited read of its patient's record.
      const audits = await ctx.deps.db.selectFrom('audit_log').select(['action', 'patient_id', 'target']).where('action', '=', 'appointment.calendar').execute();
      assert.ok(audits.some((a) => a.patient_id === ada!.id && a.target === `appointment:${a1.id}`));
      assert.ok(audits.some((a) => a.target === `range:${daysAhead(5)}+7`), 'an empty range is audited too');

      // Bad ranges are refused; another clinic's provider is not found.
      assert.equal((await call(ctx.app, 'GET', `/api/booking/calendar?from=${dayA}&days=8`, { cookie: ctx.admin })).statusCode, 400);
      assert.equal((await call(ctx.app, 'GET', '/api/booking/calendar?from=2026-02-30', { cookie: ctx.admin })).statusCode, 400);
      await seedClinic(ctx.deps, 'south');
      const south = await staffCookie(ctx.app, 'admin@south.test');
      assert.equal((await call(ctx.app, 'GET', `/api/booking/calendar?from=${dayA}&providerId=${ctx.shah.id}`, { cookie: south })).statusCode, 404);
      assert.deepEqual((await call(ctx.app, 'GET', `/api/booking/calendar?from=${dayA}&days=7`, { cookie: south })).json().appointments, []);
      assert.equal((await call(ctx.app, 'GET', `/api/booking/calendar?from=${dayA}`, { token: ada!.token })).statusCode, 401);
    });

    it('lets staff move an appointment past the patient cut-off: same type, new .ics with the same UID, reminders re-planned, audited', async (t) => {
      const ctx = await setup(t, d.name);
      const [ada] = ctx.patients;
      const day = daysAhead(3);
      const shahSlots = await ctx.slots(day, ctx.shah.id);
      const booked = await ctx.ok(await call(ctx.app, 'POST', '/api/patient/appointments', { token: ada!.token, body: { typeId: ctx.type.id, providerId: ctx.shah.id, startsAt: shahSlots[0]!.startsAt } }), 201);
      const first = parseIcs((await ctx.smtp.take(ada!.email)).attachments.find((a) => a.filename.endsWith('.ics'))!.content);
      // A week's notice for patients' own changes: the patient may not move it any more; staff may.
      await ctx.ok(await call(ctx.app, 'PUT', '/api/booking/rules', { cookie: ctx.admin, body: { ...RULES, cancelCutoffHours: 24 * 7 } }));
      const tremblaySlots = await ctx.slots(day, ctx.tremblay.id);
      const target = tremblaySlots[4]!;
      const late = await call(ctx.app, 'POST', `/api/patient/appointments/${booked.id}/reschedule`, { token: ada!.token, body: { startsAt: target.startsAt } });
      assert.equal(late.json().code, 'change_cutoff');

      const moved = await ctx.ok(await call(ctx.app, 'POST', `/api/booking/appointments/${booked.id}/reschedule`, { cookie: ctx.admin, body: { providerId: ctx.tremblay.id, startsAt: target.startsAt } }));
      assert.equal(moved.id, booked.id);
      assert.equal(moved.startsAt, target.startsAt);
      assert.equal(moved.providerName, 'Dr. Luc Tremblay');
      assert.equal(moved.typeId, ctx.type.id, 'the same type');

      const mail = await ctx.smtp.take(ada!.email);
      assert.match(mail.subject, /has moved/);
      const ics = parseIcs(mail.attachments.find((a) => a.filename.endsWith('.ics'))!.content);
      assert.equal(ics.uid, first.uid, 'the UID stays');
      assert.equal(ics.sequence, 1);
      assert.equal(ics.start, target.startsAt);

      const reminders = await listJobs(ctx.deps.db, 'all', { kindPrefix: 'mail.booking-reminder' });
      const planned = reminders.filter((j) => j.payload.startsAt === target.startsAt).map((j) => j.runAt).sort();
      assert.deepEqual(planned, [new Date(Date.parse(target.startsAt) - 2880 * 60_000).toISOString(), new Date(Date.parse(target.startsAt) - 120 * 60_000).toISOString()]);

      // The old time is open again; the new one is not.
      assert.ok((await ctx.slots(day, ctx.shah.id)).some((s) => s.startsAt === shahSlots[0]!.startsAt));
      assert.equal((await ctx.slots(day, ctx.tremblay.id)).some((s) => s.startsAt === target.startsAt), false);

      const audit = await ctx.deps.db.selectFrom('audit_log').select(['action', 'patient_id', 'actor_type']).where('action', '=', 'appointment.reschedule').execute();
      assert.equal(audit.length, 1);
      assert.equal(audit[0]!.patient_id, ada!.id);
      assert.equal(audit[0]!.actor_type, 'staff');

      // A time the rules do not open, a cancelled appointment, another clinic: refused.
      const night = DateTime.fromISO(target.startsAt, { zone: ZONE }).set({ hour: 21 }).toUTC().toISO()!;
      assert.equal((await call(ctx.app, 'POST', `/api/booking/appointments/${booked.id}/reschedule`, { cookie: ctx.admin, body: { startsAt: night } })).json().code, 'slot_unavailable');
      await seedClinic(ctx.deps, 'south');
      const south = await staffCookie(ctx.app, 'admin@south.test');
      assert.equal((await call(ctx.app, 'POST', `/api/booking/appointments/${booked.id}/reschedule`, { cookie: south, body: { startsAt: tremblaySlots[6]!.startsAt } })).statusCode, 404);
      await ctx.ok(await call(ctx.app, 'PATCH', `/api/booking/appointments/${booked.id}`, { cookie: ctx.admin, body: { status: 'cancelled' } }));
      assert.equal((await call(ctx.app, 'POST', `/api/booking/appointments/${booked.id}/reschedule`, { cookie: ctx.admin, body: { startsAt: tremblaySlots[6]!.startsAt } })).json().code, 'not_booked');
    });

    it('gives exactly one winner when staff move an appointment to a time a patient books at the same moment', async (t) => {
      const ctx = await setup(t, d.name);
      const [ada, grace] = ctx.patients;
      const day = daysAhead(3);
      const slots = await ctx.slots(day, ctx.shah.id);
      // Five rounds, each on its own time: a move and a booking race for it.
      for (let round = 0; round < 5; round++) {
        const from = slots[round]!;
        const contested = slots[8 + round]!;
        const appt = await ctx.ok(await ctx.book(ada!.id, ctx.shah.id, from.startsAt), 201);
        const [move, take] = await Promise.all([
          call(ctx.app, 'POST', `/api/booking/appointments/${appt.id}/reschedule`, { cookie: ctx.admin, body: { startsAt: contested.startsAt } }),
          call(ctx.app, 'POST', '/api/patient/appointments', { token: grace!.token, body: { typeId: ctx.type.id, providerId: ctx.shah.id, startsAt: contested.startsAt } }),
        ]);
        const statuses = [move.statusCode, take.statusCode];
        assert.equal(statuses.filter((s) => s < 300).length, 1, `one winner in round ${round}: ${move.body} / ${take.body}`);
        const loser = move.statusCode < 300 ? take : move;
        assert.equal(loser.statusCode, 409);
        assert.equal(loser.json().code, 'slot_taken');
        const holders = await ctx.deps.db.selectFrom('appointments').select(['id', 'patient_id']).where('provider_id', '=', ctx.shah.id).where('starts_at', '=', contested.startsAt).where('status', '=', 'booked').execute();
        assert.equal(holders.length, 1);
        assert.equal(holders[0]!.patient_id, move.statusCode < 300 ? ada!.id : grace!.id);
        // A lost move leaves the appointment where it was.
        const still = await ctx.deps.db.selectFrom('appointments').select('starts_at').where('id', '=', appt.id).executeTakeFirstOrThrow();
        assert.equal(still.starts_at, move.statusCode < 300 ? contested.startsAt : from.startsAt);
      }
    });
  });
}
