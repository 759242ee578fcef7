/**
 * New patients' booking requests over HTTP, on SQLite and PostgreSQL: a visitor without a session
 * requests an open time of a type open to new patients; the details are sealed at rest; the time is
 * kept from others while the request holds it; the requester is e-mailed (no health information);
 * staff approve (enrol, or link the patient with the same e-mail or health number, and book, with
 * the confirmation and its .ics) or decline (polite e-mail with the note); a time taken once the hold
 * lapsed is a clear 409 and can be approved at another time; another clinic's request is a 404; a
 * type for existing patients only is refused by code; and two approvals at once make one appointment.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { DateTime } from 'luxon';
import { newPatientBookingOptions } from '../../server/domain/booking/requests.js';
import { createSession } from '../../server/domain/sessions.js';
import { BOOKING_REQUEST_RETENTION_MS, sweep } from '../../server/domain/sweep.js';
import type { Slot, StaffBookingRequest } from '../../shared/booking.js';
import { DIALECTS, build, call, seedClinic, seedPatient, staffCookie } from './helpers.js';

const ZONE = 'America/Toronto';
const WEEK = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const RULES = { enabled: true, minNoticeMinutes: 60, horizonDays: 30, maxUpcomingPerPatient: 2, cancelCutoffHours: 24, slotStepMinutes: 30, reminderMinutesBefore: [] };
const typeBody = (over: object = {}) => ({
  name: { en: 'New patient intake', fr: 'Accueil nouveau patient' }, durationMinutes: 30, mode: 'in-person', location: '12 Main St', bufferBeforeMinutes: 0, bufferAfterMinutes: 0,
  existingPatientsOnly: false, providerIds: [], active: true, ...over,
});
const day = (n: number) => DateTime.now().setZone(ZONE).plus({ days: n }).toISODate()!;
const at = (slots: Slot[], hhmm: string) => slots.find((s) => DateTime.fromISO(s.startsAt, { zone: ZONE }).toFormat('HH:mm') === hhmm)!;

async function setup(t: TestContext, dialect: 'sqlite' | 'postgres') {
  const ctx = await build(t, dialect);
  const clinic = await seedClinic(ctx.deps, 'north');
  const admin = await staffCookie(ctx.app, 'admin@north.test');
  const staff = await staffCookie(ctx.app, 'staff@north.test');
  const ok = async (res: Awaited<ReturnType<typeof call>>, status: number) => {
    assert.equal(res.statusCode, status, res.body);
    return res.json();
  };
  await ok(await call(ctx.app, 'PUT', '/api/booking/rules', { cookie: admin, body: RULES }), 200);
  const provider = await ok(await call(ctx.app, 'POST', '/api/booking/providers', { cookie: admin, body: { name: 'Dr. Priya Shah' } }), 201);
  const intake = await ok(await call(ctx.app, 'POST', '/api/booking/types', { cookie: admin, body: typeBody() }), 201);
  const followUp = await ok(await call(ctx.app, 'POST', '/api/booking/types', { cookie: admin, body: typeBody({ name: { en: 'Follow-up', fr: 'Suivi' }, existingPatientsOnly: true }) }), 201);
  await ok(await call(ctx.app, 'POST', '/api/booking/hours', { cookie: admin, body: { providerId: provider.id, days: WEEK, start: '09:00', end: '17:00' } }), 201);
  const publicSlots = async (from = day(3), typeId = intake.id): Promise<Slot[]> => (await ok(await call(ctx.app, 'GET', `/api/public/clinics/north/booking/slots?typeId=${typeId}&providerId=${provider.id}&from=${from}&days=1`), 200)).slots;
  const request = (slot: Slot, over: object = {}) =>
    call(ctx.app, 'POST', '/api/public/clinics/north/booking/requests', {
      body: { typeId: intake.id, providerId: slot.providerId, startsAt: slot.startsAt, name: 'Amélie Tremblay', dateOfBirth: '1988-02-03', email: 'amelie@example.org', healthNumber: '1234567890AB', lang: 'fr', ...over },
    });
  const pending = async (cookie = staff) => (await ok(await call(ctx.app, 'GET', '/api/booking/requests', { cookie }), 200)) as StaffBookingRequest[];
  return { ...ctx, clinic, admin, staff, provider, intake, followUp, ok, publicSlots, request, pending };
}

for (const { name: dialect, skip } of DIALECTS) {
  describe(`booking requests from new patients (${dialect})`, { skip }, () => {
    it('takes a request for an open time, seals it, keeps the time, e-mails the requester, and on approval enrols the patient and books with a confirmation', async (t) => {
      const ctx = await setup(t, dialect);
      const options = await ctx.ok(await call(ctx.app, 'GET', '/api/public/clinics/north/booking/options'), 200);
      assert.deepEqual(options.types.map((x: { id: string }) => x.id), [ctx.intake.id], 'only the type open to new patients');
      const slot = at(await ctx.publicSlots(), '10:00');
      const receipt = await ctx.ok(await ctx.request(slot), 201);
      assert.deepEqual(receipt, { status: 'pending', startsAt: slot.startsAt });

      const row = await ctx.deps.db.selectFrom('booking_requests').selectAll().executeTakeFirstOrThrow();
      for (const plain of ['Amélie', 'amelie@example.org', '1234567890', '1988-02-03']) assert.equal(row.details_enc.includes(plain) || row.email_index.includes(plain), false, `${plain} is not stored in the clear`);

      const received = await ctx.smtp.take('amelie@example.org');
      assert.match(received.subject, /Clinic north a reçu votre demande de rendez-vous/);
      assert.equal(/Shah|Accueil|intake|10 h|Amélie|1234567890/.test(received.subject + received.text), false, 'no type, provider, time, name or health number');

      // Kept from others: hidden from the open times and refused to a patient who tries it.
      assert.equal((await ctx.publicSlots()).some((s) => s.startsAt === slot.startsAt), false);
      const other = await seedPatient(ctx.deps, ctx.clinic, { email: 'other@north.example', name: 'Other Patient' });
      const { token } = await createSession(ctx.deps.db, { kind: 'patient', clinicId: ctx.clinic.id, subjectId: other.id });
      const taken = await call(ctx.app, 'POST', '/api/patient/appointments', { token, body: { typeId: ctx.intake.id, providerId: slot.providerId, startsAt: slot.startsAt } });
      assert.equal(taken.statusCode, 409);
      assert.equal(taken.json().code, 'slot_taken');
      assert.equal((await ctx.ok(await ctx.request(slot, { email: 'someone@example.org' }), 409)).code, 'slot_taken', 'nor can a second request take it');

      const [listed] = await ctx.pending();
      assert.equal(listed!.name, 'Amélie Tremblay');
      assert.equal(listed!.healthNumber, '1234567890AB');
      assert.equal(listed!.held, true);
      assert.equal(listed!.match, null);

      const appt = await ctx.ok(await call(ctx.app, 'POST', `/api/booking/requests/${listed!.id}/approve`, { cookie: ctx.staff, body: {} }), 201);
      assert.equal(appt.startsAt, slot.startsAt);
      assert.equal(appt.status, 'booked');
      assert.equal(appt.patientName, 'Amélie Tremblay');
      const found = await ctx.ok(await call(ctx.app, 'GET', '/api/patients?q=amelie%40example.org', { cookie: ctx.staff }), 200);
      assert.deepEqual(found.patients.map((p: { id: string }) => p.id), [appt.patientId], 'enrolled, and found by e-mail');
      assert.equal(found.patients[0].lang, 'fr');

      const confirmation = await ctx.smtp.take('amelie@example.org');
      assert.match(confirmation.subject, /est confirmé/);
      assert.equal(confirmation.attachments[0]?.filename, 'appointment.ics');
      assert.deepEqual(await ctx.pending(), [], 'no longer pending');
      const approved = await ctx.ok(await call(ctx.app, 'GET', '/api/booking/requests?status=approved', { cookie: ctx.staff }), 200);
      assert.equal(approved[0].appointmentId, appt.id);

      const audit = await ctx.deps.db.selectFrom('audit_log').select(['action', 'patient_id']).where('action', 'like', 'booking-request.%').execute();
      assert.deepEqual(audit.map((a) => a.action).sort(), ['booking-request.approve', 'booking-request.create', 'booking-request.read', 'booking-request.read'].sort());
      assert.equal(await (await ctx.deps.db.selectFrom('audit_log').select('id').where('action', '=', 'patient.enrol').where('patient_id', '=', appt.patientId).executeTakeFirst()) !== undefined, true);
    });

    it('links the patient with the same e-mail or health number instead of enrolling a new one', async (t) => {
      const ctx = await setup(t, dialect);
      const known = await seedPatient(ctx.deps, ctx.clinic, { email: 'amelie@example.org', name: 'Amélie T.' });
      const slots = await ctx.publicSlots();
      await ctx.ok(await ctx.request(at(slots, '10:00'), { email: 'AMELIE@example.org' }), 201);
      const [req] = await ctx.pending();
      assert.deepEqual(req!.match, { patientId: known.id, patientName: 'Amélie T.', by: 'email' });
      const appt = await ctx.ok(await call(ctx.app, 'POST', `/api/booking/requests/${req!.id}/approve`, { cookie: ctx.staff, body: {} }), 201);
      assert.equal(appt.patientId, known.id);
      const count = await ctx.deps.db.selectFrom('patients').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(count.n), 1, 'nobody enrolled twice');

      // By health number: a patient whose card is on file under another e-mail.
      await call(ctx.app, 'PATCH', `/api/patients/${known.id}`, { cookie: ctx.staff, body: { healthNumber: '9876543210' } }).then((r) => assert.equal(r.statusCode, 200, r.body));
      await ctx.ok(await ctx.request(at(slots, '11:00'), { email: 'new-address@example.org', healthNumber: '9876543210XY' }), 201);
      const [byCard] = await ctx.pending();
      assert.equal(byCard!.match?.by, 'healthNumber');
      assert.equal(byCard!.match?.patientId, known.id);
    });

    it('declines politely by e-mail with the note, frees the time, and refuses a second decision', async (t) => {
      const ctx = await setup(t, dialect);
      const slot = at(await ctx.publicSlots(), '13:00');
      await ctx.ok(await ctx.request(slot, { lang: 'en', email: 'sam@example.org' }), 201);
      await ctx.smtp.take('sam@example.org');
      const [req] = await ctx.pending();
      await ctx.ok(await call(ctx.app, 'POST', `/api/booking/requests/${req!.id}/decline`, { cookie: ctx.staff, body: { message: 'We are not taking new patients until March.' } }), 200);
      const mail = await ctx.smtp.take('sam@example.org');
      assert.match(mail.subject, /Your appointment request to Clinic north/);
      assert.match(mail.text, /Unfortunately, the clinic cannot book/);
      assert.match(mail.text, /We are not taking new patients until March\./);
      assert.equal((await ctx.publicSlots()).some((s) => s.startsAt === slot.startsAt), true, 'the time is open again');
      assert.equal((await ctx.ok(await call(ctx.app, 'POST', `/api/booking/requests/${req!.id}/approve`, { cookie: ctx.staff, body: {} }), 409)).code, 'request_decided');
      const row = await ctx.deps.db.selectFrom('booking_requests').select(['status', 'decline_message_enc']).executeTakeFirstOrThrow();
      assert.equal(row.status, 'declined');
      assert.equal(row.decline_message_enc?.includes('March'), false, 'the note is sealed');
    });

    it('forgets a request 90 days after it was decided, or after its time when nobody decided it', async (t) => {
      const ctx = await setup(t, dialect);
      const slots = await ctx.publicSlots();
      await ctx.ok(await ctx.request(at(slots, '10:00'), { email: 'declined@example.org' }), 201);
      await ctx.ok(await ctx.request(at(slots, '11:00'), { email: 'undecided@example.org' }), 201);
      const declined = (await ctx.pending()).find((r) => r.startsAt === at(slots, '10:00').startsAt)!;
      await ctx.ok(await call(ctx.app, 'POST', `/api/booking/requests/${declined.id}/decline`, { cookie: ctx.staff, body: {} }), 200);
      const left = async (days: number) => {
        await sweep(ctx.deps.db, new Date(Date.now() + days * 86_400_000));
        return (await ctx.deps.db.selectFrom('booking_requests').select('starts_at').orderBy('starts_at').execute()).map((r) => DateTime.fromISO(r.starts_at, { zone: ZONE }).toFormat('HH:mm'));
      };
      const retention = BOOKING_REQUEST_RETENTION_MS / 86_400_000;
      assert.deepEqual(await left(retention - 1), ['10:00', '11:00']);
      assert.deepEqual(await left(retention + 1), ['11:00'], 'the declined one is gone; the undecided one waits for its own time');
      assert.deepEqual(await left(retention + 4), []);
    });

    it('answers 409 slot_taken when the time was booked after the hold lapsed, keeps the request, and approves it at another time', async (t) => {
      const ctx = await setup(t, dialect);
      const slots = await ctx.publicSlots();
      const slot = at(slots, '14:00');
      await ctx.ok(await ctx.request(slot), 201);
      await ctx.owner.updateTable('booking_requests').set({ hold_expires_at: new Date(Date.now() - 1000).toISOString() }).execute();
      const [lapsed] = await ctx.pending();
      assert.equal(lapsed!.held, false);
      const booker = await seedPatient(ctx.deps, ctx.clinic, { email: 'booker@north.example', name: 'Booker' });
      const { token } = await createSession(ctx.deps.db, { kind: 'patient', clinicId: ctx.clinic.id, subjectId: booker.id });
      await ctx.ok(await call(ctx.app, 'POST', '/api/patient/appointments', { token, body: { typeId: ctx.intake.id, providerId: slot.providerId, startsAt: slot.startsAt } }), 201);

      const refused = await ctx.ok(await call(ctx.app, 'POST', `/api/booking/requests/${lapsed!.id}/approve`, { cookie: ctx.staff, body: {} }), 409);
      assert.equal(refused.code, 'slot_taken');
      assert.equal((await ctx.pending()).length, 1, 'still pending');
      assert.equal(await ctx.deps.db.selectFrom('patients').select('id').where('id', '!=', booker.id).executeTakeFirst(), undefined, 'nobody enrolled by the failed approval');

      const later = at(slots, '15:30');
      const appt = await ctx.ok(await call(ctx.app, 'POST', `/api/booking/requests/${lapsed!.id}/approve`, { cookie: ctx.staff, body: { startsAt: later.startsAt, providerId: later.providerId } }), 201);
      assert.equal(appt.startsAt, later.startsAt);
    });

    it('offers new patients only the active types open to them that an active provider offers, with only those providers', async (t) => {
      const ctx = await setup(t, dialect);
      const away = await ctx.ok(await call(ctx.app, 'POST', '/api/booking/providers', { cookie: ctx.admin, body: { name: 'Dr. Away' } }), 201);
      await ctx.ok(await call(ctx.app, 'PATCH', `/api/booking/providers/${away.id}`, { cookie: ctx.admin, body: { active: false } }), 200);
      await ctx.ok(await call(ctx.app, 'POST', '/api/booking/types', { cookie: ctx.admin, body: typeBody({ name: { en: 'Retired', fr: 'Retiré' }, active: false }) }), 201);
      await ctx.ok(await call(ctx.app, 'POST', '/api/booking/types', { cookie: ctx.admin, body: typeBody({ name: { en: 'Only away', fr: 'Absent seul' }, providerIds: [away.id] }) }), 201);
      const options = await newPatientBookingOptions(ctx.deps.db, 'north');
      assert.deepEqual(options.types.map((x) => [x.id, x.providerIds]), [[ctx.intake.id, [ctx.provider.id]]]);
      assert.deepEqual(options.providers, [{ id: ctx.provider.id, name: 'Dr. Priya Shah' }]);
      assert.equal(options.timeZone, ZONE);
      assert.equal(options.enabled, true);
      await assert.rejects(newPatientBookingOptions(ctx.deps.db, 'nowhere'), { status: 404 });

      // Nothing open to new patients: no types and no providers (the widget then offers no request).
      await ctx.ok(await call(ctx.app, 'PUT', `/api/booking/types/${ctx.intake.id}`, { cookie: ctx.admin, body: typeBody({ existingPatientsOnly: true }) }), 200);
      const closed = await ctx.ok(await call(ctx.app, 'GET', '/api/public/clinics/north/booking/options'), 200);
      assert.deepEqual([closed.types, closed.providers], [[], []]);
    });

    it('keeps each clinic to its own requests (404), and refuses a type for existing patients only by code', async (t) => {
      const ctx = await setup(t, dialect);
      await seedClinic(ctx.deps, 'south');
      const south = await staffCookie(ctx.app, 'admin@south.test');
      const slot = at(await ctx.publicSlots(), '10:00');
      await ctx.ok(await ctx.request(slot), 201);
      const [req] = await ctx.pending();
      assert.deepEqual(await ctx.pending(south), []);
      assert.equal((await call(ctx.app, 'POST', `/api/booking/requests/${req!.id}/approve`, { cookie: south, body: {} })).statusCode, 404);
      assert.equal((await call(ctx.app, 'POST', `/api/booking/requests/${req!.id}/decline`, { cookie: south, body: {} })).statusCode, 404);
      assert.equal((await call(ctx.app, 'GET', '/api/booking/requests')).statusCode, 401, 'staff only');
      // The other clinic's public address does not know this clinic's types.
      assert.equal((await call(ctx.app, 'POST', '/api/public/clinics/south/booking/requests', { body: { typeId: ctx.intake.id, providerId: slot.providerId, startsAt: slot.startsAt, name: 'A B', dateOfBirth: '1990-01-01', email: 'a@example.org' } })).statusCode, 404);

      const closed = await ctx.ok(await ctx.request(slot, { typeId: ctx.followUp.id }), 409);
      assert.equal(closed.code, 'existing_patients_only');
      assert.equal((await ctx.ok(await call(ctx.app, 'GET', `/api/public/clinics/north/booking/slots?typeId=${ctx.followUp.id}&from=${day(3)}`), 409)).code, 'existing_patients_only');
      const future = await ctx.ok(await ctx.request(at(await ctx.publicSlots(), '11:00'), { dateOfBirth: '2999-01-01' }), 400);
      assert.equal(future.code, 'invalid_date_of_birth');
      assert.equal(future.field, 'dateOfBirth');
      const badMail = await ctx.ok(await ctx.request(at(await ctx.publicSlots(), '11:00'), { email: 'not-an-address' }), 400);
      assert.match(String(badMail.field), /email/);
    });

    it('makes exactly one appointment when two staff approve the same request at once', async (t) => {
      const ctx = await setup(t, dialect);
      const slot = at(await ctx.publicSlots(), '10:30');
      await ctx.ok(await ctx.request(slot), 201);
      const [req] = await ctx.pending();
      const results = await Promise.all([ctx.staff, ctx.admin, ctx.staff].map((cookie) => call(ctx.app, 'POST', `/api/booking/requests/${req!.id}/approve`, { cookie, body: {} })));
      assert.deepEqual(results.map((r) => r.statusCode).sort(), [201, 409, 409], results.map((r) => r.body).join('\n'));
      assert.ok(results.filter((r) => r.statusCode === 409).every((r) => r.json().code === 'request_decided'));
      const appts = await ctx.deps.db.selectFrom('appointments').select('patient_id').execute();
      assert.equal(appts.length, 1);
      const patients = await ctx.deps.db.selectFrom('patients').select('id').execute();
      assert.equal(patients.length, 1, 'enrolled once');
    });
  });
}
