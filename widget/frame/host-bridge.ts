/**
 * The frame's side of the conversation with the embed loader: reports its height, forwards event
 * names, and takes the host's theme. Posts only to the embedding page's own origin, never to '*'.
 */
import { EVENT_NAME, THEME_VARS, type FrameToHost, type ThemeMessage } from '../protocol.js';
import { applyReadableColors } from './contrast.js';

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

/** Messages to and from the host page. */
export class HostBridge {
  #observer: ResizeObserver | null = null;

  constructor(
    private readonly hostOrigin: string | null,
    private readonly win: Window = window,
  ) {}

  /** Posts to the host, if there is a verified one. */
  post(message: FrameToHost): void {
    if (this.hostOrigin) this.win.parent.postMessage(message, this.hostOrigin);
  }

  /** Re-fires an `sm-*` event on the host element, by name only. */
  emit(name: string): void {
    if (EVENT_NAME.test(name)) this.post({ type: 'sm:event', name });
  }

  /** Keeps the host's iframe as tall as our content. */
  reportSize(el: HTMLElement): void {
    this.#observer?.disconnect();
    this.#observer = new ResizeObserver(() => this.post({ type: 'sm:resize', height: Math.ceil(el.getBoundingClientRect().height) }));
    this.#observer.observe(el);
  }

  /** Applies the host's theme to `root` whenever the host sends it; asks for it once. */
  acceptTheme(root: HTMLElement): void {
    this.win.addEventListener('message', (event: MessageEvent) => {
      if (!this.hostOrigin || event.origin !== this.hostOrigin || event.source !== this.win.parent) return;
      const data = event.data as ThemeMessage;
      if (data?.type !== 'sm:theme') return;
      for (const name of THEME_VARS) {
        const value = data.vars?.[name];
        if (isSafeCssValue(value)) root.style.setProperty(name, value);
      }
      if (isSafeCssValue(data.fontFamily)) root.style.setProperty('--sm-font-family', data.fontFamily);
      applyReadableColors(root);
    });
    this.post({ type: 'sm:ready' });
  }
}
