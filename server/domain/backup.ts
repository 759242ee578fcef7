/**
 * Backup and restore of the embedded SQLite database. A backup is one self-contained file, taken
 * with SQLite's online backup API so it is consistent while the server keeps writing. PostgreSQL is
 * backed up with its own tools (pg_dump / pg_restore). Neither holds the master key: without it a
 * backup cannot be read, so the key is kept (and backed up) separately.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { sqliteFile, type Db } from '../db/connect.js';
import { AppError } from './errors.js';

/** What to do on PostgreSQL, where this command does not apply. */
export const PG_BACKUP_ADVICE = [
  'This server uses PostgreSQL (DATABASE_URL): back it up and restore it with PostgreSQL\'s own tools:',
  '  pg_dump --format=custom --file=secure-messaging.dump "$DATABASE_URL"',
  '  pg_restore --clean --if-exists --dbname "$DATABASE_URL" secure-messaging.dump   (with the server stopped)',
  'The master key is not in the database: back up MASTER_KEY separately.',
].join('\n');

/** Pages per backup step: all of them, so the copy is one read transaction (one snapshot). */
const ALL_PAGES = 0x7fffffff;

/** The files SQLite keeps beside a database while it is open or after a crash. */
function sidecars(file: string): string[] {
  return [`${file}-wal`, `${file}-shm`, `${file}-journal`];
}

function removeQuietly(files: string[]): void {
  for (const f of files) fs.rmSync(f, { force: true });
}

/** Makes a rename in `dir` survive a power cut (not possible on every platform; best effort). */
function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some platforms cannot open a folder for fsync; the rename is still atomic there.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function fsyncFile(file: string): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** A file name beside `file` for writing it before the atomic rename. */
function tempBeside(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${randomBytes(6).toString('hex')}.partial`);
}

/**
 * Copies the SQLite database behind `db` into `file` (mode 0600) while the server keeps running:
 * the copy is one consistent snapshot and is moved into place only once complete. Refuses on
 * PostgreSQL (use pg_dump) and, without `force`, when `file` exists.
 */
export async function backupSqlite(db: Db, file: string, opts: { force?: boolean } = {}): Promise<{ bytes: number; pages?: number }> {
  if (db.dialect === 'postgres' || !db.sqlite) throw new AppError(400, 'use_pg_dump', PG_BACKUP_ADVICE);
  const target = path.resolve(file);
  if (path.resolve(db.sqlite.name) === target) throw new AppError(400, 'backup_onto_database', 'The backup cannot be written over the database itself; choose another file name.');
  if (!fs.existsSync(path.dirname(target))) throw new AppError(400, 'no_such_folder', `The folder ${path.dirname(target)} does not exist.`);
  const refuseExisting = () => {
    if (!opts.force && fs.existsSync(target)) throw new AppError(409, 'file_exists', `${target} already exists; choose another name, or add --force to replace it.`);
  };
  refuseExisting();
  const temp = tempBeside(target);
  try {
    // Created private before a byte of health data goes in; SQLite keeps the mode when it writes.
    fs.writeFileSync(temp, '', { mode: 0o600, flag: 'wx' });
    fs.chmodSync(temp, 0o600);
    const result = await db.sqlite.backup(temp, { progress: () => ALL_PAGES });
    // The copy carries the source's WAL flag; make it a plain single file that opens anywhere, read-only too.
    const copy = new SQLite(temp, { fileMustExist: true });
    try {
      copy.pragma('journal_mode = DELETE');
    } finally {
      copy.close();
    }
    fsyncFile(temp);
    refuseExisting();
    fs.renameSync(temp, target);
    fsyncDir(path.dirname(target));
    return { bytes: fs.statSync(target).size, pages: result.totalPages };
  } finally {
    removeQuietly([temp, ...sidecars(temp)]);
  }
}

/** Copies `from` to a new file `to` created with mode 0600, and flushes it to disk. */
function copyPrivately(from: string, to: string): void {
  const src = fs.openSync(from, 'r');
  try {
    const dst = fs.openSync(to, 'wx', 0o600);
    try {
      fs.fchmodSync(dst, 0o600);
      const buf = Buffer.allocUnsafe(1 << 20);
      let pos = 0;
      for (let n = fs.readSync(src, buf, 0, buf.length, pos); n > 0; n = fs.readSync(src, buf, 0, buf.length, pos)) {
        for (let off = 0; off < n; ) off += fs.writeSync(dst, buf, off, n - off);
        pos += n;
      }
      fs.fsyncSync(dst);
    } finally {
      fs.closeSync(dst);
    }
  } finally {
    fs.closeSync(src);
  }
}

/** Proves `file` is an intact SQLite database with this product's schema; opened read-only. */
function checkBackup(file: string, shownAs: string): void {
  let copy: SQLite.Database | undefined;
  try {
    copy = new SQLite(file, { readonly: true, fileMustExist: true });
    const integrity = copy.pragma('integrity_check', { simple: true }) as string;
    if (integrity !== 'ok') throw new AppError(400, 'damaged_backup', `${shownAs} is a damaged SQLite database (integrity check: ${integrity}); it was not restored.`);
    const tables = copy.prepare(`select name from sqlite_master where type = 'table' and name in ('kysely_migration', 'messages')`).pluck().all() as string[];
    if (tables.length !== 2) {
      throw new AppError(400, 'not_a_backup', `${shownAs} is a SQLite database, but not a Secure Messaging one (it has no kysely_migration and messages tables); it was not restored.`);
    }
  } catch (err) {
    if (err instanceof AppError) throw err;
    const code = (err as { code?: unknown }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') throw new AppError(400, 'not_a_database', `${shownAs} is not a SQLite database (or is damaged); it was not restored.`);
    throw err;
  } finally {
    copy?.close();
  }
}

/** Refuses when some process (a running server) has the database open. */
function refuseIfInUse(target: string): void {
  let probe: SQLite.Database | undefined;
  try {
    // An exclusive lock is granted only when no other connection, in any process, has the file open.
    probe = new SQLite(target, { fileMustExist: true, timeout: 0 });
    probe.pragma('locking_mode = EXCLUSIVE');
    probe.exec('begin exclusive; commit');
  } catch (err) {
    const code = String((err as { code?: unknown }).code ?? '');
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
      throw new AppError(409, 'database_in_use', `${target} is in use: stop the server (every instance) before restoring. Nothing was changed.`);
    }
    // A damaged or foreign file is what --force replaces.
  } finally {
    probe?.close();
  }
}

/**
 * Puts the backup `file` in place as the SQLite database of `dataDir`, with the server stopped:
 * checks it is an intact database of this product, refuses to replace an existing database
 * without `force` (or one in use), and swaps it in atomically (copy beside, fsync, rename).
 */
export function restoreSqlite(dataDir: string, file: string, opts: { force: boolean }): { target: string; bytes: number } {
  const source = path.resolve(file);
  const target = path.resolve(sqliteFile(dataDir));
  if (!fs.existsSync(source) || !fs.statSync(source).isFile()) throw new AppError(400, 'no_such_file', `There is no file ${source} to restore.`);
  if (source === target) throw new AppError(400, 'restore_onto_itself', `${source} is already the database of DATA_DIR.`);
  if (fs.existsSync(`${source}-wal`) && fs.statSync(`${source}-wal`).size > 0) {
    throw new AppError(400, 'open_database', `${source} has a -wal file beside it: it is a live database (or was not closed cleanly), not a backup. Make backups with \`npm run cli -- backup <file>\`.`);
  }
  if (fs.existsSync(target)) {
    if (!opts.force) throw new AppError(409, 'database_exists', `${target} already exists. Stop the server, then add --force to replace it with the backup.`);
    refuseIfInUse(target);
  }
  fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
  const temp = tempBeside(target);
  try {
    copyPrivately(source, temp);
    // Check the copy, not the original: it is exactly what goes in place.
    checkBackup(temp, source);
    removeQuietly(sidecars(temp));
    // A stale -wal or -journal of the old database would be replayed into the restored one.
    removeQuietly(sidecars(target));
    fs.renameSync(temp, target);
    fsyncDir(path.dirname(target));
    return { target, bytes: fs.statSync(target).size };
  } finally {
    removeQuietly([temp, ...sidecars(temp)]);
  }
}
