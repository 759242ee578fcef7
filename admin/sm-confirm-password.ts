/**
 * @summary Asks the signed-in staff member for their password before a change to how they (or a
 * colleague) sign in; the server allows such changes for 10 minutes after the password is confirmed.
 * @fires sm-confirmed - the password was right; the page goes on with the change.
 * @fires sm-cancel - the person changed their mind.
 */
import { html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { defineOnce } from '../shared/define-once.js';
import { ApiError } from '../shared/fetch-json.js';
import { AdminPage } from './admin-page.js';

export class SmConfirmPassword extends AdminPage {
  /** What is about to change, e.g. "Remove the authenticator app". */
  @property() action = '';
  /** What the change does, when it needs saying (e.g. a colleague will be signed out). */
  @property() detail = '';
  @state() private refused = false;

  protected firstUpdated(_changed: PropertyValues<this>): void {
    this.renderRoot.querySelector<HTMLInputElement>('input')?.focus();
  }

  private submit(e: SubmitEvent) {
    e.preventDefault();
    const password = String(new FormData(e.target as HTMLFormElement).get('password') ?? '');
    void this.run(async () => {
      try {
        await this.api.confirmPassword(password);
      } catch (err) {
        this.refused = err instanceof ApiError && err.code === 'wrong_password';
        throw err;
      }
      this.dispatchEvent(new CustomEvent('sm-confirmed', { bubbles: true, composed: true }));
    }).then(() => this.refused && this.renderRoot.querySelector<HTMLInputElement>('input')?.focus());
  }

  protected describeError(err: unknown): string {
    if (err instanceof ApiError && err.code === 'wrong_password') return this.t('admin.confirmPassword.wrong');
    if (err instanceof ApiError && err.status === 429) return this.t('admin.signIn.rateLimited');
    return super.describeError(err);
  }

  render() {
    return html`<form class="panel" @submit=${this.submit} aria-labelledby="confirm-title">
      <h3 id="confirm-title">${this.t('admin.confirmPassword.title')}</h3>
      ${this.detail ? html`<p>${this.detail}</p>` : nothing}
      <p id="confirm-why">${this.t('admin.confirmPassword.why', { action: this.action })}</p>
      <label
        >${this.t('admin.signIn.password')}
        <input name="password" type="password" autocomplete="current-password" required aria-describedby="confirm-why ${this.error ? 'confirm-error' : ''}" aria-invalid=${this.refused ? 'true' : 'false'}
      /></label>
      ${this.error ? html`<p id="confirm-error" class="error" role="alert">${this.error}</p>` : nothing}
      <div class="inline">
        <button ?disabled=${this.busy}>${this.t('admin.confirmPassword.confirm')}</button>
        <button type="button" class="secondary" @click=${() => this.dispatchEvent(new CustomEvent('sm-cancel', { bubbles: true, composed: true }))}>${this.t('common.cancel')}</button>
      </div>
    </form>`;
  }
}

defineOnce('sm-confirm-password', SmConfirmPassword);

declare global {
  interface HTMLElementTagNameMap {
    'sm-confirm-password': SmConfirmPassword;
  }
}
