/**
 * Every string: the patient side (shared/i18n.ts), the frame views' files, and what only staff see
 * or the server sends. The admin SPA and the server use this module; the frame must not (lint), so
 * its bundle carries none of the staff text. A catalog file the frame never shows goes in `ADMIN_SIDE`.
 */
import type { Lang } from './lang.js';
import { translator, type KeysOf } from './i18n-core.js';
import { PATIENT_SIDE } from './i18n.js';
import { BOOKING_VIEW_SIDE } from './i18n-booking-view.js';
import { QUESTIONNAIRE_VIEW_SIDE } from './i18n-questionnaire-view.js';
import { adminStrings } from './i18n-admin.js';
import { loaderStrings } from './i18n-loader.js';
import { calendarStrings } from './i18n-calendar.js';
import { smsStrings } from './i18n-sms.js';
import { questionnaireScheduleStrings } from './i18n-questionnaire-schedules.js';
import { questionnaireBuilderStrings } from './i18n-questionnaire-builder.js';
import { questionnaireResponseStrings } from './i18n-questionnaire-responses.js';

/** The catalog files only staff screens, e-mails and texts use. */
export const ADMIN_SIDE = [
  adminStrings,
  loaderStrings,
  calendarStrings,
  smsStrings,
  questionnaireScheduleStrings,
  questionnaireBuilderStrings,
  questionnaireResponseStrings,
] as const;

const ALL = [...PATIENT_SIDE, ...BOOKING_VIEW_SIDE, ...QUESTIONNAIRE_VIEW_SIDE, ...ADMIN_SIDE] as const;

/** A key of the whole catalog (patient side included). */
export type MessageKey = KeysOf<typeof ALL>;

const all = translator(ALL);

/** The string for `key` in `lang`, with `{name}` placeholders filled from `vars`. */
export const translate: (lang: Lang, key: MessageKey, vars?: Record<string, string | number>) => string = all.translate;

/** The string for `count` (a `.one`/`.other` pair), chosen by the language's plural rules; `{count}` formatted. */
export const translatePlural = all.translatePlural;

/** The whole catalog for one language, for completeness checks. */
export const catalog: (lang: Lang) => Readonly<Record<MessageKey, string>> = all.catalog;
