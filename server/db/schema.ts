/**
 * Table types for Kysely: the one place the database's shape is written down for the code.
 * Timestamps are ISO-8601 UTC strings (they sort as text and read the same on SQLite and PostgreSQL).
 * Columns named `*_enc` hold AES-256-GCM ciphertext (see domain/crypto.ts), never plaintext.
 */
import type { Insertable, Selectable, Updateable } from 'kysely';

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
  created_at: string;
}

export interface StaffTable {
  id: string;
  clinic_id: string;
  name: string;
  email: string;
  role: 'admin' | 'physician' | 'staff';
  password_hash: string;
  disabled_at: string | null;
  created_at: string;
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
  created_at: string;
  updated_at: string;
}

export interface LoginChallengesTable {
  id: string;
  clinic_id: string;
  /** Null when the e-mail matched no patient: the challenge then always fails, revealing nothing. */
  patient_id: string | null;
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
}

export interface DevMailTable {
  id: string;
  clinic_id: string | null;
  to_address: string;
  subject: string;
  text: string;
  created_at: string;
}

/** The whole database, as Kysely sees it. */
export interface Database {
  clinics: ClinicsTable;
  staff: StaffTable;
  sessions: SessionsTable;
  patients: PatientsTable;
  login_challenges: LoginChallengesTable;
  audit_log: AuditLogTable;
  dev_mail: DevMailTable;
}

export type ClinicRow = Selectable<ClinicsTable>;
export type StaffRow = Selectable<StaffTable>;
export type NewStaffRow = Insertable<StaffTable>;
export type PatientRow = Selectable<PatientsTable>;
export type PatientUpdate = Updateable<PatientsTable>;
export type AuditRow = Selectable<AuditLogTable>;
