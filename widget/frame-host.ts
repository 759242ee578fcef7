/**
 * The thin element a clinic puts on its page. It shows nothing itself: it renders an iframe from
 * our origin, where all health information lives, sizes it to its content (or, as a launcher, shows
 * it in a dialog behind a floating button), passes the host's theme and language in whenever they
 * change, and re-fires the frame's events on itself with fixed-vocabulary details. Subclassed once per widget.
 */
import { normalizeLang } from '../shared/lang.js';
import { loaderStrings } from '../shared/i18n-loader.js';
import { FRAME_EVENTS, type EmbedErrorCode, type FrameView, type SmEmbedEventMap } from './events.js';
import { THEME_VARS, type FrameToHost, type HostToFrame, type ThemeMessage } from './protocol.js';

/**
 * Our origin: where this script was loaded from. As a classic script (the built widget.js) that is
 * document.currentScript, read while the script first runs (or its tag, if loaded as a module);
 * in tests, import.meta.url.
 */
const FRAME_ORIGIN = new URL(
  (document.currentScript as HTMLScriptElement | null)?.src || document.querySelector<HTMLScriptElement>('script[src$="/widget.js"]')?.src || import.meta.url,
).origin;

export type { EmbedErrorCode, FrameView } from './events.js';

const STYLE =
  ':host{display:block;min-height:var(--sm-min-height,18rem)}:host([mode=launcher]){min-height:0}' +
  'iframe{display:block;width:100%;height:var(--sm-min-height,18rem);border:0;color-scheme:normal}' +
  '[part=error]{margin:0;padding:.75rem;border:2px solid #b3261e;border-radius:4px;color:#1f2933;background:#fff}' +
  '[part=launcher]{position:fixed;z-index:2147483000;right:var(--sm-launcher-offset,1.25rem);bottom:var(--sm-launcher-offset,1.25rem);display:flex;gap:.5rem;align-items:center;' +
  'font:inherit;font-weight:600;padding:.7rem 1.2rem;border:2px solid currentColor;border-radius:var(--sm-launcher-radius,2rem);' +
  'background:var(--sm-launcher-background,var(--sm-accent,#00587c));color:var(--sm-launcher-color,var(--sm-accent-contrast,#fff));box-shadow:0 2px 10px #0006;cursor:pointer}' +
  ':focus-visible{outline:3px solid var(--sm-focus,#0b57d0);outline-offset:2px}' +
  '[part=badge]{min-width:1.4em;padding:0 .3em;border-radius:1em;background:var(--sm-launcher-badge-background,#b3261e);color:var(--sm-launcher-badge-color,#fff)}[part=badge]:empty{display:none}' +
  'dialog{position:fixed;inset:auto var(--sm-launcher-offset,1.25rem) calc(var(--sm-launcher-offset,1.25rem) + 4rem) auto;margin:0;padding:0;box-sizing:border-box;' +
  'width:min(26rem,100vw - 2rem);height:min(42rem,100vh - 7rem);max-width:none;max-height:none;flex-direction:column;' +
  'border:1px solid var(--sm-border,#c5ced6);border-radius:var(--sm-radius,8px);background:var(--sm-background,#fff);color:var(--sm-text,#1f2933)}' +
  'dialog[open]{display:flex}dialog::backdrop{background:#0004}dialog iframe{flex:1;height:auto}' +
  '[part=close]{align-self:flex-end;margin:.4rem;font:inherit;padding:.3rem .8rem;border:1px solid currentColor;border-radius:4px;background:none;color:inherit;cursor:pointer}' +
  '@media (max-width:32rem){dialog{inset:0;width:100%;height:100%;border-radius:0}}';

/**
 * Base class of the three embed elements.
 * @attr {string} clinic - the clinic's slug (required).
 * @attr {string} lang - "en" or "fr"; defaults to the page's language. Changing it (attribute or `lang` property) switches the widget's language at once, without reloading it.
 * @prop {string} lang - the `lang` attribute (HTMLElement's own property); set it to switch the widget's language live.
 * @attr {'inline' | 'launcher'} mode - "launcher": a floating button (with an unread badge for messages) that opens the widget in a dialog; otherwise the widget sits in the page.
 * @fires {CustomEvent<SmReadyDetail>} sm-ready - the widget has loaded; detail `{ view }`.
 * @fires {CustomEvent<SmSignedInDetail>} sm-signed-in - the patient signed in (detail `{}`: nothing about who).
 * @fires {CustomEvent<SmSignedOutDetail>} sm-signed-out - the patient signed out, or the session ended (detail `{}`). Sign-in is shared by the clinic's widgets on the page, so every one of them fires it.
 * @fires {CustomEvent<SmMessageSentDetail>} sm-message-sent - a message reached the clinic, once per message; detail `{ kind: 'conversation' | 'reply' }` (no text, no subject).
 * @fires {CustomEvent<SmErrorDetail>} sm-error - the widget cannot show here; detail `{ code: 'unknown_clinic' | 'origin_not_allowed' }` (for the webmaster).
 * @csspart frame - the iframe.
 * @csspart error - the sentence shown instead of the frame when the clinic is unknown or this site is not allowed.
 * @csspart launcher - launcher mode: the floating button.
 * @csspart badge - launcher mode: the unread count on the button (hidden when 0).
 * @csspart dialog - launcher mode: the dialog holding the frame.
 * @csspart close - launcher mode: the dialog's close button.
 * @cssprop --sm-accent - accent colour (buttons, links, the launcher).
 * @cssprop --sm-accent-contrast - text on the accent colour (made readable if it is not).
 * @cssprop --sm-text - text colour.
 * @cssprop --sm-muted - secondary text colour.
 * @cssprop --sm-background - the widget's background (a dark one makes its inputs and controls dark too).
 * @cssprop --sm-surface - the background of cards and inputs.
 * @cssprop --sm-border - border colour.
 * @cssprop --sm-danger - colour of errors and notices.
 * @cssprop --sm-radius - corner radius.
 * @cssprop --sm-font-size - base font size (the element's font family is passed in too).
 * @cssprop --sm-focus - focus ring colour (kept at 3:1 against the background).
 * @cssprop --sm-min-height - height reserved before the widget reports its own, so the page does not jump (default 18rem, about the sign-in screen).
 * @cssprop --sm-launcher-background - the launcher button's background (default: --sm-accent).
 * @cssprop --sm-launcher-color - the launcher button's text (default: black or white, whichever reads better on its background).
 * @cssprop --sm-launcher-radius - the launcher button's corner radius.
 * @cssprop --sm-launcher-offset - the launcher's distance from the bottom-right corner of the window.
 * @cssprop --sm-launcher-badge-background - the unread badge's background.
 * @cssprop --sm-launcher-badge-color - the unread badge's text.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- the interface below only adds typed overloads of an inherited method
export abstract class FrameHost extends HTMLElement {
  static observedAttributes = ['clinic', 'lang', 'mode'];
  protected abstract readonly view: FrameView;
  /** Attributes a view passes on to its frame as they are (ids; e.g. <sm-booking type provider>). */
  protected readonly passedOn: readonly string[] = [];
  #frame: HTMLIFrameElement | null = null;
  /** What the current frame was made for (clinic, mode, passed-on ids): the language changes live. */
  #key = '';
  #ready = false;
  #focusWhenReady = false;
  #unread = 0;
  #theme = '';
  readonly #onMessage = (event: MessageEvent) => this.#receive(event);
  readonly #onThemeChange = () => {
    this.#launcherText();
    this.#sendTheme();
  };
  readonly #observer = new MutationObserver(this.#onThemeChange);
  readonly #dark = matchMedia('(prefers-color-scheme: dark)');

  connectedCallback(): void {
    addEventListener('message', this.#onMessage);
    // The page may restyle itself at any time (a dark-mode switch, a class on <html> or <body>).
    this.#observer.observe(document.documentElement, { attributes: true, subtree: true, attributeFilter: ['class', 'style', 'data-theme'] });
    this.#dark.addEventListener('change', this.#onThemeChange);
    this.#render();
  }

  disconnectedCallback(): void {
    removeEventListener('message', this.#onMessage);
    this.#observer.disconnect();
    this.#dark.removeEventListener('change', this.#onThemeChange);
  }

  attributeChangedCallback(name: string): void {
    if (!this.isConnected) return;
    if (name === 'lang' && this.#frame) {
      this.#post({ type: 'sm:lang', lang: this.language });
      this.#label();
    } else this.#render();
  }

  /** The language the widget shows: its own lang attribute, else the nearest one on the page. */
  get language(): 'en' | 'fr' {
    return normalizeLang(this.getAttribute('lang') || this.parentElement?.closest('[lang]')?.getAttribute('lang') || document.documentElement.lang);
  }

  /** Brings the widget to the patient: opens the launcher's dialog, or scrolls to the widget; focus goes to its current screen's heading. */
  open(): void {
    const frame = this.#frame;
    if (!frame) return;
    const dialog = this.#dialog();
    if (dialog) {
      if (!dialog.open) dialog.showModal();
    } else frame.scrollIntoView({ block: 'nearest' });
    frame.focus();
    if (this.#ready) this.#post({ type: 'sm:focus' });
    else this.#focusWhenReady = true;
  }

  /** Closes the launcher's dialog (focus returns to the launcher button). */
  close(): void {
    this.#dialog()?.close();
  }

  /** Signs the patient out of the clinic's widgets on this page (they share one sign-in). */
  signOut(): void {
    this.#post({ type: 'sm:sign-out' });
  }

  #dialog(): HTMLDialogElement | null {
    return this.#frame?.parentElement instanceof HTMLDialogElement ? this.#frame.parentElement : null;
  }

  #post(message: HostToFrame): void {
    this.#frame?.contentWindow?.postMessage(message, FRAME_ORIGIN);
  }

  #fire<K extends keyof SmEmbedEventMap>(name: K, detail: SmEmbedEventMap[K]['detail']): void {
    this.dispatchEvent(new CustomEvent(name, { bubbles: true, composed: true, detail }));
  }

  #render(): void {
    const clinic = this.getAttribute('clinic');
    const root = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
    if (!clinic) {
      root.textContent = '';
      this.#frame = null;
      return;
    }
    const launcher = this.getAttribute('mode') === 'launcher';
    const extra = this.passedOn.flatMap((name) => (this.getAttribute(name) ? [[name, this.getAttribute(name)!]] : []));
    const key = JSON.stringify([clinic, launcher, extra]);
    if (this.#frame && this.#key === key) return;
    this.#key = key;
    const el = <K extends keyof HTMLElementTagNameMap>(tag: K, part?: string) => {
      const node = document.createElement(tag);
      if (part) node.setAttribute('part', part);
      return node;
    };
    const style = el('style');
    style.textContent = STYLE;
    const frame = el('iframe', 'frame');
    frame.referrerPolicy = 'no-referrer';
    // On a clinic's site the frame may not navigate the clinic's page; it keeps its own origin for its
    // storage and API calls. On our own pages (portal, admin preview) a same-origin frame could lift
    // any sandbox, so none is set (and the browser has nothing to warn about).
    if (location.origin !== FRAME_ORIGIN) frame.setAttribute('sandbox', 'allow-scripts allow-same-origin allow-forms allow-downloads allow-popups allow-popups-to-escape-sandbox');
    frame.src = `${FRAME_ORIGIN}/frame/${this.view}?${new URLSearchParams([['clinic', clinic], ['lang', this.language], ['host', location.origin], ...extra])}`;
    this.#frame = frame;
    this.#ready = false;
    this.#theme = '';
    if (launcher) {
      // The frame loads at once, hidden in the closed dialog: the badge needs it.
      const button = el('button', 'launcher');
      button.setAttribute('aria-haspopup', 'dialog');
      button.append(el('span'), el('span', 'badge'));
      button.lastElementChild!.setAttribute('aria-hidden', 'true');
      button.onclick = () => this.open();
      const close = el('button', 'close');
      const dialog = el('dialog', 'dialog');
      close.onclick = () => dialog.close();
      dialog.append(close, frame);
      dialog.onclose = () => button.focus();
      root.replaceChildren(style);
      this.#later(frame, () => {
        root.append(button, dialog);
        this.#label();
        this.#launcherText();
      });
    } else {
      // The style reserves the widget's height at once; the frame follows in a task of its own.
      root.replaceChildren(style);
      this.#later(frame, () => root.append(frame));
    }
    this.#label();
    this.#later(frame, () => void this.#checkAllowed(clinic, frame));
  }

  /**
   * Runs `step` in a task of its own unless `frame` has been replaced meanwhile. Inserting an iframe
   * costs the host page's main thread tens of milliseconds on a slow phone: one task per step and
   * per widget keeps a page with several embeds free of long tasks (> 50 ms) while it loads.
   */
  #later(frame: HTMLIFrameElement, step: () => void): void {
    setTimeout(() => {
      if (this.#frame === frame) step();
    });
  }

  /** Words everything the loader shows in the widget's language; the launcher says how many messages are unread. */
  #label(): void {
    const t = loaderStrings[this.language];
    const title = t[`loader.frameTitle.${this.view}`];
    this.#frame!.title = title;
    const button = this.shadowRoot!.querySelector('[part=launcher]');
    if (!button) return;
    const name = t[`loader.launcher.${this.view}`];
    const count = this.#unread;
    button.firstElementChild!.textContent = name;
    button.lastElementChild!.textContent = count ? String(count) : '';
    const plural = new Intl.PluralRules(this.language).select(count) === 'one' ? 'one' : 'other';
    button.setAttribute('aria-label', count ? `${name}, ${t[`loader.unread.${plural}`].replace('{n}', String(count))}` : name);
    this.#dialog()!.setAttribute('aria-label', title);
    this.shadowRoot!.querySelector('[part=close]')!.textContent = t['loader.close'];
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
    this.#fire('sm-error', { code });
  }

  #receive(event: MessageEvent): void {
    const frame = this.#frame;
    if (!frame || event.origin !== FRAME_ORIGIN || event.source !== frame.contentWindow) return;
    const data = event.data as FrameToHost;
    if (data?.type === 'sm:resize' && Number.isFinite(data.height)) {
      // In the launcher's dialog the frame fills the dialog and scrolls itself.
      if (!this.#dialog()) frame.style.height = `${Math.max(0, Math.min(Math.ceil(data.height), 20000))}px`;
    } else if (data?.type === 'sm:ready') {
      this.#ready = true;
      this.#sendTheme();
      if (this.#focusWhenReady) this.#post({ type: 'sm:focus' });
      this.#focusWhenReady = false;
      this.#fire('sm-ready', { view: this.view });
    } else if (data?.type === 'sm:escape') {
      this.close();
    } else if (data?.type === 'sm:unread' && Number.isInteger(data.count)) {
      this.#unread = Math.max(0, Math.min(data.count, 999));
      this.#label();
    } else if (data?.type === 'sm:event' && (FRAME_EVENTS as readonly string[]).includes(data.name)) {
      // Details are rebuilt from a fixed vocabulary: nothing else the frame sent reaches the page.
      this.#fire(data.name, data.name === 'sm-message-sent' ? { kind: data.detail?.kind === 'reply' ? 'reply' : 'conversation' } : {});
    }
  }

  /** The launcher's text: black or white, whichever reads better on its background (WCAG), unless the page sets --sm-launcher-color. */
  #launcherText(): void {
    const button = this.shadowRoot?.querySelector<HTMLElement>('[part=launcher]');
    if (!button) return;
    button.style.color = '';
    if (getComputedStyle(this).getPropertyValue('--sm-launcher-color').trim()) return;
    const [r, g, b] = (getComputedStyle(button).backgroundColor.match(/[\d.]+/g) ?? []).map((c) => {
      const s = Number(c) / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    button.style.color = 0.2126 * r! + 0.7152 * g! + 0.0722 * b! > 0.179 ? '#000' : '#fff';
  }

  /** Sends the page's theme to the frame when it differs from what the frame has. */
  #sendTheme(): void {
    if (!this.#ready) return;
    const computed = getComputedStyle(this);
    const vars: Record<string, string> = {};
    for (const name of THEME_VARS) {
      const value = computed.getPropertyValue(name).trim();
      if (value) vars[name] = value;
    }
    const theme: ThemeMessage = { type: 'sm:theme', vars, fontFamily: computed.fontFamily };
    const json = JSON.stringify(theme);
    if (json === this.#theme) return;
    this.#theme = json;
    this.#post(theme);
  }
}

/** Typed listeners for the embed's events: `el.addEventListener('sm-message-sent', (e) => e.detail.kind)`. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the class
export interface FrameHost {
  addEventListener<K extends keyof SmEmbedEventMap>(type: K, listener: (this: FrameHost, event: SmEmbedEventMap[K]) => unknown, options?: boolean | AddEventListenerOptions): void;
  addEventListener(type: string, listener: EventListenerOrEventListenerObject, options?: boolean | AddEventListenerOptions): void;
}
