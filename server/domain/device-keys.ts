/**
 * Device keys: an RSA-OAEP key pair per signed-in session. The device encrypts what it keeps offline
 * with the public half (so it can queue a message even after a reload with no network); only a live
 * session gets the private half back, and it is deleted when the session ends (sessions.ts).
 */
import { generateKeyPair, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { Kysely } from 'kysely';
import type { DeviceKeys } from '../../shared/api.js';
import type { Database } from '../db/schema.js';
import type { ClinicCipher } from './crypto.js';

const generate = promisify(generateKeyPair);
const PURPOSE = 'device-key';

async function stored(db: Kysely<Database>, cipher: ClinicCipher, clinicId: string, sessionId: string): Promise<DeviceKeys | null> {
  const row = await db.selectFrom('device_keys').selectAll().where('session_id', '=', sessionId).where('clinic_id', '=', clinicId).executeTakeFirst();
  return row ? { keyId: row.key_id, publicKey: row.public_key, privateKey: cipher.decrypt(row.private_key_enc, PURPOSE) } : null;
}

/** The session's key pair, made on first request. Concurrent first requests agree on one pair. */
export async function deviceKeysFor(db: Kysely<Database>, cipher: ClinicCipher, clinicId: string, sessionId: string): Promise<DeviceKeys> {
  const existing = await stored(db, cipher, clinicId, sessionId);
  if (existing) return existing;

  const pair = await generate('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'der' }, privateKeyEncoding: { type: 'pkcs8', format: 'der' } });
  const keys: DeviceKeys = { keyId: randomUUID(), publicKey: pair.publicKey.toString('base64'), privateKey: pair.privateKey.toString('base64') };
  await db
    .insertInto('device_keys')
    .values({ session_id: sessionId, clinic_id: clinicId, key_id: keys.keyId, public_key: keys.publicKey, private_key_enc: cipher.encrypt(keys.privateKey, PURPOSE), created_at: new Date().toISOString() })
    .onConflict((oc) => oc.column('session_id').doNothing())
    .execute();
  // Another request may have won the race: hand out whichever pair was stored.
  const winner = await stored(db, cipher, clinicId, sessionId);
  if (!winner) throw new Error('device key was not stored');
  return winner;
}
