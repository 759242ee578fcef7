/**
 * iCalendar (RFC 5545) for appointments, written by ical-generator: the patient's confirmation (and
 * its cancellation, METHOD:CANCEL with the same UID) and a provider's private feed. Times carry the
 * clinic's TZID, and the VTIMEZONE that TZID names is built from luxon's zone data (the platform's
 * ICU), so any calendar program reads the same instant.
 */
import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { DateTime, FixedOffsetZone } from 'luxon';

/** One appointment as a calendar event. Nothing about the patient's health: type, place, clinic. */
export interface CalendarEvent {
  /** Stable across moves and cancellation (the appointment id). */
  uid: string;
  /** Bumped by every change, so calendar programs take the newest. */
  sequence: number;
  start: Date;
  end: Date;
  summary: string;
  location: string;
  description: string;
  cancelled?: boolean;
  url?: string;
}

const ICS_LOCAL = "yyyyMMdd'T'HHmmss";

/**
 * The VTIMEZONE of `zone` for the given years: each offset change as its own observance (DTSTART is
 * the wall-clock time, in the offset before, at which the change happens), found with luxon.
 */
export function vtimezone(zone: string, years: number[]): string {
  const lines = ['BEGIN:VTIMEZONE', `TZID:${zone}`];
  const observance = (at: DateTime, before: DateTime) => {
    const kind = at.isInDST ? 'DAYLIGHT' : 'STANDARD';
    lines.push(
      `BEGIN:${kind}`,
      `DTSTART:${at.setZone(FixedOffsetZone.instance(before.offset)).toFormat(ICS_LOCAL)}`,
      `TZOFFSETFROM:${before.toFormat('ZZZ')}`,
      `TZOFFSETTO:${at.toFormat('ZZZ')}`,
      `TZNAME:${at.toFormat('ZZZZ')}`,
      `END:${kind}`,
    );
  };
  let found = 0;
  for (const year of [...new Set(years)].sort()) {
    let day = DateTime.fromObject({ year, month: 1, day: 1 }, { zone });
    while (day.year === year) {
      const next = day.plus({ days: 1 });
      if (next.offset !== day.offset) {
        // The first hour (then minute) of that day whose offset differs is the change.
        let t = day.toUTC();
        while (t.setZone(zone).offset === day.offset) t = t.plus({ hours: 1 });
        let u = t.minus({ hours: 1 });
        while (u.setZone(zone).offset === day.offset) u = u.plus({ minutes: 1 });
        observance(u.setZone(zone), u.minus({ minutes: 1 }).setZone(zone));
        found++;
      }
      day = next;
    }
  }
  if (found === 0) {
    // No daylight saving: one standard observance for all time.
    const now = DateTime.fromObject({ year: years[0] ?? 2000, month: 1, day: 1 }, { zone });
    lines.push('BEGIN:STANDARD', 'DTSTART:19700101T000000', `TZOFFSETFROM:${now.toFormat('ZZZ')}`, `TZOFFSETTO:${now.toFormat('ZZZ')}`, `TZNAME:${now.toFormat('ZZZZ')}`, 'END:STANDARD');
  }
  lines.push('END:VTIMEZONE');
  return lines.join('\r\n');
}

/** The address part of "Name <address>". */
function addressOf(from: string): string {
  return /<([^>]+)>/.exec(from)?.[1] ?? from;
}

/**
 * A calendar of events in the clinic's zone. `method` is REQUEST for a confirmation (or a move),
 * CANCEL for a cancellation, PUBLISH for a feed.
 */
export function calendarText(opts: { method: 'REQUEST' | 'CANCEL' | 'PUBLISH'; timeZone: string; events: CalendarEvent[]; organizer: { name: string; from: string }; name?: string }): string {
  const years = opts.events.flatMap((e) => {
    const y = DateTime.fromJSDate(e.start, { zone: opts.timeZone }).year;
    return [y - 1, y, y + 1];
  });
  const cal = ical({
    prodId: { company: 'Secure Messaging', product: 'Booking', language: 'EN' },
    method: ICalCalendarMethod[opts.method],
    timezone: { name: opts.timeZone, generator: (zone) => vtimezone(zone, years.length > 0 ? years : [new Date().getUTCFullYear()]) },
    ...(opts.name ? { name: opts.name } : {}),
  });
  for (const e of opts.events) {
    cal.createEvent({
      id: e.uid,
      sequence: e.sequence,
      // luxon DateTimes in the clinic's zone: ical-generator writes their wall-clock time under the TZID.
      start: DateTime.fromJSDate(e.start, { zone: opts.timeZone }),
      end: DateTime.fromJSDate(e.end, { zone: opts.timeZone }),
      timezone: opts.timeZone,
      summary: e.summary,
      location: e.location || null,
      description: e.description,
      status: e.cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
      organizer: { name: opts.organizer.name, email: addressOf(opts.organizer.from) },
      ...(e.url ? { url: e.url } : {}),
    });
  }
  // RFC 5545 wants DTSTAMP in UTC; ical-generator writes it in the calendar's zone, so it is set here.
  const stamp = DateTime.utc().toFormat(ICS_LOCAL) + 'Z';
  const [head, ...blocks] = cal.toString().replace(/^DTSTAMP:.*$/gm, `DTSTAMP:${stamp}`).split('BEGIN:VEVENT');
  // A wall-clock time the autumn change repeats names two instants; such an event's times are written in UTC instead.
  return [head, ...blocks.map((block, i) => utcIfAmbiguous(block, opts.events[i], opts.timeZone))].join('BEGIN:VEVENT');
}

const utcText = (d: Date) => DateTime.fromJSDate(d, { zone: 'utc' }).toFormat(ICS_LOCAL) + 'Z';

function utcIfAmbiguous(block: string, event: CalendarEvent | undefined, zone: string): string {
  if (!event) return block;
  const ambiguous = [event.start, event.end].some((d) => DateTime.fromJSDate(d, { zone }).getPossibleOffsets().length > 1);
  if (!ambiguous) return block;
  return block.replace(/^DTSTART;TZID=[^:]*:.*$/m, `DTSTART:${utcText(event.start)}`).replace(/^DTEND;TZID=[^:]*:.*$/m, `DTEND:${utcText(event.end)}`);
}
