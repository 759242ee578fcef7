/** The clinic's messaging rules: stored as one validated JSON document per clinic, with defaults. */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { MessagingRules, MessagingSettings } from '../../shared/messaging.js';
import { checkMessagingSettings } from '../../shared/messaging-settings-rules.js';
import { fieldErrors } from './errors.js';
import { dueAt, isOpen, nextOpening } from './hours.js';

const WEEKDAYS_9_TO_5 = { start: '09:00', end: '17:00' };

/** What a new clinic starts with: the Centre for Effective Practice's suggestions, roughly. */
export const DEFAULT_MESSAGING: MessagingSettings = {
  mode: 'two-way',
  categories: [
    { id: 'prescription', en: 'Prescription renewal', fr: "Renouvellement d'ordonnance" },
    { id: 'results', en: 'Test results', fr: "Résultats d'examens" },
    { id: 'appointment', en: 'Appointment', fr: 'Rendez-vous' },
    { id: 'forms', en: 'Forms', fr: 'Formulaires' },
    { id: 'other', en: 'Other', fr: 'Autre' },
  ],
  subjectRequired: true,
  maxChars: 1500,
  maxWords: 250,
  attachmentMaxMb: 10,
  weeklyThreadQuota: 3,
  responseBusinessDays: 2,
  timeZone: 'America/Toronto',
  hours: { mon: [WEEKDAYS_9_TO_5], tue: [WEEKDAYS_9_TO_5], wed: [WEEKDAYS_9_TO_5], thu: [WEEKDAYS_9_TO_5], fri: [WEEKDAYS_9_TO_5], sat: [], sun: [] },
  closures: [],
  answeringBlocks: { mon: [{ start: '12:30', end: '13:30' }], tue: [], wed: [{ start: '12:30', end: '13:30' }], thu: [], fri: [{ start: '12:30', end: '13:30' }], sat: [], sun: [] },
  acceptNewOutsideHours: true,
  autoReply: {
    en: 'Thank you. Your message arrived outside our messaging hours; we will read it when we are next open.',
    fr: 'Merci. Votre message est arrivé en dehors de nos heures de messagerie; nous le lirons à notre prochaine ouverture.',
  },
  emergencyNotice: {
    en: 'Not for emergencies: call 911 or go to the nearest emergency department.',
    fr: "Ne pas utiliser en cas d'urgence : composez le 911 ou rendez-vous à l'urgence la plus proche.",
  },
  staffDigestEmail: false,
};

/** The clinic's settings (defaults until an admin saves them). */
export async function getMessagingSettings(db: Kysely<Database>, clinicId: string): Promise<MessagingSettings> {
  const row = await db.selectFrom('messaging_settings').select('settings').where('clinic_id', '=', clinicId).executeTakeFirst();
  return parseMessagingSettings(row?.settings ?? null);
}

/** The settings as stored (null: none saved yet), over the defaults. */
export function parseMessagingSettings(stored: string | null): MessagingSettings {
  return stored === null ? DEFAULT_MESSAGING : { ...DEFAULT_MESSAGING, ...(JSON.parse(stored) as MessagingSettings) };
}

/** English for logs and API users (browsers word the codes from their catalog). */
const PROBLEM_TEXT: Record<string, string> = {
  invalid_time_zone: 'not a known time zone (e.g. America/Toronto)',
  time_required: 'a time HH:MM is required',
  range_end_before_start: 'ends before it starts',
  ranges_overlap: 'overlaps an earlier range of the same day',
  date_required: 'a date YYYY-MM-DD is required',
  duplicate_closure: 'the same date is listed twice',
  categories_required: 'at least one category is required',
  invalid_category_id: 'an id is 1 to 40 lowercase letters, digits or hyphens',
  duplicate_category: 'each category needs its own id',
  text_required: 'cannot be empty',
  number_out_of_range: 'out of range',
  emergency_notice_required: 'the emergency notice cannot be empty',
};

/**
 * Checks what the schema cannot (time zone, ranges, unique categories and closures, an emergency
 * notice in both languages) with the admin form's own rules, and saves. A refusal lists every
 * problem at its field.
 */
export async function saveMessagingSettings(db: Kysely<Database>, clinicId: string, s: MessagingSettings): Promise<MessagingSettings> {
  const problems = checkMessagingSettings(s);
  if (problems.length) throw fieldErrors(problems, problems.map((p) => `${p.field}: ${PROBLEM_TEXT[p.code] ?? p.code}`).join('; '));
  const now = new Date().toISOString();
  const json = JSON.stringify(s);
  await db
    .insertInto('messaging_settings')
    .values({ clinic_id: clinicId, settings: json, updated_at: now })
    .onConflict((oc) => oc.column('clinic_id').doUpdateSet({ settings: json, updated_at: now }))
    .execute();
  await recomputeReplyDue(db, clinicId, s);
  return s;
}

/** When the clinic's answer to a patient message received at `since` is due under these rules. */
export function replyDue(s: MessagingSettings, since: string): string {
  return dueAt(s, new Date(since), s.responseBusinessDays).toISOString();
}

/** The promise changed: every thread waiting for the clinic gets its due instant under the new rules. */
async function recomputeReplyDue(db: Kysely<Database>, clinicId: string, s: MessagingSettings): Promise<void> {
  const waiting = await db.selectFrom('threads').select(['id', 'awaiting_reply_since']).where('clinic_id', '=', clinicId).where('awaiting_reply_since', 'is not', null).execute();
  for (const t of waiting) await db.updateTable('threads').set({ due_at: replyDue(s, t.awaiting_reply_since!) }).where('id', '=', t.id).execute();
}

/** Fills due instants of threads written before they were stored (migration 0009); at start-up. */
export async function fillMissingReplyDue(db: Kysely<Database>): Promise<number> {
  const rows = await db.selectFrom('threads').select(['id', 'clinic_id', 'awaiting_reply_since']).where('awaiting_reply_since', 'is not', null).where('due_at', 'is', null).execute();
  const rules = new Map<string, MessagingSettings>();
  for (const t of rows) {
    if (!rules.has(t.clinic_id)) rules.set(t.clinic_id, await getMessagingSettings(db, t.clinic_id));
    await db.updateTable('threads').set({ due_at: replyDue(rules.get(t.clinic_id)!, t.awaiting_reply_since!) }).where('id', '=', t.id).execute();
  }
  return rows.length;
}

/** The public part of the settings, with whether the clinic is reading messages right now. */
export function toRules(s: MessagingSettings, now = new Date()): MessagingRules {
  const openNow = isOpen(s, now);
  const next = openNow ? null : nextOpening(s, now);
  return {
    mode: s.mode,
    categories: s.categories,
    subjectRequired: s.subjectRequired,
    maxChars: s.maxChars,
    maxWords: s.maxWords,
    attachmentMaxMb: s.attachmentMaxMb,
    weeklyThreadQuota: s.weeklyThreadQuota,
    responseBusinessDays: s.responseBusinessDays,
    timeZone: s.timeZone,
    hours: s.hours,
    acceptNewOutsideHours: s.acceptNewOutsideHours,
    emergencyNotice: s.emergencyNotice,
    autoReply: s.autoReply,
    openNow,
    nextOpening: next ? next.toISOString() : null,
  };
}
