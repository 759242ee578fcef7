/**
 * @summary The clinic's consent to electronic communication, accepted once before the first message.
 * @fires sm-consent-accepted - the patient accepted.
 */
import { LitElement, html } from 'lit';
import { property, state } from 'lit/decorators.js';
import { defineOnce } from '../../shared/define-once.js';
import { translate } from '../../shared/i18n.js';
import type { Lang } from '../../shared/lang.js';
import { frameStyles } from './styles.js';

export class SmConsent extends LitElement {
  static styles = [frameStyles];

  @property() lang: Lang = 'en';
  /** The clinic's consent text, as set in its settings. */
  @property() text = '';
  @property({ type: Boolean }) busy = false;
  @state() private accepted = false;

  private accept() {
    this.accepted = true;
    this.dispatchEvent(new CustomEvent('sm-consent-accepted', { bubbles: true, composed: true }));
  }

  render() {
    return html`<div class="card">
      <h2 id="consent-title">${translate(this.lang, 'frame.consent.title')}</h2>
      <p class="notice" role="note">${translate(this.lang, 'frame.notForEmergencies')}</p>
      <p>${this.text}</p>
      <button ?disabled=${this.busy || this.accepted} @click=${this.accept}>${translate(this.lang, 'frame.consent.accept')}</button>
    </div>`;
  }
}

defineOnce('sm-consent', SmConsent);

declare global {
  interface HTMLElementTagNameMap {
    'sm-consent': SmConsent;
  }
  interface HTMLElementEventMap {
    'sm-consent-accepted': CustomEvent<void>;
  }
}
