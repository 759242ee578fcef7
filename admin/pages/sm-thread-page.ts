/**
 * @summary One conversation for staff: messages and internal notes, the patient card, reply or note
 * with attachments and templates, assignment, close/reopen. New patient messages appear live.
 */
import { css, html, nothing } from 'lit';
import { state, query } from 'lit/decorators.js';
import type { Patient } from '../../shared/api.js';
import { defineOnce } from '../../shared/define-once.js';
import type { CannedReply, StaffThreadDetail } from '../../shared/messaging.js';
import { AdminPage } from '../admin-page.js';

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

  private get threadId() {
    return this.routeParams.id ?? '';
  }

  connectedCallback(): void {
    super.connectedCallback();
    void this.load();
    void this.api.colleagues().then((c) => (this.colleagues = c));
    void this.api.cannedReplies().then((c) => (this.canned = c));
    this.live?.addEventListener('sm-thread-event', this.onLive);
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.live?.removeEventListener('sm-thread-event', this.onLive);
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
    const ok = await this.run(async () => {
      const attachmentIds = [];
      for (const file of (f.getAll('files') as File[]).filter((x) => x.size > 0)) attachmentIds.push((await this.api.upload(this.detail!.thread.patientId, file)).id);
      this.pendingId ??= crypto.randomUUID();
      await this.api.reply(this.threadId, { id: this.pendingId, body: String(f.get('body')), attachmentIds, note: f.get('note') === 'on' });
      this.pendingId = null;
    }, this.t('msg.sent'));
    if (ok) {
      form.reset();
      await this.load();
      this.status = this.t('msg.sent');
    }
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
          </ol>
          ${this.status ? html`<p class="ok" role="status">${this.status}</p>` : nothing}
          ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
          ${closed ? html`<p class="notice">${this.t('admin.thread.closed')}</p>` : nothing}
          <form class="grid panel" @submit=${this.send}>
            <label>${this.t(closed ? 'admin.thread.note' : 'admin.thread.reply')} <textarea name="body" required></textarea></label>
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
