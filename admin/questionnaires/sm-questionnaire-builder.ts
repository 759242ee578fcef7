/**
 * @summary The questionnaire builder (admins and physicians): title, description and items of every
 * type the patient's frame renders, in English and French, with required, repeats, help text,
 * value and length limits, coded options and enableWhen conditions. Items reorder with buttons,
 * Alt+Arrow keys (announced: "Moved to position 3 of 7") or by dragging, and move into and out of
 * groups. Beside it, a preview is the patient's own questionnaire view (an iframe of
 * /frame/questionnaire-preview, fed by postMessage on our origin only), in English or French. Publishing checks the
 * draft first, then the server's checks (the first problem's path shown beside the builder); an
 * edit publishes a new version, and earlier answers keep pointing at the version they answered.
 * @fires sm-questionnaire-published - a version was published (detail: `{ id, version }`).
 * @fires sm-builder-close - the person left the builder.
 */
import { css, html, nothing, type TemplateResult } from 'lit';
import { LitElement } from 'lit';
import { property, state } from 'lit/decorators.js';
import { repeat } from 'lit/directives/repeat.js';
import { defineOnce } from '../../shared/define-once.js';
import { ApiError } from '../../shared/fetch-json.js';
import { translate, type MessageKey } from '../../shared/i18n-all.js';
import type { Lang } from '../../shared/lang.js';
import { SUPPORTED_ITEM_TYPES } from '../../shared/questionnaire-logic.js';
import { PREVIEW_READY, PREVIEW_SHOW, type PreviewShow } from '../../shared/questionnaire-preview.js';
import type { AdminApi } from '../admin-api.js';
import { adminStyles } from '../styles.js';
import {
  answerable, blankOption, cloneItems, draftProblems, emptyDraft, fromFhir, hasLength, hasOptions, hasValueRange, itemAtPath, moveBy, moveIntoPrevious, moveOut, moveTo, newItem, operatorsFor,
  placeOf, removeItem, toFhir, updateItem, allItems, conditionQuestions, type Draft, type DraftCondition, type DraftItem, type DraftOption, type DraftProblem, type ItemType, type Moved,
} from './builder-model.js';


export class SmQuestionnaireBuilder extends LitElement {
  static styles = [
    adminStyles,
    css`
      .layout {
        display: grid;
        gap: 1rem;
        grid-template-columns: minmax(0, 1fr);
      }
      @media (min-width: 70rem) {
        .layout {
          grid-template-columns: minmax(0, 3fr) minmax(0, 2fr);
          align-items: start;
        }
        aside {
          position: sticky;
          top: 0.5rem;
        }
      }
      textarea {
        min-height: 3.2rem;
      }
      ol.items {
        list-style: none;
        padding: 0;
        margin: 0.5rem 0;
        display: grid;
        gap: 0.75rem;
      }
      fieldset {
        border: 1px solid #c5ced6;
        border-radius: 6px;
        padding: 0.5rem 0.75rem 0.75rem;
        margin: 0;
        min-width: 0;
        display: grid;
        gap: 0.5rem;
        grid-template-columns: minmax(0, 1fr);
      }
      fieldset.item {
        background: #fff;
        border-width: 2px;
      }
      fieldset.item.group {
        background: #f5f7fa;
      }
      fieldset.item.drop {
        border-color: #0b57d0;
        border-style: dashed;
      }
      legend {
        font-weight: 700;
        padding: 0 0.25rem;
      }
      .pair {
        display: grid;
        gap: 0.5rem;
        grid-template-columns: repeat(auto-fit, minmax(min(100%, 14rem), 1fr));
      }
      .bar,
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: 0.4rem;
        align-items: end;
      }
      .bar button,
      .row button {
        padding: 0.3rem 0.6rem;
      }
      .handle {
        cursor: grab;
        border: 1px dashed #616e7c;
        border-radius: 4px;
        padding: 0.3rem 0.5rem;
        user-select: none;
      }
      .dropzone {
        border: 2px dashed #0b57d0;
        border-radius: 6px;
        padding: 0.5rem;
        color: #0b57d0;
      }
      iframe {
        width: 100%;
        height: 40rem;
        border: 1px solid #c5ced6;
        border-radius: 6px;
        background: #fff;
      }
      .problems ul {
        margin: 0.25rem 0;
        padding-left: 1.25rem;
      }
      button.link {
        background: none;
        border: none;
        color: #00587c;
        text-decoration: underline;
        padding: 0;
        font-weight: normal;
      }
    `,
  ];

  @property({ attribute: false }) api!: AdminApi;
  @property() lang: Lang = 'en';
  /** The questionnaire to edit; null builds a new one. */
  @property({ attribute: 'questionnaire-id' }) questionnaireId: string | null = null;

  @state() private draft: Draft | null = null;
  @state() private version = 0;
  @state() private problems: DraftProblem[] = [];
  @state() private serverError: { text: string; item: DraftItem | null } | null = null;
  @state() private loadError: string | null = null;
  @state() private announcement = '';
  @state() private busy = false;
  @state() private previewLang: Lang = 'en';
  @state() private dragging: string | null = null;
  @state() private dropTarget: string | null = null;
  @state() private newType: ItemType = 'string';
  /** Asking whether to leave with changes not published. */
  @state() private confirmLeave = false;
  private dirty = false;
  private keySeq = 0;
  private previewReady = false;
  private previewTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly nextKey = () => `k${++this.keySeq}`;

  private readonly onMessage = (e: MessageEvent) => {
    // Only our own preview frame, on our own origin.
    const frame = this.renderRoot.querySelector('iframe');
    if (e.origin !== location.origin || !frame || e.source !== frame.contentWindow) return;
    if ((e.data as { type?: string } | null)?.type === PREVIEW_READY) {
      this.previewReady = true;
      this.sendPreview();
    }
  };

  private t(key: MessageKey, vars?: Record<string, string | number>) {
    return translate(this.lang, key, vars);
  }

  connectedCallback(): void {
    super.connectedCallback();
    this.previewLang = this.lang;
    window.addEventListener('message', this.onMessage);
    void this.load();
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('message', this.onMessage);
    clearTimeout(this.previewTimer);
  }

  private async load() {
    if (!this.questionnaireId) {
      this.draft = emptyDraft();
    } else {
      try {
        const detail = await this.api.questionnaire(this.questionnaireId);
        this.version = detail.questionnaire.version;
        this.draft = fromFhir(detail.resource, this.nextKey);
      } catch (err) {
        this.loadError = err instanceof ApiError && err.status === 0 ? this.t('common.offline') : this.t('common.error');
      }
    }
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('h2')?.focus();
  }

  protected updated(changed: Map<string, unknown>): void {
    if (changed.has('draft') && this.draft) {
      clearTimeout(this.previewTimer);
      // The frame re-renders the whole form: wait for a pause in typing.
      this.previewTimer = setTimeout(() => this.sendPreview(), 250);
    }
  }

  private sendPreview() {
    const frame = this.renderRoot.querySelector('iframe');
    if (!this.previewReady || !frame?.contentWindow || !this.draft) return;
    const message: PreviewShow = { type: PREVIEW_SHOW, questionnaire: toFhir(this.draft), lang: this.previewLang };
    frame.contentWindow.postMessage(message, location.origin);
  }

  private setDraft(change: Partial<Draft>) {
    this.draft = { ...this.draft!, ...change };
    this.serverError = null;
    this.dirty = true;
  }

  private setItems(items: DraftItem[]) {
    this.setDraft({ items });
    if (this.problems.length) this.problems = draftProblems(this.draft!);
  }

  private change(key: string, patch: Partial<DraftItem> | ((i: DraftItem) => Partial<DraftItem>)) {
    this.setItems(updateItem(this.draft!.items, key, (i) => ({ ...i, ...(typeof patch === 'function' ? patch(i) : patch) })));
  }

  private async add(parent: DraftItem | null, type: ItemType) {
    const item = newItem(this.draft!, type, this.nextKey());
    this.setItems(parent ? updateItem(this.draft!.items, parent.key, (g) => ({ ...g, children: [...g.children, item] })) : [...this.draft!.items, item]);
    const place = placeOf(this.draft!.items, item.key)!;
    this.announce(this.t('qb.added', { n: place.index + 1, count: place.list.length }));
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(`#text-${item.key}`)?.focus();
  }

  private async removeOne(item: DraftItem) {
    const place = placeOf(this.draft!.items, item.key)!;
    const neighbour = place.list[place.index + 1] ?? place.list[place.index - 1] ?? place.parent;
    this.setItems(removeItem(this.draft!.items, item.key));
    this.announce(this.t('qb.removed', { label: this.label(item) }));
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(neighbour ? `#up-${neighbour.key}, #text-${neighbour.key}` : '#add-item')?.focus();
  }

  private announce(text: string) {
    // The same sentence twice in a row would not be read again: alternate a trailing space.
    this.announcement = this.announcement === text ? `${text}\u00a0` : text;
  }

  /** Applies a move and says where the item landed; focus returns to the control that asked (found again by id). */
  private async moved(result: Moved | null, key: string, focusId: string | null) {
    if (!result) {
      this.announce(this.t('qb.cantMove'));
      return;
    }
    const before = placeOf(this.draft!.items, key)!;
    this.setItems(result.items);
    const { place } = result;
    const vars = { n: place.index + 1, count: place.list.length };
    if (place.parent && place.parent.key !== before.parent?.key) this.announce(this.t('qb.movedInto', { ...vars, group: this.label(place.parent) }));
    else if (!place.parent && before.parent) this.announce(this.t('qb.movedOut', vars));
    else this.announce(this.t('qb.moved', vars));
    await this.updateComplete;
    const target = (focusId && this.renderRoot.querySelector<HTMLElement>(`#${focusId}`)) || this.renderRoot.querySelector<HTMLElement>(`#up-${key}`);
    target?.focus();
  }

  private onItemKey(e: KeyboardEvent, item: DraftItem) {
    if (!e.altKey || !['ArrowUp', 'ArrowDown', 'ArrowLeft', 'ArrowRight'].includes(e.key)) return;
    e.preventDefault();
    e.stopPropagation();
    const items = this.draft!.items;
    const result = e.key === 'ArrowUp' ? moveBy(items, item.key, -1) : e.key === 'ArrowDown' ? moveBy(items, item.key, 1) : e.key === 'ArrowRight' ? moveIntoPrevious(items, item.key) : moveOut(items, item.key);
    const from = e.composedPath()[0] as HTMLElement;
    void this.moved(result, item.key, from.id || null);
  }

  private onDragStart(e: DragEvent, item: DraftItem) {
    this.dragging = item.key;
    e.dataTransfer?.setData('text/plain', item.linkId);
    if (e.dataTransfer) e.dataTransfer.effectAllowed = 'move';
  }

  private onDragOver(e: DragEvent, target: string) {
    if (!this.dragging || this.dragging === target) return;
    e.preventDefault();
    e.stopPropagation();
    if (e.dataTransfer) e.dataTransfer.dropEffect = 'move';
    this.dropTarget = target;
  }

  private onDrop(e: DragEvent, target: { before: string } | { into: string }) {
    e.preventDefault();
    e.stopPropagation();
    const key = this.dragging;
    this.dragging = null;
    this.dropTarget = null;
    if (key) void this.moved(moveTo(this.draft!.items, key, target), key, `up-${key}`);
  }

  private onDragEnd() {
    this.dragging = null;
    this.dropTarget = null;
  }

  private label(item: DraftItem): string {
    return item.text.trim() || item.linkId;
  }

  private typeName(type: ItemType): string {
    return this.t(`qb.type.${type}` as MessageKey);
  }

  private problemText(p: DraftProblem): string {
    return this.t(`qb.problem.${p.code}` as MessageKey);
  }

  private async publish(e: Event) {
    e.preventDefault();
    if (!this.draft || this.busy) return;
    this.problems = draftProblems(this.draft);
    this.serverError = null;
    if (this.problems.length) {
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('#problems')?.focus();
      return;
    }
    this.busy = true;
    const resource = toFhir(this.draft);
    try {
      const saved = this.questionnaireId ? await this.api.publishQuestionnaire(this.questionnaireId, resource) : await this.api.importQuestionnaire(resource);
      this.dispatchEvent(new CustomEvent('sm-questionnaire-published', { bubbles: true, composed: true, detail: { id: saved.questionnaire.id, version: saved.questionnaire.version } }));
    } catch (err) {
      if (err instanceof ApiError && (err.code === 'invalid_fhir' || err.code === 'invalid_request')) {
        // The server's message is "path: problem": the path as it is, the sentence in the reader's language.
        const at = err.message.indexOf(': ');
        const path = at > 0 ? err.message.slice(0, at) : 'Questionnaire';
        this.serverError = { text: this.t('admin.q.invalidFhir', { path, detail: at > 0 ? err.message.slice(at + 2) : err.message }), item: itemAtPath(this.draft.items, path) };
      } else {
        this.serverError = { text: err instanceof ApiError && err.status === 0 ? this.t('common.offline') : this.t('common.error'), item: null };
      }
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('#problems')?.focus();
    } finally {
      this.busy = false;
    }
  }

  private async close() {
    if (this.dirty && !this.confirmLeave) {
      this.confirmLeave = true;
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>('#stay')?.focus();
      return;
    }
    this.dispatchEvent(new CustomEvent('sm-builder-close', { bubbles: true, composed: true }));
  }

  private async stay() {
    this.confirmLeave = false;
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('button[type=submit]')?.focus();
  }

  private goTo(key: string | null, field: string) {
    const el = key ? this.renderRoot.querySelector<HTMLElement>(`#${field}-${key}`) ?? this.renderRoot.querySelector<HTMLElement>(`#text-${key}`) : this.renderRoot.querySelector<HTMLElement>('#title');
    el?.focus();
  }

  private problemFor(key: string | null, field: DraftProblem['field']) {
    const p = this.problems.find((x) => x.key === key && x.field === field);
    return p ? html`<p class="error" id=${`err-${field}-${key ?? 'q'}`}>${this.problemText(p)}</p>` : nothing;
  }

  private invalid(key: string | null, field: DraftProblem['field']) {
    return this.problems.some((x) => x.key === key && x.field === field) ? 'true' : 'false';
  }

  private described(key: string | null, field: DraftProblem['field']) {
    return this.problems.some((x) => x.key === key && x.field === field) ? `err-${field}-${key ?? 'q'}` : nothing;
  }

  render() {
    if (this.loadError) return html`<p class="error" role="alert">${this.loadError}</p><button class="secondary" @click=${this.close}>${this.t('qb.back')}</button>`;
    if (!this.draft) return html`<p class="muted" role="status">${this.t('common.loading')}</p>`;
    const d = this.draft;
    return html`<div class="layout">
      <form novalidate @submit=${this.publish}>
        <h2 tabindex="-1">${this.questionnaireId ? this.t('qb.editTitle', { title: d.title || '…', version: this.version }) : this.t('qb.newTitle')}</h2>
        <p class="muted">${this.t('qb.intro')}</p>
        <fieldset>
          <legend>${this.t('qb.about')}</legend>
          <div class="pair">
            <label
              >${this.t('qb.title.en')}
              <input id="title" required .value=${d.title} aria-invalid=${this.invalid(null, 'title')} aria-describedby=${this.described(null, 'title')} @input=${(e: Event) => this.setDraft({ title: (e.target as HTMLInputElement).value })}
            /></label>
            <label lang="fr">${this.t('qb.title.fr')} <input id="title-fr" .value=${d.titleFr} @input=${(e: Event) => this.setDraft({ titleFr: (e.target as HTMLInputElement).value })} /></label>
          </div>
          ${this.problemFor(null, 'title')}
          <div class="pair">
            <label>${this.t('qb.description.en')} <textarea id="description" .value=${d.description} @input=${(e: Event) => this.setDraft({ description: (e.target as HTMLTextAreaElement).value })}></textarea></label>
            <label lang="fr">${this.t('qb.description.fr')} <textarea id="description-fr" .value=${d.descriptionFr} @input=${(e: Event) => this.setDraft({ descriptionFr: (e.target as HTMLTextAreaElement).value })}></textarea></label>
          </div>
        </fieldset>
        <h3>${this.t('qb.items')}</h3>
        <p class="muted" id="move-hint">${this.t('qb.moveHint')}</p>
        ${d.items.length === 0 ? html`<p>${this.t('qb.noItems')}</p>` : nothing} ${this.itemList(d.items, null)} ${this.addRow(null)}
        <div class="row">
          <button type="submit" ?disabled=${this.busy}>${this.t(this.busy ? 'qb.publishing' : this.questionnaireId ? 'qb.publishVersion' : 'qb.publish')}</button>
          <button type="button" class="secondary" @click=${this.close}>${this.t('qb.back')}</button>
        </div>
        ${this.confirmLeave
          ? html`<div class="panel" role="alertdialog" aria-labelledby="leave-question">
              <p id="leave-question">${this.t('qb.leave.question')}</p>
              <div class="row">
                <button type="button" id="stay" @click=${this.stay}>${this.t('qb.leave.no')}</button>
                <button type="button" class="secondary" @click=${this.close}>${this.t('qb.leave.yes')}</button>
              </div>
            </div>`
          : nothing}
      </form>
      <aside>${this.renderProblems()} ${this.renderPreview()}</aside>
      <p class="visually-hidden" role="status" aria-live="polite">${this.announcement}</p>
    </div>`;
  }

  private renderProblems() {
    if (!this.serverError && this.problems.length === 0) return nothing;
    return html`<section class="panel problems" role="alert">
      <h3 id="problems" tabindex="-1">${this.t('qb.problems')}</h3>
      ${this.serverError
        ? html`<p class="error">${this.serverError.text}</p>
            ${this.serverError.item ? html`<button type="button" class="link" @click=${() => this.goTo(this.serverError!.item!.key, 'linkid')}>${this.t('qb.goTo', { label: this.label(this.serverError.item) })}</button>` : nothing}`
        : html`<ul>
            ${this.problems.map((p) => {
              const item = p.key ? allItems(this.draft!.items).find((i) => i.key === p.key) : null;
              return html`<li><button type="button" class="link" @click=${() => this.goTo(p.key, p.field === 'linkId' ? 'linkid' : p.field === 'options' ? 'code-0' : p.field === 'enableWhen' ? 'question-0' : 'text')}>${item ? `${this.label(item)}: ` : ''}${this.problemText(p)}</button></li>`;
            })}
          </ul>`}
    </section>`;
  }

  private renderPreview() {
    const src = `/frame/questionnaire-preview?lang=${this.previewLang}`;
    return html`<section class="panel">
      <h3>${this.t('qb.preview')}</h3>
      <p class="muted">${this.t('qb.previewNote')}</p>
      <fieldset>
        <legend>${this.t('qb.previewLang')}</legend>
        <div class="row">
          ${(['en', 'fr'] as const).map(
            (l) => html`<label class="check"><input type="radio" name="preview-lang" value=${l} .checked=${this.previewLang === l} @change=${() => this.setPreviewLang(l)} /> ${this.t(`qb.lang.${l}`)}</label>`,
          )}
        </div>
      </fieldset>
      <iframe title=${this.t('qb.previewFrame', { lang: this.t(`qb.lang.${this.previewLang}`) })} src=${src} @load=${() => this.sendPreview()}></iframe>
    </section>`;
  }

  private setPreviewLang(l: Lang) {
    this.previewLang = l;
    // A new page loads for the other language; it says when it is ready.
    this.previewReady = false;
  }

  private itemList(items: DraftItem[], parent: DraftItem | null): TemplateResult {
    return html`<ol class="items">
      ${repeat(items, (i) => i.key, (i, n) => html`<li>${this.renderItem(i, n, items, parent)}</li>`)}
      ${this.dragging && parent
        ? html`<li class="dropzone" @dragover=${(e: DragEvent) => this.onDragOver(e, `into-${parent.key}`)} @drop=${(e: DragEvent) => this.onDrop(e, { into: parent.key })}>${this.t('qb.dropInto', { group: this.label(parent) })}</li>`
        : nothing}
    </ol>`;
  }

  private addRow(parent: DraftItem | null): TemplateResult {
    const id = parent ? `add-${parent.key}` : 'add-item';
    let chosen: ItemType = parent ? 'string' : this.newType;
    return html`<div class="row">
      <label
        >${parent ? this.t('qb.newTypeIn', { group: this.label(parent) }) : this.t('qb.newType')}
        <select
          id=${`${id}-type`}
          @change=${(e: Event) => {
            chosen = (e.target as HTMLSelectElement).value as ItemType;
            if (!parent) this.newType = chosen;
          }}
        >
          ${SUPPORTED_ITEM_TYPES.map((t) => html`<option value=${t} ?selected=${t === chosen}>${this.typeName(t)}</option>`)}
        </select>
      </label>
      <button type="button" id=${id} class="secondary" @click=${() => this.add(parent, ((this.renderRoot.querySelector<HTMLSelectElement>(`#${id}-type`)?.value as ItemType) ?? chosen))}>
        ${parent ? this.t('qb.addIn', { group: this.label(parent) }) : this.t('qb.add')}
      </button>
    </div>`;
  }

  private renderItem(item: DraftItem, n: number, siblings: DraftItem[], parent: DraftItem | null): TemplateResult {
    const k = item.key;
    const prev = siblings[n - 1];
    const text = (e: Event) => (e.target as HTMLInputElement).value;
    const checked = (e: Event) => (e.target as HTMLInputElement).checked;
    const isGroup = item.type === 'group';
    return html`<fieldset
      class="item ${isGroup ? 'group' : ''} ${this.dropTarget === k ? 'drop' : ''}"
      id=${`item-${k}`}
      aria-describedby="move-hint"
      @keydown=${(e: KeyboardEvent) => this.onItemKey(e, item)}
      @dragover=${(e: DragEvent) => this.onDragOver(e, k)}
      @drop=${(e: DragEvent) => this.onDrop(e, { before: k })}
    >
      <legend>${this.t('qb.itemLegend', { n: n + 1, count: siblings.length, type: this.typeName(item.type), label: this.label(item) })}</legend>
      <div class="bar">
        <span class="handle" draggable="true" title=${this.t('qb.drag')} @dragstart=${(e: DragEvent) => this.onDragStart(e, item)} @dragend=${this.onDragEnd}><span aria-hidden="true">⠿</span><span class="visually-hidden">${this.t('qb.drag')}</span></span>
        <button type="button" class="secondary" id=${`up-${k}`} ?disabled=${n === 0} @click=${() => this.moved(moveBy(this.draft!.items, k, -1), k, `up-${k}`)}>${this.t('qb.moveUp')}</button>
        <button type="button" class="secondary" id=${`down-${k}`} ?disabled=${n === siblings.length - 1} @click=${() => this.moved(moveBy(this.draft!.items, k, 1), k, `down-${k}`)}>${this.t('qb.moveDown')}</button>
        ${prev?.type === 'group'
          ? html`<button type="button" class="secondary" id=${`in-${k}`} @click=${() => this.moved(moveIntoPrevious(this.draft!.items, k), k, `up-${k}`)}>${this.t('qb.moveInto', { group: this.label(prev) })}</button>`
          : nothing}
        ${parent ? html`<button type="button" class="secondary" id=${`out-${k}`} @click=${() => this.moved(moveOut(this.draft!.items, k), k, `up-${k}`)}>${this.t('qb.moveOut', { group: this.label(parent) })}</button>` : nothing}
        <button type="button" class="secondary" id=${`remove-${k}`} @click=${() => this.removeOne(item)}>${this.t('qb.remove')}</button>
      </div>
      <div class="pair">
        <label
          >${this.t('qb.type')}
          <select id=${`type-${k}`} @change=${(e: Event) => this.changeType(item, (e.target as HTMLSelectElement).value as ItemType)}>
            ${SUPPORTED_ITEM_TYPES.map((t) => html`<option value=${t} ?selected=${t === item.type}>${this.typeName(t)}</option>`)}
          </select>
        </label>
        <label
          >${this.t('qb.linkId')}
          <input id=${`linkid-${k}`} .value=${item.linkId} spellcheck="false" aria-invalid=${this.invalid(k, 'linkId')} aria-describedby=${this.described(k, 'linkId')} @input=${(e: Event) => this.renameLinkId(item, text(e))} />
        </label>
      </div>
      ${this.problemFor(k, 'linkId')}
      <div class="pair">
        <label
          >${this.t(item.type === 'display' ? 'qb.displayText.en' : isGroup ? 'qb.groupText.en' : 'qb.text.en')}
          <textarea id=${`text-${k}`} rows="2" aria-invalid=${this.invalid(k, 'text')} aria-describedby=${this.described(k, 'text')} .value=${item.text} @input=${(e: Event) => this.change(k, { text: text(e) })}></textarea>
        </label>
        <label lang="fr"
          >${this.t(item.type === 'display' ? 'qb.displayText.fr' : isGroup ? 'qb.groupText.fr' : 'qb.text.fr')}
          <textarea id=${`textfr-${k}`} rows="2" .value=${item.textFr} @input=${(e: Event) => this.change(k, { textFr: text(e) })}></textarea>
        </label>
      </div>
      ${this.problemFor(k, 'text')}
      ${item.type === 'display'
        ? nothing
        : html`<div class="row">
            ${answerable(item.type) ? html`<label class="check"><input type="checkbox" id=${`required-${k}`} .checked=${item.required} @change=${(e: Event) => this.change(k, { required: checked(e) })} /> ${this.t('qb.required')}</label>` : nothing}
            <label class="check"
              ><input type="checkbox" id=${`repeats-${k}`} .checked=${item.repeats} @change=${(e: Event) => this.change(k, { repeats: checked(e) })} />
              ${this.t(isGroup ? 'qb.repeatsGroup' : hasOptions(item.type) ? 'qb.repeatsChoice' : 'qb.repeats')}</label
            >
          </div>`}
      ${answerable(item.type)
        ? html`<div class="pair">
            <label>${this.t('qb.help.en')} <input id=${`help-${k}`} .value=${item.help} @input=${(e: Event) => this.change(k, { help: text(e) })} /></label>
            <label lang="fr">${this.t('qb.help.fr')} <input id=${`helpfr-${k}`} .value=${item.helpFr} @input=${(e: Event) => this.change(k, { helpFr: text(e) })} /></label>
          </div>`
        : nothing}
      ${hasOptions(item.type) ? this.renderAnswerOptions(item) : nothing} ${item.type === 'quantity' ? this.renderUnit(item) : nothing} ${hasValueRange(item.type) ? this.renderRange(item) : nothing}
      ${hasLength(item.type) ? this.renderLength(item) : nothing} ${this.renderConditions(item)}
      ${isGroup
        ? html`${item.children.length === 0 ? html`<p class="muted">${this.t('qb.groupEmpty')}</p>` : nothing}${this.itemList(item.children, item)}${this.problemFor(k, 'children')}${this.addRow(item)}`
        : nothing}
    </fieldset>`;
  }

  private changeType(item: DraftItem, type: ItemType) {
    this.change(item.key, (i) => ({
      type,
      options: hasOptions(type) && i.options.length === 0 ? [blankOption(1)] : i.options,
      required: answerable(type) && i.required,
      children: type === 'group' ? i.children : [],
    }));
    // Items inside a group that stops being one move out after it, rather than disappearing.
    if (item.type === 'group' && type !== 'group' && item.children.length) {
      const items = cloneItems(this.draft!.items);
      const place = placeOf(items, item.key)!;
      place.list.splice(place.index + 1, 0, ...item.children);
      this.setItems(items);
    }
  }

  /** A new linkId is also the question its conditions look at. */
  private renameLinkId(item: DraftItem, linkId: string) {
    const rename = (items: DraftItem[]): DraftItem[] =>
      items.map((i) => ({ ...(i.key === item.key ? { ...i, linkId } : i), enableWhen: i.enableWhen.map((c) => (c.question === item.linkId ? { ...c, question: linkId } : c)), children: rename(i.children) }));
    this.setItems(rename(this.draft!.items));
  }

  private renderAnswerOptions(item: DraftItem) {
    const k = item.key;
    const set = (n: number, patch: Partial<DraftOption>) => this.change(k, (i) => ({ options: i.options.map((o, m) => (m === n ? { ...o, ...patch } : o)) }));
    const addOption = async () => {
      this.change(k, (i) => ({ options: [...i.options, blankOption(i.options.length + 1)] }));
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>(`#display-${item.options.length}-${k}`)?.focus();
    };
    const removeOption = async (n: number) => {
      this.change(k, (i) => ({ options: i.options.filter((_, m) => m !== n) }));
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>(`#add-option-${k}`)?.focus();
    };
    const v = (e: Event) => (e.target as HTMLInputElement).value;
    return html`<fieldset>
      <legend>${this.t('qb.options')}</legend>
      ${item.options.map(
        (o, n) => html`<div class="row">
          <label>${this.t('qb.option.code', { n: n + 1 })} <input id=${`code-${n}-${k}`} size="8" spellcheck="false" .value=${o.code} @input=${(e: Event) => set(n, { code: v(e) })} /></label>
          <label>${this.t('qb.option.en', { n: n + 1 })} <input id=${`display-${n}-${k}`} .value=${o.display} @input=${(e: Event) => set(n, { display: v(e) })} /></label>
          <label lang="fr">${this.t('qb.option.fr', { n: n + 1 })} <input id=${`displayfr-${n}-${k}`} .value=${o.displayFr} @input=${(e: Event) => set(n, { displayFr: v(e) })} /></label>
          <button type="button" class="secondary" @click=${() => removeOption(n)}>${this.t('qb.option.remove', { n: n + 1 })}</button>
        </div>`,
      )}
      ${this.problemFor(k, 'options')}
      <div class="row"><button type="button" class="secondary" id=${`add-option-${k}`} @click=${addOption}>${this.t('qb.option.add')}</button></div>
    </fieldset>`;
  }

  private renderUnit(item: DraftItem) {
    const k = item.key;
    return html`<div class="pair">
      <label>${this.t('qb.unit.code')} <input id=${`unit-${k}`} spellcheck="false" .value=${item.unitCode} @input=${(e: Event) => this.change(k, { unitCode: (e.target as HTMLInputElement).value })} /></label>
      <label>${this.t('qb.unit.display')} <input id=${`unitdisplay-${k}`} .value=${item.unitDisplay} @input=${(e: Event) => this.change(k, { unitDisplay: (e.target as HTMLInputElement).value })} /></label>
    </div>`;
  }

  private renderRange(item: DraftItem) {
    const k = item.key;
    const dateLike = item.type === 'date' || item.type === 'dateTime';
    return html`<div class="pair">
      <label>${this.t('qb.minValue')} <input id=${`min-${k}`} type=${dateLike ? 'date' : 'text'} inputmode=${dateLike ? nothing : 'decimal'} .value=${item.minValue} @input=${(e: Event) => this.change(k, { minValue: (e.target as HTMLInputElement).value })} /></label>
      <label>${this.t('qb.maxValue')} <input id=${`max-${k}`} type=${dateLike ? 'date' : 'text'} inputmode=${dateLike ? nothing : 'decimal'} .value=${item.maxValue} @input=${(e: Event) => this.change(k, { maxValue: (e.target as HTMLInputElement).value })} /></label>
    </div>`;
  }

  private renderLength(item: DraftItem) {
    const k = item.key;
    return html`<div class="pair">
      <label>${this.t('qb.minLength')} <input id=${`minlength-${k}`} inputmode="numeric" .value=${item.minLength} @input=${(e: Event) => this.change(k, { minLength: (e.target as HTMLInputElement).value })} /></label>
      <label>${this.t('qb.maxLength')} <input id=${`maxlength-${k}`} inputmode="numeric" .value=${item.maxLength} @input=${(e: Event) => this.change(k, { maxLength: (e.target as HTMLInputElement).value })} /></label>
    </div>`;
  }

  private renderConditions(item: DraftItem) {
    const k = item.key;
    const questions = conditionQuestions(this.draft!.items, k);
    const setRow = (n: number, patch: Partial<DraftCondition>) => this.change(k, (i) => ({ enableWhen: i.enableWhen.map((c, m) => (m === n ? { ...c, ...patch } : c)) }));
    const addRow = async () => {
      this.change(k, (i) => ({ enableWhen: [...i.enableWhen, { question: questions[0]?.linkId ?? '', operator: '=', answer: '' }] }));
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>(`#question-${item.enableWhen.length}-${k}`)?.focus();
    };
    const removeRow = async (n: number) => {
      this.change(k, (i) => ({ enableWhen: i.enableWhen.filter((_, m) => m !== n) }));
      await this.updateComplete;
      this.renderRoot.querySelector<HTMLElement>(`#add-condition-${k}`)?.focus();
    };
    return html`<fieldset>
      <legend>${this.t('qb.conditions')}</legend>
      ${item.enableWhen.length === 0 ? html`<p class="muted">${this.t('qb.alwaysShown')}</p>` : nothing}
      ${item.enableWhen.map((c, n) => {
        const q = questions.find((x) => x.linkId === c.question);
        const ops = operatorsFor(q?.type);
        return html`<div class="row">
          <label
            >${this.t('qb.condition.question', { n: n + 1 })}
            <select id=${`question-${n}-${k}`} @change=${(e: Event) => setRow(n, { question: (e.target as HTMLSelectElement).value, answer: '' })}>
              <option value="" ?selected=${!q}>—</option>
              ${questions.map((x) => html`<option value=${x.linkId} ?selected=${x.linkId === c.question}>${this.label(x)} (${x.linkId})</option>`)}
            </select>
          </label>
          <label
            >${this.t('qb.condition.operator', { n: n + 1 })}
            <select id=${`operator-${n}-${k}`} @change=${(e: Event) => setRow(n, { operator: (e.target as HTMLSelectElement).value as DraftCondition['operator'], answer: '' })}>
              ${ops.map((op) => html`<option value=${op} ?selected=${op === c.operator}>${this.t(`qb.op.${op === 'exists' ? 'exists' : op === '=' ? 'eq' : op === '!=' ? 'ne' : op === '>' ? 'gt' : op === '<' ? 'lt' : op === '>=' ? 'ge' : 'le'}` as MessageKey)}</option>`)}
            </select>
          </label>
          ${this.conditionAnswer(c, q, n, k, (answer) => setRow(n, { answer }))}
          <button type="button" class="secondary" @click=${() => removeRow(n)}>${this.t('qb.condition.remove', { n: n + 1 })}</button>
        </div>`;
      })}
      ${this.problemFor(k, 'enableWhen')}
      ${item.enableWhen.length > 1
        ? html`<fieldset>
            <legend>${this.t('qb.behavior')}</legend>
            <div class="row">
              <label class="check"><input type="radio" name=${`behavior-${k}`} .checked=${item.enableBehavior === 'any'} @change=${() => this.change(k, { enableBehavior: 'any' })} /> ${this.t('qb.behavior.any')}</label>
              <label class="check"><input type="radio" name=${`behavior-${k}`} .checked=${item.enableBehavior === 'all'} @change=${() => this.change(k, { enableBehavior: 'all' })} /> ${this.t('qb.behavior.all')}</label>
            </div>
          </fieldset>`
        : nothing}
      <div class="row"><button type="button" class="secondary" id=${`add-condition-${k}`} ?disabled=${questions.length === 0} @click=${addRow}>${this.t('qb.condition.add')}</button></div>
    </fieldset>`;
  }

  private conditionAnswer(c: DraftCondition, q: DraftItem | undefined, n: number, k: string, set: (answer: string) => void) {
    const id = `answer-${n}-${k}`;
    const label = this.t('qb.condition.answer', { n: n + 1 });
    const onChange = (e: Event) => set((e.target as HTMLInputElement | HTMLSelectElement).value);
    if (c.operator === 'exists' || q?.type === 'boolean') {
      const choices = c.operator === 'exists' ? [['true', this.t('qb.exists.true')], ['false', this.t('qb.exists.false')]] : [['true', this.t('common.yes')], ['false', this.t('common.no')]];
      return html`<label>${label} <select id=${id} @change=${onChange}>${choices.map(([v, l]) => html`<option value=${v!} ?selected=${(c.answer || 'true') === v}>${l}</option>`)}</select></label>`;
    }
    if (q && q.type === 'choice') {
      return html`<label
        >${label}
        <select id=${id} @change=${onChange}>
          <option value="" ?selected=${!c.answer}>—</option>
          ${q.options.map((o) => html`<option value=${o.code} ?selected=${o.code === c.answer}>${o.display || o.code}</option>`)}
        </select></label
      >`;
    }
    // A date is a valid FHIR dateTime too, and a date field needs no time zone.
    const type = q?.type === 'date' || q?.type === 'dateTime' ? 'date' : 'text';
    return html`<label>${label} <input id=${id} type=${type} .value=${c.answer} @input=${onChange} /></label>`;
  }
}

defineOnce('sm-questionnaire-builder', SmQuestionnaireBuilder);

declare global {
  interface HTMLElementTagNameMap {
    'sm-questionnaire-builder': SmQuestionnaireBuilder;
  }
  interface HTMLElementEventMap {
    'sm-questionnaire-published': CustomEvent<{ id: string; version: number }>;
    'sm-builder-close': CustomEvent<void>;
  }
}
