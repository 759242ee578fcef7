/**
 * Table types for Kysely: the one place the database's shape is written down for the code.
 * Timestamps are ISO-8601 UTC strings (they sort as text and read the same on SQLite and PostgreSQL).
 * Columns named `*_enc` hold AES-256-GCM ciphertext (see domain/crypto.ts), never plaintext.
 */
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';

export interface ClinicsTable {
  id: string;
  slug: string;
  name: string;
  /** This clinic's data key, wrapped by the master key. */
  wrapped_key: string;
  /** JSON array of origins allowed to embed the widgets. */
  allowed_origins: string;
  brand_color: string;
  consent_text_en: string;
  consent_text_fr: string;
  /** 1 when every staff member must sign in with a second factor (SQLite has no boolean). */
  require_two_factor: Generated<number>;
  created_at: string;
  /** The https page where the clinic's messaging widget lives: the link in patients' e-mail notices. */
  patient_page_url: string | null;
}

export interface StaffTable {
  id: string;
  clinic_id: string;
  name: string;
  email: string;
  role: 'admin' | 'physician' | 'staff';
  /** argon2id; empty while the staff member is invited and has not set a password yet. */
  password_hash: string;
  disabled_at: string | null;
  created_at: string;
  /** When the password was last set; null while invited (an invited account cannot sign in). */
  password_set_at: string | null;
}

/** One-time links for staff (invitation, password reset): only the token's hash is stored. */
export interface StaffTokensTable {
  id: string;
  clinic_id: string;
  staff_id: string;
  purpose: 'invitation' | 'password-reset';
  /** SHA-256 of the token in the link; the token itself is only in the e-mail. */
  token_hash: string;
  /** The admin who sent the invitation; null for a reset the person asked for. */
  created_by: string | null;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  /** Set when a newer invitation, a revocation or a password change voids the link. */
  revoked_at: string | null;
}

export interface SessionsTable {
  /** SHA-256 of the bearer token or cookie value; the token itself is never stored. */
  token_hash: string;
  kind: 'staff' | 'patient';
  clinic_id: string;
  subject_id: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  revoked_at: string | null;
  /** When the staff member last confirmed their password in this session (changes to their sign-in need it recent). */
  reauthenticated_at: string | null;
}

export interface PatientsTable {
  id: string;
  clinic_id: string;
  /** Keyed hash of the normalised e-mail, to find a patient at sign-in without decrypting everyone. */
  email_index: string;
  /** Encrypted JSON of name, date of birth, e-mail, phone, health number. */
  details_enc: string;
  lang: string;
  consented_at: string | null;
  /** The consent text the patient agreed to, as shown to them. */
  consent_text: string | null;
  /** When the patient (or staff on their word) agreed to text messages; null: no texts. */
  sms_consent_at: string | null;
  /** Which version of the search tokens (patient_search) this row has; 0 = not yet indexed. */
  search_version: number;
  created_at: string;
  updated_at: string;
}

/** Blind-indexed search tokens: keyed hashes of name-word prefixes, the e-mail and health number. */
export interface PatientSearchTable {
  clinic_id: string;
  token: string;
  patient_id: string;
}

export interface LoginChallengesTable {
  id: string;
  clinic_id: string;
  /** Null when the e-mail matched no patient: the challenge then always fails, revealing nothing. */
  patient_id: string | null;
  /** Keyed hash of the normalised e-mail asked for (null on codes from before migration 0008). */
  account_key: string | null;
  code_hash: string;
  attempts: number;
  expires_at: string;
  used_at: string | null;
  created_at: string;
}

export interface AuditLogTable {
  id: string;
  clinic_id: string;
  at: string;
  actor_type: 'staff' | 'patient' | 'system';
  actor_id: string | null;
  role: string | null;
  patient_id: string | null;
  action: string;
  target: string | null;
  outcome: 'ok' | 'denied' | 'error';
  request_id: string | null;
  /** Position in the clinic's hash chain (1, 2, …); null only for rows written before the chain, sealed by its first row. */
  seq: number | null;
  /** HMAC of the previous row's hash and this row's fields (domain/audit-chain.ts). */
  hash: string | null;
}

/** Each clinic's newest audit chain link, updated with every append: shows a deleted tail. */
export interface AuditHeadsTable {
  clinic_id: string;
  seq: number;
  hash: string;
  updated_at: string;
}

export interface DevMailTable {
  id: string;
  clinic_id: string | null;
  to_address: string;
  subject: string;
  text: string;
  created_at: string;
}

export interface MessagingSettingsTable {
  clinic_id: string;
  /** JSON of shared/messaging.ts MessagingSettings (not health information). */
  settings: string;
  updated_at: string;
}

export interface ThreadsTable {
  id: string;
  clinic_id: string;
  patient_id: string;
  subject_enc: string;
  category: string;
  status: 'open' | 'waiting' | 'closed';
  /** 1 or 0 (SQLite has no boolean). */
  patient_may_reply: number;
  started_by: 'patient' | 'staff';
  assigned_to: string | null;
  /** Set when a patient message waits for the clinic's answer; drives the response-time promise. */
  awaiting_reply_since: string | null;
  /** When the clinic's promised answer is due (from awaiting_reply_since and the rules); null when nothing waits. */
  due_at: string | null;
  patient_unread: number;
  staff_unread: number;
  /** The newest patient message; a staff member has unread when it is after their thread_reads.read_at. */
  patient_message_at: string | null;
  /** Read by the clinic before reads were kept per staff member (migration 0013): read up to here for everyone. */
  read_baseline: string | null;
  last_message_at: string;
  created_at: string;
  /** When the patient last sent a message past the widget's emergency notice ("It is not an emergency: send"); null if never. */
  emergency_override_at: string | null;
}

export interface MessagesTable {
  /** Client-generated (UUID), so a retried send finds the original. */
  id: string;
  clinic_id: string;
  thread_id: string;
  /** 'system' is the clinic's automatic reply (author_id is empty). */
  author_type: 'patient' | 'staff' | 'system';
  author_id: string;
  /** Notes are internal: never shown to the patient. */
  kind: 'message' | 'note';
  body_enc: string;
  /** Keyed hash of the content, to tell a retry from a different message reusing an id. */
  content_hash: string;
  /** Which version of the word tokens (message_search) this message has; 0 = not yet indexed. */
  search_version: Generated<number>;
  created_at: string;
  /** 1 when the patient sent it past the emergency notice (staff see a flag), else 0. */
  emergency_override: Generated<number>;
  /** When the patient first opened the thread after this staff reply (read receipt); null until then. */
  seen_at: string | null;
}

/** Where each staff member has read a thread up to. */
export interface ThreadReadsTable {
  clinic_id: string;
  thread_id: string;
  staff_id: string;
  /** Null when the person marked the thread unread. */
  read_at: string | null;
}

/** Keyed per-clinic hashes of the normalised words of a thread's messages (and notes). */
export interface MessageSearchTable {
  clinic_id: string;
  token: string;
  thread_id: string;
}

export interface AttachmentsTable {
  id: string;
  clinic_id: string;
  patient_id: string;
  uploaded_by_type: 'patient' | 'staff';
  uploaded_by: string;
  /** Null until a message claims it. */
  message_id: string | null;
  /** The questionnaire assignment whose answer names it (a patient's upload for an attachment item), or null. */
  questionnaire_assignment_id: string | null;
  file_name_enc: string;
  mime: string;
  size: number;
  data_enc: string;
  created_at: string;
}

export interface CannedRepliesTable {
  id: string;
  clinic_id: string;
  title: string;
  body: string;
  /** The French text; null for templates written before templates were bilingual. */
  body_fr: string | null;
  created_at: string;
}

/**
 * The key pair that encrypts what one signed-in device keeps offline (outbox, drafts). The device
 * holds only the public half; the private half is released to that session alone and deleted when
 * the session ends, which leaves whatever stayed on the device unreadable.
 */
export interface DeviceKeysTable {
  /** The session's token hash (sessions.token_hash). */
  session_id: string;
  clinic_id: string;
  key_id: string;
  /** SPKI, base64. */
  public_key: string;
  /** PKCS#8, base64, encrypted with the clinic's data key. */
  private_key_enc: string;
  created_at: string;
}

/**
 * Work done after an action commits (e-mail, digests, sweeps), enqueued in the action's transaction
 * and claimed by one runner at a time under a lease. Payloads hold ids, never health information.
 */
export interface JobsTable {
  id: string;
  clinic_id: string | null;
  kind: string;
  /** JSON of ids and settings; anything secret (a sign-in code) is sealed with the clinic key. */
  payload: string;
  status: 'pending' | 'running' | 'done' | 'failed';
  run_at: string;
  attempts: number;
  max_attempts: number;
  locked_by: string | null;
  locked_until: string | null;
  /** An error's type or code (e.g. ECONNREFUSED), never its text: SMTP answers may quote addresses. */
  last_error: string | null;
  /** One job per key: a schedule's period ("digest:2026-11-26T05") runs once across instances. */
  dedupe_key: string | null;
  created_at: string;
  finished_at: string | null;
}

/** Live events, in commit order per clinic, kept for a while so a stream can resume (Last-Event-ID). */
export interface EventsTable {
  seq: Generated<number>;
  clinic_id: string;
  type: string;
  /** JSON of ids and kinds only. */
  data: string;
  created_at: string;
}

/** Rate-limit counters shared by every instance; the key is a keyed hash (it may name an e-mail). */
export interface RateLimitsTable {
  key: string;
  count: number;
  /** Epoch milliseconds. */
  reset_at: number | string;
}

/** A staff member's authenticator-app secret; active once `confirmed_at` is set. */
export interface StaffTotpTable {
  staff_id: string;
  clinic_id: string;
  /** The base32 secret, sealed with the clinic key (purpose `staff.totp`). */
  secret_enc: string;
  confirmed_at: string | null;
  /** The last accepted time step (a code is never accepted twice). */
  last_step: number | string | null;
  created_at: string;
}

/** Single-use recovery codes, stored as keyed hashes only. */
export interface StaffRecoveryCodesTable {
  id: string;
  staff_id: string;
  clinic_id: string;
  code_hash: string;
  used_at: string | null;
  created_at: string;
}

/** A staff member's passkey (WebAuthn credential). */
export interface StaffPasskeysTable {
  /** The credential id, base64url. */
  id: string;
  staff_id: string;
  clinic_id: string;
  name: string;
  /** COSE public key, base64url. */
  public_key: string;
  counter: number | string;
  /** JSON array of transports. */
  transports: string;
  created_at: string;
  last_used_at: string | null;
}

/** A WebAuthn challenge handed to a browser: single use, short-lived. */
export interface WebauthnChallengesTable {
  id: string;
  staff_id: string;
  /** `register`, or `login:<pending token hash>` for a sign-in. */
  purpose: string;
  challenge: string;
  expires_at: string;
}

/** A password sign-in waiting for its second factor; the browser holds the token (cookie), we keep its hash. */
export interface PendingLoginsTable {
  token_hash: string;
  clinic_id: string;
  staff_id: string;
  expires_at: string;
  used_at: string | null;
  created_at: string;
}

/** Facts about this installation, e.g. the check value of the master key. */
/** A clinic's questionnaire: a series of published versions. */
export interface QuestionnairesTable {
  id: string;
  clinic_id: string;
  /** The library instrument it came from ('phq-9', 'gad-7'), or null. */
  library_key: string | null;
  current_version: number;
  created_at: string;
  updated_at: string;
}

/** One published version: the FHIR R4 Questionnaire JSON (a form, not health information). */
export interface QuestionnaireVersionsTable {
  id: string;
  clinic_id: string;
  questionnaire_id: string;
  version: number;
  title: string;
  resource: string;
  published_by: string | null;
  created_at: string;
}

/** One questionnaire version asked of one patient. */
export interface QuestionnaireAssignmentsTable {
  id: string;
  clinic_id: string;
  patient_id: string;
  questionnaire_id: string;
  version_id: string;
  status: 'assigned' | 'in-progress' | 'completed';
  due_date: string | null;
  assigned_by: string;
  created_at: string;
  updated_at: string;
  /** The appointment whose booking sent it (null: assigned by hand). */
  appointment_id: string | null;
  /** The recurring schedule that sent it, and its period (local wall time, unique with the schedule). */
  schedule_id: string | null;
  period: string | null;
  /** Days before the due date a reminder goes, if not completed by then (null: none). */
  remind_days_before: number | null;
  /** The conversation staff opened with the patient about its response (null: none yet). */
  reply_thread_id: Generated<string | null>;
}

/** A recurring questionnaire for one patient: one assignment per period until `until` or stopped. */
export interface QuestionnaireSchedulesTable {
  id: string;
  clinic_id: string;
  questionnaire_id: string;
  patient_id: string;
  channel: 'email' | 'sms';
  /** RRULE over wall-clock times in `time_zone` (rrule's floating convention: UTC fields = local time). */
  rule: string;
  time_zone: string;
  /** Last day (local, inclusive). */
  until: string;
  /** Each period's assignment is due this many days after it is sent (null: no due date). */
  due_days: number | null;
  remind_days_before: number | null;
  created_by: string;
  created_at: string;
  last_period: string | null;
  stopped_at: string | null;
  stopped_by: string | null;
}

/** One revision of a patient's answers; an amendment of a submitted response is a new revision. */
export interface QuestionnaireResponsesTable {
  id: string;
  clinic_id: string;
  assignment_id: string;
  patient_id: string;
  version_id: string;
  revision: number;
  status: 'in-progress' | 'completed' | 'amended';
  /** Sealed JSON of the answers by linkId. */
  answers_enc: string;
  /** Sealed JSON of the scores, bands and flags (once submitted). */
  result_enc: string | null;
  created_at: string;
  updated_at: string;
  submitted_at: string | null;
  /** The client's id for the submit that completed this revision (a retry with it is the same submit). */
  submit_id: string | null;
  /** Keyed hash of what that submit sent: the same id with other answers is a conflict. */
  submit_hash: string | null;
}

export interface ServerMetaTable {
  key: string;
  value: string;
}

/** The whole database, as Kysely sees it. */
/** The clinic's booking rules (JSON of shared/booking.ts BookingRules; not health information). */
export interface BookingSettingsTable {
  clinic_id: string;
  settings: string;
  updated_at: string;
}

/** Someone patients book with: linked to a staff account, or a name only. */
export interface BookingProvidersTable {
  id: string;
  clinic_id: string;
  staff_id: string | null;
  name: string;
  active: number;
  /** SHA-256 of the private calendar feed's token; null when there is no feed. */
  feed_token_hash: string | null;
  created_at: string;
}

export interface BookingTypesTable {
  id: string;
  clinic_id: string;
  name_en: string;
  name_fr: string;
  duration_minutes: number;
  mode: 'in-person' | 'phone' | 'video';
  location: string;
  buffer_before_minutes: number;
  buffer_after_minutes: number;
  existing_patients_only: number;
  /** JSON array of provider ids; empty means every provider. */
  provider_ids: string;
  active: number;
  created_at: string;
  /** The questionnaire sent to the patient when this type is booked, and the staff member who chose it. */
  questionnaire_id: string | null;
  questionnaire_set_by: string | null;
}

/** Weekly hours: an RRULE (weekly, by day) and wall-clock times in the clinic's time zone. */
export interface BookingHoursTable {
  id: string;
  clinic_id: string;
  provider_id: string;
  rrule: string;
  start_time: string;
  end_time: string;
  created_at: string;
}

/** Blocked time; a null provider blocks the whole clinic. */
export interface BookingExceptionsTable {
  id: string;
  clinic_id: string;
  provider_id: string | null;
  starts_at: string;
  ends_at: string;
  label: string;
  created_at: string;
}

export interface AppointmentsTable {
  id: string;
  clinic_id: string;
  provider_id: string;
  type_id: string;
  patient_id: string;
  starts_at: string;
  ends_at: string;
  status: 'booked' | 'cancelled' | 'no-show';
  /** iCalendar SEQUENCE: bumped by every move or cancellation (the UID is the id). */
  sequence: number;
  /** The language of the patient's e-mails about it. */
  lang: string;
  booked_by: 'patient' | 'staff';
  created_at: string;
  updated_at: string;
}

/** One occupied 5-minute unit of a provider (buffers included); the primary key forbids double booking. */
export interface AppointmentSlotsTable {
  provider_id: string;
  unit_start: string;
  clinic_id: string;
  appointment_id: string;
}

/** A patient waiting for a freed slot of a type (any provider when null) between two days (clinic zone). */
export interface BookingWaitlistTable {
  id: string;
  clinic_id: string;
  patient_id: string;
  type_id: string;
  provider_id: string | null;
  earliest_date: string;
  latest_date: string;
  /** The language of the offer e-mails ('' = the patient's). */
  lang: string;
  status: 'waiting' | 'booked' | 'left' | 'removed';
  /** When the patient joined: the queue's order. */
  created_at: string;
  updated_at: string;
}

/** A freed slot held for a waitlist entry until it is accepted, declined or expires. */
export interface BookingHoldsTable {
  id: string;
  clinic_id: string;
  entry_id: string;
  patient_id: string;
  provider_id: string;
  type_id: string;
  starts_at: string;
  ends_at: string;
  busy_from: string;
  busy_to: string;
  expires_at: string;
  status: 'held' | 'accepted' | 'declined' | 'expired' | 'void';
  created_at: string;
  updated_at: string;
}

/** A new patient's request for a slot, pending until staff approve or decline it; details sealed. */
export interface BookingRequestsTable {
  id: string;
  clinic_id: string;
  type_id: string;
  provider_id: string;
  starts_at: string;
  ends_at: string;
  /** The time the pending request keeps from others (the visit with its buffers), until `hold_expires_at`. */
  busy_from: string;
  busy_to: string;
  hold_expires_at: string;
  /** Sealed JSON of name, date of birth, e-mail, phone, health number ('booking.request' purpose). */
  details_enc: string;
  /** Keyed hash of the normalised e-mail (the patients' `email_index` recipe). */
  email_index: string;
  lang: string;
  status: 'pending' | 'approved' | 'declined';
  patient_id: string | null;
  appointment_id: string | null;
  decided_by: string | null;
  /** The staff member's optional note to the requester on decline, sealed. */
  decline_message_enc: string | null;
  created_at: string;
  updated_at: string;
}

export interface Database {
  clinics: ClinicsTable;
  staff: StaffTable;
  sessions: SessionsTable;
  patients: PatientsTable;
  patient_search: PatientSearchTable;
  login_challenges: LoginChallengesTable;
  audit_log: AuditLogTable;
  audit_heads: AuditHeadsTable;
  dev_mail: DevMailTable;
  messaging_settings: MessagingSettingsTable;
  threads: ThreadsTable;
  thread_reads: ThreadReadsTable;
  messages: MessagesTable;
  message_search: MessageSearchTable;
  attachments: AttachmentsTable;
  canned_replies: CannedRepliesTable;
  device_keys: DeviceKeysTable;
  jobs: JobsTable;
  events: EventsTable;
  rate_limits: RateLimitsTable;
  server_meta: ServerMetaTable;
  staff_totp: StaffTotpTable;
  staff_recovery_codes: StaffRecoveryCodesTable;
  staff_passkeys: StaffPasskeysTable;
  webauthn_challenges: WebauthnChallengesTable;
  pending_logins: PendingLoginsTable;
  staff_tokens: StaffTokensTable;
  questionnaires: QuestionnairesTable;
  questionnaire_versions: QuestionnaireVersionsTable;
  questionnaire_assignments: QuestionnaireAssignmentsTable;
  questionnaire_schedules: QuestionnaireSchedulesTable;
  questionnaire_responses: QuestionnaireResponsesTable;
  booking_settings: BookingSettingsTable;
  booking_providers: BookingProvidersTable;
  booking_types: BookingTypesTable;
  booking_hours: BookingHoursTable;
  booking_exceptions: BookingExceptionsTable;
  appointments: AppointmentsTable;
  appointment_slots: AppointmentSlotsTable;
  booking_waitlist: BookingWaitlistTable;
  booking_holds: BookingHoldsTable;
  booking_requests: BookingRequestsTable;
}

export type ThreadRow = Selectable<ThreadsTable>;
export type MessageRow = Selectable<MessagesTable>;

export type ClinicRow = Selectable<ClinicsTable>;
export type StaffRow = Selectable<StaffTable>;
export type StaffTokenRow = Selectable<StaffTokensTable>;
export type NewStaffRow = Insertable<StaffTable>;
export type PatientRow = Selectable<PatientsTable>;
export type PatientUpdate = Updateable<PatientsTable>;
export type AuditRow = Selectable<AuditLogTable>;
export type JobRow = Selectable<JobsTable>;
export type AppointmentRow = Selectable<AppointmentsTable>;
export type BookingTypeRow = Selectable<BookingTypesTable>;
export type BookingProviderRow = Selectable<BookingProvidersTable>;
export type BookingWaitlistRow = Selectable<BookingWaitlistTable>;
export type BookingHoldRow = Selectable<BookingHoldsTable>;
export type BookingRequestRow = Selectable<BookingRequestsTable>;
