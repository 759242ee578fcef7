/** Turns configuration into the server's collaborators: database (migrated), keyring, mailer. */
import path from 'node:path';
import type { Config } from './config.js';
import { connect } from './db/connect.js';
import { migrateToLatest } from './db/migrate.js';
import type { Deps } from './deps.js';
import { Keyring, loadOrCreateMasterKey } from './domain/crypto.js';
import { EventHub } from './domain/events.js';
import { devMailer, smtpMailer } from './domain/mail.js';

/** Where `npm run build` puts the front end. */
export const DEFAULT_WEB_ROOT = path.resolve(import.meta.dirname, '../dist');

/** Opens and migrates the database and sets up encryption and mail. `notes` says what start-up chose. */
export async function createDeps(config: Config, webRoot = DEFAULT_WEB_ROOT): Promise<{ deps: Deps; notes: string[] }> {
  const notes: string[] = [];
  const database = connect({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  await migrateToLatest(database);
  const master = loadOrCreateMasterKey(config.masterKey, config.dataDir);
  if (master.source === 'generated') notes.push(`No MASTER_KEY set: generated one into ${master.file} (mode 0600). Back it up; without it the data cannot be read.`);
  if (master.source === 'file') notes.push(`Using the master key in ${master.file} (set MASTER_KEY to keep it elsewhere).`);
  const mailer = config.smtpUrl ? smtpMailer(config.smtpUrl, config.mailFrom) : devMailer(database.db);
  if (!config.smtpUrl) notes.push('DEVELOPMENT MODE: no SMTP_URL, so e-mail is kept in the dev mailbox (admin → Dev mailbox), not sent.');
  return { deps: { ...database, config, keyring: new Keyring(master.key), mailer, events: new EventHub(), webRoot }, notes };
}
