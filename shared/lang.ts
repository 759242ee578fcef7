/** The languages the product speaks: Ontario means English and French. */
export const LANGS = ['en', 'fr'] as const;

/** One of the supported languages. */
export type Lang = (typeof LANGS)[number];

/** The locale each language is written in (Ontario: Canadian English and French). */
export const LOCALES: Record<Lang, string> = { en: 'en-CA', fr: 'fr-CA' };

/** Maps any BCP 47 tag ("fr-CA", "EN") to a supported language, English when unknown. */
export function normalizeLang(tag: string | null | undefined): Lang {
  const primary = (tag ?? '').trim().toLowerCase().split(/[-_]/)[0];
  return primary === 'fr' ? 'fr' : 'en';
}
