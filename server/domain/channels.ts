/** PostgreSQL NOTIFY channels that tell other instances to look at the database (payloads are ids). */
export const CHANNEL = { events: 'sm_events', jobs: 'sm_jobs' } as const;
