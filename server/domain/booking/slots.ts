/**
 * Open slots, computed by a pure function: weekly hours are RRULEs expanded by `rrule` on the wall
 * clock of the clinic's time zone, and luxon turns each wall-clock time into an instant (so a window
 * on a daylight-saving day is as long as the clock says, and never shifted by an hour). A slot is
 * never inside an exception, another appointment or its buffers, the notice window, or past the horizon.
 */
import * as rruleModule from 'rrule';
import { DateTime } from 'luxon';
import { GRID_MINUTES, WEEKDAY_CODES, type WeekdayCode } from '../../../shared/booking.js';
import { DAY, MINUTE } from '../time.js';

// rrule ships a UMD bundle to Node: its exports sit on `default` there, and on the namespace for bundlers.
const { RRule } = (rruleModule as unknown as { default?: typeof rruleModule }).default ?? rruleModule;

/** A half-open range of instants, [start, end). */
export interface Range {
  start: Date;
  end: Date;
}

/** One weekly rule of a provider: an RRULE (`FREQ=WEEKLY;BYDAY=…`) and wall-clock times. */
export interface HoursRule {
  rrule: string;
  start: string;
  end: string;
}

/** A provider as the computation sees it. */
export interface ProviderAvailability {
  id: string;
  hours: HoursRule[];
  /** Blocked time (this provider's and the clinic's). */
  exceptions: Range[];
  /** Time already taken by appointments, buffers included (as in appointment_slots). */
  busy: Range[];
  /** Time held for another patient's waitlist offer (buffers included): not open to anyone else. */
  held?: Range[];
}

/** What a slot needs of its appointment type. */
export interface SlotType {
  durationMinutes: number;
  bufferBeforeMinutes: number;
  bufferAfterMinutes: number;
}

/** The clinic's rules that bound slots. */
export interface SlotRules {
  minNoticeMinutes: number;
  horizonDays: number;
  slotStepMinutes: number;
}

/** Everything the computation needs; `now` is given, so tests fix it. */
export interface SlotInput {
  timeZone: string;
  now: Date;
  /** Days (YYYY-MM-DD, clinic zone) to look at, first and last included. */
  fromDate: string;
  toDate: string;
  type: SlotType;
  rules: SlotRules;
  providers: ProviderAvailability[];
}

/** An open slot. */
export interface ComputedSlot {
  providerId: string;
  start: Date;
  end: Date;
}

/** The RRULE text for weekly hours on these days. */
export function weeklyRrule(days: readonly WeekdayCode[]): string {
  const order = [...days].sort((a, b) => WEEKDAY_CODES.indexOf(a) - WEEKDAY_CODES.indexOf(b));
  return new RRule({ freq: RRule.WEEKLY, byweekday: order.map((d) => RRule[d]) }).toString().replace(/^RRULE:/, '');
}

/** The weekdays of a weekly RRULE. */
export function rruleDays(rule: string): WeekdayCode[] {
  const by = RRule.parseString(rule).byweekday;
  const list = by === undefined || by === null ? [] : Array.isArray(by) ? by : [by];
  return list.map((d) => WEEKDAY_CODES[typeof d === 'number' ? d : typeof d === 'string' ? WEEKDAY_CODES.indexOf(d as WeekdayCode) : d.weekday]!).filter(Boolean);
}

/** A Monday long ago: the RRULEs' start, in rrule's "UTC fields are the wall clock" convention. */
const ANCHOR = new Date(Date.UTC(2000, 0, 3));

/** The calendar days (clinic zone) on which a rule occurs, between two dates included. */
function occurrenceDays(rule: string, fromDate: string, toDate: string): Array<{ year: number; month: number; day: number }> {
  const options = RRule.parseString(rule);
  // Start the rule near the window (whole periods after ANCHOR, so an INTERVAL keeps its phase):
  // rrule walks every occurrence from its start, and 2000 is decades of weeks away.
  const period = 7 * (options.interval ?? 1) * DAY;
  const from = Date.parse(`${fromDate}T00:00:00Z`);
  const dtstart = new Date(ANCHOR.getTime() + Math.max(0, Math.floor((from - ANCHOR.getTime()) / period) - 1) * period);
  const r = new RRule({ ...options, dtstart });
  const asFields = (iso: string) => {
    const [y, m, d] = iso.split('-').map(Number);
    return new Date(Date.UTC(y!, m! - 1, d!));
  };
  return r.between(asFields(fromDate), asFields(toDate), true).map((d) => ({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() }));
}

/**
 * The instant of a wall-clock time on a day in the zone. A time skipped by the spring jump moves
 * forward (luxon's rule); a time that happens twice in the autumn is its first occurrence, so hours
 * that span the repeated hour are as long as the clock on the wall says.
 */
function wallClock(zone: string, day: { year: number; month: number; day: number }, hhmm: string): DateTime {
  const [hour, minute] = hhmm.split(':').map(Number);
  const candidates = DateTime.fromObject({ ...day, hour: hour!, minute: minute! }, { zone }).getPossibleOffsets();
  return candidates.reduce((a, b) => (b.toMillis() < a.toMillis() ? b : a));
}

/**
 * Ranges sorted by start with the running maximum of their ends, so "does any of them overlap
 * [start, end)?" is a binary search, not a scan: a provider's 90 days hold thousands of bookings.
 */
class RangeIndex {
  readonly #starts: number[];
  readonly #maxEnds: number[];

  constructor(ranges: readonly Range[]) {
    const sorted = ranges.map((r) => [r.start.getTime(), r.end.getTime()] as const).sort((a, b) => a[0] - b[0]);
    this.#starts = sorted.map((r) => r[0]);
    let max = -Infinity;
    this.#maxEnds = sorted.map((r) => (max = Math.max(max, r[1])));
  }

  overlaps(start: number, end: number): boolean {
    // The ranges that start before `end` are the first `n`; one of them overlaps if any ends after `start`.
    let n = 0;
    for (let hi = this.#starts.length; n < hi; ) {
      const mid = (n + hi) >> 1;
      if (this.#starts[mid]! < end) n = mid + 1;
      else hi = mid;
    }
    return n > 0 && this.#maxEnds[n - 1]! > start;
  }
}

/** The instant range a booking occupies, buffers included (what appointment_slots holds). */
export function occupiedRange(start: Date, type: SlotType): Range {
  return {
    start: new Date(start.getTime() - type.bufferBeforeMinutes * MINUTE),
    end: new Date(start.getTime() + (type.durationMinutes + type.bufferAfterMinutes) * MINUTE),
  };
}

/** The open slots, by start then provider. Pure: the same input gives the same slots. */
export function computeSlots(input: SlotInput): ComputedSlot[] {
  const zone = input.timeZone;
  const earliest = input.now.getTime() + input.rules.minNoticeMinutes * MINUTE;
  const latest = DateTime.fromJSDate(input.now, { zone }).plus({ days: input.rules.horizonDays }).toMillis();
  const step = input.rules.slotStepMinutes * MINUTE;
  const length = input.type.durationMinutes * MINUTE;
  const out: ComputedSlot[] = [];
  // Providers share hours: each wall-clock time is turned into an instant once (luxon's zone maths is the slow part).
  const instants = new Map<string, number>();
  const instant = (day: { year: number; month: number; day: number }, hhmm: string) => {
    const key = `${day.year}-${day.month}-${day.day} ${hhmm}`;
    let t = instants.get(key);
    if (t === undefined) instants.set(key, (t = wallClock(zone, day, hhmm).toMillis()));
    return t;
  };
  const days = new Map<string, ReturnType<typeof occurrenceDays>>();
  for (const p of input.providers) {
    const blocked = new RangeIndex(p.exceptions);
    const taken = new RangeIndex([...p.busy, ...(p.held ?? [])]);
    const seen = new Set<number>();
    for (const h of p.hours) {
      if (!days.has(h.rrule)) days.set(h.rrule, occurrenceDays(h.rrule, input.fromDate, input.toDate));
      for (const day of days.get(h.rrule)!) {
        const open = instant(day, h.start);
        const close = instant(day, h.end);
        for (let t = open; t + length <= close; t += step) {
          if (t < earliest || t > latest || t % (GRID_MINUTES * MINUTE) !== 0 || seen.has(t)) continue;
          if (blocked.overlaps(t, t + length)) continue;
          const visit = { start: new Date(t), end: new Date(t + length) };
          const occupied = occupiedRange(visit.start, input.type);
          if (taken.overlaps(occupied.start.getTime(), occupied.end.getTime())) continue;
          seen.add(t);
          out.push({ providerId: p.id, ...visit });
        }
      }
    }
  }
  return out.sort((a, b) => a.start.getTime() - b.start.getTime() || a.providerId.localeCompare(b.providerId));
}

/** The 5-minute units (ISO instants) a booking occupies: the rows it puts in appointment_slots. */
export function occupiedUnits(start: Date, type: SlotType): string[] {
  const r = occupiedRange(start, type);
  const units: string[] = [];
  for (let t = r.start.getTime(); t < r.end.getTime(); t += GRID_MINUTES * MINUTE) units.push(new Date(t).toISOString());
  return units;
}
