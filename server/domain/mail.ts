/**
 * Outgoing e-mail. Over SMTP (nodemailer) when SMTP_URL is set; otherwise kept in the development
 * mailbox (never in production), readable by the clinic's administrators in the admin. Callers never put health information in mail.
 * Nothing sends from a request: actions enqueue mail jobs (domain/notices.ts), which call a Mailer.
 */
import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { MailItem } from '../../shared/api.js';
import { ClinicCipher, type Keyring } from './crypto.js';

/** One e-mail to send. */
export interface Mail {
  clinicId: string | null;
  to: string;
  subject: string;
  text: string;
  /** Stable per job, so a resend after a crash is recognisable as the same e-mail. */
  messageId?: string;
  /** Files to attach (an appointment's .ics); never health information beyond what the text may say. */
  attachments?: MailAttachment[];
}

/** A file attached to an e-mail. */
export interface MailAttachment {
  filename: string;
  contentType: string;
  content: string;
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
      await transport.sendMail({ from, to: m.to, subject: m.subject, text: m.text, ...(m.messageId ? { messageId: m.messageId } : {}), ...(m.attachments?.length ? { attachments: m.attachments } : {}) });
    },
    close: () => transport.close(),
  };
}

/**
 * The development mailbox's seal: its mail holds live sign-in codes and addresses, so it is
 * encrypted at rest like everything else, with a key derived from the master key.
 */
function devMailCipher(keyring: Keyring): ClinicCipher {
  return new ClinicCipher('dev-mail', keyring.derive('dev-mail'));
}

/** Keeps mail, sealed, in the database for the dev mailbox page. */
export function devMailer(db: Kysely<Database>, keyring: Keyring): Mailer {
  const cipher = devMailCipher(keyring);
  return {
    devMailbox: true,
    async send(m) {
      const id = randomUUID();
      const seal = (value: string, field: string) => cipher.encrypt(value, `${id}|${field}`);
      await db
        .insertInto('dev_mail')
        .values({ id, clinic_id: m.clinicId, to_address: seal(m.to, 'to'), subject: seal(m.subject, 'subject'), text: seal(m.text + (m.attachments ?? []).map((f) => `\n\n--- ${f.filename} (${f.contentType}) ---\n${f.content}`).join(''), 'text'), created_at: new Date().toISOString() })
        .execute();
    },
    close: () => undefined,
  };
}

/** The clinic's development mailbox, newest first. */
export async function listDevMail(db: Kysely<Database>, keyring: Keyring, clinicId: string, limit = 100): Promise<MailItem[]> {
  const cipher = devMailCipher(keyring);
  const rows = await db.selectFrom('dev_mail').selectAll().where('clinic_id', '=', clinicId).orderBy('created_at', 'desc').limit(limit).execute();
  const open = (id: string, value: string, field: string) => {
    try {
      return cipher.decrypt(value, `${id}|${field}`);
    } catch {
      return '(unreadable: kept under another master key)';
    }
  };
  return rows.map((r) => ({ id: r.id, to: open(r.id, r.to_address, 'to'), subject: open(r.id, r.subject, 'subject'), text: open(r.id, r.text, 'text'), createdAt: r.created_at }));
}
