/**
 * The inbox and patient search at clinic scale: keyset pages that return every row once while rows
 * arrive, reply-due instants stored and recomputed with the rules, search through the blind index
 * only (per clinic), and an inbox of 100,000 threads that answers.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { clinicCipher } from '../../server/domain/clinics.js';
import { dueAt } from '../../server/domain/hours.js';
import { DEFAULT_MESSAGING } from '../../server/domain/messaging-settings.js';
import { patientTokens } from '../../server/domain/patient-search.js';
import { DIALECTS, build, call, patientToken, seedClinic, seedPatient, staffCookie } from './helpers.js';

const OPEN = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => [day, [{ start: '00:00', end: '23:59' }]]));
const WEEKDAYS_9_TO_5 = { ...Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri'].map((day) => [day, [{ start: '09:00', end: '17:00' }]])), sat: [], sun: [] };

async function setup(t: Parameters<typeof build>[0], dialect: 'sqlite' | 'postgres') {
  const ctx = await build(t, dialect);
  const clinic = await seedClinic(ctx.deps, 'north');
  const admin = await staffCookie(ctx.app, 'admin@north.test');
  assert.equal((await call(ctx.app, 'PUT', '/api/messaging/settings', { cookie: admin, body: { ...DEFAULT_MESSAGING, hours: OPEN, weeklyThreadQuota: null } })).statusCode, 200);
  return { ...ctx, clinic, admin };
}

/** Threads written straight into the table (the domain's send path is tested elsewhere; this is volume). */
async function bulkThreads(ctx: Awaited<ReturnType<typeof setup>>, patientIds: string[], count: number, from = Date.parse('2026-01-01T00:00:00Z')) {
  const cipher = clinicCipher(ctx.deps.keyring, ctx.clinic);
  const subject = cipher.encrypt('Bulk', 'thread.subject');
  for (let i = 0; i < count; i += 1000) {
    const rows = [];
    for (let k = i; k < Math.min(count, i + 1000); k++) {
      const at = new Date(from + k * 1000).toISOString();
      const waiting = k % 2 === 0;
      rows.push({
        id: randomUUID(), clinic_id: ctx.clinic.id, patient_id: patientIds[k % patientIds.length]!, subject_enc: subject, category: 'other', status: 'open' as const, patient_may_reply: 1, started_by: 'patient' as const,
        assigned_to: null, awaiting_reply_since: waiting ? at : null, due_at: waiting ? at : null, patient_unread: 0, staff_unread: waiting ? 1 : 0, patient_message_at: waiting ? at : null, last_message_at: at, created_at: at,
      });
    }
    await ctx.deps.db.insertInto('threads').values(rows).execute();
  }
}

for (const d of DIALECTS) {
  describe(`inbox and search at scale (${d.name})`, { skip: d.skip }, () => {
    it('pages through the inbox with a cursor: every thread once, while new ones arrive', async (t) => {
      const ctx = await setup(t, d.name);
      const p = await seedPatient(ctx.deps, ctx.clinic);
      await bulkThreads(ctx, [p.id], 45);
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await call(ctx.app, 'GET', `/api/inbox?limit=10${cursor ? `&cursor=${cursor}` : ''}`, { cookie: ctx.admin });
        assert.equal(res.statusCode, 200, res.body);
        const page = res.json() as { threads: Array<{ id: string; lastMessageAt: string }>; nextCursor: string | null };
        seen.push(...page.threads.map((x) => x.id));
        cursor = page.nextCursor;
        // A patient writes while staff page through: the new thread is at the top, not in a later page.
        if (pages++ === 1) await bulkThreads(ctx, [p.id], 3, Date.parse('2027-01-01T00:00:00Z'));
      } while (cursor);
      assert.equal(pages, 5);
      assert.equal(seen.length, 45, 'no duplicates and nothing skipped');
      assert.equal(new Set(seen).size, 45);
      const all = await ctx.deps.db.selectFrom('threads').select(['id', 'last_message_at']).where('last_message_at', '<', '2027-01-01').orderBy('last_message_at', 'desc').execute();
      assert.deepEqual(seen, all.map((r) => r.id), 'newest first');
      const bad = await call(ctx.app, 'GET', '/api/inbox?cursor=bm90LWEtY3Vyc29y', { cookie: ctx.admin });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().code, 'invalid_cursor');
    });

    it('stores when a reply is due, and recomputes it when the rules change', async (t) => {
      const ctx = await setup(t, d.name);
      const p = await seedPatient(ctx.deps, ctx.clinic);
      const token = await patientToken(ctx, 'north', p.email, p.dateOfBirth);
      const sent = await call(ctx.app, 'POST', '/api/patient/threads', { token, body: { id: randomUUID(), subject: 'Question', category: 'other', body: 'Hello' } });
      assert.equal(sent.statusCode, 201, sent.body);
      const row = async () => ctx.deps.db.selectFrom('threads').select(['awaiting_reply_since', 'due_at']).executeTakeFirstOrThrow();
      const before = await row();
      assert.equal(before.due_at, dueAt({ ...DEFAULT_MESSAGING, hours: OPEN } as never, new Date(before.awaiting_reply_since!), DEFAULT_MESSAGING.responseBusinessDays).toISOString());
      // Weekdays only, 5 business days: the stored instant follows the new rules (across a DST change in March).
      await ctx.deps.db.updateTable('threads').set({ awaiting_reply_since: '2026-03-06T15:00:00.000Z' }).execute();
      const rules = { ...DEFAULT_MESSAGING, hours: WEEKDAYS_9_TO_5, responseBusinessDays: 5, timeZone: 'America/Toronto' };
      assert.equal((await call(ctx.app, 'PUT', '/api/messaging/settings', { cookie: ctx.admin, body: rules })).statusCode, 200);
      // Friday 10:00 EST → five weekdays later is Friday 13 March, 10:00 EDT (14:00 UTC after the clocks change on the 8th).
      assert.equal((await row()).due_at, '2026-03-13T14:00:00.000Z');
      const staff = await staffCookie(ctx.app, 'staff@north.test');
      const inbox = (await call(ctx.app, 'GET', '/api/inbox', { cookie: staff })).json();
      assert.equal(inbox.threads[0].dueAt, '2026-03-13T14:00:00.000Z');
      assert.equal((await call(ctx.app, 'GET', '/api/inbox?overdue=true', { cookie: staff })).json().threads.length, 1);
      // The clinic answers: nothing is due any more.
      await call(ctx.app, 'POST', `/api/threads/${sent.json().threadId}/messages`, { cookie: staff, body: { id: randomUUID(), body: 'Answered.' } });
      assert.equal((await row()).due_at, null);
      assert.equal((await call(ctx.app, 'GET', '/api/inbox?overdue=true', { cookie: staff })).json().threads.length, 0);
    });

    it('finds patients by name prefixes, exact e-mail and health number through the blind index, in the clinic only', async (t) => {
      const ctx = await setup(t, d.name);
      await seedPatient(ctx.deps, ctx.clinic, { name: 'Hélène Lavoie-Tremblay', email: 'helene@example.com' });
      await seedPatient(ctx.deps, ctx.clinic, { name: 'Marc Lavoie', email: 'marc@example.com' });
      const south = await seedClinic(ctx.deps, 'south');
      await seedPatient(ctx.deps, south, { name: 'Hélène Lavoie', email: 'helene@example.com' });
      const names = async (q: string) => ((await call(ctx.app, 'GET', `/api/patients?q=${encodeURIComponent(q)}`, { cookie: ctx.admin })).json().patients as Array<{ name: string }>).map((x) => x.name).sort((a, b) => a.localeCompare(b)); // the API pages newest enrolled first
      assert.deepEqual(await names('lavoie'), ['Hélène Lavoie-Tremblay', 'Marc Lavoie'], 'whole word, sorted by name');
      assert.deepEqual(await names('hel lav'), ['Hélène Lavoie-Tremblay'], 'prefixes of every word, accents ignored');
      assert.deepEqual(await names('TREMB'), ['Hélène Lavoie-Tremblay']);
      assert.deepEqual(await names('Helene@Example.com'), ['Hélène Lavoie-Tremblay'], 'exact e-mail, in this clinic only');
      assert.deepEqual(await names('elene'), [], 'not a substring search');
      assert.deepEqual(await names('!!'), []);
      // The tokens are keyed per clinic: the same name leaves nothing in common between two clinics.
      const north = new Set(patientTokens(clinicCipher(ctx.deps.keyring, ctx.clinic), { name: 'Hélène Lavoie', email: 'helene@example.com', healthNumber: null }));
      const theirs = patientTokens(clinicCipher(ctx.deps.keyring, south), { name: 'Hélène Lavoie', email: 'helene@example.com', healthNumber: null });
      assert.equal(theirs.filter((x) => north.has(x)).length, 0);
      const stored = await ctx.deps.db.selectFrom('patient_search').select('token').execute();
      assert.equal(stored.some((r) => /lavoie|helene/i.test(r.token)), false, 'no plaintext in the index');
      // The inbox's patient filter uses the same index.
      const staff = await staffCookie(ctx.app, 'staff@north.test');
      assert.deepEqual((await call(ctx.app, 'GET', '/api/inbox?patient=zzz', { cookie: staff })).json().threads, []);
    });

    it('answers with 100,000 threads over 50,000 patients', async (t) => {
      const ctx = await setup(t, d.name);
      const cipher = clinicCipher(ctx.deps.keyring, ctx.clinic);
      const details = cipher.encrypt(JSON.stringify({ name: 'Bulk Patient', dateOfBirth: '1980-01-01', email: 'x@example.com', phone: null, healthNumber: null }), 'patient.details');
      const ids: string[] = [];
      for (let i = 0; i < 50_000; i += 1000) {
        const rows = Array.from({ length: 1000 }, (_, k) => {
          const id = randomUUID();
          ids.push(id);
          return { id, clinic_id: ctx.clinic.id, email_index: `bulk-${i + k}`, details_enc: details, lang: 'en', consented_at: null, consent_text: null, search_version: 1, created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:00.000Z' };
        });
        await ctx.deps.db.insertInto('patients').values(rows).execute();
      }
      await bulkThreads(ctx, ids, 100_000);
      for (const query of ['', '?unread=true', '?overdue=true', '?status=open&limit=500', '?sort=due', '?sort=due&unread=true']) {
        const res = await call(ctx.app, 'GET', `/api/inbox${query}`, { cookie: ctx.admin });
        assert.equal(res.statusCode, 200, `${query}: ${res.body.slice(0, 200)}`);
        assert.ok(res.json().threads.length >= 200 && res.json().nextCursor, query);
      }
    });
  });
}
