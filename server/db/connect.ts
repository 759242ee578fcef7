/**
 * Opens the database: embedded SQLite in the data folder by default, PostgreSQL when a URL is given.
 * Everything above this file is the same code for both.
 */
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type { Database } from './schema.js';

/** Which engine a connection talks to; migrations need it for the few dialect-specific statements. */
export type Dialect = 'sqlite' | 'postgres';

/** An open database with its dialect. */
export interface Db {
  db: Kysely<Database>;
  dialect: Dialect;
  /** The PostgreSQL schema in use when not the default (tests). */
  pgSchema?: string;
}

/** Options for opening a database. */
export interface ConnectOptions {
  databaseUrl: string | null;
  /** Folder for the SQLite file; ignored for PostgreSQL. `:memory:` for a throwaway database. */
  dataDir: string;
  /** PostgreSQL schema to use (tests isolate themselves in one each). */
  pgSchema?: string;
}

/** Opens SQLite or PostgreSQL per the options. */
export function connect(opts: ConnectOptions): Db {
  if (opts.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: opts.databaseUrl,
      max: 10,
      ...(opts.pgSchema ? { options: `-c search_path=${opts.pgSchema}` } : {}),
    });
    return { db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), dialect: 'postgres', ...(opts.pgSchema ? { pgSchema: opts.pgSchema } : {}) };
  }
  let file = ':memory:';
  if (opts.dataDir !== ':memory:') {
    fs.mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
    file = path.join(opts.dataDir, 'secure-messaging.sqlite');
  }
  const database = new SQLite(file);
  // WAL for concurrent readers, FULL so a committed message survives a power cut, and real foreign keys.
  database.pragma('journal_mode = WAL');
  database.pragma('synchronous = FULL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  return { db: new Kysely<Database>({ dialect: new SqliteDialect({ database }) }), dialect: 'sqlite' };
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
