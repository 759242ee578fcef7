/** The staff member's on-device session: replies and notes written offline wait here (sealed). */
import { DeviceSession } from '../shared/offline/device-session.js';
import type { AdminApi } from './admin-api.js';

/** A queued reply or internal note to one conversation (the outbox item's target). */
export interface StaffOutboxPayload {
  body: string;
  note: boolean;
  attachmentIds: string[];
}

export type StaffDevice = DeviceSession<StaffOutboxPayload>;

export const STAFF_DEVICE_NAME = 'sm-staff';

export function startStaffDevice(api: AdminApi): Promise<StaffDevice> {
  return DeviceSession.start<StaffOutboxPayload>({
    name: STAFF_DEVICE_NAME,
    persist: true,
    fetchKeys: () => api.deviceKeys(),
    deliver: async ({ clientId, target, payload }) => {
      await api.reply(target ?? '', { id: clientId, body: payload.body, attachmentIds: payload.attachmentIds, note: payload.note });
    },
  });
}
