/** A real SMTP server on loopback that keeps what it receives, for reading sign-in codes in tests. */
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import type { AddressInfo } from 'node:net';

/** One received e-mail. */
export interface ReceivedMail {
  to: string;
  subject: string;
  text: string;
  /** Attached files, as text (an appointment's .ics). */
  attachments: Array<{ filename: string; contentType: string; content: string }>;
}

/** The running sink. */
export interface SmtpSink {
  url: string;
  messages: ReceivedMail[];
  /** Removes and returns the oldest unread mail to `to` (whose subject matches `subject`, if given), waiting for one to arrive. */
  take(to: string, timeoutMs?: number, subject?: RegExp): Promise<ReceivedMail>;
  /** From now on, refuses recipients matching `pattern` with 550 (a mailbox that does not exist). */
  refuse(pattern: RegExp): void;
  close(): Promise<void>;
}

/** Starts the sink on a free loopback port (or the given one, to bring a "down" SMTP server up). */
export async function startSmtpSink(opts: { port?: number } = {}): Promise<SmtpSink> {
  const messages: ReceivedMail[] = [];
  const waiters: Array<() => void> = [];
  let refused: RegExp | null = null;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (refused?.test(address.address)) return callback(Object.assign(new Error(`5.1.1 <${address.address}>: Recipient address rejected: User unknown`), { responseCode: 550 }));
      callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then((mail) => {
          for (const rcpt of session.envelope.rcptTo) messages.push({
            to: rcpt.address,
            subject: mail.subject ?? '',
            text: mail.text ?? '',
            attachments: mail.attachments.map((a) => ({ filename: a.filename ?? '', contentType: a.contentType, content: a.content.toString('utf8') })),
          });
          waiters.splice(0).forEach((w) => w());
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    async take(to, timeoutMs = 5000, subject) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const i = messages.findIndex((m) => m.to === to && (!subject || subject.test(m.subject)));
        if (i >= 0) return messages.splice(i, 1)[0]!;
        if (Date.now() > deadline) throw new Error(`No e-mail to ${to}${subject ? ` about ${subject}` : ''} within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
    },
    refuse(pattern) {
      refused = pattern;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The 6-digit code in a sign-in e-mail. */
export function codeFrom(mail: ReceivedMail): string {
  const m = /\b(\d{6})\b/.exec(mail.text);
  if (!m) throw new Error('No 6-digit code in the e-mail');
  return m[1]!;
}
