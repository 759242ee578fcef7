/** The staff API client: session cookie, JSON, and one place that notices a session has ended. */
import type { AuditExportQuery, AuditPage, AuditQuery, AuditVerification, Clinic, DeviceKeys, ClinicSettings, InvitationInfo, MailItem, Me, NewStaff, PasswordResetInfo, OutgoingMail, OutgoingMailQuery, Patient, PatientDetails, PatientPage, PatientPatch, PatientQuery, StaffMember, StaffPatch, SmsStatus } from '../shared/api.js';
import type { PasskeyAdded, RecoveryCodes, SecondFactorNeeded, TotpSetup, TwoFactorStatus } from '../shared/api.js';
import type { PublicKeyCredentialCreationOptionsJSON, PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/browser';
import { ApiError, fetchJson, uploadFile } from '../shared/fetch-json.js';
import type { Lang } from '../shared/lang.js';
import type { AssignmentsMade, QuestionnaireSchedule, ScheduleQuery } from '../shared/questionnaire-schedules.js';
import type { AssignmentQuery, LibraryEntry, NewAssignments, QuestionnaireDetail, QuestionnaireSummary, StaffAssignment, StaffAssignmentDetail } from '../shared/questionnaires.js';
import type { AttachmentInfo, BulkThreadPatch, CannedReply, InboxFilter, InboxPage, MessagePage, MessagingSettings, NewReply, NewStaffThread, StaffThreadDetail, ThreadPatch } from '../shared/messaging.js';

type Init = Parameters<typeof fetchJson>[1];

/** A query string of the set, non-empty values. */
function queryOf(q: object): URLSearchParams {
  return new URLSearchParams(Object.entries(q).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [k, String(v)]));
}

/** Calls the API as the signed-in staff member. */
export class AdminApi {
  /** Called when the server says the session is over (idle timeout, revoked, disabled). */
  onSessionEnded: () => void = () => undefined;
  /** Called when the clinic requires two-factor sign-in and this session may only enrol a factor. */
  onTwoFactorRequired: () => void = () => undefined;

  /** Threads read ahead of the page that shows them (see prefetchThread); each answer is used once. */
  readonly #early = new Map<string, Promise<StaffThreadDetail | null>>();

  /** Runs a staff request; a 401 (the session is over) calls onSessionEnded before the error goes on. For the area clients (booking, responses). */
  async call<T>(url: string, init?: Init): Promise<T> {
    try {
      return await fetchJson<T>(url, init);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) this.onSessionEnded();
      throw err;
    }
  }

  async #call<T>(url: string, init?: Init): Promise<T> {
    try {
      return await this.call<T>(url, init);
    } catch (err) {
      if (err instanceof ApiError && err.status === 403 && err.code === 'two_factor_required') this.onTwoFactorRequired();
      throw err;
    }
  }

  /** The password step: the session (Me), or the second factors that must complete the sign-in. */
  login(email: string, password: string): Promise<Me | SecondFactorNeeded> {
    return fetchJson('/api/staff/login', { method: 'POST', body: { email, password } });
  }
  /** Completes a sign-in with an authenticator-app code. */
  loginWithTotp(code: string): Promise<Me> {
    return fetchJson('/api/staff/login/totp', { method: 'POST', body: { code } });
  }
  /** Completes a sign-in with a recovery code. */
  loginWithRecoveryCode(code: string): Promise<Me> {
    return fetchJson('/api/staff/login/recovery', { method: 'POST', body: { code } });
  }
  /** Completes a sign-in with a passkey (the WebAuthn code is loaded only now, to keep the first load small). */
  async loginWithPasskey(): Promise<Me> {
    const optionsJSON = await fetchJson<PublicKeyCredentialRequestOptionsJSON>('/api/staff/login/passkey/options', { method: 'POST' });
    const { startAuthentication } = await import('@simplewebauthn/browser');
    const response = await startAuthentication({ optionsJSON });
    return fetchJson('/api/staff/login/passkey', { method: 'POST', body: { response } });
  }

  /** My second factors. */
  twoFactor(): Promise<TwoFactorStatus> {
    return this.#call('/api/staff/me/two-factor');
  }
  startTotp(): Promise<TotpSetup> {
    return this.#call('/api/staff/me/totp', { method: 'POST' });
  }
  confirmTotp(code: string): Promise<RecoveryCodes> {
    return this.#call('/api/staff/me/totp/confirm', { method: 'POST', body: { code } });
  }
  /** Confirms the signed-in person's password: changes to how they sign in are allowed for 10 minutes. */
  confirmPassword(password: string): Promise<void> {
    return this.#call('/api/staff/me/confirm-password', { method: 'POST', body: { password } });
  }
  removeTotp(): Promise<void> {
    return this.#call('/api/staff/me/totp', { method: 'DELETE' });
  }
  newRecoveryCodes(): Promise<{ recoveryCodes: string[] }> {
    return this.#call('/api/staff/me/recovery-codes', { method: 'POST' });
  }
  /** Creates a passkey in the browser (WebAuthn code loaded on demand) and registers it under `name`. */
  async addPasskey(name: string): Promise<PasskeyAdded> {
    const optionsJSON = await this.#call<PublicKeyCredentialCreationOptionsJSON>('/api/staff/me/passkeys/options', { method: 'POST' });
    const { startRegistration } = await import('@simplewebauthn/browser');
    const response = await startRegistration({ optionsJSON });
    return this.#call('/api/staff/me/passkeys', { method: 'POST', body: { name, response } });
  }
  removePasskey(id: string): Promise<void> {
    return this.#call(`/api/staff/me/passkeys/${encodeURIComponent(id)}`, { method: 'DELETE' });
  }
  /** An admin resets a colleague's second factors. */
  resetTwoFactor(staffId: string): Promise<void> {
    return this.#call(`/api/staff/${encodeURIComponent(staffId)}/two-factor`, { method: 'DELETE' });
  }
  logout(): Promise<void> {
    return fetchJson('/api/staff/logout', { method: 'POST' });
  }
  /** The current session, or null when signed out. */
  async me(): Promise<Me | null> {
    try {
      return await fetchJson<Me>('/api/staff/me');
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return null;
      throw err;
    }
  }

  /** This session's device key pair, for the on-device outbox. */
  deviceKeys(): Promise<DeviceKeys> {
    return this.#call('/api/staff/device-key', { method: 'POST' });
  }

  clinic(): Promise<Clinic> {
    return this.#call('/api/clinic');
  }
  saveClinic(settings: ClinicSettings): Promise<Clinic> {
    return this.#call('/api/clinic', { method: 'PUT', body: settings });
  }

  staff(): Promise<StaffMember[]> {
    return this.#call('/api/staff');
  }
  /** Invites a colleague: they get an e-mailed link to set their password. */
  addStaff(input: NewStaff): Promise<StaffMember> {
    return this.#call('/api/staff', { method: 'POST', body: input });
  }
  /** Sends an invitation again (the earlier link stops working). */
  resendInvitation(id: string, lang: Lang): Promise<StaffMember> {
    return this.#call(`/api/staff/${encodeURIComponent(id)}/invitation`, { method: 'POST', body: { lang } });
  }
  /** Withdraws a pending invitation. */
  revokeInvitation(id: string): Promise<void> {
    return this.#call(`/api/staff/${encodeURIComponent(id)}/invitation`, { method: 'DELETE' });
  }

  // Signed-out pages: a 401 here is not a session ending.
  /** Who an invitation link is for. */
  checkInvitation(token: string): Promise<InvitationInfo> {
    return fetchJson('/api/staff/invitation/check', { method: 'POST', body: { token } });
  }
  /** Sets the first password through an invitation link; signs in. */
  acceptInvitation(token: string, password: string): Promise<Me> {
    return fetchJson('/api/staff/invitation/accept', { method: 'POST', body: { token, password } });
  }
  /** Asks for a password-reset link by e-mail (the answer is the same for any address). */
  requestPasswordReset(email: string, lang: Lang): Promise<void> {
    return fetchJson('/api/staff/password-reset', { method: 'POST', body: { email, lang } });
  }
  /** Which account a reset link is for. */
  checkPasswordReset(token: string): Promise<PasswordResetInfo> {
    return fetchJson('/api/staff/password-reset/check', { method: 'POST', body: { token } });
  }
  /** Sets a new password through a reset link; every session of the account ends. */
  completePasswordReset(token: string, password: string): Promise<void> {
    return fetchJson('/api/staff/password-reset/complete', { method: 'POST', body: { token, password } });
  }
  updateStaff(id: string, patch: StaffPatch): Promise<StaffMember> {
    return this.#call(`/api/staff/${encodeURIComponent(id)}`, { method: 'PATCH', body: patch });
  }

  /** The first patients matching `q`, by name (for pickers). */
  async patients(q: string): Promise<Patient[]> {
    const page = await this.patientPage({ q });
    return page.patients.sort((a, b) => a.name.localeCompare(b.name));
  }
  /** One page of the patients matching `q.q`, most recently enrolled first. */
  patientPage(q: PatientQuery): Promise<PatientPage> {
    return this.#call(`/api/patients?${queryOf(q)}`);
  }
  patient(id: string): Promise<Patient> {
    return this.#call(`/api/patients/${encodeURIComponent(id)}`);
  }
  enrol(input: PatientDetails): Promise<Patient> {
    return this.#call('/api/patients', { method: 'POST', body: input });
  }
  updatePatient(id: string, patch: PatientPatch): Promise<Patient> {
    return this.#call(`/api/patients/${encodeURIComponent(id)}`, { method: 'PATCH', body: patch });
  }

  audit(q: AuditQuery): Promise<AuditPage> {
    return this.#call(`/api/audit?${queryOf(q)}`);
  }
  /** Whether the clinic's audit log hash chain is intact. */
  auditVerify(): Promise<AuditVerification> {
    return this.#call('/api/audit/verify');
  }
  /** The address of the CSV export of a filter (a download link: the browser sends the session cookie). */
  auditExportUrl(q: AuditExportQuery): string {
    return `/api/audit/export.csv?${queryOf(q)}`;
  }

  messagingSettings(): Promise<MessagingSettings> {
    return this.#call('/api/messaging/settings');
  }
  saveMessagingSettings(s: MessagingSettings): Promise<MessagingSettings> {
    return this.#call('/api/messaging/settings', { method: 'PUT', body: s });
  }
  inbox(f: InboxFilter): Promise<InboxPage> {
    const params = new URLSearchParams(Object.entries(f).filter(([, v]) => v !== undefined && v !== '' && v !== false).map(([k, v]) => [k, String(v)]));
    return this.#call(`/api/inbox?${params}`);
  }
  /**
   * Starts reading a conversation before the page that shows it exists (the shell calls it beside
   * `me()` when the admin opens on a conversation's address), so the two requests run side by side.
   * A refusal here is not a session ending: the page's own call then asks again and handles it.
   */
  prefetchThread(id: string): void {
    this.#early.set(id, fetchJson<StaffThreadDetail>(`/api/threads/${encodeURIComponent(id)}`).catch(() => null));
  }

  /** A conversation with its newest messages (the read ahead of it, if one was started); marks it read. */
  async thread(id: string): Promise<StaffThreadDetail> {
    const early = this.#early.get(id);
    this.#early.delete(id);
    return (await early) ?? this.#call(`/api/threads/${encodeURIComponent(id)}`);
  }
  /** The messages and notes before `before` (a page's earlierCursor), oldest first. */
  threadMessages(id: string, before: string): Promise<MessagePage> {
    return this.#call(`/api/threads/${encodeURIComponent(id)}/messages?${queryOf({ before })}`);
  }
  updateThread(id: string, patch: ThreadPatch): Promise<unknown> {
    return this.#call(`/api/threads/${encodeURIComponent(id)}`, { method: 'PATCH', body: patch });
  }
  /** The same change to many threads, all or none. */
  bulkUpdateThreads(patch: BulkThreadPatch): Promise<{ updated: number }> {
    return this.#call('/api/threads/bulk', { method: 'POST', body: patch });
  }
  /** Marks a thread unread for the signed-in staff member only. */
  markUnread(id: string): Promise<void> {
    return this.#call(`/api/threads/${encodeURIComponent(id)}/unread`, { method: 'POST' });
  }
  reply(id: string, input: NewReply): Promise<{ threadId: string }> {
    return this.#call(`/api/threads/${encodeURIComponent(id)}/messages`, { method: 'POST', body: input });
  }
  startThread(input: NewStaffThread): Promise<{ threadId: string }> {
    return this.#call('/api/threads', { method: 'POST', body: input });
  }
  cannedReplies(): Promise<CannedReply[]> {
    return this.#call('/api/canned-replies');
  }
  /** Adds a reply template; `bodyFr` is its French text. A placeholder we would not fill is a 422 `unknown_placeholder` naming the field. */
  addCannedReply(title: string, body: string, bodyFr?: string): Promise<CannedReply> {
    return this.#call('/api/canned-replies', { method: 'POST', body: { title, body, ...(bodyFr ? { bodyFr } : {}) } });
  }
  deleteCannedReply(id: string): Promise<void> {
    return this.#call(`/api/canned-replies/${encodeURIComponent(id)}`, { method: 'DELETE' });
  }
  colleagues(): Promise<Array<{ id: string; name: string; role: string }>> {
    return this.#call('/api/messaging/staff');
  }
  upload(patientId: string, file: File): Promise<AttachmentInfo> {
    return uploadFile(`/api/attachments?patientId=${encodeURIComponent(patientId)}`, file);
  }

  mailbox(): Promise<MailItem[]> {
    return this.#call('/api/dev/mailbox');
  }

  /** The clinic's e-mail queue (admins), newest first. */
  outgoingMail(q: OutgoingMailQuery): Promise<OutgoingMail[]> {
    const params = new URLSearchParams(Object.entries(q).filter(([, v]) => v !== undefined).map(([k, v]) => [k, String(v)]));
    return this.#call(`/api/outgoing-mail?${params}`);
  }
  /** Puts a failed e-mail back in the queue. */
  retryOutgoingMail(id: string): Promise<void> {
    return this.#call(`/api/outgoing-mail/${encodeURIComponent(id)}/retry`, { method: 'POST' });
  }

  /** Whether text messages are set up on this server (admins). */
  smsStatus(): Promise<SmsStatus> {
    return this.#call('/api/sms-status');
  }

  /** The clinic's questionnaires (current versions). */
  questionnaires(): Promise<QuestionnaireSummary[]> {
    return this.#call('/api/questionnaires');
  }
  /** The instruments shipped with the product and whether the clinic has added each. */
  questionnaireLibrary(): Promise<LibraryEntry[]> {
    return this.#call('/api/questionnaire-library');
  }
  /** Adds a library instrument to the clinic's questionnaires. */
  addLibraryQuestionnaire(key: string): Promise<QuestionnaireDetail> {
    return this.#call(`/api/questionnaire-library/${encodeURIComponent(key)}`, { method: 'POST' });
  }
  /** Imports a FHIR R4 Questionnaire (422 invalid_fhir "path: problem" when it is not one). */
  importQuestionnaire(resource: unknown): Promise<QuestionnaireDetail> {
    return this.#call('/api/questionnaires', { method: 'POST', body: resource });
  }
  /** One questionnaire with its versions and current FHIR resource. */
  questionnaire(id: string): Promise<QuestionnaireDetail> {
    return this.#call(`/api/questionnaires/${encodeURIComponent(id)}`);
  }
  /** Publishes a change: the resource becomes the questionnaire's next version (422 invalid_fhir "path: problem" when invalid). */
  publishQuestionnaire(id: string, resource: unknown): Promise<QuestionnaireDetail> {
    return this.#call(`/api/questionnaires/${encodeURIComponent(id)}`, { method: 'PUT', body: resource });
  }
  /** Assigns a questionnaire's current version to patients. */
  assignQuestionnaire(id: string, input: NewAssignments): Promise<AssignmentsMade> {
    return this.#call(`/api/questionnaires/${encodeURIComponent(id)}/assignments`, { method: 'POST', body: input });
  }
  /** Recurring questionnaires, newest first. */
  questionnaireSchedules(q: ScheduleQuery = {}): Promise<QuestionnaireSchedule[]> {
    return this.#call(`/api/questionnaire-schedules?${queryOf(q)}`);
  }
  /** Stops a recurring questionnaire. */
  stopQuestionnaireSchedule(id: string): Promise<void> {
    return this.#call(`/api/questionnaire-schedules/${encodeURIComponent(id)}/stop`, { method: 'POST' });
  }
  /** Assignments with status, scores, bands and safety flags. */
  questionnaireAssignments(q: AssignmentQuery = {}): Promise<StaffAssignment[]> {
    return this.#call(`/api/questionnaire-assignments?${queryOf(q)}`);
  }
  /** One assignment with every revision of its answers. */
  questionnaireAssignment(id: string): Promise<StaffAssignmentDetail> {
    return this.#call(`/api/questionnaire-assignments/${encodeURIComponent(id)}`);
  }
}
