/**
 * A long conversation opens on its newest messages and pages back with a cursor: every message
 * once across the pages, in order, whatever arrives meanwhile; a cursor this server did not give
 * out is a 400 with a stable code. For staff (notes included) and for the patient (never notes).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { DEFAULT_MESSAGING } from '../../server/domain/messaging-settings.js';
import { MESSAGE_PAGE, type MessagingSettings } from '../../shared/messaging.js';
import { DIALECTS, build, call, patientToken, seedClinic, seedPatient, staffCookie } from './helpers.js';

const ALWAYS_OPEN = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ start: '00:00', end: '23:59' }]])) as MessagingSettings['hours'];
/** Messages and notes in the long conversation. */
const TOTAL = 120;

type Msg = { id: string; body: string; kind: string; author: string };
type Page = { messages: Msg[]; earlierCursor: string | null };

async function setup(t: Parameters<typeof build>[0], dialect: 'sqlite' | 'postgres', total = TOTAL) {
  const ctx = await build(t, dialect);
  const clinic = await seedClinic(ctx.deps, 'north');
  const patient = await seedPatient(ctx.deps, clinic);
  const admin = await staffCookie(ctx.app, 'admin@north.test');
  const put = await call(ctx.app, 'PUT', '/api/messaging/settings', { cookie: admin, body: { ...DEFAULT_MESSAGING, hours: ALWAYS_OPEN } });
  assert.equal(put.statusCode, 200, put.body);
  const token = await patientToken(ctx, 'north', patient.email, patient.dateOfBirth);
  const started = await call(ctx.app, 'POST', '/api/patient/threads', { token, body: { id: randomUUID(), subject: 'Long one', category: 'prescription', body: 'Message 0' } });
  assert.equal(started.statusCode, 201, started.body);
  const threadId = started.json().threadId as string;
  const write = async (i: number) => {
    // Mostly replies, every fifth a patient message, every seventh an internal note.
    const r =
      i % 5 === 0
        ? await call(ctx.app, 'POST', `/api/patient/threads/${threadId}/messages`, { token, body: { id: randomUUID(), body: `Message ${i}` } })
        : await call(ctx.app, 'POST', `/api/threads/${threadId}/messages`, { cookie: admin, body: { id: randomUUID(), body: `Message ${i}`, ...(i % 7 === 0 ? { note: true } : {}) } });
    assert.equal(r.statusCode, 201, r.body);
  };
  for (let i = 1; i < total; i++) await write(i);
  // Twenty-one messages written in the same millisecond, across the first page's edge: the id decides their order.
  const block = await ctx.owner.selectFrom('messages').select(['id', 'created_at']).where('thread_id', '=', threadId).orderBy('created_at').orderBy('id').offset(Math.max(0, total - MESSAGE_PAGE - 10)).limit(21).execute();
  await ctx.owner.updateTable('messages').set({ created_at: block[0]!.created_at }).where('id', 'in', block.map((m) => m.id)).execute();
  /** The thread's messages in the order the pages must give them (notes only for staff). */
  const expected = async (notes: boolean) => {
    let q = ctx.owner.selectFrom('messages').select('id').where('thread_id', '=', threadId);
    if (!notes) q = q.where('kind', '=', 'message');
    return (await q.orderBy('created_at').orderBy('id').execute()).map((m) => m.id);
  };
  const reads = async () => Number((await ctx.owner.selectFrom('audit_log').select(sql<number>`count(*)`.as('n')).where('action', '=', 'thread.read').executeTakeFirstOrThrow()).n);
  return { ...ctx, admin, token, threadId, write, expected, reads };
}

/** Pages back from a first page to the first message; returns every page, newest first. */
async function pageBack(first: Page, next: (cursor: string) => Promise<Page>): Promise<Page[]> {
  const pages = [first];
  for (let cursor = first.earlierCursor; cursor; ) {
    const page = await next(cursor);
    pages.push(page);
    cursor = page.earlierCursor;
    assert.ok(pages.length < 10, 'the pages end');
  }
  return pages;
}

for (const d of DIALECTS) {
  describe(`conversation pages (${d.name})`, { skip: d.skip }, () => {
    it('opens on the newest messages and pages back to the first, each message once, while new ones arrive', async (t) => {
      const ctx = await setup(t, d.name);
      for (const [who, notes, url, auth] of [
        ['staff', true, `/api/threads/${ctx.threadId}`, { cookie: ctx.admin }],
        ['patient', false, `/api/patient/threads/${ctx.threadId}`, { token: ctx.token }],
      ] as const) {
        const all = await ctx.expected(notes);
        const opened = await call(ctx.app, 'GET', url, auth);
        assert.equal(opened.statusCode, 200, opened.body);
        const first = opened.json() as Page;
        assert.equal(first.messages.length, MESSAGE_PAGE, `${who}: one page`);
        assert.deepEqual(first.messages.map((m) => m.id), all.slice(-MESSAGE_PAGE), `${who}: the newest, oldest of them first`);
        assert.ok(first.earlierCursor, `${who}: there are earlier messages`);
        if (!notes) assert.equal(first.messages.some((m) => m.kind === 'note'), false, 'never a note for the patient');

        // A message arrives after the page was shown: paging back neither repeats nor skips one.
        await ctx.write(TOTAL + (who === 'staff' ? 1 : 2));
        const readsBefore = await ctx.reads();
        const pages = await pageBack(first, async (cursor) => {
          const r = await call(ctx.app, 'GET', `${url}/messages?before=${cursor}`, auth);
          assert.equal(r.statusCode, 200, r.body);
          return r.json() as Page;
        });
        const ids = [...pages].reverse().flatMap((p) => p.messages.map((m) => m.id));
        assert.deepEqual(ids, all, `${who}: every message once, in order`);
        assert.equal(new Set(ids).size, all.length, `${who}: pages are disjoint`);
        assert.deepEqual(pages.map((p) => p.messages.length), [MESSAGE_PAGE, MESSAGE_PAGE, all.length - 2 * MESSAGE_PAGE], `${who}: page sizes`);
        assert.equal(pages.at(-1)!.earlierCursor, null, `${who}: the first message ends it`);
        assert.equal(await ctx.reads(), readsBefore + pages.length - 1, `${who}: each earlier page is audited as a read`);

        // The same cursor again gives the same page; `limit` asks for fewer.
        const again = (await call(ctx.app, 'GET', `${url}/messages?before=${first.earlierCursor}`, auth)).json() as Page;
        assert.deepEqual(again.messages.map((m) => m.id), pages[1]!.messages.map((m) => m.id), `${who}: a cursor is stable`);
        const few = (await call(ctx.app, 'GET', `${url}/messages?before=${first.earlierCursor}&limit=7`, auth)).json() as Page;
        assert.deepEqual(few.messages.map((m) => m.id), pages[1]!.messages.slice(-7).map((m) => m.id), `${who}: the 7 just before`);
        // Without a cursor: the newest page, now with the message that arrived.
        const newest = (await call(ctx.app, 'GET', `${url}/messages`, auth)).json() as Page;
        assert.deepEqual(newest.messages.map((m) => m.id), (await ctx.expected(notes)).slice(-MESSAGE_PAGE));
      }
    });

    it('refuses a cursor it did not give out with 400 invalid_cursor, and other people’s conversations with 404', async (t) => {
      const ctx = await setup(t, d.name, 3);
      const shaped = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
      for (const [url, auth] of [
        [`/api/threads/${ctx.threadId}/messages`, { cookie: ctx.admin }],
        [`/api/patient/threads/${ctx.threadId}/messages`, { token: ctx.token }],
      ] as const) {
        for (const bad of ['bm90LWpzb24', shaped(['2026-01-01T00:00:00.000Z']), shaped([1, 2]), shaped({ at: 'x' })]) {
          const r = await call(ctx.app, 'GET', `${url}?before=${bad}`, auth);
          assert.equal(r.statusCode, 400, `${url} ${bad}: ${r.body}`);
          assert.equal(r.json().code, 'invalid_cursor');
        }
        const malformed = await call(ctx.app, 'GET', `${url}?before=${encodeURIComponent('not a cursor!')}`, auth);
        assert.deepEqual([malformed.statusCode, malformed.json().code], [400, 'invalid_request'], 'refused by the schema');
        assert.equal((await call(ctx.app, 'GET', `${url}?limit=0`, auth)).statusCode, 400);
      }

      const other = await seedPatient(ctx.deps, (await ctx.deps.db.selectFrom('clinics').selectAll().executeTakeFirstOrThrow()), { name: 'Omar Other', email: 'omar@example.test', dateOfBirth: '1970-02-02' });
      const otherToken = await patientToken(ctx, 'north', other.email, other.dateOfBirth);
      assert.equal((await call(ctx.app, 'GET', `/api/patient/threads/${ctx.threadId}/messages`, { token: otherToken })).statusCode, 404, 'another patient’s conversation');
      const south = await seedClinic(ctx.deps, 'south');
      assert.ok(south);
      const southCookie = await staffCookie(ctx.app, 'admin@south.test');
      assert.equal((await call(ctx.app, 'GET', `/api/threads/${ctx.threadId}/messages`, { cookie: southCookie })).statusCode, 404, 'another clinic’s conversation');
    });
  });
}
