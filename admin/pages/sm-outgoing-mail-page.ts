/**
 * @summary Outgoing e-mail (admins only): the clinic's e-mail and text-message queue by status (failed,
 * waiting, sent), with "Send again" for what failed, and whether text messages are set up. The result of a retry is announced in a polite live region,
 * which then takes focus, since the row whose button was pressed leaves the list.
 */
import { css, html, nothing } from 'lit';
import { query, state } from 'lit/decorators.js';
import type { OutgoingMail, OutgoingMailQuery, SmsStatus } from '../../shared/api.js';
import { defineOnce } from '../../shared/define-once.js';
import { ApiError } from '../../shared/fetch-json.js';
import type { MessageKey } from '../../shared/i18n-all.js';
import { AdminPage } from '../admin-page.js';

/** The statuses an admin can list. */
type MailFilter = NonNullable<OutgoingMailQuery['status']>;
const FILTERS: readonly MailFilter[] = ['failed', 'pending', 'done'];

/** API error codes this page explains in the reader's language (anything else: the generic sentence). */
const ERRORS: Record<string, MessageKey> = {
  not_found: 'admin.outgoing.error.notFound',
  forbidden: 'admin.outgoing.error.forbidden',
  rate_limited: 'admin.outgoing.error.rateLimited',
  storage_unavailable: 'admin.outgoing.error.unavailable',
};

export class SmOutgoingMailPage extends AdminPage {
  static styles = [
    ...AdminPage.styles,
    css`
      caption {
        text-align: left;
        font-weight: 600;
        font-size: 1.05rem;
        padding: 0.5rem 0;
      }
      #status:empty {
        margin: 0;
      }
      td button {
        white-space: nowrap;
      }
    `,
  ];

  @state() private filter: MailFilter = 'failed';
  @state() private mail: OutgoingMail[] | null = null;
  /** Whether texts are set up (null until known, or when the server could not say). */
  @state() private sms: SmsStatus | null = null;
  /** Numbers each list request, so a slow answer for an earlier filter cannot replace a newer one. */
  private loads = 0;
  @query('#status') private statusEl?: HTMLElement;
  @query('#error') private errorEl?: HTMLElement;

  connectedCallback(): void {
    super.connectedCallback();
    void this.load();
    // Only informative: a failure leaves the notice out rather than alarming anyone.
    this.api.smsStatus().then((s) => (this.sms = s), () => (this.sms = null));
  }

  /** API errors as sentences of the catalog, never the server's English text. */
  protected override describeError(err: unknown): string {
    if (!(err instanceof ApiError)) return this.t('common.error');
    if (err.status === 0) return this.t('admin.outgoing.error.offline');
    return this.t(ERRORS[err.code] ?? 'common.error');
  }

  /** Fetches the list for the current filter; keeps what is shown when a reload fails. */
  private async load(): Promise<void> {
    const seq = ++this.loads;
    try {
      const mail = await this.api.outgoingMail({ status: this.filter });
      if (seq === this.loads) this.mail = mail;
    } catch (err) {
      if (seq === this.loads) this.error = this.describeError(err);
    }
  }

  private changeFilter(e: Event) {
    this.filter = (e.target as HTMLSelectElement).value as MailFilter;
    this.mail = null;
    this.error = null;
    this.status = null;
    void this.load();
  }

  private async retry(m: OutgoingMail) {
    await this.run(() => this.api.retryOutgoingMail(m.id), this.t(m.channel === 'sms' ? 'admin.outgoing.retriedSms' : 'admin.outgoing.retried', { recipient: this.recipient(m) }));
    // Reload either way: after a refusal (404) the row is just as stale.
    await this.load();
    await this.updateComplete;
    // The pressed button's row is gone; put keyboard users on the sentence that says what happened.
    (this.error ? this.errorEl : this.statusEl)?.focus();
  }

  private recipient(m: OutgoingMail): string {
    return m.recipient || this.t('admin.outgoing.unknownRecipient');
  }

  private kind(m: OutgoingMail): string {
    return m.channel === 'sms' ? this.t(`admin.outgoing.kind.sms.${m.kind}` as MessageKey) : this.t(`admin.outgoing.kind.${m.kind}`);
  }

  private table(mail: OutgoingMail[]) {
    const when = new Intl.DateTimeFormat(this.lang === 'fr' ? 'fr-CA' : 'en-CA', { dateStyle: 'medium', timeStyle: 'short' });
    const canRetry = mail.some((m) => m.status === 'failed');
    return html`<table>
      <caption>${this.t(`admin.outgoing.caption.${this.filter}`)}</caption>
      <thead>
        <tr>
          <th scope="col">${this.t('admin.outgoing.kind')}</th>
          <th scope="col">${this.t('admin.outgoing.channel')}</th>
          <th scope="col">${this.t('admin.outgoing.recipient')}</th>
          <th scope="col">${this.t('admin.outgoing.attempts')}</th>
          <th scope="col">${this.t('admin.outgoing.lastError')}</th>
          <th scope="col">${this.t(`admin.outgoing.at.${this.filter}`)}</th>
          ${canRetry ? html`<th scope="col">${this.t('admin.outgoing.action')}</th>` : nothing}
        </tr>
      </thead>
      <tbody>
        ${mail.map(
          (m) => html`<tr>
            <td>${this.kind(m)}</td>
            <td>${this.t(m.channel === 'sms' ? 'admin.outgoing.channel.sms' : 'admin.outgoing.channel.email')}</td>
            <td>${m.recipient || html`<span class="muted">${this.t('admin.outgoing.unknownRecipient')}</span>`}</td>
            <td>${this.t('admin.outgoing.attemptsOf', { attempts: m.attempts, max: m.maxAttempts })}</td>
            <td>${m.lastError ? html`<code>${m.lastError}</code>` : html`<span class="muted">${this.t('admin.outgoing.noError')}</span>`}</td>
            <td>${m.status === 'running' ? this.t('admin.outgoing.sendingNow') : html`<time datetime=${m.at}>${when.format(new Date(m.at))}</time>`}</td>
            ${canRetry
              ? html`<td>
                  ${m.status === 'failed'
                    ? html`<button
                        class="secondary"
                        ?disabled=${this.busy}
                        aria-label=${this.t('admin.outgoing.retryLabel', { kind: this.kind(m), recipient: this.recipient(m) })}
                        @click=${() => void this.retry(m)}
                      >${this.t('admin.outgoing.retry')}</button>`
                    : nothing}
                </td>`
              : nothing}
          </tr>`,
        )}
      </tbody>
    </table>`;
  }

  render() {
    const loading = this.mail === null && !this.error;
    return html`<h1>${this.t('admin.outgoing.title')}</h1>
      <p>${this.t('admin.outgoing.intro')}</p>
      ${this.sms
        ? html`<p class="sms-status">${this.sms.available ? this.t('admin.outgoing.smsAvailable', { provider: this.sms.provider ?? '' }) : this.t('admin.outgoing.smsUnavailable')}</p>`
        : nothing}
      <div class="panel">
        <label
          >${this.t('admin.outgoing.show')}
          <select name="status" @change=${this.changeFilter}>
            ${FILTERS.map((f) => html`<option value=${f} ?selected=${f === this.filter}>${this.t(`admin.outgoing.status.${f}`)}</option>`)}
          </select>
        </label>
      </div>
      <p id="status" role="status" tabindex="-1" class=${this.status ? 'ok' : 'muted'}>${this.status ?? (loading ? this.t('common.loading') : nothing)}</p>
      ${this.error ? html`<p id="error" class="error" role="alert" tabindex="-1">${this.error}</p>` : nothing}
      ${this.mail === null ? nothing : this.mail.length === 0 ? html`<p class="muted">${this.t(`admin.outgoing.empty.${this.filter}`)}</p>` : this.table(this.mail)}`;
  }
}

defineOnce('sm-outgoing-mail-page', SmOutgoingMailPage);

declare global {
  interface HTMLElementTagNameMap {
    'sm-outgoing-mail-page': SmOutgoingMailPage;
  }
}
