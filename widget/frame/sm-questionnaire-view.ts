/**
 * @summary The patient's questionnaires: the list (what the clinic expects, due dates, not for
 * emergencies), and one questionnaire to fill in. Items render accessibly (fieldset and legend for
 * groups and choices, a label for every field, errors beside the questions, announced and focused);
 * conditional items appear and disappear as answers change (shared/questionnaire-logic.ts, the rule
 * the server applies too), answers to hidden items are never sent, and answers autosave to the
 * server so the patient can finish on another device. Offline, answers autosave to the device
 * (sealed, with the questionnaire, so it reopens) and a submit waits in the device's outbox, sent
 * exactly once when the connection returns (its client id makes a retry the same submit); a
 * refusal then is shown with the answers kept. A submitted questionnaire changes only by an
 * amendment, which the clinic sees beside the first answers.
 * @fires sm-questionnaire-submitted - the clinic received the answers.
 * @fires sm-session-ended - the server no longer knows the session (expired, or ended elsewhere): the frame shows its sign-in.
 */
import type { Questionnaire, QuestionnaireItem } from '@medplum/fhirtypes';
import { LitElement, html, css, nothing, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { defineOnce } from '../../shared/define-once.js';
import { ApiError } from '../../shared/fetch-json.js';
import { translate, type MessageKey } from '../../shared/i18n-questionnaire-view.js';
import type { Lang } from '../../shared/lang.js';
import { describeFailure, describeRefusal, isKnownRefusal } from '../../shared/error-text.js';
import type { OutboxItem } from '../../shared/offline/outbox.js';
import { hasEnableWhenExpressions } from '../../shared/questionnaire-expressions.js';
import {
  answerProblem, codingDisplay, instanceScope, itemHelp, isQuestion, isRepeatingGroup, itemText, itemUnit, missingRequired, pruneAnswers, questionnaireTitle, scopeEnabled, scopeItems, TOP_SCOPE, withItemUnit,
  type AnswerProblem, type AnswerValue, type Answers, type LogicOptions, type LogicScope,
} from '../../shared/questionnaire-logic.js';
import type { PatientAssignment, PatientAssignmentDetail } from '../../shared/questionnaires.js';
import type { PatientApi } from './patient-api.js';
import {
  answersOnDevice, forgetAnswersOnDevice, listOnDevice, saveAnswersOnDevice, saveListOnDevice, SUBMIT_KIND, type QuestionnaireDevice, type QuestionnaireOutboxPayload,
} from './questionnaire-device.js';
import { loadExpressionLogic } from './questionnaire-engine.js';
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
  not_a_date_time: 'q.error.dateTime',
  not_a_unit: 'q.error.unit',
  not_an_attachment: 'q.error.attachment',
};

/**
 * Where answers are given: the questionnaire itself, or one instance of a repeating group (which
 * may sit in an instance of another). Paths (errors, typed text, field ids) are `linkId` at the
 * top, `group/index/linkId` in an instance and `group/index/inner/index/linkId` in a nested one.
 */
interface Scope {
  prefix: string;
  /** This scope's answers when it was made (for rendering). */
  values: Answers;
  /** This scope's answers now (for changes made after a render). */
  get: () => Answers;
  set: (linkId: string, values: AnswerValue[]) => void;
  /** What conditions inside this scope see. */
  logic: LogicScope;
  /** The enabled items of this scope. */
  enabled: Set<string>;
  /** The instance's name ("Medication 2"), '' for the questionnaire. */
  label: string;
}

/** A FHIR dateTime (seconds and the device's UTC offset) from a datetime-local field's value. */
function toFhirDateTime(local: string): string | null {
  const d = new Date(local);
  if (!local || Number.isNaN(d.getTime())) return null;
  const off = -d.getTimezoneOffset();
  const pad = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  return `${local.slice(0, 16)}:00${off === 0 ? 'Z' : `${off > 0 ? '+' : '-'}${pad(off / 60)}:${pad(off % 60)}`}`;
}

/** A datetime-local field's value (the device's time) from a FHIR dateTime. */
function toLocalInput(value: string | undefined): string {
  if (!value) return '';
  if (value.length <= 10) return value.length === 10 ? `${value}T00:00` : '';
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return '';
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Refusals of a queued submit that have their own wording here (others: the shared catalog). */
const REFUSAL_KEYS: Record<string, MessageKey> = { answers_missing: 'q.refused.missing', response_completed: 'q.refused.completed' };

/** No answer from the server (offline, or it failed): worth keeping on the device and trying later. */
const notNow = (err: unknown) => err instanceof ApiError && (err.status === 0 || err.status >= 500);

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
      /* Reflow at 320 px: a column never takes a field's own width (an input's default size would push the frame sideways). */
      .question,
      fieldset {
        grid-template-columns: minmax(0, 1fr);
      }
      textarea,
      input[inputmode],
      input[type='datetime-local'] {
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
      .instance {
        border-style: dashed;
      }
      input,
      button {
        max-width: 100%;
        box-sizing: border-box;
      }
      button {
        white-space: normal;
      }
      input[type='file'] {
        width: 100%;
      }
      .help {
        display: block;
        font-weight: normal;
      }
      .unit {
        font-weight: normal;
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
  /** Preview mode (the admin's builder): this questionnaire as a patient sees it; nothing is loaded, saved or sent. */
  @property({ attribute: false }) preview: Questionnaire | null = null;
  @state() private previewDone = false;
  /** The on-device answers and queued submits; null when the device keeps nothing (then saving needs a connection). */
  @property({ attribute: false }) device: QuestionnaireDevice | null = null;

  @state() private list: PatientAssignment[] | null = null;
  @state() private open: PatientAssignmentDetail | null = null;
  @state() private answers: Answers = {};
  /** What the patient typed in number fields, kept as typed until it parses. */
  @state() private raw: Record<string, string> = {};
  @state() private errors: Record<string, MessageKey> = {};
  /** Upload refusals, already worded (by path). */
  @state() private fileErrors: Record<string, string> = {};
  /** Paths of open-choice questions whose "Other" is chosen. */
  @state() private others: Record<string, boolean> = {};
  @state() private uploading: Record<string, boolean> = {};
  /** What the live region last said (a group instance added or removed). */
  @state() private announcement = '';
  /** enableWhenExpression evaluation, loaded with the questionnaire when it has any. */
  private logic: LogicOptions = {};
  @state() private summary: string | null = null;
  @state() private save: 'idle' | 'saving' | 'saved' | 'device' | 'failed' = 'idle';
  /** Submits waiting in (or refused from) the device's outbox. */
  @state() private queue: Array<OutboxItem<QuestionnaireOutboxPayload>> = [];
  /** What is shown came from the device (no connection): the list or the questionnaire as last seen. */
  @state() private fromDevice = false;
  /** A queued submit of the open questionnaire reached the clinic. */
  @state() private sentLater = false;
  /** The id of the submit under way, kept for its retry (the server stores one submit per id). */
  private submitId: string | null = null;
  private readonly onDeviceChange = () => void this.loadQueue();
  private readonly onDelivered = (e: Event) => void this.delivered((e as CustomEvent<string[]>).detail);
  private readonly onOnline = () => {
    if (this.dirty) void this.flush();
    // The list shown from the device, or none at all (opened offline): the server's, now.
    if ((this.fromDevice || this.problem === 'q.offline') && !this.open) void this.loadList();
  };
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
    addEventListener('online', this.onOnline);
    this.watch(this.device);
    if (!this.preview) void this.loadList();
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener('online', this.onOnline);
    this.unwatch(this.device);
    if (this.dirty) void this.flush();
    clearTimeout(this.timer);
  }

  protected willUpdate(changed: Map<string, unknown>): void {
    if (!changed.has('preview') || !this.preview) return;
    const q = this.preview;
    const title = (lang: Lang) => questionnaireTitle(q, lang);
    this.open = { assignment: { id: 'preview', title: title('en'), titleFr: title('fr'), status: 'assigned', overdue: false, dueDate: null, createdAt: '', submittedAt: null }, questionnaire: q, response: null };
    this.previewDone = false;
    if (hasEnableWhenExpressions(q)) void loadExpressionLogic(q).then((logic) => { this.logic = logic; this.requestUpdate(); });
    else this.logic = {};
  }

  protected updated(changed: Map<string, unknown>): void {
    if (changed.has('device') && this.isConnected) {
      this.unwatch(changed.get('device') as QuestionnaireDevice | null | undefined);
      this.watch(this.device);
      void this.loadQueue();
    }
  }

  private watch(device: QuestionnaireDevice | null) {
    device?.addEventListener('change', this.onDeviceChange);
    device?.addEventListener('delivered', this.onDelivered);
  }

  private unwatch(device: QuestionnaireDevice | null | undefined) {
    device?.removeEventListener('change', this.onDeviceChange);
    device?.removeEventListener('delivered', this.onDelivered);
  }

  /** The queued submit of a questionnaire (the latest), if any. */
  private queuedFor(id: string | undefined): OutboxItem<QuestionnaireOutboxPayload> | undefined {
    return this.queue.filter((i) => i.kind === SUBMIT_KIND && i.target === id).at(-1);
  }

  private async loadQueue() {
    const before = this.queuedFor(this.open?.assignment.id);
    this.queue = this.device ? await this.device.outbox.items().catch(() => []) : [];
    const now = this.queuedFor(this.open?.assignment.id);
    // Refused on the way (already submitted elsewhere, a required answer missing): its answers come back to the form.
    if (now?.status === 'refused' && before?.status === 'waiting') this.resumeRefused(now);
  }

  /** Queued submits reached the server: their device copies go, and an open one shows "Sent". */
  private async delivered(clientIds: string[]) {
    const sent = this.queue.filter((i) => clientIds.includes(i.clientId));
    for (const i of sent) if (this.device && i.target) await forgetAnswersOnDevice(this.device, i.target).catch(() => undefined);
    const id = this.open?.assignment.id;
    if (id && sent.some((i) => i.target === id)) {
      await this.openOne(id, false);
      this.sentLater = true;
      this.announcement = this.t('q.sent');
    } else if (!this.open && sent.length) {
      await this.loadList();
      this.announcement = this.t('q.sent');
    }
  }

  /**
   * The server no longer knows the session (expired, or ended elsewhere): the frame ends it here too
   * and shows its sign-in, saying why, rather than a refusal that trying again cannot clear.
   */
  private sessionEnded(err: unknown): boolean {
    if (!(err instanceof ApiError) || err.status !== 401) return false;
    this.dispatchEvent(new CustomEvent('sm-session-ended', { bubbles: true, composed: true }));
    return true;
  }

  private async loadList() {
    this.problem = null;
    try {
      this.list = await this.api.questionnaires();
      this.fromDevice = false;
      if (this.device) void saveListOnDevice(this.device, this.list).catch(() => undefined);
    } catch (err) {
      if (this.sessionEnded(err)) return;
      const offline = err instanceof ApiError && err.status === 0;
      const kept = offline && this.device ? await listOnDevice(this.device) : null;
      if (kept) {
        this.list = kept;
        this.fromDevice = true;
      } else this.problem = offline ? 'q.offline' : 'common.error';
    }
    await this.loadQueue();
  }

  /** Opens a questionnaire: from the server, or offline from the device's copy (with the answers saved there). */
  private async openOne(id: string, focus = true) {
    this.problem = null;
    this.thanks = false;
    this.sentLater = false;
    const kept = this.device ? await answersOnDevice(this.device, id) : null;
    let detail: PatientAssignmentDetail;
    try {
      detail = await this.api.questionnaire(id);
      this.fromDevice = false;
    } catch (err) {
      if (this.sessionEnded(err)) return;
      const offline = err instanceof ApiError && err.status === 0;
      if (!offline || !kept) {
        this.problem = offline ? 'q.offline' : 'common.error';
        return;
      }
      detail = kept.detail;
      this.fromDevice = true;
    }
    try {
      this.logic = hasEnableWhenExpressions(detail.questionnaire) ? await loadExpressionLogic(detail.questionnaire) : {};
      this.open = detail;
      this.answers = detail.response?.answers ?? {};
      this.submitId = null;
      this.raw = {};
      this.errors = {};
      this.fileErrors = {};
      this.others = {};
      this.announcement = '';
      this.summary = null;
      this.save = 'idle';
      this.amending = false;
      this.dirty = false;
      await this.loadQueue();
      this.restore(detail, kept);
      await this.updateComplete;
      if (focus) this.renderRoot.querySelector<HTMLElement>('h3')?.focus();
    } catch (err) {
      this.problem = err instanceof ApiError && err.status === 0 ? 'q.offline' : 'common.error';
    }
  }

  /**
   * Puts back what the device kept: a queued submit's answers first (read-only while it waits), else
   * answers saved offline the server has not got (sent now), unless the questionnaire was submitted
   * meanwhile (from another device: the server's copy wins).
   */
  private restore(detail: PatientAssignmentDetail, kept: Awaited<ReturnType<typeof answersOnDevice>>) {
    const queued = this.queuedFor(detail.assignment.id);
    if (queued?.status === 'refused') return this.resumeRefused(queued);
    if (queued?.payload) {
      this.answers = queued.payload.answers;
      return;
    }
    const status = detail.response?.status;
    if (kept && (kept.unsynced || this.fromDevice) && (kept.amending || status === undefined || status === 'in-progress')) {
      this.answers = kept.answers;
      this.amending = kept.amending;
      if (kept.unsynced) {
        this.save = 'device';
        if (!this.fromDevice) this.changed();
      }
    } else if (this.device && !this.fromDevice) {
      // The copy that lets it open offline later.
      void saveAnswersOnDevice(this.device, detail.assignment.id, { detail, answers: this.answers, amending: false, unsynced: false }).catch(() => undefined);
    }
  }

  /** A queued submit the server refused: its answers back in the form, to fix and submit again (an amendment if it was submitted meanwhile). */
  private resumeRefused(item: OutboxItem<QuestionnaireOutboxPayload>) {
    if (!item.payload) return;
    this.answers = item.payload.answers;
    const status = this.open?.response?.status;
    this.amending = item.payload.amend || status === 'completed' || status === 'amended';
  }

  /** Drops a refused submit; the questionnaire shows as the server has it. */
  private async discardRefused(item: OutboxItem<QuestionnaireOutboxPayload>) {
    await this.device?.outbox.discard(item.seq);
    if (this.device && item.target) await forgetAnswersOnDevice(this.device, item.target).catch(() => undefined);
    if (item.target) await this.openOne(item.target);
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

  /** The questionnaire's own scope. */
  private get top(): Scope {
    return {
      prefix: '',
      values: this.answers,
      get: () => this.answers,
      set: (linkId, values) => (this.answers = { ...this.answers, [linkId]: values }),
      logic: TOP_SCOPE,
      enabled: scopeEnabled(this.open?.questionnaire.item, this.answers, TOP_SCOPE, this.logic),
      label: '',
    };
  }

  /** The scope of instance `n` of a repeating group held by `around` (the questionnaire or an outer instance). */
  private instance(around: Scope, group: QuestionnaireItem, n: number): Scope {
    const get = () => around.get()[group.linkId]?.[n]?.item ?? {};
    const values = around.values[group.linkId]?.[n]?.item ?? {};
    const logic = instanceScope(group, around.values, around.enabled, around.logic);
    return {
      prefix: `${around.prefix}${group.linkId}/${n}/`,
      values,
      get,
      set: (linkId, answers) => {
        const next = [...(around.get()[group.linkId] ?? [])];
        next[n] = { item: { ...get(), [linkId]: answers } };
        around.set(group.linkId, next);
      },
      logic,
      enabled: scopeEnabled(group.item, values, logic, this.logic),
      label: this.t('q.group.instance', { group: itemText(group, this.lang), n: n + 1 }),
    };
  }

  private changed() {
    if (this.preview) return;
    this.dirty = true;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), AUTOSAVE_MS);
  }

  private setAnswer(scope: Scope, item: QuestionnaireItem, values: AnswerValue[]) {
    scope.set(item.linkId, values);
    const path = scope.prefix + item.linkId;
    if (this.errors[path] || this.fileErrors[path]) {
      const rest = { ...this.errors };
      delete rest[path];
      this.errors = rest;
      const files = { ...this.fileErrors };
      delete files[path];
      this.fileErrors = files;
    }
    this.changed();
  }

  /** Only answers that fit their items, at every depth (a half-typed number waits until it parses). */
  private fitting(items: QuestionnaireItem[] | undefined, answers: Answers): Answers {
    const byId = new Map(scopeItems(items).map((i) => [i.linkId, i]));
    const out: Answers = {};
    for (const [id, values] of Object.entries(answers)) {
      const item = byId.get(id);
      if (!item) continue;
      if (isRepeatingGroup(item)) out[id] = values.map((v) => ({ item: this.fitting(item.item, v.item ?? {}) }));
      else if (values.every((v) => answerProblem(item, v) === null)) out[id] = values;
    }
    return out;
  }

  /** The answers worth sending: enabled questions only, each answer of the right type. */
  private sendable(): Answers {
    const items = this.open?.questionnaire.item;
    return pruneAnswers(items, this.fitting(items, this.answers), this.logic);
  }

  private async addInstance(around: Scope, group: QuestionnaireItem) {
    const list = [...(around.get()[group.linkId] ?? []), { item: {} }];
    around.set(group.linkId, list);
    const name = itemText(group, this.lang);
    const path = around.prefix + group.linkId;
    this.announcement = around.label ? this.t('q.group.addedIn', { group: name, n: list.length, parent: around.label }) : this.t('q.group.added', { group: name, n: list.length });
    if (this.errors[path]) {
      const rest = { ...this.errors };
      delete rest[path];
      this.errors = rest;
    }
    await this.updateComplete;
    // The new instance's first field (or, when it starts with a group of its own, that group's Add).
    this.renderRoot.querySelector<HTMLElement>(`#${fieldId(`${path}/${list.length - 1}/`)} :is(input, textarea, button)`)?.focus();
  }

  private async removeInstance(around: Scope, group: QuestionnaireItem, n: number) {
    const list = (around.get()[group.linkId] ?? []).filter((_, k) => k !== n);
    around.set(group.linkId, list);
    // Paths after the removed instance shift (with the instances nested in them): their typed text and errors go with them.
    const prefix = `${around.prefix}${group.linkId}/`;
    const shift = <T,>(map: Record<string, T>) => {
      const out: Record<string, T> = {};
      for (const [path, v] of Object.entries(map)) {
        if (!path.startsWith(prefix)) { out[path] = v; continue; }
        const [k, ...rest] = path.slice(prefix.length).split('/');
        const i = Number(k);
        if (i === n) continue;
        out[`${prefix}${i > n ? i - 1 : i}/${rest.join('/')}`] = v;
      }
      return out;
    };
    this.raw = shift(this.raw);
    this.errors = shift(this.errors);
    this.fileErrors = shift(this.fileErrors);
    this.others = shift(this.others);
    const name = itemText(group, this.lang);
    this.announcement = around.label ? this.t('q.group.removedIn', { group: name, n: n + 1, parent: around.label }) : this.t('q.group.removed', { group: name, n: n + 1 });
    this.changed();
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(`#${fieldId(prefix.slice(0, -1))}`)?.focus();
  }

  private async attach(scope: Scope, item: QuestionnaireItem, input: HTMLInputElement) {
    const file = input.files?.[0];
    const path = scope.prefix + item.linkId;
    if (!file) return;
    if (this.preview) {
      // Nothing leaves the preview: the file is named, never uploaded.
      this.setAnswer(scope, item, [{ valueAttachment: { url: `urn:uuid:${crypto.randomUUID()}`, contentType: file.type, size: file.size, title: file.name } }]);
      return;
    }
    this.uploading = { ...this.uploading, [path]: true };
    try {
      const info = await this.api.upload(file);
      this.setAnswer(scope, item, [{ valueAttachment: { url: `urn:uuid:${info.id}`, contentType: info.mime, size: info.size, title: info.fileName } }]);
    } catch (err) {
      this.fileErrors = { ...this.fileErrors, [path]: describeFailure(this.lang, err) };
      input.value = '';
    } finally {
      this.uploading = { ...this.uploading, [path]: false };
    }
  }

  private async flush() {
    if (!this.open || !this.dirty) return;
    clearTimeout(this.timer);
    this.dirty = false;
    this.save = 'saving';
    const open = this.open;
    const answers = this.answers;
    // On the device first (sealed): if the connection is gone, nothing typed is lost with the page.
    const onDevice = this.device ? await saveAnswersOnDevice(this.device, open.assignment.id, { detail: open, answers, amending: this.amending, unsynced: true }).catch(() => false) : false;
    try {
      if (!navigator.onLine && onDevice) throw new ApiError(0, 'network', 'offline');
      const saved = await this.api.saveAnswers(open.assignment.id, { answers: this.sendable(), ...(this.amending ? { amend: true } : {}) });
      if (this.open) this.open = { ...this.open, response: { id: saved.id, revision: saved.revision, status: saved.status, answers: this.answers, updatedAt: saved.updatedAt } };
      this.amending = false;
      this.save = 'saved';
      if (this.device && this.open) void saveAnswersOnDevice(this.device, open.assignment.id, { detail: this.open, answers, amending: false, unsynced: false }).catch(() => undefined);
    } catch {
      // Kept on the page (and the device); the next change, the connection's return or the submit tries again.
      this.dirty = true;
      this.save = onDevice ? 'device' : 'failed';
    }
  }

  /** The problems the patient must fix before submitting, by path. */
  private validate(): Record<string, MessageKey> {
    const items = this.open!.questionnaire.item;
    const out: Record<string, MessageKey> = {};
    const check = (list: QuestionnaireItem[] | undefined, scope: Scope) => {
      const values = scope.values;
      for (const item of scopeItems(list)) {
        if (!isQuestion(item) || !scope.enabled.has(item.linkId)) continue;
        const path = scope.prefix + item.linkId;
        if (isRepeatingGroup(item)) {
          (values[item.linkId] ?? []).forEach((_, n) => check(item.item, this.instance(scope, item, n)));
          continue;
        }
        if (this.raw[path] !== undefined && this.raw[path]!.trim() !== '' && !(values[item.linkId] ?? []).length) {
          out[path] = PROBLEM_KEYS[item.type === 'integer' ? 'not_an_integer' : 'decimal'];
          continue;
        }
        for (const v of values[item.linkId] ?? []) {
          const p = answerProblem(item, v);
          if (p) out[path] = PROBLEM_KEYS[p];
        }
      }
    };
    check(items, this.top);
    for (const id of missingRequired(items, this.answers, this.logic)) out[id] ??= PROBLEM_KEYS.required;
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
      const ids = new Set(Object.keys(errors).map(fieldId));
      [...this.renderRoot.querySelectorAll<HTMLElement>('[id]')].find((el) => ids.has(el.id))?.focus();
      return;
    }
    this.summary = null;
    if (this.preview) {
      this.previewDone = true;
      return;
    }
    this.busy = true;
    clearTimeout(this.timer);
    const id = this.open.assignment.id;
    const refused = this.queuedFor(id);
    // Submitting again replaces a refused submit (its answers are the ones in the form now).
    if (refused?.status === 'refused') await this.device?.outbox.discard(refused.seq);
    this.submitId ??= crypto.randomUUID();
    const payload: QuestionnaireOutboxPayload = { answers: this.sendable(), amend: this.amending };
    try {
      if (!navigator.onLine && this.device?.vault.canWrite) throw new ApiError(0, 'network', 'offline');
      await this.api.submitAnswers(id, { id: this.submitId, answers: payload.answers, ...(payload.amend ? { amend: true } : {}) });
      this.submitId = null;
      this.dirty = false;
      if (this.device) void forgetAnswersOnDevice(this.device, id).catch(() => undefined);
      this.thanks = true;
      this.dispatchEvent(new CustomEvent('sm-questionnaire-submitted', { bubbles: true, composed: true }));
      await this.openOne(this.open.assignment.id);
      this.thanks = true;
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('.thanks')?.focus();
    } catch (err) {
      if (this.sessionEnded(err)) return;
      if (notNow(err) && this.device?.vault.canWrite) await this.queueSubmit(id, payload);
      else if (notNow(err)) this.summary = this.t('q.saveFailed');
      else {
        this.submitId = null;
        this.summary = err instanceof ApiError && REFUSAL_KEYS[err.code] ? this.t(REFUSAL_KEYS[err.code]!) : err instanceof ApiError && isKnownRefusal(err.code) ? describeRefusal(this.lang, err) : this.t('q.refused');
      }
    } finally {
      this.busy = false;
    }
  }

  /** No connection: the submit waits on the device, sealed, and is sent exactly once later (same id). */
  private async queueSubmit(id: string, payload: QuestionnaireOutboxPayload) {
    const device = this.device!;
    await saveAnswersOnDevice(device, id, { detail: this.open!, answers: this.answers, amending: this.amending, unsynced: false }).catch(() => undefined);
    await device.outbox.add(SUBMIT_KIND, id, payload, this.submitId!);
    this.submitId = null;
    this.dirty = false;
    this.save = 'idle';
    await this.loadQueue();
    this.announcement = this.t('q.queued');
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('.queued')?.focus();
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
    return html`${this.problem ? html`<p class="error" role="alert">${this.t(this.problem)}</p>` : nothing}${this.open ? this.renderOne(this.open) : this.renderList()}
      <p class="visually-hidden" role="status">${this.announcement}</p>`;
  }

  private renderList() {
    if (!this.list) return this.problem ? nothing : html`<p class="muted" role="status">${this.t('common.loading')}</p>`;
    return html`<p class="notice" role="note">${this.t('frame.notForEmergencies')}</p>
      ${this.fromDevice ? html`<p class="muted">${this.t('q.offlineList')}</p>` : nothing}
      <p>${this.t('q.expect')}</p>
      ${this.list.length === 0
        ? html`<p tabindex="-1">${this.t('q.list.empty')}</p>`
        : html`<ul class="list">
            ${this.list.map(
              (a) => html`<li>
                <button @click=${() => this.openOne(a.id)}>
                  <span class="title">${this.titleOf(a)}</span>
                  <span>${this.listStatus(a)}${a.dueDate && a.status !== 'completed' ? html` · ${this.t(a.overdue ? 'q.list.overdue' : 'q.list.due', { date: this.date(a.dueDate) })}` : nothing}</span>
                </button>
              </li>`,
            )}
          </ul>`}`;
  }

  /** A questionnaire's status in the list, a submit waiting on the device first. */
  private listStatus(a: PatientAssignment): string {
    const queued = this.queuedFor(a.id);
    if (queued) return this.t(queued.status === 'waiting' ? 'q.list.queued' : 'q.list.notSent');
    return this.t(`q.status.${a.status}`);
  }

  /** A refusal of a queued submit, in the reader's language. */
  private refusalOf(item: OutboxItem<QuestionnaireOutboxPayload>): string {
    const key = item.code ? REFUSAL_KEYS[item.code] : undefined;
    return key ? this.t(key) : describeRefusal(this.lang, { code: item.code ?? 'internal', params: item.params ?? undefined });
  }

  private renderOne(d: PatientAssignmentDetail) {
    const queued = this.queuedFor(d.assignment.id);
    const waiting = queued?.status === 'waiting';
    const done = this.readOnly || waiting;
    return html`${this.preview ? nothing : html`<p><button class="link" @click=${this.back}>${this.t('q.back')}</button></p>`}
      <h3 tabindex="-1">${questionnaireTitle(d.questionnaire, this.lang)}</h3>
      <p class="notice" role="note">${this.t('frame.notForEmergencies')}</p>
      ${this.fromDevice && !queued ? html`<p class="muted">${this.t('q.restoredDevice')}</p>` : nothing}
      ${waiting ? html`<p class="notice queued" tabindex="-1">${this.t('q.queued')}</p>` : nothing}
      ${queued?.status === 'refused'
        ? html`<div class="error" role="alert">
            <p>${this.t('q.notSent', { reason: this.refusalOf(queued) })}</p>
            <button type="button" class="secondary" @click=${() => this.discardRefused(queued)}>${this.t('q.discard')}</button>
          </div>`
        : nothing}
      ${this.thanks ? html`<p class="thanks" role="status" tabindex="-1">${this.t('q.submitted')}</p>` : nothing}
      ${this.previewDone ? html`<p class="thanks" role="status">${this.t('q.preview.notSent')}</p>` : nothing}
      ${this.sentLater ? html`<p class="thanks">${this.t('q.sent')}</p>` : nothing}
      ${done && d.assignment.submittedAt ? html`<p>${this.t('q.submittedOn', { date: this.date(d.assignment.submittedAt) })}</p>` : nothing}
      ${done ? nothing : html`<p class="muted">${this.t('q.requiredNote')}</p>`}
      <form novalidate @submit=${this.submit}>
        ${this.summary ? html`<p class="error" role="alert">${this.summary}</p>` : nothing}
        ${this.items(d.questionnaire.item ?? [], done, this.top)}
        ${waiting
          ? nothing
          : done
          ? html`<div class="actions"><button type="button" @click=${this.amend}>${this.t('q.amend')}</button><span class="muted">${this.t('q.amendNote')}</span></div>`
          : html`<div class="actions">
              <button type="submit" ?disabled=${this.busy}>${this.t(this.busy ? 'q.submitting' : 'q.submit')}</button>
              <span class="muted" role="status">${this.save === 'saving' ? this.t('q.saving') : this.save === 'saved' ? this.t('q.saved') : this.save === 'device' ? this.t('q.savedDevice') : this.save === 'failed' ? this.t('q.saveFailed') : ''}</span>
            </div>`}
      </form>`;
  }

  private items(items: QuestionnaireItem[], done: boolean, scope: Scope): TemplateResult[] {
    return items.filter((i) => scope.enabled.has(i.linkId) && !(i.readOnly && isQuestion(i))).map((i) => this.item(i, done, scope));
  }

  /** A repeating group (in the questionnaire or inside another group's instance): its instances, each in its own fieldset with a Remove button, then Add. */
  private group(item: QuestionnaireItem, done: boolean, around: Scope): TemplateResult {
    const text = itemText(item, this.lang);
    const instances = around.values[item.linkId] ?? [];
    const path = around.prefix + item.linkId;
    const error = this.errors[path];
    const errorId = `${fieldId(path)}-error`;
    return html`<fieldset class="group" aria-describedby=${error ? errorId : nothing}>
      <legend>${text}${item.required ? html` <span aria-hidden="true">*</span><span class="visually-hidden">${this.t('q.required')}</span>` : nothing}</legend>
      ${instances.length === 0 ? html`<p class="muted">${this.t('q.group.none')}</p>` : nothing}
      ${instances.map((_, n) => {
        const scope = this.instance(around, item, n);
        const remove = around.label ? this.t('q.group.removeIn', { group: text, n: n + 1, parent: around.label }) : this.t('q.group.remove', { group: text, n: n + 1 });
        return html`<fieldset class="instance" id=${fieldId(scope.prefix)}>
          <legend>${scope.label}</legend>
          ${this.items(item.item ?? [], done, scope)}
          ${done ? nothing : html`<div class="actions"><button type="button" class="secondary" @click=${() => this.removeInstance(around, item, n)}>${remove}</button></div>`}
        </fieldset>`;
      })}
      ${error ? html`<p class="error" id=${errorId}>${this.t(error)}</p>` : nothing}
      ${done
        ? nothing
        : html`<div class="actions"><button type="button" id=${fieldId(path)} @click=${() => this.addInstance(around, item)}>${around.label ? this.t('q.group.addIn', { group: text, parent: around.label }) : this.t('q.group.add', { group: text })}</button></div>`}
    </fieldset>`;
  }

  private item(item: QuestionnaireItem, done: boolean, scope: Scope): TemplateResult {
    const text = itemText(item, this.lang);
    if (item.type === 'display') return html`<p>${text}</p>`;
    if (isRepeatingGroup(item)) return this.group(item, done, scope);
    if (item.type === 'group') return html`<fieldset class="group"><legend>${text}</legend>${this.items(item.item ?? [], done, scope)}</fieldset>`;
    const path = scope.prefix + item.linkId;
    const id = fieldId(path);
    const error = this.fileErrors[path] ?? (this.errors[path] ? this.t(this.errors[path]) : undefined);
    const errorId = `${id}-error`;
    const star = item.required ? html` <span aria-hidden="true">*</span><span class="visually-hidden">${this.t('q.required')}</span>` : nothing;
    // Help text (the builder's) is read with the question's name.
    const helpText = itemHelp(item, this.lang);
    const help = helpText ? html`<span class="help">${helpText}</span>` : nothing;
    const errorLine = error ? html`<p class="error" id=${errorId}>${error}</p>` : nothing;
    const described = error ? errorId : undefined;
    const values = scope.values[item.linkId] ?? [];
    const first = values[0];
    const set = (v: AnswerValue[]) => this.setAnswer(scope, item, v);
    if (item.type === 'boolean' || item.type === 'choice' || item.type === 'open-choice') {
      const multiple = item.type !== 'boolean' && item.repeats === true;
      const options: Array<{ key: string; label: string; value: AnswerValue }> =
        item.type === 'boolean'
          ? [{ key: 'yes', label: this.t('common.yes'), value: { valueBoolean: true } }, { key: 'no', label: this.t('common.no'), value: { valueBoolean: false } }]
          : (item.answerOption ?? []).flatMap((o, n) => (o.valueCoding ? [{ key: String(n), label: codingDisplay(o.valueCoding, this.lang), value: { valueCoding: { ...(o.valueCoding.system ? { system: o.valueCoding.system } : {}), code: o.valueCoding.code! } } }] : []));
      const checked = (v: AnswerValue) => values.some((a) => (v.valueBoolean !== undefined ? a.valueBoolean === v.valueBoolean : a.valueCoding !== undefined && a.valueCoding.code === v.valueCoding?.code));
      const others = (v: AnswerValue) => values.filter((a) => a.valueCoding?.code !== v.valueCoding?.code || a.valueCoding === undefined);
      const otherText = values.find((a) => a.valueString !== undefined)?.valueString ?? '';
      const otherOn = item.type === 'open-choice' && (this.others[path] ?? values.some((a) => a.valueString !== undefined));
      const pick = (v: AnswerValue, on: boolean) => {
        if (!multiple) this.others = { ...this.others, [path]: false };
        set(multiple ? (on ? [...others(v), v] : others(v)) : [v]);
      };
      const pickOther = (on: boolean) => {
        this.others = { ...this.others, [path]: on };
        const codings = values.filter((a) => a.valueCoding !== undefined);
        const typed = on && otherText ? [{ valueString: otherText }] : [];
        set(multiple ? [...codings, ...typed] : typed);
      };
      const typeOther = (typed: string) => {
        const codings = multiple ? values.filter((a) => a.valueCoding !== undefined) : [];
        set([...codings, ...(typed ? [{ valueString: typed }] : [])]);
      };
      return html`<fieldset class="question" aria-describedby=${described ?? nothing}>
        <legend>${text}${star}${help}</legend>
        ${options.map(
          (o, n) => html`<label class="check"
            ><input
              id=${n === 0 ? id : `${id}-${o.key}`}
              type=${multiple ? 'checkbox' : 'radio'}
              name=${id}
              .checked=${checked(o.value) && !(otherOn && !multiple)}
              ?disabled=${done}
              @change=${(e: Event) => pick(o.value, (e.target as HTMLInputElement).checked)}
            />${o.label}</label
          >`,
        )}
        ${item.type === 'open-choice'
          ? html`<label class="check"
                ><input id=${options.length === 0 ? id : `${id}-other`} type=${multiple ? 'checkbox' : 'radio'} name=${id} .checked=${otherOn} ?disabled=${done} @change=${(e: Event) => pickOther((e.target as HTMLInputElement).checked)} />${this.t('q.other')}</label
              >
              ${otherOn
                ? html`<label for=${`${id}-other-text`}>${this.t('q.otherText')}</label
                    ><input id=${`${id}-other-text`} type="text" ?readonly=${done} maxlength=${item.maxLength ?? nothing} aria-invalid=${error ? 'true' : 'false'} .value=${otherText} @input=${(e: Event) => typeOther((e.target as HTMLInputElement).value)} />`
                : nothing}`
          : nothing}
        ${errorLine}
      </fieldset>`;
    }
    const unit = item.type === 'quantity' ? itemUnit(item) : null;
    const label = html`<label for=${id}>${text}${unit ? html` <span class="unit">(${this.t('q.unit', { unit: unit.display ?? unit.code ?? '' })})</span>` : nothing}${star}${help}</label>`;
    const invalid = error ? 'true' : 'false';
    if (item.type === 'text') {
      return html`<div class="question">${label}<textarea id=${id} ?readonly=${done} aria-invalid=${invalid} aria-describedby=${described ?? nothing} .value=${first?.valueString ?? ''} @input=${(e: Event) => set([{ valueString: (e.target as HTMLTextAreaElement).value }])}></textarea>${errorLine}</div>`;
    }
    if (item.type === 'date') {
      return html`<div class="question">${label}<input id=${id} type="date" ?readonly=${done} aria-invalid=${invalid} aria-describedby=${described ?? nothing} .value=${first?.valueDate ?? ''} @input=${(e: Event) => set([{ valueDate: (e.target as HTMLInputElement).value }])} />${errorLine}</div>`;
    }
    if (item.type === 'dateTime') {
      const onInput = (e: Event) => {
        const v = toFhirDateTime((e.target as HTMLInputElement).value);
        set(v ? [{ valueDateTime: v }] : []);
      };
      return html`<div class="question">${label}<input id=${id} type="datetime-local" ?readonly=${done} aria-invalid=${invalid} aria-describedby=${described ?? nothing} .value=${toLocalInput(first?.valueDateTime)} @input=${onInput} />${errorLine}</div>`;
    }
    if (item.type === 'attachment') {
      const f = first?.valueAttachment;
      const hintId = `${id}-hint`;
      return html`<div class="question">
        ${label}
        <p class="muted" id=${hintId}>${this.t('q.attach.hint')}</p>
        ${f?.url
          ? html`<p>${this.t('q.attach.done', { name: f.title ?? '' })}</p>
              ${done ? nothing : html`<div class="actions"><button type="button" class="secondary" @click=${() => set([])}>${this.t('q.attach.remove', { name: f.title ?? '' })}</button></div>`}`
          : nothing}
        ${done
          ? nothing
          : html`<input id=${id} type="file" accept="image/jpeg,image/png,application/pdf" aria-invalid=${invalid} aria-describedby=${[hintId, described].filter(Boolean).join(' ')} ?disabled=${this.uploading[path] === true} @change=${(e: Event) => this.attach(scope, item, e.target as HTMLInputElement)} />`}
        ${this.uploading[path] ? html`<p class="muted" role="status">${this.t('q.attach.uploading')}</p>` : nothing}
        ${errorLine}
      </div>`;
    }
    if (item.type === 'integer' || item.type === 'decimal' || item.type === 'quantity') {
      const shown = this.raw[path] ?? String(first?.valueInteger ?? first?.valueDecimal ?? first?.valueQuantity?.value ?? '');
      const onInput = (e: Event) => {
        const typed = (e.target as HTMLInputElement).value;
        this.raw = { ...this.raw, [path]: typed };
        const n = Number(typed.trim().replace(',', '.'));
        const ok = typed.trim() !== '' && Number.isFinite(n) && (item.type !== 'integer' || Number.isInteger(n));
        set(ok ? [item.type === 'integer' ? { valueInteger: n } : item.type === 'quantity' ? withItemUnit(item, n) : { valueDecimal: n }] : []);
      };
      return html`<div class="question">${label}<input id=${id} type="text" inputmode=${item.type === 'integer' ? 'numeric' : 'decimal'} ?readonly=${done} aria-invalid=${invalid} aria-describedby=${described ?? nothing} .value=${shown} @input=${onInput} />${errorLine}</div>`;
    }
    return html`<div class="question">${label}<input id=${id} type="text" ?readonly=${done} maxlength=${item.maxLength ?? nothing} aria-invalid=${invalid} aria-describedby=${described ?? nothing} .value=${first?.valueString ?? ''} @input=${(e: Event) => set([{ valueString: (e.target as HTMLInputElement).value }])} />${errorLine}</div>`;
  }
}

defineOnce('sm-questionnaire-view', SmQuestionnaireView);

declare global {
  interface HTMLElementTagNameMap {
    'sm-questionnaire-view': SmQuestionnaireView;
  }
  interface HTMLElementEventMap {
    'sm-questionnaire-submitted': CustomEvent<void>;
    'sm-session-ended': CustomEvent<void>;
  }
}
