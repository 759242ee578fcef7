/**
 * @summary The patient's secure messages: conversations (unread first), one conversation with its
 * replies, and a new message with the clinic's expectations shown first. New replies arrive live.
 * Written offline (or when sending fails for want of a connection), a message goes to the device's
 * outbox and shows as waiting; drafts autosave while typing.
 * @fires sm-message-sent - a message reached the clinic.
 */
import { LitElement, html, css, nothing } from 'lit';
import { property, state, query } from 'lit/decorators.js';
import { defineOnce } from '../../shared/define-once.js';
import { ApiError } from '../../shared/fetch-json.js';
import { translate, type MessageKey } from '../../shared/i18n.js';
import type { Lang } from '../../shared/lang.js';
import { WEEKDAYS, type MessagingRules, type ThreadDetail, type ThreadSummary, type WeeklySchedule } from '../../shared/messaging.js';
import type { OutboxItem } from '../../shared/offline/outbox.js';
import type { PatientApi } from './patient-api.js';
import type { PatientDevice, PatientOutboxPayload } from './patient-device.js';
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
      ul.pending {
        list-style: none;
        padding: 0;
        display: grid;
        gap: 0.5rem;
      }
      ul.pending li {
        border: 1px dashed var(--sm-border-strong, #616e7c);
        padding: 0.25rem 0.75rem;
      }
      ul.pending li[data-status='refused'] {
        border: 2px solid var(--sm-danger, #b3261e);
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
  /** The on-device outbox and drafts; null when the device keeps nothing (then sending needs a connection). */
  @property({ attribute: false }) device: PatientDevice | null = null;

  @state() private rules: MessagingRules | null = null;
  @state() private threads: ThreadSummary[] = [];
  @state() private screen: Screen = { name: 'list' };
  @state() private detail: ThreadDetail | null = null;
  @state() private busy = false;
  @state() private error: string | null = null;
  @state() private status: string | null = null;
  /** The last refresh could not reach the server. */
  @state() private offline = false;
  @state() private pending: Array<OutboxItem<PatientOutboxPayload>> = [];
  /** A saved draft to put back in the box when a screen opens. */
  @state() private draft = '';
  private draftTimer: ReturnType<typeof setTimeout> | undefined;
  @query('sm-message-editor') private editor?: SmMessageEditor;
  /** The id of the message being sent: kept across retries so the server stores it once. */
  private pendingId: string | null = null;
  private stopListening: (() => void) | null = null;

  private t(key: MessageKey, vars?: Record<string, string | number>) {
    return translate(this.lang, key, vars);
  }

  private readonly onDeviceChange = () => void this.loadPending();
  private readonly onDelivered = () => void this.refresh();
  private readonly onOnline = () => void this.refresh();

  connectedCallback(): void {
    super.connectedCallback();
    void this.refresh();
    this.stopListening = this.api.listen((e) => void this.onLiveEvent(e.threadId));
    this.watch(this.device);
    addEventListener('online', this.onOnline);
  }

  protected willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('device') && this.isConnected) {
      this.unwatch(changed.get('device') as PatientDevice | null | undefined);
      this.watch(this.device);
    }
  }

  private watch(device: PatientDevice | null) {
    device?.addEventListener('change', this.onDeviceChange);
    device?.addEventListener('delivered', this.onDelivered);
    void this.loadPending();
  }

  private unwatch(device: PatientDevice | null | undefined) {
    device?.removeEventListener('change', this.onDeviceChange);
    device?.removeEventListener('delivered', this.onDelivered);
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopListening?.();
    this.unwatch(this.device);
    removeEventListener('online', this.onOnline);
    clearTimeout(this.draftTimer);
  }

  private async loadPending() {
    this.pending = this.device ? await this.device.outbox.items() : [];
  }

  private get draftKey(): string {
    return this.screen.name === 'thread' ? `reply:${this.screen.id}` : 'new';
  }

  /** Shows a screen and puts back its draft, if one was saved on this device. */
  private async show(screen: Screen) {
    this.screen = screen;
    this.status = null;
    this.error = null;
    this.draft = '';
    this.draft = (await this.device?.loadDraft(this.draftKey)) ?? '';
  }

  private onEditorInput(e: CustomEvent<{ value: string }>) {
    const key = this.draftKey;
    clearTimeout(this.draftTimer);
    this.draftTimer = setTimeout(() => void this.device?.saveDraft(key, e.detail.value).catch(() => undefined), 400);
  }

  private async onLiveEvent(threadId: string) {
    try {
      if (this.screen.name === 'thread' && this.screen.id === threadId) this.detail = await this.api.thread(threadId);
      this.threads = await this.api.threads();
    } catch {
      // The connection went as the event came: the next refresh (on `online`) catches up.
    }
  }

  private async refresh() {
    const [rules, threads] = await Promise.allSettled([this.api.messagingRules(), this.api.threads()]);
    // The rules may come from the service worker's cache while the conversations cannot.
    if (rules.status === 'fulfilled') this.rules = rules.value;
    if (threads.status === 'fulfilled') this.threads = threads.value;
    const failure = [rules, threads].find((r) => r.status === 'rejected')?.reason as unknown;
    this.offline = failure instanceof ApiError && failure.status === 0;
    if (failure && !this.offline) this.error = this.t('common.error');
    else if (this.error === this.t('common.error')) this.error = null;
    if (!this.offline && this.screen.name === 'thread') this.detail = await this.api.thread(this.screen.id).catch(() => this.detail);
  }

  private async open(id: string) {
    await this.show({ name: 'thread', id });
    try {
      this.detail = await this.api.thread(id);
    } catch (err) {
      this.offline = err instanceof ApiError && err.status === 0;
      this.error = this.offline ? this.t('offline.threadsHidden') : this.t('common.error');
      return;
    }
    this.threads = this.threads.map((t) => (t.id === id ? { ...t, unread: 0 } : t));
  }

  private async send(e: CustomEvent<{ body: string; files: File[] }>, form?: HTMLFormElement) {
    this.busy = true;
    this.error = null;
    this.status = null;
    const f = new FormData(form);
    const reply = this.screen.name === 'thread' ? this.screen.id : null;
    const subject = String(f.get('subject') ?? '');
    const category = String(f.get('category') ?? '');
    const label = reply ? (this.detail?.thread.subject ?? '') : subject || (this.rules?.categories.find((c) => c.id === category)?.[this.lang] ?? category);
    const draftKey = this.draftKey;
    this.pendingId ??= crypto.randomUUID();
    const attachmentIds: string[] = [];
    try {
      if (!navigator.onLine && this.device) throw new ApiError(0, 'network', 'offline');
      for (const file of e.detail.files) attachmentIds.push((await this.api.upload(file)).id);
      const threadId = reply
        ? (await this.api.reply(reply, { id: this.pendingId, body: e.detail.body, attachmentIds })).threadId
        : (await this.api.startThread({ id: this.pendingId, subject, category, body: e.detail.body, attachmentIds })).threadId;
      this.sent(draftKey);
      this.dispatchEvent(new CustomEvent('sm-message-sent', { bubbles: true, composed: true }));
      this.threads = await this.api.threads();
      await this.open(threadId);
      this.status = this.t('msg.sent');
    } catch (err) {
      const notNow = err instanceof ApiError && (err.status === 0 || err.status >= 500);
      if (notNow && this.device && attachmentIds.length === e.detail.files.length) {
        // No connection: the message waits on the device, sealed, and is sent exactly once later.
        await this.device.outbox.add(reply ? 'reply' : 'thread', reply, { body: e.detail.body, attachmentIds, subject, category, label }, this.pendingId);
        this.sent(draftKey);
        if (!reply) await this.show({ name: 'list' });
        this.status = this.t('outbox.queued');
      } else if (notNow) {
        this.error = e.detail.files.length ? this.t('outbox.noFilesOffline') : this.t('common.offline');
      } else {
        // The server refused (limit, closed, quota...): its sentence is shown, the text stays in the box.
        if (err instanceof ApiError && err.code !== 'id_conflict') this.pendingId = null;
        this.error = err instanceof ApiError ? err.message : this.t('common.error');
      }
    } finally {
      this.busy = false;
    }
  }

  /** The message is with the server or in the outbox: empty the box and forget its draft. */
  private sent(draftKey: string) {
    this.pendingId = null;
    this.editor?.clear();
    this.draft = '';
    clearTimeout(this.draftTimer);
    void this.device?.clearDraft(draftKey).catch(() => undefined);
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
      .value=${this.draft}
      @sm-editor-input=${this.onEditorInput}
      @sm-editor-submit=${(e: CustomEvent<{ body: string; files: File[] }>) => this.send(e, form?.())}
    ></sm-message-editor>`;
  }

  private feedback() {
    return html`${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}${this.status ? html`<p role="status">${this.status}</p>` : nothing}`;
  }

  private pendingList(items: Array<OutboxItem<PatientOutboxPayload>>) {
    if (!items.length) return nothing;
    return html`<ul class="pending" aria-label=${this.t('outbox.title')}>
      ${items.map(
        (i) => html`<li data-status=${i.status}>
          <p class=${i.status === 'refused' ? 'error' : 'muted'}>
            ${i.status === 'refused' ? this.t('outbox.refused', { reason: i.reason ?? '' }) : this.t('outbox.waiting')}${i.kind === 'thread' && i.payload ? html` · ${this.t('outbox.newThread', { subject: i.payload.label })}` : nothing}
          </p>
          ${i.payload ? html`<p class="body">${i.payload.body}</p>` : html`<p class="muted">${this.t('outbox.locked')}</p>`}
          ${i.status === 'refused' ? html`<button class="link" @click=${() => this.device?.outbox.discard(i.seq)}>${this.t('outbox.discard')}</button>` : nothing}
        </li>`,
      )}
    </ul>`;
  }

  private list() {
    const r = this.rules!;
    const closedToNew = !r.openNow && !r.acceptNewOutsideHours;
    return html`${r.mode === 'two-way' && closedToNew
        ? html`<p class="notice">${this.t('msg.expect.closedNoNew', { when: r.nextOpening ? this.when(r.nextOpening) : '—' })}</p>`
        : r.mode === 'two-way'
        ? html`<button @click=${() => this.show({ name: 'compose' })}>${this.t('msg.newThread')}</button>`
        : html`<p class="muted">${this.t(r.mode === 'one-way' ? 'msg.oneWay' : 'msg.replyOnly')}</p>`}
      ${this.feedback()}
      ${this.pending.length ? html`<h3>${this.t('outbox.title')}</h3>${this.pendingList(this.pending)}` : nothing}
      <h3>${this.t('msg.threads')}</h3>
      ${this.offline ? html`<p class="notice">${this.t('offline.threadsHidden')}</p>` : nothing}
      ${this.threads.length === 0 && !this.offline
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
    return html`<button class="link" @click=${() => this.show({ name: 'list' })}>${this.t('msg.back')}</button>
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
    if (!d) return html`<button class="link" @click=${() => this.show({ name: 'list' })}>${this.t('msg.back')}</button>${this.error ? this.feedback() : html`<p role="status">${this.t('common.loading')}</p>`}`;
    const canReply = d.thread.status !== 'closed' && d.thread.patientMayReply && this.rules!.mode !== 'one-way';
    const id = this.screen.name === 'thread' ? this.screen.id : '';
    return html`<button class="link" @click=${() => ((this.detail = null), this.show({ name: 'list' }))}>${this.t('msg.back')}</button>
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
      ${this.pendingList(this.pending.filter((p) => p.target === id))}
      ${this.feedback()}
      ${d.thread.status === 'closed' ? html`<p class="notice">${this.t('msg.closed')}</p>` : !canReply ? html`<p class="muted">${this.t('msg.noReplies')}</p>` : this.editorFor(this.t('msg.reply'))}`;
  }

  render() {
    if (!this.rules) {
      if (this.offline) return html`<p class="notice">${this.t('offline.threadsHidden')}</p>${this.pendingList(this.pending)}`;
      return this.error ? html`<p class="error" role="alert">${this.error}</p>` : html`<p role="status">${this.t('common.loading')}</p>`;
    }
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
