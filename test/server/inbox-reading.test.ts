/**
 * The inbox a receptionist works from: read state per staff member (with "mark unread") and the
 * unread total, the newest message's preview, search in message text through a keyed per-clinic
 * blind index (and its start-up backfill), bulk close and assign, and the due-first order's pages.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { clinicCipher, getClinic } from '../../server/domain/clinics.js';
import { DEFAULT_MESSAGING } from '../../server/domain/messaging-settings.js';
import { indexUnsearchedMessages, messageTokens } from '../../server/domain/message-search.js';
import { unreadTotal } from '../../server/domain/threads.js';
import { DIALECTS, build, call, patientToken, seedClinic, seedPatient, staffCookie } from './helpers.js';

const OPEN = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((day) => [day, [{ start: '00:00', end: '23:59' }]]));

async function setup(t: Parameters<typeof build>[0], dialect: 'sqlite' | 'postgres') {
  const ctx = await build(t, dialect);
  const clinic = await seedClinic(ctx.deps, 'north');
  const patient = await seedPatient(ctx.deps, clinic);
  const admin = await staffCookie(ctx.app, 'admin@north.test');
  const staff = await staffCookie(ctx.app, 'staff@north.test');
  assert.equal((await call(ctx.app, 'PUT', '/api/messaging/settings', { cookie: admin, body: { ...DEFAULT_MESSAGING, hours: OPEN, weeklyThreadQuota: null } })).statusCode, 200);
  const token = await patientToken(ctx, 'north', patient.email, patient.dateOfBirth);
  const start = async (body: string, as = token) => {
    const res = await call(ctx.app, 'POST', '/api/patient/threads', { token: as, body: { id: randomUUID(), subject: 'Question', category: 'other', body } });
    assert.equal(res.statusCode, 201, res.body);
    return res.json().threadId as string;
  };
  return { ...ctx, clinic, patient, admin, staff, token, start };
}

type Page = { threads: Array<{ id: string; unread: number; preview?: { author: string; kind: string; text: string } | null; dueAt: string | null; status: string; assignedTo: string | null }>; nextCursor: string | null; unreadTotal: number };

for (const d of DIALECTS) {
  describe(`the working inbox (${d.name})`, { skip: d.skip }, () => {
    it('keeps unread per staff member, marks unread again, counts the unread total and previews the newest message', async (t) => {
      const ctx = await setup(t, d.name);
      const inbox = async (cookie: string, q = '') => (await call(ctx.app, 'GET', `/api/inbox${q}`, { cookie })).json() as Page;
      const threadId = await ctx.start('Can I take my pills\n\nwith food?');
      await ctx.start('Second question');

      let mine = await inbox(ctx.admin);
      assert.equal(mine.unreadTotal, 2);
      const row = () => mine.threads.find((x) => x.id === threadId)!;
      assert.equal(row().unread, 1);
      assert.deepEqual(row().preview, { author: 'patient', kind: 'message', text: 'Can I take my pills with food?' });

      // The admin opens it: read for them, still unread for their colleague.
      assert.equal((await call(ctx.app, 'GET', `/api/threads/${threadId}`, { cookie: ctx.admin })).statusCode, 200);
      mine = await inbox(ctx.admin);
      assert.equal(row().unread, 0);
      assert.equal(mine.unreadTotal, 1);
      assert.deepEqual((await inbox(ctx.admin, '?unread=true')).threads.map((x) => x.id).includes(threadId), false);
      const theirs = await inbox(ctx.staff);
      assert.equal(theirs.unreadTotal, 2);
      assert.equal(theirs.threads.find((x) => x.id === threadId)!.unread, 1);

      // "Mark unread": back in the admin's unread list and count, and audited.
      const marked = await call(ctx.app, 'POST', `/api/threads/${threadId}/unread`, { cookie: ctx.admin });
      assert.equal(marked.statusCode, 204, marked.body);
      mine = await inbox(ctx.admin);
      assert.equal(row().unread, 1);
      assert.equal(mine.unreadTotal, 2);
      assert.ok((await inbox(ctx.admin, '?unread=true')).threads.some((x) => x.id === threadId));
      const audit = await ctx.deps.db.selectFrom('audit_log').select(['action', 'target']).where('action', '=', 'thread.unread').execute();
      assert.deepEqual(audit, [{ action: 'thread.unread', target: `thread:${threadId}` }]);

      // The patient writes again: two unread for the colleague who never opened it.
      assert.equal((await call(ctx.app, 'POST', `/api/patient/threads/${threadId}/messages`, { token: ctx.token, body: { id: randomUUID(), body: 'Also: mornings?' } })).statusCode, 201);
      assert.equal((await inbox(ctx.staff)).threads.find((x) => x.id === threadId)!.unread, 2);
      // Answering reads it; the preview is the answer, and a note after it becomes the preview.
      assert.equal((await call(ctx.app, 'POST', `/api/threads/${threadId}/messages`, { cookie: ctx.staff, body: { id: randomUUID(), body: 'Yes, with breakfast.' } })).statusCode, 201);
      let after = await inbox(ctx.staff);
      assert.equal(after.threads.find((x) => x.id === threadId)!.unread, 0);
      assert.deepEqual(after.threads.find((x) => x.id === threadId)!.preview, { author: 'staff', kind: 'message', text: 'Yes, with breakfast.' });
      assert.equal(after.unreadTotal, 1);
      await call(ctx.app, 'POST', `/api/threads/${threadId}/messages`, { cookie: ctx.staff, body: { id: randomUUID(), body: 'x'.repeat(300), note: true } });
      after = await inbox(ctx.staff);
      const preview = after.threads.find((x) => x.id === threadId)!.preview!;
      assert.equal(preview.kind, 'note');
      assert.ok(preview.text.length <= 140 && preview.text.endsWith('…'), 'a preview, not the whole message');
      // Another clinic's staff see none of it.
      await seedClinic(ctx.deps, 'south');
      const south = await inbox(await staffCookie(ctx.app, 'staff@south.test'));
      assert.deepEqual([south.threads.length, south.unreadTotal], [0, 0]);
    });

    it('counts the unread total as "unread for me" over every thread would, whatever the mix of read rows, baselines and patient messages', async (t) => {
      const ctx = await setup(t, d.name);
      const south = await seedClinic(ctx.deps, 'south');
      const staffIds = (await ctx.deps.db.selectFrom('staff').select('id').where('clinic_id', '=', ctx.clinic.id).orderBy('email').execute()).map((s) => s.id);
      const southPatient = await seedPatient(ctx.deps, south);
      // A fixed pseudo-random sequence: every combination shows up, and a failure repeats.
      let seed = 7;
      const pick = <T>(xs: readonly T[]): T => xs[(seed = (seed * 48271) % 2147483647) % xs.length]!;
      const at = (minute: number | null) => (minute === null ? null : new Date(Date.UTC(2026, 0, 1, 0, minute)).toISOString());
      const expected = new Map(staffIds.map((id) => [id, 0]));
      for (let i = 0; i < 120; i++) {
        const wrote = pick([null, 10, 20, 30]);
        const baseline = pick([null, 5, 20, 40]);
        const id = randomUUID();
        const clinicId = i % 10 === 9 ? south.id : ctx.clinic.id;
        await ctx.deps.db.insertInto('threads').values({
          id, clinic_id: clinicId, patient_id: clinicId === south.id ? southPatient.id : ctx.patient.id, subject_enc: 'x', category: 'other', status: 'open', patient_may_reply: 1, started_by: 'patient',
          assigned_to: null, awaiting_reply_since: null, due_at: null, patient_unread: 0, staff_unread: 0, patient_message_at: at(wrote), read_baseline: at(baseline), last_message_at: at(40)!, created_at: at(0)!,
        }).execute();
        if (clinicId !== ctx.clinic.id) continue;
        for (const staffId of staffIds) {
          // No read row, marked unread (null), or read before, at or after the patient's message.
          const read = pick(['none', 'marked', 15, 20, 35] as const);
          if (read !== 'none') await ctx.deps.db.insertInto('thread_reads').values({ clinic_id: ctx.clinic.id, thread_id: id, staff_id: staffId, read_at: read === 'marked' ? null : at(read) }).execute();
          const since = read === 'none' ? (baseline === null ? '' : at(baseline)!) : read === 'marked' ? null : at(read)!;
          const unread = read === 'marked' || (wrote !== null && at(wrote)! > since!);
          if (unread) expected.set(staffId, expected.get(staffId)! + 1);
        }
      }
      for (const staffId of staffIds) assert.equal(await unreadTotal(ctx.deps.db, ctx.clinic.id, staffId), expected.get(staffId), `staff ${staffId}`);
      assert.ok(new Set(expected.values()).size > 1, 'the staff members see different totals');
    });

    it('finds words inside messages and notes through keyed tokens of the clinic only, and backfills older messages', async (t) => {
      const ctx = await setup(t, d.name);
      const ids = async (q: string, cookie = ctx.staff) => ((await call(ctx.app, 'GET', `/api/inbox?q=${encodeURIComponent(q)}`, { cookie })).json() as Page).threads.map((x) => x.id);
      const metformin = await ctx.start('Is it OK to take Metformin before the blood test?');
      const french = await ctx.start('Mon médicament pour l’hypertension me donne des étourdissements.');
      const other = await ctx.start('Appointment change please');
      const note = await call(ctx.app, 'POST', `/api/threads/${other}/messages`, { cookie: ctx.staff, body: { id: randomUUID(), body: 'Allergie à la pénicilline', note: true } });
      assert.equal(note.statusCode, 201);
      const south = await seedClinic(ctx.deps, 'south');
      const southPatient = await seedPatient(ctx.deps, south);
      await ctx.start('Metformin and glyburide refill', await patientToken(ctx, 'south', southPatient.email, southPatient.dateOfBirth));

      assert.deepEqual(await ids('metformin'), [metformin], 'today "metformin" finds the thread, in this clinic only');
      assert.deepEqual(await ids('METFORMIN blood'), [metformin], 'every word, any case');
      assert.deepEqual(await ids('metformin insulin'), [], 'all words must match');
      assert.deepEqual(await ids('glyburide'), [], "another clinic's words find nothing");
      assert.deepEqual(await ids('medicament etourdissements'), [french], 'accents folded (French)');
      assert.deepEqual(await ids('penicilline'), [other], 'internal notes are searchable by staff');
      assert.equal((await ids('')).length, 3, 'an empty search is no search');

      const stored = await ctx.deps.db.selectFrom('message_search').select('token').execute();
      assert.equal(stored.some((r) => /metformin|penicill|medicament/i.test(r.token)), false, 'no plaintext in the index');
      const northTokens = new Set(messageTokens(clinicCipher(ctx.deps.keyring, ctx.clinic), 'metformin'));
      assert.equal(messageTokens(clinicCipher(ctx.deps.keyring, south), 'metformin').some((x) => northTokens.has(x)), false, 'keyed per clinic');

      // A message stored before the index existed (as after migration 0013) is found once start-up has indexed it.
      const cipher = clinicCipher(ctx.deps.keyring, ctx.clinic);
      const oldId = randomUUID();
      await ctx.owner
        .insertInto('messages')
        .values({ id: oldId, clinic_id: ctx.clinic.id, thread_id: other, author_type: 'patient', author_id: ctx.patient.id, kind: 'message', body_enc: cipher.encrypt('Lisinopril side effects', 'message.body'), content_hash: '', created_at: new Date().toISOString(), search_version: 0 })
        .execute();
      assert.deepEqual(await ids('lisinopril'), []);
      const indexed = await indexUnsearchedMessages(ctx.owner, async (id) => clinicCipher(ctx.deps.keyring, await getClinic(ctx.owner, id)));
      assert.equal(indexed, 1, 'only the unindexed message');
      assert.deepEqual(await ids('lisinopril'), [other]);
      assert.equal(await indexUnsearchedMessages(ctx.owner, async (id) => clinicCipher(ctx.deps.keyring, await getClinic(ctx.owner, id))), 0);
    });

    it('closes and assigns many threads in one audited transaction, all or none', async (t) => {
      const ctx = await setup(t, d.name);
      const ids = [await ctx.start('one'), await ctx.start('two'), await ctx.start('three')];
      const colleagues = (await call(ctx.app, 'GET', '/api/messaging/staff', { cookie: ctx.staff })).json() as Array<{ id: string; role: string }>;
      const physician = colleagues.find((c) => c.role === 'physician')!.id;
      const assign = await call(ctx.app, 'POST', '/api/threads/bulk', { cookie: ctx.staff, body: { ids: ids.slice(0, 2), assignedTo: physician } });
      assert.equal(assign.statusCode, 200, assign.body);
      assert.deepEqual(assign.json(), { updated: 2 });
      const rows = async () => new Map((await ctx.deps.db.selectFrom('threads').select(['id', 'status', 'assigned_to']).execute()).map((r) => [r.id, r]));
      let now = await rows();
      assert.deepEqual(ids.map((id) => now.get(id)!.assigned_to), [physician, physician, null]);

      // One id of another clinic: nothing changes at all.
      const south = await seedClinic(ctx.deps, 'south');
      const southPatient = await seedPatient(ctx.deps, south);
      const foreign = await ctx.start('theirs', await patientToken(ctx, 'south', southPatient.email, southPatient.dateOfBirth));
      const refused = await call(ctx.app, 'POST', '/api/threads/bulk', { cookie: ctx.staff, body: { ids: [...ids, foreign], status: 'closed' } });
      assert.equal(refused.statusCode, 404);
      now = await rows();
      assert.deepEqual(ids.map((id) => now.get(id)!.status), ['open', 'open', 'open']);
      assert.equal((await call(ctx.app, 'POST', '/api/threads/bulk', { cookie: ctx.staff, body: { ids, assignedTo: randomUUID() } })).json().code, 'unknown_staff');
      assert.equal((await call(ctx.app, 'POST', '/api/threads/bulk', { cookie: ctx.staff, body: { ids } })).statusCode, 400, 'a change is required');

      const close = await call(ctx.app, 'POST', '/api/threads/bulk', { cookie: ctx.staff, body: { ids, status: 'closed' } });
      assert.equal(close.statusCode, 200, close.body);
      now = await rows();
      assert.deepEqual(ids.map((id) => now.get(id)!.status), ['closed', 'closed', 'closed']);
      const audit = await ctx.deps.db.selectFrom('audit_log').select(['target', 'actor_type']).where('action', '=', 'thread.update').execute();
      assert.deepEqual(audit.map((a) => a.target).sort(), [...ids.slice(0, 2).map((id) => `thread:${id}:assignedTo`), ...ids.map((id) => `thread:${id}:status`)].sort());
      assert.ok(audit.every((a) => a.actor_type === 'staff'));
    });

    it('sorts by the answer due soonest, then the rest newest first, and pages each order with its cursor', async (t) => {
      const ctx = await setup(t, d.name);
      const cipher = clinicCipher(ctx.deps.keyring, ctx.clinic);
      const subject = cipher.encrypt('Bulk', 'thread.subject');
      const base = Date.parse('2026-02-01T00:00:00Z');
      // 12 threads: every third has no reply due, one due is closed (so not due), dues out of activity order.
      const rows = Array.from({ length: 12 }, (_, k) => {
        const at = new Date(base + k * 60_000).toISOString();
        const due = k % 3 === 0 ? null : new Date(base + ((k * 7) % 12) * 3_600_000).toISOString();
        return {
          id: randomUUID(), clinic_id: ctx.clinic.id, patient_id: ctx.patient.id, subject_enc: subject, category: 'other', status: (k === 5 ? 'closed' : 'open') as 'open' | 'closed', patient_may_reply: 1, started_by: 'patient' as const,
          assigned_to: null, awaiting_reply_since: due ? at : null, due_at: due, patient_unread: 0, staff_unread: 0, last_message_at: at, created_at: at,
        };
      });
      await ctx.deps.db.insertInto('threads').values(rows).execute();
      const dueRows = rows.filter((r) => r.due_at && r.status !== 'closed').sort((a, b) => a.due_at!.localeCompare(b.due_at!) || a.id.localeCompare(b.id));
      const rest = rows.filter((r) => !r.due_at || r.status === 'closed').sort((a, b) => b.last_message_at.localeCompare(a.last_message_at));
      for (const [sort, expected] of [['due', [...dueRows, ...rest]], ['activity', [...rows].reverse()]] as const) {
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const res = await call(ctx.app, 'GET', `/api/inbox?sort=${sort}&limit=5${cursor ? `&cursor=${cursor}` : ''}`, { cookie: ctx.staff });
          assert.equal(res.statusCode, 200, res.body);
          const page = res.json() as Page;
          seen.push(...page.threads.map((x) => x.id));
          cursor = page.nextCursor;
        } while (cursor);
        assert.deepEqual(seen, expected.map((r) => r.id), `${sort}: every thread once, in order`);
      }
      const first = (await call(ctx.app, 'GET', '/api/inbox?limit=5', { cookie: ctx.staff })).json() as Page;
      const wrong = await call(ctx.app, 'GET', `/api/inbox?sort=due&cursor=${first.nextCursor}`, { cookie: ctx.staff });
      assert.equal(wrong.json().code, 'invalid_cursor', "one order's cursor is refused by the other");
    });
  });
}
