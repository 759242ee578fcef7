/** What the HTTP layer is built from: created once at start (or per test) and passed down. */
import type { Config } from './config.js';
import type { Db } from './db/connect.js';
import type { Keyring } from './domain/crypto.js';
import type { EventHub } from './domain/events.js';
import type { Mailer } from './domain/mail.js';

/** The server's collaborators. No module keeps its own; tests build their own set. */
export interface Deps extends Db {
  config: Config;
  keyring: Keyring;
  mailer: Mailer;
  /** Live updates for SSE streams. */
  events: EventHub;
  /** Folder with the built front end (widget.js, frame and admin pages, assets). */
  webRoot: string;
}
