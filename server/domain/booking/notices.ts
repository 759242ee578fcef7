/**
 * Booking e-mails, as jobs holding ids only: the confirmation (with an .ics; METHOD:CANCEL once
 * cancelled) and the reminders. Each is written when it runs, in the patient's language, with only
 * the date, time, clinic and a link. A job for an older state of the appointment (moved or cancelled
 * since) sends nothing: the newer state has its own job.
 */
import { DateTime } from 'luxon';
import type { JobRow } from '../../db/schema.js';
import { translate } from '../../../shared/i18n-all.js';
import { clinicCipher, getClinic, patientLink } from '../clinics.js';
import { AppError } from '../errors.js';
import { PermanentJobError, type JobEnv } from '../notices.js';
import { getPatient } from '../patients.js';
import { appointmentDetail, appointmentLang, BOOKING_MAIL_JOB, BOOKING_REMINDER_JOB } from './appointments.js';
import { calendarText } from './calendar.js';
import { clinicTimeZone } from './setup.js';

/** How a time reads in an e-mail: the clinic's zone, the reader's language. */
export function whenText(iso: string, zone: string, lang: 'en' | 'fr'): { date: string; time: string } {
  const t = DateTime.fromISO(iso, { zone }).setLocale(lang === 'fr' ? 'fr-CA' : 'en-CA');
  return { date: t.toLocaleString(DateTime.DATE_HUGE), time: `${t.toLocaleString(DateTime.TIME_SIMPLE)} (${t.toFormat('ZZZZ')})` };
}

/** Runs a booking mail or reminder job. */
export async function runBookingJob(job: JobRow, env: JobEnv): Promise<void> {
  const p = JSON.parse(job.payload) as { appointmentId: string; sequence?: number; startsAt?: string };
  const clinicId = job.clinic_id!;
  const appt = await appointmentDetail(env.db, clinicId, p.appointmentId).catch((err: unknown) => {
    throw err instanceof AppError && err.status === 404 ? new PermanentJobError('appointment_gone') : err;
  });
  if (job.kind === BOOKING_REMINDER_JOB && (appt.status !== 'booked' || appt.starts_at !== p.startsAt)) return;
  if (job.kind === BOOKING_MAIL_JOB && appt.sequence !== p.sequence) return;
  const clinic = await getClinic(env.db, clinicId);
  const patient = await getPatient(env.db, clinicCipher(env.keyring, clinic), appt.patient_id).catch((err: unknown) => {
    throw err instanceof AppError && err.status === 404 ? new PermanentJobError('patient_gone') : err;
  });
  const lang = appointmentLang(appt, patient.lang);
  const zone = await clinicTimeZone(env.db, clinicId);
  const vars = { clinic: clinic.name, link: patientLink(clinic, env.config.publicUrl.origin), ...whenText(appt.starts_at, zone, lang) };
  const messageId = `<${job.id}@${env.config.publicUrl.hostname}>`;
  if (job.kind === BOOKING_REMINDER_JOB) {
    await env.mailer.send({ clinicId, to: patient.email, subject: translate(lang, 'mail.booking.reminder.subject', vars), text: translate(lang, 'mail.booking.reminder.body', vars), messageId });
    return;
  }
  const cancelled = appt.status === 'cancelled';
  const moved = appt.sequence > 0 && !cancelled;
  const which = cancelled ? 'cancelled' : moved ? 'moved' : 'confirmed';
  const ics = calendarText({
    method: cancelled ? 'CANCEL' : 'REQUEST',
    timeZone: zone,
    organizer: { name: clinic.name, from: env.config.mailFrom },
    events: [
      {
        uid: `${appt.id}@${env.config.publicUrl.hostname}`,
        sequence: appt.sequence,
        start: new Date(appt.starts_at),
        end: new Date(appt.ends_at),
        summary: translate(lang, 'mail.booking.icsSummary', { clinic: clinic.name }),
        location: appt.mode === 'in-person' ? appt.location : '',
        description: vars.link,
        cancelled,
        url: vars.link,
      },
    ],
  });
  await env.mailer.send({
    clinicId,
    to: patient.email,
    subject: translate(lang, `mail.booking.${which}.subject`, vars),
    text: translate(lang, `mail.booking.${which}.body`, vars),
    messageId,
    attachments: [{ filename: 'appointment.ics', contentType: `text/calendar; charset=utf-8; method=${cancelled ? 'CANCEL' : 'REQUEST'}`, content: ics }],
  });
}

/**
 * "A time opened up and is held for you": the clinic, the date and time, until when, and a link; no
 * provider or visit type. Sends nothing once the hold has ended (accepted, declined, expired).
 */
export async function runWaitlistMail(job: JobRow, env: JobEnv): Promise<void> {
  const p = JSON.parse(job.payload) as { holdId: string };
  const clinicId = job.clinic_id!;
  const hold = await env.db
    .selectFrom('booking_holds as h')
    .innerJoin('booking_waitlist as w', 'w.id', 'h.entry_id')
    .select(['h.patient_id', 'h.starts_at', 'h.expires_at', 'h.status', 'w.lang'])
    .where('h.clinic_id', '=', clinicId)
    .where('h.id', '=', p.holdId)
    .executeTakeFirst();
  if (!hold) throw new PermanentJobError('hold_gone');
  if (hold.status !== 'held' || Date.parse(hold.expires_at) <= Date.now()) return;
  const clinic = await getClinic(env.db, clinicId);
  const patient = await getPatient(env.db, clinicCipher(env.keyring, clinic), hold.patient_id).catch((err: unknown) => {
    throw err instanceof AppError && err.status === 404 ? new PermanentJobError('patient_gone') : err;
  });
  const lang = appointmentLang(hold, patient.lang);
  const zone = await clinicTimeZone(env.db, clinicId);
  const until = whenText(hold.expires_at, zone, lang);
  const vars = { clinic: clinic.name, link: patientLink(clinic, env.config.publicUrl.origin), ...whenText(hold.starts_at, zone, lang), untilDate: until.date, untilTime: until.time };
  await env.mailer.send({
    clinicId,
    to: patient.email,
    subject: translate(lang, 'mail.waitlist.offer.subject', vars),
    text: translate(lang, 'mail.waitlist.offer.body', vars),
    messageId: `<${job.id}@${env.config.publicUrl.hostname}>`,
  });
}
