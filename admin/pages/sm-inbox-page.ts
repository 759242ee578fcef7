/**
 * @summary The clinic's inbox: filters, time left to answer within the promise, live arrival of
 * patient messages, today's message-answering blocks, and a form to message a patient.
 */
import { html, nothing } from 'lit';
import { state } from 'lit/decorators.js';
import { Router } from '@vaadin/router';
import type { Patient } from '../../shared/api.js';
import { defineOnce } from '../../shared/define-once.js';
import { WEEKDAYS, type InboxFilter, type InboxThread, type MessagingSettings } from '../../shared/messaging.js';
import { AdminPage } from '../admin-page.js';
import '../sm-emergency-flag.js';

/** "3 h 20 min" / "2 d 4 h" for a duration in ms. */
export function humanDuration(ms: number): string {
  const min = Math.round(Math.abs(ms) / 60000);
  const d = Math.floor(min / 1440);
  const h = Math.floor((min % 1440) / 60);
  return d ? `${d} d ${h} h` : h ? `${h} h ${min % 60} min` : `${min} min`;
}

export class SmInboxPage extends AdminPage {
  @state() private threads: InboxThread[] | null = null;
  /** Where the next page starts; null when the list is complete. */
  @state() private nextCursor: string | null = null;
  @state() private settings: MessagingSettings | null = null;
  @state() private filter: InboxFilter = {};
  @state() private arrived = false;
  @state() private composing = false;
  @state() private candidates: Patient[] = [];
  private readonly onLive = () => {
    this.arrived = true;
    void this.load();
  };

  connectedCallback(): void {
    super.connectedCallback();
    void this.load();
    void this.api.messagingSettings().then((s) => (this.settings = s), () => undefined);
    this.live?.addEventListener('sm-thread-event', this.onLive);
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.live?.removeEventListener('sm-thread-event', this.onLive);
  }

  private load() {
    return this.run(async () => {
      const page = await this.api.inbox(this.filter);
      this.threads = page.threads;
      this.nextCursor = page.nextCursor;
    });
  }

  private more() {
    const cursor = this.nextCursor;
    if (!cursor) return;
    return this.run(async () => {
      const page = await this.api.inbox({ ...this.filter, cursor });
      // Focus stays on the button's row: keyboard users continue where the new rows begin.
      const first = (this.threads ?? []).length;
      this.threads = [...(this.threads ?? []), ...page.threads];
      this.nextCursor = page.nextCursor;
      await this.updateComplete;
      this.shadowRoot?.querySelectorAll<HTMLAnchorElement>('tbody a')[first]?.focus();
    });
  }

  private applyFilter(e: Event) {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    this.filter = {
      status: (f.get('status') as InboxFilter['status']) || undefined,
      category: String(f.get('category') ?? '') || undefined,
      patient: String(f.get('patient') ?? '').trim() || undefined,
      unread: f.get('unread') === 'on' || undefined,
      mine: f.get('mine') === 'on' || undefined,
      overdue: f.get('overdue') === 'on' || undefined,
    };
    this.arrived = false;
    void this.load();
  }

  private async findPatients(e: Event) {
    const q = (e.target as HTMLInputElement).value;
    this.candidates = q.trim().length >= 2 ? await this.api.patients(q) : [];
  }

  private compose(e: Event) {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    return this.run(async () => {
      const patientId = String(f.get('patientId'));
      const files = (f.getAll('files') as File[]).filter((x) => x.size > 0);
      const attachmentIds = [];
      for (const file of files) attachmentIds.push((await this.api.upload(patientId, file)).id);
      const { threadId } = await this.api.startThread({
        id: crypto.randomUUID(), patientId, subject: String(f.get('subject')).trim(), category: String(f.get('category')), body: String(f.get('body')), attachmentIds, patientMayReply: f.get('mayReply') === 'on',
      });
      Router.go(`/admin/inbox/${threadId}`);
    });
  }

  private sla(t: InboxThread) {
    if (!t.dueAt) return html`<span class="muted">—</span>`;
    const left = Date.parse(t.dueAt) - Date.now();
    return left >= 0 ? html`${this.t('admin.inbox.slaLeft', { time: humanDuration(left) })}` : html`<strong class="error">${this.t('admin.inbox.slaOver', { time: humanDuration(left) })}</strong>`;
  }

  private answeringToday() {
    if (!this.settings) return nothing;
    const blocks = this.settings.answeringBlocks[WEEKDAYS[(new Date().getDay() + 6) % 7]!];
    return html`<p class="notice">${blocks.length ? this.t('admin.inbox.answering', { blocks: blocks.map((b) => `${b.start}–${b.end}`).join(', ') }) : this.t('admin.inbox.noAnswering')}</p>`;
  }

  private composeForm() {
    const categories = this.settings?.categories ?? [];
    return html`<section class="panel" aria-labelledby="compose-title">
      <h2 id="compose-title">${this.t('admin.inbox.compose')}</h2>
      <form class="grid" @submit=${this.compose}>
        <label>${this.t('admin.inbox.choosePatient')} <input type="search" @input=${this.findPatients} /></label>
        <label>${this.t('admin.inbox.patient')}
          <select name="patientId" required>${this.candidates.map((p) => html`<option value=${p.id}>${p.name} (${p.dateOfBirth})</option>`)}</select>
        </label>
        <label>${this.t('admin.inbox.subject')} <input name="subject" required maxlength="200" /></label>
        <label>${this.t('admin.inbox.category')} <select name="category">${categories.map((c) => html`<option value=${c.id}>${c[this.lang]}</option>`)}</select></label>
        <label>${this.t('admin.thread.reply')} <textarea name="body" required></textarea></label>
        <label>${this.t('admin.thread.attach')} <input type="file" name="files" multiple accept="application/pdf,image/jpeg,image/png" /></label>
        <label><span><input type="checkbox" name="mayReply" checked /> ${this.t('admin.inbox.mayReply')}</span></label>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        <button ?disabled=${this.busy}>${this.t('msg.send')}</button>
      </form>
    </section>`;
  }

  render() {
    const categories = this.settings?.categories ?? [];
    return html`<h1>${this.t('admin.inbox.title')}</h1>
      ${this.answeringToday()}
      ${this.arrived ? html`<p class="ok" role="status">${this.t('admin.inbox.live')}</p>` : nothing}
      <div class="panel">
        <form class="inline" @submit=${this.applyFilter}>
          <label>${this.t('admin.inbox.status')}
            <select name="status">
              <option value="">${this.t('admin.inbox.any')}</option>
              ${(['open', 'waiting', 'closed'] as const).map((s) => html`<option value=${s}>${this.t(`admin.inbox.status.${s}`)}</option>`)}
            </select>
          </label>
          <label>${this.t('admin.inbox.category')}
            <select name="category"><option value="">${this.t('admin.inbox.any')}</option>${categories.map((c) => html`<option value=${c.id}>${c[this.lang]}</option>`)}</select>
          </label>
          <label>${this.t('admin.inbox.patient')} <input name="patient" type="search" /></label>
          <label><span><input type="checkbox" name="unread" /> ${this.t('admin.inbox.unreadOnly')}</span></label>
          <label><span><input type="checkbox" name="mine" /> ${this.t('admin.inbox.mine')}</span></label>
          <label><span><input type="checkbox" name="overdue" /> ${this.t('admin.inbox.overdue')}</span></label>
          <button>${this.t('admin.audit.filter')}</button>
          <button type="button" class="secondary" @click=${() => (this.composing = !this.composing)}>${this.t('admin.inbox.compose')}</button>
        </form>
      </div>
      ${this.composing ? this.composeForm() : this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.threads === null
        ? this.error
          ? nothing
          : html`<p role="status">${this.t('common.loading')}</p>`
        : this.threads.length === 0
          ? html`<p class="muted">${this.t('admin.inbox.empty')}</p>`
          : html`<table>
              <thead>
                <tr>
                  <th scope="col">${this.t('admin.inbox.patient')}</th>
                  <th scope="col">${this.t('admin.inbox.subject')}</th>
                  <th scope="col">${this.t('admin.inbox.category')}</th>
                  <th scope="col">${this.t('admin.inbox.status')}</th>
                  <th scope="col">${this.t('admin.inbox.sla')}</th>
                </tr>
              </thead>
              <tbody>
                ${this.threads.map(
                  (t) => html`<tr>
                    <td>${t.patientName}</td>
                    <td><a href="/admin/inbox/${t.id}">${t.unread ? html`<strong>${t.subject || '—'} (${t.unread})</strong>` : t.subject || '—'}</a><sm-emergency-flag .lang=${this.lang} .at=${t.emergencyOverrideAt}></sm-emergency-flag></td>
                    <td>${categories.find((c) => c.id === t.category)?.[this.lang] ?? t.category}</td>
                    <td>${this.t(`admin.inbox.status.${t.status}`)}</td>
                    <td>${this.sla(t)}</td>
                  </tr>`,
                )}
              </tbody>
            </table>
            ${this.nextCursor ? html`<p><button class="secondary" ?disabled=${this.busy} @click=${this.more}>${this.t('admin.inbox.more')}</button></p>` : nothing}`}`;
  }
}

defineOnce('sm-inbox-page', SmInboxPage);

declare global {
  interface HTMLElementTagNameMap {
    'sm-inbox-page': SmInboxPage;
  }
}
