/**
 * @summary The patient's secure messages: conversations (unread first), one conversation with its
 * replies, and a new message with the clinic's expectations shown first (with how many new
 * conversations are left this week; in a reply-only clinic, in each conversation too). The category
 * starts on "Choose a category" and must be chosen. New replies arrive live. A conversation opens on
 * its newest messages; "Earlier messages" above them loads the page before (focus goes to the first
 * message it brought, and how many came is announced); live updates keep the pages already loaded.
 * Written offline (or when sending fails for want of a connection), a message goes to the device's
 * outbox and shows as waiting; drafts autosave while typing. Refusals are worded from their code in
 * the reader's language, beside the field they are about; after each screen change focus moves to
 * the new screen's heading (or the field to fix), and new messages are announced politely.
 * @fires sm-message-sent - a message reached the clinic; detail `{ kind: 'conversation' | 'reply' }`.
 * @fires sm-session-ended - a read found the session ended on the server: the frame shows its sign-in.
 */
import { LitElement, html, css, nothing } from 'lit';
import { property, state, query } from 'lit/decorators.js';
import { defineOnce } from '../../shared/define-once.js';
import { ApiError } from '../../shared/fetch-json.js';
import { describeRefusal, type Refusal } from '../../shared/error-text.js';
import { translate, type MessageKey } from '../../shared/i18n.js';
import { formatClock, formatDate, formatDateTime, formatShortDateTime, sentence, translatePlural } from '../../shared/intl.js';
import type { Lang } from '../../shared/lang.js';
import type { MessagingRules, PatientMessagingStatus, ThreadDetail, ThreadSummary, WeeklySchedule } from '../../shared/messaging.js';
import { mergeNewest, withEarlier } from '../../shared/message-pages.js';
import { WEEKDAYS } from '../../shared/weekdays.js';
import type { OutboxItem } from '../../shared/offline/outbox.js';
import { fetchMessagingStatus } from './messaging-status-api.js';
import type { PatientApi } from './patient-api.js';
import type { PatientDevice, PatientOutboxPayload } from './patient-device.js';
import type { SmMessageEditor } from './sm-message-editor.js';
import { frameStyles } from './styles.js';
import './sm-message-editor.js';

type Screen = { name: 'list' } | { name: 'compose' } | { name: 'thread'; id: string };

/** Refusals about one field are shown beside it, and focus goes there. */
type Field = 'subject' | 'category' | 'body' | 'files';
const FIELD_OF: Record<string, Field> = {
  subject_required: 'subject',
  unknown_category: 'category',
  category_required: 'category',
  empty_message: 'body',
  too_long: 'body',
  too_many_words: 'body',
  file_too_large: 'files',
  unsupported_file: 'files',
  empty_file: 'files',
  upload_quota: 'files',
  file_missing: 'files',
  multipart_required: 'files',
  attachment_used: 'files',
  files_offline: 'files',
};

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
        background: var(--sm-accent, var(--sm-brand, #00587c));
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
      ol.messages li:focus-visible {
        outline: 3px solid var(--sm-focus, var(--sm-accent, var(--sm-brand, #00587c)));
        outline-offset: 2px;
      }
      .earlier {
        margin: 0.5rem 0 0;
      }
      ol.messages li[data-author='patient'] {
        border-left-color: var(--sm-accent, var(--sm-brand, #00587c));
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
        /* Never wider than the frame (a long category name would push the page sideways at 320 px). */
        max-width: 100%;
        min-width: 0;
        box-sizing: border-box;
      }
      form.meta {
        margin-bottom: 0.75rem;
      }
      .body,
      ul.threads button {
        overflow-wrap: anywhere;
      }
    `,
  ];

  @property() lang: Lang = 'en';
  @property({ attribute: false }) api!: PatientApi;
  /** The on-device outbox and drafts; null when the device keeps nothing (then sending needs a connection). */
  @property({ attribute: false }) device: PatientDevice | null = null;

  @state() private rules: MessagingRules | null = null;
  /** The patient's standing under the weekly limit; null when unknown (offline) or not yet loaded. */
  @state() private quota: PatientMessagingStatus | null = null;
  @state() private threads: ThreadSummary[] = [];
  @state() private screen: Screen = { name: 'list' };
  /** The open conversation: its newest page and the earlier pages the patient loaded (`earlierCursor`: where the rest continue). */
  @state() private detail: ThreadDetail | null = null;
  @state() private loadingEarlier = false;
  /** The patient paged back in the open conversation (its start is then marked). */
  @state() private pagedBack = false;
  @state() private busy = false;
  @state() private error: string | null = null;
  @state() private status: string | null = null;
  /** A refusal about one field of the form, shown beside that field. */
  @state() private fieldError: { field: Field; text: string } | null = null;
  /** The polite live region's text: new messages that arrived while the patient was here. */
  @state() private announcement = '';
  /** The last refresh could not reach the server. */
  @state() private offline = false;
  @state() private pending: Array<OutboxItem<PatientOutboxPayload>> = [];
  /** A saved draft to put back in the box when a screen opens. */
  @state() private draft = '';
  private draftTimer: ReturnType<typeof setTimeout> | undefined;
  private unsavedDraft: { key: string; value: string } | null = null;
  @query('sm-message-editor') private editor?: SmMessageEditor;
  /** The id of the message being sent: kept across retries so the server stores it once. */
  private pendingId: string | null = null;
  private stopListening: (() => void) | null = null;
  /** Bumped at each read or change of the conversation list: an older read that answers later does not replace it. */
  private threadsVersion = 0;

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
    if (device && this.unsavedDraft) void device.saveDraft(this.unsavedDraft.key, this.unsavedDraft.value).catch(() => undefined);
    else if (device && !this.editor?.value) void this.restoreDraft(device);
    if (device) this.unsavedDraft = null;
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

  /** Shows a screen and puts back its draft, if one was saved on this device (without waiting for it: reading it can take a while). */
  private show(screen: Screen) {
    this.screen = screen;
    this.status = null;
    this.error = null;
    this.fieldError = null;
    this.draft = '';
    if (this.device) void this.restoreDraft(this.device);
  }

  /**
   * Puts back the screen's saved draft, unless the patient has started typing or gone to another
   * screen meanwhile: reading it waits for the device keys, which come late on a slow phone.
   */
  private async restoreDraft(device: PatientDevice) {
    const screen = this.screen;
    const saved = await device.loadDraft(this.draftKey).catch(() => null);
    if (saved && screen === this.screen && !this.editor?.value) this.draft = saved;
  }

  /** After a screen change: focus its heading (a programmatic target, tabindex=-1), once it is drawn. */
  private async focusHeading() {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('[data-screen-heading]')?.focus();
  }

  /** Says `text` in the polite live region (cleared first, so the same sentence twice is said twice). */
  private async announce(text: string) {
    this.announcement = '';
    await this.updateComplete;
    this.announcement = text;
  }

  private subjectOf(t: { subject: string; category: string }): string {
    return t.subject || this.rules?.categories.find((c) => c.id === t.category)?.[this.lang] || t.category;
  }

  /** A refusal in the reader's language, times in the clinic's zone. */
  /**
   * A read found that the server no longer knows the session (expired, or ended elsewhere): the frame
   * ends it here too and shows its sign-in, saying why. (A refused send keeps its text in the box
   * instead, so the patient can copy it before signing in again.)
   */
  private sessionEnded(err: unknown): boolean {
    if (!(err instanceof ApiError) || err.status !== 401) return false;
    this.dispatchEvent(new CustomEvent('sm-session-ended', { bubbles: true, composed: true }));
    return true;
  }

  private word(refusal: Refusal): string {
    return describeRefusal(this.lang, refusal, { timeZone: this.rules?.timeZone });
  }

  private onEditorInput(e: CustomEvent<{ value: string }>) {
    const draft = { key: this.draftKey, value: e.detail.value };
    clearTimeout(this.draftTimer);
    this.draftTimer = setTimeout(() => {
      // Typed before the device session was ready (just after sign-in): kept until it is.
      this.unsavedDraft = this.device ? null : draft;
      void this.device?.saveDraft(draft.key, draft.value).catch(() => undefined);
    }, 400);
  }

  private async onLiveEvent(threadId: string) {
    try {
      let arrived: string | null = null;
      if (this.screen.name === 'thread' && this.screen.id === threadId) {
        const seen = new Set(this.detail?.messages.map((m) => m.id));
        const detail = await this.api.thread(threadId);
        if (this.screen.name === 'thread' && this.screen.id === threadId) {
          if (this.detail && detail.messages.some((m) => !seen.has(m.id) && m.author !== 'patient')) arrived = this.subjectOf(detail.thread);
          this.detail = this.joined(detail);
        }
      }
      const before = new Map(this.threads.map((t) => [t.id, t.unread]));
      await this.readThreads();
      const fresh = this.threads.find((t) => t.id === threadId && t.unread > (before.get(t.id) ?? 0));
      arrived ??= fresh ? this.subjectOf(fresh) : null;
      if (arrived !== null) await this.announce(this.t('msg.live.newMessage', { subject: arrived }));
    } catch {
      // The connection went as the event came: the next refresh (on `online`) catches up.
    }
  }

  /** Reads the conversation list (kept unless a newer read or change came first). */
  private async readThreads() {
    const version = ++this.threadsVersion;
    const threads = await this.api.threads();
    if (version === this.threadsVersion) this.threads = threads;
  }

  private async refresh() {
    const version = ++this.threadsVersion;
    const [rules, threads, quota] = await Promise.allSettled([this.api.messagingRules(), this.api.threads(), fetchMessagingStatus(this.api)]);
    // The rules may come from the service worker's cache while the conversations cannot.
    if (rules.status === 'fulfilled') this.rules = rules.value;
    // Unknown (offline): only the clinic's limit is said, not a count that may be stale.
    this.quota = quota.status === 'fulfilled' ? quota.value : null;
    // A live update may have read the list again while the rest of this refresh was slow.
    if (threads.status === 'fulfilled' && version === this.threadsVersion) this.threads = threads.value;
    const failure = [rules, threads].find((r) => r.status === 'rejected')?.reason as unknown;
    if (this.sessionEnded(failure)) return;
    this.offline = failure instanceof ApiError && failure.status === 0;
    if (failure && !this.offline) this.error = this.t('common.error');
    else if (this.error === this.t('common.error')) this.error = null;
    if (!this.offline && this.screen.name === 'thread') {
      const id = this.screen.id;
      const fresh = await this.api.thread(id).catch(() => null);
      if (fresh && this.screen.name === 'thread' && this.screen.id === id) this.detail = this.joined(fresh);
    }
  }

  /** A fresh read of a conversation (its newest page), joined with the earlier pages already shown of it. */
  private joined(fresh: ThreadDetail): ThreadDetail {
    const shown = this.detail?.thread.id === fresh.thread.id ? this.detail : null;
    const merged = mergeNewest(shown?.messages ?? [], fresh);
    if (!merged.kept) this.pagedBack = false;
    return { ...fresh, messages: merged.messages, earlierCursor: merged.kept && shown ? shown.earlierCursor : fresh.earlierCursor };
  }

  /** Loads the page before the oldest message shown, focuses its first message and announces how many came. */
  private async loadEarlier() {
    const d = this.detail;
    if (!d?.earlierCursor || this.loadingEarlier) return;
    this.loadingEarlier = true;
    this.error = null;
    try {
      const page = await this.api.threadMessages(d.thread.id, d.earlierCursor);
      const now = this.detail;
      if (now?.thread.id !== d.thread.id) return;
      this.detail = { ...now, messages: withEarlier(now.messages, page.messages), earlierCursor: page.earlierCursor };
      this.pagedBack = true;
      await this.announce(translatePlural(this.lang, 'conversation.earlierLoaded', page.messages.length));
      const first = page.messages[0];
      if (first) this.renderRoot.querySelector<HTMLElement>(`li[data-id="${first.id}"]`)?.focus();
    } catch (err) {
      if (this.sessionEnded(err)) return;
      this.error = err instanceof ApiError ? this.word(err) : this.t('common.error');
    } finally {
      this.loadingEarlier = false;
    }
  }

  private async open(id: string) {
    this.show({ name: 'thread', id });
    try {
      this.detail = this.joined(await this.api.thread(id));
    } catch (err) {
      if (this.sessionEnded(err)) return;
      this.offline = err instanceof ApiError && err.status === 0;
      this.error = this.offline ? this.t('offline.threadsHidden') : err instanceof ApiError ? this.word(err) : this.t('common.error');
      await this.focusHeading();
      return;
    }
    this.threadsVersion++;
    this.threads = this.threads.map((t) => (t.id === id ? { ...t, unread: 0 } : t));
    await this.focusHeading();
  }

  private async backToList() {
    this.detail = null;
    this.pagedBack = false;
    this.show({ name: 'list' });
    await this.focusHeading();
  }

  private async compose() {
    this.show({ name: 'compose' });
    await this.focusHeading();
  }

  /** Shows a refusal beside its field (and focuses it), or above the form (and focuses the sentence). */
  private async refuse(refusal: Refusal) {
    const text = this.word(refusal);
    let field = Object.hasOwn(FIELD_OF, refusal.code) ? FIELD_OF[refusal.code]! : null;
    if ((field === 'subject' || field === 'category') && this.screen.name !== 'compose') field = null;
    if (field === 'body' || field === 'files') {
      const editor = this.editor;
      if (editor) {
        editor.fieldError = { field, text };
        await editor.focusField(field);
        return;
      }
    }
    if (field === 'subject' || field === 'category') {
      this.fieldError = { field, text };
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>(`[name=${field}]`)?.focus();
      return;
    }
    this.error = text;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('#send-error')?.focus();
  }

  private async send(e: CustomEvent<{ body: string; files: File[]; emergencyOverride: boolean }>, form?: HTMLFormElement) {
    this.busy = true;
    this.error = null;
    this.status = null;
    this.fieldError = null;
    if (this.editor) this.editor.fieldError = null;
    const f = new FormData(form);
    const reply = this.screen.name === 'thread' ? this.screen.id : null;
    const subject = String(f.get('subject') ?? '');
    const category = String(f.get('category') ?? '');
    const label = reply ? (this.detail?.thread.subject ?? '') : subject || (this.rules?.categories.find((c) => c.id === category)?.[this.lang] ?? category);
    const draftKey = this.draftKey;
    // What the server would refuse anyway is said before anything is uploaded (it keeps the last word).
    const early = this.precheck(reply, subject, category, e.detail.files);
    if (early) {
      this.busy = false;
      await this.refuse(early);
      return;
    }
    this.pendingId ??= crypto.randomUUID();
    const emergencyOverride = e.detail.emergencyOverride;
    const attachmentIds: string[] = [];
    try {
      if (!navigator.onLine && this.device) throw new ApiError(0, 'network', 'offline');
      for (const file of e.detail.files) attachmentIds.push((await this.api.upload(file)).id);
      const threadId = reply
        ? (await this.api.reply(reply, { id: this.pendingId, body: e.detail.body, attachmentIds, ...(emergencyOverride ? { emergencyOverride } : {}) })).threadId
        : (await this.api.startThread({ id: this.pendingId, subject, category, body: e.detail.body, attachmentIds, ...(emergencyOverride ? { emergencyOverride } : {}) })).threadId;
      this.sent(draftKey);
      this.dispatchEvent(new CustomEvent('sm-message-sent', { bubbles: true, composed: true, detail: { kind: reply ? 'reply' : 'conversation' } }));
      await this.readThreads();
      if (!reply) this.quota = await fetchMessagingStatus(this.api).catch(() => null);
      await this.open(threadId);
      this.status = this.t('msg.sent');
    } catch (err) {
      const notNow = err instanceof ApiError && (err.status === 0 || err.status >= 500);
      if (notNow && this.device && attachmentIds.length === e.detail.files.length) {
        // No connection: the message waits on the device, sealed, and is sent exactly once later.
        await this.device.outbox.add(reply ? 'reply' : 'thread', reply, { body: e.detail.body, attachmentIds, subject, category, label, ...(emergencyOverride ? { emergencyOverride } : {}) }, this.pendingId);
        this.sent(draftKey);
        if (!reply) this.show({ name: 'list' });
        this.status = this.t('outbox.queued');
        if (!reply) await this.focusHeading();
      } else if (notNow) {
        await this.refuse({ code: e.detail.files.length ? 'files_offline' : 'network' });
      } else {
        // The server refused (limit, closed, quota...): worded from its code, beside its field; the text stays in the box.
        if (err instanceof ApiError && err.code !== 'id_conflict') this.pendingId = null;
        await this.refuse(err instanceof ApiError ? err : { code: 'internal' });
      }
    } finally {
      this.busy = false;
    }
  }

  /** A refusal the clinic's rules make certain (a missing subject or category, a file over the size cap), or null. */
  private precheck(reply: string | null, subject: string, category: string, files: File[]): Refusal | null {
    const r = this.rules;
    if (!r) return null;
    if (!reply && r.subjectRequired && !subject.trim()) return { code: 'subject_required' };
    if (!reply && r.categories.length > 0 && !category) return { code: 'category_required' };
    if (files.some((f) => f.size > r.attachmentMaxMb * 1024 * 1024)) return { code: 'file_too_large', params: { maxMb: r.attachmentMaxMb } };
    return null;
  }

  /** The message is with the server or in the outbox: empty the box and forget its draft. */
  private sent(draftKey: string) {
    this.pendingId = null;
    this.editor?.clear();
    this.draft = '';
    clearTimeout(this.draftTimer);
    this.unsavedDraft = null;
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
      .map((d) => `${this.t(`msg.day.${d}`)} ${hours[d].map((r) => `${formatClock(this.lang, r.start)}–${formatClock(this.lang, r.end)}`).join(', ')}`)
      .join('; ');
  }

  private when(iso: string): string {
    return formatDateTime(this.lang, iso, this.rules?.timeZone);
  }

  /**
   * What to expect before writing: the emergency line, the response time, the hours, and for a new
   * conversation the weekly limit with how many are left. A reply in a reply-only clinic gets the same
   * promise without the limit (it only counts new conversations).
   */
  private expectations(r: MessagingRules, kind: 'new' | 'reply' = 'new') {
    return html`<div class="notice" role="note">
      <h3>${this.t('msg.expect.title')}</h3>
      <p><strong>${r.emergencyNotice[this.lang]}</strong></p>
      <p>${translatePlural(this.lang, 'msg.expect.response', r.responseBusinessDays)}</p>
      <p>${sentence(this.t('msg.expect.hours', { hours: this.hoursText(r.hours) }))}</p>
      <p>${r.openNow ? this.t('msg.expect.openNow') : r.nextOpening ? sentence(this.t(kind === 'reply' || r.acceptNewOutsideHours ? 'msg.expect.closedNow' : 'msg.expect.closedNoNew', { when: this.when(r.nextOpening) })) : nothing}</p>
      ${kind === 'new' && r.weeklyThreadQuota !== null ? html`<p>${translatePlural(this.lang, 'msg.expect.quota', r.weeklyThreadQuota)} ${this.quotaLeft()}</p>` : nothing}
    </div>`;
  }

  /** "You can start 2 more new conversations this week." (or, with none left, when the next one can be started); empty when unknown. */
  private quotaLeft() {
    const q = this.quota;
    if (typeof q?.weeklyThreadsLeft !== 'number') return nothing;
    if (q.weeklyThreadsLeft > 0) return html`<strong data-quota-left>${translatePlural(this.lang, 'msg.quota.left', q.weeklyThreadsLeft)}</strong>`;
    const next = q.weeklyResetsAt ? ` ${sentence(this.t('error.weekly_quota.next', { when: this.when(q.weeklyResetsAt) }))}` : '';
    return html`<strong data-quota-left>${this.t('msg.quota.none')}${next}</strong>`;
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
      @sm-editor-submit=${(e: CustomEvent<{ body: string; files: File[]; emergencyOverride: boolean }>) => this.send(e, form?.())}
    ></sm-message-editor>`;
  }

  private feedback() {
    return html`${this.error ? html`<p id="send-error" class="error" role="alert" tabindex="-1">${this.error}</p>` : nothing}${this.status ? html`<p role="status">${this.status}</p>` : nothing}`;
  }

  /** The reason a queued message was refused, worded now in the reader's language (stored as code and parameters). */
  private refusalOf(i: OutboxItem<PatientOutboxPayload>): string {
    return i.code ? this.word({ code: i.code, params: i.params ?? undefined }) : this.t('common.error');
  }

  private pendingList(items: Array<OutboxItem<PatientOutboxPayload>>) {
    if (!items.length) return nothing;
    return html`<ul class="pending" aria-label=${this.t('outbox.title')}>
      ${items.map(
        (i) => html`<li data-status=${i.status}>
          <p class=${i.status === 'refused' ? 'error' : 'muted'}>
            ${i.status === 'refused' ? this.t('outbox.refused', { reason: this.refusalOf(i) }) : this.t('outbox.waiting')}${i.kind === 'thread' && i.payload ? html` · ${this.t('outbox.newThread', { subject: i.payload.label })}` : nothing}
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
        ? html`<button @click=${this.compose}>${this.t('msg.newThread')}</button>${typeof this.quota?.weeklyThreadsLeft === 'number' ? html`<p class="muted">${this.quotaLeft()}</p>` : nothing}`
        : html`<p class="muted">${this.t(r.mode === 'one-way' ? 'msg.oneWay' : 'msg.replyOnly')}</p>`}
      ${this.feedback()}
      ${this.pending.length ? html`<h3>${this.t('outbox.title')}</h3>${this.pendingList(this.pending)}` : nothing}
      <h3 tabindex="-1" data-screen-heading>${this.t('msg.threads')}</h3>
      ${this.offline ? html`<p class="notice">${this.t('offline.threadsHidden')}</p>` : nothing}
      ${this.threads.length === 0 && !this.offline
        ? html`<p class="muted">${this.t('msg.noThreads')}</p>`
        : html`<ul class="threads">
            ${this.threads.map(
              (t) => html`<li>
                <button class=${t.unread ? 'unread' : ''} @click=${() => this.open(t.id)}>
                  ${this.subjectOf(t)}
                  ${t.unread ? html`<span class="badge">${translatePlural(this.lang, 'msg.unread', t.unread)}</span>` : nothing}
                  <span class="muted"> · ${formatDate(this.lang, t.lastMessageAt, r.timeZone)}</span>
                </button>
              </li>`,
            )}
          </ul>`}`;
  }

  private composeScreen() {
    const r = this.rules!;
    const fe = this.fieldError;
    const invalid = (field: Field) => (fe?.field === field ? 'true' : 'false');
    const describedBy = (field: Field) => (fe?.field === field ? `${field}-error` : nothing);
    const errorAt = (field: Field) => (fe?.field === field ? html`<p id="${field}-error" class="error" role="alert">${fe.text}</p>` : nothing);
    const clear = (field: Field) => () => fe?.field === field && (this.fieldError = null);
    return html`<button class="link" @click=${this.backToList}>${this.t('msg.back')}</button>
      <h3 tabindex="-1" data-screen-heading>${this.t('msg.newThread')}</h3>
      ${this.expectations(r)}
      <form id="meta" class="meta" @submit=${(e: Event) => e.preventDefault()}>
        <label>${this.t(r.subjectRequired ? 'msg.subject' : 'msg.subjectOptional')}
          <input type="text" name="subject" maxlength="200" ?required=${r.subjectRequired} aria-invalid=${invalid('subject')} aria-describedby=${describedBy('subject')} @input=${clear('subject')} />
        </label>
        ${errorAt('subject')}
        ${r.categories.length
          ? html`<label>${this.t('msg.category')}
                <select name="category" required aria-invalid=${invalid('category')} aria-describedby=${describedBy('category')} @change=${clear('category')}>
                  <option value="" selected>${this.t('msg.category.choose')}</option>
                  ${r.categories.map((c) => html`<option value=${c.id}>${c[this.lang]}</option>`)}
                </select>
              </label>
              ${errorAt('category')}`
          : nothing}
      </form>
      ${this.feedback()} ${this.editorFor(this.t('msg.body'), () => this.renderRoot.querySelector<HTMLFormElement>('#meta') ?? undefined)}`;
  }

  private thread() {
    const d = this.detail;
    if (!d) return html`<button class="link" @click=${this.backToList}>${this.t('msg.back')}</button>${this.error ? html`<p class="error" role="alert" tabindex="-1" data-screen-heading>${this.error}</p>` : html`<p role="status">${this.t('common.loading')}</p>`}`;
    const canReply = d.thread.status !== 'closed' && d.thread.patientMayReply && this.rules!.mode !== 'one-way';
    const id = this.screen.name === 'thread' ? this.screen.id : '';
    return html`<button class="link" @click=${this.backToList}>${this.t('msg.back')}</button>
      <h3 tabindex="-1" data-screen-heading>${this.subjectOf(d.thread)}</h3>
      ${d.earlierCursor
        ? html`<p class="earlier"><button class="secondary" ?disabled=${this.loadingEarlier} @click=${this.loadEarlier}>${this.t('conversation.earlier')}</button></p>`
        : this.pagedBack
        ? html`<p class="earlier muted">${this.t('conversation.start')}</p>`
        : nothing}
      <ol class="messages">
        ${d.messages.map(
          (m) => html`<li data-id=${m.id} data-author=${m.author} tabindex="-1">
            <p class="muted">${m.author === 'patient' ? this.t('msg.you') : m.authorName} · <time datetime=${m.createdAt}>${formatShortDateTime(this.lang, m.createdAt, this.rules?.timeZone)}</time></p>
            <p class="body">${m.body}</p>
            ${m.attachments.map((a) => html`<button class="link" @click=${() => this.download(a.id, a.fileName)}>${this.t('msg.download', { name: a.fileName })}</button>`)}
          </li>`,
        )}
      </ol>
      ${this.pendingList(this.pending.filter((p) => p.target === id))}
      ${this.rules!.mode === 'reply-only' ? this.expectations(this.rules!, 'reply') : nothing}
      ${this.feedback()}
      ${d.thread.status === 'closed' ? html`<p class="notice">${this.t('msg.closed')}</p>` : !canReply ? html`<p class="muted">${this.t('msg.noReplies')}</p>` : this.editorFor(this.t('msg.reply'))}`;
  }

  render() {
    // The live region is always in the page, so that text put in it later is announced.
    return html`${this.screenContent()}<p class="visually-hidden" aria-live="polite" data-live>${this.announcement}</p>`;
  }

  private screenContent() {
    if (!this.rules) {
      if (this.offline) return html`<p class="notice">${this.t('offline.threadsHidden')}</p>${this.pendingList(this.pending)}`;
      return this.error ? html`<p class="error" role="alert">${this.error}</p>` : html`<p role="status">${this.t('common.loading')}</p>`;
    }
    switch (this.screen.name) {
      case 'list':
        return this.list();
      case 'compose':
        return this.composeScreen();
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
