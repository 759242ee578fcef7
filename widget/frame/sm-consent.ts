/**
 * @summary The clinic's consent to electronic communication, accepted once before the first message.
 * @fires sm-consent-accepted - the patient accepted.
 * @fires sm-consent-declined - the patient declined (the frame signs them out).
 */
import { LitElement, css, html } from 'lit';
import { property, state } from 'lit/decorators.js';
import { defineOnce } from '../../shared/define-once.js';
import { translate } from '../../shared/i18n.js';
import type { Lang } from '../../shared/lang.js';
import { frameStyles } from './styles.js';

export class SmConsent extends LitElement {
  static styles = [
    frameStyles,
    css`
      .actions {
        display: flex;
        flex-wrap: wrap;
        gap: 0.75rem;
      }
    `,
  ];

  @property() lang: Lang = 'en';
  /** The clinic's consent text, as set in its settings. */
  @property() text = '';
  @property({ type: Boolean }) busy = false;
  @state() private accepted = false;

  /** Moves focus to this screen's heading (the screen just appeared). */
  async focusHeading(): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('h2')?.focus();
  }

  private decline() {
    this.dispatchEvent(new CustomEvent('sm-consent-declined', { bubbles: true, composed: true }));
  }

  private accept() {
    this.accepted = true;
    this.dispatchEvent(new CustomEvent('sm-consent-accepted', { bubbles: true, composed: true }));
  }

  render() {
    return html`<div class="card">
      <h2 id="consent-title" tabindex="-1">${translate(this.lang, 'frame.consent.title')}</h2>
      <p class="notice" role="note">${translate(this.lang, 'frame.notForEmergencies')}</p>
      <p>${this.text}</p>
      <div class="actions">
        <button ?disabled=${this.busy || this.accepted} @click=${this.accept}>${translate(this.lang, 'frame.consent.accept')}</button>
        <button class="secondary" ?disabled=${this.busy} @click=${this.decline}>${translate(this.lang, 'frame.consent.decline')}</button>
      </div>
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
    'sm-consent-declined': CustomEvent<void>;
  }
}
