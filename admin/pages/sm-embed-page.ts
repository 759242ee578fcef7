/** @summary The exact snippet to paste into the clinic's website, with a live preview of it. */
import { html } from 'lit';
import { state } from 'lit/decorators.js';
import { defineOnce } from '../../shared/define-once.js';
import type { Lang } from '../../shared/lang.js';
import { AdminPage } from '../admin-page.js';

const WIDGETS = ['sm-messages', 'sm-questionnaire', 'sm-booking'] as const;

/** The snippet for one widget; the script tag is the same for all of them. */
export function embedSnippet(origin: string, widget: (typeof WIDGETS)[number], clinic: string, lang: Lang): string {
  return `<script src="${origin}/widget.js" async></script>\n<${widget} clinic="${clinic}" lang="${lang}"></${widget}>`;
}

export class SmEmbedPage extends AdminPage {
  @state() private widget: (typeof WIDGETS)[number] = 'sm-messages';
  @state() private widgetLang: Lang = 'en';
  @state() private copied = false;

  connectedCallback(): void {
    super.connectedCallback();
    // The preview runs the real loader, exactly as the clinic's site will.
    if (!document.querySelector('script[src="/widget.js"]')) {
      const script = document.createElement('script');
      script.src = '/widget.js';
      script.async = true;
      document.head.append(script);
    }
  }

  private get snippet() {
    return embedSnippet(location.origin, this.widget, this.me.clinic.slug, this.widgetLang);
  }

  private async copy() {
    await navigator.clipboard.writeText(this.snippet).catch(() => undefined);
    this.copied = true;
  }

  private preview() {
    const clinic = this.me.clinic.slug;
    switch (this.widget) {
      case 'sm-messages':
        return html`<sm-messages clinic=${clinic} lang=${this.widgetLang}></sm-messages>`;
      case 'sm-questionnaire':
        return html`<sm-questionnaire clinic=${clinic} lang=${this.widgetLang}></sm-questionnaire>`;
      case 'sm-booking':
        return html`<sm-booking clinic=${clinic} lang=${this.widgetLang}></sm-booking>`;
    }
  }

  render() {
    return html`<h1>${this.t('admin.embed.title')}</h1>
      <p>${this.t('admin.embed.intro')}</p>
      <div class="panel">
        <form class="inline" @submit=${(e: Event) => e.preventDefault()}>
          <label>${this.t('admin.embed.element')}
            <select @change=${(e: Event) => ((this.widget = (e.target as HTMLSelectElement).value as typeof this.widget), (this.copied = false))}>
              ${WIDGETS.map((w) => html`<option value=${w} ?selected=${w === this.widget}>&lt;${w}&gt;</option>`)}
            </select>
          </label>
          <label>${this.t('admin.embed.lang')}
            <select @change=${(e: Event) => ((this.widgetLang = (e.target as HTMLSelectElement).value as Lang), (this.copied = false))}>
              <option value="en" ?selected=${this.widgetLang === 'en'}>English</option>
              <option value="fr" lang="fr" ?selected=${this.widgetLang === 'fr'}>Français</option>
            </select>
          </label>
        </form>
        <h2 id="snippet-title">${this.t('admin.embed.snippet')}</h2>
        <pre aria-labelledby="snippet-title" data-testid="snippet"><code>${this.snippet}</code></pre>
        <button @click=${this.copy}>${this.t(this.copied ? 'admin.embed.copied' : 'admin.embed.copy')}</button>
      </div>
      <section class="panel" aria-labelledby="preview-title">
        <h2 id="preview-title">${this.t('admin.embed.preview')}</h2>
        ${this.preview()}
      </section>`;
  }
}

defineOnce('sm-embed-page', SmEmbedPage);

declare global {
  interface HTMLElementTagNameMap {
    'sm-embed-page': SmEmbedPage;
  }
}
