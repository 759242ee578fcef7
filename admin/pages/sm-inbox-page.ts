/**
 * @summary The clinic's inbox, to work from all day: a list with each thread's last message date,
 * assignee, a preview of its newest message and what the signed-in person has not read (with "mark
 * unread"), filters and search in message text applied as they change, two orders, pages past 200,
 * the person's unread total, bulk close and assign, keyboard shortcuts (documented on the page),
 * time left to answer within the promise, live arrival of patient messages, today's
 * message-answering blocks, and a link to message a patient (sm-new-thread-page).
 */
import { css, html, nothing, type PropertyValues } from 'lit';
import { state } from 'lit/decorators.js';
import { Router } from '@vaadin/router';
import { defineOnce } from '../../shared/define-once.js';
import { ApiError } from '../../shared/fetch-json.js';
import { translatePlural, type MessageKey } from '../../shared/i18n-all.js';
import { formatShortDateTime } from '../../shared/intl.js';
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

/** The inbox's refusals, in the reader's language. */
const ERRORS: Record<string, MessageKey> = {
  unknown_staff: 'admin.inbox.error.unknownStaff',
  not_found: 'admin.inbox.error.notFound',
  invalid_cursor: 'admin.inbox.error.invalidCursor',
};

/** How long typing in a search field waits before the list follows. */
const TYPING_PAUSE_MS = 300;

/** Whether a key press belongs to a field being typed in (shortcuts stay out of its way). */
function typingIn(target: EventTarget | undefined): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(target.type);
}

export class SmInboxPage extends AdminPage {
  static styles = [
    ...AdminPage.styles,
    css`
      .top {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem 1rem;
        align-items: baseline;
      }
      .top h1 {
        margin-bottom: 0.25rem;
      }
      /* Long option names (French) shrink their control rather than widen a phone's page. */
      form.inline label,
      .bulk label {
        min-width: 0;
        max-width: 100%;
        grid-template-columns: minmax(0, 1fr);
      }
      form.inline input[type='search'],
      form.inline select,
      .bulk select {
        max-width: 100%;
        box-sizing: border-box;
      }
      .bulk {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem 1rem;
        align-items: end;
        margin-bottom: 0.5rem;
      }
      ul.threads {
        list-style: none;
        margin: 0;
        padding: 0;
        background: #fff;
        border: 1px solid #c5ced6;
        border-radius: 8px;
      }
      ul.threads li {
        display: flex;
        gap: 0.75rem;
        padding: 0.6rem 0.75rem;
        border-bottom: 1px solid #d9e2ec;
        align-items: flex-start;
      }
      ul.threads li:last-child {
        border-bottom: 0;
      }
      ul.threads li.current {
        background: #eef6fb;
        box-shadow: inset 4px 0 0 #00587c;
      }
      ul.threads li.unread {
        font-weight: 600;
      }
      ul.threads input[type='checkbox'] {
        margin-top: 0.3rem;
        width: 1.1rem;
        height: 1.1rem;
        flex: none;
      }
      .row {
        flex: 1;
        min-width: 0;
        display: grid;
        gap: 0.15rem;
        overflow-wrap: anywhere;
      }
      .line {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem 0.75rem;
        align-items: baseline;
      }
      .preview {
        margin: 0;
        font-weight: normal;
        color: #3e4c59;
      }
      .meta {
        margin: 0;
        font-weight: normal;
        font-size: 0.9rem;
        color: #52606d;
        display: flex;
        flex-wrap: wrap;
        gap: 0.1rem 0.9rem;
      }
      .badge {
        background: #00587c;
        color: #fff;
        border-radius: 999px;
        padding: 0 0.5rem;
        font-size: 0.85rem;
      }
      button.small {
        padding: 0.2rem 0.5rem;
        font-size: 0.85rem;
        flex: none;
      }
      details.shortcuts {
        margin: 1rem 0;
      }
      details.shortcuts dl {
        display: grid;
        grid-template-columns: auto 1fr;
        gap: 0.25rem 0.75rem;
      }
      details.shortcuts dd {
        margin: 0;
      }
      kbd {
        font-family: ui-monospace, SFMono-Regular, Menlo, monospace;
        border: 1px solid #9aa5b1;
        border-radius: 3px;
        padding: 0 0.3rem;
        background: #f5f7fa;
      }
      @media (max-width: 30rem) {
        ul.threads li {
          flex-wrap: wrap;
        }
        .panel {
          padding: 0.75rem;
        }
      }
    `,
  ];

  @state() private threads: InboxThread[] | null = null;
  /** Where the next page starts; null when the list is complete. */
  @state() private nextCursor: string | null = null;
  @state() private unreadTotal: number | null = null;
  @state() private settings: MessagingSettings | null = null;
  @state() private colleagues: Array<{ id: string; name: string }> = [];
  @state() private filter: InboxFilter = {};
  @state() private selected = new Set<string>();
  /** The row j/k move through and e/r/x act on (-1: none yet). */
  @state() private current = -1;
  @state() private arrived = false;
  /** Answers to earlier filters that arrive late are dropped: only the newest request's list shows. */
  #request = 0;
  #typing: ReturnType<typeof setTimeout> | undefined;
  private readonly onLive = () => {
    this.arrived = true;
    void this.load();
  };
  private readonly onKey = (e: KeyboardEvent) => this.shortcut(e);

  connectedCallback(): void {
    super.connectedCallback();
    void this.load();
    void this.api.messagingSettings().then((s) => (this.settings = s), () => undefined);
    void this.api.colleagues().then((c) => (this.colleagues = c), () => undefined);
    this.live?.addEventListener('sm-thread-event', this.onLive);
    // On the document: after a screen change focus may be on the page's body, outside this element.
    document.addEventListener('keydown', this.onKey);
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    clearTimeout(this.#typing);
    this.live?.removeEventListener('sm-thread-event', this.onLive);
    document.removeEventListener('keydown', this.onKey);
  }

  protected override describeError(err: unknown): string {
    const key = err instanceof ApiError ? ERRORS[err.code] : undefined;
    return key ? this.t(key) : super.describeError(err);
  }

  protected updated(changed: PropertyValues): void {
    // A mark in the page's own timeline (from navigation start) when the first page of threads is on
    // screen: the benchmark reads it, so render time is measured inside the page, not by polling.
    if (changed.has('threads') && changed.get('threads') === null && this.threads) performance.mark('sm-inbox-shown', { detail: { threads: this.threads.length } });
  }

  /** The first page for the current filter; the selection and current row are kept where they still apply. */
  private load() {
    const request = ++this.#request;
    return this.run(async () => {
      const page = await this.api.inbox(this.filter);
      if (request !== this.#request) return;
      this.threads = page.threads;
      this.nextCursor = page.nextCursor;
      this.unreadTotal = page.unreadTotal ?? null;
      const ids = new Set(page.threads.map((t) => t.id));
      this.selected = new Set([...this.selected].filter((id) => ids.has(id)));
      this.current = Math.min(this.current, page.threads.length - 1);
    });
  }

  private more() {
    const cursor = this.nextCursor;
    if (!cursor) return;
    const request = this.#request;
    return this.run(async () => {
      const page = await this.api.inbox({ ...this.filter, cursor });
      if (request !== this.#request) return;
      // Focus goes to the first new row: keyboard users continue where the new rows begin.
      const first = (this.threads ?? []).length;
      this.threads = [...(this.threads ?? []), ...page.threads];
      this.nextCursor = page.nextCursor;
      this.unreadTotal = page.unreadTotal ?? this.unreadTotal;
      await this.focusRow(first);
    });
  }

  private get form(): HTMLFormElement | null {
    return this.shadowRoot?.querySelector<HTMLFormElement>('form.inline') ?? null;
  }

  /** The filter as the form shows it now; the list follows at once (focus stays in the control). */
  private applyFilter() {
    clearTimeout(this.#typing);
    const form = this.form;
    if (!form) return;
    const f = new FormData(form);
    this.filter = {
      status: (f.get('status') as InboxFilter['status']) || undefined,
      sort: f.get('sort') === 'due' ? 'due' : undefined,
      category: String(f.get('category') ?? '') || undefined,
      patient: String(f.get('patient') ?? '').trim() || undefined,
      q: String(f.get('q') ?? '').trim() || undefined,
      unread: f.get('unread') === 'on' || undefined,
      mine: f.get('mine') === 'on' || undefined,
      overdue: f.get('overdue') === 'on' || undefined,
    };
    this.arrived = false;
    this.current = -1;
    this.selected = new Set();
    void this.load();
  }

  private filterChanged(e: Event) {
    // Text fields follow their typing (below), not the change event they also fire on leaving them.
    if ((e.target as HTMLInputElement).type === 'search') return;
    this.applyFilter();
  }

  private filterTyped(e: Event) {
    if ((e.target as HTMLInputElement).type !== 'search') return;
    clearTimeout(this.#typing);
    this.#typing = setTimeout(() => this.applyFilter(), TYPING_PAUSE_MS);
  }

  private filterSubmitted(e: Event) {
    e.preventDefault();
    this.applyFilter();
  }

  private async focusRow(index: number) {
    const rows = this.threads ?? [];
    if (rows.length === 0) return;
    this.current = Math.max(0, Math.min(index, rows.length - 1));
    await this.updateComplete;
    this.shadowRoot?.querySelectorAll<HTMLAnchorElement>('ul.threads a.subject')[this.current]?.focus();
  }

  private shortcut(e: KeyboardEvent) {
    if (e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
    if (typingIn(e.composedPath()[0])) return;
    const rows = this.threads ?? [];
    const here = rows[this.current];
    switch (e.key) {
      case 'j':
        e.preventDefault();
        void this.focusRow(this.current + 1);
        break;
      case 'k':
        e.preventDefault();
        void this.focusRow(this.current < 0 ? 0 : this.current - 1);
        break;
      case 'x':
        if (!here) return;
        e.preventDefault();
        this.toggle(here.id);
        break;
      case 'e': {
        const ids = this.selected.size ? [...this.selected] : here ? [here.id] : [];
        if (ids.length === 0) return;
        e.preventDefault();
        void this.closeThreads(ids);
        break;
      }
      case 'r':
        if (!here) return;
        e.preventDefault();
        Router.go(`/admin/inbox/${here.id}`);
        break;
      default:
    }
  }

  private toggle(id: string) {
    const next = new Set(this.selected);
    if (!next.delete(id)) next.add(id);
    this.selected = next;
  }

  private toggleAll(e: Event) {
    const on = (e.target as HTMLInputElement).checked;
    this.selected = on ? new Set((this.threads ?? []).map((t) => t.id)) : new Set();
  }

  private async closeThreads(ids: string[]) {
    const focusAt = this.current;
    const done = await this.run(async () => {
      await this.api.bulkUpdateThreads({ ids, status: 'closed' });
    });
    if (!done) return this.refreshAfterError();
    this.selected = new Set();
    await this.load();
    this.status = translatePlural(this.lang, 'admin.inbox.closed', ids.length);
    if (focusAt >= 0) await this.focusRow(focusAt);
  }

  private async assignSelected() {
    const pick = this.shadowRoot?.querySelector<HTMLSelectElement>('select[name=assignee]')?.value ?? '';
    const ids = [...this.selected];
    if (ids.length === 0) return;
    const done = await this.run(async () => {
      await this.api.bulkUpdateThreads({ ids, assignedTo: pick || null });
    });
    if (!done) return this.refreshAfterError();
    this.selected = new Set();
    await this.load();
    this.status = translatePlural(this.lang, 'admin.inbox.assigned', ids.length);
  }

  /** After a refused change the list may be stale (a thread gone): reload it, keeping the error on screen. */
  private async refreshAfterError() {
    const error = this.error;
    await this.load();
    this.error ??= error;
  }

  private async markUnread(t: InboxThread, index: number) {
    const done = await this.run(() => this.api.markUnread(t.id), this.t('admin.inbox.markedUnread'));
    if (!done || !this.threads) return;
    this.threads = this.threads.map((x) => (x.id === t.id ? { ...x, unread: 1 } : x));
    if (this.unreadTotal !== null) this.unreadTotal += 1;
    // The button is gone with the row's new state: focus stays on the row.
    await this.focusRow(index);
  }

  private sla(t: InboxThread) {
    if (!t.dueAt) return nothing;
    const left = Date.parse(t.dueAt) - Date.now();
    return html`<span>${left >= 0 ? this.t('admin.inbox.slaLeft', { time: humanDuration(left) }) : html`<strong class="error">${this.t('admin.inbox.slaOver', { time: humanDuration(left) })}</strong>`}</span>`;
  }

  private answeringToday() {
    if (!this.settings) return nothing;
    const blocks = this.settings.answeringBlocks[WEEKDAYS[(new Date().getDay() + 6) % 7]!];
    return html`<p class="notice">${blocks.length ? this.t('admin.inbox.answering', { blocks: blocks.map((b) => `${b.start}–${b.end}`).join(', ') }) : this.t('admin.inbox.noAnswering')}</p>`;
  }

  private filters() {
    const categories = this.settings?.categories ?? [];
    return html`<div class="panel">
      <form class="inline" role="search" @submit=${this.filterSubmitted} @change=${this.filterChanged} @input=${this.filterTyped}>
        <label>${this.t('admin.inbox.search')} <input name="q" type="search" maxlength="200" /></label>
        <label>${this.t('admin.inbox.patient')} <input name="patient" type="search" maxlength="120" /></label>
        <label>${this.t('admin.inbox.status')}
          <select name="status">
            <option value="">${this.t('admin.inbox.any')}</option>
            ${(['open', 'waiting', 'closed'] as const).map((s) => html`<option value=${s}>${this.t(`admin.inbox.status.${s}`)}</option>`)}
          </select>
        </label>
        <label>${this.t('admin.inbox.category')}
          <select name="category"><option value="">${this.t('admin.inbox.any')}</option>${categories.map((c) => html`<option value=${c.id}>${c[this.lang]}</option>`)}</select>
        </label>
        <label>${this.t('admin.inbox.sort')}
          <select name="sort">
            <option value="activity">${this.t('admin.inbox.sort.activity')}</option>
            <option value="due">${this.t('admin.inbox.sort.due')}</option>
          </select>
        </label>
        <label class="check"><input type="checkbox" name="unread" /> ${this.t('admin.inbox.unreadOnly')}</label>
        <label class="check"><input type="checkbox" name="mine" /> ${this.t('admin.inbox.mine')}</label>
        <label class="check"><input type="checkbox" name="overdue" /> ${this.t('admin.inbox.overdue')}</label>
      </form>
    </div>`;
  }

  private bulkBar(rows: InboxThread[]) {
    const count = this.selected.size;
    const all = count > 0 && rows.every((t) => this.selected.has(t.id));
    return html`<div class="bulk" role="group" aria-label=${this.t('admin.inbox.bulk')}>
      <label class="check"><input type="checkbox" name="all" .checked=${all} .indeterminate=${count > 0 && !all} @change=${this.toggleAll} /> ${this.t('admin.inbox.selectAll')}</label>
      <span aria-live="polite">${count ? translatePlural(this.lang, 'admin.inbox.selected', count) : nothing}</span>
      <button type="button" class="secondary" ?disabled=${!count || this.busy} @click=${() => this.closeThreads([...this.selected])}>${this.t('admin.inbox.close')}</button>
      <label>${this.t('admin.inbox.assignTo')}
        <select name="assignee">
          <option value="">${this.t('admin.inbox.unassigned')}</option>
          ${this.colleagues.map((c) => html`<option value=${c.id}>${c.name}</option>`)}
        </select>
      </label>
      <button type="button" class="secondary" ?disabled=${!count || this.busy} @click=${this.assignSelected}>${this.t('admin.inbox.assign')}</button>
    </div>`;
  }

  private preview(t: InboxThread) {
    const p = t.preview;
    if (!p) return nothing;
    const text = p.kind === 'note' ? this.t('admin.inbox.previewNote', { text: p.text }) : p.author === 'staff' ? this.t('admin.inbox.previewReply', { text: p.text }) : p.text;
    return html`<p class="preview">${text}</p>`;
  }

  private row(t: InboxThread, i: number) {
    const categories = this.settings?.categories ?? [];
    const assignee = t.assignedTo ? (this.colleagues.find((c) => c.id === t.assignedTo)?.name ?? null) : null;
    return html`<li class=${[i === this.current ? 'current' : '', t.unread ? 'unread' : ''].join(' ').trim()}>
      <input type="checkbox" .checked=${this.selected.has(t.id)} @change=${() => this.toggle(t.id)} aria-label=${this.t('admin.inbox.select', { subject: t.subject || '—', patient: t.patientName })} />
      <div class="row">
        <div class="line">
          <a class="subject" href="/admin/inbox/${t.id}" @focus=${() => (this.current = i)}>${t.subject || '—'}</a><sm-emergency-flag .lang=${this.lang} .at=${t.emergencyOverrideAt}></sm-emergency-flag>
          ${t.unread ? html`<span class="badge">${translatePlural(this.lang, 'admin.inbox.newMessages', t.unread)}</span>` : nothing}
          <span>${t.patientName}</span>
        </div>
        ${this.preview(t)}
        <p class="meta">
          <span>${this.t('admin.inbox.lastMessage', { date: formatShortDateTime(this.lang, t.lastMessageAt, this.settings?.timeZone) })}</span>
          <span>${this.t(`admin.inbox.status.${t.status}`)}</span>
          <span>${categories.find((c) => c.id === t.category)?.[this.lang] ?? t.category}</span>
          <span>${assignee ? this.t('admin.inbox.assignedTo', { name: assignee }) : t.assignedTo ? nothing : this.t('admin.inbox.unassigned')}</span>
          ${this.sla(t)}
        </p>
      </div>
      ${t.unread ? nothing : html`<button type="button" class="secondary small" @click=${() => this.markUnread(t, i)}>${this.t('admin.inbox.markUnread')}</button>`}
    </li>`;
  }

  private shortcutsHelp() {
    return html`<details class="shortcuts">
      <summary>${this.t('admin.inbox.shortcuts')}</summary>
      <dl>
        <dt><kbd>j</kbd> / <kbd>k</kbd></dt>
        <dd>${this.t('admin.inbox.shortcuts.jk')}</dd>
        <dt><kbd>x</kbd></dt>
        <dd>${this.t('admin.inbox.shortcuts.x')}</dd>
        <dt><kbd>e</kbd></dt>
        <dd>${this.t('admin.inbox.shortcuts.e')}</dd>
        <dt><kbd>r</kbd></dt>
        <dd>${this.t('admin.inbox.shortcuts.r')}</dd>
      </dl>
      <p class="muted">${this.t('admin.inbox.shortcuts.note')}</p>
    </details>`;
  }

  render() {
    return html`<div class="top">
        <h1>${this.t('admin.inbox.title')}</h1>
        ${this.unreadTotal !== null ? html`<p class="unread-total">${translatePlural(this.lang, 'admin.inbox.unreadTotal', this.unreadTotal)}</p>` : nothing}
      </div>
      ${this.answeringToday()}
      ${this.arrived ? html`<p class="ok" role="status">${this.t('admin.inbox.live')}</p>` : nothing}
      ${this.filters()}
      <p><a href="/admin/inbox/new">${this.t('admin.inbox.compose')}</a></p>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      <p class="ok" role="status">${this.status ?? nothing}</p>
      ${this.threads === null
        ? this.error
          ? nothing
          : html`<p role="status">${this.t('common.loading')}</p>`
        : this.threads.length === 0
          ? html`<p class="muted">${this.t('admin.inbox.empty')}</p>`
          : html`${this.bulkBar(this.threads)}
              <ul class="threads" aria-label=${this.t('admin.inbox.list')}>
                ${this.threads.map((t, i) => this.row(t, i))}
              </ul>
              ${this.nextCursor ? html`<p><button class="secondary" ?disabled=${this.busy} @click=${this.more}>${this.t('admin.inbox.more')}</button></p>` : nothing}`}
      ${this.shortcutsHelp()}`;
  }
}

defineOnce('sm-inbox-page', SmInboxPage);

declare global {
  interface HTMLElementTagNameMap {
    'sm-inbox-page': SmInboxPage;
  }
}
