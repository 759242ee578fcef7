/**
 * Outgoing e-mail. Over SMTP (nodemailer) when SMTP_URL is set; otherwise kept in the development
 * mailbox, readable by the clinic's staff in the admin. Callers never put health information in mail.
 */
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { MailItem } from '../../shared/api.js';

/** One e-mail to send. */
export interface Mail {
  clinicId: string | null;
  to: string;
  subject: string;
  text: string;
}

/** Sends e-mail somewhere. */
export interface Mailer {
  /** True when mail goes to the development mailbox instead of out. */
  readonly devMailbox: boolean;
  send(mail: Mail): Promise<void>;
  close(): void;
}

/** Sends through an SMTP server. */
export function smtpMailer(smtpUrl: string, from: string): Mailer {
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    devMailbox: false,
    async send(m) {
      await transport.sendMail({ from, to: m.to, subject: m.subject, text: m.text });
    },
    close: () => transport.close(),
  };
}

/** Keeps mail in the database for the dev mailbox page. */
export function devMailer(db: Kysely<Database>): Mailer {
  return {
    devMailbox: true,
    async send(m) {
      await db
        .insertInto('dev_mail')
        .values({ id: randomUUID(), clinic_id: m.clinicId, to_address: m.to, subject: m.subject, text: m.text, created_at: new Date().toISOString() })
        .execute();
    },
    close: () => undefined,
  };
}

/** The clinic's development mailbox, newest first. */
export async function listDevMail(db: Kysely<Database>, clinicId: string, limit = 100): Promise<MailItem[]> {
  const rows = await db.selectFrom('dev_mail').selectAll().where('clinic_id', '=', clinicId).orderBy('created_at', 'desc').limit(limit).execute();
  return rows.map((r) => ({ id: r.id, to: r.to_address, subject: r.subject, text: r.text, createdAt: r.created_at }));
}
