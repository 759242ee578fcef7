/**
 * @summary My account: the signed-in person's two-factor sign-in (authenticator app, passkeys,
 * recovery codes). When the clinic requires two-factor sign-in and they have no factor yet, this is
 * the only page they can use.
 * @fires sm-two-factor-changed - a factor was added or removed (the shell re-reads who is signed in).
 */
import { css, html, nothing } from 'lit';
import { state } from 'lit/decorators.js';
import type { TotpSetup, TwoFactorStatus } from '../../shared/api.js';
import { defineOnce } from '../../shared/define-once.js';
import { ApiError } from '../../shared/fetch-json.js';
import type { MessageKey } from '../../shared/i18n-all.js';
import { AdminPage } from '../admin-page.js';
import '../sm-confirm-password.js';

const ERROR_KEYS: Record<string, MessageKey> = {
  invalid_code: 'admin.twoFactor.error.invalidCode',
  second_factor_throttled: 'admin.twoFactor.error.throttled',
  passkey_failed: 'admin.twoFactor.error.passkey',
  passkey_challenge_expired: 'admin.twoFactor.error.passkey',
};

export class SmAccountPage extends AdminPage {
  static styles = [
    ...AdminPage.styles,
    css`
      .qr {
        width: 12rem;
        height: 12rem;
        background: #fff;
      }
      ol.codes {
        columns: 2;
        font-family: ui-monospace, SFMono-Regular, Menlo, monospace;
        font-size: 1.1rem;
      }
      ul.keys {
        list-style: none;
        padding: 0;
      }
      ul.keys li {
        display: flex;
        flex-wrap: wrap;
        gap: 0.75rem;
        align-items: center;
        padding: 0.4rem 0;
      }
    `,
  ];

  @state() private factors: TwoFactorStatus | null = null;
  /** A started authenticator-app set-up, waiting for its first code. */
  @state() private setup: TotpSetup | null = null;
  /** Recovery codes to show once. */
  @state() private codes: string[] | null = null;
  /** A change to how this person signs in, waiting for their password (the server wants it recent). */
  @state() private confirming: { action: string; then: () => Promise<void> } | null = null;
  /** Where focus goes after the next render (a new part of the page appeared). */
  private focusNext: string | null = null;

  connectedCallback(): void {
    super.connectedCallback();
    void this.run(() => this.load());
  }

  private async load() {
    this.factors = await this.api.twoFactor();
  }

  protected describeError(err: unknown): string {
    if (err instanceof Error && err.name === 'NotAllowedError') return this.t('admin.twoFactor.error.passkeyCancelled');
    if (err instanceof Error && err.name === 'InvalidStateError') return this.t('admin.twoFactor.error.passkeyExists');
    const key = err instanceof ApiError ? ERROR_KEYS[err.code] : undefined;
    return key ? this.t(key) : super.describeError(err);
  }

  protected updated(): void {
    if (!this.focusNext) return;
    this.renderRoot.querySelector<HTMLElement>(this.focusNext)?.focus();
    this.focusNext = null;
  }

  private changed() {
    this.dispatchEvent(new CustomEvent('sm-two-factor-changed', { bubbles: true, composed: true }));
  }

  /** A change the shell hears about once any new recovery codes have been put away (it may re-render this page). */
  private changedAfterCodes = false;

  /** Shows new recovery codes once; then (or at once, without codes) tells the shell what changed. */
  private showCodes(codes: string[] | null, factorChanged = false) {
    if (!codes) {
      if (factorChanged) this.changed();
      return;
    }
    this.codes = codes;
    this.changedAfterCodes ||= factorChanged;
    this.focusNext = '#codes-title';
  }

  private codesSaved() {
    this.codes = null;
    this.focusNext = '#recovery-title';
    if (this.changedAfterCodes) {
      this.changedAfterCodes = false;
      this.changed();
    }
  }

  private startTotp() {
    return this.run(async () => {
      this.setup = await this.api.startTotp();
      this.focusNext = 'input[name=code]';
    });
  }

  private confirmTotp(e: SubmitEvent) {
    e.preventDefault();
    const code = String(new FormData(e.target as HTMLFormElement).get('code') ?? '').replace(/\s/g, '');
    return this.run(async () => {
      const { recoveryCodes } = await this.api.confirmTotp(code);
      this.setup = null;
      await this.load();
      this.focusNext = '#totp-title';
      this.showCodes(recoveryCodes, true);
    }, this.t('admin.account.totpEnabled'));
  }

  /** Asks for the password first; then runs the change. */
  private confirmFirst(action: string, then: () => Promise<void>) {
    this.error = null;
    this.confirming = { action, then };
  }

  private confirmed() {
    const pending = this.confirming;
    this.confirming = null;
    if (pending) void pending.then();
  }

  private removeTotp() {
    this.confirmFirst(this.t('admin.account.totpRemove'), () =>
      this.run(async () => {
        await this.api.removeTotp();
        await this.load();
        this.focusNext = '#totp-title';
        this.changed();
      }, this.t('admin.account.totpRemoved')).then(() => undefined),
    );
  }

  private addPasskey(e: SubmitEvent) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const name = String(new FormData(form).get('name') ?? '').trim();
    return this.run(async () => {
      const { recoveryCodes } = await this.api.addPasskey(name);
      form.reset();
      await this.load();
      this.showCodes(recoveryCodes, true);
    }, this.t('admin.account.passkeyAdded', { name }));
  }

  private removePasskey(id: string, name: string) {
    this.confirmFirst(this.t('admin.account.passkeyRemove', { name }), () =>
      this.run(async () => {
        await this.api.removePasskey(id);
        await this.load();
        this.focusNext = '#passkeys-title';
        this.changed();
      }, this.t('admin.account.passkeyRemoved')).then(() => undefined),
    );
  }

  private newCodes() {
    this.confirmFirst(this.t('admin.account.recoveryNew'), () => this.run(async () => this.showCodes((await this.api.newRecoveryCodes()).recoveryCodes)).then(() => undefined));
  }

  private date(iso: string) {
    return new Intl.DateTimeFormat(this.lang === 'fr' ? 'fr-CA' : 'en-CA', { dateStyle: 'medium' }).format(new Date(iso));
  }

  private renderTotp(f: TwoFactorStatus) {
    let body;
    if (f.totp) {
      body = html`<p>${this.t('admin.account.totpOn')}</p>
        <button class="secondary" ?disabled=${this.busy} @click=${this.removeTotp}>${this.t('admin.account.totpRemove')}</button>`;
    } else if (this.setup) {
      body = html`<p id="scan-help">${this.t('admin.account.totpScan')}</p>
        <img class="qr" src=${`data:image/svg+xml;charset=utf-8,${encodeURIComponent(this.setup.qrSvg)}`} alt=${this.t('admin.account.totpQrAlt')} />
        <p>${this.t('admin.account.totpKey')} <code>${this.setup.secret.replace(/(.{4})/g, '$1 ').trim()}</code></p>
        <form class="inline" @submit=${this.confirmTotp}>
          <label
            >${this.t('admin.twoFactor.code')}
            <input name="code" autocomplete="one-time-code" inputmode="numeric" pattern="[0-9 ]{6,7}" maxlength="7" required aria-describedby="scan-help"
          /></label>
          <button ?disabled=${this.busy}>${this.t('admin.account.totpConfirm')}</button>
        </form>`;
    } else {
      body = html`<p>${this.t('admin.account.totpOff')}</p>
        <button ?disabled=${this.busy} @click=${this.startTotp}>${this.t('admin.account.totpSetup')}</button>`;
    }
    return html`<section class="panel" aria-labelledby="totp-title">
      <h2 id="totp-title" tabindex="-1">${this.t('admin.account.totpTitle')}</h2>
      ${body}
    </section>`;
  }

  private renderPasskeys(f: TwoFactorStatus) {
    return html`<section class="panel" aria-labelledby="passkeys-title">
      <h2 id="passkeys-title" tabindex="-1">${this.t('admin.account.passkeysTitle')}</h2>
      ${f.passkeys.length === 0
        ? html`<p>${this.t('admin.account.passkeysNone')}</p>`
        : html`<ul class="keys">
            ${f.passkeys.map(
              (k) => html`<li>
                <span><strong>${k.name}</strong> <span class="muted">${this.t('admin.account.passkeyCreated', { date: this.date(k.createdAt) })}</span></span>
                <button class="secondary" ?disabled=${this.busy} @click=${() => this.removePasskey(k.id, k.name)}>${this.t('admin.account.passkeyRemove', { name: k.name })}</button>
              </li>`,
            )}
          </ul>`}
      <form class="inline" @submit=${this.addPasskey}>
        <label>${this.t('admin.account.passkeyName')} <input name="name" required maxlength="60" /></label>
        <button ?disabled=${this.busy}>${this.t('admin.account.passkeyAdd')}</button>
      </form>
    </section>`;
  }

  private renderRecovery(f: TwoFactorStatus) {
    if (this.codes) {
      return html`<section class="panel" aria-labelledby="codes-title">
        <h2 id="codes-title" tabindex="-1">${this.t('admin.account.recoveryTitle')}</h2>
        <p class="notice">${this.t('admin.account.recoveryShown')}</p>
        <ol class="codes">
          ${this.codes.map((c) => html`<li><code>${c}</code></li>`)}
        </ol>
        <button @click=${this.codesSaved}>${this.t('admin.account.recoveryDone')}</button>
      </section>`;
    }
    if (!f.totp && f.passkeys.length === 0) return nothing;
    return html`<section class="panel" aria-labelledby="recovery-title">
      <h2 id="recovery-title" tabindex="-1">${this.t('admin.account.recoveryTitle')}</h2>
      <p>${this.t('admin.account.recoveryLeft', { count: f.recoveryCodesLeft })}</p>
      <button class="secondary" ?disabled=${this.busy} @click=${this.newCodes}>${this.t('admin.account.recoveryNew')}</button>
    </section>`;
  }

  render() {
    const f = this.factors;
    return html`<h1>${this.t('admin.account.title')}</h1>
      <p>${this.t('admin.account.signedInAs', { name: this.me.staff.name, email: this.me.staff.email })}</p>
      ${this.me.enrolmentRequired ? html`<p class="notice" role="status">${this.t('admin.account.requiredNotice')}</p>` : nothing}
      <h2>${this.t('admin.account.twoFactorTitle')}</h2>
      <p>${this.t('admin.account.twoFactorIntro')}</p>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <p class="ok" role="status">${this.status ?? nothing}</p>
      ${this.confirming
        ? html`<sm-confirm-password .api=${this.api} .me=${this.me} .lang=${this.lang} .action=${this.confirming.action} @sm-confirmed=${this.confirmed} @sm-cancel=${() => (this.confirming = null)}></sm-confirm-password>`
        : nothing}
      ${f ? html`${this.renderRecovery(f)} ${this.renderTotp(f)} ${this.renderPasskeys(f)}` : html`<p role="status">${this.t('common.loading')}</p>`}`;
  }
}

defineOnce('sm-account-page', SmAccountPage);

declare global {
  interface HTMLElementTagNameMap {
    'sm-account-page': SmAccountPage;
  }
  interface HTMLElementEventMap {
    'sm-two-factor-changed': CustomEvent<void>;
  }
}
