/**
 * @summary "Forgot your password?": asks for the account's e-mail and says a link is on its way. The
 * answer is the same whether or not the address has an account.
 */
import { html, nothing } from 'lit';
import { state } from 'lit/decorators.js';
import { defineOnce } from '../../shared/define-once.js';
import { ApiError } from '../../shared/fetch-json.js';
import { LinkPage, type LinkScreen } from '../link-page.js';

export class SmForgotPasswordPage extends LinkPage {
  @state() protected screen: LinkScreen = 'form';
  @state() private email = '';

  // No token here: nothing to read from the address.
  connectedCallback(): void {
    super.connectedCallback();
    this.screen = 'form';
  }

  protected describeError(err: unknown): string {
    if (err instanceof ApiError && err.status === 429) return this.t('admin.forgot.rateLimited');
    return err instanceof ApiError && err.status === 0 ? this.t('common.offline') : this.t('common.error');
  }

  private async submit(e: SubmitEvent) {
    e.preventDefault();
    const email = String(new FormData(e.target as HTMLFormElement).get('email') ?? '').trim();
    const ok = await this.run(async () => {
      await this.api.requestPasswordReset(email, this.lang);
    });
    if (ok) {
      this.email = email;
      this.screen = 'sent';
    }
  }

  render() {
    if (this.screen === 'sent') {
      return html`<main class="panel">
        <h1 tabindex="-1">${this.t('admin.forgot.sentTitle')}</h1>
        <p>${this.t('admin.forgot.sent', { email: this.email })}</p>
        <p><a href="/admin/">${this.t('admin.forgot.back')}</a></p>
      </main>`;
    }
    return html`<main class="panel">
      <h1 tabindex="-1">${this.t('admin.forgot.title')}</h1>
      <p id="forgot-intro">${this.t('admin.forgot.intro')}</p>
      <form class="grid" @submit=${this.submit}>
        <label>${this.t('admin.signIn.email')} <input name="email" type="email" autocomplete="username" required aria-describedby="forgot-intro" /></label>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        <button ?disabled=${this.busy}>${this.t('admin.forgot.submit')}</button>
      </form>
      <p><a href="/admin/">${this.t('admin.forgot.back')}</a></p>
    </main>`;
  }
}

defineOnce('sm-forgot-password-page', SmForgotPasswordPage);

declare global {
  interface HTMLElementTagNameMap {
    'sm-forgot-password-page': SmForgotPasswordPage;
  }
}
