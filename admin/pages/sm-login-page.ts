/**
 * @summary Staff sign-in form.
 * @fires sm-staff-signed-in - detail `{ me }`: the staff member signed in.
 */
import { css, html } from 'lit';
import type { Me } from '../../shared/api.js';
import { defineOnce } from '../../shared/define-once.js';
import { ApiError } from '../../shared/fetch-json.js';
import { AdminPage } from '../admin-page.js';

export class SmLoginPage extends AdminPage {
  static styles = [
    ...AdminPage.styles,
    css`
      main {
        max-width: 26rem;
        margin: 3rem auto;
      }
    `,
  ];

  private async submit(e: SubmitEvent) {
    e.preventDefault();
    const form = new FormData(e.target as HTMLFormElement);
    this.busy = true;
    this.error = null;
    try {
      const me = await this.api.login(String(form.get('email')).trim(), String(form.get('password')));
      this.dispatchEvent(new CustomEvent('sm-staff-signed-in', { detail: { me }, bubbles: true, composed: true }));
    } catch (err) {
      const status = err instanceof ApiError ? err.status : 0;
      this.error = this.t(status === 401 ? 'admin.signIn.failed' : status === 429 ? 'admin.signIn.rateLimited' : 'common.error');
    } finally {
      this.busy = false;
    }
  }

  render() {
    return html`<main class="panel">
      <h1>${this.t('admin.signIn.title')}</h1>
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
