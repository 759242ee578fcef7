/**
 * The checks on a clinic's messaging rules that a schema cannot express (time zone, ranges that end
 * before they start or overlap, duplicate ids and dates, an empty emergency notice). One function for
 * the admin form and the server, so the two can never disagree; each problem names its field.
 */
import type { ErrorParams } from './api.js';
import { SETTINGS_LIMITS, WEEKDAYS, type MessagingSettings, type WeeklySchedule } from './messaging.js';

/** One problem, at a field: `field` is a dotted path into the settings (`hours.tue.0.end`). */
export interface FieldProblem {
  code: string;
  field: string;
  params?: ErrorParams;
}

/** The ids a category may have (the schema's pattern). */
export const CATEGORY_ID = /^[a-z0-9-]{1,40}$/;
const TIME = /^([01][0-9]|2[0-3]):[0-5][0-9]$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** True when the platform's time-zone data (ICU) knows the zone. */
export function isKnownTimeZone(zone: string): boolean {
  if (!zone) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** True for a real calendar date written YYYY-MM-DD. */
function isDate(text: string): boolean {
  if (!DATE.test(text)) return false;
  const d = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === text;
}

/** A category id made from its English name ("Test results" → "test-results"), for new rows. */
export function categoryIdFrom(name: string): string {
  return name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
}

function checkSchedule(name: 'hours' | 'answeringBlocks', schedule: WeeklySchedule, out: FieldProblem[]): void {
  for (const day of WEEKDAYS) {
    const ranges = schedule[day];
    ranges.forEach((r, i) => {
      const at = `${name}.${day}.${i}`;
      if (!TIME.test(r.start)) out.push({ code: 'time_required', field: `${at}.start`, params: { day } });
      if (!TIME.test(r.end)) out.push({ code: 'time_required', field: `${at}.end`, params: { day } });
      else if (TIME.test(r.start) && r.start >= r.end) out.push({ code: 'range_end_before_start', field: `${at}.end`, params: { day, start: r.start, end: r.end } });
    });
    // Overlaps among the well-formed ranges, in clock order; the later one is marked.
    const sorted = ranges.map((r, i) => ({ ...r, i })).filter((r) => TIME.test(r.start) && TIME.test(r.end) && r.start < r.end).sort((a, b) => a.start.localeCompare(b.start));
    for (let k = 1; k < sorted.length; k++) {
      if (sorted[k]!.start < sorted[k - 1]!.end) out.push({ code: 'ranges_overlap', field: `${name}.${day}.${sorted[k]!.i}.start`, params: { day } });
    }
  }
}

function checkNumber(s: MessagingSettings, name: keyof typeof SETTINGS_LIMITS, nullable: boolean, out: FieldProblem[]): void {
  const v = s[name];
  if (v === null && nullable) return;
  const { min, max } = SETTINGS_LIMITS[name];
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) out.push({ code: 'number_out_of_range', field: name, params: { min, max } });
}

/** Every problem with the settings, in the order of the admin form; empty when they can be saved. */
export function checkMessagingSettings(s: MessagingSettings): FieldProblem[] {
  const out: FieldProblem[] = [];
  if (!isKnownTimeZone(s.timeZone)) out.push({ code: 'invalid_time_zone', field: 'timeZone' });
  checkSchedule('hours', s.hours, out);
  const dates = new Set<string>();
  s.closures.forEach((d, i) => {
    if (!isDate(d)) out.push({ code: 'date_required', field: `closures.${i}` });
    else if (dates.has(d)) out.push({ code: 'duplicate_closure', field: `closures.${i}`, params: { date: d } });
    dates.add(d);
  });
  checkSchedule('answeringBlocks', s.answeringBlocks, out);
  if (s.categories.length === 0) out.push({ code: 'categories_required', field: 'categories' });
  const seen = new Set<string>();
  s.categories.forEach((c, i) => {
    if (!CATEGORY_ID.test(c.id)) out.push({ code: 'invalid_category_id', field: `categories.${i}.id` });
    else if (seen.has(c.id)) out.push({ code: 'duplicate_category', field: `categories.${i}.id`, params: { id: c.id } });
    seen.add(c.id);
    if (!c.en.trim()) out.push({ code: 'text_required', field: `categories.${i}.en` });
    if (!c.fr.trim()) out.push({ code: 'text_required', field: `categories.${i}.fr` });
  });
  checkNumber(s, 'maxChars', true, out);
  checkNumber(s, 'maxWords', true, out);
  checkNumber(s, 'attachmentMaxMb', false, out);
  checkNumber(s, 'weeklyThreadQuota', true, out);
  checkNumber(s, 'responseBusinessDays', false, out);
  // Patients must always be told where to go in an emergency, in both languages.
  for (const lang of ['en', 'fr'] as const) {
    if (!s.emergencyNotice[lang].trim()) out.push({ code: 'emergency_notice_required', field: `emergencyNotice.${lang}` });
  }
  return out;
}
