/**
 * @summary The audit log (admins only), newest first: whether its hash chain is intact, entries with
 * staff and patient names, a filter by patient (picked by name) and action, and a CSV export of the filter.
 */
import { html, nothing } from 'lit';
import { state } from 'lit/decorators.js';
import type { AuditEntry, AuditVerification, Patient } from '../../shared/api.js';
import { defineOnce } from '../../shared/define-once.js';
import { AdminPage } from '../admin-page.js';
import { PagedList } from '../paged-list.js';

/** The filter the list and the export show. */
interface Filter {
  patient?: { id: string; name: string };
  action?: string;
}

export class SmAuditPage extends AdminPage {
  private readonly entries = new PagedList<AuditEntry>(
    this,
    async (cursor) => {
      const page = await this.api.audit({ patientId: this.filterState.patient?.id, action: this.filterState.action, limit: 200, cursor });
      return { items: page.entries, nextCursor: page.nextCursor };
    },
    'tbody tr > td:first-child time',
  );
  @state() private filterState: Filter = {};
  @state() private verification: AuditVerification | 'checking' | 'failed' = 'checking';
  /** Patients found by the picker's last search (null: none made), and the words searched. */
  @state() private found: { q: string; patients: Patient[] } | null = null;

  connectedCallback(): void {
    super.connectedCallback();
    void this.load({});
    void this.verify();
  }

  private async verify() {
    try {
      this.verification = await this.api.auditVerify();
    } catch {
      this.verification = 'failed';
    }
  }

  private load(filter: Filter) {
    this.filterState = filter;
    return this.run(() => this.entries.reload());
  }

  private filter(e: SubmitEvent) {
    e.preventDefault();
    const action = String(new FormData(e.target as HTMLFormElement).get('action') ?? '').trim();
    return this.load({ ...this.filterState, action: action || undefined });
  }

  private async findPatients() {
    const input = this.renderRoot.querySelector<HTMLInputElement>('input[name=patientQuery]');
    const q = input?.value.trim() ?? '';
    if (!q) return;
    await this.run(async () => {
      this.found = { q, patients: await this.api.patients(q) };
    });
  }

  private searchKey(e: KeyboardEvent) {
    // Enter searches for a patient rather than submitting the filter.
    if (e.key === 'Enter') {
      e.preventDefault();
      void this.findPatients();
    }
  }

  private async pick(p: Patient) {
    this.found = null;
    await this.load({ ...this.filterState, patient: { id: p.id, name: p.name } });
    this.renderRoot.querySelector<HTMLButtonElement>('button.clear-patient')?.focus();
  }

  private async clearPatient() {
    await this.load({ ...this.filterState, patient: undefined });
    this.renderRoot.querySelector<HTMLInputElement>('input[name=patientQuery]')?.focus();
  }

  private verificationText(): string {
    const v = this.verification;
    if (v === 'checking') return this.t('admin.audit.verifying');
    if (v === 'failed') return this.t('admin.audit.verifyFailed');
    if (!v.broken) return this.t('admin.audit.intact', { count: v.entries });
    return this.t('admin.audit.broken', { seq: v.broken.seq, reason: this.t(`admin.audit.reason.${v.broken.reason}`) });
  }

  private renderPicker() {
    const chosen = this.filterState.patient;
    if (chosen) {
      return html`<p class="chosen">
        ${this.t('admin.audit.filteredBy', { name: chosen.name })}
        <button type="button" class="clear-patient" @click=${this.clearPatient}>${this.t('admin.audit.clearPatient')}</button>
      </p>`;
    }
    return html`<label>${this.t('admin.audit.findPatient')} <input type="search" name="patientQuery" autocomplete="off" @keydown=${this.searchKey} /></label>
      <button type="button" @click=${this.findPatients} ?disabled=${this.busy}>${this.t('admin.audit.search')}</button>
      ${this.found === null
        ? nothing
        : this.found.patients.length === 0
          ? html`<p class="muted" role="status">${this.t('admin.audit.noPatientFound', { q: this.found.q })}</p>`
          : html`<ul class="found" aria-label=${this.t('admin.audit.patientsFound')}>
              ${this.found.patients.map(
                (p) => {
                  // The accessible name holds the visible text (WCAG 2.5.3 label in name).
                  const label = `${p.name} (${p.dateOfBirth})`;
                  return html`<li><button type="button" aria-label=${this.t('admin.audit.pick', { name: label })} @click=${() => this.pick(p)}>${label}</button></li>`;
                },
              )}
            </ul>`}`;
  }

  render() {
    const v = this.verification;
    const exportUrl = this.api.auditExportUrl({ patientId: this.filterState.patient?.id, action: this.filterState.action });
    return html`<h1>${this.t('admin.audit.title')}</h1>
      <p role="status" class=${typeof v === 'object' && v.broken ? 'error chain' : 'muted chain'}>${this.verificationText()}</p>
      <div class="panel">
        <form class="inline" @submit=${this.filter}>
          ${this.renderPicker()}
          <label>${this.t('admin.audit.filterAction')} <input name="action" placeholder="patient.read" .value=${this.filterState.action ?? ''} /></label>
          <button ?disabled=${this.busy}>${this.t('admin.audit.filter')}</button>
        </form>
        <p><a class="export" href=${exportUrl} download>${this.t('admin.audit.export')}</a></p>
      </div>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.entries.items === null
        ? this.error
          ? nothing
          : html`<p role="status">${this.t('common.loading')}</p>`
        : this.entries.items.length === 0
          ? html`<p class="muted">${this.t('admin.audit.empty')}</p>`
          : html`<table>
              <thead>
                <tr>
                  <th scope="col">${this.t('admin.audit.at')}</th>
                  <th scope="col">${this.t('admin.audit.actor')}</th>
                  <th scope="col">${this.t('admin.audit.action')}</th>
                  <th scope="col">${this.t('admin.audit.patient')}</th>
                  <th scope="col">${this.t('admin.audit.outcome')}</th>
                </tr>
              </thead>
              <tbody>
                ${this.entries.items.map(
                  (e) => html`<tr>
                    <td><time tabindex="-1" datetime=${e.at}>${new Date(e.at).toLocaleString(this.lang === 'fr' ? 'fr-CA' : 'en-CA')}</time></td>
                    <td>${e.actorName ?? e.actorType} <span class="muted">(${e.role ?? e.actorType})</span></td>
                    <td><code>${e.action}</code> <span class="muted">${e.target ?? ''}</span></td>
                    <td>${e.patientName ?? (e.patientId ? html`<span class="muted">${this.t('admin.audit.unknownPatient')}</span>` : '—')}</td>
                    <td>${e.outcome}</td>
                  </tr>`,
                )}
              </tbody>
            </table>
            ${this.entries.nextCursor ? html`<p><button class="secondary more" ?disabled=${this.busy} @click=${() => this.run(() => this.entries.more())}>${this.t('admin.list.more')}</button></p>` : nothing}`}`;
  }
}

defineOnce('sm-audit-page', SmAuditPage);

declare global {
  interface HTMLElementTagNameMap {
    'sm-audit-page': SmAuditPage;
  }
}
