/** The messages view's call beyond PatientApi's: the signed-in patient's standing under the weekly limit. */
import type { PatientMessagingStatus } from '../../shared/messaging.js';
import { fetchJson } from '../../shared/fetch-json.js';
import type { PatientApi } from './patient-api.js';

/** How many new conversations the patient can still start this week (never cached: it is about the person). */
export function fetchMessagingStatus(api: Pick<PatientApi, 'authHeaders'>): Promise<PatientMessagingStatus> {
  return fetchJson('/api/patient/messaging', { headers: api.authHeaders() });
}
