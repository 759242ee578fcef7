/**
 * @summary One conversation for staff: messages and internal notes, the patient card, reply or note
 * with attachments and templates, assignment, close/reopen. New patient messages appear live.
 * A reply written without a connection waits in the device's outbox and shows as waiting here.
 */
import { css, html, nothing } from 'lit';
import { state, query } from 'lit/decorators.js';
import type { Patient } from '../../shared/api.js';
import { defineOnce } from '../../shared/define-once.js';
import type { CannedReply, StaffThreadDetail } from '../../shared/messaging.js';
import { describeRefusal } from '../../shared/error-text.js';
import { ApiError } from '../../shared/fetch-json.js';
import type { OutboxItem } from '../../shared/offline/outbox.js';
import { AdminPage } from '../admin-page.js';
import '../sm-emergency-flag.js';
import type { StaffDevice, StaffOutboxPayload } from '../staff-device.js';

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
      li {
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
    `,
  ];

  @state() private detail: StaffThreadDetail | null = null;
  @state() private patient: Patient | null = null;
  @state() private colleagues: Array<{ id: string; name: string }> = [];
  @state() private canned: CannedReply[] = [];
  @query('textarea[name=body]') private bodyInput?: HTMLTextAreaElement;
  private readonly onLive = (e: Event) => {
    if ((e as CustomEvent<{ threadId: string }>).detail.threadId === this.threadId) void this.load();
  };
  private pendingId: string | null = null;
  @state() private pending: Array<OutboxItem<StaffOutboxPayload>> = [];
  private readonly onDeviceChange = () => void this.loadPending();
  private readonly onDelivered = () => void this.load();
  private draftTimer: ReturnType<typeof setTimeout> | undefined;

  private get threadId() {
    return this.routeParams.id ?? '';
  }

  connectedCallback(): void {
    super.connectedCallback();
    void this.load();
    void this.api.colleagues().then((c) => (this.colleagues = c), () => undefined);
    void this.api.cannedReplies().then((c) => (this.canned = c), () => undefined);
    this.live?.addEventListener('sm-thread-event', this.onLive);
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.live?.removeEventListener('sm-thread-event', this.onLive);
    this.watch(null, this.device);
  }

  protected willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('device')) this.watch(this.device, changed.get('device') as StaffDevice | null | undefined);
  }

  private watch(next: StaffDevice | null, previous: StaffDevice | null | undefined) {
    previous?.removeEventListener('change', this.onDeviceChange);
    previous?.removeEventListener('delivered', this.onDelivered);
    next?.addEventListener('change', this.onDeviceChange);
    next?.addEventListener('delivered', this.onDelivered);
    if (next) void this.loadPending().then(() => this.restoreDraft(next));
  }

  private async loadPending() {
    this.pending = this.device ? (await this.device.outbox.items()).filter((i) => i.target === this.threadId) : [];
  }

  /** Puts back a reply the staff member had started, unless they are already typing again. */
  private async restoreDraft(device: StaffDevice) {
    const draft = await device.loadDraft(this.draftKey);
    if (draft && this.bodyInput && !this.bodyInput.value) this.bodyInput.value = draft;
  }

  private get draftKey() {
    return `reply:${this.threadId}`;
  }

  private onInput() {
    const text = this.bodyInput?.value ?? '';
    clearTimeout(this.draftTimer);
    this.draftTimer = setTimeout(() => void this.device?.saveDraft(this.draftKey, text).catch(() => undefined), 400);
  }

  private load() {
    return this.run(async () => {
      this.detail = await this.api.thread(this.threadId);
      this.patient ??= await this.api.patient(this.detail.thread.patientId);
    });
  }

  private async send(e: SubmitEvent) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const f = new FormData(form);
    const files = (f.getAll('files') as File[]).filter((x) => x.size > 0);
    const payload: StaffOutboxPayload = { body: String(f.get('body')), note: f.get('note') === 'on', attachmentIds: [] };
    this.pendingId ??= crypto.randomUUID();
    const ok = await this.run(async () => {
      try {
        if (!navigator.onLine && this.device && !files.length) throw new ApiError(0, 'network', 'offline');
        for (const file of files) payload.attachmentIds.push((await this.api.upload(this.detail!.thread.patientId, file)).id);
        await this.api.reply(this.threadId, { id: this.pendingId!, ...payload });
        this.status = this.t('msg.sent');
      } catch (err) {
        const notNow = err instanceof ApiError && (err.status === 0 || err.status >= 500);
        if (!notNow || !this.device || payload.attachmentIds.length !== files.length) throw err;
        // No connection: the reply waits on this device (sealed) and is sent exactly once later.
        await this.device.outbox.add('reply', this.threadId, payload, this.pendingId!);
        this.status = this.t('outbox.queued');
      }
      this.pendingId = null;
      clearTimeout(this.draftTimer);
      await this.device?.clearDraft(this.draftKey).catch(() => undefined);
    });
    if (ok) {
      const status = this.status;
      form.reset();
      if (status === this.t('msg.sent')) await this.load();
      this.status = status;
    }
  }

  private pendingItems() {
    return this.pending.map(
      (i) => html`<li class="pending" data-status=${i.status}>
        <p class=${i.status === 'refused' ? 'error' : 'muted'}>${i.status === 'refused' ? this.t('outbox.refused', { reason: i.code ? describeRefusal(this.lang, { code: i.code, params: i.params ?? undefined }) : this.t('common.error') }) : this.t('outbox.waiting')}</p>
        <p class="body">${i.payload ? i.payload.body : this.t('outbox.locked')}</p>
        ${i.status === 'refused' ? html`<button class="secondary" @click=${() => this.device?.outbox.discard(i.seq)}>${this.t('outbox.discard')}</button>` : nothing}
      </li>`,
    );
  }

  private change(patch: { status?: 'open' | 'closed'; assignedTo?: string | null }) {
    return this.run(async () => {
      await this.api.updateThread(this.threadId, patch);
      this.detail = await this.api.thread(this.threadId);
    }, this.t('common.saved'));
  }

  private insertCanned(e: Event) {
    const id = (e.target as HTMLSelectElement).value;
    const template = this.canned.find((c) => c.id === id);
    if (template && this.bodyInput) this.bodyInput.value = `${this.bodyInput.value}${this.bodyInput.value ? '\n' : ''}${template.body}`;
    (e.target as HTMLSelectElement).value = '';
  }

  render() {
    const d = this.detail;
    if (!d) return html`${this.error ? html`<p class="error" role="alert">${this.error}</p>` : html`<p role="status">${this.t('common.loading')}</p>`}`;
    const t = d.thread;
    const closed = t.status === 'closed';
    return html`<h1>${t.subject || '—'}</h1>
      <sm-emergency-flag detailed .lang=${this.lang} .at=${t.emergencyOverrideAt}></sm-emergency-flag>
      <div class="layout">
        <div>
          <ol>
            ${d.messages.map(
              (m) => html`<li data-author=${m.author} data-kind=${m.kind}>
                <p class="muted">${m.kind === 'note' ? html`<strong>${this.t('admin.thread.noteLabel')}</strong> · ` : nothing}${m.authorName} · <time datetime=${m.createdAt}>${new Date(m.createdAt).toLocaleString(this.lang === 'fr' ? 'fr-CA' : 'en-CA')}</time></p>
                <p class="body">${m.body}</p>
                ${m.attachments.map((a) => html`<p><a href="/api/attachments/${a.id}" download>${this.t('msg.download', { name: a.fileName })}</a></p>`)}
              </li>`,
            )}
            ${this.pendingItems()}
          </ol>
          ${this.status ? html`<p class="ok" role="status">${this.status}</p>` : nothing}
          ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
          ${closed ? html`<p class="notice">${this.t('admin.thread.closed')}</p>` : nothing}
          <form class="grid panel" @submit=${this.send}>
            <label>${this.t(closed ? 'admin.thread.note' : 'admin.thread.reply')} <textarea name="body" required @input=${this.onInput}></textarea></label>
            ${this.canned.length
              ? html`<label>${this.t('admin.thread.canned')}
                  <select @change=${this.insertCanned}><option value=""></option>${this.canned.map((c) => html`<option value=${c.id}>${c.title}</option>`)}</select>
                </label>`
              : nothing}
            <label>${this.t('admin.thread.attach')} <input type="file" name="files" multiple accept="application/pdf,image/jpeg,image/png" /></label>
            <label><span><input type="checkbox" name="note" ?checked=${closed} ?disabled=${closed} /> ${this.t('admin.thread.asNote')}</span></label>
            ${closed ? html`<input type="hidden" name="note" value="on" />` : nothing}
            <button ?disabled=${this.busy}>${this.t('msg.send')}</button>
          </form>
        </div>
        <aside class="panel" aria-labelledby="patient-title">
          <h2 id="patient-title">${this.t('admin.thread.patientCard')}</h2>
          <p><strong>${t.patientName}</strong></p>
          ${this.patient ? html`<p>${this.patient.dateOfBirth}<br />${this.patient.email}${this.patient.healthNumber ? html`<br />${this.patient.healthNumber}` : nothing}</p>` : nothing}
          <label>${this.t('admin.thread.assign')}
            <select @change=${(e: Event) => this.change({ assignedTo: (e.target as HTMLSelectElement).value || null })}>
              <option value="" ?selected=${!t.assignedTo}>${this.t('admin.thread.unassigned')}</option>
              ${this.colleagues.map((c) => html`<option value=${c.id} ?selected=${c.id === t.assignedTo}>${c.name}</option>`)}
            </select>
          </label>
          <p>
            <button class="secondary" @click=${() => this.change({ status: closed ? 'open' : 'closed' })}>${this.t(closed ? 'admin.thread.reopen' : 'admin.thread.close')}</button>
          </p>
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
