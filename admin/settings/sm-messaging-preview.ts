/**
 * @summary What a patient sees of the clinic's messaging rules (the widget's "What to expect" box and
 * its category list), in English or French, drawn from the settings as the admin edits them.
 * @csspart base - the patient-side box.
 * @cssproperty --sm-accent - the pressed language button.
 */
import { css, html, LitElement, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { defineOnce } from '../../shared/define-once.js';
import { translate, translatePlural } from '../../shared/i18n-all.js';
import { formatClock, sentence } from '../../shared/intl.js';
import type { Lang } from '../../shared/lang.js';
import { WEEKDAYS, type MessagingSettings, type WeeklySchedule } from '../../shared/messaging.js';

/** The weekly hours as the widget words them ("Monday 9:00 a.m.–5:00 p.m.; …"); ranges that cannot be read are left out. */
export function hoursText(lang: Lang, hours: WeeklySchedule): string {
  const readable = (r: { start: string; end: string }) => /^\d{2}:\d{2}$/.test(r.start) && /^\d{2}:\d{2}$/.test(r.end) && r.start < r.end;
  return WEEKDAYS.filter((d) => hours[d].some(readable))
    .map((d) => `${translate(lang, `msg.day.${d}`)} ${[...hours[d]].filter(readable).sort((a, b) => a.start.localeCompare(b.start)).map((r) => `${formatClock(lang, r.start)}–${formatClock(lang, r.end)}`).join(', ')}`)
    .join('; ');
}

export class SmMessagingPreview extends LitElement {
  static styles = css`
    :host {
      display: block;
    }
    [part='base'] {
      border: 1px solid #c9d3de;
      border-radius: 8px;
      padding: 0.75rem 1rem;
      background: #f7f9fb;
      overflow-wrap: anywhere;
    }
    h3 {
      margin: 0 0 0.5rem;
      font-size: 1rem;
    }
    .langs {
      display: flex;
      gap: 0.5rem;
      margin: 0 0 0.75rem;
      padding: 0;
      border: 0;
    }
    .langs legend {
      padding: 0;
      margin-bottom: 0.25rem;
    }
    .langs button {
      font: inherit;
      padding: 0.3rem 0.8rem;
      border: 1px solid var(--sm-accent, #0b5cad);
      border-radius: 4px;
      background: #fff;
      color: var(--sm-accent, #0b5cad);
      cursor: pointer;
    }
    .langs button[aria-pressed='true'] {
      background: var(--sm-accent, #0b5cad);
      color: #fff;
    }
    button:focus-visible,
    select:focus-visible {
      outline: 3px solid #1a73e8;
      outline-offset: 2px;
    }
    .notice {
      font-weight: bold;
    }
    .missing {
      color: #a4000f;
    }
    label {
      display: grid;
      gap: 0.25rem;
      margin-top: 0.5rem;
    }
    select {
      font: inherit;
      max-width: 100%;
    }
  `;

  /** The settings being edited. */
  @property({ attribute: false }) settings: MessagingSettings | null = null;
  /** The admin's own language (for the toggle's labels). */
  @property() lang: Lang = 'en';
  /** The patient's language shown in the preview; the admin's own until one is chosen. */
  @state() private patientLang: Lang | null = null;

  render() {
    const s = this.settings;
    if (!s) return nothing;
    const pl = this.patientLang ?? this.lang;
    const t = (key: Parameters<typeof translate>[1], vars?: Record<string, string | number>) => translate(pl, key, vars);
    const hours = hoursText(pl, s.hours);
    const days = s.responseBusinessDays;
    return html`<fieldset class="langs">
        <legend>${translate(this.lang, 'admin.preview.lang')}</legend>
        ${(['en', 'fr'] as const).map(
          (l) => html`<button type="button" lang=${l} aria-pressed=${pl === l ? 'true' : 'false'} @click=${() => (this.patientLang = l)}>${l === 'en' ? 'English' : 'Français'}</button>`,
        )}
      </fieldset>
      <div part="base" lang=${pl} data-preview>
        <h3>${t('msg.expect.title')}</h3>
        <p class="notice ${s.emergencyNotice[pl].trim() ? '' : 'missing'}" data-emergency>${s.emergencyNotice[pl].trim() || translate(pl, 'error.emergency_notice_required')}</p>
        ${Number.isInteger(days) && days > 0 ? html`<p data-promise>${translatePlural(pl, 'msg.expect.response', days)}</p>` : nothing}
        <p data-hours>${hours ? sentence(t('msg.expect.hours', { hours })) : t('msg.expect.noHours')}</p>
        ${s.weeklyThreadQuota !== null && Number.isInteger(s.weeklyThreadQuota) && s.weeklyThreadQuota > 0 ? html`<p>${translatePlural(pl, 'msg.expect.quota', s.weeklyThreadQuota)}</p>` : nothing}
        ${s.mode === 'two-way'
          ? html`<label
              >${t('msg.category')}
              <select data-categories>
                <option value="">${t('msg.category.choose')}</option>
                ${s.categories.map((c) => html`<option value=${c.id}>${c[pl] || c.id}</option>`)}
              </select></label
            >`
          : html`<p>${t(s.mode === 'one-way' ? 'msg.oneWay' : 'msg.replyOnly')}</p>`}
      </div>`;
  }
}

defineOnce('sm-messaging-preview', SmMessagingPreview);

declare global {
  interface HTMLElementTagNameMap {
    'sm-messaging-preview': SmMessagingPreview;
  }
}
