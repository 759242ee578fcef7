/** @summary The audit log (admins only), newest first, filterable by patient and action. */
import { html, nothing } from 'lit';
import { state } from 'lit/decorators.js';
import type { AuditEntry } from '../../shared/api.js';
import { defineOnce } from '../../shared/define-once.js';
import { AdminPage } from '../admin-page.js';

export class SmAuditPage extends AdminPage {
  @state() private entries: AuditEntry[] | null = null;

  connectedCallback(): void {
    super.connectedCallback();
    void this.load({});
  }

  private load(filter: { patientId?: string; action?: string }) {
    return this.run(async () => {
      this.entries = await this.api.audit({ ...filter, limit: 200 });
    });
  }

  private filter(e: SubmitEvent) {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    return this.load({ patientId: String(f.get('patientId')).trim() || undefined, action: String(f.get('action')).trim() || undefined });
  }

  render() {
    return html`<h1>${this.t('admin.audit.title')}</h1>
      <div class="panel">
        <form class="inline" @submit=${this.filter}>
          <label>${this.t('admin.audit.filterPatient')} <input name="patientId" /></label>
          <label>${this.t('admin.audit.filterAction')} <input name="action" placeholder="patient.read" /></label>
          <button ?disabled=${this.busy}>${this.t('admin.audit.filter')}</button>
        </form>
      </div>
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.entries === null
        ? this.error
          ? nothing
          : html`<p role="status">${this.t('common.loading')}</p>`
        : this.entries.length === 0
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
                ${this.entries.map(
                  (e) => html`<tr>
                    <td><time datetime=${e.at}>${new Date(e.at).toLocaleString(this.lang === 'fr' ? 'fr-CA' : 'en-CA')}</time></td>
                    <td>${e.actorName ?? e.actorType} <span class="muted">(${e.role ?? e.actorType})</span></td>
                    <td><code>${e.action}</code> <span class="muted">${e.target ?? ''}</span></td>
                    <td><code>${e.patientId ?? '—'}</code></td>
                    <td>${e.outcome}</td>
                  </tr>`,
                )}
              </tbody>
            </table>`}`;
  }
}

defineOnce('sm-audit-page', SmAuditPage);

declare global {
  interface HTMLElementTagNameMap {
    'sm-audit-page': SmAuditPage;
  }
}
