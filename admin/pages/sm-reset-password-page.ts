/**
 * @summary Opened from a password-reset e-mail (`/admin/reset-password#token=…`): choose a new
 * password; every session of the account ends and the person signs in again.
 */
import { html, nothing } from 'lit';
import { state } from 'lit/decorators.js';
import { defineOnce } from '../../shared/define-once.js';
import { LinkPage } from '../link-page.js';

export class SmResetPasswordPage extends LinkPage {
  @state() private email = '';

  connectedCallback(): void {
    super.connectedCallback();
    this.checkLink((token) => this.api.checkPasswordReset(token), (info) => (this.email = info.email));
  }

  private submit(e: SubmitEvent) {
    e.preventDefault();
    const token = this.token!;
    return this.setPassword(async () => {
      await this.api.completePasswordReset(token, this.password);
      this.password = '';
      this.screen = 'done';
    });
  }

  render() {
    if (this.screen === 'checking') return html`<main class="panel"><p role="status">${this.t('common.loading')}</p></main>`;
    if (this.screen === 'done') {
      return html`<main class="panel">
        <h1 tabindex="-1">${this.t('admin.reset.doneTitle')}</h1>
        <p>${this.t('admin.reset.done')}</p>
        <p><a href="/admin/">${this.t('admin.signIn.submit')}</a></p>
      </main>`;
    }
    if (this.screen !== 'form') {
      const problem = this.screen === 'expired' ? 'admin.link.expired' : this.screen === 'missing' ? 'admin.link.missing' : 'admin.link.invalid';
      return html`<main class="panel">
        <h1 tabindex="-1">${this.t('admin.reset.title')}</h1>
        <p class="error" role="alert">${this.t(problem)}</p>
        <p><a href="/admin/forgot-password">${this.t('admin.reset.askAgain')}</a></p>
      </main>`;
    }
    return html`<main class="panel">
      <h1 tabindex="-1">${this.t('admin.reset.title')}</h1>
      ${this.email ? html`<p>${this.t('admin.reset.intro', { email: this.email })}</p>` : nothing}
      <form class="grid" @submit=${this.submit} novalidate>
        ${this.passwordField(this.email)}
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        <button ?disabled=${this.busy}>${this.t('admin.reset.submit')}</button>
      </form>
    </main>`;
  }
}

defineOnce('sm-reset-password-page', SmResetPasswordPage);

declare global {
  interface HTMLElementTagNameMap {
    'sm-reset-password-page': SmResetPasswordPage;
  }
}
