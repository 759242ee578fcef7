/**
 * @summary Opened from an invitation e-mail (`/admin/invitation#token=…`): the invited person chooses
 * their password and is signed in.
 * @fires sm-staff-signed-in - detail `{ me }`: the password is set and the person is signed in.
 */
import { html, nothing } from 'lit';
import { state } from 'lit/decorators.js';
import type { InvitationInfo } from '../../shared/api.js';
import { defineOnce } from '../../shared/define-once.js';
import { LinkPage } from '../link-page.js';

export class SmAcceptInvitationPage extends LinkPage {
  @state() private info: InvitationInfo | null = null;

  connectedCallback(): void {
    super.connectedCallback();
    this.checkLink((token) => this.api.checkInvitation(token), (info) => (this.info = info));
  }

  private submit(e: SubmitEvent) {
    e.preventDefault();
    const token = this.token!;
    return this.setPassword(async () => {
      const me = await this.api.acceptInvitation(token, this.password);
      this.dispatchEvent(new CustomEvent('sm-staff-signed-in', { detail: { me }, bubbles: true, composed: true }));
    });
  }

  render() {
    if (this.screen === 'checking') return html`<main class="panel"><p role="status">${this.t('common.loading')}</p></main>`;
    if (this.screen !== 'form') {
      const problem = this.screen === 'expired' ? 'admin.link.expired' : this.screen === 'missing' ? 'admin.link.missing' : 'admin.link.invalid';
      return html`<main class="panel">
        <h1 tabindex="-1">${this.t('admin.invitation.titleGeneric')}</h1>
        <p class="error" role="alert">${this.t(problem)}</p>
        <p>${this.t('admin.invitation.askAdmin')}</p>
      </main>`;
    }
    return html`<main class="panel">
      <h1 tabindex="-1">${this.info ? this.t('admin.invitation.title', { clinic: this.info.clinic }) : this.t('admin.invitation.titleGeneric')}</h1>
      ${this.info ? html`<p>${this.t('admin.invitation.intro', { name: this.info.name, email: this.info.email })}</p>` : nothing}
      <form class="grid" @submit=${this.submit} novalidate>
        ${this.passwordField(this.info?.email ?? '')}
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        <button ?disabled=${this.busy}>${this.t('admin.invitation.submit')}</button>
      </form>
    </main>`;
  }
}

defineOnce('sm-accept-invitation-page', SmAcceptInvitationPage);

declare global {
  interface HTMLElementTagNameMap {
    'sm-accept-invitation-page': SmAcceptInvitationPage;
  }
}
