/**
 * The thin element a clinic puts on its page. It shows nothing itself: it renders an iframe from
 * our origin, where all health information lives, sizes it to its content, passes the host's theme
 * in, and re-fires the frame's events (names only) on itself. Subclassed once per widget.
 */
import { normalizeLang } from '../shared/lang.js';
import { loaderStrings } from '../shared/i18n-loader.js';
import { EVENT_NAME, THEME_VARS, type FrameToHost, type ThemeMessage } from './protocol.js';

/**
 * Our origin: where this script was loaded from. As a classic script (the built widget.js) that is
 * document.currentScript, read while the script first runs (or its tag, if loaded as a module);
 * in tests, import.meta.url.
 */
const FRAME_ORIGIN = new URL(
  (document.currentScript as HTMLScriptElement | null)?.src || document.querySelector<HTMLScriptElement>('script[src$="/widget.js"]')?.src || import.meta.url,
).origin;

/** The views a frame can show. */
export type FrameView = 'messages' | 'questionnaire' | 'booking';

const STYLE = ':host{display:block}iframe{display:block;width:100%;height:12rem;border:0;color-scheme:normal}[part=error]{margin:0;padding:.75rem;border:2px solid #b3261e;border-radius:4px;color:#1f2933;background:#fff}';

/** Why an embed cannot show: the codes of its `sm-error` event. */
export type EmbedErrorCode = 'unknown_clinic' | 'origin_not_allowed';

/**
 * Base class of the three embed elements.
 * @attr clinic - the clinic's slug (required).
 * @attr lang - "en" or "fr"; defaults to the page's language.
 * @csspart frame - the iframe.
 * @csspart error - the sentence shown instead of the frame when the clinic is unknown or this site is not allowed.
 * @fires sm-error - detail `{ code: 'unknown_clinic' | 'origin_not_allowed' }`: the widget cannot show here (for the webmaster; no health information).
 * @cssproperty --sm-accent - accent colour (and the other --sm-* theme properties, passed into the frame).
 */
export abstract class FrameHost extends HTMLElement {
  static observedAttributes = ['clinic', 'lang'];
  protected abstract readonly view: FrameView;
  /** Attributes a view passes on to its frame as they are (ids; e.g. <sm-booking type provider>). */
  protected readonly passedOn: readonly string[] = [];
  #frame: HTMLIFrameElement | null = null;
  readonly #onMessage = (event: MessageEvent) => this.#receive(event);

  connectedCallback(): void {
    window.addEventListener('message', this.#onMessage);
    this.#render();
  }

  disconnectedCallback(): void {
    window.removeEventListener('message', this.#onMessage);
  }

  attributeChangedCallback(): void {
    if (this.isConnected) this.#render();
  }

  /** The language the widget shows: its own lang attribute, else the nearest one on the page. */
  get language(): 'en' | 'fr' {
    return normalizeLang(this.getAttribute('lang') || this.parentElement?.closest('[lang]')?.getAttribute('lang') || document.documentElement.lang);
  }

  #render(): void {
    const clinic = this.getAttribute('clinic');
    const root = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
    if (!clinic) {
      root.textContent = '';
      return;
    }
    const extra = this.passedOn.flatMap((name) => (this.getAttribute(name) ? [[name, this.getAttribute(name)!]] : []));
    const src = `${FRAME_ORIGIN}/frame/${this.view}?${new URLSearchParams([['clinic', clinic], ['lang', this.language], ['host', location.origin], ...extra])}`;
    if (this.#frame?.src === src) return;
    const style = document.createElement('style');
    style.textContent = STYLE;
    const frame = document.createElement('iframe');
    frame.setAttribute('part', 'frame');
    frame.title = loaderStrings[this.language][`loader.frameTitle.${this.view}`];
    frame.referrerPolicy = 'no-referrer';
    // The frame may not navigate the clinic's page; it keeps its own origin for its storage and API calls.
    frame.setAttribute('sandbox', 'allow-scripts allow-same-origin allow-forms allow-downloads allow-popups allow-popups-to-escape-sandbox');
    frame.src = src;
    root.replaceChildren(style, frame);
    this.#frame = frame;
    void this.#checkAllowed(clinic, frame);
  }

  /**
   * Asks (in parallel with the frame) whether this page may show the clinic's widget: the browser
   * would only show its own "refused to connect" box. A network failure says nothing (the frame
   * itself handles being offline).
   */
  async #checkAllowed(clinic: string, frame: HTMLIFrameElement): Promise<void> {
    const url = `${FRAME_ORIGIN}/api/public/clinics/${encodeURIComponent(clinic)}/embed?origin=${encodeURIComponent(location.origin)}`;
    const answer = await fetch(url, { credentials: 'omit' }).then(async (r) => ({ status: r.status, body: (await r.json()) as { allowed?: boolean; code?: string } }), () => null).catch(() => null);
    if (!answer || this.#frame !== frame) return;
    const code: EmbedErrorCode | null = answer.status === 404 && answer.body.code === 'not_found' ? 'unknown_clinic' : answer.status === 200 && answer.body.allowed === false ? 'origin_not_allowed' : null;
    if (!code) return;
    const message = document.createElement('p');
    message.setAttribute('part', 'error');
    message.setAttribute('role', 'alert');
    message.textContent = loaderStrings[this.language][`loader.error.${code}`].replace('{origin}', location.origin);
    this.shadowRoot?.replaceChildren(this.shadowRoot.firstChild!, message);
    this.#frame = null;
    this.dispatchEvent(new CustomEvent('sm-error', { bubbles: true, composed: true, detail: { code } }));
  }

  #receive(event: MessageEvent): void {
    const frame = this.#frame;
    if (!frame || event.origin !== FRAME_ORIGIN || event.source !== frame.contentWindow) return;
    const data = event.data as FrameToHost;
    if (data?.type === 'sm:resize' && Number.isFinite(data.height)) {
      frame.style.height = `${Math.max(0, Math.min(Math.ceil(data.height), 20000))}px`;
    } else if (data?.type === 'sm:ready') {
      frame.contentWindow?.postMessage(this.#theme(), FRAME_ORIGIN);
    } else if (data?.type === 'sm:event' && EVENT_NAME.test(data.name)) {
      this.dispatchEvent(new CustomEvent(data.name, { bubbles: true, composed: true }));
    }
  }

  #theme(): ThemeMessage {
    const computed = getComputedStyle(this);
    const vars: Record<string, string> = {};
    for (const name of THEME_VARS) {
      const value = computed.getPropertyValue(name).trim();
      if (value) vars[name] = value;
    }
    return { type: 'sm:theme', vars, fontFamily: computed.fontFamily };
  }
}
