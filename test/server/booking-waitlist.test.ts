/**
 * The booking waitlist over HTTP, on SQLite and PostgreSQL: joining and leaving within the clinic's
 * limit; a cancelled time is held for the first matching entry only (join order, type, provider,
 * window) and e-mailed without health information; the held slot is hidden from others and refused
 * to them, but open to its holder, who books it; declining and expiry pass it on; and neither
 * concurrent cancels nor two instances' job runners make two offers of one slot.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { DateTime } from 'luxon';
import { createSession } from '../../server/domain/sessions.js';
import { enqueueJobs, listJobs } from '../../server/domain/jobs.js';
import { isUniqueViolation } from '../../server/db/errors.js';
import type { Slot } from '../../shared/booking.js';
import { DIALECTS, build, call, secondInstance, seedClinic, seedPatient, staffCookie, type TestApp } from './helpers.js';

const ZONE = 'America/Toronto';
const WEEK = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const RULES = { enabled: true, minNoticeMinutes: 60, horizonDays: 30, maxUpcomingPerPatient: 2, cancelCutoffHours: 24, slotStepMinutes: 30, reminderMinutesBefore: [] };
const typeBody = (over: object = {}) => ({
  name: { en: 'Follow-up visit', fr: 'Visite de suivi' }, durationMinutes: 30, mode: 'in-person', location: '12 Main St', bufferBeforeMinutes: 0, bufferAfterMinutes: 0,
  existingPatientsOnly: true, providerIds: [], active: true, ...over,
});
const day = (n: number) => DateTime.now().setZone(ZONE).plus({ days: n }).toISODate()!;

async function setup(t: TestContext, dialect: 'sqlite' | 'postgres') {
  const ctx = await build(t, dialect);
  const clinic = await seedClinic(ctx.deps, 'north');
  const admin = await staffCookie(ctx.app, 'admin@north.test');
  const ok = async (res: Awaited<ReturnType<typeof call>>, status: number) => {
    assert.equal(res.statusCode, status, res.body);
    return res.json();
  };
  await ok(await call(ctx.app, 'PUT', '/api/booking/rules', { cookie: admin, body: RULES }), 200);
  const provider = await ok(await call(ctx.app, 'POST', '/api/booking/providers', { cookie: admin, body: { name: 'Dr. Priya Shah' } }), 201);
  const other = await ok(await call(ctx.app, 'POST', '/api/booking/providers', { cookie: admin, body: { name: 'Dr. Omar Haddad' } }), 201);
  const type = await ok(await call(ctx.app, 'POST', '/api/booking/types', { cookie: admin, body: typeBody() }), 201);
  const phone = await ok(await call(ctx.app, 'POST', '/api/booking/types', { cookie: admin, body: typeBody({ name: { en: 'Phone call', fr: 'Appel' }, mode: 'phone' }) }), 201);
  for (const p of [provider, other]) await ok(await call(ctx.app, 'POST', '/api/booking/hours', { cookie: admin, body: { providerId: p.id, days: WEEK, start: '09:00', end: '17:00' } }), 201);
  const patients = async (n: number, prefix: string) => {
    const out = [];
    for (let i = 0; i < n; i++) {
      const p = await seedPatient(ctx.deps, clinic, { email: `${prefix}${i}@north.example`, name: `Patient ${prefix}${i}` });
      const { token } = await createSession(ctx.deps.db, { kind: 'patient', clinicId: clinic.id, subjectId: p.id });
      out.push({ ...p, token });
    }
    return out;
  };
  return { ...ctx, clinic, admin, provider, other, type, phone, ok, patients };
}
type Ctx = Awaited<ReturnType<typeof setup>>;

const join = (ctx: Ctx, token: string, body: object) => call(ctx.app, 'POST', '/api/patient/waitlist', { token, body });

async function slotsOf(ctx: TestApp, token: string, typeId: string, providerId: string, from: string): Promise<Slot[]> {
  const res = await call(ctx.app, 'GET', `/api/patient/booking/slots?typeId=${typeId}&providerId=${providerId}&from=${from}&days=1`, { token });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().slots;
}

/** Runs every due job on the given instances until none is left (later ones, like hold expiries, wait). */
async function settle(...apps: TestApp[]) {
  for (let i = 0; i < 200; i++) {
    const open = await listJobs(apps[0]!.deps.db, 'all', { status: ['pending', 'running'] });
    if (open.every((j) => Date.parse(j.runAt) > Date.now() + 60_000 || j.kind === 'sweep' || j.kind === 'digest.hourly')) return;
    for (const a of apps) a.deps.jobs.wake();
    await new Promise((r) => setTimeout(r, 40));
  }
  throw new Error('jobs did not settle');
}

const holdsOf = (ctx: TestApp) => ctx.deps.db.selectFrom('booking_holds').selectAll().orderBy('created_at').execute();

/** Books the 11:00 slot three days ahead with a fresh patient and returns it with a cancel function. */
async function bookAndCancelLater(ctx: Ctx, hour = '11:00', providerId = ctx.provider.id) {
  const [booker] = await ctx.patients(1, `booker${hour.replace(':', '')}${providerId.slice(0, 4)}`);
  const slot = (await slotsOf(ctx, booker!.token, ctx.type.id, providerId, day(3))).find((s) => DateTime.fromISO(s.startsAt, { zone: ZONE }).toFormat('HH:mm') === hour)!;
  const booked = await ctx.ok(await call(ctx.app, 'POST', '/api/patient/appointments', { token: booker!.token, body: { typeId: ctx.type.id, providerId, startsAt: slot.startsAt } }), 201);
  return { slot, cancel: () => call(ctx.app, 'POST', `/api/patient/appointments/${booked.id}/cancel`, { token: booker!.token }) };
}

for (const d of DIALECTS) {
  describe(`booking waitlist (${d.name})`, { skip: d.skip }, () => {
    it('lets a patient join and leave within the clinic’s limit, shows staff the list, and refuses bad windows with coded errors', async (t) => {
      const ctx = await setup(t, d.name);
      const [p, q] = await ctx.patients(2, 'w');
      const first = await ctx.ok(await join(ctx, p!.token, { typeId: ctx.type.id, earliest: day(1), latest: day(5) }), 201);
      assert.equal(first.providerId, null);
      assert.equal(first.offer, null);
      assert.deepEqual((await join(ctx, p!.token, { typeId: ctx.type.id, earliest: day(1), latest: day(5) })).json().code, 'already_waiting');
      await ctx.ok(await join(ctx, p!.token, { typeId: ctx.type.id, providerId: ctx.provider.id, earliest: day(2), latest: day(4) }), 201);
      const third = await join(ctx, p!.token, { typeId: ctx.phone.id, earliest: day(1), latest: day(5) });
      assert.deepEqual([third.statusCode, third.json().code, third.json().params], [409, 'too_many_waitlist', { limit: 2 }]);
      const backwards = await join(ctx, q!.token, { typeId: ctx.type.id, earliest: day(5), latest: day(1) });
      assert.deepEqual([backwards.statusCode, backwards.json().code], [400, 'invalid_range']);
      const far = await join(ctx, q!.token, { typeId: ctx.type.id, earliest: day(1), latest: day(60) });
      assert.deepEqual([far.statusCode, far.json().code, far.json().params], [400, 'beyond_horizon', { days: 30 }]);
      await ctx.ok(await join(ctx, q!.token, { typeId: ctx.phone.id, providerId: ctx.other.id, earliest: day(1), latest: day(2), lang: 'fr' }), 201);

      const mine = await ctx.ok(await call(ctx.app, 'GET', '/api/patient/waitlist', { token: p!.token }), 200);
      assert.equal(mine.length, 2);
      assert.equal((await call(ctx.app, 'DELETE', `/api/patient/waitlist/${mine[0].id}`, { token: q!.token })).statusCode, 404, 'not another patient’s');
      const staffList = await ctx.ok(await call(ctx.app, 'GET', '/api/booking/waitlist', { cookie: ctx.admin }), 200);
      assert.deepEqual(staffList.map((e: { patientName: string }) => e.patientName).sort(), ['Patient w0', 'Patient w0', 'Patient w1']);
      await ctx.ok(await call(ctx.app, 'DELETE', `/api/patient/waitlist/${mine[0].id}`, { token: p!.token }), 200);
      assert.equal((await call(ctx.app, 'DELETE', `/api/patient/waitlist/${mine[0].id}`, { token: p!.token })).statusCode, 404, 'gone once left');
      const qEntry = staffList.find((e: { patientName: string }) => e.patientName === 'Patient w1');
      const south = await seedClinic(ctx.deps, 'south');
      assert.ok(south);
      const southAdmin = await staffCookie(ctx.app, 'admin@south.test');
      assert.equal((await call(ctx.app, 'DELETE', `/api/booking/waitlist/${qEntry.id}`, { cookie: southAdmin })).statusCode, 404, 'another clinic’s entry is not found');
      await ctx.ok(await call(ctx.app, 'DELETE', `/api/booking/waitlist/${qEntry.id}`, { cookie: ctx.admin }), 200);
      assert.equal((await ctx.ok(await call(ctx.app, 'GET', '/api/booking/waitlist', { cookie: ctx.admin }), 200)).length, 1);
      const audits = await ctx.deps.db.selectFrom('audit_log').select(['action', 'patient_id']).where('action', 'like', 'waitlist.%').execute();
      const count = (a: string) => audits.filter((x) => x.action === a).length;
      assert.deepEqual([count('waitlist.join'), count('waitlist.leave'), count('waitlist.remove'), count('waitlist.read')], [3, 1, 1, 4]);
    });

    it('holds a cancelled time for the first matching entry only, e-mails it without health information, hides it from others, and lets the holder book it', async (t) => {
      const ctx = await setup(t, d.name);
      const [wrongType, wrongDays, wrongProvider, first, second] = await ctx.patients(5, 'q');
      await ctx.ok(await join(ctx, wrongType!.token, { typeId: ctx.phone.id, earliest: day(1), latest: day(5) }), 201);
      await ctx.ok(await join(ctx, wrongDays!.token, { typeId: ctx.type.id, earliest: day(4), latest: day(6) }), 201);
      await ctx.ok(await join(ctx, wrongProvider!.token, { typeId: ctx.type.id, providerId: ctx.other.id, earliest: day(1), latest: day(5) }), 201);
      const entry = await ctx.ok(await join(ctx, first!.token, { typeId: ctx.type.id, earliest: day(1), latest: day(5), lang: 'fr' }), 201);
      await ctx.ok(await join(ctx, second!.token, { typeId: ctx.type.id, providerId: ctx.provider.id, earliest: day(3), latest: day(3) }), 201);
      const { slot, cancel } = await bookAndCancelLater(ctx);
      await ctx.smtp.take(`booker1100${ctx.provider.id.slice(0, 4)}0@north.example`);
      await ctx.ok(await cancel(), 200);
      const offerJobs = await listJobs(ctx.deps.db, 'all', { kindPrefix: 'booking.waitlist-offer' });
      assert.equal(offerJobs.length, 1, 'the cancel left the offer job in its transaction');
      await settle(ctx);

      const holds = await holdsOf(ctx);
      assert.equal(holds.length, 1, 'one offer');
      assert.deepEqual([holds[0]!.patient_id, holds[0]!.starts_at, holds[0]!.status], [first!.id, slot.startsAt, 'held']);
      assert.ok(Date.parse(holds[0]!.expires_at) - Date.now() <= 2 * 3600_000 && Date.parse(holds[0]!.expires_at) - Date.now() > 3600_000, 'held for two hours');
      const mail = await ctx.smtp.take(first!.email);
      assert.match(mail.subject, /Une heure s'est libérée à Clinic north/);
      assert.match(mail.text, /11 h 00/);
      assert.equal(/Shah|suivi|Follow-up|Priya/.test(mail.text + mail.subject), false, 'clinic, date, time and link only');
      assert.ok(mail.text.includes('/p/north'), 'a link to the patient page');
      assert.equal(ctx.smtp.messages.filter((m) => /libérée|opened up/.test(m.subject)).length, 0, 'nobody else was told');

      const mine = await ctx.ok(await call(ctx.app, 'GET', '/api/patient/waitlist', { token: first!.token }), 200);
      assert.deepEqual([mine[0].id, mine[0].offer.startsAt, mine[0].offer.providerName], [entry.id, slot.startsAt, 'Dr. Priya Shah']);
      const staffList = await ctx.ok(await call(ctx.app, 'GET', '/api/booking/waitlist', { cookie: ctx.admin }), 200);
      assert.equal(staffList.find((e: { id: string }) => e.id === entry.id).offer.id, holds[0]!.id);

      // Hidden from everyone else and refused to them, open to the holder.
      assert.equal((await slotsOf(ctx, second!.token, ctx.type.id, ctx.provider.id, day(3))).some((s) => s.startsAt === slot.startsAt), false);
      const staffSlots = await ctx.ok(await call(ctx.app, 'GET', `/api/booking/slots?typeId=${ctx.type.id}&providerId=${ctx.provider.id}&from=${day(3)}&days=1`, { cookie: ctx.admin }), 200);
      assert.equal(staffSlots.slots.some((s: Slot) => s.startsAt === slot.startsAt), false);
      const taken = await call(ctx.app, 'POST', '/api/patient/appointments', { token: second!.token, body: { typeId: ctx.type.id, providerId: ctx.provider.id, startsAt: slot.startsAt } });
      assert.deepEqual([taken.statusCode, taken.json().code], [409, 'slot_taken']);
      assert.equal((await slotsOf(ctx, first!.token, ctx.type.id, ctx.provider.id, day(3))).some((s) => s.startsAt === slot.startsAt), true);

      const booked = await ctx.ok(await call(ctx.app, 'POST', `/api/patient/waitlist/offers/${holds[0]!.id}/accept`, { token: first!.token }), 201);
      assert.equal(booked.startsAt, slot.startsAt);
      assert.deepEqual(await ctx.ok(await call(ctx.app, 'GET', '/api/patient/waitlist', { token: first!.token }), 200), [], 'the accepted entry is off the waitlist');
      assert.equal((await holdsOf(ctx))[0]!.status, 'accepted');
      const again = await call(ctx.app, 'POST', `/api/patient/waitlist/offers/${holds[0]!.id}/accept`, { token: first!.token });
      assert.deepEqual([again.statusCode, again.json().code], [409, 'offer_expired']);
      const audit = await ctx.deps.db.selectFrom('audit_log').select(['action', 'request_id', 'actor_type']).where('action', 'in', ['waitlist.offer', 'waitlist.accept', 'appointment.book']).where('patient_id', '=', first!.id).execute();
      assert.equal(audit.find((a) => a.action === 'waitlist.offer')!.actor_type, 'system');
      const accepted = audit.find((a) => a.action === 'waitlist.accept')!;
      assert.equal(audit.find((a) => a.action === 'appointment.book')!.request_id, accepted.request_id, 'booking and accepting are one action');
    });

    it('passes a declined or expired offer to the next entry, and not back to who let it go', async (t) => {
      const ctx = await setup(t, d.name);
      const [a, b, c] = await ctx.patients(3, 'r');
      for (const p of [a, b]) await ctx.ok(await join(ctx, p!.token, { typeId: ctx.type.id, earliest: day(1), latest: day(5) }), 201);
      const { slot, cancel } = await bookAndCancelLater(ctx);
      await ctx.ok(await cancel(), 200);
      await settle(ctx);
      const [held] = await holdsOf(ctx);
      assert.equal(held!.patient_id, a!.id);
      await ctx.ok(await call(ctx.app, 'POST', `/api/patient/waitlist/offers/${held!.id}/decline`, { token: a!.token }), 200);
      assert.equal((await ctx.ok(await call(ctx.app, 'GET', '/api/patient/waitlist', { token: a!.token }), 200)).length, 1, 'still waiting after declining');
      await settle(ctx);
      let holds = await holdsOf(ctx);
      assert.deepEqual(holds.map((h) => [h.patient_id, h.status]), [[a!.id, 'declined'], [b!.id, 'held']]);
      assert.equal(holds[1]!.starts_at, slot.startsAt);

      // C joins; B's hold runs out: the expiry job passes it to C (A let it go already).
      await ctx.ok(await join(ctx, c!.token, { typeId: ctx.type.id, earliest: day(3), latest: day(3) }), 201);
      const past = new Date(Date.now() - 1000).toISOString();
      await ctx.owner.updateTable('booking_holds').set({ expires_at: past }).where('id', '=', holds[1]!.id).execute();
      await ctx.owner.updateTable('jobs').set({ run_at: past }).where('kind', '=', 'booking.waitlist-expire').where('status', '=', 'pending').execute();
      await settle(ctx);
      holds = await holdsOf(ctx);
      assert.deepEqual(holds.map((h) => [h.patient_id, h.status]), [[a!.id, 'declined'], [b!.id, 'expired'], [c!.id, 'held']]);
      assert.equal((await ctx.ok(await call(ctx.app, 'GET', '/api/patient/waitlist', { token: b!.token }), 200))[0].offer, null);
      const late = await call(ctx.app, 'POST', `/api/patient/waitlist/offers/${holds[1]!.id}/accept`, { token: b!.token });
      assert.deepEqual([late.statusCode, late.json().code], [409, 'offer_expired']);

      // C leaves the waitlist while holding it: the slot passes on; nobody is left who may have it.
      const cEntry = (await ctx.ok(await call(ctx.app, 'GET', '/api/patient/waitlist', { token: c!.token }), 200))[0];
      await ctx.ok(await call(ctx.app, 'DELETE', `/api/patient/waitlist/${cEntry.id}`, { token: c!.token }), 200);
      await settle(ctx);
      holds = await holdsOf(ctx);
      assert.deepEqual(holds.map((h) => h.status), ['declined', 'expired', 'void']);
      assert.equal((await slotsOf(ctx, a!.token, ctx.type.id, ctx.provider.id, day(3))).some((s) => s.startsAt === slot.startsAt), true, 'open to all again');
      const actions = (await ctx.deps.db.selectFrom('audit_log').select('action').where('action', 'like', 'waitlist.%').execute()).map((r) => r.action);
      assert.deepEqual(['waitlist.offer', 'waitlist.decline', 'waitlist.expire', 'waitlist.leave'].map((x) => actions.filter((y) => y === x).length), [3, 1, 1, 1]);
    });

    it('offers the old time of an appointment staff move away, and the time of one staff cancel', async (t) => {
      const ctx = await setup(t, d.name);
      const [p, q] = await ctx.patients(2, 'm');
      for (const x of [p, q]) await ctx.ok(await join(ctx, x!.token, { typeId: ctx.type.id, earliest: day(3), latest: day(3) }), 201);
      const [booker] = await ctx.patients(1, 'mb');
      const slots = await slotsOf(ctx, booker!.token, ctx.type.id, ctx.provider.id, day(3));
      const booked = await ctx.ok(await call(ctx.app, 'POST', '/api/patient/appointments', { token: booker!.token, body: { typeId: ctx.type.id, providerId: ctx.provider.id, startsAt: slots[4]!.startsAt } }), 201);
      await ctx.ok(await call(ctx.app, 'POST', `/api/booking/appointments/${booked.id}/reschedule`, { cookie: ctx.admin, body: { startsAt: slots[10]!.startsAt } }), 200);
      await settle(ctx);
      let holds = await holdsOf(ctx);
      assert.deepEqual(holds.map((h) => [h.patient_id, h.starts_at]), [[p!.id, slots[4]!.startsAt]], 'the old time goes to the first waiting');
      await ctx.ok(await call(ctx.app, 'PATCH', `/api/booking/appointments/${booked.id}`, { cookie: ctx.admin, body: { status: 'cancelled' } }), 200);
      await settle(ctx);
      holds = await holdsOf(ctx);
      assert.deepEqual(holds.map((h) => [h.patient_id, h.starts_at]), [[p!.id, slots[4]!.startsAt], [q!.id, slots[10]!.startsAt]], 'P holds one already: the next gets the cancelled time');
    });

    it('never offers one slot twice: concurrent cancels, two instances’ runners, and the unique active hold', async (t) => {
      const ctx = await setup(t, d.name);
      const second = await secondInstance(ctx);
      const [p, q] = await ctx.patients(2, 's');
      await ctx.ok(await join(ctx, p!.token, { typeId: ctx.type.id, earliest: day(3), latest: day(3) }), 201);
      const x = await bookAndCancelLater(ctx, '11:00');
      const y = await bookAndCancelLater(ctx, '11:30');
      const answers = await Promise.all([x.cancel(), y.cancel()]);
      assert.deepEqual(answers.map((r) => r.statusCode), [200, 200]);
      await settle(ctx, second);
      let holds = await holdsOf(ctx);
      assert.equal(holds.length, 1, 'one entry, one offer');
      assert.equal(holds[0]!.patient_id, p!.id);

      // Q joins; six offer jobs for the other freed time (as if retried or doubled) race on both instances.
      await ctx.ok(await join(ctx, q!.token, { typeId: ctx.type.id, earliest: day(3), latest: day(3) }), 201);
      const free = holds[0]!.starts_at === x.slot.startsAt ? y.slot : x.slot;
      const range = { providerId: ctx.provider.id, typeId: ctx.type.id, startsAt: free.startsAt, endsAt: free.endsAt };
      await enqueueJobs(ctx.deps.db, Array.from({ length: 6 }, (_, i) => ({ kind: 'booking.waitlist-offer', clinicId: ctx.clinic.id, payload: range, dedupeKey: `race:${i}` })));
      await settle(ctx, second);
      holds = await holdsOf(ctx);
      const atFree = holds.filter((h) => h.starts_at === free.startsAt && h.status === 'held');
      assert.equal(atFree.length, 1, 'the other time is held once');
      assert.equal(atFree[0]!.patient_id, q!.id);
      assert.equal(holds.filter((h) => h.status === 'held').length, 2);

      // The database itself refuses a second active hold of a provider's start.
      const copy = { ...atFree[0]!, id: '00000000-0000-4000-8000-000000000001' };
      await assert.rejects(ctx.deps.db.insertInto('booking_holds').values(copy).execute(), (err) => isUniqueViolation(err));
      await ctx.deps.db.insertInto('booking_holds').values({ ...copy, status: 'declined' }).execute();
    });
  });
}
