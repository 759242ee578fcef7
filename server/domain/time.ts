/** Timestamps are stored as ISO-8601 UTC text; these keep the arithmetic in one place. */
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** The ISO string `ms` milliseconds after `from` (default now). */
export function isoIn(ms: number, from: Date = new Date()): string {
  return new Date(from.getTime() + ms).toISOString();
}

/** Now, as stored. */
export function nowIso(): string {
  return new Date().toISOString();
}
