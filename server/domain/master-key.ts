/**
 * The master key must be the one the data was written with. At start the server proves it: the key's
 * check value must match the one stored at first start, and it must unwrap every clinic's key.
 * Without this a second instance missing MASTER_KEY would make its own key, report healthy, and
 * then fail every read of health information.
 */
import { createHmac } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Keyring } from './crypto.js';

const CHECK = 'master_key_check';

/** Why the key was refused, in words an operator can act on. */
export class MasterKeyError extends Error {}

/** True when the database already holds something encrypted under some master key. */
export async function holdsEncryptedData(db: Kysely<Database>): Promise<boolean> {
  const clinic = await db.selectFrom('clinics').select('id').limit(1).executeTakeFirst();
  const check = await db.selectFrom('server_meta').select('key').where('key', '=', CHECK).executeTakeFirst();
  return Boolean(clinic || check);
}

/** Proves `keyring` opens this database, and records its check value on first start. Throws MasterKeyError. */
export async function verifyMasterKey(db: Kysely<Database>, keyring: Keyring): Promise<void> {
  const check = createHmac('sha256', keyring.derive('master-key-check')).update(CHECK).digest('base64url');
  const stored = await db.selectFrom('server_meta').select('value').where('key', '=', CHECK).executeTakeFirst();
  const mismatch = () =>
    new MasterKeyError(
      'The master key does not match the one this database was created with, so its data cannot be read. ' +
        'Start with the same MASTER_KEY (or the same master.key file in DATA_DIR) as the other instances and as when the data was written; ' +
        'restore the key from your backup if it was lost. Nothing was changed.',
    );
  if (stored && stored.value !== check) throw mismatch();
  const clinics = await db.selectFrom('clinics').select(['id', 'slug', 'wrapped_key']).execute();
  for (const c of clinics) {
    try {
      keyring.forClinic(c.id, c.wrapped_key);
    } catch {
      throw mismatch();
    }
  }
  if (!stored) {
    await db.insertInto('server_meta').values({ key: CHECK, value: check }).onConflict((oc) => oc.column('key').doNothing()).execute();
    const now = await db.selectFrom('server_meta').select('value').where('key', '=', CHECK).executeTakeFirstOrThrow();
    if (now.value !== check) throw mismatch(); // another instance with another key started at the same moment
  }
}
