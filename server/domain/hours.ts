/**
 * Clinic time: whether the clinic is reading messages now, when it next will, and when a promised
 * response is due (in business days). All in the clinic's time zone, with luxon doing the calendar.
 */
import { DateTime } from 'luxon';
import { WEEKDAYS, type WeeklySchedule } from '../../shared/messaging.js';

/** A weekly schedule plus dated closures, in a time zone. */
export interface ClinicCalendar {
  hours: WeeklySchedule;
  closures: string[];
  timeZone: string;
}

function rangesOn(cal: ClinicCalendar, day: DateTime) {
  if (cal.closures.includes(day.toISODate()!)) return [];
  return cal.hours[WEEKDAYS[day.weekday - 1]!];
}

function at(day: DateTime, hhmm: string): DateTime {
  const [h, m] = hhmm.split(':').map(Number);
  return day.set({ hour: h, minute: m, second: 0, millisecond: 0 });
}

/** True when `when` falls in the clinic's hours. */
export function isOpen(cal: ClinicCalendar, when: Date): boolean {
  const t = DateTime.fromJSDate(when, { zone: cal.timeZone });
  return rangesOn(cal, t).some((r) => t >= at(t, r.start) && t < at(t, r.end));
}

/** The next moment the clinic opens after `from` (within three weeks), or null if it never does. */
export function nextOpening(cal: ClinicCalendar, from: Date): Date | null {
  const start = DateTime.fromJSDate(from, { zone: cal.timeZone });
  for (let i = 0; i < 21; i++) {
    const day = start.plus({ days: i }).startOf('day');
    for (const r of [...rangesOn(cal, day)].sort((a, b) => a.start.localeCompare(b.start))) {
      const open = at(day, r.start);
      if (open > start) return open.toJSDate();
    }
  }
  return null;
}

/** True when the time zone is one luxon (the platform's ICU) knows. */
export function isValidTimeZone(zone: string): boolean {
  return DateTime.now().setZone(zone).isValid;
}

/**
 * When a reply is due for a message received at `since`: the same clock time, `businessDays`
 * days on which the clinic has hours later (counted from the next opening if it arrived while closed).
 */
export function dueAt(cal: ClinicCalendar, since: Date, businessDays: number): Date {
  const startDate = isOpen(cal, since) ? since : (nextOpening(cal, since) ?? since);
  let d = DateTime.fromJSDate(startDate, { zone: cal.timeZone });
  let counted = 0;
  for (let guard = 0; counted < businessDays && guard < 120; guard++) {
    d = d.plus({ days: 1 });
    if (rangesOn(cal, d).length > 0) counted++;
  }
  return d.toJSDate();
}
