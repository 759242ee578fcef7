/**
 * The frame's side of the conversation with the embed loader: reports its height, forwards events,
 * takes the host's theme (again whenever it changes) and the page's requests (language, sign-out,
 * focus). Posts only to the embedding page's own origin, never to '*'.
 */
import { FRAME_EVENTS, type FrameEventName, type SmMessageSentDetail } from '../events.js';
import { THEME_VARS, type FrameToHost, type HostToFrame, type ThemeMessage } from '../protocol.js';
import { applyReadableColors, luminance, parseColor } from './contrast.js';

/** Theme values are CSS tokens: no url() (nothing fetched), no blocks or declarations smuggled in. */
export function isSafeCssValue(value: unknown): value is string {
  return typeof value === 'string' && /^[^;{}<>\\]{1,100}$/.test(value) && !/url\s*\(|image-set|@import/i.test(value);
}

/** The embedding page's origin, if we are framed by the page named in `host`, else null. */
export function hostOriginOf(hostParam: string | null, win: Window = window): string | null {
  if (!hostParam || win.parent === win) return null;
  let origin: string;
  try {
    origin = new URL(hostParam).origin;
  } catch {
    return null;
  }
  if (origin !== hostParam) return null;
  // Where the browser tells us who embeds us (Chromium, Safari), it must agree.
  const ancestors = (win.location as Location & { ancestorOrigins?: DOMStringList }).ancestorOrigins;
  if (ancestors && ancestors.length > 0 && ancestors[0] !== origin) return null;
  return origin;
}

/**
 * Applies the host's theme to `root`: sets what it sent, drops what it no longer sends, keeps the
 * derived colours readable, and gives a dark background dark inputs and controls (color-scheme).
 */
export function applyTheme(root: HTMLElement, theme: ThemeMessage): void {
  for (const name of THEME_VARS) {
    const value = theme.vars?.[name];
    if (isSafeCssValue(value)) root.style.setProperty(name, value);
    else root.style.removeProperty(name);
  }
  if (isSafeCssValue(theme.fontFamily)) root.style.setProperty('--sm-font-family', theme.fontFamily);
  applyReadableColors(root);
  const background = parseColor(root.style.getPropertyValue('--sm-background'), root.ownerDocument) ?? parseColor(root.style.getPropertyValue('--sm-surface'), root.ownerDocument);
  root.style.colorScheme = background && luminance(background) < 0.2 ? 'dark' : 'light';
}

/** What the host page may ask of the frame. */
export interface HostRequests {
  lang(lang: 'en' | 'fr'): void;
  signOut(): void;
  focus(): void;
}

/** Messages to and from the host page. */
export class HostBridge {
  #observer: ResizeObserver | null = null;
  #unread = 0;

  constructor(
    private readonly hostOrigin: string | null,
    private readonly win: Window = window,
  ) {}

  /** Posts to the host, if there is a verified one. */
  post(message: FrameToHost): void {
    if (this.hostOrigin) this.win.parent.postMessage(message, this.hostOrigin);
  }

  /** Re-fires one of the embed's events on the host element (the loader keeps only a fixed vocabulary of its detail). */
  emit(name: FrameEventName, detail?: SmMessageSentDetail): void {
    if (FRAME_EVENTS.includes(name)) this.post({ type: 'sm:event', name, ...(detail ? { detail } : {}) });
  }

  /** Tells the host how many messages are unread (a count, for the launcher's badge), when it changes. */
  reportUnread(count: number): void {
    if (count === this.#unread) return;
    this.#unread = count;
    this.post({ type: 'sm:unread', count });
  }

  /** Keeps the host's iframe as tall as our content. */
  reportSize(el: HTMLElement): void {
    this.#observer?.disconnect();
    this.#observer = new ResizeObserver(() => this.post({ type: 'sm:resize', height: Math.ceil(el.getBoundingClientRect().height) }));
    this.#observer.observe(el);
  }

  /** Applies the host's theme to `root` whenever the host sends it, and passes on its requests; asks for the theme once. */
  listen(root: HTMLElement, requests: HostRequests): void {
    this.win.addEventListener('message', (event: MessageEvent) => {
      if (!this.hostOrigin || event.origin !== this.hostOrigin || event.source !== this.win.parent) return;
      const data = event.data as HostToFrame;
      if (data?.type === 'sm:theme') applyTheme(root, data);
      else if (data?.type === 'sm:lang' && (data.lang === 'en' || data.lang === 'fr')) requests.lang(data.lang);
      else if (data?.type === 'sm:sign-out') requests.signOut();
      else if (data?.type === 'sm:focus') requests.focus();
    });
    // Escape in the frame is the frame's own key event: the launcher's dialog on the page hears of it only through us.
    this.win.document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && !event.defaultPrevented) this.post({ type: 'sm:escape' });
    });
    this.post({ type: 'sm:ready' });
  }
}
