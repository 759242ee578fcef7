/**
 * @summary Staff sign-in form: e-mail and password, then, for an account with two-factor sign-in, a
 * second step (authenticator code, passkey or recovery code). Focus moves to each new step.
 * @fires sm-staff-signed-in - detail `{ me }`: the staff member signed in.
 */
import { css, html, nothing } from 'lit';
import { state } from 'lit/decorators.js';
import type { Me, SecondFactorMethod } from '../../shared/api.js';
import { defineOnce } from '../../shared/define-once.js';
import { ApiError } from '../../shared/fetch-json.js';
import type { MessageKey } from '../../shared/i18n-all.js';
import { AdminPage } from '../admin-page.js';

/** Which screen is showing. */
type Step = 'password' | SecondFactorMethod;

/** The sentence for an error of either step, from its code (never the server's English). */
function errorKey(err: unknown): MessageKey {
  // The browser's WebAuthn refusals (cancelled, timed out) are named errors, not API answers.
  if (err instanceof Error && (err.name === 'NotAllowedError' || err.name === 'AbortError')) return 'admin.twoFactor.error.passkeyCancelled';
  if (!(err instanceof ApiError)) return 'common.error';
  switch (err.code) {
    case 'invalid_credentials':
      return 'admin.signIn.failed';
    case 'rate_limited':
      return 'admin.signIn.rateLimited';
    case 'invalid_code':
      return 'admin.twoFactor.error.invalidCode';
    case 'second_factor_expired':
      return 'admin.twoFactor.error.expired';
    case 'second_factor_throttled':
      return 'admin.twoFactor.error.throttled';
    case 'passkey_failed':
    case 'passkey_challenge_expired':
    case 'no_passkey':
      return 'admin.twoFactor.error.passkey';
    case 'network':
      return 'common.offline';
    default:
      return 'common.error';
  }
}

export class SmLoginPage extends AdminPage {
  static styles = [
    ...AdminPage.styles,
    css`
      main {
        max-width: 26rem;
        margin: 3rem auto;
      }
      .alternatives {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        margin-top: 1rem;
      }
      input[name='code'] {
        font-size: 1.25rem;
        letter-spacing: 0.15em;
      }
    `,
  ];

  @state() private step: Step = 'password';
  /** The ways the pending sign-in can be completed (from the password step's answer). */
  @state() private methods: SecondFactorMethod[] = [];
  /** Set after a screen change so `updated` moves focus into the new screen. */
  private focusPending = false;

  private signedIn(me: Me) {
    this.dispatchEvent(new CustomEvent('sm-staff-signed-in', { detail: { me }, bubbles: true, composed: true }));
  }

  private go(step: Step) {
    this.step = step;
    this.error = null;
    this.focusPending = true;
  }

  private async attempt(action: () => Promise<void>) {
    this.busy = true;
    this.error = null;
    try {
      await action();
    } catch (err) {
      this.error = this.t(errorKey(err));
      // A pending sign-in that ended cannot be completed: back to the password.
      if (err instanceof ApiError && err.code === 'second_factor_expired') {
        this.step = 'password';
        this.focusPending = true;
      }
    } finally {
      this.busy = false;
    }
  }

  private submit(e: SubmitEvent) {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    return this.attempt(async () => {
      const answer = await this.api.login(String(form.get('email')).trim(), String(form.get('password')));
      if ('secondFactor' in answer) {
        this.methods = answer.secondFactor;
        this.go(answer.secondFactor.includes('totp') ? 'totp' : answer.secondFactor.includes('passkey') ? 'passkey' : 'recovery');
      } else {
        this.signedIn(answer);
      }
    });
  }

  private submitCode(e: SubmitEvent) {
    e.preventDefault();
    const code = String(new FormData(e.target as HTMLFormElement).get('code') ?? '').trim();
    return this.attempt(async () => this.signedIn(this.step === 'recovery' ? await this.api.loginWithRecoveryCode(code) : await this.api.loginWithTotp(code.replace(/\s/g, ''))));
  }

  private usePasskey() {
    return this.attempt(async () => this.signedIn(await this.api.loginWithPasskey()));
  }

  protected updated(): void {
    if (!this.focusPending) return;
    this.focusPending = false;
    // The field to type in where there is one, else the step's heading.
    this.renderRoot.querySelector<HTMLElement>(this.step === 'password' ? 'input[name=email]' : this.step === 'passkey' ? 'h1' : 'input[name=code]')?.focus();
  }

  private alternatives() {
    const others: Array<[Step, MessageKey]> = [
      ['totp', 'admin.twoFactor.useTotp'],
      ['passkey', 'admin.twoFactor.usePasskey'],
      ['recovery', 'admin.twoFactor.useRecovery'],
    ];
    return html`<div class="alternatives">
      ${others
        .filter(([step]) => step !== this.step && this.methods.includes(step as SecondFactorMethod))
        .map(([step, label]) => html`<button type="button" class="secondary" @click=${() => (step === 'passkey' ? (this.go('passkey'), void this.usePasskey()) : this.go(step))}>${this.t(label)}</button>`)}
      <button type="button" class="secondary" @click=${() => this.go('password')}>${this.t('admin.twoFactor.startOver')}</button>
    </div>`;
  }

  private renderSecondStep() {
    const errorLine = this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing;
    if (this.step === 'passkey') {
      return html`<h1 tabindex="-1">${this.t('admin.twoFactor.passkeyTitle')}</h1>
        <p>${this.t('admin.twoFactor.passkeyIntro')}</p>
        ${this.busy ? html`<p role="status">${this.t('admin.twoFactor.passkeyWaiting')}</p>` : nothing} ${errorLine}
        <button type="button" ?disabled=${this.busy} @click=${this.usePasskey}>${this.t('admin.twoFactor.passkeyStart')}</button>
        ${this.alternatives()}`;
    }
    const recovery = this.step === 'recovery';
    return html`<h1 tabindex="-1">${this.t(recovery ? 'admin.twoFactor.recoveryTitle' : 'admin.twoFactor.title')}</h1>
      <form class="grid" @submit=${this.submitCode}>
        <p id="code-help">${this.t(recovery ? 'admin.twoFactor.recoveryIntro' : 'admin.twoFactor.totpIntro')}</p>
        ${recovery
          ? html`<label>${this.t('admin.twoFactor.recoveryCode')} <input name="code" autocomplete="off" autocapitalize="off" spellcheck="false" required maxlength="40" aria-describedby="code-help" /></label>`
          : html`<label
              >${this.t('admin.twoFactor.code')}
              <input name="code" autocomplete="one-time-code" inputmode="numeric" pattern="[0-9 ]{6,7}" maxlength="7" required aria-describedby="code-help"
            /></label>`}
        ${errorLine}
        <button ?disabled=${this.busy}>${this.t('admin.twoFactor.verify')}</button>
      </form>
      ${this.alternatives()}`;
  }

  render() {
    if (this.step !== 'password') return html`<main class="panel">${this.renderSecondStep()}</main>`;
    return html`<main class="panel">
      <h1 tabindex="-1">${this.t('admin.signIn.title')}</h1>
      ${this.status ? html`<p class="notice" role="status">${this.status}</p>` : null}
      <form class="grid" @submit=${this.submit}>
        <label>${this.t('admin.signIn.email')} <input name="email" type="email" autocomplete="username" required /></label>
        <label>${this.t('admin.signIn.password')} <input name="password" type="password" autocomplete="current-password" required /></label>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : null}
        <button ?disabled=${this.busy}>${this.t('admin.signIn.submit')}</button>
      </form>
      <p><a href="/admin/forgot-password">${this.t('admin.signIn.forgot')}</a></p>
    </main>`;
  }

  /** Shows why the previous session ended. */
  notice(message: string) {
    this.status = message;
  }
}

defineOnce('sm-login-page', SmLoginPage);

declare global {
  interface HTMLElementTagNameMap {
    'sm-login-page': SmLoginPage;
  }
  interface HTMLElementEventMap {
    'sm-staff-signed-in': CustomEvent<{ me: Me }>;
  }
}
