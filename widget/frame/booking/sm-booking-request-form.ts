/**
 * @summary A new patient's details for a booking request: name, date of birth, e-mail, optional phone
 * and health card number (no reason for the visit: the clinic asks at the visit). Checked as the
 * server checks them; each problem is shown beside its field (and counted in an alert), and focus
 * goes to the first field to correct.
 * @fires sm-booking-requested - the clinic received the request (no details: nothing leaves the frame).
 * @fires sm-request-back - the visitor wants another time (also when the time was taken meanwhile, with `taken`).
 */
import { LitElement, css, html, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { NewBookingRequest } from '../../../shared/booking.js';
import { defineOnce } from '../../../shared/define-once.js';
import { describeRefusal } from '../../../shared/error-text.js';
import { ApiError } from '../../../shared/fetch-json.js';
import { translate, translatePlural, type MessageKey } from '../../../shared/i18n-booking-view.js';
import type { Lang } from '../../../shared/lang.js';
import { frameStyles } from '../styles.js';
import type { PublicBookingApi } from './booking-api.js';

const FIELDS = ['name', 'dateOfBirth', 'email', 'phone', 'healthNumber'] as const;
type Field = (typeof FIELDS)[number];

/** The same rules as the server's schema (shared/api.ts PatientDetails), worded per field. */
function problems(v: Record<Field, string>, today: string): Field[] {
  const bad: Field[] = [];
  if (!v.name.trim() || v.name.length > 120) bad.push('name');
  const dob = /^\d{4}-\d{2}-\d{2}$/.test(v.dateOfBirth) ? new Date(`${v.dateOfBirth}T00:00:00Z`) : null;
  if (!dob || Number.isNaN(dob.getTime()) || dob.toISOString().slice(0, 10) !== v.dateOfBirth || v.dateOfBirth > today || dob.getUTCFullYear() < 1880) bad.push('dateOfBirth');
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v.email.trim()) || v.email.length > 254) bad.push('email');
  if (v.phone.trim() && !/^[+0-9 ()-]{7,20}$/.test(v.phone.trim())) bad.push('phone');
  if (v.healthNumber.trim() && !/^[0-9]{10}([A-Za-z]{2})?$/.test(compactCard(v.healthNumber))) bad.push('healthNumber');
  return bad;
}

/** A health card number as typed ("1234 567 890 AB") to the form the server takes. */
const compactCard = (s: string) => s.replace(/[\s-]/g, '');

export class SmBookingRequestForm extends LitElement {
  static styles = [
    frameStyles,
    css`
      form {
        display: grid;
        gap: 0.75rem;
      }
      label {
        display: grid;
        gap: 0.25rem;
      }
      input[type='tel'] {
        font: inherit;
        padding: 0.5rem 0.6rem;
        border: 1px solid var(--sm-border-strong, #616e7c);
        border-radius: calc(var(--sm-radius, 8px) / 2);
        background: var(--sm-surface, #ffffff);
        color: var(--sm-text, #1f2933);
      }
      input[aria-invalid='true'] {
        border-color: var(--sm-danger, #b42318);
        border-width: 2px;
      }
      .field-error {
        margin: 0;
      }
      .hint {
        font-size: 0.9em;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: center;
      }
    `,
  ];

  @property({ attribute: false }) api!: Pick<PublicBookingApi, 'request'>;
  @property() lang: Lang = 'en';
  /** The chosen time, to send with the details. */
  @property({ attribute: false }) chosen: { typeId: string; providerId: string; startsAt: string } | null = null;
  /** The chosen time in words, shown above the form. */
  @property() summary = '';

  @state() private invalid: Field[] = [];
  @state() private failure = '';
  @state() private busy = false;
  /** The values typed so far (kept across re-renders and a failed send). */
  @state() private values: Record<Field, string> = { name: '', dateOfBirth: '', email: '', phone: '', healthNumber: '' };

  private t(key: MessageKey, vars?: Record<string, string>) {
    return translate(this.lang, key, vars);
  }

  /** Focuses the form's heading (after the screen changed to it). */
  async focusHeading() {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('#request-title')?.focus();
  }

  private async focusFirstInvalid() {
    await this.updateComplete;
    const first = FIELDS.find((f) => this.invalid.includes(f));
    if (first) this.renderRoot.querySelector<HTMLElement>(`#rq-${first}`)?.focus();
  }

  private onInput(field: Field, e: Event) {
    this.values = { ...this.values, [field]: (e.target as HTMLInputElement).value };
    // A corrected field stops being flagged at once; the others wait for the next send.
    if (this.invalid.includes(field) && !problems(this.values, '9999-12-31').includes(field)) this.invalid = this.invalid.filter((f) => f !== field);
  }

  private async submit(e: Event) {
    e.preventDefault();
    if (!this.chosen || this.busy) return;
    const today = new Date().toISOString().slice(0, 10);
    this.failure = '';
    this.invalid = problems(this.values, today);
    if (this.invalid.length > 0) return this.focusFirstInvalid();
    const v = this.values;
    const body: NewBookingRequest = {
      ...this.chosen,
      name: v.name.trim(),
      dateOfBirth: v.dateOfBirth,
      email: v.email.trim(),
      ...(v.phone.trim() ? { phone: v.phone.trim() } : {}),
      ...(v.healthNumber.trim() ? { healthNumber: compactCard(v.healthNumber).toUpperCase() } : {}),
      lang: this.lang,
    };
    this.busy = true;
    try {
      await this.api.request(body);
      this.dispatchEvent(new CustomEvent('sm-booking-requested', { bubbles: true, composed: true }));
    } catch (err) {
      await this.refused(err);
    } finally {
      this.busy = false;
    }
  }

  /** A refusal: at its field when it names one, back to the times when the time is gone, else worded by code. */
  private async refused(err: unknown) {
    if (err instanceof ApiError && (err.code === 'slot_taken' || err.code === 'slot_unavailable')) {
      this.dispatchEvent(new CustomEvent('sm-request-back', { bubbles: true, composed: true, detail: { taken: true } }));
      return;
    }
    const field = err instanceof ApiError ? String(err.fields.field ?? '').replace(/^\/?(body[./])?/, '').split(/[./]/)[0] : '';
    if (field && (FIELDS as readonly string[]).includes(field)) {
      this.invalid = [field as Field];
      return this.focusFirstInvalid();
    }
    this.failure = err instanceof ApiError && err.code === 'existing_patients_only' ? this.t('booking.request.error.typeClosed') : err instanceof ApiError ? describeRefusal(this.lang, err) : this.t('common.error');
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('#request-failure')?.focus();
  }

  private field(name: Field, label: MessageKey, attrs: { type: string; autocomplete: string; required: boolean; max?: string; hint?: MessageKey }) {
    const bad = this.invalid.includes(name);
    const described = [attrs.hint ? `rq-${name}-hint` : '', bad ? `rq-${name}-error` : ''].filter(Boolean).join(' ');
    return html`<label
      >${this.t(label)}
      <input
        id="rq-${name}"
        name=${name}
        type=${attrs.type}
        autocomplete=${attrs.autocomplete}
        ?required=${attrs.required}
        max=${attrs.max ?? nothing}
        aria-invalid=${bad ? 'true' : 'false'}
        aria-describedby=${described || nothing}
        .value=${this.values[name]}
        @input=${(e: Event) => this.onInput(name, e)}
      />
      ${attrs.hint ? html`<span id="rq-${name}-hint" class="muted hint">${this.t(attrs.hint)}</span>` : nothing}
      ${bad ? html`<p id="rq-${name}-error" class="error field-error">${this.t(`booking.request.error.${name}`)}</p>` : nothing}
    </label>`;
  }

  render() {
    return html`<h3 id="request-title" tabindex="-1">${this.t('booking.request.detailsTitle')}</h3>
      <p>${this.summary}</p>
      <p class="muted">${this.t('booking.request.privacy')}</p>
      ${this.invalid.length > 0 ? html`<p class="error" role="alert">${translatePlural(this.lang, 'booking.request.error.summary', this.invalid.length)}</p>` : nothing}
      ${this.failure ? html`<p id="request-failure" class="error" role="alert" tabindex="-1">${this.failure}</p>` : nothing}
      <form novalidate @submit=${this.submit}>
        ${this.field('name', 'booking.request.name', { type: 'text', autocomplete: 'name', required: true })}
        ${this.field('dateOfBirth', 'booking.request.dob', { type: 'date', autocomplete: 'bday', required: true, max: new Date().toISOString().slice(0, 10) })}
        ${this.field('email', 'booking.request.email', { type: 'email', autocomplete: 'email', required: true })}
        ${this.field('phone', 'booking.request.phone', { type: 'tel', autocomplete: 'tel', required: false })}
        ${this.field('healthNumber', 'booking.request.healthNumber', { type: 'text', autocomplete: 'off', required: false, hint: 'booking.request.healthHint' })}
        <div class="actions">
          <button ?disabled=${this.busy}>${this.t('booking.request.send')}</button>
          <button type="button" class="link" @click=${() => this.dispatchEvent(new CustomEvent('sm-request-back', { bubbles: true, composed: true, detail: { taken: false } }))}>
            ${this.t('booking.request.changeTime')}
          </button>
        </div>
      </form>`;
  }
}

defineOnce('sm-booking-request-form', SmBookingRequestForm);

declare global {
  interface HTMLElementTagNameMap {
    'sm-booking-request-form': SmBookingRequestForm;
  }
  interface HTMLElementEventMap {
    'sm-booking-requested': CustomEvent<void>;
    'sm-request-back': CustomEvent<{ taken: boolean }>;
  }
}
