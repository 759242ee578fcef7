/**
 * A reminder before a questionnaire is due, by the channel it was sent by: one job per assignment
 * (its dedupe key), at 9:00 in the clinic's time zone `n` days before the due date. Completing the
 * questionnaire deletes the waiting reminder, and the job checks again when it runs, so an
 * assignment completed, withdrawn or moved meanwhile is never reminded. Like every notice, it
 * carries a link and the clinic's name, nothing about the questionnaire.
 */
import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import type { Database, JobRow } from '../db/schema.js';
import { translate } from '../../shared/i18n.js';
import { clinicCipher, getClinic, patientLink } from './clinics.js';
import { AppError } from './errors.js';
import type { NewJob } from './jobs.js';
import { PermanentJobError, type JobEnv } from './notices.js';
import { getPatient } from './patients.js';
import { smsSenderOf, textable } from './sms.js';

/** The reminder's job kinds (listed on the Outgoing page with the other e-mails and texts). */
export const MAIL_REMINDER_JOB = 'mail.questionnaire-reminder';
export const SMS_REMINDER_JOB = 'sms.questionnaire-reminder';

/** The local hour reminders go at. */
const REMINDER_HOUR = 9;

/** When the reminder of an assignment due on `dueDate` (local) goes, `daysBefore` days before. */
export function reminderAt(dueDate: string, daysBefore: number, zone: string): Date {
  return DateTime.fromISO(dueDate, { zone }).minus({ days: daysBefore }).set({ hour: REMINDER_HOUR }).toJSDate();
}

/**
 * The reminder job of an assignment, or null when its time has already passed (a reminder the day
 * after the notice would only repeat it).
 */
export function reminderJob(a: { clinicId: string; patientId: string; assignmentId: string; dueDate: string; daysBefore: number; channel: 'email' | 'sms'; zone: string }, now = new Date()): NewJob | null {
  const runAt = reminderAt(a.dueDate, a.daysBefore, a.zone);
  if (runAt.getTime() <= now.getTime()) return null;
  const kind = a.channel === 'sms' ? SMS_REMINDER_JOB : MAIL_REMINDER_JOB;
  return { kind, clinicId: a.clinicId, payload: { patientId: a.patientId, assignmentId: a.assignmentId, dueDate: a.dueDate }, runAt, dedupeKey: `${kind}:${a.assignmentId}`, ...(a.channel === 'sms' ? { maxAttempts: 5 } : {}) };
}

/** Deletes an assignment's waiting reminder (completed or withdrawn: nothing to remind of). */
export async function cancelReminder(tx: Kysely<Database>, clinicId: string, assignmentId: string): Promise<void> {
  await tx
    .deleteFrom('jobs')
    .where('clinic_id', '=', clinicId)
    .where('status', '=', 'pending')
    .where('dedupe_key', 'in', [`${MAIL_REMINDER_JOB}:${assignmentId}`, `${SMS_REMINDER_JOB}:${assignmentId}`])
    .execute();
}

const gone = (code: string) => (err: unknown) => {
  // Only "not found" is final; a database that is briefly away is retried later.
  throw err instanceof AppError && err.status === 404 ? new PermanentJobError(code) : err;
};

/** Sends a reminder, unless its assignment was completed, withdrawn or given another due date since. */
export async function runReminderJob(job: JobRow, env: JobEnv): Promise<void> {
  const p = JSON.parse(job.payload) as { patientId: string; assignmentId: string; dueDate: string };
  const clinicId = job.clinic_id!;
  const row = await env.db.selectFrom('questionnaire_assignments').select(['status', 'due_date', 'patient_id']).where('clinic_id', '=', clinicId).where('id', '=', p.assignmentId).executeTakeFirst();
  if (!row || row.status === 'completed' || row.due_date !== p.dueDate || row.patient_id !== p.patientId) return;
  const clinic = await getClinic(env.db, clinicId);
  const patient = await getPatient(env.db, clinicCipher(env.keyring, clinic), p.patientId).catch(gone('patient_gone'));
  const vars = { clinic: clinic.name, link: patientLink(clinic, env.config.publicUrl.origin) };
  if (job.kind === SMS_REMINDER_JOB) {
    const sender = env.sms !== undefined ? env.sms : smsSenderOf(env.config);
    if (!sender) throw new PermanentJobError('sms_unavailable');
    // Consent or number withdrawn since the send: nothing is sent.
    if (!textable(patient)) throw new PermanentJobError('sms_not_allowed');
    await sender.send({ to: patient.mobile!, body: translate(patient.lang, 'sms.questionnaireReminder', vars) });
    return;
  }
  const messageId = `<${job.id}@${env.config.publicUrl.hostname}>`;
  await env.mailer.send({ clinicId, to: patient.email, subject: translate(patient.lang, 'mail.questionnaireReminder.subject', vars), text: translate(patient.lang, 'mail.questionnaireReminder.body', vars), messageId });
}
