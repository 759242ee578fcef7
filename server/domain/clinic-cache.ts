/**
 * What every send needs about its clinic (the row, the cipher, the parsed messaging rules), in one
 * query. The parsed rules are kept per clinic with the exact text they were parsed from, and reused
 * only while the stored text is the same: a change made by any instance (or straight in the database)
 * is seen by the very next send, with no invalidation to miss. The clinic's unwrapped data key is
 * kept by the Keyring (a clinic's key never changes).
 */
import type { Kysely } from 'kysely';
import type { ClinicRow, Database } from '../db/schema.js';
import type { MessagingSettings } from '../../shared/messaging.js';
import { clinicCipher } from './clinics.js';
import type { ClinicCipher, Keyring } from './crypto.js';
import { notFound } from './errors.js';
import { parseMessagingSettings } from './messaging-settings.js';

/** A clinic as a send sees it. */
export interface ClinicSnapshot {
  clinic: ClinicRow;
  cipher: ClinicCipher;
  settings: MessagingSettings;
}

/** One per server instance; holds at most `max` clinics' rules, least recently used dropped first. */
export class ClinicCache {
  readonly #rules = new Map<string, { stored: string | null; settings: MessagingSettings }>();

  constructor(
    private readonly keyring: Keyring,
    private readonly max = 1000,
  ) {}

  /** The clinic, its cipher and its current rules (404 for an unknown clinic). */
  async get(db: Kysely<Database>, clinicId: string): Promise<ClinicSnapshot> {
    const row = await db.selectFrom('clinics as c').leftJoin('messaging_settings as m', 'm.clinic_id', 'c.id').selectAll('c').select('m.settings as stored_rules').where('c.id', '=', clinicId).executeTakeFirst();
    if (!row) throw notFound('Clinic');
    const { stored_rules: stored, ...clinic } = row;
    let rules = this.#rules.get(clinicId);
    if (rules && rules.stored === stored) {
      this.#rules.delete(clinicId);
    } else {
      rules = { stored, settings: parseMessagingSettings(stored) };
    }
    this.#rules.set(clinicId, rules);
    if (this.#rules.size > this.max) this.#rules.delete(this.#rules.keys().next().value!);
    return { clinic, cipher: clinicCipher(this.keyring, clinic), settings: rules.settings };
  }

  /** How many clinics' rules are held (tests). */
  get size(): number {
    return this.#rules.size;
  }
}
