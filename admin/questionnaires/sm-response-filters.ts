/**
 * @summary Filters of the responses list: one patient, one questionnaire, a status (overdue
 * included). Each change applies at once.
 * @fires sm-filter-change - the filters changed; detail is the new query.
 */
import { LitElement, css, html } from 'lit';
import { property } from 'lit/decorators.js';
import { defineOnce } from '../../shared/define-once.js';
import { translate, type MessageKey } from '../../shared/i18n-all.js';
import type { Lang } from '../../shared/lang.js';
import type { AssignmentQuery } from '../../shared/questionnaires.js';
import { adminStyles } from '../styles.js';

type Status = NonNullable<AssignmentQuery['status']>;
const STATUSES: Array<[Status, MessageKey]> = [
  ['assigned', 'admin.q.status.assigned'],
  ['in-progress', 'admin.q.status.in-progress'],
  ['completed', 'admin.q.status.completed'],
  ['overdue', 'admin.q.overdue'],
];

export class SmResponseFilters extends LitElement {
  static styles = [
    adminStyles,
    css`
      fieldset {
        display: flex;
        flex-wrap: wrap;
        gap: 0.75rem;
        align-items: end;
        border: 1px solid #c5ced6;
        border-radius: 6px;
        margin: 0 0 1rem;
      }
    `,
  ];

  @property() lang: Lang = 'en';
  @property({ attribute: false }) value: AssignmentQuery = {};
  @property({ attribute: false }) patients: Array<{ id: string; name: string }> = [];
  @property({ attribute: false }) questionnaires: Array<{ id: string; title: string; titleFr: string }> = [];

  private t(key: MessageKey) {
    return translate(this.lang, key);
  }

  private change() {
    const field = (name: string) => this.renderRoot.querySelector<HTMLSelectElement>(`select[name="${name}"]`)?.value || undefined;
    const next: AssignmentQuery = { patientId: field('patient'), questionnaireId: field('questionnaire'), status: field('status') as Status | undefined };
    this.emit(Object.fromEntries(Object.entries(next).filter(([, v]) => v !== undefined)) as AssignmentQuery);
  }

  private emit(query: AssignmentQuery) {
    this.dispatchEvent(new CustomEvent('sm-filter-change', { detail: query, bubbles: true, composed: true }));
  }

  render() {
    const v = this.value;
    const any = this.t('admin.qr.filter.any');
    return html`<fieldset>
      <legend>${this.t('admin.qr.filters')}</legend>
      <label
        >${this.t('admin.qr.filter.patient')}
        <select name="patient" @change=${this.change}>
          <option value="" ?selected=${!v.patientId}>${any}</option>
          ${this.patients.map((p) => html`<option value=${p.id} ?selected=${v.patientId === p.id}>${p.name}</option>`)}
        </select>
      </label>
      <label
        >${this.t('admin.qr.filter.questionnaire')}
        <select name="questionnaire" @change=${this.change}>
          <option value="" ?selected=${!v.questionnaireId}>${any}</option>
          ${this.questionnaires.map((q) => html`<option value=${q.id} ?selected=${v.questionnaireId === q.id}>${this.lang === 'fr' ? q.titleFr : q.title}</option>`)}
        </select>
      </label>
      <label
        >${this.t('admin.qr.filter.status')}
        <select name="status" @change=${this.change}>
          <option value="" ?selected=${!v.status}>${any}</option>
          ${STATUSES.map(([s, key]) => html`<option value=${s} ?selected=${v.status === s}>${this.t(key)}</option>`)}
        </select>
      </label>
      <button type="button" class="secondary" ?disabled=${!v.patientId && !v.questionnaireId && !v.status} @click=${() => this.emit({})}>${this.t('admin.qr.filter.clear')}</button>
    </fieldset>`;
  }
}

defineOnce('sm-response-filters', SmResponseFilters);

declare global {
  interface HTMLElementTagNameMap {
    'sm-response-filters': SmResponseFilters;
  }
  interface HTMLElementEventMap {
    'sm-filter-change': CustomEvent<AssignmentQuery>;
  }
}
