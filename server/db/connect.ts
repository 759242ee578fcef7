/**
 * Opens the database: embedded SQLite in the data folder by default, PostgreSQL when a URL is given.
 * Everything above this file is the same code for both.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, SqliteDriver, sql, type DatabaseConnection, type Driver, type PostgresCursor, type PostgresPool, type PostgresPoolClient, type SqliteDatabase } from 'kysely';
import { GroupCommit } from './group-commit.js';
import type { Database } from './schema.js';

/** Which engine a connection talks to; migrations need it for the few dialect-specific statements. */
export type Dialect = 'sqlite' | 'postgres';

/** Receives PostgreSQL notifications on a channel; returns a function that stops listening. */
export type Listen = (channel: string, onPayload: (payload: string) => void) => Promise<() => Promise<void>>;

/** An open database with its dialect. */
export interface Db {
  db: Kysely<Database>;
  dialect: Dialect;
  /** The PostgreSQL schema in use when not the default (tests). */
  pgSchema?: string;
  /** The SQLite handle (for the online backup API); absent on PostgreSQL. */
  sqlite?: SQLite.Database;
  /** LISTEN on PostgreSQL, for events and jobs that cross instances; absent on SQLite. */
  listen?: Listen;
  /** Commits concurrent actions together (SQLite; see group-commit.ts); absent on PostgreSQL. */
  group?: GroupCommit;
}

/** Options for opening a database. */
export interface ConnectOptions {
  databaseUrl: string | null;
  /** Folder for the SQLite file; ignored for PostgreSQL. `:memory:` for a throwaway database. */
  dataDir: string;
  /** PostgreSQL schema to use (tests isolate themselves in one each). */
  pgSchema?: string;
}

/** The SQLite file inside a data folder. */
export function sqliteFile(dataDir: string): string {
  return path.join(dataDir, 'secure-messaging.sqlite');
}

/**
 * SQLite transactions that take the write lock up front (BEGIN IMMEDIATE), so two processes on one
 * file queue behind busy_timeout instead of failing to upgrade a read lock; and a rollback that
 * does not hide the real error when SQLite has already rolled back itself (SQLITE_FULL, I/O errors).
 */
class ImmediateSqliteDriver extends SqliteDriver {
  constructor(
    config: ConstructorParameters<typeof SqliteDriver>[0],
    private readonly database: SQLite.Database,
  ) {
    super(config);
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }

  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (this.database.inTransaction) await connection.executeQuery(CompiledQuery.raw('rollback'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  constructor(private readonly database: SQLite.Database) {
    super({ database });
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver({ database: cachedStatements(this.database) }, this.database);
  }
}

/** How many prepared statements a SQLite handle keeps (the application issues a few hundred distinct ones). */
export const STATEMENT_CACHE_SIZE = 500;

/**
 * The handle as Kysely sees it, with its prepared statements kept by SQL text (least recently used
 * dropped first): Kysely's SQLite driver prepares every query afresh, which cost about a tenth of a
 * send's CPU. A statement still being iterated is not handed out twice.
 */
export function cachedStatements(database: SQLite.Database, max = STATEMENT_CACHE_SIZE): SqliteDatabase & { readonly cachedCount: number } {
  const cache = new Map<string, SQLite.Statement>();
  return {
    get cachedCount() {
      return cache.size;
    },
    close: () => database.close(),
    prepare(text: string) {
      const hit = cache.get(text);
      if (hit && !hit.busy) {
        // Moved to the newest end: a Map iterates in insertion order.
        cache.delete(text);
        cache.set(text, hit);
        return hit;
      }
      const statement = database.prepare(text);
      if (hit) return statement;
      cache.set(text, statement);
      if (cache.size > max) cache.delete(cache.keys().next().value!);
      return statement;
    },
  };
}

/** A DML statement: only these are prepared by name (DDL in migrations runs as sent). */
const PREPARABLE = /^\s*(select|insert|update|delete|with)\b/i;

/** PostgreSQL's "cached plan must not change result type": a table changed shape under a prepared `select *`. */
const STALE_PLAN = '0A000';

/**
 * The pool as Kysely sees it, preparing each DML statement once per connection under a name derived
 * from its text, so repeated queries skip parse and planning (Kysely sends every query unnamed). A
 * connection keeps at most `max` of them, so statements whose text varies (lists of values) cannot
 * grow a server backend without bound. A connection whose prepared plan went stale (another instance
 * migrated the table) is closed when released rather than kept failing.
 */
export function preparedStatements(pool: pg.Pool, max = STATEMENT_CACHE_SIZE): PostgresPool {
  const wrapped = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    const names = new Set<string>();
    let stale = false;
    const query = async (text: string, values: unknown[]): Promise<pg.QueryResult> => {
      if (!PREPARABLE.test(text)) return client.query(text, values);
      const name = `k${createHash('sha1').update(text).digest('base64url')}`;
      if (!names.has(name)) {
        if (names.size >= max) return client.query(text, values);
        names.add(name);
      }
      try {
        return await client.query({ name, text, values });
      } catch (err) {
        if ((err as { code?: string }).code === STALE_PLAN) stale = true;
        throw err;
      }
    };
    return {
      query: ((textOrCursor: string | PostgresCursor<unknown>, values?: unknown[]) =>
        typeof textOrCursor === 'string' ? query(textOrCursor, values ?? []) : client.query(textOrCursor as never)) as unknown as PostgresPoolClient['query'],
      release: (destroy?: boolean) => client.release(destroy || stale),
    };
  };
  return {
    async connect() {
      const client = await pool.connect();
      let w = wrapped.get(client);
      if (!w) wrapped.set(client, (w = wrap(client)));
      return w;
    },
    end: () => pool.end(),
  };
}

function postgres(opts: ConnectOptions & { databaseUrl: string }): Db {
  const clientConfig = { connectionString: opts.databaseUrl, ...(opts.pgSchema ? { options: `-c search_path=${opts.pgSchema}` } : {}) };
  const pool = new pg.Pool({ ...clientConfig, max: 10, connectionTimeoutMillis: 10_000 });
  // A dropped idle connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  // One LISTEN connection per instance, shared by every channel (events, jobs).
  const handlers = new Map<string, Set<(payload: string) => void>>();
  let client: Promise<pg.Client> | null = null;
  // After a lost connection, reconnect (backing off) and listen again; the pollers cover the gap.
  const reconnect = (delayMs: number): void => {
    if (handlers.size === 0) return;
    setTimeout(() => void connectListener().catch(() => reconnect(Math.min(delayMs * 2, 30_000))), delayMs).unref();
  };
  const open = async (): Promise<pg.Client> => {
    const c = new pg.Client(clientConfig);
    c.on('notification', (n) => handlers.get(n.channel)?.forEach((h) => h(n.payload ?? '')));
    c.on('error', () => undefined);
    try {
      await c.connect();
      for (const channel of handlers.keys()) await c.query(`listen ${channel}`);
    } catch (err) {
      await c.end().catch(() => undefined);
      throw err;
    }
    c.on('end', () => {
      client = null;
      reconnect(1000);
    });
    return c;
  };
  const connectListener = (): Promise<pg.Client> =>
    (client ??= open().catch((err: unknown) => {
      client = null;
      throw err;
    }));
  const listen: Listen = async (channel, onPayload) => {
    const first = !handlers.has(channel);
    if (first) handlers.set(channel, new Set());
    handlers.get(channel)!.add(onPayload);
    const c = await connectListener();
    if (first) await c.query(`listen ${channel}`);
    return async () => {
      handlers.get(channel)?.delete(onPayload);
      if (handlers.get(channel)?.size === 0) handlers.delete(channel);
      if (handlers.size === 0) await (await client)?.end().catch(() => undefined);
    };
  };
  return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool: preparedStatements(pool) }) }), dialect: 'postgres', listen, ...(opts.pgSchema ? { pgSchema: opts.pgSchema } : {}) };
}

/** Opens SQLite or PostgreSQL per the options. */
export function connect(opts: ConnectOptions): Db {
  if (opts.databaseUrl) return postgres({ ...opts, databaseUrl: opts.databaseUrl });
  let file = ':memory:';
  if (opts.dataDir !== ':memory:') {
    fs.mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
    file = sqliteFile(opts.dataDir);
  }
  const database = new SQLite(file);
  // WAL for concurrent readers, FULL so a committed message survives a power cut, and real foreign keys.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  const db = new Kysely<Database>({ dialect: new ImmediateSqliteDialect(database) });
  return { db, dialect: 'sqlite', sqlite: database, group: new GroupCommit(db, () => database.inTransaction) };
}

/** True when the database answers a trivial query. */
export async function isReachable(db: Kysely<Database>): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
