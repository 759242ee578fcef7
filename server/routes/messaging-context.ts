/** Builds the per-request messaging context (clinic cipher, rules) for the messaging routes. */
import type { Deps } from '../deps.js';
import { patientLink } from '../domain/clinics.js';
import type { MessagingContext } from '../domain/threads.js';

/** The context for the caller's clinic (one query; see clinic-cache.ts); actions run on `deps` and audit under `requestId`. */
export async function messagingContext(deps: Deps, clinicId: string, requestId: string | null = null): Promise<MessagingContext & { publicOrigin: string; slug: string }> {
  const { clinic, cipher, settings } = await deps.clinics.get(deps.db, clinicId);
  return {
    db: deps.db,
    store: deps,
    requestId,
    cipher,
    settings,
    clinicName: clinic.name,
    noticeBatchMs: deps.config.noticeBatchMs,
    slug: clinic.slug,
    publicOrigin: patientLink(clinic, deps.config.publicUrl.origin),
  };
}
