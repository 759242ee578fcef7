/**
 * Searching message text without plaintext: the normalised words of every message and note (lower
 * case, accents folded, so "Métformine" and "metformine" meet; English and French alike) are stored
 * only as keyed per-clinic hashes (the clinic cipher's blind index, as patient search does) in
 * `message_search`, one row per word and thread. A query's words are hashed the same way and must all
 * be found in the thread. Tokens are written in the transaction that stores the message.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { ClinicCipher } from './crypto.js';
import { words } from './patient-search.js';

/** Bumped when the tokens' recipe changes; messages below it are re-indexed at start-up. */
export const MESSAGE_SEARCH_VERSION = 1;
const PURPOSE = 'message.search';
/** Longer "words" (links, pasted codes) are matched on their first this-many characters. */
const MAX_WORD = 40;

const token = (cipher: ClinicCipher, word: string) => cipher.blindIndex(`w:${word.slice(0, MAX_WORD)}`, PURPOSE);

/** The distinct tokens of a text. */
export function messageTokens(cipher: ClinicCipher, text: string): string[] {
  return [...new Set(words(text).map((w) => token(cipher, w)))];
}

/** Adds a message's words to its thread's tokens and marks the message indexed (inside the caller's transaction). */
export async function indexMessage(db: Kysely<Database>, cipher: ClinicCipher, m: { id: string; threadId: string; body: string }): Promise<void> {
  const tokens = messageTokens(cipher, m.body);
  // Chunked: one statement per few hundred rows stays under every engine's parameter limit.
  for (let i = 0; i < tokens.length; i += 300) {
    await db
      .insertInto('message_search')
      .values(tokens.slice(i, i + 300).map((t) => ({ clinic_id: cipher.clinicId, token: t, thread_id: m.threadId })))
      // The word is already in the thread (or another instance indexed it at the same start-up).
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
  await db.updateTable('messages').set({ search_version: MESSAGE_SEARCH_VERSION }).where('id', '=', m.id).execute();
}

/** The query's word tokens (all must match), or null when it has no words. */
export function messageQueryTokens(cipher: ClinicCipher, q: string): string[] | null {
  const ts = messageTokens(cipher, q);
  return ts.length ? ts : null;
}

/**
 * Indexes messages written before the index existed (or under an older recipe); at start-up, in
 * batches, each message in its own short transaction. The clinic's automatic replies are boilerplate
 * and are only marked.
 */
export async function indexUnsearchedMessages(db: Kysely<Database>, cipherOf: (clinicId: string) => Promise<ClinicCipher>): Promise<number> {
  let done = 0;
  for (;;) {
    const batch = await db.selectFrom('messages').select(['id', 'clinic_id', 'thread_id', 'author_type', 'body_enc']).where('search_version', '<', MESSAGE_SEARCH_VERSION).limit(200).execute();
    if (batch.length === 0) return done;
    for (const row of batch) {
      const cipher = await cipherOf(row.clinic_id);
      const body = row.author_type === 'system' ? '' : cipher.decrypt(row.body_enc, 'message.body');
      await db.transaction().execute(async (tx) => indexMessage(tx, cipher, { id: row.id, threadId: row.thread_id, body }));
      done++;
    }
  }
}
