/** Clinic wall-clock times as instants, in the browser. */
import { DateTime } from 'luxon';

/**
 * The instant (ISO) of a wall-clock time on a date (YYYY-MM-DD) in the zone. A time skipped by a
 * daylight-saving change lands an hour later; a repeated one takes its first occurrence.
 */
export function clinicInstant(zone: string, date: string, hour: number, minute: number): string {
  return DateTime.fromISO(date, { zone }).set({ hour, minute }).toUTC().toISO()!;
}
