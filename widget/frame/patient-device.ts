/** The patient's on-device session (outbox + drafts) for one clinic, wired to the patient API. */
import { DeviceSession } from '../../shared/offline/device-session.js';
import type { PatientApi } from './patient-api.js';

/** A queued message: a reply (target = thread id) or a new conversation (subject + category). */
export interface PatientOutboxPayload {
  body: string;
  attachmentIds: string[];
  subject?: string;
  category?: string;
  /** What the item is about, as the patient saw it (the conversation's subject), for the outbox list. */
  label: string;
  /** Sent past the emergency notice: the clinic sees a flag. */
  emergencyOverride?: boolean;
}

export type PatientDevice = DeviceSession<PatientOutboxPayload>;

/** The outbox kinds of the messages view. */
export const MESSAGE_KINDS = ['reply', 'thread'] as const;

/** The device database of this clinic's patient (per clinic: the portal serves several from one origin). */
export const patientDeviceName = (clinic: string) => `sm-patient-${clinic}`;

export function startPatientDevice(api: PatientApi): Promise<PatientDevice> {
  return DeviceSession.start<PatientOutboxPayload>({
    name: patientDeviceName(api.clinic),
    persist: api.persistent,
    fetchKeys: () => api.deviceKeys(),
    // The questionnaire frame keeps its submissions in the same database: each sends its own.
    kinds: MESSAGE_KINDS,
    deliver: async ({ clientId, kind, target, payload }) => {
      const override = payload.emergencyOverride ? { emergencyOverride: true } : {};
      if (kind === 'reply' && target) await api.reply(target, { id: clientId, body: payload.body, attachmentIds: payload.attachmentIds, ...override });
      else await api.startThread({ id: clientId, subject: payload.subject ?? '', category: payload.category ?? '', body: payload.body, attachmentIds: payload.attachmentIds, ...override });
    },
  });
}
