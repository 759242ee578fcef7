/**
 * The questionnaire frame's on-device session: answers autosaved to the device (sealed, in the drafts
 * table, with the questionnaire itself so it reopens offline) and submissions queued in the outbox,
 * sent with their client id so the server stores each once. Same database, keys and wiping as the
 * messages outbox (patient-device.ts); each view sends and lists only its own kinds.
 */
import { DeviceSession } from '../../shared/offline/device-session.js';
import type { Answers } from '../../shared/questionnaire-logic.js';
import type { PatientAssignment, PatientAssignmentDetail } from '../../shared/questionnaires.js';
import type { PatientApi } from './patient-api.js';
import { patientDeviceName } from './patient-device.js';

/** The outbox kind of a queued submit (target: the assignment id). */
export const SUBMIT_KIND = 'questionnaire-submit';

/** A queued submit: the answers as they were sent, and whether it starts an amendment. */
export interface QuestionnaireOutboxPayload {
  answers: Answers;
  amend: boolean;
}

export type QuestionnaireDevice = DeviceSession<QuestionnaireOutboxPayload>;

/** What the device keeps of one questionnaire being filled in. */
export interface SavedQuestionnaire {
  /** The questionnaire as the server last gave it, so it opens with no connection. */
  detail: PatientAssignmentDetail;
  answers: Answers;
  amending: boolean;
  /** True while the server has not got these answers (saved offline). */
  unsynced: boolean;
}

const answersKey = (assignmentId: string) => `questionnaire:${assignmentId}`;
const LIST_KEY = 'questionnaires';

export function startQuestionnaireDevice(api: PatientApi): Promise<QuestionnaireDevice> {
  return DeviceSession.start<QuestionnaireOutboxPayload>({
    name: patientDeviceName(api.clinic),
    persist: api.persistent,
    fetchKeys: () => api.deviceKeys(),
    kinds: [SUBMIT_KIND],
    deliver: async ({ clientId, target, payload }) => {
      await api.submitAnswers(target!, { id: clientId, answers: payload.answers, ...(payload.amend ? { amend: true } : {}) });
    },
  });
}

/** Reads a sealed JSON record (drafts hold text); null when absent or unreadable now (locked). */
async function load<T>(device: QuestionnaireDevice, key: string): Promise<T | null> {
  const text = await device.loadDraft(key).catch(() => null);
  if (!text) return null;
  try {
    return JSON.parse(text) as T;
  } catch {
    return null;
  }
}

/** Saves the answers on the device; resolves false when nothing could be sealed (no key yet). */
export async function saveAnswersOnDevice(device: QuestionnaireDevice, assignmentId: string, saved: SavedQuestionnaire): Promise<boolean> {
  if (!device.vault.canWrite) return false;
  await device.saveDraft(answersKey(assignmentId), JSON.stringify(saved));
  return true;
}

export const answersOnDevice = (device: QuestionnaireDevice, assignmentId: string) => load<SavedQuestionnaire>(device, answersKey(assignmentId));

export const forgetAnswersOnDevice = (device: QuestionnaireDevice, assignmentId: string) => device.clearDraft(answersKey(assignmentId));

/** Keeps the list for when the connection is gone (titles are health information: sealed too). */
export async function saveListOnDevice(device: QuestionnaireDevice, list: PatientAssignment[]): Promise<void> {
  if (device.vault.canWrite) await device.saveDraft(LIST_KEY, JSON.stringify(list));
}

export const listOnDevice = (device: QuestionnaireDevice) => load<PatientAssignment[]>(device, LIST_KEY);
