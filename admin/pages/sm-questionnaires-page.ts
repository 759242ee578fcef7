/**
 * @summary Questionnaires: the clinic's questionnaires (FHIR R4, exportable), the library of validated
 * instruments (PHQ-9, GAD-7) and FHIR JSON import with the first problem's path (admins and
 * physicians), assigning one to a patient found by the patient search, and the assignments with
 * status, score, band and safety flags, each response readable revision by revision. A safety flag
 * arriving live reloads the list.
 */
import type { QuestionnaireItem } from '@medplum/fhirtypes';
import { Router } from '@vaadin/router';
import { css, html, nothing, type TemplateResult } from 'lit';
import { state } from 'lit/decorators.js';
import type { Patient } from '../../shared/api.js';
import { defineOnce } from '../../shared/define-once.js';
import { ApiError } from '../../shared/fetch-json.js';
import { translatePlural, type MessageKey } from '../../shared/i18n-all.js';
import { attachmentId, codingDisplay, isQuestion, isRepeatingGroup, itemText, scopeItems, type AnswerValue, type Answers } from '../../shared/questionnaire-logic.js';
import type { AssignmentQuery, LibraryEntry, QuestionnaireSummary, ResponseResult, StaffAssignment, StaffAssignmentDetail } from '../../shared/questionnaires.js';
import { AdminPage } from '../admin-page.js';
import type { RepeatUnit } from '../../shared/questionnaire-schedules.js';
import './sm-questionnaire-schedules.js';
import '../questionnaires/sm-questionnaire-builder.js';
import { flagText } from '../questionnaires/response-answers.js';
import { ResponsesAdminApi } from '../questionnaires/response-api.js';
import '../questionnaires/sm-response-filters.js';
import '../questionnaires/sm-response-reply.js';
import '../questionnaires/sm-response-trend.js';

const ERRORS: Record<string, MessageKey> = {
  sms_unavailable: 'error.sms_unavailable',
  patient_not_textable: 'error.patient_not_textable',
  invalid_repeat: 'error.invalid_repeat',
  reminder_needs_due_date: 'error.reminder_needs_due_date',
  invalid_due_date: 'error.invalid_due_date',
  forbidden: 'admin.outgoing.error.forbidden',
  not_found: 'admin.outgoing.error.notFound',
  storage_unavailable: 'admin.outgoing.error.unavailable',
};

export class SmQuestionnairesPage extends AdminPage {
  static styles = [
    ...AdminPage.styles,
    css`
      .flag {
        color: #b3261e;
        font-weight: 700;
      }
      ul.chosen {
        list-style: none;
        padding: 0;
        margin: 0.25rem 0;
      }
      ul.library {
        list-style: none;
        padding: 0;
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
      }
      dl {
        display: grid;
        grid-template-columns: minmax(10rem, 2fr) 1fr;
        gap: 0.25rem 1rem;
      }
      dt {
        font-weight: 600;
      }
      dd {
        margin: 0;
      }
      .repeat {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem 1rem;
        align-items: end;
      }
      .repeat > p {
        flex-basis: 100%;
        margin: 0;
      }
    `,
  ];

  @state() private questionnaires: QuestionnaireSummary[] | null = null;
  @state() private library: LibraryEntry[] = [];
  @state() private assignments: StaffAssignment[] | null = null;
  @state() private importText = '';
  @state() private importError: string | null = null;
  @state() private found: Patient[] = [];
  /** The patients a send goes to, when it goes to more than the one picked. */
  @state() private chosen: Patient[] = [];
  @state() private detail: StaffAssignmentDetail | null = null;
  /** The builder, open on a new questionnaire (id null) or on one to edit. */
  @state() private building: { id: string | null } | null = null;
  /** The responses list's filters, and every patient seen in it (the patient filter's choices). */
  @state() private filter: AssignmentQuery = {};
  @state() private knownPatients = new Map<string, string>();
  /** The trend shown (one patient, one questionnaire), if any. */
  @state() private trend: { patientId: string; questionnaireId: string } | null = null;
  private responsesApi: ResponsesAdminApi | null = null;
  private get responses(): ResponsesAdminApi {
    return (this.responsesApi ??= new ResponsesAdminApi(this.api));
  }
  private readonly onLive = () => void this.loadAssignments();

  private get curator(): boolean {
    return this.me.staff.role === 'admin' || this.me.staff.role === 'physician';
  }

  connectedCallback(): void {
    super.connectedCallback();
    this.live?.addEventListener('sm-questionnaire-event', this.onLive);
    void this.load();
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    this.live?.removeEventListener('sm-questionnaire-event', this.onLive);
  }

  protected override describeError(err: unknown): string {
    if (err instanceof ApiError && err.status === 0) return this.t('common.offline');
    return err instanceof ApiError && ERRORS[err.code] ? this.t(ERRORS[err.code]!) : this.t('common.error');
  }

  private async load() {
    try {
      [this.questionnaires, this.library] = await Promise.all([this.api.questionnaires(), this.api.questionnaireLibrary()]);
    } catch (err) {
      this.error = this.describeError(err);
    }
    await this.loadAssignments();
  }

  private async loadAssignments() {
    try {
      this.assignments = await this.api.questionnaireAssignments(this.filter);
      const known = new Map(this.knownPatients);
      for (const a of this.assignments) known.set(a.patientId, a.patientName);
      this.knownPatients = known;
    } catch (err) {
      this.error = this.describeError(err);
    }
  }

  private titleOf(q: { title: string; titleFr: string }) {
    return this.lang === 'fr' ? q.titleFr : q.title;
  }

  private async addFromLibrary(entry: LibraryEntry) {
    await this.run(async () => {
      await this.api.addLibraryQuestionnaire(entry.key);
      await this.load();
    }, this.t('admin.q.imported', { title: this.titleOf(entry) }));
  }

  private async readFile(e: Event) {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) this.importText = await file.text();
  }

  private async importJson(e: Event) {
    e.preventDefault();
    this.importError = null;
    let resource: unknown;
    try {
      resource = JSON.parse(this.importText);
    } catch (err) {
      this.importError = this.t('admin.q.invalidJson', { detail: (err as Error).message });
      return;
    }
    this.busy = true;
    try {
      const added = await this.api.importQuestionnaire(resource);
      this.status = this.t('admin.q.imported', { title: this.titleOf(added.questionnaire) });
      this.importText = '';
      await this.load();
    } catch (err) {
      if (err instanceof ApiError && (err.code === 'invalid_fhir' || err.code === 'invalid_request')) {
        // The server's message is "path: problem"; the path is shown as it is, the frame of the sentence in the reader's language.
        const at = err.message.indexOf(': ');
        this.importError = this.t('admin.q.invalidFhir', { path: at > 0 ? err.message.slice(0, at) : 'Questionnaire', detail: at > 0 ? err.message.slice(at + 2) : err.message });
      } else {
        this.importError = this.describeError(err);
      }
    } finally {
      this.busy = false;
    }
    await this.updateComplete;
    if (this.importError) this.renderRoot.querySelector<HTMLElement>('#import-json')?.focus();
  }

  private async search(e: Event) {
    const q = (e.target as HTMLInputElement).value.trim();
    if (q.length < 2) {
      this.found = [];
      return;
    }
    try {
      this.found = await this.api.patients(q);
    } catch (err) {
      this.error = this.describeError(err);
    }
  }

  private async assign(e: Event) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const questionnaireId = String(data.get('questionnaire') ?? '');
    const patientId = String(data.get('patient') ?? '');
    const dueDate = String(data.get('due') ?? '');
    const pickedChannel = data.get('channel');
    const channel = pickedChannel === 'sms' ? 'sms' : pickedChannel === 'message' ? 'message' : 'email';
    const picked = this.found.find((p) => p.id === patientId);
    // The list when there is one; otherwise the one patient picked.
    const patients = this.chosen.length ? this.chosen : picked ? [picked] : [];
    if (!questionnaireId || patients.length === 0) return;
    const reminder = String(data.get('reminder') ?? '');
    const unit = String(data.get('repeat-unit') ?? '') as RepeatUnit | '';
    const until = String(data.get('repeat-until') ?? '');
    // Refused here as the server would, with the focus on the field to fix.
    const invalid = reminder && !dueDate ? (['admin.q.reminder.dueNeeded', 'due'] as const) : unit && !until ? (['admin.q.repeat.untilNeeded', 'repeat-until'] as const) : null;
    if (invalid) {
      this.status = null;
      this.error = this.t(invalid[0]);
      form.querySelector<HTMLElement>(`[name=${invalid[1]}]`)?.focus();
      return;
    }
    const repeat = unit ? { every: Number(data.get('repeat-every') ?? 1) || 1, unit, until } : null;
    const ok = await this.run(
      async () => {
        await this.api.assignQuestionnaire(questionnaireId, { patientIds: patients.map((p) => p.id), ...(dueDate ? { dueDate } : {}), channel, ...(reminder ? { reminderDaysBefore: Number(reminder) } : {}), ...(repeat ? { repeat } : {}) });
        await this.loadAssignments();
        if (repeat) await this.renderRoot.querySelector('sm-questionnaire-schedules')?.reload();
      },
      patients.length > 1
        ? translatePlural(this.lang, repeat ? 'admin.q.scheduledMany' : 'admin.q.assignedMany', patients.length, repeat ? { until: repeat.until } : {})
        : repeat
          ? this.t('admin.q.scheduled', { name: patients[0]!.name, until: repeat.until })
          : this.t(channel === 'sms' ? 'admin.questionnaires.assignedSms' : channel === 'message' ? 'admin.questionnaires.assignedMessage' : 'admin.q.assigned', { name: patients[0]!.name }),
    );
    if (ok) {
      form.reset();
      this.chosen = [];
    }
  }

  /** Adds the patient picked to the send's list (sending to several at once). */
  private addChosen() {
    const id = this.renderRoot.querySelector<HTMLSelectElement>('select[name=patient]')?.value;
    const patient = this.found.find((p) => p.id === id);
    if (!patient) return;
    if (!this.chosen.some((p) => p.id === patient.id)) this.chosen = [...this.chosen, patient];
    this.error = null;
    this.status = translatePlural(this.lang, 'admin.q.chosenAdded', this.chosen.length, { name: patient.name });
  }

  private async removeChosen(patient: Patient) {
    this.chosen = this.chosen.filter((p) => p.id !== patient.id);
    this.status = this.t('admin.q.chosenRemoved', { name: patient.name });
    await this.updateComplete;
    // The focus stays in the list (or goes back to the pick when the list is empty).
    (this.renderRoot.querySelector<HTMLElement>('ul.chosen button') ?? this.renderRoot.querySelector<HTMLElement>('select[name=patient]'))?.focus();
  }

  private async view(a: StaffAssignment) {
    await this.run(async () => {
      this.detail = await this.api.questionnaireAssignment(a.id);
    });
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('#detail h2')?.focus();
  }

  private async filterBy(e: CustomEvent<AssignmentQuery>) {
    this.filter = e.detail;
    await this.loadAssignments();
  }

  private async showTrend(a: StaffAssignment) {
    this.trend = { patientId: a.patientId, questionnaireId: a.questionnaireId };
    // The trend focuses its own heading once its data is in.
    await this.updateComplete;
    this.renderRoot.querySelector('#trend')?.scrollIntoView?.({ block: 'start' });
  }

  private score(result: ResponseResult | null) {
    if (!result) return nothing;
    return html`${result.scores.map((s) => html`<div>${s.value}${s.band ? html` – ${this.lang === 'fr' ? s.band.fr : s.band.en}` : nothing}</div>`)}
    ${result.flags.map((f) => html`<div class="flag">${this.t('admin.q.flag')}: ${flagText(f, this.lang)}</div>`)}`;
  }

  private answerText(item: QuestionnaireItem, a: AnswerValue): string {
    if (a.valueCoding) {
      const option = item.answerOption?.find((o) => o.valueCoding?.code === a.valueCoding!.code)?.valueCoding;
      return codingDisplay(option ?? a.valueCoding, this.lang);
    }
    if (a.valueBoolean !== undefined) return this.t(a.valueBoolean ? 'common.yes' : 'common.no');
    if (a.valueQuantity) return `${a.valueQuantity.value ?? ''} ${a.valueQuantity.unit ?? a.valueQuantity.code ?? ''}`.trim();
    if (a.valueDateTime) return a.valueDateTime.length > 10 ? new Intl.DateTimeFormat(this.lang === 'fr' ? 'fr-CA' : 'en-CA', { dateStyle: 'long', timeStyle: 'short' }).format(new Date(a.valueDateTime)) : a.valueDateTime;
    return String(a.valueString ?? a.valueInteger ?? a.valueDecimal ?? a.valueDate ?? '');
  }

  /** One answer as staff read it: an attached file is a download link (through the audited attachments API). */
  private answerView(item: QuestionnaireItem, a: AnswerValue) {
    const file = attachmentId(a);
    if (file) return html`<a href=${`/api/attachments/${encodeURIComponent(file)}`} download>${a.valueAttachment?.title || this.t('admin.q.noAnswer')}</a>`;
    return this.answerText(item, a);
  }

  /** The questions of one scope and their answers; each instance of a repeating group is its own list. */
  private answerList(items: QuestionnaireItem[] | undefined, answers: Answers): TemplateResult {
    return html`<dl>
      ${scopeItems(items)
        .filter(isQuestion)
        .map((item) => {
          const given = answers[item.linkId] ?? [];
          if (isRepeatingGroup(item)) {
            return html`<dt>${itemText(item, this.lang)}</dt>
              <dd>${given.length === 0 ? this.t('admin.q.noAnswer') : given.map((inst, n) => html`<p>${this.t('q.group.instance', { group: itemText(item, this.lang), n: n + 1 })}</p>${this.answerList(item.item, inst.item ?? {})}`)}</dd>`;
          }
          return html`<dt>${itemText(item, this.lang)}</dt><dd>${given.length === 0 ? this.t('admin.q.noAnswer') : given.map((a, n) => html`${n > 0 ? ', ' : ''}${this.answerView(item, a)}`)}</dd>`;
        })}
    </dl>`;
  }

  /** Opens the builder, or closes it (then the list is fresh and focus returns to the heading). */
  private async build(target: { id: string | null } | null, published?: { id: string; version: number }) {
    this.building = target;
    this.status = null;
    if (target) return;
    await this.load();
    const q = published && this.questionnaires?.find((x) => x.id === published.id);
    if (q) this.status = this.t('qb.published', { title: this.titleOf(q), version: q.version });
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('h1')?.focus();
  }

  render() {
    if (this.building) {
      return html`<h1>${this.t('admin.q.title')}</h1>
        <sm-questionnaire-builder .api=${this.api} lang=${this.lang} .questionnaireId=${this.building.id}
          @sm-builder-close=${() => this.build(null)} @sm-questionnaire-published=${(e: CustomEvent<{ id: string; version: number }>) => this.build(null, e.detail)}></sm-questionnaire-builder>`;
    }
    return html`<h1 tabindex="-1">${this.t('admin.q.title')}</h1>
      ${this.status ? html`<p class="ok" role="status">${this.status}</p>` : nothing}
      ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
      ${this.renderList()} ${this.curator ? this.renderCuration() : nothing} ${this.renderAssign()} ${this.renderAssignments()} ${this.detail ? this.renderDetail(this.detail) : nothing}`;
  }

  private renderList() {
    if (!this.questionnaires) return html`<p class="muted" role="status">${this.t('common.loading')}</p>`;
    if (this.questionnaires.length === 0) return html`<p>${this.t('admin.q.none')}</p>`;
    return html`<ul>
      ${this.questionnaires.map(
        (q) => html`<li>${this.titleOf(q)} (${this.t('admin.q.version', { version: q.version })}) ·
          <a href=${`/api/questionnaires/${encodeURIComponent(q.id)}/fhir`} download=${`questionnaire-${q.id}-v${q.version}.json`}>${this.t('admin.q.export', { title: this.titleOf(q) })}</a>
          ${this.curator ? html` · <button class="link" @click=${() => this.build({ id: q.id })}>${this.t('qb.edit', { title: this.titleOf(q) })}</button>` : nothing}</li>`,
      )}
    </ul>`;
  }

  private renderCuration() {
    return html`<p><button id="new-questionnaire" @click=${() => this.build({ id: null })}>${this.t('qb.new')}</button></p>
      <section class="panel">
        <h2>${this.t('admin.q.library')}</h2>
        <ul class="library">
          ${this.library.map((e) =>
            e.questionnaireId
              ? html`<li>${this.t('admin.q.libraryHave', { title: this.titleOf(e) })}</li>`
              : html`<li><button ?disabled=${this.busy} @click=${() => this.addFromLibrary(e)}>${this.t('admin.q.libraryAdd', { title: this.titleOf(e) })}</button></li>`,
          )}
        </ul>
      </section>
      <section class="panel">
        <h2>${this.t('admin.q.import')}</h2>
        <form class="grid" @submit=${this.importJson}>
          <label
            >${this.t('admin.q.importLabel')}
            <textarea id="import-json" spellcheck="false" aria-invalid=${this.importError ? 'true' : 'false'} aria-describedby=${this.importError ? 'import-error' : nothing} .value=${this.importText} @input=${(e: Event) => (this.importText = (e.target as HTMLTextAreaElement).value)}></textarea>
          </label>
          ${this.importError ? html`<p class="error" id="import-error" role="alert">${this.importError}</p>` : nothing}
          <label>${this.t('admin.q.importFile')} <input type="file" accept="application/json,application/fhir+json,.json" @change=${this.readFile} /></label>
          <button type="submit" ?disabled=${this.busy || !this.importText.trim()}>${this.t('admin.q.importDo')}</button>
        </form>
      </section>`;
  }

  private renderAssign() {
    if (!this.questionnaires?.length) return nothing;
    return html`<section class="panel">
      <h2>${this.t('admin.q.assign')}</h2>
      <form class="grid" @submit=${this.assign}>
        <label
          >${this.t('admin.q.assignWhich')}
          <select name="questionnaire" required>
            ${this.questionnaires.map((q) => html`<option value=${q.id}>${this.titleOf(q)}</option>`)}
          </select>
        </label>
        <label>${this.t('admin.q.assignPatient')} <input type="search" autocomplete="off" @input=${this.search} /></label>
        <label
          >${this.t('admin.q.assignPick')}
          <select name="patient" ?required=${this.chosen.length === 0}>
            ${this.found.map((p) => html`<option value=${p.id}>${p.name} (${p.dateOfBirth})</option>`)}
          </select>
        </label>
        <div class="chosen">
          <button type="button" ?disabled=${this.found.length === 0} @click=${this.addChosen}>${this.t('admin.q.chosenAdd')}</button>
          ${this.chosen.length
            ? html`<p id="chosen-title">${translatePlural(this.lang, 'admin.q.chosenTitle', this.chosen.length)}</p>
                <ul class="chosen" aria-labelledby="chosen-title">
                  ${this.chosen.map((p) => html`<li>${p.name} (${p.dateOfBirth}) <button type="button" class="link" aria-label=${this.t('admin.q.chosenRemove', { name: p.name })} @click=${() => this.removeChosen(p)}>${this.t('admin.q.chosenRemoveShort')}</button></li>`)}
                </ul>`
            : html`<p class="muted">${this.t('admin.q.chosenHint')}</p>`}
        </div>
        <label>${this.t('admin.q.assignDue')} <input type="date" name="due" /></label>
        <label
          >${this.t('admin.q.reminder')}
          <select name="reminder">
            <option value="">${this.t('admin.q.reminder.none')}</option>
            <option value="0">${this.t('admin.q.reminder.dueDay')}</option>
            ${[1, 2, 3, 7].map((n) => html`<option value=${n}>${translatePlural(this.lang, 'admin.q.reminder.before', n)}</option>`)}
          </select>
        </label>
        <fieldset>
          <legend>${this.t('admin.questionnaires.sendBy')}</legend>
          <label class="check"><input type="radio" name="channel" value="email" checked /> ${this.t('admin.questionnaires.channel.email')}</label>
          <label class="check"><input type="radio" name="channel" value="sms" /> ${this.t('admin.questionnaires.channel.sms')}</label>
          <label class="check"><input type="radio" name="channel" value="message" /> ${this.t('admin.questionnaires.channel.message')}</label>
        </fieldset>
        <div role="group" aria-labelledby="repeat-title" aria-describedby="repeat-hint" class="repeat">
          <p id="repeat-title"><strong>${this.t('admin.q.repeat')}</strong></p>
          <label
            >${this.t('admin.q.repeat.unit')}
            <select name="repeat-unit">
              <option value="">${this.t('admin.q.repeat.never')}</option>
              ${(['day', 'week', 'month'] as const).map((u) => html`<option value=${u}>${this.t(`admin.q.repeat.unit.${u}`)}</option>`)}
            </select>
          </label>
          <label>${this.t('admin.q.repeat.every')} <input type="number" name="repeat-every" min="1" max="52" value="1" inputmode="numeric" /></label>
          <label>${this.t('admin.q.repeat.until')} <input type="date" name="repeat-until" /></label>
          <p id="repeat-hint" class="muted">${this.t('admin.q.repeat.hint')}</p>
        </div>
        <button type="submit" ?disabled=${this.busy || (this.found.length === 0 && this.chosen.length === 0)}>${this.t('admin.q.assignDo')}</button>
      </form>
    </section>
    <sm-questionnaire-schedules .api=${this.api} .me=${this.me} lang=${this.lang}></sm-questionnaire-schedules>`;
  }

  private renderAssignments() {
    return html`<section>
      <h2>${this.t('admin.q.responses')}</h2>
      <sm-response-filters
        .lang=${this.lang}
        .value=${this.filter}
        .patients=${[...this.knownPatients].map(([id, name]) => ({ id, name })).sort((x, y) => x.name.localeCompare(y.name))}
        .questionnaires=${this.questionnaires ?? []}
        @sm-filter-change=${this.filterBy}
      ></sm-response-filters>
      ${this.assignments ? html`<p class="muted" role="status">${this.t('admin.qr.filter.shown', { count: this.assignments.length })}</p>` : nothing}
      ${!this.assignments
        ? nothing
        : this.assignments.length === 0
          ? html`<p>${this.t('admin.q.noResponses')}</p>`
          : html`<table>
              <thead>
                <tr>
                  <th scope="col">${this.t('admin.q.col.patient')}</th>
                  <th scope="col">${this.t('admin.q.col.questionnaire')}</th>
                  <th scope="col">${this.t('admin.q.col.status')}</th>
                  <th scope="col">${this.t('admin.q.col.due')}</th>
                  <th scope="col">${this.t('admin.q.col.score')}</th>
                </tr>
              </thead>
              <tbody>
                ${this.assignments.map(
                  (a) => html`<tr>
                    <td><button class="link" @click=${() => this.view(a)}>${this.t('admin.q.view', { name: a.patientName })}</button></td>
                    <td>
                      ${this.titleOf(a)} (${this.t('admin.q.version', { version: a.version })})
                      <div><button class="link" @click=${() => this.showTrend(a)}>${this.t('admin.qr.trend.open', { title: this.titleOf(a), name: a.patientName })}</button></div>
                    </td>
                    <td>${this.t(`admin.q.status.${a.status}`)}${a.overdue ? html` · <strong>${this.t('admin.q.overdue')}</strong>` : nothing}</td>
                    <td>${a.dueDate ?? ''}</td>
                    <td>${this.score(a.result)}</td>
                  </tr>`,
                )}
              </tbody>
            </table>`}
    </section>
    ${this.trend
      ? html`<section class="panel" id="trend">
          <sm-response-trend .api=${this.responses} .lang=${this.lang} patient-id=${this.trend.patientId} questionnaire-id=${this.trend.questionnaireId} @sm-trend-close=${() => (this.trend = null)}></sm-response-trend>
        </section>`
      : nothing}`;
  }

  private renderDetail(d: StaffAssignmentDetail) {
    return html`<section id="detail" class="panel">
      <h2 tabindex="-1">${this.t('admin.q.view', { name: d.assignment.patientName })} – ${this.titleOf(d.assignment)}</h2>
      ${d.responses.map(
        (r) => html`<h3>${this.t('admin.q.revision', { revision: r.revision, status: this.t(`admin.q.rev.${r.status}`) })}</h3>
          ${this.score(r.result)}
          ${this.answerList(d.questionnaire.item, r.answers)}
          <p><a href=${`/api/questionnaire-responses/${encodeURIComponent(r.id)}/fhir`} download=${`response-${r.id}.json`}>${this.t('admin.q.exportResponse', { revision: r.revision })}</a>
            · <a href=${`/admin/questionnaires/responses/${encodeURIComponent(r.id)}/print`}>${this.t('admin.qr.print.open', { revision: r.revision })}</a></p>`,
      )}
      <sm-response-reply .api=${this.responses} .lang=${this.lang} assignment-id=${d.assignment.id} patient-name=${d.assignment.patientName} @sm-response-replied=${(e: CustomEvent<{ threadId: string }>) => Router.go(`/admin/inbox/${e.detail.threadId}`)}></sm-response-reply>
      <button class="secondary" @click=${() => (this.detail = null)}>${this.t('admin.q.close')}</button>
    </section>`;
  }
}

defineOnce('sm-questionnaires-page', SmQuestionnairesPage);

declare global {
  interface HTMLElementTagNameMap {
    'sm-questionnaires-page': SmQuestionnairesPage;
  }
}
