/**
 * Finding patients without plaintext: each patient's name words (every prefix), e-mail and health
 * number are stored only as keyed per-clinic hashes (the clinic cipher's blind index) in
 * `patient_search`. A query is hashed the same way and matched with an indexed equality, so no
 * roster is ever decrypted to search it, and one clinic's tokens mean nothing in another's.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { ClinicCipher } from './crypto.js';
import { normalizeEmail } from './staff.js';

/** Bumped when the tokens' recipe changes; rows below it are re-indexed at start-up. */
export const SEARCH_VERSION = 1;
/** Longer words are matched on their first this-many letters. */
const MAX_PREFIX = 16;
const PURPOSE = 'patient.search';

/** Lower case, accents off ("Hélène" → "helene"), split into words of letters and digits. */
export function words(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLocaleLowerCase('en-CA')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

const healthNumber = (hn: string) => hn.replace(/[^0-9a-z]/gi, '').toUpperCase();

/** The tokens stored for a patient. */
export function patientTokens(cipher: ClinicCipher, d: { name: string; email: string; healthNumber: string | null }): string[] {
  const plain = new Set<string>();
  for (const w of words(d.name)) for (let n = 1; n <= Math.min(w.length, MAX_PREFIX); n++) plain.add(`n:${w.slice(0, n)}`);
  plain.add(`e:${normalizeEmail(d.email)}`);
  if (d.healthNumber) {
    // Found with or without its version code (Ontario: 10 digits, then up to two letters).
    plain.add(`h:${healthNumber(d.healthNumber)}`);
    plain.add(`h:${healthNumber(d.healthNumber).replace(/[A-Z]+$/, '')}`);
  }
  return [...plain].map((t) => cipher.blindIndex(t, PURPOSE));
}

/** Replaces a patient's tokens (inside the caller's transaction). */
export async function indexPatient(db: Kysely<Database>, cipher: ClinicCipher, patientId: string, d: { name: string; email: string; healthNumber: string | null }): Promise<void> {
  await db.deleteFrom('patient_search').where('patient_id', '=', patientId).execute();
  const tokens = patientTokens(cipher, d);
  // Chunked: one statement per few hundred rows stays under every engine's parameter limit.
  for (let i = 0; i < tokens.length; i += 300) {
    await db
      .insertInto('patient_search')
      .values(tokens.slice(i, i + 300).map((token) => ({ clinic_id: cipher.clinicId, token, patient_id: patientId })))
      // Two instances indexing the same patient at start-up write the same rows.
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  await db.updateTable('patients').set({ search_version: SEARCH_VERSION }).where('id', '=', patientId).execute();
}

/**
 * What a query asks for: every word as a name prefix (all must match), or the whole query as an
 * exact e-mail or health number. Null for an empty query.
 */
export function queryTokens(cipher: ClinicCipher, q: string): { nameWords: string[]; exact: string[] } | null {
  const ws = words(q);
  if (ws.length === 0) return null;
  const exact = [cipher.blindIndex(`e:${normalizeEmail(q.trim())}`, PURPOSE), cipher.blindIndex(`h:${healthNumber(q)}`, PURPOSE)];
  return { nameWords: ws.map((w) => cipher.blindIndex(`n:${w.slice(0, MAX_PREFIX)}`, PURPOSE)), exact };
}

/** The stored token of a health number without its version code (every patient with that card has it, whatever the version). */
export function healthNumberToken(cipher: ClinicCipher, hn: string): string {
  return cipher.blindIndex(`h:${healthNumber(hn).replace(/[A-Z]+$/, '')}`, PURPOSE);
}
