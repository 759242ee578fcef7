/**
 * E-mail notices, as jobs. An action enqueues a notice with ids only; the job builds the e-mail when
 * it runs (in the recipient's language, with no health information) and sends it through the Mailer.
 * A failure leaves the job to be retried with backoff, so an SMTP outage delays mail, never loses it.
 */
import type { Kysely } from 'kysely';
import type { Dialect } from '../db/connect.js';
import type { Database, JobRow } from '../db/schema.js';
import { translate } from '../../shared/i18n.js';
import { normalizeLang, type Lang } from '../../shared/lang.js';
import type { Config } from '../config.js';
import { clinicCipher, getClinic, patientLink } from './clinics.js';
import { AppError } from './errors.js';
import type { Keyring } from './crypto.js';
import type { Mailer } from './mail.js';
import type { SmsSender } from '../sms/sender.js';
import type { NewJob } from './jobs.js';
import type { Action } from './action.js';
import { getMessagingSettings } from './messaging-settings.js';
import { getPatient } from './patients.js';
import { staffTokenOpen } from './staff-tokens.js';

/** What a job needs to run. */
export interface JobEnv {
  db: Kysely<Database>;
  dialect: Dialect;
  keyring: Keyring;
  mailer: Mailer;
  config: Config;
  /** Sends texts; when absent, Twilio if `config.sms` is set; null: SMS unavailable. */
  sms?: SmsSender | null;
  /** Now, for jobs that act by the calendar (recurring sends); tests move it forward. Default: the real clock. */
  clock?: () => Date;
}

/** A job that must not be retried (its recipient or subject no longer exists, the code expired). */
export class PermanentJobError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

/** How long a new-message notice waits for more replies to the same patient, so a burst makes one e-mail (NOTICE_BATCH_MS). */
export const NOTICE_BATCH_MS = 2 * 60 * 1000;

/**
 * "You have a new secure message" to a patient, sent `batchMs` from now. Its dedupe key starts with
 * the patient, so a pending one can be found (`queueNewMessageNotice`), and ends with its time, so a
 * later burst gets its own.
 */
export function newMessageNotice(clinicId: string, patientId: string, batchMs = 0, now = new Date()): NewJob {
  const runAt = new Date(now.getTime() + batchMs);
  return { kind: 'mail.new-message', clinicId, payload: { patientId }, runAt, dedupeKey: `mail.new-message:${patientId}:${runAt.toISOString()}` };
}

/**
 * Leaves the notice of a staff message unless one for this patient is still waiting to go: that one
 * covers this message too. The caller holds the patient's lock (`a.lockPatient`), so on PostgreSQL a
 * concurrent reply waits for this transaction and then sees its job (read committed). `batchMs` 0
 * turns batching off: one notice per message, sent at once.
 */
export async function queueNewMessageNotice(a: Action, clinicId: string, patientId: string, batchMs: number): Promise<void> {
  if (batchMs > 0) {
    const waiting = await a.tx
      .selectFrom('jobs')
      .select('id')
      .where('clinic_id', '=', clinicId)
      .where('kind', '=', 'mail.new-message')
      .where('status', '=', 'pending')
      .where('dedupe_key', 'like', `mail.new-message:${patientId}:%`)
      .executeTakeFirst();
    if (waiting) return;
  }
  a.enqueue(newMessageNotice(clinicId, patientId, batchMs));
}

/** A sign-in code, sealed with the clinic's key while it waits in the queue. */
export const signInCodeNotice = (clinicId: string, patientId: string, sealedCode: string, lang: Lang, expiresAt: string): NewJob => ({
  kind: 'mail.sign-in-code',
  clinicId,
  payload: { patientId, code: sealedCode, lang, expiresAt },
  // A code is useless after it expires: a few quick tries, then give up.
  maxAttempts: 4,
});

/** The count-only staff digest to one staff member, once per digest period. */
export const staffDigestNotice = (clinicId: string, staffId: string, count: number, period: string): NewJob => ({
  kind: 'mail.staff-digest',
  clinicId,
  payload: { staffId, count },
  dedupeKey: `mail.staff-digest:${period}:${staffId}`,
});

/** "Your clinic asks you to fill in a questionnaire" to a patient: a link, nothing about the questionnaire. */
export const questionnaireAssignedNotice = (clinicId: string, patientId: string): NewJob => ({ kind: 'mail.questionnaire-assigned', clinicId, payload: { patientId } });

/**
 * A safety flag on a questionnaire response, to one clinician: "a response needs prompt review" and
 * a link to the admin, never the patient, the questionnaire or the answer.
 */
export const questionnaireFlagNotice = (clinicId: string, staffId: string, responseId: string): NewJob => ({
  kind: 'mail.questionnaire-flag',
  clinicId,
  payload: { staffId, responseId },
  dedupeKey: `mail.questionnaire-flag:${responseId}:${staffId}`,
});

/** The purpose a staff link's token is sealed for while its e-mail waits in the queue. */
export const STAFF_TOKEN_PURPOSE = 'staff.token';

/**
 * A one-time staff link (invitation or password reset) to e-mail: the job holds the staff member's and
 * the link's ids and the token sealed with the clinic's key, never the address.
 */
export const staffLinkNotice = (kind: 'mail.staff-invitation' | 'mail.staff-password-reset', clinicId: string, staffId: string, tokenId: string, sealedToken: string, lang: Lang): NewJob => ({
  kind,
  clinicId,
  payload: { staffId, tokenId, token: sealedToken, lang },
  // A reset link lasts 30 minutes: a few quick tries, then give up.
  ...(kind === 'mail.staff-password-reset' ? { maxAttempts: 4 } : {}),
});

const messageIdOf = (job: JobRow, env: JobEnv) => `<${job.id}@${env.config.publicUrl.hostname}>`;

async function patientOf(env: JobEnv, clinicId: string, patientId: string) {
  const clinic = await getClinic(env.db, clinicId);
  const cipher = clinicCipher(env.keyring, clinic);
  const patient = await getPatient(env.db, cipher, patientId).catch((err: unknown) => {
    // Only "no such patient" is final; a database that is briefly away is retried later.
    throw err instanceof AppError && err.status === 404 ? new PermanentJobError('patient_gone') : err;
  });
  return { clinic, cipher, patient };
}

/** Sends the e-mail a mail job describes. */
export async function runMailJob(job: JobRow, env: JobEnv): Promise<void> {
  const p = JSON.parse(job.payload) as Record<string, string | number>;
  const clinicId = job.clinic_id!;
  const messageId = messageIdOf(job, env);
  switch (job.kind) {
    case 'mail.new-message': {
      const { clinic, patient } = await patientOf(env, clinicId, String(p.patientId));
      const vars = { clinic: clinic.name, link: patientLink(clinic, env.config.publicUrl.origin) };
      await env.mailer.send({ clinicId, to: patient.email, subject: translate(patient.lang, 'mail.newMessage.subject', vars), text: translate(patient.lang, 'mail.newMessage.body', vars), messageId });
      return;
    }
    case 'mail.sign-in-code': {
      if (Date.now() >= Date.parse(String(p.expiresAt))) throw new PermanentJobError('code_expired');
      const { clinic, cipher, patient } = await patientOf(env, clinicId, String(p.patientId));
      const code = cipher.decrypt(String(p.code), 'sign-in.code');
      const lang = normalizeLang(String(p.lang));
      await env.mailer.send({ clinicId, to: patient.email, subject: translate(lang, 'mail.code.subject', { clinic: clinic.name }), text: translate(lang, 'mail.code.body', { clinic: clinic.name, code }), messageId });
      return;
    }
    case 'mail.staff-digest': {
      const staff = await env.db.selectFrom('staff').select(['email', 'disabled_at']).where('clinic_id', '=', clinicId).where('id', '=', String(p.staffId)).executeTakeFirst();
      if (!staff || staff.disabled_at) throw new PermanentJobError('staff_gone');
      const clinic = await getClinic(env.db, clinicId);
      const vars = { clinic: clinic.name, count: Number(p.count), link: `${env.config.publicUrl.origin}/admin/inbox` };
      // Staff have no language preference on file: one bilingual e-mail.
      const subject = `${translate('en', 'mail.digest.subject', vars)} / ${translate('fr', 'mail.digest.subject', vars)}`;
      const text = `${translate('en', 'mail.digest.body', vars)}\n\n---\n\n${translate('fr', 'mail.digest.body', vars)}`;
      await env.mailer.send({ clinicId, to: staff.email, subject, text, messageId });
      return;
    }
    case 'mail.questionnaire-assigned': {
      const { clinic, patient } = await patientOf(env, clinicId, String(p.patientId));
      const vars = { clinic: clinic.name, link: patientLink(clinic, env.config.publicUrl.origin) };
      await env.mailer.send({ clinicId, to: patient.email, subject: translate(patient.lang, 'mail.questionnaire.subject', vars), text: translate(patient.lang, 'mail.questionnaire.body', vars), messageId });
      return;
    }
    case 'mail.questionnaire-flag': {
      const staff = await env.db.selectFrom('staff').select(['email', 'disabled_at']).where('clinic_id', '=', clinicId).where('id', '=', String(p.staffId)).executeTakeFirst();
      if (!staff || staff.disabled_at) throw new PermanentJobError('staff_gone');
      const clinic = await getClinic(env.db, clinicId);
      const vars = { clinic: clinic.name, link: `${env.config.publicUrl.origin}/admin/questionnaires` };
      // Staff have no language preference on file: one bilingual e-mail, as for the digest.
      const subject = `${translate('en', 'mail.questionnaireFlag.subject', vars)} / ${translate('fr', 'mail.questionnaireFlag.subject', vars)}`;
      const text = `${translate('en', 'mail.questionnaireFlag.body', vars)}\n\n---\n\n${translate('fr', 'mail.questionnaireFlag.body', vars)}`;
      await env.mailer.send({ clinicId, to: staff.email, subject, text, messageId });
      return;
    }
    case 'mail.staff-invitation':
    case 'mail.staff-password-reset': {
      // A link voided meanwhile (resent, revoked, used, expired) is not sent.
      if (!p.token || !(await staffTokenOpen(env.db, String(p.tokenId)))) throw new PermanentJobError('link_void');
      const staff = await env.db.selectFrom('staff').select(['email', 'name']).where('clinic_id', '=', clinicId).where('id', '=', String(p.staffId)).executeTakeFirst();
      if (!staff) throw new PermanentJobError('staff_gone');
      const clinic = await getClinic(env.db, clinicId);
      const token = clinicCipher(env.keyring, clinic).decrypt(String(p.token), STAFF_TOKEN_PURPOSE);
      const lang = normalizeLang(String(p.lang));
      const invitation = job.kind === 'mail.staff-invitation';
      // In the fragment: it never reaches a server log or a Referer header.
      const link = `${env.config.publicUrl.origin}/admin/${invitation ? 'invitation' : 'reset-password'}#token=${token}&lang=${lang}`;
      const vars = { clinic: clinic.name, name: staff.name, link };
      const subject = translate(lang, invitation ? 'mail.invitation.subject' : 'mail.passwordReset.subject', vars);
      const text = translate(lang, invitation ? 'mail.invitation.body' : 'mail.passwordReset.body', vars);
      await env.mailer.send({ clinicId, to: staff.email, subject, text, messageId });
      return;
    }
    default:
      throw new PermanentJobError('unknown_kind');
  }
}

/**
 * The hourly digest: for each opted-in clinic with conversations waiting, one mail job per active
 * staff member. Runs as one job per hour across all instances (see jobs/schedule.ts).
 */
export async function digestJobs(env: Pick<JobEnv, 'db'>, period: string): Promise<NewJob[]> {
  const jobs: NewJob[] = [];
  const clinics = await env.db.selectFrom('clinics').select(['id']).execute();
  for (const clinic of clinics) {
    if (!(await getMessagingSettings(env.db, clinic.id)).staffDigestEmail) continue;
    const waiting = await env.db
      .selectFrom('threads')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('clinic_id', '=', clinic.id)
      .where('status', '=', 'open')
      .where('awaiting_reply_since', 'is not', null)
      .executeTakeFirstOrThrow();
    const count = Number(waiting.n);
    if (count === 0) continue;
    const staff = await env.db.selectFrom('staff').select('id').where('clinic_id', '=', clinic.id).where('disabled_at', 'is', null).execute();
    for (const s of staff) jobs.push(staffDigestNotice(clinic.id, s.id, count, period));
  }
  return jobs;
}
