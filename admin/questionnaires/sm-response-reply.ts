/**
 * @summary "Reply to patient" about a response: a message to the patient in a secure conversation
 * (the one already opened about this assignment, or a new one) whose first lines name the
 * questionnaire and its date; no answer is copied, and the patient's e-mail only says a message waits.
 * @fires sm-response-replied - the message was sent; detail `{ threadId }` (the page opens that conversation).
 */
import { LitElement, css, html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { defineOnce } from '../../shared/define-once.js';
import { describeFailure } from '../../shared/error-text.js';
import { translate, type MessageKey } from '../../shared/i18n-all.js';
import type { Lang } from '../../shared/lang.js';
import { adminStyles } from '../styles.js';
import type { ResponsesAdminApi } from './response-api.js';

export class SmResponseReply extends LitElement {
  static styles = [
    adminStyles,
    css`
      textarea {
        min-height: 7rem;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
      }
    `,
  ];

  @property({ attribute: false }) api!: ResponsesAdminApi;
  @property() lang: Lang = 'en';
  @property({ attribute: 'assignment-id' }) assignmentId = '';
  @property({ attribute: 'patient-name' }) patientName = '';

  @state() private open = false;
  @state() private busy = false;
  @state() private error: string | null = null;
  /** The message's id, kept across retries of one message so the server sends it once. */
  private messageId = '';

  private t(key: MessageKey, vars?: Record<string, string | number>) {
    return translate(this.lang, key, vars);
  }

  private async show() {
    this.open = true;
    this.error = null;
    this.messageId = crypto.randomUUID();
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLTextAreaElement>('textarea')?.focus();
  }

  private async hide() {
    this.open = false;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLButtonElement>('#reply-open')?.focus();
  }

  private async send(e: Event) {
    e.preventDefault();
    const area = this.renderRoot.querySelector<HTMLTextAreaElement>('textarea')!;
    if (!area.value.trim()) {
      this.error = this.t('admin.qr.reply.empty');
      area.focus();
      return;
    }
    this.busy = true;
    this.error = null;
    try {
      const sent = await this.api.reply(this.assignmentId, { id: this.messageId, body: area.value });
      this.dispatchEvent(new CustomEvent('sm-response-replied', { detail: { threadId: sent.threadId }, bubbles: true, composed: true }));
    } catch (err) {
      this.error = describeFailure(this.lang, err);
      area.focus();
    } finally {
      this.busy = false;
    }
  }

  render() {
    if (!this.open) return html`<button id="reply-open" @click=${this.show}>${this.t('admin.qr.reply')}</button>`;
    return html`<form class="grid" @submit=${this.send}>
      <label
        >${this.t('admin.qr.reply.label', { name: this.patientName })}
        <textarea name="body" aria-describedby="reply-hint ${this.error ? 'reply-error' : ''}" aria-invalid=${this.error ? 'true' : 'false'}></textarea>
      </label>
      <p class="muted" id="reply-hint">${this.t('admin.qr.reply.hint')}</p>
      ${this.error ? html`<p class="error" id="reply-error" role="alert">${this.error}</p>` : nothing}
      <div class="actions">
        <button type="submit" ?disabled=${this.busy}>${this.t('admin.qr.reply.send')}</button>
        <button type="button" class="secondary" @click=${this.hide}>${this.t('admin.qr.reply.cancel')}</button>
      </div>
    </form>`;
  }
}

defineOnce('sm-response-reply', SmResponseReply);

declare global {
  interface HTMLElementTagNameMap {
    'sm-response-reply': SmResponseReply;
  }
  interface HTMLElementEventMap {
    'sm-response-replied': CustomEvent<{ threadId: string }>;
  }
}
