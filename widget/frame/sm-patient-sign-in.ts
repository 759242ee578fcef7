/**
 * @summary Patient sign-in: e-mail a one-time code, then enter it with the date of birth. Refusals
 * are worded from their code; focus follows each step (the code field once it is sent, the field to
 * fix after a refusal, marked `aria-invalid` and described by the refusal).
 * @fires sm-signed-in - detail `{ patient }`: the patient is signed in (the token stays in the api).
 */
import { LitElement, html, nothing } from 'lit';
import { property, state, query } from 'lit/decorators.js';
import { defineOnce } from '../../shared/define-once.js';
import { describeFailure } from '../../shared/error-text.js';
import { translate, type MessageKey } from '../../shared/i18n.js';
import type { Lang } from '../../shared/lang.js';
import type { PatientSelf } from '../../shared/api.js';
import { ApiError } from '../../shared/fetch-json.js';
import type { PatientApi } from './patient-api.js';
import { frameStyles } from './styles.js';

export class SmPatientSignIn extends LitElement {
  static styles = [frameStyles];

  @property({ attribute: false }) api!: PatientApi;
  @property() lang: Lang = 'en';
  @property({ attribute: 'clinic-name' }) clinicName = '';

  @state() private challengeId: string | null = null;
  @state() private busy = false;
  @state() private error: string | null = null;
  @query('#code') private codeInput?: HTMLInputElement;
  @query('#email') private emailInput?: HTMLInputElement;
  @query('#title') private heading?: HTMLElement;

  /** Moves focus to this screen's heading (after signing out, for instance). */
  async focusHeading(): Promise<void> {
    await this.updateComplete;
    this.heading?.focus();
  }

  private t(key: MessageKey, vars?: Record<string, string>) {
    return translate(this.lang, key, vars);
  }

  private async run(task: () => Promise<void>) {
    this.busy = true;
    this.error = null;
    try {
      await task();
    } catch (err) {
      this.error = describeFailure(this.lang, err);
      if (err instanceof ApiError && (err.code === 'code_locked' || err.code === 'code_expired')) this.challengeId = null;
      this.busy = false;
      // The field to fix: the code (or, back at the first step, the e-mail address).
      await this.updateComplete;
      (this.challengeId === null ? this.emailInput : this.codeInput)?.focus();
    } finally {
      this.busy = false;
    }
  }

  private requestCode(e: SubmitEvent) {
    e.preventDefault();
    const email = (new FormData(e.target as HTMLFormElement).get('email') as string).trim();
    return this.run(async () => {
      this.challengeId = (await this.api.requestCode(email)).challengeId;
      await this.updateComplete;
      this.codeInput?.focus();
    });
  }

  private verify(e: SubmitEvent) {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    return this.run(async () => {
      const patient: PatientSelf = await this.api.verify(this.challengeId!, String(form.get('code')).trim(), String(form.get('dob')), form.get('shared') === 'on');
      this.dispatchEvent(new CustomEvent('sm-signed-in', { detail: { patient }, bubbles: true, composed: true }));
    });
  }

  private async restart() {
    this.challengeId = null;
    this.error = null;
    await this.updateComplete;
    this.emailInput?.focus();
  }

  render() {
    const error = this.error ? html`<p id="sign-in-error" class="error" role="alert">${this.error}</p>` : null;
    const invalid = this.error ? 'true' : 'false';
    // Not a landmark: the iframe already has a title, and three frames would repeat the same region name.
    return html`<div class="card">
      <h2 id="title" tabindex="-1">${this.t('frame.signIn.title', { clinic: this.clinicName })}</h2>
      ${this.challengeId === null
        ? html`<p class="muted">${this.t('frame.signIn.intro', { clinic: this.clinicName })}</p>
            <form @submit=${this.requestCode}>
              <label>${this.t('frame.signIn.email')}
                <input id="email" name="email" type="email" autocomplete="email" required maxlength="254" aria-invalid=${invalid} aria-describedby=${this.error ? 'sign-in-error' : nothing} />
              </label>
              ${error}
              <button ?disabled=${this.busy}>${this.t('frame.signIn.sendCode')}</button>
            </form>`
        : html`<p id="code-sent" role="status">${this.t('frame.signIn.codeSent')}</p>
            <form @submit=${this.verify}>
              <label>${this.t('frame.signIn.code')}
                <input
                  id="code"
                  name="code"
                  type="text"
                  inputmode="numeric"
                  autocomplete="one-time-code"
                  pattern="[0-9]{6}"
                  maxlength="6"
                  required
                  aria-invalid=${invalid}
                  aria-describedby=${this.error ? 'sign-in-error code-sent' : 'code-sent'}
                />
              </label>
              <label>${this.t('frame.signIn.dob')}
                <input name="dob" type="date" autocomplete="bday" required />
              </label>
              <label class="check"><input name="shared" type="checkbox" /> ${this.t('frame.signIn.sharedDevice')}</label>
              ${error}
              <button ?disabled=${this.busy}>${this.t('frame.signIn.verify')}</button>
              <button type="button" class="link" @click=${this.restart}>${this.t('frame.signIn.restart')}</button>
            </form>`}
    </div>`;
  }
}

defineOnce('sm-patient-sign-in', SmPatientSignIn);

declare global {
  interface HTMLElementTagNameMap {
    'sm-patient-sign-in': SmPatientSignIn;
  }
  interface HTMLElementEventMap {
    'sm-signed-in': CustomEvent<{ patient: PatientSelf }>;
  }
}
