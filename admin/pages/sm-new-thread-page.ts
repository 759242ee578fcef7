/**
 * @summary "Message a patient": one patient picker (search as you type, choose one), subject, a
 * category the staff member must choose (no default), the message, files, and whether the patient
 * may reply. Opens the new conversation once sent.
 */
import { css, html, nothing } from 'lit';
import { state } from 'lit/decorators.js';
import { Router } from '@vaadin/router';
import type { Patient } from '../../shared/api.js';
import { defineOnce } from '../../shared/define-once.js';
import { describeRefusal, isKnownRefusal } from '../../shared/error-text.js';
import { ApiError } from '../../shared/fetch-json.js';
import type { Category } from '../../shared/messaging.js';
import { PatientSearch } from '../patient-search.js';
import { AdminPage } from '../admin-page.js';

/** Waits this long after the last keystroke before searching. */

export class SmNewThreadPage extends AdminPage {
  static styles = [
    ...AdminPage.styles,
    css`
      ul.results {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.25rem;
      }
      ul.results button {
        width: 100%;
        text-align: left;
      }
      .chosen {
        display: flex;
        flex-wrap: wrap;
        gap: 0.75rem;
        align-items: center;
        font-weight: 600;
      }
    `,
  ];

  @state() private categories: Category[] | null = null;
  private readonly search = new PatientSearch(this, (q) => this.api.patients(q), (err) => (this.error = this.describeError(err)));
  @state() private patient: Patient | null = null;
  /** Which field's problem is shown at it (and gets the focus). */
  @state() private invalid: 'patient' | 'category' | null = null;

  connectedCallback(): void {
    super.connectedCallback();
    void this.api.messagingSettings().then((s) => (this.categories = s.categories), () => (this.categories = []));
  }

  protected firstUpdated(): void {
    this.renderRoot.querySelector<HTMLElement>('h1')?.focus();
  }

  protected describeError(err: unknown): string {
    return err instanceof ApiError && isKnownRefusal(err.code) ? describeRefusal(this.lang, err) : super.describeError(err);
  }

  private async choose(p: Patient) {
    this.patient = p;
    this.search.clear();
    if (this.invalid === 'patient') this.invalid = null;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('input[name=subject]')?.focus();
  }

  private async unchoose() {
    this.patient = null;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLInputElement>('#patient-search')?.focus();
  }

  private async send(e: SubmitEvent) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const f = new FormData(form);
    const category = String(f.get('category') ?? '');
    this.invalid = !this.patient ? 'patient' : (this.categories ?? []).length > 0 && !category ? 'category' : null;
    if (this.invalid) {
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>(this.invalid === 'patient' ? '#patient-search' : 'select[name=category]')?.focus();
      return;
    }
    const patientId = this.patient!.id;
    await this.run(async () => {
      const files = (f.getAll('files') as File[]).filter((x) => x.size > 0);
      const attachmentIds = [];
      for (const file of files) attachmentIds.push((await this.api.upload(patientId, file)).id);
      const { threadId } = await this.api.startThread({
        id: crypto.randomUUID(), patientId, subject: String(f.get('subject')).trim(), category, body: String(f.get('body')), attachmentIds, patientMayReply: f.get('mayReply') === 'on',
      });
      Router.go(`/admin/inbox/${threadId}`);
    });
  }

  private picker() {
    const p = this.patient;
    if (p) {
      return html`<div class="chosen">
        <span id="chosen-patient">${this.t('admin.newThread.chosen', { name: p.name, dob: p.dateOfBirth })}</span>
        <button type="button" class="secondary" @click=${this.unchoose}>${this.t('admin.newThread.change')}</button>
      </div>`;
    }
    const q = this.search.query.trim();
    const bad = this.invalid === 'patient';
    return html`<label
        >${this.t('admin.newThread.find')}
        <input
          id="patient-search"
          type="search"
          autocomplete="off"
          .value=${this.search.query}
          @input=${(e: Event) => this.search.input((e.target as HTMLInputElement).value)}
          aria-invalid=${bad ? 'true' : 'false'}
          aria-describedby=${bad ? 'patient-error patient-count' : 'patient-count'}
      /></label>
      ${bad ? html`<p id="patient-error" class="error">${this.t('admin.newThread.patientRequired')}</p>` : nothing}
      <p id="patient-count" class="muted" role="status">
        ${q.length < 2 ? (q ? this.t('admin.newThread.typeMore') : '') : this.search.results === null ? '' : this.search.results.length ? this.t('admin.newThread.count', { count: this.search.results.length }) : this.t('admin.newThread.noMatch', { q })}
      </p>
      ${this.search.results?.length
        ? html`<ul class="results" aria-label=${this.t('admin.newThread.results')}>
            ${this.search.results.map(
              (r) => html`<li><button type="button" class="secondary" @click=${() => this.choose(r)}>${this.t('admin.newThread.chooseThis', { name: r.name, dob: r.dateOfBirth })}</button></li>`,
            )}
          </ul>`
        : nothing}`;
  }

  render() {
    const categories = this.categories ?? [];
    const badCategory = this.invalid === 'category';
    return html`<h1 tabindex="-1">${this.t('admin.newThread.title')}</h1>
      <p><a href="/admin/inbox">${this.t('admin.newThread.back')}</a></p>
      <section class="panel">
        <form class="grid" @submit=${this.send}>
          ${this.picker()}
          <label>${this.t('admin.inbox.subject')} <input name="subject" required maxlength="200" /></label>
          <label
            >${this.t('admin.thread.category')}
            <select name="category" ?required=${categories.length > 0} aria-invalid=${badCategory ? 'true' : 'false'} aria-describedby=${badCategory ? 'category-error' : nothing} @change=${() => this.invalid === 'category' && (this.invalid = null)}>
              <option value="">${this.t('admin.newThread.choose')}</option>
              ${categories.map((c) => html`<option value=${c.id}>${c[this.lang]}</option>`)}
            </select>
          </label>
          ${badCategory ? html`<p id="category-error" class="error">${this.t('admin.newThread.categoryRequired')}</p>` : nothing}
          <label>${this.t('admin.newThread.body')} <textarea name="body" required></textarea></label>
          <label>${this.t('admin.thread.attach')} <input type="file" name="files" multiple accept="application/pdf,image/jpeg,image/png" /></label>
          <label class="check"><input type="checkbox" name="mayReply" checked /> ${this.t('admin.inbox.mayReply')}</label>
          ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
          <button ?disabled=${this.busy}>${this.t('admin.newThread.send')}</button>
        </form>
      </section>`;
  }
}

defineOnce('sm-new-thread-page', SmNewThreadPage);

declare global {
  interface HTMLElementTagNameMap {
    'sm-new-thread-page': SmNewThreadPage;
  }
}
