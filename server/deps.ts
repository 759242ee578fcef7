/** What the HTTP layer is built from: created once at start (or per test) and passed down. */
import type { Config } from './config.js';
import type { Db } from './db/connect.js';
import type { ClinicCache } from './domain/clinic-cache.js';
import type { Keyring } from './domain/crypto.js';
import type { Mailer } from './domain/mail.js';
import type { Workers } from './workers.js';

/**
 * The server's collaborators. No module keeps its own; tests build their own set. Deps is also the
 * ActionStore every domain action runs on (db, dialect, committed).
 */
export interface Deps extends Db, Workers {
  config: Config;
  keyring: Keyring;
  /** This instance's copy of each clinic's parsed rules, checked against the database on every use. */
  clinics: ClinicCache;
  mailer: Mailer;
  /** Folder with the built front end (widget.js, frame and admin pages, assets). */
  webRoot: string;
}
