/**
 * @summary Everything inside a widget frame: sign-in, consent, then the widget's view, with the
 * connection and version banners. While someone is signed in it holds their on-device session
 * (outbox + drafts), and wipes it at sign-out or when the server says the session ended. The frames
 * of one clinic on a page share the sign-in: a sign-in or sign-out in one shows in all. After each
 * change of screen the patient made, focus moves to the new screen's heading.
 * @fires sm-signed-in - bridged to the host page by name.
 * @fires sm-signed-out - bridged to the host page by name.
 * @fires sm-message-sent - (from the messages view, composed, so it crosses this element's shadow root as it is) bridged with its `kind`.
 */
import { LitElement, html, css, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { PatientSelf, PublicClinic } from '../../shared/api.js';
import type { BookingOptions } from '../../shared/booking.js';
import { defineOnce } from '../../shared/define-once.js';
import { ApiError } from '../../shared/fetch-json.js';
import { translate, type MessageKey } from '../../shared/i18n.js';
import type { Lang } from '../../shared/lang.js';
import { DeviceVault } from '../../shared/offline/device-vault.js';
import '../../shared/offline/sm-app-status.js';
import { applyReadableColors } from './contrast.js';
import type { PatientApi } from './patient-api.js';
import { patientDeviceName, startPatientDevice, type PatientDevice } from './patient-device.js';
import { startQuestionnaireDevice, type QuestionnaireDevice } from './questionnaire-device.js';
import { frameStyles } from './styles.js';
import './sm-patient-sign-in.js';
import './sm-consent.js';

/**
 * Each widget's view is its own chunk, so a frame loads only the one it shows (the questionnaire's
 * FHIRPath engine alone weighs more than the messages view). Requested as soon as the frame knows its
 * view, in parallel with the clinic's rules and the session check.
 */
const VIEWS: Record<SmFrameApp['view'], () => Promise<unknown>> = {
  messages: () => import('./sm-messages-view.js'),
  questionnaire: () => import('./sm-questionnaire-view.js'),
  booking: () => import('./booking/sm-booking-view.js'),
};

type Phase = 'loading' | 'signed-out' | 'consent' | 'signed-in' | 'unknown-clinic' | 'error';

export class SmFrameApp extends LitElement {
  static styles = [
    frameStyles,
    css`
      .bar {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        justify-content: space-between;
        align-items: baseline;
        margin-bottom: 0.75rem;
      }
    `,
  ];

  @property() view: 'messages' | 'questionnaire' | 'booking' = 'messages';
  @property() lang: Lang = 'en';
  @property({ attribute: false }) api!: PatientApi;
  /** The booking view's preselected type and provider ids (from <sm-booking type provider>). */
  @property({ attribute: false }) preselect = { type: '', provider: '' };

  @state() private phase: Phase = 'loading';
  @state() private clinic: PublicClinic | null = null;
  @state() private patient: PatientSelf | null = null;
  @state() private busy = false;
  /** Set when a new deployment waits: calling it switches to it. */
  @property({ attribute: false }) applyUpdate: (() => void) | null = null;
  @state() private device: PatientDevice | QuestionnaireDevice | null = null;
  @state() private storageProblem = false;
  @state() private outdated = false;
  @state() private notice: MessageKey | null = null;
  @state() private viewReady = false;
  /** Signed out in the booking view: a new patient is requesting an appointment instead of signing in. */
  @state() private requesting = false;
  /** Signed out in the booking view: the clinic takes new patients' requests online (some type is open to them), so the request link shows. */
  @state() private requestsOpen = false;
  /** The options that answer it, handed to the request screen. */
  private newPatientOptions: BookingOptions | null = null;
  #requestsAsked = false;
  private readonly onOnline = () => {
    if (this.phase === 'error') this.loadView();
    if (this.phase === 'error' || (this.phase === 'signed-in' && !this.patient)) void this.load();
  };
  private stopHearing: (() => void) | null = null;

  private t(key: MessageKey, vars?: Record<string, string>) {
    return translate(this.lang, key, vars);
  }

  protected willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('view')) this.loadView();
    if (this.phase === 'signed-out' && this.view === 'booking' && !this.#requestsAsked) void this.checkRequests();
  }

  /** Whether to offer a new patient's request: a link to a screen that could only say "none" would be a dead end. */
  private async checkRequests() {
    this.#requestsAsked = true;
    try {
      const options = await this.api.newPatientBookingOptions();
      this.newPatientOptions = options;
      this.requestsOpen = options.enabled && options.types.length > 0;
    } catch {
      // Unknown (offline before anything was cached): no link, as when closed; the sign-in still works.
    }
  }

  /**
   * Fetches the view's chunk. The view is rendered only once it is defined: an element upgraded after
   * Lit set its properties would see none of them in its connectedCallback. A view that could not be
   * fetched (offline before the worker cached it) is an error until back online.
   */
  private loadView() {
    const view = this.view;
    const load = VIEWS[view];
    this.viewReady = !load;
    load?.().then(
      () => (this.viewReady = this.view === view),
      () => (this.phase = 'error'),
    );
  }

  connectedCallback(): void {
    super.connectedCallback();
    addEventListener('online', this.onOnline);
    this.stopHearing = this.api.onSessionChange((change) => void (change.signedIn ? this.signedInElsewhere() : this.signedOutElsewhere(change.ended)));
    void this.load();
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener('online', this.onOnline);
    this.stopHearing?.();
  }

  /** Another frame of this clinic signed in (or accepted the consent): so does this one (focus stays where the patient is). */
  private async signedInElsewhere() {
    if (this.phase !== 'signed-out' && this.phase !== 'error' && this.phase !== 'consent') return;
    try {
      this.enter(await this.api.me());
    } catch {
      // The other frame's session is not usable here (ended meanwhile): stay signed out.
    }
  }

  /**
   * Another frame of this clinic signed out (or found the session ended): show the sign-in, quietly;
   * if the session ended and this frame held queued messages, say why they are gone.
   */
  private async signedOutElsewhere(ended: boolean) {
    if (this.phase === 'signed-out') return;
    const device = this.device;
    this.device = null;
    this.patient = null;
    this.notice = ended && device ? 'outbox.sessionEnded' : null;
    this.outdated = false;
    this.phase = 'signed-out';
    await device?.end();
    this.dispatchEvent(new CustomEvent('sm-signed-out', { bubbles: true, composed: true }));
  }

  /** After a change of screen the patient made, or when the page opens the widget: focus the current screen's heading. */
  async focusScreen() {
    await this.updateComplete;
    const root = this.renderRoot;
    if (this.phase === 'signed-out' && this.requesting) root.querySelector<HTMLElement>('#screen-title')?.focus();
    else if (this.phase === 'signed-out') await root.querySelector('sm-patient-sign-in')?.focusHeading();
    else if (this.phase === 'consent') await root.querySelector('sm-consent')?.focusHeading();
    else if (this.phase === 'signed-in') root.querySelector<HTMLElement>('#screen-title')?.focus();
  }

  /** The signed-in patient's device session, if any (the service worker's wake-up flushes its outbox). */
  get deviceSession(): PatientDevice | QuestionnaireDevice | null {
    return this.device;
  }

  private async load() {
    try {
      this.clinic = await this.api.publicClinic();
      // The clinic's brand colour (admin → Clinic settings) is the accent, unless the embedding page
      // sets --sm-accent itself; text on it stays readable whatever it is (contrast.ts).
      const root = this.ownerDocument.documentElement;
      root.style.setProperty('--sm-brand', this.clinic.brandColor);
      applyReadableColors(root);
    } catch (err) {
      this.phase = err instanceof ApiError && err.status === 404 ? 'unknown-clinic' : 'error';
      return;
    }
    await this.api.resume();
    if (!this.api.signedIn) {
      // Whatever an earlier session left on this device is unreadable now; delete it too.
      void DeviceVault.destroy(patientDeviceName(this.api.clinic));
      this.phase = 'signed-out';
      return;
    }
    try {
      this.enter(await this.api.me());
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return this.sessionEnded();
      if (err instanceof ApiError && err.status === 0) {
        // Offline with a session: the outbox still takes messages; the rest shows once back online.
        await this.startDevice();
        this.phase = 'signed-in';
        return;
      }
      this.phase = 'error';
    }
  }

  private enter(patient: PatientSelf) {
    this.patient = patient;
    this.notice = null;
    this.phase = patient.consentRequired ? 'consent' : 'signed-in';
    if (!patient.consentRequired) void this.startDevice();
  }

  private async startDevice() {
    // The messages and questionnaire views keep an outbox and drafts, in one database, each sending
    // and listing only its own kinds of item; booking shares the sign-in only.
    if (this.device || (this.view !== 'messages' && this.view !== 'questionnaire')) return;
    const device: PatientDevice | QuestionnaireDevice = this.view === 'messages' ? await startPatientDevice(this.api) : await startQuestionnaireDevice(this.api);
    device.addEventListener('session-ended', () => void this.sessionEnded());
    device.addEventListener('storage-failed', () => (this.storageProblem = true));
    device.addEventListener('versionchange', () => (this.outdated = true));
    // Deleted by another frame or tab: its sign-out reaches this frame too (no "updated in another tab").
    device.addEventListener('deleted', () => {
      if (this.device === device) this.device = null;
      void device.end();
    });
    this.storageProblem = device.vault.storageProblem !== null || this.api.storageBlocked;
    this.device = device;
  }

  /** The server no longer knows the session: delete what the device kept, then ask to sign in. */
  private async sessionEnded() {
    const had = this.device !== null;
    this.api.forget(); // first, so the clinic's other frames hear a sign-out before the records go
    if (this.device) await this.device.end();
    else await DeviceVault.destroy(patientDeviceName(this.api.clinic));
    this.device = null;
    this.patient = null;
    this.notice = had ? 'outbox.sessionEnded' : null;
    this.phase = 'signed-out';
    this.dispatchEvent(new CustomEvent('sm-signed-out', { bubbles: true, composed: true }));
  }

  /** A view found the session ended (the booking view keeps no device session that would; the others' notice it only when they send): the sign-in, saying why, with focus on it. */
  private async viewSessionEnded() {
    if (this.phase !== 'signed-in') return;
    await this.sessionEnded();
    this.notice ??= 'error.unauthenticated';
    await this.focusScreen();
  }

  /** A new patient's request instead of the sign-in (booking view), or back to the sign-in. */
  private async request(on: boolean) {
    this.requesting = on;
    await this.focusScreen();
  }

  private onSignedIn(e: CustomEvent<{ patient: PatientSelf }>) {
    this.requesting = false;
    this.enter(e.detail.patient);
    void this.focusScreen();
  }

  private async onConsent() {
    this.busy = true;
    try {
      this.enter(await this.api.consent());
    } catch {
      this.phase = 'error';
    } finally {
      this.busy = false;
    }
    await this.focusScreen();
  }

  /** Signs out (the patient's button, declining consent, or the page's `signOut()`, which leaves focus where it is). */
  async signOut(moveFocus = true) {
    if (this.phase !== 'signed-in' && this.phase !== 'consent') return;
    // Told to the other frames first (inside signOut), then the device is wiped and the server told.
    const done = this.api.signOut();
    const device = this.device;
    this.device = null;
    this.patient = null;
    this.phase = 'signed-out';
    await device?.end();
    await done;
    this.dispatchEvent(new CustomEvent('sm-signed-out', { bubbles: true, composed: true }));
    if (moveFocus) await this.focusScreen();
  }

  private reload() {
    if (this.applyUpdate && !this.outdated) this.applyUpdate();
    else location.reload();
  }

  render() {
    return html`<sm-app-status
        .lang=${this.lang}
        .updateReady=${this.applyUpdate !== null}
        .storageProblem=${this.storageProblem}
        .outdated=${this.outdated}
        @sm-reload-requested=${this.reload}
      ></sm-app-status>
      ${this.notice ? html`<p class="notice" role="status">${this.t(this.notice)}</p>` : nothing}
      ${this.body()}`;
  }

  private body() {
    switch (this.phase) {
      case 'loading':
        return html`<p class="muted" role="status">${this.t('common.loading')}</p>`;
      case 'unknown-clinic':
        return html`<p class="error" role="alert">${this.t('frame.unknownClinic')}</p>`;
      case 'error':
        return html`<p class="error" role="alert">${this.t('common.error')}</p>`;
      case 'signed-out':
        if (this.view === 'booking' && this.requesting) {
          return html`<div class="card">
            <div class="bar">
              <h2 id="screen-title" tabindex="-1">${this.t('booking.request.title')}</h2>
              <button class="link" @click=${() => this.request(false)}>${this.t('booking.request.back')}</button>
            </div>
            ${this.viewReady ? html`<sm-booking-view new-patient .api=${this.api} .newPatientOptions=${this.newPatientOptions} .lang=${this.lang} .type=${this.preselect.type} .provider=${this.preselect.provider}></sm-booking-view>` : html`<p class="muted" role="status">${this.t('common.loading')}</p>`}
          </div>`;
        }
        return html`<sm-patient-sign-in .api=${this.api} .lang=${this.lang} clinic-name=${this.clinic!.name} @sm-signed-in=${this.onSignedIn}></sm-patient-sign-in>
          ${this.view === 'booking' && this.requestsOpen
            ? html`<div class="card" style="margin-top: 0.75rem">
                <p>${this.t('booking.request.intro', { clinic: this.clinic!.name })}</p>
                <button id="request-open" class="secondary" @click=${() => this.request(true)}>${this.t('booking.request.open')}</button>
              </div>`
            : nothing}`;
      case 'consent':
        return html`<sm-consent .lang=${this.lang} .text=${this.patient!.consentText} .busy=${this.busy} @sm-consent-accepted=${this.onConsent} @sm-consent-declined=${() => this.signOut()}></sm-consent>`;
      case 'signed-in':
        return html`<div class="card">
          <div class="bar">
            <h2 id="screen-title" tabindex="-1">${this.t(`frame.view.${this.view}`)}</h2>
            <span class="muted">${this.patient ? this.t('frame.signedIn', { name: this.patient.name }) : nothing}
              <button class="link" @click=${() => this.signOut()}>${this.t('frame.signOut')}</button></span>
          </div>
          ${!this.viewReady
            ? html`<p class="muted" role="status">${this.t('common.loading')}</p>`
            : this.view === 'messages'
            ? html`<sm-messages-view .api=${this.api} .device=${this.device as PatientDevice | null} .lang=${this.lang} @sm-session-ended=${this.viewSessionEnded}></sm-messages-view>`
            : this.view === 'questionnaire'
              ? html`<sm-questionnaire-view .api=${this.api} .device=${this.device as QuestionnaireDevice | null} .lang=${this.lang} @sm-session-ended=${this.viewSessionEnded}></sm-questionnaire-view>`
              : this.view === 'booking'
                ? html`<sm-booking-view .api=${this.api} .lang=${this.lang} .type=${this.preselect.type} .provider=${this.preselect.provider} @sm-session-ended=${this.viewSessionEnded}></sm-booking-view>`
                : html`<p class="notice" role="note">${this.t('frame.notForEmergencies')}</p>
                <p>${this.t('frame.placeholder')}</p>`}
        </div>`;
    }
  }
}

defineOnce('sm-frame-app', SmFrameApp);

declare global {
  interface HTMLElementTagNameMap {
    'sm-frame-app': SmFrameApp;
  }
}
