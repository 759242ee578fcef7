/**
 * @summary One conversation for staff: messages and internal notes (with when the patient saw each
 * reply), the reply and the internal note as two separate tabs with their own button, templates in
 * the patient's language, due time and category, the inbox's previous/next conversation and the
 * patient's other conversations, assignment, close/reopen. New patient messages appear live.
 * It opens on the newest messages; "Earlier messages" above them loads the page before, focuses the
 * first message it brought and says how many came (live updates keep the pages already loaded).
 * A reply written without a connection waits in the device's outbox and shows as waiting here.
 */
import { css, html, nothing } from 'lit';
import { state } from 'lit/decorators.js';
import type { Patient } from '../../shared/api.js';
import { defineOnce } from '../../shared/define-once.js';
import { fillTemplate, splitName, type CannedReply, type Category, type Message, type StaffThreadDetail } from '../../shared/messaging.js';
import { mergeNewest, withEarlier } from '../../shared/message-pages.js';
import { describeRefusal, isKnownRefusal } from '../../shared/error-text.js';
import { ApiError } from '../../shared/fetch-json.js';
import { formatDateTime, formatShortDateTime } from '../../shared/intl.js';
import { translatePlural } from '../../shared/i18n-all.js';
import type { OutboxItem } from '../../shared/offline/outbox.js';
import { AdminPage } from '../admin-page.js';
import '../sm-emergency-flag.js';
import type { StaffDevice, StaffOutboxPayload } from '../staff-device.js';

type Mode = 'reply' | 'note';

export class SmThreadPage extends AdminPage {
  static styles = [
    ...AdminPage.styles,
    css`
      ol {
        list-style: none;
        padding: 0;
        display: grid;
        gap: 0.75rem;
      }
      ol > li {
        background: #fff;
        border: 1px solid #c5ced6;
        border-left: 6px solid #00587c;
        padding: 0.5rem 0.75rem;
      }
      li[data-author='patient'] {
        border-left-color: #1b6e3a;
      }
      li[data-kind='note'] {
        background: #fff8dc;
        border-left-color: #b8860b;
      }
      .body {
        white-space: pre-wrap;
      }
      .receipt {
        margin: 0.25rem 0 0;
        font-size: 0.9rem;
      }
      aside {
        overflow-wrap: anywhere;
      }
      li.pending {
        border-style: dashed;
        background: #f4f6f8;
      }
      li.pending[data-status='refused'] {
        border: 2px solid #b3261e;
      }
      .layout {
        display: grid;
        grid-template-columns: minmax(0, 3fr) minmax(14rem, 1fr);
        gap: 1rem;
      }
      /* Narrow screens (and 400 % zoom): the patient card goes below the conversation. */
      @media (max-width: 48rem) {
        .layout {
          grid-template-columns: minmax(0, 1fr);
        }
      }
      dl.meta {
        display: grid;
        grid-template-columns: max-content minmax(0, 1fr);
        gap: 0.35rem 0.75rem;
        margin: 0 0 1rem;
        align-items: center;
      }
      dl.meta dt {
        font-weight: 600;
      }
      dl.meta dd {
        margin: 0;
      }
      .neighbours {
        display: flex;
        justify-content: space-between;
        gap: 1rem;
        margin-bottom: 1rem;
      }
      [role='tablist'] {
        display: flex;
        gap: 0.25rem;
        margin-top: 1rem;
      }
      [role='tab'] {
        border-radius: 6px 6px 0 0;
        border-bottom: none;
        background: #fff;
        color: #00587c;
      }
      [role='tab'][aria-selected='true'] {
        background: #00587c;
        color: #fff;
      }
      [role='tab'].note {
        border-color: #7a5300;
        background: #fff;
        color: #7a5300;
      }
      [role='tab'].note[aria-selected='true'] {
        background: #7a5300;
        color: #fff;
      }
      [role='tab'][aria-disabled='true'] {
        opacity: 0.6;
        cursor: not-allowed;
      }
      [role='tabpanel'] {
        border-top: 4px solid #00587c;
        border-radius: 0 8px 8px 8px;
        margin-top: 0;
      }
      [role='tabpanel'].note {
        background: #fff8dc;
        border-top-color: #7a5300;
      }
      button.save-note {
        background: #7a5300;
        border-color: #7a5300;
      }
      .earlier {
        margin: 0.5rem 0 0;
      }
      ol > li:focus-visible {
        outline: 3px solid #00587c;
        outline-offset: 2px;
      }
    `,
  ];

  @state() private detail: StaffThreadDetail | null = null;
  /** The messages shown: the newest page and the earlier pages the reader loaded, oldest first. */
  @state() private messages: Message[] = [];
  /** Where the messages before the oldest shown continue; null when the first is shown. */
  @state() private earlierCursor: string | null = null;
  @state() private loadingEarlier = false;
  /** The reader paged back (the start of the conversation is then marked). */
  @state() private pagedBack = false;
  /** The polite live region's text ("20 earlier messages loaded"). */
  @state() private earlierNotice = '';
  @state() private patient: Patient | null = null;
  @state() private colleagues: Array<{ id: string; name: string }> = [];
  @state() private canned: CannedReply[] = [];
  @state() private categories: Category[] = [];
  @state() private timeZone: string | undefined = undefined;
  @state() private mode: Mode = 'reply';
  private readonly onLive = (e: Event) => {
    if ((e as CustomEvent<{ threadId: string }>).detail.threadId === this.threadId) void this.load();
  };
  /** The client id of the message being sent, per tab (kept across retries of the same text). */
  private pendingIds: Record<Mode, string | null> = { reply: null, note: null };
  @state() private pending: Array<OutboxItem<StaffOutboxPayload>> = [];
  private readonly onDeviceChange = () => void this.loadPending();
  private readonly onDelivered = () => void this.load();
  private draftTimer: ReturnType<typeof setTimeout> | undefined;
  /** The thread whose heading already got the focus (live reloads must not move it). */
  private focusedFor: string | null = null;

  private get threadId() {
    return this.routeParams.id ?? '';
  }

  private field(mode: Mode) {
    return this.renderRoot.querySelector<HTMLTextAreaElement>(`#${mode}-body`);
  }

  connectedCallback(): void {
    super.connectedCallback();
    void this.load();
    void this.api.colleagues().then((c) => (this.colleagues = c), () => undefined);
    void this.api.cannedReplies().then((c) => (this.canned = c), () => undefined);
    void this.api.messagingSettings().then(
      (s) => {
        this.categories = s.categories;
        this.timeZone = s.timeZone;
      },
      () => undefined,
    );
    this.live?.addEventListener('sm-thread-event', this.onLive);
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.live?.removeEventListener('sm-thread-event', this.onLive);
    this.watch(null, this.device);
  }

  protected willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('device')) this.watch(this.device, changed.get('device') as StaffDevice | null | undefined);
    // The same element shown for another conversation (previous/next): start again.
    const before = changed.get('routeParams') as Record<string, string> | undefined;
    if (this.hasUpdated && before && before.id !== this.threadId) {
      this.detail = null;
      this.messages = [];
      this.earlierCursor = null;
      this.pagedBack = false;
      this.earlierNotice = '';
      this.patient = null;
      this.pending = [];
      this.pendingIds = { reply: null, note: null };
      void this.load();
      void this.loadPending();
    }
  }

  protected updated(): void {
    if (this.detail && this.focusedFor !== this.detail.thread.id) {
      this.focusedFor = this.detail.thread.id;
      this.renderRoot.querySelector<HTMLElement>('h1')?.focus();
      // The conversation is on screen: a mark in the page's timeline, read by the benchmark.
      performance.mark('sm-thread-shown', { detail: { messages: this.messages.length } });
    }
  }

  protected describeError(err: unknown): string {
    return err instanceof ApiError && isKnownRefusal(err.code) ? describeRefusal(this.lang, err, { timeZone: this.timeZone }) : super.describeError(err);
  }

  private watch(next: StaffDevice | null, previous: StaffDevice | null | undefined) {
    previous?.removeEventListener('change', this.onDeviceChange);
    previous?.removeEventListener('delivered', this.onDelivered);
    next?.addEventListener('change', this.onDeviceChange);
    next?.addEventListener('delivered', this.onDelivered);
    if (next) void this.loadPending().then(() => this.restoreDrafts(next));
  }

  private async loadPending() {
    this.pending = this.device ? (await this.device.outbox.items()).filter((i) => i.target === this.threadId) : [];
  }

  /** Puts back what the staff member had started in each tab, unless they are already typing again. */
  private async restoreDrafts(device: StaffDevice) {
    await this.updateComplete;
    for (const mode of ['reply', 'note'] as const) {
      const draft = await device.loadDraft(this.draftKey(mode));
      const input = this.field(mode);
      if (draft && input && !input.value) input.value = draft;
    }
  }

  private draftKey(mode: Mode) {
    return `${mode}:${this.threadId}`;
  }

  private onInput(mode: Mode) {
    const text = this.field(mode)?.value ?? '';
    clearTimeout(this.draftTimer);
    this.draftTimer = setTimeout(() => void this.device?.saveDraft(this.draftKey(mode), text).catch(() => undefined), 400);
  }

  private load() {
    return this.run(async () => {
      const detail = await this.api.thread(this.threadId);
      this.take(detail);
      if (this.patient?.id !== detail.thread.patientId) this.patient = await this.api.patient(detail.thread.patientId);
      // A closed conversation takes notes only.
      if (detail.thread.status === 'closed') this.mode = 'note';
    });
  }

  /** Shows a fresh read of the conversation: its newest page joins the earlier pages already loaded. */
  private take(detail: StaffThreadDetail) {
    if (detail.thread.id !== this.threadId) return;
    const merged = mergeNewest(this.detail?.thread.id === detail.thread.id ? this.messages : [], detail);
    this.detail = detail;
    this.messages = merged.messages;
    if (!merged.kept) {
      this.earlierCursor = detail.earlierCursor;
      this.pagedBack = false;
    }
  }

  /** Loads the page before the oldest message shown, moves focus to its first message and says how many came. */
  private async loadEarlier() {
    const cursor = this.earlierCursor;
    const id = this.threadId;
    if (!cursor || this.loadingEarlier) return;
    this.loadingEarlier = true;
    this.error = null;
    try {
      const page = await this.api.threadMessages(id, cursor);
      if (id !== this.threadId) return;
      this.messages = withEarlier(this.messages, page.messages);
      this.earlierCursor = page.earlierCursor;
      this.pagedBack = true;
      this.earlierNotice = '';
      await this.updateComplete;
      this.earlierNotice = translatePlural(this.lang, 'conversation.earlierLoaded', page.messages.length);
      const first = page.messages[0];
      if (first) this.renderRoot.querySelector<HTMLElement>(`li[data-id="${first.id}"]`)?.focus();
    } catch (err) {
      this.error = this.describeError(err);
    } finally {
      this.loadingEarlier = false;
    }
  }

  /** Sends the reply (to the patient) or saves the note (staff only): each tab has its own form, so one can never go as the other. */
  private async send(e: SubmitEvent, mode: Mode) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const f = new FormData(form);
    const files = (f.getAll('files') as File[]).filter((x) => x.size > 0);
    const payload: StaffOutboxPayload = { body: String(f.get('body')), note: mode === 'note', attachmentIds: [] };
    const id = (this.pendingIds[mode] ??= crypto.randomUUID());
    const done = this.t(mode === 'note' ? 'admin.thread.noteSaved' : 'msg.sent');
    const ok = await this.run(async () => {
      try {
        if (!navigator.onLine && this.device && !files.length) throw new ApiError(0, 'network', 'offline');
        for (const file of files) payload.attachmentIds.push((await this.api.upload(this.detail!.thread.patientId, file)).id);
        await this.api.reply(this.threadId, { id, ...payload });
        this.status = done;
      } catch (err) {
        const notNow = err instanceof ApiError && (err.status === 0 || err.status >= 500);
        if (!notNow || !this.device || payload.attachmentIds.length !== files.length) throw err;
        // No connection: the message waits on this device (sealed) and is sent exactly once later.
        await this.device.outbox.add('reply', this.threadId, payload, id);
        this.status = this.t('outbox.queued');
      }
      this.pendingIds[mode] = null;
      clearTimeout(this.draftTimer);
      await this.device?.clearDraft(this.draftKey(mode)).catch(() => undefined);
    });
    if (ok) {
      const status = this.status;
      form.reset();
      if (status === done) await this.load();
      this.status = status;
    }
  }

  private pendingItems() {
    return this.pending.map(
      (i) => html`<li class="pending" data-status=${i.status} data-kind=${i.payload?.note ? 'note' : 'message'}>
        <p class=${i.status === 'refused' ? 'error' : 'muted'}>${i.status === 'refused' ? this.t('outbox.refused', { reason: i.code ? describeRefusal(this.lang, { code: i.code, params: i.params ?? undefined }) : this.t('common.error') }) : this.t('outbox.waiting')}</p>
        <p class="body">${i.payload ? i.payload.body : this.t('outbox.locked')}</p>
        ${i.status === 'refused' ? html`<button class="secondary" @click=${() => this.device?.outbox.discard(i.seq)}>${this.t('outbox.discard')}</button>` : nothing}
      </li>`,
    );
  }

  private async change(patch: { status?: 'open' | 'closed'; assignedTo?: string | null; category?: string }) {
    const done = await this.run(async () => {
      await this.api.updateThread(this.threadId, patch);
      this.take(await this.api.thread(this.threadId));
      if (patch.status === 'closed') this.mode = 'note';
    }, this.t('common.saved'));
    // Refused (a colleague disabled meanwhile, a category removed): the controls show the conversation and the staff as they are now.
    if (!done) await this.refresh();
    return done;
  }

  private async refresh() {
    try {
      const [detail, colleagues] = await Promise.all([this.api.thread(this.threadId), this.api.colleagues()]);
      this.take(detail);
      this.colleagues = colleagues;
      await this.updateComplete;
      for (const select of this.renderRoot.querySelectorAll('select')) select.value = select.querySelector<HTMLOptionElement>('option[selected]')?.value ?? select.value;
    } catch {
      // The refusal is already shown; the controls stay as they were.
    }
  }

  /** The patient's language: templates and their placeholders are filled in it. */
  private get patientLang() {
    return this.patient?.lang ?? this.lang;
  }

  private insertCanned(e: Event) {
    const select = e.target as HTMLSelectElement;
    const template = this.canned.find((c) => c.id === select.value);
    select.value = '';
    const input = this.field('reply');
    if (!template || !input) return;
    const { firstName, lastName } = splitName(this.patient?.name ?? this.detail?.thread.patientName ?? '');
    const text = fillTemplate(this.patientLang === 'fr' && template.bodyFr ? template.bodyFr : template.body, {
      'patient.firstName': firstName,
      'patient.lastName': lastName,
      'clinic.name': this.me.clinic.name,
      'staff.name': this.me.staff.name,
    });
    input.value = `${input.value}${input.value ? '\n' : ''}${text}`;
    this.onInput('reply');
    input.focus();
  }

  private async selectTab(mode: Mode, focus = false) {
    if (mode === 'reply' && this.detail?.thread.status === 'closed') return;
    this.mode = mode;
    if (focus) {
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>(`#tab-${mode}`)?.focus();
    }
  }

  /** Arrow keys, Home and End move between the two tabs (the ARIA tabs pattern). */
  private onTabKey(e: KeyboardEvent) {
    if (!['ArrowLeft', 'ArrowRight', 'Home', 'End'].includes(e.key)) return;
    e.preventDefault();
    const closed = this.detail?.thread.status === 'closed';
    const next: Mode = e.key === 'Home' ? 'reply' : e.key === 'End' ? 'note' : this.mode === 'reply' ? 'note' : 'reply';
    void this.selectTab(closed ? 'note' : next, true);
  }

  private composer(closed: boolean) {
    const tab = (mode: Mode, label: string) =>
      html`<button
        type="button"
        role="tab"
        id="tab-${mode}"
        class=${mode === 'note' ? 'note secondary' : 'secondary'}
        aria-selected=${this.mode === mode ? 'true' : 'false'}
        aria-controls="panel-${mode}"
        aria-disabled=${mode === 'reply' && closed ? 'true' : nothing}
        tabindex=${this.mode === mode ? 0 : -1}
        @click=${() => this.selectTab(mode)}
        @keydown=${this.onTabKey}
      >
        ${label}
      </button>`;
    const attach = (mode: Mode) =>
      html`<label>${this.t(mode === 'note' ? 'admin.thread.attachNote' : 'admin.thread.attach')} <input type="file" name="files" multiple accept="application/pdf,image/jpeg,image/png" /></label>`;
    return html`<div role="tablist" aria-label=${this.t('admin.thread.composer')}>${tab('reply', this.t('admin.thread.tabReply'))}${tab('note', this.t('admin.thread.tabNote'))}</div>
      <div id="panel-reply" role="tabpanel" aria-labelledby="tab-reply" class="panel" ?hidden=${this.mode !== 'reply'}>
      <form class="grid" @submit=${(e: SubmitEvent) => this.send(e, 'reply')}>
        <p class="muted" id="reply-help">${this.t('admin.thread.replyHelp')}</p>
        <label>${this.t('admin.thread.reply')} <textarea id="reply-body" name="body" required aria-describedby="reply-help" @input=${() => this.onInput('reply')}></textarea></label>
        ${this.canned.length
          ? html`<label
                >${this.t('admin.thread.canned')}
                <select aria-describedby="template-help" @change=${this.insertCanned}>
                  <option value=""></option>
                  ${this.canned.map((c) => html`<option value=${c.id}>${c.title}</option>`)}
                </select></label
              >
              <p class="muted" id="template-help">${this.t('admin.thread.templateHelp', { lang: this.t(`admin.thread.lang.${this.patientLang}`) })}</p>`
          : nothing}
        ${attach('reply')}
        <button ?disabled=${this.busy || closed}>${this.t('admin.thread.sendReply')}</button>
      </form>
      </div>
      <div id="panel-note" role="tabpanel" aria-labelledby="tab-note" class="panel note" ?hidden=${this.mode !== 'note'}>
      <form class="grid" @submit=${(e: SubmitEvent) => this.send(e, 'note')}>
        <p class="muted" id="note-help">${this.t('admin.thread.noteHelp')}</p>
        <label>${this.t('admin.thread.note')} <textarea id="note-body" name="body" required aria-describedby="note-help" @input=${() => this.onInput('note')}></textarea></label>
        ${attach('note')}
        <button class="save-note" ?disabled=${this.busy}>${this.t('admin.thread.saveNote')}</button>
      </form>
      </div>`;
  }

  private meta() {
    const t = this.detail!.thread;
    const due = t.dueAt;
    const dueText = due ? formatDateTime(this.lang, due, this.timeZone) : null;
    const known = this.categories.some((c) => c.id === t.category);
    return html`<dl class="meta">
      <dt>${this.t('admin.thread.status')}</dt>
      <dd>${this.t(`admin.inbox.status.${t.status}`)}</dd>
      <dt>${this.t('admin.thread.due')}</dt>
      <dd>
        ${due && dueText
          ? Date.parse(due) < Date.now()
            ? html`<strong class="error"><time datetime=${due}>${this.t('admin.thread.overdue', { when: dueText })}</time></strong>`
            : html`<time datetime=${due}>${dueText}</time>`
          : html`<span class="muted">${this.t('admin.thread.noDue')}</span>`}
      </dd>
      <dt><label for="category">${this.t('admin.thread.category')}</label></dt>
      <dd>
        <select id="category" @change=${(e: Event) => this.change({ category: (e.target as HTMLSelectElement).value })}>
          ${known ? nothing : html`<option value=${t.category} selected>${t.category}</option>`}
          ${this.categories.map((c) => html`<option value=${c.id} ?selected=${c.id === t.category}>${c[this.lang]}</option>`)}
        </select>
      </dd>
    </dl>`;
  }

  private neighbours() {
    const d = this.detail!;
    // A labelled group, not a second navigation landmark beside the admin's own menu.
    return html`<div class="neighbours" role="group" aria-label=${this.t('admin.thread.neighbours')}>
      ${d.previousId ? html`<a href="/admin/inbox/${d.previousId}" rel="prev">← ${this.t('admin.thread.previous')}</a>` : html`<span class="muted">${this.t('admin.thread.noPrevious')}</span>`}
      ${d.nextId ? html`<a href="/admin/inbox/${d.nextId}" rel="next">${this.t('admin.thread.next')} →</a>` : html`<span class="muted">${this.t('admin.thread.noNext')}</span>`}
    </div>`;
  }

  private receipt(m: Message) {
    if (m.author !== 'staff' || m.kind !== 'message' || m.seenAt === undefined) return nothing;
    return m.seenAt
      ? html`<p class="receipt ok">${this.t('admin.thread.seen', { when: formatShortDateTime(this.lang, m.seenAt, this.timeZone) })}</p>`
      : html`<p class="receipt muted">${this.t('admin.thread.notSeen')}</p>`;
  }

  render() {
    const d = this.detail;
    if (!d) return html`${this.error ? html`<p class="error" role="alert">${this.error}</p>` : html`<p role="status">${this.t('common.loading')}</p>`}`;
    const t = d.thread;
    const closed = t.status === 'closed';
    return html`<h1 tabindex="-1">${t.subject || '—'}</h1>
      <sm-emergency-flag detailed .lang=${this.lang} .at=${t.emergencyOverrideAt}></sm-emergency-flag>
      ${this.neighbours()}
      <div class="layout">
        <div>
          ${this.meta()}
          ${this.earlierCursor
            ? html`<p class="earlier"><button class="secondary" ?disabled=${this.loadingEarlier} @click=${this.loadEarlier}>${this.t('conversation.earlier')}</button></p>`
            : this.pagedBack
            ? html`<p class="earlier muted">${this.t('conversation.start')}</p>`
            : nothing}
          <p class="visually-hidden" aria-live="polite" data-earlier-status>${this.earlierNotice}</p>
          <ol>
            ${this.messages.map(
              (m) => html`<li data-id=${m.id} data-author=${m.author} data-kind=${m.kind} tabindex="-1">
                <p class="muted">${m.kind === 'note' ? html`<strong>${this.t('admin.thread.noteLabel')}</strong> · ` : nothing}${m.authorName} · <time datetime=${m.createdAt}>${formatShortDateTime(this.lang, m.createdAt, this.timeZone)}</time></p>
                <p class="body">${m.body}</p>
                ${m.attachments.map((a) => html`<p><a href="/api/attachments/${a.id}" download>${this.t('msg.download', { name: a.fileName })}</a></p>`)}
                ${this.receipt(m)}
              </li>`,
            )}
            ${this.pendingItems()}
          </ol>
          ${this.status ? html`<p class="ok" role="status">${this.status}</p>` : nothing}
          ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
          ${closed ? html`<p class="notice">${this.t('admin.thread.closedNoteOnly')}</p>` : nothing}
          ${this.composer(closed)}
        </div>
        <aside class="panel" aria-labelledby="patient-title">
          <h2 id="patient-title">${this.t('admin.thread.patientCard')}</h2>
          <p><strong>${t.patientName}</strong></p>
          ${this.patient ? html`<p>${this.patient.dateOfBirth}<br />${this.patient.email}${this.patient.healthNumber ? html`<br />${this.patient.healthNumber}` : nothing}</p>` : nothing}
          <label
            >${this.t('admin.thread.assign')}
            <select @change=${(e: Event) => this.change({ assignedTo: (e.target as HTMLSelectElement).value || null })}>
              <option value="" ?selected=${!t.assignedTo}>${this.t('admin.thread.unassigned')}</option>
              ${this.colleagues.map((c) => html`<option value=${c.id} ?selected=${c.id === t.assignedTo}>${c.name}</option>`)}
            </select>
          </label>
          <p>
            <button class="secondary" @click=${() => this.change({ status: closed ? 'open' : 'closed' })}>${this.t(closed ? 'admin.thread.reopen' : 'admin.thread.close')}</button>
          </p>
          <h2 id="others-title">${this.t('admin.thread.others')}</h2>
          ${d.otherThreads.length
            ? html`<ul aria-labelledby="others-title">
                ${d.otherThreads.map(
                  (o) => html`<li><a href="/admin/inbox/${o.id}">${o.subject || '—'}</a> <span class="muted">· ${this.t(`admin.inbox.status.${o.status}`)} · <time datetime=${o.lastMessageAt}>${formatShortDateTime(this.lang, o.lastMessageAt, this.timeZone)}</time></span></li>`,
                )}
              </ul>`
            : html`<p class="muted">${this.t('admin.thread.noOthers')}</p>`}
        </aside>
      </div>`;
  }
}

defineOnce('sm-thread-page', SmThreadPage);

declare global {
  interface HTMLElementTagNameMap {
    'sm-thread-page': SmThreadPage;
  }
}
