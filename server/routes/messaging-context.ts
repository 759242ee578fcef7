/** Builds the per-request messaging context (clinic cipher, rules) for the messaging routes. */
import type { Deps } from '../deps.js';
import { clinicCipher, getClinic } from '../domain/clinics.js';
import { getMessagingSettings } from '../domain/messaging-settings.js';
import type { MessagingContext } from '../domain/threads.js';

/** The context for the caller's clinic. */
export async function messagingContext(deps: Deps, clinicId: string): Promise<MessagingContext & { publicOrigin: string; slug: string }> {
  const clinic = await getClinic(deps.db, clinicId);
  const origins = JSON.parse(clinic.allowed_origins) as string[];
  return {
    db: deps.db,
    cipher: clinicCipher(deps.keyring, clinic),
    settings: await getMessagingSettings(deps.db, clinicId),
    clinicName: clinic.name,
    slug: clinic.slug,
    // Where a patient reads their messages: the clinic's own site, else our patient portal.
    publicOrigin: origins[0] ?? `${deps.config.publicUrl.origin}/p/${clinic.slug}`,
  };
}
