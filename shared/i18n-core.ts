/**
 * How the catalogs are put together: each catalog file exports `{ en, fr }`, a side (patient frame
 * or everything) lists its files, and `translator` merges them into lookups typed by their keys.
 * Separate sides let the frame bundle only the text it shows.
 */
import { LOCALES, type Lang } from './lang.js';

/** One catalog file: English strings, and French typed against the English keys. */
export interface Strings {
  readonly en: Readonly<Record<string, string>>;
  readonly fr: Readonly<Record<string, string>>;
}

/** Every key of a list of catalog files. */
export type KeysOf<P extends readonly Strings[]> = P[number] extends infer S ? (S extends { en: infer E } ? keyof E & string : never) : never;

/** The base of keys that come as a `.one` and an `.other` pair (`All` keeps the whole union while `K` distributes). */
export type PluralBase<K extends string, All extends string = K> = K extends `${infer B}.one` ? (`${B}.other` extends All ? B : never) : never;

/** `template` with its `{name}` placeholders filled from `vars`; unknown ones stay visible. */
export function fill(template: string, vars: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}

/** Lookups over the merged catalog files of one side. */
export function translator<P extends readonly Strings[]>(parts: P) {
  type K = KeysOf<P>;
  const catalogs = {
    en: Object.assign({}, ...parts.map((p) => p.en)) as Record<K, string>,
    fr: Object.assign({}, ...parts.map((p) => p.fr)) as Record<K, string>,
  };
  const translate = (lang: Lang, key: K, vars: Record<string, string | number> = {}): string => fill(catalogs[lang][key], vars);
  return {
    translate,
    translatePlural(lang: Lang, base: PluralBase<K>, count: number, vars: Record<string, string | number> = {}): string {
      const form = new Intl.PluralRules(LOCALES[lang]).select(count) === 'one' ? 'one' : 'other';
      return translate(lang, `${base}.${form}` as K, { count: new Intl.NumberFormat(LOCALES[lang]).format(count), ...vars });
    },
    catalog: (lang: Lang): Readonly<Record<K, string>> => catalogs[lang],
  };
}
