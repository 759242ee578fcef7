/**
 * @summary Everything inside a widget frame: sign-in, consent, then the widget's view.
 * @fires sm-signed-in - bridged to the host page by name.
 * @fires sm-signed-out - bridged to the host page by name.
 */
import { LitElement, html, css } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { PatientSelf, PublicClinic } from '../../shared/api.js';
import { defineOnce } from '../../shared/define-once.js';
import { ApiError } from '../../shared/fetch-json.js';
import { translate, type MessageKey } from '../../shared/i18n.js';
import type { Lang } from '../../shared/lang.js';
import type { PatientApi } from './patient-api.js';
import { frameStyles } from './styles.js';
import './sm-patient-sign-in.js';
import './sm-consent.js';
import './sm-messages-view.js';

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

  @state() private phase: Phase = 'loading';
  @state() private clinic: PublicClinic | null = null;
  @state() private patient: PatientSelf | null = null;
  @state() private busy = false;

  private t(key: MessageKey, vars?: Record<string, string>) {
    return translate(this.lang, key, vars);
  }

  connectedCallback(): void {
    super.connectedCallback();
    void this.load();
  }

  private async load() {
    try {
      this.clinic = await this.api.publicClinic();
    } catch (err) {
      this.phase = err instanceof ApiError && err.status === 404 ? 'unknown-clinic' : 'error';
      return;
    }
    if (!this.api.signedIn) {
      this.phase = 'signed-out';
      return;
    }
    try {
      this.enter(await this.api.me());
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) this.api.forget();
      this.phase = err instanceof ApiError && err.status === 401 ? 'signed-out' : 'error';
    }
  }

  private enter(patient: PatientSelf) {
    this.patient = patient;
    this.phase = patient.consentRequired ? 'consent' : 'signed-in';
  }

  private onSignedIn(e: CustomEvent<{ patient: PatientSelf }>) {
    this.enter(e.detail.patient);
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
  }

  private async signOut() {
    await this.api.signOut();
    this.patient = null;
    this.phase = 'signed-out';
    this.dispatchEvent(new CustomEvent('sm-signed-out', { bubbles: true, composed: true }));
  }

  render() {
    switch (this.phase) {
      case 'loading':
        return html`<p class="muted" role="status">${this.t('common.loading')}</p>`;
      case 'unknown-clinic':
        return html`<p class="error" role="alert">${this.t('frame.unknownClinic')}</p>`;
      case 'error':
        return html`<p class="error" role="alert">${this.t('common.error')}</p>`;
      case 'signed-out':
        return html`<sm-patient-sign-in .api=${this.api} .lang=${this.lang} clinic-name=${this.clinic!.name} @sm-signed-in=${this.onSignedIn}></sm-patient-sign-in>`;
      case 'consent':
        return html`<sm-consent .lang=${this.lang} .text=${this.patient!.consentText} .busy=${this.busy} @sm-consent-accepted=${this.onConsent}></sm-consent>`;
      case 'signed-in':
        return html`<div class="card">
          <div class="bar">
            <h2>${this.t(`frame.view.${this.view}`)}</h2>
            <span class="muted">${this.t('frame.signedIn', { name: this.patient!.name })}
              <button class="link" @click=${this.signOut}>${this.t('frame.signOut')}</button></span>
          </div>
          ${this.view === 'messages'
            ? html`<sm-messages-view .api=${this.api} .lang=${this.lang} @sm-message-sent=${() => this.dispatchEvent(new CustomEvent('sm-message-sent', { bubbles: true, composed: true }))}></sm-messages-view>`
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
