/** Clinic wall-clock times as instants, in the browser (no zone library: Intl knows the offsets). */

const parts = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC (ms) at an instant. */
function offsetAt(zone: string, ms: number): number {
  let f = parts.get(zone);
  if (!f) parts.set(zone, (f = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric', hourCycle: 'h23' })));
  const p = Object.fromEntries(f.formatToParts(new Date(ms)).map((x) => [x.type, Number(x.value)]));
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!) - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant (ISO) of a wall-clock time on a date (YYYY-MM-DD) in the zone. A time skipped by a
 * daylight-saving change lands an hour later; a repeated one takes its first occurrence.
 */
export function clinicInstant(zone: string, date: string, hour: number, minute: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d, hour, minute);
  // Two rounds: the offset of the first guess, then the offset at the instant that gives.
  const first = wall - offsetAt(zone, wall);
  const second = wall - offsetAt(zone, first);
  const real = [first, second].filter((t) => t + offsetAt(zone, t) === wall);
  return new Date(real.length ? Math.min(...real) : Math.max(first, second)).toISOString();
}
