/**
 * The send path at clinic scale: group commit on SQLite (one transaction, a savepoint per action,
 * a failing action answered with its own error while the others commit), concurrent sends all
 * durable with a verifying audit chain, the prepared-statement cache, and the clinic cache that
 * never serves rules older than the database's (on this instance or another).
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { cachedStatements } from '../../server/db/connect.js';
import { runAction, type ActionStore } from '../../server/domain/action.js';
import { verifyAuditChain } from '../../server/domain/audit-chain.js';
import { ClinicCache } from '../../server/domain/clinic-cache.js';
import { AppError } from '../../server/domain/errors.js';
import { DEFAULT_MESSAGING, saveMessagingSettings } from '../../server/domain/messaging-settings.js';
import type { MessagingSettings } from '../../shared/messaging.js';
import { DIALECTS, build, call, patientToken, secondInstance, seedClinic, seedPatient, staffCookie } from './helpers.js';

const ALWAYS_OPEN = Object.fromEntries(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [{ start: '00:00', end: '23:59' }]])) as MessagingSettings['hours'];
const OPEN_RULES: MessagingSettings = { ...DEFAULT_MESSAGING, hours: ALWAYS_OPEN, weeklyThreadQuota: null };

describe('group commit (sqlite)', () => {
  it('commits a batch in one transaction, answers a failed action with its own error and keeps none of its rows', async (t) => {
    const ctx = await build(t, 'sqlite');
    const clinic = await seedClinic(ctx.deps, 'north');
    const group = ctx.deps.group!;
    const committed: Array<{ eventClinics: string[]; jobs: boolean }> = [];
    const store: ActionStore = { ...ctx.deps, committed: (what) => void committed.push(what) };
    const who = { kind: 'system' as const, clinicId: clinic.id };
    const refusal = new AppError(409, 'batch_refusal', 'Refused on purpose');
    const before = { ...group.stats };
    const write = (key: string, opts: { fail?: unknown; job?: boolean } = {}) =>
      runAction(store, who, null, async (a) => {
        await a.tx.insertInto('server_meta').values({ key, value: 'v' }).execute();
        a.audit({ action: 'test.batch', target: key });
        a.emit(clinic.id, { type: 'thread', threadId: key, patientId: 'p', author: 'staff', kind: 'status' });
        if (opts.job) a.enqueue({ kind: 'test.never', clinicId: clinic.id, payload: {} });
        if (opts.fail) throw opts.fail;
        return key;
      });
    const file = ctx.sqliteFile!;
    // Queued in one turn, so one batch. The first is checked from another connection the moment it is answered.
    let seenByOthers: unknown = null;
    const results = await Promise.allSettled([
      write('k1').then((v) => {
        const other = new SQLite(file, { readonly: true });
        seenByOthers = other.prepare('select key from server_meta where key = ?').get('k1');
        other.close();
        return v;
      }),
      write('k2', { fail: refusal, job: true }),
      write('k3'),
      // A constraint the database itself refuses (k1 again): undone alone as well.
      write('k1'),
    ]);
    assert.deepEqual({ commits: group.stats.commits - before.commits, actions: group.stats.actions - before.actions }, { commits: 1, actions: 2 }, 'one transaction carried the two that succeeded');
    assert.equal(results[0].status, 'fulfilled');
    assert.equal(results[2].status, 'fulfilled');
    assert.equal(results[1].status === 'rejected' && results[1].reason, refusal, 'the failed action gets its own error');
    assert.equal(results[3].status, 'rejected');
    assert.match(String((results[3] as PromiseRejectedResult).reason), /UNIQUE/);
    assert.deepEqual(seenByOthers, { key: 'k1' }, 'answered only once committed');

    const keys = (await ctx.deps.db.selectFrom('server_meta').select('key').where('key', 'in', ['k1', 'k2', 'k3']).orderBy('key').execute()).map((r) => r.key);
    assert.deepEqual(keys, ['k1', 'k3']);
    const audits = await ctx.deps.db.selectFrom('audit_log').select(['target', 'seq']).where('action', '=', 'test.batch').orderBy('seq').execute();
    assert.deepEqual(audits.map((r) => r.target), ['k1', 'k3'], 'audit rows of the committed actions, in arrival order');
    const events = await ctx.deps.db.selectFrom('events').select('data').where('clinic_id', '=', clinic.id).execute();
    assert.deepEqual(events.map((e) => (JSON.parse(e.data) as { threadId: string }).threadId).sort(), ['k1', 'k3']);
    assert.equal((await ctx.deps.db.selectFrom('jobs').select('id').where('kind', '=', 'test.never').execute()).length, 0, 'no job of the failed action');
    assert.equal(committed.length, 2, 'only committed actions are announced');
    assert.ok(committed.every((c) => !c.jobs && c.eventClinics.length === 1));
    const chain = await verifyAuditChain(ctx.deps.db, ctx.deps.keyring, clinic.id);
    assert.equal(chain.broken, null, chain.broken?.detail);

    // The group carries on after a failure: the next action commits.
    assert.equal(await write('k4'), 'k4');
  });

  it('fails every action of a batch whose transaction the engine dropped, and recovers', async (t) => {
    const ctx = await build(t, 'sqlite');
    const clinic = await seedClinic(ctx.deps, 'north');
    const who = { kind: 'system' as const, clinicId: clinic.id };
    const sqlite = ctx.deps.sqlite!;
    const write = (key: string, size: number) =>
      runAction(ctx.deps, who, null, async (a) => {
        await a.tx.insertInto('server_meta').values({ key, value: 'x'.repeat(size) }).execute();
        a.audit({ action: 'test.full', target: key });
        return key;
      });
    // The file may not grow: a large row fills the "disk"; SQLite then rolls the whole transaction back.
    sqlite.pragma(`max_page_count = ${Number(sqlite.pragma('page_count', { simple: true })) + 2}`);
    const results = await Promise.allSettled([write('small', 10), write('huge', 200_000), write('after', 10)]);
    sqlite.pragma('max_page_count = 1073741823');
    assert.ok(results.every((r) => r.status === 'rejected'), JSON.stringify(results.map((r) => r.status)));
    assert.ok(results.every((r) => /SQLITE_FULL|full/i.test(String((r as PromiseRejectedResult).reason?.code ?? (r as PromiseRejectedResult).reason))));
    assert.equal((await ctx.deps.db.selectFrom('server_meta').select('key').where('key', 'in', ['small', 'huge', 'after']).execute()).length, 0, 'nothing of the batch stayed');
    assert.equal(await write('later', 10), 'later');
    const chain = await verifyAuditChain(ctx.deps.db, ctx.deps.keyring, clinic.id);
    assert.equal(chain.broken, null, chain.broken?.detail);
  });
});

for (const d of DIALECTS) {
  describe(`concurrent sends (${d.name})`, { skip: d.skip }, () => {
    it('keeps every acknowledged send, once, with its audit row and event, and the chain verifies', async (t) => {
      const ctx = await build(t, d.name);
      const clinic = await seedClinic(ctx.deps, 'north');
      const patient = await seedPatient(ctx.deps, clinic);
      const admin = await staffCookie(ctx.app, 'admin@north.test');
      assert.equal((await call(ctx.app, 'PUT', '/api/messaging/settings', { cookie: admin, body: OPEN_RULES })).statusCode, 200);
      const token = await patientToken(ctx, 'north', patient.email, patient.dateOfBirth);
      const start = await call(ctx.app, 'POST', '/api/patient/threads', { token, body: { id: randomUUID(), subject: 'Renewal', category: 'prescription', body: 'First' } });
      assert.equal(start.statusCode, 201, start.body);
      const threadId = start.json().threadId as string;
      const ids = Array.from({ length: 30 }, () => randomUUID());
      // Patient replies and staff replies at once, one of them with an empty body (refused alone).
      const results = await Promise.all([
        ...ids.map((id, i) => (i % 2 ? call(ctx.app, 'POST', `/api/threads/${threadId}/messages`, { cookie: admin, body: { id, body: `Staff ${i}` } }) : call(ctx.app, 'POST', `/api/patient/threads/${threadId}/messages`, { token, body: { id, body: `Patient ${i}` } }))),
        call(ctx.app, 'POST', `/api/patient/threads/${threadId}/messages`, { token, body: { id: randomUUID(), body: '   ' } }),
      ]);
      const empty = results.pop()!;
      assert.ok(results.every((r) => r.statusCode === 201), results.map((r) => r.body).join('\n'));
      assert.equal(empty.statusCode, 422);
      assert.equal(empty.json().code, 'empty_message');
      // Read through another connection: what was acknowledged is committed.
      const fresh = d.name === 'sqlite' ? new SQLite(ctx.sqliteFile!, { readonly: true }) : null;
      const stored = fresh
        ? (fresh.prepare(`select id from messages where id in (${ids.map(() => '?').join(',')})`).all(...ids) as Array<{ id: string }>)
        : await ctx.owner.selectFrom('messages').select('id').where('id', 'in', ids).execute();
      fresh?.close();
      assert.equal(new Set(stored.map((r) => r.id)).size, ids.length);
      const audits = await ctx.deps.db.selectFrom('audit_log').select('target').where('action', '=', 'message.send').where('target', 'in', ids.map((id) => `message:${id}`)).execute();
      assert.equal(audits.length, ids.length, 'one audit row per message');
      const events = await ctx.deps.db.selectFrom('events').select('data').where('clinic_id', '=', clinic.id).execute();
      assert.equal(events.filter((e) => e.data.includes(threadId) && e.data.includes('"type":"message"')).length, ids.length + 1, 'one event per message');
      const chain = await verifyAuditChain(ctx.deps.db, ctx.deps.keyring, clinic.id);
      assert.equal(chain.broken, null, chain.broken?.detail);
    });
  });

  describe(`clinic rules cache (${d.name})`, { skip: d.skip }, () => {
    it('applies a rules change to the next send, on this instance and on another', async (t) => {
      const ctx = await build(t, d.name);
      const other = await secondInstance(ctx);
      const clinic = await seedClinic(ctx.deps, 'north');
      const patient = await seedPatient(ctx.deps, clinic);
      const admin = await staffCookie(ctx.app, 'admin@north.test');
      const put = (rules: MessagingSettings) => call(ctx.app, 'PUT', '/api/messaging/settings', { cookie: admin, body: rules });
      assert.equal((await put(OPEN_RULES)).statusCode, 200);
      const token = await patientToken(ctx, 'north', patient.email, patient.dateOfBirth);
      const start = (app: typeof ctx.app) => call(app, 'POST', '/api/patient/threads', { token, body: { id: randomUUID(), subject: 'Hello', category: 'other', body: 'A question about my prescription renewal, which runs out at the end of next week.' } });
      // Both instances have the rules in their caches.
      assert.equal((await start(ctx.app)).statusCode, 201);
      assert.equal((await start(other.app)).statusCode, 201);

      assert.equal((await put({ ...OPEN_RULES, mode: 'one-way' })).statusCode, 200);
      for (const app of [ctx.app, other.app]) {
        const refused = await start(app);
        assert.equal(refused.statusCode, 403, refused.body);
        assert.equal(refused.json().code, 'new_threads_closed');
      }
      // Changed in the database by something else entirely (a script, a third instance).
      await saveMessagingSettings(ctx.owner, clinic.id, { ...OPEN_RULES, maxChars: 50 });
      for (const app of [ctx.app, other.app]) {
        const tooLong = await start(app);
        assert.equal(tooLong.statusCode, 422, tooLong.body);
        assert.equal(tooLong.json().code, 'too_long');
      }
    });

    it('holds a bounded number of clinics and reuses parsed rules only while the stored text is the same', async (t) => {
      const ctx = await build(t, d.name);
      const cache = new ClinicCache(ctx.deps.keyring, 2);
      const clinics = [await seedClinic(ctx.deps, 'a'), await seedClinic(ctx.deps, 'b'), await seedClinic(ctx.deps, 'c')];
      await saveMessagingSettings(ctx.owner, clinics[0]!.id, { ...OPEN_RULES, maxWords: 17 });
      const first = await cache.get(ctx.deps.db, clinics[0]!.id);
      assert.equal(first.settings.maxWords, 17);
      assert.equal((await cache.get(ctx.deps.db, clinics[0]!.id)).settings, first.settings, 'parsed once');
      assert.equal((await cache.get(ctx.deps.db, clinics[1]!.id)).settings, DEFAULT_MESSAGING);
      await cache.get(ctx.deps.db, clinics[2]!.id);
      assert.equal(cache.size, 2);
      await saveMessagingSettings(ctx.owner, clinics[0]!.id, { ...OPEN_RULES, maxWords: 18 });
      assert.equal((await cache.get(ctx.deps.db, clinics[0]!.id)).settings.maxWords, 18);
      await assert.rejects(cache.get(ctx.deps.db, randomUUID()), (err: AppError) => err.status === 404);
    });
  });
}

describe('prepared statement cache (sqlite)', () => {
  it('prepares each SQL text once, answers with each call’s own parameters, and keeps at most its bound', () => {
    const database = new SQLite(':memory:');
    let prepared = 0;
    const prepare = database.prepare.bind(database);
    database.prepare = ((text: string) => {
      prepared++;
      return prepare(text);
    }) as typeof database.prepare;
    const cached = cachedStatements(database, 3);
    database.exec('create table t (id integer primary key, v text)');
    const insert = 'insert into t (id, v) values (?, ?)';
    for (let i = 1; i <= 5; i++) cached.prepare(insert).run([i, `v${i}`]);
    assert.deepEqual(cached.prepare('select v from t where id = ?').all([4]), [{ v: 'v4' }]);
    assert.deepEqual(cached.prepare('select v from t where id = ?').all([2]), [{ v: 'v2' }]);
    assert.equal(prepared, 2, 'one preparation per SQL text');
    assert.equal(cached.prepare(insert), cached.prepare(insert), 'the same statement');

    // A statement still being iterated is not handed out again.
    const iterating = cached.prepare('select v from t order by id');
    const rows = iterating.iterate([]);
    rows.next();
    const second = cached.prepare('select v from t order by id');
    assert.notEqual(second, iterating);
    assert.deepEqual(second.all([]), ['v1', 'v2', 'v3', 'v4', 'v5'].map((v) => ({ v })));
    rows.return?.();

    for (const n of [1, 2, 3, 4]) cached.prepare(`select ${n} as n`);
    assert.equal(cached.cachedCount, 3, 'bounded');
    const before = prepared;
    cached.prepare('select 4 as n');
    assert.equal(prepared, before, 'the most recent is kept');
    cached.prepare(insert);
    assert.equal(prepared, before + 1, 'the least recently used was dropped');
    cached.close();
  });
});
