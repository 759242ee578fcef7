/** @summary The development mailbox: e-mail kept here when no SMTP server is configured. */
import { html, nothing } from 'lit';
import { state } from 'lit/decorators.js';
import type { MailItem } from '../../shared/api.js';
import { defineOnce } from '../../shared/define-once.js';
import { AdminPage } from '../admin-page.js';

export class SmMailboxPage extends AdminPage {
  @state() private mail: MailItem[] | null = null;

  connectedCallback(): void {
    super.connectedCallback();
    void this.run(async () => {
      this.mail = await this.api.mailbox();
    });
  }

  render() {
    return html`<h1>${this.t('admin.mailbox.title')}</h1>
      <p class="notice">${this.t('admin.mailbox.notice')}</p>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.mail?.length === 0 ? html`<p class="muted">${this.t('admin.mailbox.empty')}</p>` : nothing}
      ${(this.mail ?? []).map(
        (m) => html`<article class="panel">
          <h2>${m.subject}</h2>
          <p class="muted">${this.t('admin.mailbox.to')}: ${m.to} · <time datetime=${m.createdAt}>${new Date(m.createdAt).toLocaleString(this.lang === 'fr' ? 'fr-CA' : 'en-CA')}</time></p>
          <pre>${m.text}</pre>
        </article>`,
      )}`;
  }
}

defineOnce('sm-mailbox-page', SmMailboxPage);

declare global {
  interface HTMLElementTagNameMap {
    'sm-mailbox-page': SmMailboxPage;
  }
}
