/**
 * @summary The clinic's messaging rules, in sections with real controls: mode, time zone and weekly
 * hours, closures, answering blocks, categories, limits and what patients are told, with a live
 * preview of what the patient sees. Each problem is shown at its field, in the reader's language,
 * and listed in a summary at the top; the checks are the server's own (shared/messaging-settings-rules.ts).
 * Saved rules apply to the widget at once.
 */
import { css, html, nothing } from 'lit';
import { state } from 'lit/decorators.js';
import type { FieldError } from '../../shared/api.js';
import { defineOnce } from '../../shared/define-once.js';
import { describeFailure, describeRefusal } from '../../shared/error-text.js';
import { ApiError } from '../../shared/fetch-json.js';
import { translatePlural, type MessageKey } from '../../shared/i18n-all.js';
import { LOCALES } from '../../shared/intl.js';
import type { Lang } from '../../shared/lang.js';
import { MAX_CATEGORIES, MAX_CLOSURES, SETTINGS_LIMITS, TEMPLATE_PLACEHOLDERS, WEEKDAYS, type CannedReply, type MessagingSettings, type WeeklySchedule } from '../../shared/messaging.js';
import { categoryIdFrom, checkMessagingSettings } from '../../shared/messaging-settings-rules.js';
import { AdminPage } from '../admin-page.js';
import '../settings/sm-messaging-preview.js';

type Day = (typeof WEEKDAYS)[number];
type ScheduleName = 'hours' | 'answeringBlocks';
type NumberName = keyof typeof SETTINGS_LIMITS;

/** A day may have this many ranges (the schema's limit). */
const MAX_RANGES = 6;

/** Canada's zones, east to west: listed first in the picker. */
const CANADIAN_ZONES = [
  'America/St_Johns', 'America/Halifax', 'America/Glace_Bay', 'America/Moncton', 'America/Goose_Bay', 'America/Blanc-Sablon', 'America/Toronto', 'America/Iqaluit',
  'America/Atikokan', 'America/Winnipeg', 'America/Rankin_Inlet', 'America/Resolute', 'America/Regina', 'America/Swift_Current', 'America/Edmonton',
  'America/Cambridge_Bay', 'America/Inuvik', 'America/Creston', 'America/Dawson_Creek', 'America/Fort_Nelson', 'America/Vancouver', 'America/Whitehorse', 'America/Dawson',
];

/** The fields the form has a control for (a problem elsewhere is listed without a link). */
const FORM_FIELD =
  /^(mode|timeZone|subjectRequired|acceptNewOutsideHours|staffDigestEmail|maxChars|maxWords|attachmentMaxMb|weeklyThreadQuota|responseBusinessDays|categories(\.\d+\.(id|en|fr))?|closures\.\d+|(hours|answeringBlocks)\.(mon|tue|wed|thu|fri|sat|sun)\.\d+\.(start|end)|(emergencyNotice|autoReply)\.(en|fr))$/;

/** The element id of a settings field (`hours.tue.0.end` → `f-hours-tue-0-end`). */
const fid = (path: string) => `f-${path.replaceAll('.', '-')}`;

/** Minutes after midnight as HH:MM, capped at 23:59. */
const clock = (minutes: number) => {
  const m = Math.min(minutes, 23 * 60 + 59);
  return `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
};
const minutesOf = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return Number.isFinite(h) && Number.isFinite(m) ? h! * 60 + m! : 9 * 60;
};

/** The picker's options in a language: Canadian zones, then the rest, each with its generic name ("Eastern Time"). */
function zoneOptions(lang: Lang): { canada: Array<[string, string]>; other: Array<[string, string]> } {
  const all = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : ['America/Toronto'];
  const label = (zone: string) => {
    let generic = '';
    try {
      generic = new Intl.DateTimeFormat(LOCALES[lang], { timeZone: zone, timeZoneName: 'longGeneric' }).formatToParts(0).find((p) => p.type === 'timeZoneName')?.value ?? '';
    } catch {
      generic = '';
    }
    const place = zone.replaceAll('_', ' ');
    return generic && generic !== zone ? `${place} (${generic})` : place;
  };
  const known = new Set(all);
  const canada = CANADIAN_ZONES.filter((z) => known.has(z)).map((z): [string, string] => [z, label(z)]);
  const other = all.filter((z) => !CANADIAN_ZONES.includes(z)).map((z): [string, string] => [z, label(z)]);
  return { canada, other };
}

export class SmMessagingSettingsPage extends AdminPage {
  static styles = [
    ...AdminPage.styles,
    css`
      .layout {
        display: grid;
        gap: 1rem;
        grid-template-columns: minmax(0, 1fr);
        align-items: start;
      }
      @media (min-width: 72rem) {
        .layout {
          grid-template-columns: minmax(0, 48rem) minmax(16rem, 24rem);
        }
        aside {
          position: sticky;
          top: 1rem;
        }
      }
      form.grid {
        max-width: none;
        min-width: 0;
      }
      fieldset.section {
        border: 1px solid #c5ced6;
        border-radius: 8px;
        padding: 0.75rem 1rem 1rem;
        margin: 0;
        min-width: 0;
        display: grid;
        gap: 0.75rem;
        background: #fff;
      }
      fieldset.section > legend {
        font-weight: 700;
        font-size: 1.1rem;
        padding: 0 0.25rem;
      }
      fieldset.group {
        border: 0;
        border-top: 1px solid #d9e2ec;
        padding: 0.4rem 0 0;
        margin: 0;
        min-width: 0;
        display: grid;
        gap: 0.5rem;
      }
      fieldset.group > legend {
        font-weight: 600;
        padding: 0;
      }
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
        align-items: end;
      }
      .fields {
        display: grid;
        grid-template-columns: repeat(auto-fit, minmax(11rem, 1fr));
        gap: 0.5rem 0.75rem;
        align-items: start;
      }
      .fields.wide {
        grid-template-columns: repeat(auto-fit, minmax(16rem, 1fr));
      }
      .fields label {
        font-weight: 600;
      }
      .schedule {
        display: grid;
      }
      /* A day is one row: its name, then "Open" and its ranges, wrapping on narrow screens. */
      fieldset.day {
        border: 0;
        border-top: 1px solid #d9e2ec;
        margin: 0;
        padding: 0.4rem 0;
        min-width: 0;
      }
      fieldset.day > legend {
        float: left;
        width: 7rem;
        padding: 0.45rem 0 0;
        font-weight: 600;
      }
      fieldset.day > legend::first-letter {
        text-transform: uppercase;
      }
      @media (max-width: 30rem) {
        fieldset.day > legend {
          float: none;
          width: auto;
          padding: 0 0 0.25rem;
        }
      }
      label.check input {
        flex: none;
      }
      .day-body {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem 0.75rem;
        align-items: center;
        min-width: 0;
      }
      .range {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem 0.5rem;
        align-items: center;
      }
      .range label {
        display: flex;
        align-items: center;
        gap: 0.35rem;
        font-weight: normal;
      }
      .range .field-error {
        flex-basis: 100%;
      }
      select,
      input,
      textarea {
        max-width: 100%;
        min-width: 0;
        box-sizing: border-box;
      }
      select#f-timeZone {
        width: 100%;
      }
      input[type='number'] {
        width: 8rem;
      }
      textarea {
        min-height: 4rem;
      }
      button.small {
        padding: 0.25rem 0.6rem;
      }
      [aria-invalid='true'] {
        border: 2px solid #b3261e;
      }
      .field-error {
        margin: 0;
        overflow-wrap: anywhere;
      }
      .summary {
        border: 2px solid #b3261e;
        border-radius: 8px;
        padding: 0.75rem 1rem;
        background: #fff;
      }
      .summary p {
        margin: 0 0 0.5rem;
      }
      .summary ul {
        margin: 0;
        padding-left: 1.25rem;
      }
      .summary a {
        color: #b3261e;
        overflow-wrap: anywhere;
      }
      .help {
        margin: 0;
        font-weight: normal;
      }
      ul.rows {
        list-style: none;
        margin: 0;
        padding: 0;
        display: grid;
        gap: 0.5rem;
      }
    `,
  ];

  /** The rules as edited, not yet saved; the preview shows them. */
  @state() private draft: MessagingSettings | null = null;
  /** Which categories take their id from their English name (new rows, until the id is typed). */
  @state() private autoIds: boolean[] = [];
  /** The problems shown at their fields (the summary lists them). */
  @state() private problems: FieldError[] = [];
  @state() private canned: CannedReply[] = [];
  /** A template refused for a placeholder: which text field, and the sentence shown at it. */
  @state() private cannedProblem: { field: 'body' | 'bodyFr'; text: string } | null = null;
  /** After a refused save, edits are checked as they happen, so a fixed field loses its message. */
  private checking = false;
  private zones: { lang: Lang; options: ReturnType<typeof zoneOptions> } | null = null;

  connectedCallback(): void {
    super.connectedCallback();
    void this.run(async () => {
      const [settings, canned] = await Promise.all([this.api.messagingSettings(), this.api.cannedReplies()]);
      this.load(settings);
      this.canned = canned;
    });
  }

  private load(s: MessagingSettings) {
    this.draft = s;
    this.autoIds = s.categories.map(() => false);
  }

  protected describeError(err: unknown): string {
    return describeFailure(this.lang, err);
  }

  // --- canned replies (their own form) -----------------------------------------------------

  private async addCanned(e: SubmitEvent) {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const f = new FormData(form);
    this.cannedProblem = null;
    await this.run(async () => {
      try {
        this.canned = [...this.canned, await this.api.addCannedReply(String(f.get('title')).trim(), String(f.get('body')), String(f.get('bodyFr') ?? '').trim() || undefined)];
        form.reset();
      } catch (err) {
        // A placeholder the product does not fill in is said at the text that uses it, not beside the button.
        const field = err instanceof ApiError && err.code === 'unknown_placeholder' ? err.params?.field : undefined;
        if (field !== 'body' && field !== 'bodyFr') throw err;
        this.cannedProblem = { field, text: describeFailure(this.lang, err) };
      }
    }, this.t('common.saved'));
    // Set inside the callback above, which TypeScript's narrowing does not follow.
    const problem = this.cannedProblem as { field: string } | null;
    if (!problem) return;
    this.status = null;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLTextAreaElement>(`#canned-${problem.field}`)?.focus();
  }

  private removeCanned(id: string) {
    return this.run(async () => {
      await this.api.deleteCannedReply(id);
      this.canned = this.canned.filter((c) => c.id !== id);
    });
  }

  private cannedText(field: 'body' | 'bodyFr', label: string, required: boolean) {
    const problem = this.cannedProblem?.field === field ? this.cannedProblem.text : null;
    return html`<label for="canned-${field}">${label}</label>
      <textarea id="canned-${field}" name=${field} ?required=${required} maxlength="5000" aria-invalid=${problem ? 'true' : 'false'} aria-describedby="canned-placeholders${problem ? ` canned-${field}-error` : ''}"
        @input=${() => (this.cannedProblem = this.cannedProblem?.field === field ? null : this.cannedProblem)}></textarea>
      ${problem ? html`<p class="error" id="canned-${field}-error">${problem}</p>` : nothing}`;
  }

  /** Templates: everyone reads them (they are used in replies); only administrators add or remove them. */
  private cannedSection() {
    const mayEdit = this.me.staff.role === 'admin';
    return html`<section class="panel" aria-labelledby="canned-title">
      <h2 id="canned-title">${this.t('admin.canned.title')}</h2>
      ${this.canned.length === 0
        ? html`<p class="muted">${this.t('admin.canned.empty')}</p>`
        : html`<ul>
            ${this.canned.map(
              (c) => html`<li><strong>${c.title}</strong>: ${c.body}${c.bodyFr ? html` <span lang="fr">/ ${c.bodyFr}</span>` : nothing}
                ${mayEdit ? html`<button class="secondary" @click=${() => this.removeCanned(c.id)}>${this.t('admin.canned.remove', { name: c.title })}</button>` : nothing}</li>`,
            )}
          </ul>`}
      ${mayEdit
        ? html`<form class="grid canned" @submit=${this.addCanned}>
            <label>${this.t('admin.canned.name')} <input name="title" required maxlength="120" /></label>
            <p class="muted" id="canned-placeholders">${this.t('admin.canned.placeholders', { list: TEMPLATE_PLACEHOLDERS.map((p) => `{${p}}`).join(', ') })}</p>
            ${this.cannedText('body', this.t('admin.canned.body'), true)}
            ${this.cannedText('bodyFr', this.t('admin.canned.bodyFr'), false)}
            <button ?disabled=${this.busy}>${this.t('admin.canned.add')}</button>
          </form>`
        : nothing}
    </section>`;
  }

  // --- editing -----------------------------------------------------------------------------

  /** Applies an edit to the draft; once a save was refused, the problems follow the edits. */
  private edit(change: (d: MessagingSettings) => MessagingSettings) {
    this.draft = change(this.draft!);
    this.status = null;
    if (this.checking) this.problems = checkMessagingSettings(this.draft);
  }

  private async focusId(id: string) {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(`#${id}`)?.focus();
  }

  private setRanges(name: ScheduleName, day: Day, ranges: WeeklySchedule[Day]) {
    this.edit((d) => ({ ...d, [name]: { ...d[name], [day]: ranges } }));
  }

  private setTime(name: ScheduleName, day: Day, i: number, end: 'start' | 'end', value: string) {
    this.setRanges(name, day, this.draft![name][day].map((r, k) => (k === i ? { ...r, [end]: value } : r)));
  }

  private addRange(name: ScheduleName, day: Day) {
    const ranges = this.draft![name][day];
    const last = ranges[ranges.length - 1];
    const next = last ? { start: last.end, end: clock(minutesOf(last.end) + 60) } : name === 'hours' ? { start: '09:00', end: '17:00' } : { start: '12:00', end: '13:00' };
    this.setRanges(name, day, [...ranges, next]);
    void this.focusId(fid(`${name}.${day}.${ranges.length}.start`));
  }

  private removeRange(name: ScheduleName, day: Day, i: number) {
    const ranges = this.draft![name][day].filter((_, k) => k !== i);
    this.setRanges(name, day, ranges);
    // The range now in its place, else the one before, else the day's own control.
    void this.focusId(ranges.length ? fid(`${name}.${day}.${Math.min(i, ranges.length - 1)}.start`) : name === 'hours' ? fid(`hours.${day}.open`) : fid(`${name}.${day}.add`));
  }

  private toggleDay(day: Day, open: boolean) {
    this.setRanges('hours', day, open ? [{ start: '09:00', end: '17:00' }] : []);
  }

  private setClosures(closures: string[]) {
    this.edit((d) => ({ ...d, closures }));
  }

  private addClosure() {
    const n = this.draft!.closures.length;
    this.setClosures([...this.draft!.closures, '']);
    void this.focusId(fid(`closures.${n}`));
  }

  private removeClosure(i: number) {
    const closures = this.draft!.closures.filter((_, k) => k !== i);
    this.setClosures(closures);
    void this.focusId(closures.length ? fid(`closures.${Math.min(i, closures.length - 1)}`) : 'f-closures-add');
  }

  private setCategory(i: number, key: 'id' | 'en' | 'fr', value: string) {
    const auto = this.autoIds[i] ?? false;
    if (key === 'id') this.autoIds = this.autoIds.map((a, k) => (k === i ? false : a));
    this.edit((d) => ({
      ...d,
      categories: d.categories.map((c, k) => (k !== i ? c : key === 'en' && auto ? { ...c, en: value, id: categoryIdFrom(value) } : { ...c, [key]: value })),
    }));
  }

  private addCategory() {
    const n = this.draft!.categories.length;
    this.autoIds = [...this.autoIds, true];
    this.edit((d) => ({ ...d, categories: [...d.categories, { id: '', en: '', fr: '' }] }));
    void this.focusId(fid(`categories.${n}.en`));
  }

  private removeCategory(i: number) {
    this.autoIds = this.autoIds.filter((_, k) => k !== i);
    this.edit((d) => ({ ...d, categories: d.categories.filter((_, k) => k !== i) }));
    const left = this.draft!.categories.length;
    void this.focusId(left ? fid(`categories.${Math.min(i, left - 1)}.en`) : fid('categories'));
  }

  private moveCategory(i: number, by: -1 | 1) {
    const j = i + by;
    const swap = <T>(list: T[]) => list.map((x, k) => (k === i ? list[j]! : k === j ? list[i]! : x));
    this.autoIds = swap(this.autoIds);
    this.edit((d) => ({ ...d, categories: swap(d.categories) }));
    // The focus follows the row; at the top or bottom its button in that direction is gone, so the other one.
    const last = this.draft!.categories.length - 1;
    void this.focusId(fid(`categories.${j}.${(by < 0 && j === 0) || (by > 0 && j === last) ? (by < 0 ? 'down' : 'up') : by < 0 ? 'up' : 'down'}`));
  }

  private setNumber(name: NumberName, text: string) {
    const nullable = name === 'maxChars' || name === 'maxWords' || name === 'weeklyThreadQuota';
    const value = text.trim() === '' ? (nullable ? null : Number.NaN) : Number(text);
    this.edit((d) => ({ ...d, [name]: value }));
  }

  // --- saving and problems -------------------------------------------------------------------

  private async save(e: SubmitEvent) {
    e.preventDefault();
    const draft = this.draft!;
    this.checking = true;
    const found = checkMessagingSettings(draft);
    if (found.length) return this.showProblems(found);
    let refused: FieldError[] | null = null;
    const ok = await this.run(async () => {
      try {
        this.load(await this.api.saveMessagingSettings(draft));
        this.problems = [];
        this.checking = false;
      } catch (err) {
        const fields = err instanceof ApiError && err.status === 400 ? (err.fields.errors ?? (err.fields.field ? [{ code: err.code, field: err.fields.field, params: err.params }] : null)) : null;
        if (!fields?.length) throw err;
        refused = fields;
      }
    });
    if (refused) await this.showProblems(refused);
    else if (ok) this.status = this.t('common.saved');
  }

  /** Shows the problems at their fields and moves the focus to the first one on the page. */
  private async showProblems(problems: FieldError[]) {
    this.problems = problems;
    this.status = null;
    this.error = null;
    await this.updateComplete;
    const fields = problems.map((p) => this.renderRoot.querySelector<HTMLElement>(`#${fid(p.field)}`)).filter((el): el is HTMLElement => el !== null);
    fields.sort((a, b) => (a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1));
    (fields[0] ?? this.renderRoot.querySelector<HTMLElement>('#problems'))?.focus();
  }

  private followSummary(e: Event, field: string) {
    e.preventDefault();
    void this.focusId(fid(field));
  }

  private problemAt(path: string): FieldError | undefined {
    return this.problems.find((p) => p.field === path);
  }

  private word(p: FieldError): string {
    return describeRefusal(this.lang, { code: p.code, params: p.params }, { timeZone: this.draft?.timeZone });
  }

  /** aria-invalid for a field. */
  private invalid(path: string): 'true' | 'false' {
    return this.problemAt(path) ? 'true' : 'false';
  }

  /** aria-describedby for a field: its problem, then its help text if any. */
  private describedBy(path: string, help?: string) {
    const ids = [this.problemAt(path) ? `${fid(path)}-error` : '', help ?? ''].filter(Boolean).join(' ');
    return ids || nothing;
  }

  private errorAt(path: string) {
    const p = this.problemAt(path);
    return p ? html`<p id="${fid(path)}-error" class="error field-error">${this.word(p)}</p>` : nothing;
  }

  private dayName(day: string): string {
    return (WEEKDAYS as readonly string[]).includes(day) ? this.t(`msg.day.${day as Day}`) : day;
  }

  /** What the summary calls a field ("Messaging hours – Tuesday, range 1 – To"). */
  private fieldLabel(path: string): string {
    const [head, a, b, c] = path.split('.');
    const labels: Record<string, MessageKey> = {
      timeZone: 'admin.messaging.timeZone',
      maxChars: 'admin.messaging.maxChars',
      maxWords: 'admin.messaging.maxWords',
      attachmentMaxMb: 'admin.messaging.attachmentMb',
      weeklyThreadQuota: 'admin.messaging.quota',
      responseBusinessDays: 'admin.messaging.responseDays',
      categories: 'admin.messaging.section.categories',
      closures: 'admin.messaging.section.closures',
      mode: 'admin.messaging.mode',
    };
    if ((head === 'hours' || head === 'answeringBlocks') && a) {
      const parts = [this.t(head === 'hours' ? 'admin.messaging.hours' : 'admin.messaging.blocks'), b ? this.t('admin.messaging.range', { day: this.dayName(a), n: Number(b) + 1 }) : this.dayName(a)];
      if (c) parts.push(this.t(c === 'end' ? 'admin.messaging.to' : 'admin.messaging.from'));
      return parts.join(' – ');
    }
    if (head === 'closures' && a) return this.t('admin.messaging.closure', { n: Number(a) + 1 });
    if (head === 'categories' && a) {
      const part: Record<string, MessageKey> = { id: 'admin.messaging.categoryId', en: 'admin.messaging.categoryEn', fr: 'admin.messaging.categoryFr' };
      return [this.t('admin.messaging.category', { n: Number(a) + 1 }), b && part[b] ? this.t(part[b]) : b].filter(Boolean).join(' – ');
    }
    if (head === 'emergencyNotice' && a) return this.t(a === 'fr' ? 'admin.messaging.emergencyFr' : 'admin.messaging.emergencyEn');
    if (head === 'autoReply' && a) return this.t(a === 'fr' ? 'admin.messaging.autoReplyFr' : 'admin.messaging.autoReplyEn');
    return head && labels[head] ? this.t(labels[head]) : path;
  }

  private summary() {
    if (!this.problems.length) return nothing;
    return html`<div id="problems" class="summary" tabindex="-1" role="group" aria-labelledby="problems-title">
      <p id="problems-title" class="error">${translatePlural(this.lang, 'admin.messaging.problems', this.problems.length)}</p>
      <ul>
        ${this.problems.map((p) => {
          const text = `${this.fieldLabel(p.field)}${this.lang === 'fr' ? ' : ' : ': '}${this.word(p)}`;
          return FORM_FIELD.test(p.field)
            ? html`<li><a href="#${fid(p.field)}" @click=${(e: Event) => this.followSummary(e, p.field)}>${text}</a></li>`
            : html`<li>${text}</li>`;
        })}
      </ul>
    </div>`;
  }

  // --- sections ------------------------------------------------------------------------------

  private general(s: MessagingSettings) {
    return html`<fieldset class="section">
      <legend>${this.t('admin.messaging.section.general')}</legend>
      <label
        >${this.t('admin.messaging.mode')}
        <select id="f-mode" @change=${(e: Event) => this.edit((d) => ({ ...d, mode: (e.target as HTMLSelectElement).value as MessagingSettings['mode'] }))}>
          ${(['two-way', 'reply-only', 'one-way'] as const).map((m) => html`<option value=${m} ?selected=${s.mode === m}>${this.t(`admin.messaging.mode.${m}`)}</option>`)}
        </select>
      </label>
      ${this.checkbox('subjectRequired', 'admin.messaging.subjectRequired', s.subjectRequired)}
      ${this.checkbox('acceptNewOutsideHours', 'admin.messaging.acceptOutside', s.acceptNewOutsideHours)}
      ${this.checkbox('staffDigestEmail', 'admin.messaging.digest', s.staffDigestEmail)}
    </fieldset>`;
  }

  private checkbox(name: 'subjectRequired' | 'acceptNewOutsideHours' | 'staffDigestEmail', label: MessageKey, checked: boolean) {
    return html`<label class="check"
      ><input type="checkbox" id=${fid(name)} .checked=${checked} @change=${(e: Event) => this.edit((d) => ({ ...d, [name]: (e.target as HTMLInputElement).checked }))} /> ${this.t(label)}</label
    >`;
  }

  private timeZonePicker(s: MessagingSettings) {
    if (this.zones?.lang !== this.lang) this.zones = { lang: this.lang, options: zoneOptions(this.lang) };
    const { canada, other } = this.zones.options;
    const listed = canada.some(([z]) => z === s.timeZone) || other.some(([z]) => z === s.timeZone);
    const option = ([z, label]: [string, string]) => html`<option value=${z} ?selected=${z === s.timeZone}>${label}</option>`;
    return html`<label
        >${this.t('admin.messaging.timeZone')}
        <select
          id="f-timeZone"
          aria-invalid=${this.invalid('timeZone')}
          aria-describedby=${this.describedBy('timeZone')}
          @change=${(e: Event) => this.edit((d) => ({ ...d, timeZone: (e.target as HTMLSelectElement).value }))}
        >
          ${listed ? nothing : option([s.timeZone, s.timeZone])}
          <optgroup label=${this.t('admin.messaging.tz.canada')}>${canada.map(option)}</optgroup>
          <optgroup label=${this.t('admin.messaging.tz.other')}>${other.map(option)}</optgroup>
        </select></label
      >${this.errorAt('timeZone')}`;
  }

  /** A weekly grid: a row per day with its ranges (several allowed), each a pair of time inputs. */
  private schedule(name: ScheduleName, s: WeeklySchedule) {
    return html`<div class="schedule">
      ${WEEKDAYS.map((day) => {
        const ranges = s[day];
        const dayName = this.t(`msg.day.${day}`);
        const open = name === 'answeringBlocks' || ranges.length > 0;
        return html`<fieldset class="day" data-day=${day}>
          <legend>${dayName}</legend>
          <div class="day-body">
            ${name === 'hours'
              ? html`<label class="check"
                  ><input type="checkbox" id=${fid(`hours.${day}.open`)} .checked=${ranges.length > 0} @change=${(e: Event) => this.toggleDay(day, (e.target as HTMLInputElement).checked)} />
                  ${this.t('admin.messaging.open')}</label
                >`
              : ranges.length === 0
                ? html`<span class="muted">${this.t('admin.messaging.noBlocks')}</span>`
                : nothing}
            ${ranges.map((r, i) => {
              const at = `${name}.${day}.${i}`;
              return html`<div class="range" role="group" aria-label=${this.t('admin.messaging.range', { day: dayName, n: i + 1 })}>
                ${(['start', 'end'] as const).map(
                  (end) => html`<label
                    >${this.t(end === 'start' ? 'admin.messaging.from' : 'admin.messaging.to')}
                    <input
                      type="time"
                      id=${fid(`${at}.${end}`)}
                      .value=${r[end]}
                      aria-invalid=${this.invalid(`${at}.${end}`)}
                      aria-describedby=${this.describedBy(`${at}.${end}`)}
                      @input=${(e: Event) => this.setTime(name, day, i, end, (e.target as HTMLInputElement).value)}
                  /></label>`,
                )}
                <button type="button" class="secondary small" id=${fid(`${at}.remove`)} aria-label=${this.t('admin.messaging.removeRange', { day: dayName, n: i + 1 })} @click=${() => this.removeRange(name, day, i)}>
                  ${this.t('admin.messaging.remove')}
                </button>
                ${this.errorAt(`${at}.start`)} ${this.errorAt(`${at}.end`)}
              </div>`;
            })}
            ${open && ranges.length < MAX_RANGES
              ? html`<button
                  type="button"
                  class="secondary small"
                  id=${fid(`${name}.${day}.add`)}
                  aria-label=${this.t(name === 'hours' ? 'admin.messaging.addRange' : 'admin.messaging.addBlock', { day: dayName })}
                  @click=${() => this.addRange(name, day)}
                >
                  ${this.t(name === 'hours' ? 'admin.messaging.addRangeShort' : 'admin.messaging.addBlockShort')}
                </button>`
              : nothing}
          </div>
        </fieldset>`;
      })}
    </div>`;
  }

  private hoursSection(s: MessagingSettings) {
    return html`<fieldset class="section">
      <legend>${this.t('admin.messaging.section.hours')}</legend>
      ${this.timeZonePicker(s)}
      <p class="muted help" id="hours-help">${this.t('admin.messaging.hoursHelp')}</p>
      ${this.schedule('hours', s.hours)}
    </fieldset>`;
  }

  private closuresSection(s: MessagingSettings) {
    return html`<fieldset class="section" aria-describedby="closures-help">
      <legend>${this.t('admin.messaging.section.closures')}</legend>
      <p class="muted help" id="closures-help">${this.t('admin.messaging.closuresHelp')}</p>
      ${s.closures.length === 0
        ? html`<p class="muted help">${this.t('admin.messaging.noClosures')}</p>`
        : html`<ul class="rows">
            ${s.closures.map(
              (date, i) => html`<li>
                <div class="row">
                  <label
                    >${this.t('admin.messaging.closure', { n: i + 1 })}
                    <input
                      type="date"
                      id=${fid(`closures.${i}`)}
                      .value=${date}
                      aria-invalid=${this.invalid(`closures.${i}`)}
                      aria-describedby=${this.describedBy(`closures.${i}`)}
                      @input=${(e: Event) => this.setClosures(this.draft!.closures.map((d, k) => (k === i ? (e.target as HTMLInputElement).value : d)))}
                  /></label>
                  <button type="button" class="secondary small" aria-label=${this.t('admin.messaging.removeClosure', { n: i + 1 })} @click=${() => this.removeClosure(i)}>${this.t('admin.messaging.remove')}</button>
                </div>
                ${this.errorAt(`closures.${i}`)}
              </li>`,
            )}
          </ul>`}
      ${s.closures.length < MAX_CLOSURES ? html`<button type="button" class="secondary" id="f-closures-add" @click=${this.addClosure}>${this.t('admin.messaging.addClosure')}</button>` : nothing}
    </fieldset>`;
  }

  private blocksSection(s: MessagingSettings) {
    return html`<fieldset class="section" aria-describedby="blocks-help">
      <legend>${this.t('admin.messaging.blocks')}</legend>
      <p class="muted help" id="blocks-help">${this.t('admin.messaging.blocksHelp')}</p>
      ${this.schedule('answeringBlocks', s.answeringBlocks)}
    </fieldset>`;
  }

  private categoryInput(i: number, key: 'id' | 'en' | 'fr', value: string, label: MessageKey, help?: string) {
    const path = `categories.${i}.${key}`;
    return html`<div>
      <label
        >${this.t(label)}
        <input
          id=${fid(path)}
          .value=${value}
          maxlength=${key === 'id' ? 40 : 80}
          lang=${key === 'id' ? nothing : key}
          aria-invalid=${this.invalid(path)}
          aria-describedby=${this.describedBy(path, help)}
          @input=${(e: Event) => this.setCategory(i, key, (e.target as HTMLInputElement).value)}
      /></label>
      ${this.errorAt(path)}
    </div>`;
  }

  private categoriesSection(s: MessagingSettings) {
    const n = s.categories.length;
    return html`<fieldset class="section">
      <legend>${this.t('admin.messaging.section.categories')}</legend>
      <p class="muted help" id="category-id-help">${this.t('admin.messaging.categoryIdHelp')}</p>
      <ul class="rows">
        ${s.categories.map(
          (c, i) => html`<li>
            <fieldset class="group">
              <legend>${this.t('admin.messaging.category', { n: i + 1 })}</legend>
              <div class="fields">
                ${this.categoryInput(i, 'en', c.en, 'admin.messaging.categoryEn')} ${this.categoryInput(i, 'fr', c.fr, 'admin.messaging.categoryFr')}
                ${this.categoryInput(i, 'id', c.id, 'admin.messaging.categoryId', 'category-id-help')}
              </div>
              <div class="row">
                ${i > 0
                  ? html`<button type="button" class="secondary small" id=${fid(`categories.${i}.up`)} aria-label=${this.t('admin.messaging.moveUp', { n: i + 1 })} @click=${() => this.moveCategory(i, -1)}>${this.t('admin.messaging.up')}</button>`
                  : nothing}
                ${i < n - 1
                  ? html`<button type="button" class="secondary small" id=${fid(`categories.${i}.down`)} aria-label=${this.t('admin.messaging.moveDown', { n: i + 1 })} @click=${() => this.moveCategory(i, 1)}>
                      ${this.t('admin.messaging.down')}
                    </button>`
                  : nothing}
                <button type="button" class="secondary small" id=${fid(`categories.${i}.remove`)} aria-label=${this.t('admin.messaging.removeCategory', { n: i + 1 })} @click=${() => this.removeCategory(i)}>
                  ${this.t('admin.messaging.remove')}
                </button>
              </div>
            </fieldset>
          </li>`,
        )}
      </ul>
      ${n < MAX_CATEGORIES
        ? html`<button type="button" class="secondary" id="f-categories" aria-invalid=${this.invalid('categories')} aria-describedby=${this.describedBy('categories')} @click=${this.addCategory}>
            ${this.t('admin.messaging.addCategory')}
          </button>`
        : nothing}
      ${this.errorAt('categories')}
    </fieldset>`;
  }

  private numberField(name: NumberName, label: MessageKey, value: number | null) {
    const { min, max } = SETTINGS_LIMITS[name];
    return html`<div>
      <label
        >${this.t(label)}
        <input
          type="number"
          id=${fid(name)}
          min=${min}
          max=${max}
          step="1"
          inputmode="numeric"
          .value=${value === null || Number.isNaN(value) ? '' : String(value)}
          aria-invalid=${this.invalid(name)}
          aria-describedby=${this.describedBy(name)}
          @input=${(e: Event) => this.setNumber(name, (e.target as HTMLInputElement).value)}
      /></label>
      ${this.errorAt(name)}
    </div>`;
  }

  private limitsSection(s: MessagingSettings) {
    return html`<fieldset class="section">
      <legend>${this.t('admin.messaging.section.limits')}</legend>
      <div class="fields">
        ${this.numberField('maxChars', 'admin.messaging.maxChars', s.maxChars)} ${this.numberField('maxWords', 'admin.messaging.maxWords', s.maxWords)}
        ${this.numberField('attachmentMaxMb', 'admin.messaging.attachmentMb', s.attachmentMaxMb)} ${this.numberField('weeklyThreadQuota', 'admin.messaging.quota', s.weeklyThreadQuota)}
      </div>
    </fieldset>`;
  }

  private textField(group: 'emergencyNotice' | 'autoReply', lang: Lang, label: MessageKey, value: string) {
    const path = `${group}.${lang}`;
    return html`<div>
      <label
        >${this.t(label)}
        <textarea
          id=${fid(path)}
          lang=${lang}
          maxlength=${group === 'emergencyNotice' ? 500 : 1000}
          ?required=${group === 'emergencyNotice'}
          .value=${value}
          aria-invalid=${this.invalid(path)}
          aria-describedby=${this.describedBy(path)}
          @input=${(e: Event) => this.edit((d) => ({ ...d, [group]: { ...d[group], [lang]: (e.target as HTMLTextAreaElement).value } }))}
        ></textarea>
      </label>
      ${this.errorAt(path)}
    </div>`;
  }

  private noticesSection(s: MessagingSettings) {
    return html`<fieldset class="section">
      <legend>${this.t('admin.messaging.section.notices')}</legend>
      ${this.numberField('responseBusinessDays', 'admin.messaging.responseDays', s.responseBusinessDays)}
      <div class="fields wide">
        ${this.textField('emergencyNotice', 'en', 'admin.messaging.emergencyEn', s.emergencyNotice.en)} ${this.textField('emergencyNotice', 'fr', 'admin.messaging.emergencyFr', s.emergencyNotice.fr)}
        ${this.textField('autoReply', 'en', 'admin.messaging.autoReplyEn', s.autoReply.en)} ${this.textField('autoReply', 'fr', 'admin.messaging.autoReplyFr', s.autoReply.fr)}
      </div>
    </fieldset>`;
  }

  render() {
    // One heading for both states: focus put on it while loading stays there.
    const s = this.draft;
    return html`<h1>${this.t('admin.messaging.title')}</h1>${s ? this.rulesForm(s) : this.error ? html`<p class="error" role="alert">${this.error}</p>` : html`<p role="status">${this.t('common.loading')}</p>`}`;
  }

  private rulesForm(s: NonNullable<typeof this.draft>) {
    const readOnly = this.me.staff.role !== 'admin';
    return html`
      <div class="layout">
        <form class="grid" novalidate @submit=${this.save}>
          ${this.summary()}
          <fieldset class="plain" ?disabled=${readOnly}>
            ${this.general(s)} ${this.hoursSection(s)} ${this.closuresSection(s)} ${this.blocksSection(s)} ${this.categoriesSection(s)} ${this.limitsSection(s)}
            ${this.noticesSection(s)}
          </fieldset>
          ${this.error ? html`<p class="error" role="alert">${this.error}</p>` : nothing}
          ${this.status ? html`<p class="ok" role="status">${this.status}</p>` : nothing}
          ${readOnly ? nothing : html`<button ?disabled=${this.busy}>${this.t('common.save')}</button>`}
        </form>
        <aside aria-labelledby="preview-title">
          <h2 id="preview-title">${this.t('admin.preview.title')}</h2>
          <sm-messaging-preview .settings=${s} .lang=${this.lang}></sm-messaging-preview>
        </aside>
      </div>
      ${this.cannedSection()}`;
  }
}

defineOnce('sm-messaging-settings-page', SmMessagingSettingsPage);

declare global {
  interface HTMLElementTagNameMap {
    'sm-messaging-settings-page': SmMessagingSettingsPage;
  }
}
