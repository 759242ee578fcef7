/**
 * The patient's API client inside the frame. The session token lives in this frame's localStorage
 * (partitioned per embedding site by the browser), so queued messages survive a browser restart
 * while the session lasts; on a shared computer it is kept in memory only. The frames of one clinic
 * on a page (same origin, same partition) share one sign-in: each sign-in and sign-out is told to
 * the others on a BroadcastChannel. Where the browser refuses the frame any storage (third-party
 * storage blocked and not partitioned), the server keeps the session in a partitioned HttpOnly
 * cookie instead, and a new page picks it up with `resume()` (README: "Browsers that block
 * third-party storage").
 */
import type { CodeChallenge, DeviceKeys, PatientSelf, PatientSession, PublicClinic, ResumedSession } from '../../shared/api.js';
import type { BookingOptions } from '../../shared/booking.js';
import type { AttachmentInfo, MessagePage, MessagingRules, NewPatientReply, NewPatientThread, ThreadDetail, ThreadSummary } from '../../shared/messaging.js';
import type { PatientAssignment, PatientAssignmentDetail, SaveAnswers, SavedResponse, SubmitAnswers } from '../../shared/questionnaires.js';
import { ApiError, fetchJson, uploadFile } from '../../shared/fetch-json.js';
import type { Lang } from '../../shared/lang.js';

function sessionStore(): Storage | null {
  try {
    const s = window.localStorage;
    s.getItem('probe');
    return s;
  } catch {
    return null; // storage blocked: sign-in still works, it just does not survive a reload
  }
}

/** What one frame tells the others of its clinic: a sign-in (with the session) or a sign-out. */
/** `ended`: the server no longer knew the session (not the patient's own sign-out). */
type SessionNews = { type: 'signed-in'; token: string } | { type: 'consented' } | { type: 'signed-out'; ended?: boolean };

/** A change heard from another frame: signed in, or signed out (`ended` when the session ran out). */
export type SessionChange = { signedIn: true } | { signedIn: false; ended: boolean };

/** Calls the API for one clinic on behalf of one patient. */
export class PatientApi {
  #token: string | null = null;
  readonly #store = sessionStore();
  readonly #key: string;
  readonly #channel: BroadcastChannel | null;
  readonly #listeners = new Set<(change: SessionChange) => void>();

  constructor(
    readonly clinic: string,
    public lang: Lang,
  ) {
    this.#key = `sm:session:${clinic}`;
    this.#token = this.#store?.getItem(this.#key) ?? null;
    this.#channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(`sm-session:${clinic}`) : null;
    this.#channel?.addEventListener('message', (e: MessageEvent<SessionNews>) => this.#heard(e.data));
  }

  /** Calls `listener` when another frame of this clinic signed in or out; returns a function that stops. */
  onSessionChange(listener: (change: SessionChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #heard(news: SessionNews | undefined): void {
    if (news?.type === 'signed-in' && typeof news.token === 'string' && news.token !== this.#token) {
      // The other frame already stored it where it persists (the storage is shared); a shared computer keeps it in memory.
      this.#token = news.token;
      for (const l of this.#listeners) l({ signedIn: true });
    } else if (news?.type === 'consented' && this.#token !== null) {
      // The patient accepted the consent in another frame: this one stops asking.
      for (const l of this.#listeners) l({ signedIn: true });
    } else if (news?.type === 'signed-out' && this.#token !== null) {
      this.#token = null;
      for (const l of this.#listeners) l({ signedIn: false, ended: news.ended === true });
    }
  }

  #tell(news: SessionNews): void {
    try {
      this.#channel?.postMessage(news);
    } catch {
      // A closed channel (the page is going away): nobody left to tell.
    }
  }

  get signedIn(): boolean {
    return this.#token !== null;
  }

  /** The browser refuses this frame any storage (private window, third-party storage blocked). */
  get storageBlocked(): boolean {
    return this.#store === null;
  }

  /** Whether this session outlives the page (false on a shared computer or when storage is blocked). */
  get persistent(): boolean {
    return this.#token !== null && this.#store?.getItem(this.#key) === this.#token;
  }

  /** This session's device key pair (see shared/offline/device-vault.ts). */
  deviceKeys(): Promise<DeviceKeys> {
    return fetchJson('/api/patient/device-key', { method: 'POST', headers: this.#auth() });
  }

  #auth(): Record<string, string> {
    return this.#token ? { authorization: `Bearer ${this.#token}` } : {};
  }

  publicClinic(): Promise<PublicClinic> {
    return fetchJson(`/api/public/clinics/${encodeURIComponent(this.clinic)}`);
  }

  /** What a visitor without a session may request (the types open to new patients): for the booking view's request link and screens. */
  newPatientBookingOptions(): Promise<BookingOptions> {
    return fetchJson(`/api/public/clinics/${encodeURIComponent(this.clinic)}/booking/options`);
  }

  requestCode(email: string): Promise<CodeChallenge> {
    return fetchJson('/api/patient/auth/code', { method: 'POST', body: { clinic: this.clinic, email, lang: this.lang } });
  }

  /**
   * In a frame refused any storage, takes up the session the server kept in this frame's cookie
   * (set at sign-in, except on a shared computer), so a new page of the clinic's site needs no new
   * code. Elsewhere the token is in storage already (or the patient is signed out) and it asks nothing.
   */
  async resume(): Promise<void> {
    if (this.#token !== null || this.#store !== null) return;
    try {
      const kept = await fetchJson<ResumedSession | undefined>('/api/patient/auth/resume', { method: 'POST', body: { clinic: this.clinic } });
      // Another frame may have signed in meanwhile: its token wins.
      if (kept && this.#token === null) this.#token = kept.token;
    } catch {
      // Offline or refused: signed out, as without the cookie.
    }
  }

  /** Signs in; on a shared computer the token is kept in memory only. */
  async verify(challengeId: string, code: string, dateOfBirth: string, sharedDevice: boolean): Promise<PatientSelf> {
    const session = await fetchJson<PatientSession>(`/api/patient/auth/verify?lang=${this.lang}`, { method: 'POST', body: { challengeId, code, dateOfBirth, sharedDevice } });
    this.#token = session.token;
    if (!sharedDevice) this.#store?.setItem(this.#key, session.token);
    this.#tell({ type: 'signed-in', token: session.token });
    return session.patient;
  }

  me(): Promise<PatientSelf> {
    return fetchJson(`/api/patient/me?lang=${this.lang}`, { headers: this.#auth() });
  }

  /** Records the patient's consent; the clinic's other frames on the page stop asking for it. */
  async consent(): Promise<PatientSelf> {
    const self = await fetchJson<PatientSelf>(`/api/patient/consent?lang=${this.lang}`, { method: 'POST', body: { accept: true }, headers: this.#auth() });
    this.#tell({ type: 'consented' });
    return self;
  }

  /** Ends the session on the server and forgets it here, whatever the server says. */
  async signOut(): Promise<void> {
    const headers = this.#auth();
    this.forget(false);
    await fetchJson('/api/patient/logout', { method: 'POST', headers }).catch(() => undefined);
  }

  messagingRules(): Promise<MessagingRules> {
    return fetchJson(`/api/public/clinics/${encodeURIComponent(this.clinic)}/messaging`);
  }

  threads(): Promise<ThreadSummary[]> {
    return fetchJson('/api/patient/threads', { headers: this.#auth() });
  }

  /** A conversation with its newest messages; marks it read. */
  thread(id: string): Promise<ThreadDetail> {
    return fetchJson(`/api/patient/threads/${encodeURIComponent(id)}`, { headers: this.#auth() });
  }

  /** The messages before `before` (a page's earlierCursor), oldest first. */
  threadMessages(id: string, before: string): Promise<MessagePage> {
    return fetchJson(`/api/patient/threads/${encodeURIComponent(id)}/messages?${new URLSearchParams({ before })}`, { headers: this.#auth() });
  }

  startThread(input: NewPatientThread): Promise<{ threadId: string; messageId: string }> {
    return fetchJson(`/api/patient/threads?lang=${this.lang}`, { method: 'POST', body: input, headers: this.#auth() });
  }

  reply(threadId: string, input: NewPatientReply): Promise<{ threadId: string; messageId: string }> {
    return fetchJson(`/api/patient/threads/${encodeURIComponent(threadId)}/messages`, { method: 'POST', body: input, headers: this.#auth() });
  }

  upload(file: File): Promise<AttachmentInfo> {
    return uploadFile('/api/patient/attachments', file, this.#auth());
  }

  /** The file as a blob (the download needs the bearer token, so no plain link). */
  async download(id: string): Promise<Blob> {
    const res = await fetch(`/api/patient/attachments/${encodeURIComponent(id)}`, { headers: this.#auth() });
    if (!res.ok) throw new ApiError(res.status, 'download_failed', res.statusText);
    return res.blob();
  }

  /**
   * Listens to the patient's live events (Server-Sent Events over fetch, since EventSource cannot
   * send the token). Reconnects with backoff; returns a function that stops listening.
   */
  listen(onEvent: (e: { threadId: string }) => void): () => void {
    const controller = new AbortController();
    // The last event's id, sent back on reconnect so the server replays what happened in the gap.
    let lastId: string | null = null;
    const run = async (delay: number): Promise<void> => {
      if (controller.signal.aborted || !this.#token) return;
      try {
        const headers: Record<string, string> = { ...this.#auth(), ...(lastId ? { 'Last-Event-ID': lastId } : {}) };
        const res = await fetch('/api/patient/events', { headers, signal: controller.signal });
        if (res.status === 401 || !res.body) return;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          const events = buffer.split('\n\n');
          buffer = events.pop() ?? '';
          for (const block of events) {
            const lines = block.split('\n');
            const id = lines.find((l) => l.startsWith('id: '));
            if (id) lastId = id.slice(4);
            const data = lines.find((l) => l.startsWith('data: '));
            if (data) onEvent(JSON.parse(data.slice(6)) as { threadId: string });
          }
        }
        delay = 1000;
      } catch {
        if (controller.signal.aborted) return;
      }
      setTimeout(() => void run(Math.min(delay * 2, 30000)), delay);
    };
    void run(1000);
    return () => controller.abort();
  }

  /** The patient's questionnaires: to fill in first, then submitted. */
  questionnaires(): Promise<PatientAssignment[]> {
    return fetchJson('/api/patient/questionnaires', { headers: this.#auth() });
  }

  /** One questionnaire to fill in, with the answers saved so far. */
  questionnaire(id: string): Promise<PatientAssignmentDetail> {
    return fetchJson(`/api/patient/questionnaires/${encodeURIComponent(id)}`, { headers: this.#auth() });
  }

  /** Autosaves answers (in progress). */
  saveAnswers(id: string, input: SaveAnswers): Promise<SavedResponse> {
    return fetchJson(`/api/patient/questionnaires/${encodeURIComponent(id)}/answers`, { method: 'PUT', body: input, headers: this.#auth() });
  }

  /** Submits the answers (with a client id, a retry is the same submit). */
  submitAnswers(id: string, input: SubmitAnswers): Promise<SavedResponse> {
    return fetchJson(`/api/patient/questionnaires/${encodeURIComponent(id)}/submit`, { method: 'POST', body: input, headers: this.#auth() });
  }

  /** The bearer header, for the clients of other views (booking-api.ts). */
  authHeaders(): Record<string, string> {
    return this.#auth();
  }

  /** Drops the token here and in the clinic's other frames; `ended`: the server said the session ended. */
  forget(ended = true): void {
    const had = this.#token !== null;
    this.#token = null;
    this.#store?.removeItem(this.#key);
    if (had) this.#tell({ type: 'signed-out', ended });
  }
}
