/**
 * @summary The patient's secure messages: conversations (unread first), one conversation with its
 * replies, and a new message with the clinic's expectations shown first. New replies arrive live.
 * @fires sm-message-sent - a message reached the clinic.
 */
import { LitElement, html, css, nothing } from 'lit';
import { property, state, query } from 'lit/decorators.js';
import { defineOnce } from '../../shared/define-once.js';
import { ApiError } from '../../shared/fetch-json.js';
import { translate, type MessageKey } from '../../shared/i18n.js';
import type { Lang } from '../../shared/lang.js';
import { WEEKDAYS, type MessagingRules, type ThreadDetail, type ThreadSummary, type WeeklySchedule } from '../../shared/messaging.js';
import type { PatientApi } from './patient-api.js';
import type { SmMessageEditor } from './sm-message-editor.js';
import { frameStyles } from './styles.js';
import './sm-message-editor.js';

type Screen = { name: 'list' } | { name: 'compose' } | { name: 'thread'; id: string };

export class SmMessagesView extends LitElement {
  static styles = [
    frameStyles,
    css`
      ul.threads {
        list-style: none;
        padding: 0;
        margin: 0.5rem 0;
        display: grid;
        gap: 0.5rem;
      }
      ul.threads button {
        width: 100%;
        text-align: left;
        background: var(--sm-surface, #fff);
        color: var(--sm-text, #1f2933);
        border: 1px solid var(--sm-border, #c5ced6);
        font-weight: normal;
      }
      .unread {
        font-weight: 700;
      }
      .badge {
        background: var(--sm-accent, #00587c);
        color: var(--sm-accent-contrast, #fff);
        border-radius: 1rem;
        padding: 0 0.5rem;
        margin-left: 0.5rem;
        font-size: 0.85em;
      }
      ol.messages {
        list-style: none;
        padding: 0;
        display: grid;
        gap: 0.75rem;
      }
      ol.messages li {
        border-left: 4px solid var(--sm-border, #c5ced6);
        padding: 0.25rem 0.75rem;
      }
      ol.messages li[data-author='patient'] {
        border-left-color: var(--sm-accent, #00587c);
      }
      .body {
        white-space: pre-wrap;
      }
      select,
      input[type='text'] {
        font: inherit;
        padding: 0.45rem;
      }
    `,
  ];

  @property() lang: Lang = 'en';
  @property({ attribute: false }) api!: PatientApi;

  @state() private rules: MessagingRules | null = null;
  @state() private threads: ThreadSummary[] = [];
  @state() private screen: Screen = { name: 'list' };
  @state() private detail: ThreadDetail | null = null;
  @state() private busy = false;
  @state() private error: string | null = null;
  @state() private status: string | null = null;
  @query('sm-message-editor') private editor?: SmMessageEditor;
  /** The id of the message being sent: kept across retries so the server stores it once. */
  private pendingId: string | null = null;
  private stopListening: (() => void) | null = null;

  private t(key: MessageKey, vars?: Record<string, string | number>) {
    return translate(this.lang, key, vars);
  }

  connectedCallback(): void {
    super.connectedCallback();
    void this.refresh();
    this.stopListening = this.api.listen((e) => void this.onLiveEvent(e.threadId));
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopListening?.();
  }

  private async onLiveEvent(threadId: string) {
    if (this.screen.name === 'thread' && this.screen.id === threadId) this.detail = await this.api.thread(threadId);
    this.threads = await this.api.threads();
  }

  private async refresh() {
    try {
      [this.rules, this.threads] = await Promise.all([this.api.messagingRules(), this.api.threads()]);
    } catch {
      this.error = this.t('common.error');
    }
  }

  private async open(id: string) {
    this.status = null;
    this.error = null;
    this.screen = { name: 'thread', id };
    this.detail = await this.api.thread(id);
    this.threads = this.threads.map((t) => (t.id === id ? { ...t, unread: 0 } : t));
  }

  private async send(e: CustomEvent<{ body: string; files: File[] }>, form?: HTMLFormElement) {
    this.busy = true;
    this.error = null;
    this.status = null;
    try {
      const attachmentIds = [];
      for (const file of e.detail.files) attachmentIds.push((await this.api.upload(file)).id);
      this.pendingId ??= crypto.randomUUID();
      let threadId: string;
      if (this.screen.name === 'thread') {
        threadId = (await this.api.reply(this.screen.id, { id: this.pendingId, body: e.detail.body, attachmentIds })).threadId;
      } else {
        const f = new FormData(form);
        threadId = (await this.api.startThread({ id: this.pendingId, subject: String(f.get('subject') ?? ''), category: String(f.get('category')), body: e.detail.body, attachmentIds })).threadId;
      }
      this.pendingId = null;
      this.editor?.clear();
      this.status = this.t('msg.sent');
      this.dispatchEvent(new CustomEvent('sm-message-sent', { bubbles: true, composed: true }));
      this.threads = await this.api.threads();
      await this.open(threadId);
      this.status = this.t('msg.sent');
    } catch (err) {
      // The server refused (limit, closed, quota...): its sentence is shown, the text stays in the box.
      if (err instanceof ApiError && err.status >= 400 && err.status < 500 && err.code !== 'id_conflict') this.pendingId = null;
      this.error = err instanceof ApiError && err.status > 0 && err.status < 500 ? err.message : this.t('common.offline');
    } finally {
      this.busy = false;
    }
  }

  private async download(id: string, name: string) {
    const url = URL.createObjectURL(await this.api.download(id));
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  private hoursText(hours: WeeklySchedule): string {
    return WEEKDAYS.filter((d) => hours[d].length)
      .map((d) => `${this.t(`msg.day.${d}`)} ${hours[d].map((r) => `${r.start}–${r.end}`).join(', ')}`)
      .join('; ');
  }

  private when(iso: string): string {
    return new Date(iso).toLocaleString(this.lang === 'fr' ? 'fr-CA' : 'en-CA', { weekday: 'long', day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit', timeZone: this.rules?.timeZone });
  }

  private expectations(r: MessagingRules) {
    return html`<div class="notice" role="note">
      <h3>${this.t('msg.expect.title')}</h3>
      <p><strong>${r.emergencyNotice[this.lang]}</strong></p>
      <p>${this.t('msg.expect.response', { days: r.responseBusinessDays })}</p>
      <p>${this.t('msg.expect.hours', { hours: this.hoursText(r.hours) })}</p>
      <p>${r.openNow ? this.t('msg.expect.openNow') : r.nextOpening ? this.t(r.acceptNewOutsideHours ? 'msg.expect.closedNow' : 'msg.expect.closedNoNew', { when: this.when(r.nextOpening) }) : nothing}</p>
      ${r.weeklyThreadQuota !== null ? html`<p>${this.t('msg.expect.quota', { count: r.weeklyThreadQuota })}</p>` : nothing}
    </div>`;
  }

  private editorFor(label: string, form?: () => HTMLFormElement | undefined) {
    const r = this.rules!;
    return html`<sm-message-editor
      .lang=${this.lang}
      .label=${label}
      .limits=${{ maxChars: r.maxChars, maxWords: r.maxWords }}
      .attachmentMb=${r.attachmentMaxMb}
      .emergencyNotice=${r.emergencyNotice[this.lang]}
      .busy=${this.busy}
      @sm-editor-submit=${(e: CustomEvent<{ body: string; files: File[] }>) => this.send(e, form?.())}
    ></sm-message-editor>`;
  }

  private feedback() {
    return html`${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}${this.status ? html`<p role="status">${this.status}</p>` : nothing}`;
  }

  private list() {
    const r = this.rules!;
    const closedToNew = !r.openNow && !r.acceptNewOutsideHours;
    return html`${r.mode === 'two-way' && closedToNew
        ? html`<p class="notice">${this.t('msg.expect.closedNoNew', { when: r.nextOpening ? this.when(r.nextOpening) : '—' })}</p>`
        : r.mode === 'two-way'
        ? html`<button @click=${() => ((this.screen = { name: 'compose' }), (this.status = null), (this.error = null))}>${this.t('msg.newThread')}</button>`
        : html`<p class="muted">${this.t(r.mode === 'one-way' ? 'msg.oneWay' : 'msg.replyOnly')}</p>`}
      <h3>${this.t('msg.threads')}</h3>
      ${this.threads.length === 0
        ? html`<p class="muted">${this.t('msg.noThreads')}</p>`
        : html`<ul class="threads">
            ${this.threads.map(
              (t) => html`<li>
                <button class=${t.unread ? 'unread' : ''} @click=${() => this.open(t.id)}>
                  ${t.subject || r.categories.find((c) => c.id === t.category)?.[this.lang] || t.category}
                  ${t.unread ? html`<span class="badge">${this.t('msg.unread', { count: t.unread })}</span>` : nothing}
                  <span class="muted"> · ${new Date(t.lastMessageAt).toLocaleDateString(this.lang === 'fr' ? 'fr-CA' : 'en-CA')}</span>
                </button>
              </li>`,
            )}
          </ul>`}`;
  }

  private compose() {
    const r = this.rules!;
    return html`<button class="link" @click=${() => (this.screen = { name: 'list' })}>${this.t('msg.back')}</button>
      ${this.expectations(r)}
      <form id="meta" class="meta" @submit=${(e: Event) => e.preventDefault()}>
        <label>${this.t(r.subjectRequired ? 'msg.subject' : 'msg.subjectOptional')}
          <input type="text" name="subject" maxlength="200" ?required=${r.subjectRequired} />
        </label>
        <label>${this.t('msg.category')}
          <select name="category">${r.categories.map((c) => html`<option value=${c.id}>${c[this.lang]}</option>`)}</select>
        </label>
      </form>
      ${this.feedback()} ${this.editorFor(this.t('msg.body'), () => this.renderRoot.querySelector<HTMLFormElement>('#meta') ?? undefined)}`;
  }

  private thread() {
    const d = this.detail;
    if (!d) return html`<p role="status">${this.t('common.loading')}</p>`;
    const canReply = d.thread.status !== 'closed' && d.thread.patientMayReply && this.rules!.mode !== 'one-way';
    return html`<button class="link" @click=${() => ((this.screen = { name: 'list' }), (this.detail = null))}>${this.t('msg.back')}</button>
      <h3>${d.thread.subject}</h3>
      <ol class="messages">
        ${d.messages.map(
          (m) => html`<li data-author=${m.author}>
            <p class="muted">${m.author === 'patient' ? this.t('msg.you') : m.authorName} · <time datetime=${m.createdAt}>${new Date(m.createdAt).toLocaleString(this.lang === 'fr' ? 'fr-CA' : 'en-CA')}</time></p>
            <p class="body">${m.body}</p>
            ${m.attachments.map((a) => html`<button class="link" @click=${() => this.download(a.id, a.fileName)}>${this.t('msg.download', { name: a.fileName })}</button>`)}
          </li>`,
        )}
      </ol>
      ${this.feedback()}
      ${d.thread.status === 'closed' ? html`<p class="notice">${this.t('msg.closed')}</p>` : !canReply ? html`<p class="muted">${this.t('msg.noReplies')}</p>` : this.editorFor(this.t('msg.reply'))}`;
  }

  render() {
    if (!this.rules) return this.error ? html`<p class="error" role="alert">${this.error}</p>` : html`<p role="status">${this.t('common.loading')}</p>`;
    switch (this.screen.name) {
      case 'list':
        return this.list();
      case 'compose':
        return this.compose();
      case 'thread':
        return this.thread();
    }
  }
}

defineOnce('sm-messages-view', SmMessagesView);

declare global {
  interface HTMLElementTagNameMap {
    'sm-messages-view': SmMessagesView;
  }
}
