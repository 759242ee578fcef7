/**
 * Text messages (SMS). One interface, one real adapter: Twilio's REST API. When Twilio is not
 * configured there is no sender at all (SMS is unavailable and sends by text are refused); there is
 * no pretend sender. Errors carry a code that is safe to store and log: never the number or the body.
 */

/** One text to send: an E.164 number and the body (never health information). */
export interface Sms {
  to: string;
  body: string;
}

/** Sends text messages somewhere real. */
export interface SmsSender {
  /** The provider's name, for the admin ("twilio"). */
  readonly provider: string;
  /** Sends one text; resolves with the provider's id for it, or throws an SmsError. */
  send(sms: Sms): Promise<{ providerId: string }>;
}

/** A send that did not happen. `code` is short and data-free (e.g. "sms_http_429", "sms_timeout"). */
export class SmsError extends Error {
  constructor(
    readonly code: string,
    /** True when trying again later may work (rate limit, provider outage, timeout, network). */
    readonly retryable: boolean,
  ) {
    super(code);
    this.name = retryable ? 'SmsRetryableError' : 'SmsPermanentError';
  }
}

/** Twilio account settings (TWILIO_* environment variables). */
export interface TwilioSettings {
  accountSid: string;
  authToken: string;
  /** The sending number (E.164) or a Messaging Service SID (MG…). */
  from: string;
  /** https://api.twilio.com, or a local stand-in in tests. */
  apiBase: string;
  /** How long one request may take before the attempt fails (retryable). */
  timeoutMs: number;
}

/** Twilio's answer to a created message (only what we read). */
interface TwilioMessage {
  sid?: unknown;
  code?: unknown;
}

/** Sends through Twilio's Messages API: POST /2010-04-01/Accounts/{sid}/Messages.json, basic auth, form body. */
export function twilioSender(s: TwilioSettings): SmsSender {
  const url = `${s.apiBase.replace(/\/+$/, '')}/2010-04-01/Accounts/${encodeURIComponent(s.accountSid)}/Messages.json`;
  const auth = `Basic ${Buffer.from(`${s.accountSid}:${s.authToken}`).toString('base64')}`;
  return {
    provider: 'twilio',
    async send({ to, body }) {
      const form = new URLSearchParams({ To: to, Body: body, [s.from.startsWith('MG') ? 'MessagingServiceSid' : 'From']: s.from });
      let res: Response;
      try {
        res = await fetch(url, {
          method: 'POST',
          headers: { authorization: auth, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
          body: form.toString(),
          signal: AbortSignal.timeout(s.timeoutMs),
        });
      } catch (err) {
        const name = (err as { name?: string })?.name;
        throw new SmsError(name === 'TimeoutError' || name === 'AbortError' ? 'sms_timeout' : 'sms_network', true);
      }
      let answer: TwilioMessage = {};
      try {
        answer = (await res.json()) as TwilioMessage;
      } catch (err) {
        if ((err as { name?: string })?.name === 'TimeoutError') throw new SmsError('sms_timeout', true);
        // A body that is not JSON: judged by the status alone.
      }
      if (res.status === 200 || res.status === 201) {
        // Accepted but unreadable: sending again could text the patient twice, so it is not retried (staff can resend).
        if (typeof answer.sid !== 'string' || answer.sid === '') throw new SmsError('sms_bad_answer', false);
        return { providerId: answer.sid };
      }
      // Twilio's own error number (e.g. 21211 invalid "To") says why without quoting anything.
      const detail = typeof answer.code === 'number' ? `_${answer.code}` : '';
      // 429 and 5xx pass; anything else (400 bad number, 401 bad credentials, 404) will not.
      const retryable = res.status === 429 || res.status === 408 || res.status >= 500;
      throw new SmsError(`sms_http_${res.status}${detail}`, retryable);
    },
  };
}

/** A strict E.164 number (the same rule as patients' mobile numbers). */
export { MOBILE_PATTERN as E164 } from '../../shared/mobile.js';
