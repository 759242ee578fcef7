/** Builds the per-request messaging context (clinic cipher, rules) for the messaging routes. */
import type { Deps } from '../deps.js';
import { clinicCipher, getClinic, patientLink } from '../domain/clinics.js';
import { getMessagingSettings } from '../domain/messaging-settings.js';
import type { MessagingContext } from '../domain/threads.js';

/** The context for the caller's clinic; actions run on `deps` and audit under `requestId`. */
export async function messagingContext(deps: Deps, clinicId: string, requestId: string | null = null): Promise<MessagingContext & { publicOrigin: string; slug: string }> {
  const clinic = await getClinic(deps.db, clinicId);
  return {
    db: deps.db,
    store: deps,
    requestId,
    cipher: clinicCipher(deps.keyring, clinic),
    settings: await getMessagingSettings(deps.db, clinicId),
    clinicName: clinic.name,
    noticeBatchMs: deps.config.noticeBatchMs,
    slug: clinic.slug,
    publicOrigin: patientLink(clinic, deps.config.publicUrl.origin),
  };
}
