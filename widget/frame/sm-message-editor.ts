/**
 * @summary A message box with the clinic's live length counter, attachments and the emergency check.
 * The text is only cleared when the parent says the message was sent; an error never loses it.
 * @fires sm-editor-submit - detail `{ body, files }`: the patient wants to send (within limits, emergency acknowledged).
 * @fires sm-editor-input - detail `{ value }`: the text changed (the parent autosaves a draft).
 */
import { LitElement, html, css, nothing } from 'lit';
import { property, state, query } from 'lit/decorators.js';
import { defineOnce } from '../../shared/define-once.js';
import { translate, type MessageKey } from '../../shared/i18n.js';
import type { Lang } from '../../shared/lang.js';
import { checkLength, looksLikeEmergency, type LengthLimits } from '../../shared/message-rules.js';
import { frameStyles } from './styles.js';

export class SmMessageEditor extends LitElement {
  static styles = [
    frameStyles,
    css`
      textarea {
        font: inherit;
        min-height: 7rem;
        padding: 0.5rem;
        border: 1px solid var(--sm-border-strong, #616e7c);
        border-radius: calc(var(--sm-radius, 8px) / 2);
      }
      .counter[data-over] {
        color: var(--sm-danger, #b3261e);
        font-weight: 600;
      }
    `,
  ];

  @property() lang: Lang = 'en';
  @property() label = '';
  @property({ attribute: false }) limits: LengthLimits = { maxChars: null, maxWords: null };
  @property({ type: Number }) attachmentMb = 10;
  @property({ type: Boolean }) busy = false;
  /** A refusal that belongs to one of this editor's fields, shown beside it (the text or the files). */
  @property({ attribute: false }) fieldError: { field: 'body' | 'files'; text: string } | null = null;
  /** The emergency notice text, shown again if the message looks urgent. */
  @property() emergencyNotice = '';

  /** The text in the box: set it to restore a draft; it changes as the patient types. */
  @property({ attribute: false }) value = '';
  @state() private emergencyShown = false;
  @state() private overLimitTried = false;
  @query('input[type=file]') private fileInput?: HTMLInputElement;
  @query('textarea') private textarea?: HTMLTextAreaElement;

  private t(key: MessageKey, vars?: Record<string, string | number>) {
    return translate(this.lang, key, vars);
  }

  /** Empties the box after a successful send. */
  clear(): void {
    this.value = '';
    this.emergencyShown = false;
    this.overLimitTried = false;
    this.fieldError = null;
    if (this.fileInput) this.fileInput.value = '';
  }

  /** Moves focus to the field a refusal is about (the text, or the files). */
  async focusField(field: 'body' | 'files'): Promise<void> {
    await this.updateComplete;
    (field === 'files' ? this.fileInput : this.textarea)?.focus();
  }

  private onInput(e: Event) {
    this.value = (e.target as HTMLTextAreaElement).value;
    if (this.fieldError?.field === 'body') this.fieldError = null;
    this.dispatchEvent(new CustomEvent('sm-editor-input', { detail: { value: this.value }, bubbles: true, composed: true }));
  }

  /** Whether files are chosen (they can only be sent online). */
  get hasFiles(): boolean {
    return (this.fileInput?.files?.length ?? 0) > 0;
  }

  private submit(e: Event, acknowledgedEmergency = false) {
    e.preventDefault();
    const check = checkLength(this.value, this.limits);
    if (!check.ok || !this.value.trim()) {
      this.overLimitTried = !check.ok;
      void this.focusField('body');
      return;
    }
    if (!acknowledgedEmergency && looksLikeEmergency(this.value)) {
      this.emergencyShown = true;
      return;
    }
    this.emergencyShown = false;
    const files = [...(this.fileInput?.files ?? [])];
    this.dispatchEvent(new CustomEvent('sm-editor-submit', { detail: { body: this.value, files }, bubbles: true, composed: true }));
  }

  render() {
    const check = checkLength(this.value, this.limits);
    const overShown = !check.ok && this.overLimitTried;
    const bodyError = this.fieldError?.field === 'body' ? this.fieldError.text : null;
    const filesError = this.fieldError?.field === 'files' ? this.fieldError.text : null;
    const bodyInvalid = overShown || bodyError !== null;
    return html`<form @submit=${this.submit}>
      <label>${this.label}
        <textarea
          name="body"
          required
          .value=${this.value}
          aria-invalid=${bodyInvalid ? 'true' : 'false'}
          aria-describedby=${['counter', overShown ? 'over-limit' : '', bodyError ? 'body-error' : ''].filter(Boolean).join(' ')}
          @input=${this.onInput}
        ></textarea>
      </label>
      ${bodyError ? html`<p id="body-error" class="error" role="alert">${bodyError}</p>` : nothing}
      <p id="counter" class="counter muted" ?data-over=${!check.ok} aria-live="polite">
        ${this.limits.maxChars !== null ? this.t('msg.counter', { chars: check.chars, max: this.limits.maxChars }) : nothing}
        ${this.limits.maxWords !== null ? html` · ${this.t('msg.counterWords', { words: check.words, max: this.limits.maxWords })}` : nothing}
      </p>
      ${overShown ? html`<p id="over-limit" class="error" role="alert">${this.t('msg.overLimit')}</p>` : nothing}
      <label>${this.t('msg.attach', { mb: this.attachmentMb })}
        <input
          type="file"
          multiple
          accept="application/pdf,image/jpeg,image/png"
          aria-invalid=${filesError ? 'true' : 'false'}
          aria-describedby=${filesError ? 'files-error' : nothing}
          @change=${() => this.fieldError?.field === 'files' && (this.fieldError = null)}
        />
      </label>
      ${filesError ? html`<p id="files-error" class="error" role="alert">${filesError}</p>` : nothing}
      ${this.emergencyShown
        ? html`<div class="notice" role="alert">
            <p><strong>${this.t('msg.emergency.title')}</strong> ${this.emergencyNotice}</p>
            <button type="button" @click=${(e: Event) => this.submit(e, true)}>${this.t('msg.emergency.confirm')}</button>
          </div>`
        : html`<button ?disabled=${this.busy}>${this.t(this.busy ? 'msg.sending' : 'msg.send')}</button>`}
    </form>`;
  }
}

defineOnce('sm-message-editor', SmMessageEditor);

declare global {
  interface HTMLElementTagNameMap {
    'sm-message-editor': SmMessageEditor;
  }
  interface HTMLElementEventMap {
    'sm-editor-submit': CustomEvent<{ body: string; files: File[] }>;
    'sm-editor-input': CustomEvent<{ value: string }>;
  }
}
