/**
 * Text messages as jobs (`sms.*`), beside the e-mail ones and in the same queue: an action enqueues
 * ids only; the job writes the text when it runs, in the patient's language, with the clinic's name,
 * (for a reminder) the date and time, and a link — never anything about health — and sends it through
 * the SmsSender. Retryable failures are retried with backoff; permanent ones fail the job at once.
 * Neither the number nor the text is ever logged or stored outside the patient's sealed details.
 */
import { translate } from '../../shared/i18n-all.js';
import type { JobRow } from '../db/schema.js';
import type { Config } from '../config.js';
import { twilioSender, type SmsSender } from '../sms/sender.js';
import { clinicCipher, getClinic, patientLink } from './clinics.js';
import { AppError } from './errors.js';
import type { NewJob } from './jobs.js';
import { PermanentJobError, type JobEnv } from './notices.js';
import { getPatient } from './patients.js';
import { appointmentDetail, appointmentLang } from './booking/appointments.js';
import { whenText } from './booking/notices.js';
import { clinicTimeZone } from './booking/setup.js';

/** The text reminding a patient of an appointment. */
export const SMS_REMINDER_JOB = 'sms.booking-reminder';
/** The text saying the clinic has a form for the patient (nothing about which). */
export const SMS_QUESTIONNAIRE_JOB = 'sms.questionnaire-assigned';

/** Texts are short; a few tries spread over about an hour, then the job fails for the admin to see. */
const SMS_MAX_ATTEMPTS = 6;

/** The sender the configuration gives: Twilio when configured, otherwise none (SMS unavailable). */
export function smsSenderOf(config: Pick<Config, 'sms'>): SmsSender | null {
  return config.sms ? twilioSender(config.sms) : null;
}

/** The 409 for a send by text when this server has no SMS provider configured. */
export function smsUnavailable(): AppError {
  return new AppError(409, 'sms_unavailable', 'Text messages are not set up on this server (TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_FROM)');
}

/** Refuses (409 sms_unavailable) when SMS is not configured. */
export function assertSmsAvailable(config: Pick<Config, 'sms'>): void {
  if (!config.sms) throw smsUnavailable();
}

/** Whether a patient can be texted: a mobile number and consent to texts on file. */
export function textable(p: { mobile: string | null; smsConsentAt: string | null }): boolean {
  return Boolean(p.mobile && p.smsConsentAt);
}

/** "Your clinic has a form for you to fill in" by text, to one patient. */
export const questionnaireAssignedText = (clinicId: string, patientId: string): NewJob => ({ kind: SMS_QUESTIONNAIRE_JOB, clinicId, payload: { patientId }, maxAttempts: SMS_MAX_ATTEMPTS });

/** A reminder by text, `minutesBefore` the appointment at `startsAt`: one per rule, time and appointment. */
export const reminderText = (clinicId: string, appointmentId: string, patientId: string, startsAt: string, minutesBefore: number, runAt: Date): NewJob => ({
  kind: SMS_REMINDER_JOB,
  clinicId,
  payload: { appointmentId, patientId, startsAt, minutesBefore },
  runAt,
  dedupeKey: `${SMS_REMINDER_JOB}:${appointmentId}:${minutesBefore}:${startsAt}`,
  maxAttempts: SMS_MAX_ATTEMPTS,
});

const gone = (code: string) => (err: unknown) => {
  // Only "not found" is final; a database that is briefly away is retried later.
  throw err instanceof AppError && err.status === 404 ? new PermanentJobError(code) : err;
};

/** Runs an `sms.*` job. */
export async function runSmsJob(job: JobRow, env: JobEnv): Promise<void> {
  const sender = env.sms !== undefined ? env.sms : smsSenderOf(env.config);
  if (!sender) throw new PermanentJobError('sms_unavailable');
  const p = JSON.parse(job.payload) as { patientId: string; appointmentId?: string; startsAt?: string };
  const clinicId = job.clinic_id!;
  const clinic = await getClinic(env.db, clinicId);
  const patient = await getPatient(env.db, clinicCipher(env.keyring, clinic), p.patientId).catch(gone('patient_gone'));
  // Consent or number withdrawn since the job was queued: nothing is sent.
  if (!textable(patient)) throw new PermanentJobError('sms_not_allowed');
  const link = patientLink(clinic, env.config.publicUrl.origin);
  let body: string;
  switch (job.kind) {
    case SMS_QUESTIONNAIRE_JOB:
      body = translate(patient.lang, 'sms.questionnaire', { clinic: clinic.name, link });
      break;
    case SMS_REMINDER_JOB: {
      const appt = await appointmentDetail(env.db, clinicId, String(p.appointmentId)).catch(gone('appointment_gone'));
      // Cancelled or moved since: this reminder is void (a move plans its own).
      if (appt.status !== 'booked' || appt.starts_at !== p.startsAt || appt.patient_id !== p.patientId) return;
      const lang = appointmentLang(appt, patient.lang);
      body = translate(lang, 'sms.reminder', { clinic: clinic.name, link, ...whenText(appt.starts_at, await clinicTimeZone(env.db, clinicId), lang) });
      break;
    }
    default:
      throw new PermanentJobError('unknown_kind');
  }
  await sender.send({ to: patient.mobile!, body });
}
