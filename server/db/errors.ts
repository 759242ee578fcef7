/** Recognising database errors that callers handle: a duplicate key, and storage that is failing. */

interface DbError {
  code?: unknown;
  errno?: unknown;
}

/** A unique or primary-key violation (PostgreSQL 23505, SQLite SQLITE_CONSTRAINT_PRIMARYKEY/UNIQUE). */
export function isUniqueViolation(err: unknown): boolean {
  const code = String((err as DbError | null)?.code ?? '');
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
}

const SQLITE_STORAGE = /^SQLITE_(FULL|IOERR|CANTOPEN|READONLY|BUSY|LOCKED|NOMEM|PROTOCOL|CORRUPT|NOTADB)/;
/** PostgreSQL classes: 08 connection, 53 insufficient resources, 57P0x shutdown/unavailable, 58 system I/O. */
const PG_STORAGE = /^(08|53|57P0|58)/;
const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENOSPC', 'EROFS', 'EIO']);

/**
 * True when the error says the database cannot store or answer right now (disk full, I/O error,
 * database unreachable or shutting down), as opposed to a bug: the caller should answer 503.
 */
export function isStorageError(err: unknown): boolean {
  const e = err as DbError | null;
  const code = String(e?.code ?? '');
  if (SQLITE_STORAGE.test(code) || NETWORK.has(code)) return true;
  if (/^[0-9A-Z]{5}$/.test(code) && PG_STORAGE.test(code)) return true;
  const message = err instanceof Error ? err.message : '';
  return /Connection terminated|timeout exceeded when trying to connect|database is locked|disk is full|no space left/i.test(message);
}
