/**
 * The text of the frame's booking view: the patient side (shared/i18n.ts) plus the files only that
 * view shows, which load with the view rather than with the frame. A catalog file only this view
 * shows goes in `BOOKING_VIEW_SIDE`.
 */
import type { Lang } from './lang.js';
import { translator, type KeysOf } from './i18n-core.js';
import { PATIENT_SIDE } from './i18n.js';
import { bookingStrings } from './i18n-booking.js';

/** The catalog files only the booking view shows (staff screens get them from shared/i18n-all.ts). */
export const BOOKING_VIEW_SIDE = [bookingStrings] as const;

const SIDE = [...PATIENT_SIDE, ...BOOKING_VIEW_SIDE] as const;

/** A key the booking view may show. */
export type MessageKey = KeysOf<typeof SIDE>;

const view = translator(SIDE);

/** The string for `key` in `lang`, with `{name}` placeholders filled from `vars`. */
export const translate: (lang: Lang, key: MessageKey, vars?: Record<string, string | number>) => string = view.translate;

/** The string for `count` (a `.one`/`.other` pair), chosen by the language's plural rules. */
export const translatePlural = view.translatePlural;
