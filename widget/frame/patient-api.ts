/**
 * The patient's API client inside the frame. The session token lives in this frame's sessionStorage
 * (partitioned per embedding site by the browser), or only in memory on a shared computer.
 */
import type { CodeChallenge, PatientSelf, PatientSession, PublicClinic } from '../../shared/api.js';
import { fetchJson } from '../../shared/fetch-json.js';
import type { Lang } from '../../shared/lang.js';

function sessionStore(): Storage | null {
  try {
    const s = window.sessionStorage;
    s.getItem('probe');
    return s;
  } catch {
    return null; // storage blocked: sign-in still works, it just does not survive a reload
  }
}

/** Calls the API for one clinic on behalf of one patient. */
export class PatientApi {
  #token: string | null = null;
  readonly #store = sessionStore();
  readonly #key: string;

  constructor(
    readonly clinic: string,
    public lang: Lang,
  ) {
    this.#key = `sm:session:${clinic}`;
    this.#token = this.#store?.getItem(this.#key) ?? null;
  }

  get signedIn(): boolean {
    return this.#token !== null;
  }

  #auth(): Record<string, string> {
    return this.#token ? { authorization: `Bearer ${this.#token}` } : {};
  }

  publicClinic(): Promise<PublicClinic> {
    return fetchJson(`/api/public/clinics/${encodeURIComponent(this.clinic)}`);
  }

  requestCode(email: string): Promise<CodeChallenge> {
    return fetchJson('/api/patient/auth/code', { method: 'POST', body: { clinic: this.clinic, email, lang: this.lang } });
  }

  /** Signs in; on a shared computer the token is kept in memory only. */
  async verify(challengeId: string, code: string, dateOfBirth: string, sharedDevice: boolean): Promise<PatientSelf> {
    const session = await fetchJson<PatientSession>(`/api/patient/auth/verify?lang=${this.lang}`, { method: 'POST', body: { challengeId, code, dateOfBirth, sharedDevice } });
    this.#token = session.token;
    if (!sharedDevice) this.#store?.setItem(this.#key, session.token);
    return session.patient;
  }

  me(): Promise<PatientSelf> {
    return fetchJson(`/api/patient/me?lang=${this.lang}`, { headers: this.#auth() });
  }

  consent(): Promise<PatientSelf> {
    return fetchJson(`/api/patient/consent?lang=${this.lang}`, { method: 'POST', body: { accept: true }, headers: this.#auth() });
  }

  /** Ends the session on the server and forgets it here, whatever the server says. */
  async signOut(): Promise<void> {
    const headers = this.#auth();
    this.forget();
    await fetchJson('/api/patient/logout', { method: 'POST', headers }).catch(() => undefined);
  }

  /** Drops the token locally (e.g. after the server said the session ended). */
  forget(): void {
    this.#token = null;
    this.#store?.removeItem(this.#key);
  }
}
