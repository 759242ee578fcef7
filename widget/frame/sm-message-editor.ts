/**
 * @summary A message box with the clinic's live length counter, attachments and the emergency check.
 * The text is only cleared when the parent says the message was sent; an error never loses it. Sending
 * an empty box says so beside it (never a click with no answer). Text
 * that suggests an emergency shows the clinic's emergency notice (focus goes to it) with "Edit my
 * message" (focus back to the text) and "It is not an emergency: send"; editing the text re-checks it,
 * and the notice goes once the text no longer suggests an emergency.
 * @fires sm-editor-submit - detail `{ body, files, emergencyOverride }`: the patient wants to send (within limits); `emergencyOverride` when they sent past the notice.
 * @fires sm-editor-input - detail `{ value }`: the text changed (the parent autosaves a draft).
 */
import { LitElement, html, css, nothing } from 'lit';
import { property, state, query } from 'lit/decorators.js';
import { defineOnce } from '../../shared/define-once.js';
import { translate, type MessageKey } from '../../shared/i18n.js';
import type { Lang } from '../../shared/lang.js';
import { looksLikeEmergency } from '../../shared/emergency-phrases.js';
import { checkLength, type LengthLimits } from '../../shared/message-rules.js';
import { frameStyles } from './styles.js';

export class SmMessageEditor extends LitElement {
  static styles = [
    frameStyles,
    css`
      textarea {
        font: inherit;
        width: 100%;
        box-sizing: border-box;
        resize: vertical;
        min-height: 7rem;
        padding: 0.5rem;
        border: 1px solid var(--sm-border-strong, #616e7c);
        border-radius: calc(var(--sm-radius, 8px) / 2);
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.5rem;
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
    // Edited after the notice appeared: checked again; the notice stays only while the text still suggests an emergency.
    if (this.emergencyShown && !looksLikeEmergency(this.value)) this.emergencyShown = false;
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
      // Never a click with no answer: an empty box is said beside it, as the server would say it.
      if (check.ok) this.fieldError = { field: 'body', text: this.t('error.empty_message') };
      void this.focusField('body');
      return;
    }
    // Checked on the text as it is now: a confirmation given for other words does not carry over.
    const urgent = looksLikeEmergency(this.value);
    if (urgent && !(acknowledgedEmergency && this.emergencyShown)) {
      this.emergencyShown = true;
      void this.focusNotice();
      return;
    }
    this.emergencyShown = false;
    const files = [...(this.fileInput?.files ?? [])];
    this.dispatchEvent(new CustomEvent('sm-editor-submit', { detail: { body: this.value, files, emergencyOverride: urgent }, bubbles: true, composed: true }));
  }

  /** The notice just appeared: focus it, so it is read and its two choices are next. */
  private async focusNotice() {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('#emergency')?.focus();
  }

  /** "Edit my message": the notice goes and focus returns to the text (it is checked again at the next send). */
  private async editMessage() {
    this.emergencyShown = false;
    await this.focusField('body');
  }

  render() {
    const check = checkLength(this.value, this.limits);
    const overShown = !check.ok && this.overLimitTried;
    const bodyError = this.fieldError?.field === 'body' ? this.fieldError.text : null;
    const filesError = this.fieldError?.field === 'files' ? this.fieldError.text : null;
    const bodyInvalid = overShown || bodyError !== null;
    // Our own check, not the browser's: its bubble speaks the browser's language, not the widget's, and screen readers may miss it.
    return html`<form novalidate @submit=${this.submit}>
      <label>${this.label}
        <textarea
          name="body"
          required
          .value=${this.value}
          aria-invalid=${bodyInvalid ? 'true' : 'false'}
          aria-describedby=${['counter', overShown ? 'over-limit' : '', bodyError ? 'body-error' : '', this.emergencyShown ? 'emergency' : ''].filter(Boolean).join(' ')}
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
        ? html`<div id="emergency" class="notice" role="alert" tabindex="-1">
            <p><strong>${this.t('msg.emergency.title')}</strong> ${this.emergencyNotice}</p>
            <div class="actions">
              <button type="button" class="secondary" @click=${this.editMessage}>${this.t('msg.emergency.edit')}</button>
              <button type="button" ?disabled=${this.busy} @click=${(e: Event) => this.submit(e, true)}>${this.t('msg.emergency.confirm')}</button>
            </div>
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
    'sm-editor-submit': CustomEvent<{ body: string; files: File[]; emergencyOverride: boolean }>;
    'sm-editor-input': CustomEvent<{ value: string }>;
  }
}
