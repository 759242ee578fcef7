/**
 * Refusals in the reader's language: every code a patient (or staff) route can answer with is worded
 * from the catalog, with its parameters (limits, sizes, instants, waits) formatted through Intl. The
 * server's English `message` is for logs and API users; it is never shown. Unknown codes get a
 * generic sentence.
 */
import type { ErrorParams } from './api.js';
import { ApiError } from './fetch-json.js';
import { translate, type MessageKey } from './i18n.js';
import { formatClock, formatDateTime, formatIn, formatMegabytes, formatNumber, sentence, translatePlural } from './intl.js';
import type { Lang } from './lang.js';

/** What a refusal is made of: its stable code and, for some codes, parameters. */
export interface Refusal {
  code: string;
  params?: ErrorParams | undefined;
}

/** How to word instants: in the clinic's time zone. */
export interface WordingOptions {
  timeZone?: string | undefined;
}

type Wording = (lang: Lang, p: ErrorParams, o: WordingOptions) => string;

const num = (p: ErrorParams, name: string): number | null => (typeof p[name] === 'number' && Number.isFinite(p[name]) ? (p[name] as number) : null);
const instant = (p: ErrorParams, name: string): string | null => (typeof p[name] === 'string' && !Number.isNaN(Date.parse(p[name] as string)) ? (p[name] as string) : null);
const plain = (key: MessageKey): Wording => (lang) => translate(lang, key);

/** The wording of each code; codes that need no parameters point at one catalog string. */
const WORDINGS: Record<string, Wording> = {
  subject_required: plain('error.subject_required'),
  unknown_category: plain('error.unknown_category'),
  unknown_staff: plain('error.unknown_staff'),
  category_required: plain('error.category_required'),
  empty_message: plain('error.empty_message'),
  new_threads_closed: plain('error.new_threads_closed'),
  replies_not_allowed: plain('error.replies_not_allowed'),
  thread_closed: plain('error.thread_closed'),
  consent_required: plain('error.consent_required'),
  unsupported_file: plain('error.unsupported_file'),
  empty_file: plain('error.empty_file'),
  file_missing: plain('error.upload_failed'),
  multipart_required: plain('error.upload_failed'),
  attachment_used: plain('error.attachment_used'),
  id_conflict: plain('error.id_conflict'),
  not_found: plain('error.not_found'),
  invalid_request: plain('error.invalid_request'),
  invalid_cursor: plain('error.invalid_cursor'),
  invalid_date_of_birth: plain('error.invalid_date_of_birth'),
  invalid_characters: plain('error.invalid_request'),
  bad_request: plain('error.invalid_request'),
  bad_origin: plain('error.invalid_request'),
  conflict: plain('error.conflict'),
  forbidden: plain('error.forbidden'),
  unauthenticated: plain('error.unauthenticated'),
  storage_unavailable: plain('error.storage_unavailable'),
  too_many_streams: plain('error.too_many_streams'),
  invalid_code: plain('frame.signIn.failed'),
  code_locked: plain('frame.signIn.locked'),
  code_expired: plain('frame.signIn.expired'),
  network: plain('common.offline'),
  files_offline: plain('outbox.noFilesOffline'),
  // The messaging rules form (shared/messaging-settings-rules.ts): shown at the field they name.
  invalid_time_zone: plain('error.invalid_time_zone'),
  time_required: plain('error.time_required'),
  ranges_overlap: plain('error.ranges_overlap'),
  date_required: plain('error.date_required'),
  duplicate_closure: plain('error.duplicate_closure'),
  categories_required: plain('error.categories_required'),
  invalid_category_id: plain('error.invalid_category_id'),
  text_required: plain('error.text_required'),
  emergency_notice_required: plain('error.emergency_notice_required'),
  duplicate_category: (lang, p) => translate(lang, 'error.duplicate_category', { id: typeof p.id === 'string' ? p.id : '' }),
  range_end_before_start: (lang, p) => {
    const clock = (name: string) => (typeof p[name] === 'string' && /^\d{2}:\d{2}$/.test(p[name] as string) ? formatClock(lang, p[name] as string) : '—');
    return sentence(translate(lang, 'error.range_end_before_start', { start: clock('start'), end: clock('end') }));
  },
  number_out_of_range: (lang, p) => {
    const min = num(p, 'min');
    const max = num(p, 'max');
    return min !== null && max !== null ? translate(lang, 'error.number_out_of_range', { min: formatNumber(lang, min), max: formatNumber(lang, max) }) : translate(lang, 'error.invalid_request');
  },
  weekly_quota: (lang, p, o) => {
    const limit = num(p, 'limit');
    const resetsAt = instant(p, 'resetsAt');
    const first = limit !== null ? translatePlural(lang, 'error.weekly_quota', limit) : translate(lang, 'error.weekly_quota.unknown');
    return resetsAt ? `${first} ${sentence(translate(lang, 'error.weekly_quota.next', { when: formatDateTime(lang, resetsAt, o.timeZone) }))}` : first;
  },
  outside_hours: (lang, p, o) => {
    const next = instant(p, 'nextOpening');
    return next ? sentence(translate(lang, 'error.outside_hours.next', { when: formatDateTime(lang, next, o.timeZone) })) : translate(lang, 'error.outside_hours');
  },
  too_long: (lang, p) => {
    const max = num(p, 'max');
    const chars = num(p, 'chars');
    return max !== null && chars !== null ? translatePlural(lang, 'error.too_long', max, { length: formatNumber(lang, chars) }) : translate(lang, 'msg.overLimit');
  },
  too_many_words: (lang, p) => {
    const max = num(p, 'max');
    const words = num(p, 'words');
    return max !== null && words !== null ? translatePlural(lang, 'error.too_many_words', max, { length: formatNumber(lang, words) }) : translate(lang, 'msg.overLimit');
  },
  file_too_large: (lang, p) => {
    const mb = num(p, 'maxMb');
    return mb !== null ? translate(lang, 'error.file_too_large', { size: formatMegabytes(lang, mb) }) : translate(lang, 'error.file_too_large.unknown');
  },
  upload_quota: (lang, p) => {
    const files = num(p, 'files');
    const mb = num(p, 'maxMb');
    return files !== null && mb !== null ? translatePlural(lang, 'error.upload_quota', files, { size: formatMegabytes(lang, mb) }) : translate(lang, 'error.upload_quota.unknown');
  },
  unknown_placeholder: (lang, p) => translate(lang, 'error.unknown_placeholder', { name: typeof p.name === 'string' ? p.name : '' }),
  invalid_patient_page: plain('error.invalid_patient_page'),
  // The booking waitlist.
  too_many_waitlist: (lang, p) => translate(lang, 'booking.waitlist.error.tooMany', { limit: formatNumber(lang, num(p, 'limit') ?? 0) }),
  beyond_horizon: (lang, p) => translate(lang, 'booking.waitlist.error.horizon', { days: formatNumber(lang, num(p, 'days') ?? 0) }),
  already_waiting: plain('booking.waitlist.error.duplicate'),
  offer_expired: plain('booking.waitlist.error.expired'),
  sms_unavailable: plain('error.sms_unavailable'),
  patient_not_textable: plain('error.patient_not_textable'),
  invalid_repeat: plain('error.invalid_repeat'),
  reminder_needs_due_date: plain('error.reminder_needs_due_date'),
  repeat_needs_link: plain('error.repeat_needs_link'),
  invalid_due_date: plain('error.invalid_due_date'),
  rate_limited: (lang, p) => {
    const wait = num(p, 'retryAfterSeconds');
    return wait !== null && wait > 0 ? translate(lang, 'error.rate_limited', { in: formatIn(lang, wait) }) : translate(lang, 'frame.signIn.rateLimited');
  },
};

/** Whether the catalog has a sentence of its own for this code. */
export function isKnownRefusal(code: string): boolean {
  return Object.hasOwn(WORDINGS, code);
}

/** The refusal as a sentence in `lang`; a generic sentence for a code the catalog does not know. */
export function describeRefusal(lang: Lang, refusal: Refusal, options: WordingOptions = {}): string {
  const wording = Object.hasOwn(WORDINGS, refusal.code) ? WORDINGS[refusal.code]! : null;
  return wording ? wording(lang, refusal.params ?? {}, options) : translate(lang, 'common.error');
}

/** Any failure as a sentence: an API refusal by its code, anything else as the generic sentence. */
export function describeFailure(lang: Lang, err: unknown, options: WordingOptions = {}): string {
  return err instanceof ApiError ? describeRefusal(lang, err, options) : translate(lang, 'common.error');
}
