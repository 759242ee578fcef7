/**
 * @summary A staff-only flag on a conversation whose patient sent a message past the widget's
 * emergency notice ("It is not an emergency: send"). Renders nothing when there is no override.
 * `detailed` adds when it happened (the conversation page); without it, a short badge (inbox rows).
 * @csspart flag - the badge.
 */
import { LitElement, css, html, nothing } from 'lit';
import { property } from 'lit/decorators.js';
import { defineOnce } from '../shared/define-once.js';
import { translate } from '../shared/i18n-all.js';
import { formatDateTime } from '../shared/intl.js';
import type { Lang } from '../shared/lang.js';

export class SmEmergencyFlag extends LitElement {
  static styles = css`
    :host {
      display: inline;
    }
    .flag {
      display: inline-block;
      margin-inline-start: 0.5rem;
      padding: 0 0.5rem;
      border: 2px solid #b3261e;
      border-radius: 1rem;
      color: #8c1d18;
      background: #fff;
      font-weight: 700;
      font-size: 0.85em;
    }
    p {
      margin: 0 0 1rem;
    }
  `;

  @property() lang: Lang = 'en';
  /** When the patient last sent past the emergency notice; null/undefined: nothing to flag. */
  @property({ attribute: false }) at: string | null | undefined = null;
  /** Also say when it happened, in a sentence (the conversation page). */
  @property({ type: Boolean }) detailed = false;

  render() {
    if (!this.at) return nothing;
    const badge = html`<span class="flag" part="flag">${translate(this.lang, 'admin.thread.emergencyOverride')}</span>`;
    if (!this.detailed) return badge;
    return html`<p>${badge} ${translate(this.lang, 'admin.thread.emergencyOverrideAt', { when: formatDateTime(this.lang, this.at) })}</p>`;
  }
}

defineOnce('sm-emergency-flag', SmEmergencyFlag);

declare global {
  interface HTMLElementTagNameMap {
    'sm-emergency-flag': SmEmergencyFlag;
  }
}
