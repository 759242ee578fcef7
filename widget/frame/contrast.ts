/**
 * Keeps the widget readable whatever colours a clinic themes it with (WCAG 2.x): text on the accent
 * colour is black or white, whichever contrasts more; a pale accent is not used for text on the
 * surface; the focus ring reaches 3:1 against the surface and the clinic's background.
 */

type Rgb = [number, number, number];

/** The default ring: 6.4:1 on white. */
export const DEFAULT_FOCUS = '#0b57d0';
const BLACK: Rgb = [0, 0, 0];
const WHITE: Rgb = [255, 255, 255];
const DEFAULT_TEXT = '#1f2933';

/** Any CSS colour as sRGB, resolved by the browser (names, hex, rgb(), hsl()); null if not a colour or transparent. */
export function parseColor(value: string | undefined | null, doc: Document = document): Rgb | null {
  if (!value?.trim()) return null;
  const probe = doc.createElement('span');
  probe.style.color = '';
  probe.style.color = value;
  if (!probe.style.color) return null;
  probe.style.display = 'none';
  doc.body.append(probe);
  const computed = getComputedStyle(probe).color;
  probe.remove();
  const m = /rgba?\(\s*([\d.]+)[ ,]+([\d.]+)[ ,]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?/.exec(computed);
  if (!m) return null;
  if (m[4] !== undefined && parseFloat(m[4]) === 0) return null;
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** WCAG relative luminance. */
export function luminance([r, g, b]: Rgb): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/** WCAG contrast ratio, 1 to 21. */
export function contrast(a: Rgb, b: Rgb): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** Black or white, whichever reads better on `background`. */
export function readableOn(background: Rgb): '#000000' | '#ffffff' {
  return contrast(background, BLACK) >= contrast(background, WHITE) ? '#000000' : '#ffffff';
}

/**
 * Sets the derived colours on `root` from the theme already applied to it: `--sm-accent-contrast`
 * (text on the accent), `--sm-accent-text` (the accent as text on the surface, or the text colour
 * when the accent is too pale), `--sm-focus` and `--sm-focus-halo`.
 */
export function applyReadableColors(root: HTMLElement): void {
  const doc = root.ownerDocument;
  const read = (name: string) => root.style.getPropertyValue(name).trim();
  const surface = parseColor(read('--sm-surface'), doc) ?? WHITE;
  const background = parseColor(read('--sm-background'), doc) ?? WHITE;
  // The embedding page's accent, else the clinic's brand colour (set from its public settings).
  const accent = parseColor(read('--sm-accent') || read('--sm-brand'), doc);
  if (accent) {
    const given = parseColor(read('--sm-accent-contrast'), doc);
    if (!given || contrast(given, accent) < 4.5) root.style.setProperty('--sm-accent-contrast', readableOn(accent));
    if (contrast(accent, surface) < 4.5) {
      const text = parseColor(read('--sm-text'), doc);
      root.style.setProperty('--sm-accent-text', text && contrast(text, surface) >= 4.5 ? read('--sm-text') : readableOn(surface) === '#000000' ? DEFAULT_TEXT : '#ffffff');
    } else root.style.removeProperty('--sm-accent-text');
  }
  // The ring must stand out from what it is drawn on: the surface, and the clinic's background around it.
  const passes = (c: Rgb) => contrast(c, surface) >= 3 && contrast(c, background) >= 3;
  const candidates = [read('--sm-focus'), DEFAULT_FOCUS, '#000000', '#ffffff'].filter(Boolean);
  const chosen = candidates.find((c) => {
    const rgb = parseColor(c, doc);
    return rgb !== null && passes(rgb);
  });
  const focus = chosen ?? (contrast(BLACK, surface) + contrast(BLACK, background) >= contrast(WHITE, surface) + contrast(WHITE, background) ? '#000000' : '#ffffff');
  root.style.setProperty('--sm-focus', focus);
  root.style.setProperty('--sm-focus-halo', readableOn(parseColor(focus, doc)!));
}
