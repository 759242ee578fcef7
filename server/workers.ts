/**
 * What runs beside the HTTP server in every instance: the live-event hub, the job runner with its
 * handlers, and the scheduler that enqueues recurring jobs. Started and stopped with the app.
 */
import type { Db } from './db/connect.js';
import type { ActionStore } from './domain/action.js';
import { enqueueJobs } from './domain/jobs.js';
import { digestJobs, runMailJob, type JobEnv } from './domain/notices.js';
import { sweep } from './domain/sweep.js';
import { BOOKING_MAIL_JOB, BOOKING_REMINDER_JOB } from './domain/booking/appointments.js';
import { runBookingJob, runWaitlistMail } from './domain/booking/notices.js';
import { runSmsJob } from './domain/sms.js';
import { WAITLIST_EXPIRE_JOB, WAITLIST_MAIL_JOB, WAITLIST_OFFER_JOB } from './domain/booking/holds.js';
import { runWaitlistJob } from './domain/booking/waitlist.js';
import { RESET_REQUEST_JOB, handleResetRequest } from './domain/password-reset.js';
import { MAIL_REMINDER_JOB, SMS_REMINDER_JOB as SMS_QUESTIONNAIRE_REMINDER_JOB, runReminderJob } from './domain/questionnaire-reminders.js';
import { RECUR_JOB, runRecurJob } from './domain/questionnaire-schedules.js';
import { StreamRegistry } from './http/sse.js';
import { JobRunner, errorCode, type JobHandler, type JobLog } from './jobs/runner.js';
import { scheduleDue } from './jobs/schedule.js';
import { EventHub } from './live/event-hub.js';
import { StorageMonitor } from './live/storage-monitor.js';
import type { Config } from './config.js';
import { MINUTE } from './domain/time.js';

/** Job kinds and what runs them. */
export const HANDLERS: Record<string, JobHandler> = {
  'mail.*': runMailJob,
  'digest.hourly': async (job, env) => enqueueJobs(env.db, await digestJobs(env, job.dedupe_key ?? job.id)),
  sweep: async (_job, env) => void (await sweep(env.db)),
  [RESET_REQUEST_JOB]: handleResetRequest,
  // Booking e-mails are mail too (listed with the others), but written by the booking domain.
  [BOOKING_MAIL_JOB]: runBookingJob,
  [BOOKING_REMINDER_JOB]: runBookingJob,
  // The waitlist: offering freed time, ending holds, and the offer e-mail.
  [WAITLIST_OFFER_JOB]: runWaitlistJob,
  [WAITLIST_EXPIRE_JOB]: runWaitlistJob,
  [WAITLIST_MAIL_JOB]: runWaitlistMail,
  // Text messages: listed with e-mail on the Outgoing page, sent through the SmsSender.
  'sms.*': runSmsJob,
  // Questionnaires: a recurring schedule's period, and the reminder before one is due (e-mail or text).
  [RECUR_JOB]: runRecurJob,
  [MAIL_REMINDER_JOB]: runReminderJob,
  [SMS_QUESTIONNAIRE_REMINDER_JOB]: runReminderJob,
};

/** The instance's background parts. */
export interface Workers {
  events: EventHub;
  jobs: JobRunner;
  streams: StreamRegistry;
  storage: StorageMonitor;
  /** After a local commit (ActionStore['committed']): wakes the hub and runner; storage evidently works. */
  committed: NonNullable<ActionStore['committed']>;
}

/** Creates (without starting) the background parts for one instance. */
export function createWorkers(env: JobEnv & Pick<Db, 'listen'>, config: Pick<Config, 'jobs'>): Workers {
  const events = new EventHub(env.db, { ...(env.listen ? { listen: env.listen } : {}), pollMs: env.dialect === 'sqlite' ? 1000 : 5000 });
  const jobs = new JobRunner(env, HANDLERS, { ...config.jobs, pollMs: env.dialect === 'sqlite' ? 1000 : 5000, ...(env.listen ? { listen: env.listen } : {}) });
  const storage = new StorageMonitor();
  return {
    events,
    jobs,
    streams: new StreamRegistry(),
    storage,
    committed: (what) => {
      storage.succeeded();
      for (const clinicId of what.eventClinics) events.refresh(clinicId);
      if (what.jobs) jobs.wake();
    },
  };
}

/** Starts hub, runner and scheduler; returns the function that stops them. */
export async function startWorkers(deps: Workers & Pick<Db, 'db'>, log: JobLog): Promise<() => Promise<void>> {
  await deps.events.start((err) => log.warn({ err: { code: errorCode(err) } }, 'could not read live events'));
  const schedule = () => scheduleDue(deps.db).catch((err: unknown) => log.warn({ err: { code: errorCode(err) } }, 'could not schedule jobs'));
  await schedule();
  const timer = setInterval(() => void schedule(), MINUTE);
  timer.unref();
  await deps.jobs.start(log);
  return async () => {
    clearInterval(timer);
    await deps.jobs.stop();
    await deps.events.stop();
  };
}
