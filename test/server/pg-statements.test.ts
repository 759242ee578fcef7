/**
 * PostgreSQL prepared statements: DML is prepared once per connection by name, DDL never, a
 * connection holds a bounded number, and a plan made stale by a table changing shape (another
 * instance migrating) retires its connection instead of failing on it forever.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pg from 'pg';
import { preparedStatements } from '../../server/db/connect.js';

const url = process.env.TEST_DATABASE_URL;

describe('prepared statements on PostgreSQL', { skip: url ? false : 'TEST_DATABASE_URL is not set' }, () => {
  const pools: pg.Pool[] = [];
  const open = (max: number, cap?: number) => {
    const pool = new pg.Pool({ connectionString: url, max });
    pools.push(pool);
    return preparedStatements(pool, cap);
  };
  after(async () => {
    await Promise.all(pools.map((p) => p.end()));
  });
  const prepared = async (client: Awaited<ReturnType<ReturnType<typeof open>['connect']>>) =>
    ((await client.query<{ statement: string }>('select statement from pg_prepared_statements', [])).rows).map((r) => r.statement);

  it('prepares each DML statement once per connection, and never DDL', async () => {
    const client = await open(1).connect();
    try {
      await client.query('create temporary table prepared_probe (a int)', []);
      for (let i = 0; i < 3; i++) await client.query('insert into prepared_probe (a) values ($1)', [i]);
      const { rows } = await client.query<{ n: string }>('select count(*) as n from prepared_probe where a >= $1', [1]);
      assert.equal(rows[0]!.n, '2');
      const statements = await prepared(client);
      assert.equal(statements.filter((s) => s === 'insert into prepared_probe (a) values ($1)').length, 1, 'one prepared insert for three runs');
      assert.ok(statements.includes('select count(*) as n from prepared_probe where a >= $1'));
      assert.ok(!statements.some((s) => s.startsWith('create')), 'DDL is not prepared');
    } finally {
      client.release();
    }
  });

  it('keeps at most the given number per connection; the rest run unnamed', async () => {
    const client = await open(1, 2).connect();
    try {
      for (const n of [1, 2, 3, 4]) assert.equal((await client.query<{ n: number }>(`select ${n}::int + $1::int as n`, [1])).rows[0]!.n, n + 1);
      assert.equal((await prepared(client)).length, 2);
    } finally {
      client.release();
    }
  });

  it('retires a connection whose prepared plan went stale, and the next one works', async () => {
    const statements = open(1);
    const pid = async (c: Awaited<ReturnType<typeof statements.connect>>) => (await c.query<{ pid: number }>('select pg_backend_pid() as pid', [])).rows[0]!.pid;
    const first = await statements.connect();
    const before = await pid(first);
    await first.query('create temporary table stale_probe (a int)', []);
    await first.query('select * from stale_probe', []);
    await first.query('alter table stale_probe add column b int', []);
    await assert.rejects(first.query('select * from stale_probe', []), (err: { code?: string }) => err.code === '0A000');
    first.release();
    const second = await statements.connect();
    try {
      assert.notEqual(await pid(second), before, 'a new connection');
      assert.equal((await second.query<{ n: number }>('select $1::int as n', [7])).rows[0]!.n, 7);
    } finally {
      second.release();
    }
    // A healthy connection, by contrast, is kept.
    const third = await statements.connect();
    const kept = await pid(third);
    third.release();
    const fourth = await statements.connect();
    assert.equal(await pid(fourth), kept);
    fourth.release();
  });
});
