/**
 * @summary The patient's questionnaires: the list (what the clinic expects, due dates, not for
 * emergencies), and one questionnaire to fill in. Items render accessibly (fieldset and legend for
 * groups and choices, a label for every field, errors beside the questions, announced and focused);
 * conditional items appear and disappear as answers change (shared/questionnaire-logic.ts, the rule
 * the server applies too), answers to hidden items are never sent, and answers autosave to the
 * server so the patient can finish on another device. A submitted questionnaire changes only by an
 * amendment, which the clinic sees beside the first answers.
 * @fires sm-questionnaire-submitted - the clinic received the answers.
 */
import type { QuestionnaireItem } from '@medplum/fhirtypes';
import { LitElement, html, css, nothing, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { defineOnce } from '../../shared/define-once.js';
import { ApiError } from '../../shared/fetch-json.js';
import { translate, type MessageKey } from '../../shared/i18n.js';
import type { Lang } from '../../shared/lang.js';
import {
  answerProblem, codingDisplay, enabledLinkIds, flattenItems, isQuestion, itemText, missingRequired, pruneAnswers, questionnaireTitle, type AnswerProblem, type AnswerValue, type Answers,
} from '../../shared/questionnaire-logic.js';
import type { PatientAssignment, PatientAssignmentDetail } from '../../shared/questionnaires.js';
import type { PatientApi } from './patient-api.js';
import { frameStyles } from './styles.js';

/** How long typing pauses before the answers autosave. */
const AUTOSAVE_MS = 800;

const PROBLEM_KEYS: Record<AnswerProblem | 'required' | 'decimal', MessageKey> = {
  required: 'q.error.required',
  wrong_type: 'q.error.decimal',
  decimal: 'q.error.decimal',
  not_an_integer: 'q.error.integer',
  not_a_date: 'q.error.date',
  too_long: 'q.error.tooLong',
  not_an_option: 'q.error.option',
};

/** A field id safe for the DOM from an item's linkId. */
const fieldId = (linkId: string) => `q-${linkId.replace(/[^A-Za-z0-9_-]/g, '_')}`;

export class SmQuestionnaireView extends LitElement {
  static styles = [
    frameStyles,
    css`
      ul.list {
        list-style: none;
        padding: 0;
        margin: 0.5rem 0;
        display: grid;
        gap: 0.5rem;
      }
      ul.list button {
        width: 100%;
        text-align: left;
        background: var(--sm-surface, #fff);
        color: var(--sm-text, #1f2933);
        border: 1px solid var(--sm-border, #c5ced6);
        font-weight: normal;
        display: grid;
        gap: 0.15rem;
      }
      .title {
        font-weight: 700;
      }
      fieldset {
        border: 1px solid var(--sm-border, #c5ced6);
        border-radius: calc(var(--sm-radius, 8px) / 2);
        padding: 0.5rem 0.75rem 0.75rem;
        margin: 0;
        display: grid;
        gap: 0.5rem;
        min-width: 0;
      }
      fieldset.group {
        border-width: 2px;
      }
      legend {
        font-weight: 600;
        padding: 0 0.25rem;
      }
      .question {
        display: grid;
        gap: 0.25rem;
      }
      textarea,
      input[inputmode] {
        font: inherit;
        padding: 0.5rem 0.6rem;
        border: 1px solid var(--sm-border-strong, #616e7c);
        border-radius: calc(var(--sm-radius, 8px) / 2);
        background: #fff;
        color: #1f2933;
        max-width: 100%;
        box-sizing: border-box;
      }
      textarea {
        min-height: 5rem;
      }
      [aria-invalid='true'] {
        border-color: var(--sm-danger, #b3261e);
        border-width: 2px;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.75rem;
        align-items: center;
      }
    `,
  ];

  @property({ attribute: false }) api!: PatientApi;
  @property() lang: Lang = 'en';

  @state() private list: PatientAssignment[] | null = null;
  @state() private open: PatientAssignmentDetail | null = null;
  @state() private answers: Answers = {};
  /** What the patient typed in number fields, kept as typed until it parses. */
  @state() private raw: Record<string, string> = {};
  @state() private errors: Record<string, MessageKey> = {};
  @state() private summary: string | null = null;
  @state() private save: 'idle' | 'saving' | 'saved' | 'failed' = 'idle';
  @state() private amending = false;
  @state() private busy = false;
  @state() private problem: MessageKey | null = null;
  @state() private thanks = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private dirty = false;

  private t(key: MessageKey, vars?: Record<string, string | number>) {
    return translate(this.lang, key, vars);
  }

  connectedCallback(): void {
    super.connectedCallback();
    void this.loadList();
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.dirty) void this.flush();
    clearTimeout(this.timer);
  }

  private async loadList() {
    this.problem = null;
    try {
      this.list = await this.api.questionnaires();
    } catch (err) {
      this.problem = err instanceof ApiError && err.status === 0 ? 'q.offline' : 'common.error';
    }
  }

  private async openOne(id: string) {
    this.problem = null;
    this.thanks = false;
    try {
      const detail = await this.api.questionnaire(id);
      this.open = detail;
      this.answers = detail.response?.answers ?? {};
      this.raw = {};
      this.errors = {};
      this.summary = null;
      this.save = 'idle';
      this.amending = false;
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('h3')?.focus();
    } catch (err) {
      this.problem = err instanceof ApiError && err.status === 0 ? 'q.offline' : 'common.error';
    }
  }

  private async back() {
    if (this.dirty) await this.flush();
    this.open = null;
    await this.loadList();
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('ul.list button, p')?.focus();
  }

  private get readOnly(): boolean {
    const status = this.open?.response?.status;
    return !this.amending && (status === 'completed' || status === 'amended');
  }

  private setAnswer(item: QuestionnaireItem, values: AnswerValue[]) {
    this.answers = { ...this.answers, [item.linkId]: values };
    if (this.errors[item.linkId]) {
      const rest = { ...this.errors };
      delete rest[item.linkId];
      this.errors = rest;
    }
    this.dirty = true;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), AUTOSAVE_MS);
  }

  /** The answers worth sending: enabled questions only, each answer of the right type. */
  private sendable(): Answers {
    const items = this.open?.questionnaire.item;
    const kept = pruneAnswers(items, this.answers);
    const byId = new Map(flattenItems(items).map((i) => [i.linkId, i]));
    return Object.fromEntries(Object.entries(kept).filter(([id, values]) => values.every((v) => answerProblem(byId.get(id)!, v) === null)));
  }

  private async flush() {
    if (!this.open || !this.dirty) return;
    clearTimeout(this.timer);
    this.dirty = false;
    this.save = 'saving';
    try {
      const saved = await this.api.saveAnswers(this.open.assignment.id, { answers: this.sendable(), ...(this.amending ? { amend: true } : {}) });
      if (this.open) this.open = { ...this.open, response: { id: saved.id, revision: saved.revision, status: saved.status, answers: this.answers, updatedAt: saved.updatedAt } };
      this.amending = false;
      this.save = 'saved';
    } catch {
      // Kept on the page; the next change or the submit tries again.
      this.dirty = true;
      this.save = 'failed';
    }
  }

  /** The problems the patient must fix before submitting, by linkId. */
  private validate(): Record<string, MessageKey> {
    const items = this.open!.questionnaire.item;
    const enabled = enabledLinkIds(items, this.answers);
    const out: Record<string, MessageKey> = {};
    for (const item of flattenItems(items)) {
      if (!isQuestion(item) || !enabled.has(item.linkId)) continue;
      if (this.raw[item.linkId] !== undefined && this.raw[item.linkId]!.trim() !== '' && !(this.answers[item.linkId] ?? []).length) {
        out[item.linkId] = PROBLEM_KEYS[item.type === 'integer' ? 'not_an_integer' : 'decimal'];
        continue;
      }
      for (const v of this.answers[item.linkId] ?? []) {
        const p = answerProblem(item, v);
        if (p) out[item.linkId] = PROBLEM_KEYS[p];
      }
    }
    for (const id of missingRequired(items, this.answers)) out[id] ??= PROBLEM_KEYS.required;
    return out;
  }

  private async submit(e: Event) {
    e.preventDefault();
    if (!this.open || this.busy) return;
    const errors = this.validate();
    this.errors = errors;
    const count = Object.keys(errors).length;
    if (count > 0) {
      this.summary = this.t('q.errors.summary', { count });
      await this.updateComplete;
      const first = flattenItems(this.open.questionnaire.item).find((i) => errors[i.linkId]);
      if (first) this.renderRoot.querySelector<HTMLElement>(`#${fieldId(first.linkId)}`)?.focus();
      return;
    }
    this.summary = null;
    this.busy = true;
    clearTimeout(this.timer);
    try {
      await this.api.submitAnswers(this.open.assignment.id, { answers: this.sendable(), ...(this.amending ? { amend: true } : {}) });
      this.dirty = false;
      this.thanks = true;
      this.dispatchEvent(new CustomEvent('sm-questionnaire-submitted', { bubbles: true, composed: true }));
      await this.openOne(this.open.assignment.id);
      this.thanks = true;
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('.thanks')?.focus();
    } catch (err) {
      this.summary = err instanceof ApiError && err.status === 0 ? this.t('q.saveFailed') : this.t('q.refused');
    } finally {
      this.busy = false;
    }
  }

  private async amend() {
    this.amending = true;
    this.thanks = false;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('input, textarea')?.focus();
  }

  private date(iso: string) {
    return new Intl.DateTimeFormat(this.lang === 'fr' ? 'fr-CA' : 'en-CA', { dateStyle: 'long', timeZone: iso.length > 10 ? undefined : 'UTC' }).format(new Date(iso.length > 10 ? iso : `${iso}T00:00:00Z`));
  }

  private titleOf(a: { title: string; titleFr: string }) {
    return this.lang === 'fr' ? a.titleFr : a.title;
  }

  render() {
    return html`${this.problem ? html`<p class="error" role="alert">${this.t(this.problem)}</p>` : nothing}${this.open ? this.renderOne(this.open) : this.renderList()}`;
  }

  private renderList() {
    if (!this.list) return this.problem ? nothing : html`<p class="muted" role="status">${this.t('common.loading')}</p>`;
    return html`<p class="notice" role="note">${this.t('frame.notForEmergencies')}</p>
      <p>${this.t('q.expect')}</p>
      ${this.list.length === 0
        ? html`<p tabindex="-1">${this.t('q.list.empty')}</p>`
        : html`<ul class="list">
            ${this.list.map(
              (a) => html`<li>
                <button @click=${() => this.openOne(a.id)}>
                  <span class="title">${this.titleOf(a)}</span>
                  <span>${this.t(`q.status.${a.status}`)}${a.dueDate && a.status !== 'completed' ? html` · ${this.t(a.overdue ? 'q.list.overdue' : 'q.list.due', { date: this.date(a.dueDate) })}` : nothing}</span>
                </button>
              </li>`,
            )}
          </ul>`}`;
  }

  private renderOne(d: PatientAssignmentDetail) {
    const enabled = enabledLinkIds(d.questionnaire.item, this.answers);
    const done = this.readOnly;
    return html`<p><button class="link" @click=${this.back}>${this.t('q.back')}</button></p>
      <h3 tabindex="-1">${questionnaireTitle(d.questionnaire, this.lang)}</h3>
      <p class="notice" role="note">${this.t('frame.notForEmergencies')}</p>
      ${this.thanks ? html`<p class="thanks" role="status" tabindex="-1">${this.t('q.submitted')}</p>` : nothing}
      ${done && d.assignment.submittedAt ? html`<p>${this.t('q.submittedOn', { date: this.date(d.assignment.submittedAt) })}</p>` : nothing}
      ${done ? nothing : html`<p class="muted">${this.t('q.requiredNote')}</p>`}
      <form novalidate @submit=${this.submit}>
        ${this.summary ? html`<p class="error" role="alert">${this.summary}</p>` : nothing}
        ${this.items(d.questionnaire.item ?? [], enabled, done)}
        ${done
          ? html`<div class="actions"><button type="button" @click=${this.amend}>${this.t('q.amend')}</button><span class="muted">${this.t('q.amendNote')}</span></div>`
          : html`<div class="actions">
              <button type="submit" ?disabled=${this.busy}>${this.t(this.busy ? 'q.submitting' : 'q.submit')}</button>
              <span class="muted" role="status">${this.save === 'saving' ? this.t('q.saving') : this.save === 'saved' ? this.t('q.saved') : this.save === 'failed' ? this.t('q.saveFailed') : ''}</span>
            </div>`}
      </form>`;
  }

  private items(items: QuestionnaireItem[], enabled: Set<string>, done: boolean): TemplateResult[] {
    return items.filter((i) => enabled.has(i.linkId) && !(i.readOnly && isQuestion(i))).map((i) => this.item(i, enabled, done));
  }

  private item(item: QuestionnaireItem, enabled: Set<string>, done: boolean): TemplateResult {
    const text = itemText(item, this.lang);
    if (item.type === 'display') return html`<p>${text}</p>`;
    if (item.type === 'group') return html`<fieldset class="group"><legend>${text}</legend>${this.items(item.item ?? [], enabled, done)}</fieldset>`;
    const id = fieldId(item.linkId);
    const error = this.errors[item.linkId];
    const errorId = `${id}-error`;
    const star = item.required ? html` <span aria-hidden="true">*</span><span class="visually-hidden">${this.t('q.required')}</span>` : nothing;
    const errorLine = error ? html`<p class="error" id=${errorId}>${this.t(error)}</p>` : nothing;
    const described = error ? errorId : undefined;
    const values = this.answers[item.linkId] ?? [];
    const first = values[0];
    if (item.type === 'boolean' || item.type === 'choice') {
      const multiple = item.type === 'choice' && item.repeats;
      const options: Array<{ key: string; label: string; value: AnswerValue }> =
        item.type === 'boolean'
          ? [{ key: 'yes', label: this.t('common.yes'), value: { valueBoolean: true } }, { key: 'no', label: this.t('common.no'), value: { valueBoolean: false } }]
          : (item.answerOption ?? []).flatMap((o, n) => (o.valueCoding ? [{ key: String(n), label: codingDisplay(o.valueCoding, this.lang), value: { valueCoding: { ...(o.valueCoding.system ? { system: o.valueCoding.system } : {}), code: o.valueCoding.code! } } }] : []));
      const checked = (v: AnswerValue) => values.some((a) => (v.valueBoolean !== undefined ? a.valueBoolean === v.valueBoolean : a.valueCoding?.code === v.valueCoding?.code));
      const others = (v: AnswerValue) => values.filter((a) => a.valueCoding?.code !== v.valueCoding?.code);
      const pick = (v: AnswerValue, on: boolean) => this.setAnswer(item, multiple ? (on ? [...others(v), v] : others(v)) : [v]);
      return html`<fieldset class="question" aria-describedby=${described ?? nothing}>
        <legend>${text}${star}</legend>
        ${options.map(
          (o, n) => html`<label class="check"
            ><input
              id=${n === 0 ? id : `${id}-${o.key}`}
              type=${multiple ? 'checkbox' : 'radio'}
              name=${id}
              .checked=${checked(o.value)}
              ?disabled=${done}
              @change=${(e: Event) => pick(o.value, (e.target as HTMLInputElement).checked)}
            />${o.label}</label
          >`,
        )}
        ${errorLine}
      </fieldset>`;
    }
    const label = html`<label for=${id}>${text}${star}</label>`;
    if (item.type === 'text') {
      return html`<div class="question">${label}<textarea id=${id} ?readonly=${done} aria-invalid=${error ? 'true' : 'false'} aria-describedby=${described ?? nothing} .value=${first?.valueString ?? ''} @input=${(e: Event) => this.setAnswer(item, [{ valueString: (e.target as HTMLTextAreaElement).value }])}></textarea>${errorLine}</div>`;
    }
    if (item.type === 'date') {
      return html`<div class="question">${label}<input id=${id} type="date" ?readonly=${done} aria-invalid=${error ? 'true' : 'false'} aria-describedby=${described ?? nothing} .value=${first?.valueDate ?? ''} @input=${(e: Event) => this.setAnswer(item, [{ valueDate: (e.target as HTMLInputElement).value }])} />${errorLine}</div>`;
    }
    if (item.type === 'integer' || item.type === 'decimal') {
      const shown = this.raw[item.linkId] ?? String(first?.valueInteger ?? first?.valueDecimal ?? '');
      const onInput = (e: Event) => {
        const typed = (e.target as HTMLInputElement).value;
        this.raw = { ...this.raw, [item.linkId]: typed };
        const n = Number(typed.trim().replace(',', '.'));
        const ok = typed.trim() !== '' && Number.isFinite(n) && (item.type === 'decimal' || Number.isInteger(n));
        this.setAnswer(item, ok ? [item.type === 'integer' ? { valueInteger: n } : { valueDecimal: n }] : []);
      };
      return html`<div class="question">${label}<input id=${id} type="text" inputmode=${item.type === 'integer' ? 'numeric' : 'decimal'} ?readonly=${done} aria-invalid=${error ? 'true' : 'false'} aria-describedby=${described ?? nothing} .value=${shown} @input=${onInput} />${errorLine}</div>`;
    }
    return html`<div class="question">${label}<input id=${id} type="text" ?readonly=${done} maxlength=${item.maxLength ?? nothing} aria-invalid=${error ? 'true' : 'false'} aria-describedby=${described ?? nothing} .value=${first?.valueString ?? ''} @input=${(e: Event) => this.setAnswer(item, [{ valueString: (e.target as HTMLInputElement).value }])} />${errorLine}</div>`;
  }
}

defineOnce('sm-questionnaire-view', SmQuestionnaireView);

declare global {
  interface HTMLElementTagNameMap {
    'sm-questionnaire-view': SmQuestionnaireView;
  }
  interface HTMLElementEventMap {
    'sm-questionnaire-submitted': CustomEvent<void>;
  }
}
