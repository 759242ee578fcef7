/** @summary Patients: search, enrol and edit. Every list and read is audited by the server. */
import { html, nothing } from 'lit';
import { state } from 'lit/decorators.js';
import type { Patient, PatientDetails } from '../../shared/api.js';
import { defineOnce } from '../../shared/define-once.js';
import { ApiError } from '../../shared/fetch-json.js';
import { AdminPage } from '../admin-page.js';
import { MOBILE_PATTERN } from '../../shared/mobile.js';
import { PagedList } from '../paged-list.js';

/** Form values to API body: blank optional fields become null (cleared), not empty strings. */
function detailsFrom(form: HTMLFormElement): PatientDetails {
  const f = new FormData(form);
  const text = (name: string) => String(f.get(name) ?? '').trim();
  return {
    name: text('name'),
    dateOfBirth: text('dateOfBirth'),
    email: text('email'),
    phone: text('phone') || null,
    mobile: text('mobile').replace(/[\s().-]/g, '') || null,
    smsConsent: f.get('smsConsent') === 'on',
    healthNumber: text('healthNumber').replace(/[\s-]/g, '') || null,
    lang: text('lang') === 'fr' ? 'fr' : 'en',
  };
}

export class SmPatientsPage extends AdminPage {
  protected describeError(err: unknown): string {
    return err instanceof ApiError && err.code === 'email_taken' ? this.t('admin.patients.error.emailTaken') : super.describeError(err);
  }

  private readonly patients = new PagedList<Patient>(
    this,
    async (cursor) => {
      const page = await this.api.patientPage({ q: this.query, cursor });
      return { items: page.patients, nextCursor: page.nextCursor };
    },
    'tbody tr > td:last-child button',
  );
  @state() private editing: Patient | 'new' | null = null;
  private query = '';

  connectedCallback(): void {
    super.connectedCallback();
    void this.search();
  }

  private search(e?: SubmitEvent) {
    e?.preventDefault();
    if (e) this.query = String(new FormData(e.target as HTMLFormElement).get('q') ?? '');
    return this.run(() => this.patients.reload());
  }

  /** True while the mobile number typed is not E.164 (shown beside the field, which then takes focus). */
  @state() private mobileInvalid = false;

  private async save(e: SubmitEvent) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const details = detailsFrom(form);
    this.mobileInvalid = Boolean(details.mobile && !MOBILE_PATTERN.test(details.mobile));
    if (this.mobileInvalid) {
      await this.updateComplete;
      form.querySelector<HTMLInputElement>('input[name=mobile]')?.focus();
      return;
    }
    const editing = this.editing;
    const ok = await this.run(async () => {
      const saved = editing === 'new' ? await this.api.enrol(details) : await this.api.updatePatient(editing!.id, details);
      this.patients.upsert(saved, (a, b) => a.id === b.id);
    }, this.t(editing === 'new' ? 'admin.patients.enrolled' : 'common.saved', { name: details.name }));
    if (ok) this.editing = null;
  }

  private form() {
    const p = this.editing === 'new' ? null : this.editing;
    return html`<section class="panel" aria-labelledby="form-title">
      <h2 id="form-title">${this.t(p ? 'admin.patients.edit' : 'admin.patients.enrol')}</h2>
      <form class="grid" @submit=${this.save}>
        <label>${this.t('admin.patients.name')} <input name="name" required maxlength="120" .value=${p?.name ?? ''} /></label>
        <label>${this.t('admin.patients.dob')} <input name="dateOfBirth" type="date" required .value=${p?.dateOfBirth ?? ''} /></label>
        <label>${this.t('admin.patients.email')} <input name="email" type="email" required .value=${p?.email ?? ''} /></label>
        <label>${this.t('admin.patients.phone')} <input name="phone" type="tel" .value=${p?.phone ?? ''} /></label>
        <label
          >${this.t('admin.patients.mobile')}
          <input
            name="mobile"
            type="tel"
            autocomplete="off"
            aria-describedby=${this.mobileInvalid ? 'mobile-hint mobile-error' : 'mobile-hint'}
            aria-invalid=${this.mobileInvalid ? 'true' : 'false'}
            .value=${p?.mobile ?? ''}
          />
          <span id="mobile-hint" class="muted">${this.t('admin.patients.mobileHint')}</span>
          ${this.mobileInvalid ? html`<span id="mobile-error" class="error">${this.t('admin.patients.mobileInvalid')}</span>` : nothing}
        </label>
        <label class="check"
          ><input type="checkbox" name="smsConsent" ?checked=${Boolean(p?.smsConsentAt)} /> ${this.t('admin.patients.smsConsent')}
          ${p?.smsConsentAt ? html`<span class="muted">(${this.t('admin.patients.smsConsentedOn', { date: p.smsConsentAt.slice(0, 10) })})</span>` : nothing}</label
        >
        <label>${this.t('admin.patients.healthNumber')} <input name="healthNumber" .value=${p?.healthNumber ?? ''} /></label>
        <label>${this.t('admin.patients.lang')}
          <select name="lang" .value=${p?.lang ?? 'en'}>
            <option value="en">English</option>
            <option value="fr" lang="fr">Français</option>
          </select>
        </label>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        <div>
          <button ?disabled=${this.busy}>${this.t('common.save')}</button>
          <button type="button" class="secondary" @click=${() => ((this.editing = null), (this.mobileInvalid = false))}>${this.t('common.cancel')}</button>
        </div>
      </form>
    </section>`;
  }

  render() {
    return html`<h1>${this.t('admin.patients.title')}</h1>
      <div class="panel">
        <form class="inline" role="search" @submit=${this.search}>
          <label>${this.t('admin.patients.search')} <input name="q" type="search" .value=${this.query} /></label>
          <button ?disabled=${this.busy}>${this.t('common.search')}</button>
          <button type="button" class="secondary" @click=${() => (this.editing = 'new')}>${this.t('admin.patients.enrol')}</button>
        </form>
      </div>
      ${this.status ? html`<p class="ok" role="status">${this.status}</p>` : nothing}
      ${this.editing ? this.form() : this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.patients.items === null
        ? this.error
          ? nothing
          : html`<p class="muted" role="status">${this.t('common.loading')}</p>`
        : this.patients.items.length === 0
          ? html`<p class="muted">${this.t('admin.patients.empty')}</p>`
          : html`<table>
              <caption class="muted">${this.t('admin.patients.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">${this.t('admin.patients.name')}</th>
                  <th scope="col">${this.t('admin.patients.dob')}</th>
                  <th scope="col">${this.t('admin.patients.email')}</th>
                  <th scope="col">${this.t('admin.patients.healthNumber')}</th>
                  <th scope="col">${this.t('admin.patients.consent')}</th>
                  <th scope="col"><span class="muted">${this.t('common.edit')}</span></th>
                </tr>
              </thead>
              <tbody>
                ${this.patients.items.map(
                  (p) => html`<tr>
                    <td>${p.name}</td>
                    <td>${p.dateOfBirth}</td>
                    <td>${p.email}</td>
                    <td>${p.healthNumber ?? '—'}</td>
                    <td>${p.consentedAt ? this.t('admin.patients.consented', { date: p.consentedAt.slice(0, 10) }) : this.t('admin.patients.notConsented')}</td>
                    <td><button class="secondary" aria-label="${this.t('common.edit')} ${p.name}" @click=${() => (this.editing = p)}>${this.t('common.edit')}</button></td>
                  </tr>`,
                )}
              </tbody>
            </table>
            ${this.patients.nextCursor ? html`<p><button class="secondary more" ?disabled=${this.busy} @click=${() => this.run(() => this.patients.more())}>${this.t('admin.list.more')}</button></p>` : nothing}`}`;
  }
}

defineOnce('sm-patients-page', SmPatientsPage);

declare global {
  interface HTMLElementTagNameMap {
    'sm-patients-page': SmPatientsPage;
  }
}
