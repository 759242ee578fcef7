/** The days of a clinic's week, Monday first as weekly schedules are keyed (kept apart from the schemas so the widget need not load TypeBox). */
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
