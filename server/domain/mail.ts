/**
 * Outgoing e-mail. Over SMTP (nodemailer) when SMTP_URL is set; otherwise kept in the development
 * mailbox, readable by the clinic's staff in the admin. Callers never put health information in mail.
 * Nothing sends from a request: actions enqueue mail jobs (domain/notices.ts), which call a Mailer.
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
  /** Stable per job, so a resend after a crash is recognisable as the same e-mail. */
  messageId?: string;
}

/** How long SMTP may take: to connect and greet, and to answer each command. */
export interface SmtpTimeouts {
  connectMs: number;
  answerMs: number;
}

/** Sends e-mail somewhere. */
export interface Mailer {
  /** True when mail goes to the development mailbox instead of out. */
  readonly devMailbox: boolean;
  send(mail: Mail): Promise<void>;
  close(): void;
}

/**
 * Sends through an SMTP server, with timeouts: a server that accepts the connection and then says
 * nothing fails the attempt (the job is retried later) instead of holding it for minutes.
 */
export function smtpMailer(smtpUrl: string, from: string, timeouts: SmtpTimeouts = { connectMs: 10_000, answerMs: 30_000 }): Mailer {
  const transport = nodemailer.createTransport({ url: smtpUrl, connectionTimeout: timeouts.connectMs, greetingTimeout: timeouts.connectMs, socketTimeout: timeouts.answerMs, dnsTimeout: timeouts.connectMs });
  return {
    devMailbox: false,
    async send(m) {
      await transport.sendMail({ from, to: m.to, subject: m.subject, text: m.text, ...(m.messageId ? { messageId: m.messageId } : {}) });
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
