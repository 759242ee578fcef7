/** Turns configuration into the server's collaborators: database (migrated), keyring, mailer, workers. */
import path from 'node:path';
import { ConfigError, type Config } from './config.js';
import { sql } from 'kysely';
import { appRoleGrants } from './db/app-role.js';
import { connect, type Db } from './db/connect.js';
import { migrateToLatest, MigrationPermissionError, pendingMigrations } from './db/migrate.js';
import { sealAuditChains } from './domain/audit-chain.js';
import type { Deps } from './deps.js';
import { Keyring, loadOrCreateMasterKey } from './domain/crypto.js';
import { ClinicCache } from './domain/clinic-cache.js';
import { clinicCipher, getClinic } from './domain/clinics.js';
import { devMailer, smtpMailer } from './domain/mail.js';
import { smsSenderOf } from './domain/sms.js';
import { fillMissingReplyDue } from './domain/messaging-settings.js';
import { indexUnsearchedMessages } from './domain/message-search.js';
import { indexUnsearchedPatients } from './domain/patients.js';
import { holdsEncryptedData, MasterKeyError, verifyMasterKey } from './domain/master-key.js';
import { createWorkers } from './workers.js';

/** Where `npm run build` puts the front end. */
export const DEFAULT_WEB_ROOT = path.resolve(import.meta.dirname, '../dist');

/**
 * Runs pending migrations: as the owner role of MIGRATION_DATABASE_URL when set (the server's own role
 * may be restricted; the owner then grants it the restricted privileges on the tables), else on the
 * server's connection. Nothing pending, nothing done.
 */
async function migrate(config: Config, database: Db): Promise<void> {
  if ((await pendingMigrations(database)).length === 0) return;
  const owner = config.migrationDatabaseUrl ? connect({ databaseUrl: config.migrationDatabaseUrl, dataDir: config.dataDir }) : null;
  try {
    await migrateToLatest(owner ?? database);
    if (owner) {
      // The owner made new tables: give the server's own role its privileges on them (idempotent).
      const app = (await sql<{ role: string }>`select current_user as role`.execute(database.db)).rows[0]!.role;
      const { role, schema } = (await sql<{ role: string; schema: string }>`select current_user as role, current_schema() as schema`.execute(owner.db)).rows[0]!;
      if (app !== role) for (const statement of appRoleGrants(app, schema)) await sql.raw(statement).execute(owner.db);
    }
  } catch (err) {
    throw err instanceof MigrationPermissionError ? new ConfigError(err.message) : err;
  } finally {
    await owner?.db.destroy();
  }
}

/**
 * Opens and migrates the database, proves the master key opens it, and sets up mail and workers.
 * `notes` says what start-up chose. A wrong or missing key is a ConfigError that says what to do.
 */
export async function createDeps(config: Config, webRoot = DEFAULT_WEB_ROOT): Promise<{ deps: Deps; notes: string[] }> {
  const notes: string[] = [];
  const database = connect({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  try {
    await migrate(config, database);
    // Never make a new key for a database that already holds data under another one.
    const master = loadOrCreateMasterKey(config.masterKey, config.dataDir, { mayGenerate: !(await holdsEncryptedData(database.db)) });
    if (!master) {
      throw new ConfigError(
        `MASTER_KEY is not set and there is no master.key in ${config.dataDir}, but the database already holds encrypted data. ` +
          'Set MASTER_KEY to the key the data was written with (the same on every instance); a new key would leave the data unreadable.',
      );
    }
    if (master.source === 'generated') notes.push(`No MASTER_KEY set: generated one into ${master.file} (mode 0600). Back it up; without it the data cannot be read.`);
    if (master.source === 'file') notes.push(`Using the master key in ${master.file} (set MASTER_KEY to keep it elsewhere).`);
    const keyring = new Keyring(master.key);
    await verifyMasterKey(database.db, keyring).catch((err: unknown) => {
      throw err instanceof MasterKeyError ? new ConfigError(err.message) : err;
    });
    // Rows written before the audit chain (migration 0005) are sealed into it once, with the key.
    const sealed = await sealAuditChains({ ...database, keyring });
    if (sealed > 0) notes.push(`Sealed the earlier audit entries of ${sealed} clinic(s) into the audit log's hash chain.`);
    // Fills what migration 0009 added for rows written before it (it needs the keys a migration lacks).
    const cipherOf = async (clinicId: string) => clinicCipher(keyring, await getClinic(database.db, clinicId));
    const indexed = await indexUnsearchedPatients(database.db, cipherOf);
    const due = await fillMissingReplyDue(database.db);
    // And what migration 0013 added: the words of messages written before it.
    const words = await indexUnsearchedMessages(database.db, cipherOf);
    if (indexed + due + words > 0) notes.push(`Prepared existing data for the faster inbox: ${indexed} patients indexed for search, ${due} reply-due times computed, ${words} messages indexed for search.`);
    const mailer = config.smtpUrl ? smtpMailer(config.smtpUrl, config.mailFrom, config.smtpTimeouts) : devMailer(database.db, keyring);
    if (!config.smtpUrl) notes.push('DEVELOPMENT MODE: no SMTP_URL, so e-mail is kept in the dev mailbox (admin → Dev mailbox), not sent.');
    // Twilio when TWILIO_* is set; otherwise no sender at all: texts are unavailable, not faked.
    const sms = smsSenderOf(config);
    notes.push(config.sms ? `Text messages go through Twilio (${config.sms.apiBase}).` : 'Text messages are off: TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM are not set, so sends by text are refused.');
    const workers = createWorkers({ ...database, keyring, mailer, config, sms }, config);
    return { deps: { ...database, ...workers, config, keyring, clinics: new ClinicCache(keyring), mailer, webRoot }, notes };
  } catch (err) {
    await database.db.destroy();
    throw err;
  }
}
