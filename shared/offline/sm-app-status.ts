/**
 * @summary The app's connection and version banners: offline, storage refused by the browser, a new
 * version waiting, or a newer schema opened in another tab. Used by the widget frame and the admin.
 * @fires sm-reload-requested - detail `{ reason: 'update' | 'outdated' }`: the person asked to reload.
 * @csspart banner - each banner.
 */
import { LitElement, html, css, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import { defineOnce } from '../define-once.js';
import { translate } from '../i18n.js';
import type { Lang } from '../lang.js';

export class SmAppStatus extends LitElement {
  static styles = css`
    :host {
      display: block;
    }
    [part='banner'] {
      margin: 0 0 0.5rem;
      display: flex;
      flex-wrap: wrap;
      gap: 0.5rem;
      align-items: center;
      justify-content: space-between;
      padding: 0.5rem 0.75rem;
      border-radius: var(--sm-radius, 8px);
      border: 1px solid var(--sm-warning-border, #8a6d00);
      background: var(--sm-warning-bg, #fff8e1);
      color: var(--sm-text, #1f2933);
    }
    p {
      margin: 0;
    }
    button {
      font: inherit;
      font-weight: 600;
      padding: 0.35rem 0.8rem;
      border-radius: calc(var(--sm-radius, 8px) / 2);
      border: 0;
      background: var(--sm-accent, #00587c);
      color: var(--sm-accent-contrast, #fff);
      cursor: pointer;
    }
    button:focus-visible {
      outline: 3px solid var(--sm-focus, #0b57d0);
      outline-offset: 2px;
      box-shadow: 0 0 0 2px var(--sm-focus-halo, #ffffff);
    }
  `;

  @property() lang: Lang = 'en';
  /** A new deployment is installed and waiting. */
  @property({ type: Boolean }) updateReady = false;
  /** The browser refused on-device storage (private mode, quota, third-party storage blocked). */
  @property({ type: Boolean }) storageProblem = false;
  /** Another tab upgraded the on-device database; this tab must reload. */
  @property({ type: Boolean }) outdated = false;

  @state() private offline = !navigator.onLine;
  readonly #update = () => (this.offline = !navigator.onLine);

  connectedCallback(): void {
    super.connectedCallback();
    addEventListener('online', this.#update);
    addEventListener('offline', this.#update);
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    removeEventListener('online', this.#update);
    removeEventListener('offline', this.#update);
  }

  private reload(reason: 'update' | 'outdated') {
    this.dispatchEvent(new CustomEvent('sm-reload-requested', { detail: { reason }, bubbles: true, composed: true }));
  }

  render() {
    const t = (key: Parameters<typeof translate>[1]) => translate(this.lang, key);
    return html`
      <div role="status">${this.offline ? html`<p part="banner">${t('offline.banner')}</p>` : nothing}</div>
      ${this.storageProblem ? html`<p part="banner" role="note">${t('offline.storage')}</p>` : nothing}
      ${this.outdated
        ? html`<div part="banner" role="alert"><p>${t('offline.outdated')}</p><button @click=${() => this.reload('outdated')}>${t('offline.reload')}</button></div>`
        : this.updateReady
          ? html`<div part="banner" role="status"><p>${t('offline.update')}</p><button @click=${() => this.reload('update')}>${t('offline.reload')}</button></div>`
          : nothing}
    `;
  }
}

defineOnce('sm-app-status', SmAppStatus);

declare global {
  interface HTMLElementTagNameMap {
    'sm-app-status': SmAppStatus;
  }
  interface HTMLElementEventMap {
    'sm-reload-requested': CustomEvent<{ reason: 'update' | 'outdated' }>;
  }
}
