/**
 * A local stand-in for Twilio's Messages API on loopback: checks the path, basic auth and form body as
 * Twilio does, answers 201 with a message SID, and can be told to answer the next requests with 429,
 * 500, 400 (Twilio error 21211, invalid "To") or to hang without answering.
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';

/** Test credentials the stand-in accepts. */
export const TWILIO_SID = `AC${'0123456789abcdef'.repeat(2)}`;
export const TWILIO_TOKEN = 'standinAuthToken0123456789abcdef';
export const TWILIO_NUMBER = '+15145550100';

/** One text the stand-in accepted. */
export interface ReceivedSms {
  sid: string;
  to: string;
  from: string;
  body: string;
}

/** What the next request gets instead of a 201. */
export type Scripted = 429 | 500 | 400 | 'hang';

/** The running stand-in. */
export interface TwilioStandIn {
  /** Base URL for TWILIO_API_BASE. */
  url: string;
  /** Env for loadConfig / build(). */
  env: Record<string, string>;
  messages: ReceivedSms[];
  /** Every request seen (accepted or not). */
  requests: number;
  /** Answers the next requests, in order, this way. */
  script(...next: Scripted[]): void;
  /** Resolves once `n` texts have been accepted. */
  waitFor(n: number, timeoutMs?: number): Promise<ReceivedSms[]>;
  close(): Promise<void>;
}

/** Starts the stand-in on a free loopback port. */
export async function startTwilioStandIn(): Promise<TwilioStandIn> {
  const messages: ReceivedSms[] = [];
  const queue: Scripted[] = [];
  const hanging = new Set<http.ServerResponse>();
  const waiters: Array<() => void> = [];
  const state = { requests: 0 };
  const json = (res: http.ServerResponse, status: number, body: object) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.requests++;
      const expectedAuth = `Basic ${Buffer.from(`${TWILIO_SID}:${TWILIO_TOKEN}`).toString('base64')}`;
      if (req.method !== 'POST' || req.url !== `/2010-04-01/Accounts/${TWILIO_SID}/Messages.json`) return json(res, 404, { code: 20404, message: 'The requested resource was not found', status: 404 });
      if (req.headers.authorization !== expectedAuth) return json(res, 401, { code: 20003, message: 'Authenticate', status: 401 });
      if (!String(req.headers['content-type']).startsWith('application/x-www-form-urlencoded')) return json(res, 400, { code: 20001, message: 'Bad content type', status: 400 });
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const to = form.get('To') ?? '';
      const from = form.get('From') ?? form.get('MessagingServiceSid') ?? '';
      const body = form.get('Body') ?? '';
      if (!to || !from || !body) return json(res, 400, { code: 21604, message: 'A required parameter is missing', status: 400 });
      const next = queue.shift();
      if (next === 'hang') {
        hanging.add(res);
        return;
      }
      if (next === 429) return json(res, 429, { code: 20429, message: 'Too Many Requests', status: 429 });
      if (next === 500) return json(res, 500, { code: 20500, message: 'Internal Server Error', status: 500 });
      if (next === 400) return json(res, 400, { code: 21211, message: `The 'To' number ${to} is not a valid phone number.`, status: 400 });
      const sid = `SM${randomBytes(16).toString('hex')}`;
      messages.push({ sid, to, from, body });
      for (const w of waiters.splice(0)) w();
      json(res, 201, { sid, status: 'queued', to, from, body, account_sid: TWILIO_SID, num_segments: '1' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    env: { TWILIO_ACCOUNT_SID: TWILIO_SID, TWILIO_AUTH_TOKEN: TWILIO_TOKEN, TWILIO_FROM: TWILIO_NUMBER, TWILIO_API_BASE: url },
    messages,
    get requests() {
      return state.requests;
    },
    script: (...next) => void queue.push(...next),
    async waitFor(n, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (messages.length < n) {
        if (Date.now() > until) throw new Error(`expected ${n} texts, got ${messages.length}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100).unref();
        });
      }
      return messages;
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
