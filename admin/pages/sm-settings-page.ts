/** @summary Clinic settings: name, sites allowed to embed, the patient page (notices' link), brand colour, consent text. Admins edit; others read. */
import { css, html, nothing } from 'lit';
import { state } from 'lit/decorators.js';
import type { Clinic } from '../../shared/api.js';
import { defineOnce } from '../../shared/define-once.js';
import { describeRefusal } from '../../shared/error-text.js';
import { ApiError } from '../../shared/fetch-json.js';
import { AdminPage } from '../admin-page.js';

export class SmSettingsPage extends AdminPage {
  static styles = [
    ...AdminPage.styles,
    css`
      label.check {
        display: flex;
        gap: 0.5rem;
        align-items: center;
      }
      #require-2fa-help {
        margin: 0.25rem 0 0;
      }
    `,
  ];

  @state() private clinic: Clinic | null = null;
  /** The allowed-websites line the server could not read, shown at the field. */
  @state() private originError: string | null = null;
  /** The patient page address the server refused, shown at the field. */
  @state() private pageError: string | null = null;

  connectedCallback(): void {
    super.connectedCallback();
    void this.run(async () => {
      this.clinic = await this.api.clinic();
    });
  }

  protected updated(): void {
    if (this.originError) this.renderRoot.querySelector<HTMLTextAreaElement>('textarea[name=origins]')?.focus();
    else if (this.pageError) this.renderRoot.querySelector<HTMLInputElement>('input[name=patientPageUrl]')?.focus();
  }

  private save(e: SubmitEvent) {
    e.preventDefault();
    const f = new FormData(e.target as HTMLFormElement);
    const text = (n: string) => String(f.get(n) ?? '').trim();
    this.originError = null;
    this.pageError = null;
    return this.run(async () => {
      try {
        this.clinic = await this.api.saveClinic({
          name: text('name'),
          // One site per line, as typed: the server turns each into its origin (www.myclinic.ca → https://www.myclinic.ca).
          allowedOrigins: text('origins').split(/[\r\n]+/).map((l) => l.trim()).filter(Boolean),
          brandColor: text('brandColor'),
          consentText: { en: text('consentEn'), fr: text('consentFr') },
          requireTwoFactor: f.get('requireTwoFactor') === 'on',
          patientPageUrl: text('patientPageUrl') || null,
        });
      } catch (err) {
        if (err instanceof ApiError && err.code === 'invalid_patient_page') {
          this.pageError = describeRefusal(this.lang, err);
          return;
        }
        if (!(err instanceof ApiError && err.code === 'invalid_origin')) throw err;
        // Said at the field, which gets the focus (updated()).
        this.originError = this.t('admin.settings.error.invalidOrigin', { line: String(err.params?.line ?? ''), value: String(err.params?.value ?? '') });
        return;
      }
      this.status = this.t('common.saved');
    });
  }

  render() {
    // One heading for both states: focus put on it while loading stays there.
    const c = this.clinic;
    return html`<h1>${this.t('admin.settings.title')}</h1>${c ? this.settingsForm(c) : this.error ? html`<p class="error" role="alert">${this.error}</p>` : html`<p role="status">${this.t('common.loading')}</p>`}`;
  }

  private settingsForm(c: NonNullable<typeof this.clinic>) {
    const readOnly = this.me.staff.role !== 'admin';
    return html`
      <form class="grid panel" @submit=${this.save}>
        <fieldset class="plain" ?disabled=${readOnly}>
          <label>${this.t('admin.settings.name')} <input name="name" required maxlength="120" .value=${c.name} /></label>
          <label
            >${this.t('admin.settings.origins')}
            <textarea name="origins" .value=${c.allowedOrigins.join('\n')} aria-invalid=${this.originError ? 'true' : 'false'} aria-describedby=${this.originError ? 'origins-error' : nothing}></textarea
          ></label>
          ${this.originError ? html`<p id="origins-error" class="error" role="alert">${this.originError}</p>` : nothing}
          <label
            >${this.t('admin.settings.patientPage')}
            <input
              name="patientPageUrl"
              inputmode="url"
              autocomplete="url"
              maxlength="2048"
              placeholder="https://www.myclinic.ca/messages"
              .value=${c.patientPageUrl ?? ''}
              aria-invalid=${this.pageError ? 'true' : 'false'}
              aria-describedby=${this.pageError ? 'patient-page-error patient-page-help' : 'patient-page-help'}
          /></label>
          <p id="patient-page-help" class="muted">${this.t('admin.settings.patientPageHelp')}</p>
          ${this.pageError ? html`<p id="patient-page-error" class="error" role="alert">${this.pageError}</p>` : nothing}
          <label>${this.t('admin.settings.brandColor')} <input name="brandColor" type="color" .value=${c.brandColor} /></label>
          <label>${this.t('admin.settings.consentEn')} <textarea name="consentEn" required lang="en" .value=${c.consentText.en}></textarea></label>
          <label>${this.t('admin.settings.consentFr')} <textarea name="consentFr" required lang="fr" .value=${c.consentText.fr}></textarea></label>
          <div>
            <label class="check"
              ><input type="checkbox" name="requireTwoFactor" aria-describedby="require-2fa-help" .checked=${c.requireTwoFactor} /> ${this.t('admin.settings.requireTwoFactor')}</label
            >
            <p id="require-2fa-help" class="muted">${this.t('admin.settings.requireTwoFactorHelp')}</p>
          </div>
        </fieldset>
        ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
        ${this.status ? html`<p class="ok" role="status">${this.status}</p>` : nothing}
        ${readOnly ? nothing : html`<button ?disabled=${this.busy}>${this.t('common.save')}</button>`}
      </form>`;
  }
}

defineOnce('sm-settings-page', SmSettingsPage);

declare global {
  interface HTMLElementTagNameMap {
    'sm-settings-page': SmSettingsPage;
  }
}
