/** The staff API client: session cookie, JSON, and one place that notices a session has ended. */
import type { AuditEntry, AuditQuery, Clinic, ClinicSettings, MailItem, Me, NewStaff, Patient, PatientDetails, PatientPatch, StaffMember, StaffPatch } from '../shared/api.js';
import { ApiError, fetchJson } from '../shared/fetch-json.js';

type Init = Parameters<typeof fetchJson>[1];

/** Calls the API as the signed-in staff member. */
export class AdminApi {
  /** Called when the server says the session is over (idle timeout, revoked, disabled). */
  onSessionEnded: () => void = () => undefined;

  async #call<T>(url: string, init?: Init): Promise<T> {
    try {
      return await fetchJson<T>(url, init);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) this.onSessionEnded();
      throw err;
    }
  }

  login(email: string, password: string): Promise<Me> {
    return fetchJson('/api/staff/login', { method: 'POST', body: { email, password } });
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

  clinic(): Promise<Clinic> {
    return this.#call('/api/clinic');
  }
  saveClinic(settings: ClinicSettings): Promise<Clinic> {
    return this.#call('/api/clinic', { method: 'PUT', body: settings });
  }

  staff(): Promise<StaffMember[]> {
    return this.#call('/api/staff');
  }
  addStaff(input: NewStaff): Promise<StaffMember> {
    return this.#call('/api/staff', { method: 'POST', body: input });
  }
  updateStaff(id: string, patch: StaffPatch): Promise<StaffMember> {
    return this.#call(`/api/staff/${encodeURIComponent(id)}`, { method: 'PATCH', body: patch });
  }

  patients(q: string): Promise<Patient[]> {
    return this.#call(`/api/patients?${new URLSearchParams({ q })}`);
  }
  enrol(input: PatientDetails): Promise<Patient> {
    return this.#call('/api/patients', { method: 'POST', body: input });
  }
  updatePatient(id: string, patch: PatientPatch): Promise<Patient> {
    return this.#call(`/api/patients/${encodeURIComponent(id)}`, { method: 'PATCH', body: patch });
  }

  audit(q: AuditQuery): Promise<AuditEntry[]> {
    const params = new URLSearchParams(Object.entries(q).filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => [k, String(v)]));
    return this.#call(`/api/audit?${params}`);
  }

  mailbox(): Promise<MailItem[]> {
    return this.#call('/api/dev/mailbox');
  }
}
