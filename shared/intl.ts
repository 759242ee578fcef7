/**
 * Numbers, plurals, dates and durations in the reader's language, through the browser's Intl: one
 * clock style per language (12-hour in English, 24-hour in French), never seconds, and times in the
 * clinic's time zone, naming the zone when it is not the reader's own.
 */
import { LOCALES, type Lang } from './lang.js';

export { LOCALES } from './lang.js';
/** Plurals of patient-side keys; staff screens take `translatePlural` from shared/i18n-all.ts. */
export { translatePlural } from './i18n.js';

/**
 * An Intl.DateTimeFormat for a locale and options. Making one loads ICU data (about 0.1 ms each, three
 * per inbox row before); once made it never changes, so one of each is kept and reused.
 */
const dateFormats = new Map<string, Intl.DateTimeFormat>();
function dateTimeFormat(locale: string | undefined, options: Intl.DateTimeFormatOptions = {}): Intl.DateTimeFormat {
  const key = `${locale ?? ''}|${JSON.stringify(options)}`;
  let format = dateFormats.get(key);
  if (!format) dateFormats.set(key, (format = new Intl.DateTimeFormat(locale, options)));
  return format;
}

/** A number with the language's grouping ("1,200" / "1 200"). */
export function formatNumber(lang: Lang, n: number): string {
  return new Intl.NumberFormat(LOCALES[lang]).format(n);
}

/** A size in megabytes with its unit ("10 MB" / "10 Mo"). */
export function formatMegabytes(lang: Lang, mb: number): string {
  return new Intl.NumberFormat(LOCALES[lang], { style: 'unit', unit: 'megabyte' }).format(mb);
}

/** The reader's own time zone, as the browser reports it. */
function readerTimeZone(): string | undefined {
  try {
    return dateTimeFormat(undefined).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** " EST" / " HNE" when `timeZone` is not the reader's own zone, else "" (said apart: with it, ICU pads French hours to "09 h"). */
function zoneSuffix(lang: Lang, date: Date, timeZone?: string): string {
  if (timeZone === undefined || timeZone === readerTimeZone()) return '';
  const zone = dateTimeFormat(LOCALES[lang], { timeZone, timeZoneName: 'short' }).formatToParts(date).find((p) => p.type === 'timeZoneName');
  return zone ? ` ${zone.value}` : '';
}

/** Date parts and a time without seconds, one clock style per language, in `timeZone`; the zone is named when it is not the reader's. */
function withClock(lang: Lang, when: string | number | Date, dateParts: Intl.DateTimeFormatOptions, timeZone?: string): string {
  const date = new Date(when);
  const text = dateTimeFormat(LOCALES[lang], { ...dateParts, hour: 'numeric', minute: '2-digit', hourCycle: lang === 'fr' ? 'h23' : 'h12', ...(timeZone ? { timeZone } : {}) }).format(date);
  return text + zoneSuffix(lang, date, timeZone);
}

/** Day, date and time without seconds, in `timeZone` (the clinic's); the zone is named when it is not the reader's. */
export function formatDateTime(lang: Lang, when: string | number | Date, timeZone?: string): string {
  return withClock(lang, when, { weekday: 'long', day: 'numeric', month: 'long' }, timeZone);
}

/** A short date and time for a message's line ("Nov. 30, 9:05 a.m." / "30 nov., 9 h 05"), same clock rules. */
export function formatShortDateTime(lang: Lang, when: string | number | Date, timeZone?: string): string {
  return withClock(lang, when, { day: 'numeric', month: 'short' }, timeZone);
}

/** A date without time ("Nov. 30, 2026" / "30 nov. 2026"). */
export function formatDate(lang: Lang, when: string | number | Date, timeZone?: string): string {
  return dateTimeFormat(LOCALES[lang], { day: 'numeric', month: 'short', year: 'numeric', ...(timeZone ? { timeZone } : {}) }).format(new Date(when));
}

/** A wall-clock time "HH:MM" (a clinic's hours) in the language's clock style ("9:00 a.m." / "9 h 00"). */
export function formatClock(lang: Lang, hhmm: string): string {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return dateTimeFormat(LOCALES[lang], { hour: 'numeric', minute: '2-digit', hourCycle: lang === 'fr' ? 'h23' : 'h12', timeZone: 'UTC' }).format(Date.UTC(2000, 0, 1, h, m));
}

/** A wait from now, in the largest sensible unit, rounded up ("in 5 minutes" / "dans 5 minutes"). */
export function formatIn(lang: Lang, seconds: number): string {
  const rtf = new Intl.RelativeTimeFormat(LOCALES[lang], { numeric: 'auto' });
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 60) return rtf.format(s, 'second');
  if (s < 3600) return rtf.format(Math.ceil(s / 60), 'minute');
  if (s < 86400) return rtf.format(Math.ceil(s / 3600), 'hour');
  return rtf.format(Math.ceil(s / 86400), 'day');
}

/** A sentence whose last word was an abbreviation ("a.m.") does not end with two periods. */
export function sentence(text: string): string {
  return text.replace(/\.\.(?=\s|$)/g, '.');
}
