/**
 * Configuration from environment variables, validated once at start. A bad value stops the server
 * with a message that names the variable, rather than failing later in some request.
 */
import path from 'node:path';
import { NOTICE_BATCH_MS } from './domain/notices.js';
import { E164, type TwilioSettings } from './sms/sender.js';

/** Everything the server reads from its environment. */
export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** PostgreSQL connection string; SQLite in `dataDir` when absent. */
  databaseUrl: string | null;
  /**
   * PostgreSQL connection string of the schema's owner, used only to run migrations when some are
   * pending, so DATABASE_URL can be a restricted role (README, "A restricted PostgreSQL role").
   */
  migrationDatabaseUrl: string | null;
  /** The origin patients' browsers reach us on; used for links, CSRF checks and cookie flags. */
  publicUrl: URL;
  /** SMTP connection string; the development mailbox when absent. */
  smtpUrl: string | null;
  mailFrom: string;
  /** 32-byte key that wraps each clinic's data key; generated into `dataDir` when absent. */
  masterKey: Buffer | null;
  /** Port of the demo clinic website (a second origin); 0 turns the demo site off. */
  demoPort: number;
  logLevel: string;
  /** SMTP timeouts: connect/greeting and per answer. */
  smtpTimeouts: { connectMs: number; answerMs: number };
  /** The job runner: first retry delay (doubling after), and how long a claim holds before another instance may take over. */
  jobs: { retryBaseMs: number; leaseMs: number };
  /** How long a patient's new-message e-mail waits to cover further replies (0: one e-mail per reply, at once). */
  noticeBatchMs: number;
  /**
   * Which reverse proxies to believe about the client's address: false (none), a number of hops
   * (the address that many entries from the right of X-Forwarded-For), or the proxies' addresses.
   */
  trustProxy: false | number | string[];
  /** Text messages through Twilio (TWILIO_*); null when not configured: SMS is then unavailable. */
  sms: TwilioSettings | null;
  /** NODE_ENV=production: development conveniences (the dev mailbox) stay off whatever else is set. */
  production: boolean;
}

/** Thrown for a bad environment variable; the message names it. */
export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

function port(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new ConfigError(`${name} must be a port number from 0 to 65535, got "${raw}"`);
  return n;
}

function url(name: string, raw: string, protocols: string[]): URL {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a valid URL: "${redact(raw)}"`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.map((p) => p + '//').join(' or ')}, got "${parsed.protocol}//"`);
  }
  return parsed;
}

/** Hides a password in a connection string before it reaches an error message. */
function redact(raw: string): string {
  return raw.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}

function masterKey(raw: string | undefined): Buffer | null {
  if (raw === undefined || raw === '') return null;
  const key = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : Buffer.from(raw, 'base64');
  if (key.length !== 32 || (!/^[0-9a-fA-F]{64}$/.test(raw) && key.toString('base64') !== raw)) {
    throw new ConfigError('MASTER_KEY must be 32 bytes as 64 hex characters or base64 (generate one: openssl rand -hex 32)');
  }
  return key;
}

function millis(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be a whole number of milliseconds from ${min} to ${max}, got "${raw}"`);
  return n;
}

/**
 * TRUST_PROXY: a hop count or a list of proxy addresses. Never "trust everything": the left of
 * X-Forwarded-For is whatever the client wrote, so believing it gives unlimited sign-in tries.
 */
function trustProxy(raw: string | undefined): Config['trustProxy'] {
  if (raw === undefined || raw === '' || raw === '0') return false;
  if (/^[1-9]$/.test(raw)) return Number(raw);
  const list = raw.split(',').map((s) => s.trim());
  if (list.every((a) => /^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(a) && a !== '')) return list;
  throw new ConfigError(`TRUST_PROXY must be the number of proxies in front of the server (1-9) or their addresses (e.g. 10.0.0.5,10.0.0.0/8), got "${raw}"`);
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/**
 * TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM all set, or none (SMS unavailable);
 * TWILIO_API_BASE (default https://api.twilio.com) and SMS_TIMEOUT_MS are optional.
 */
function twilio(env: Env): TwilioSettings | null {
  const names = ['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM'] as const;
  const set = names.filter((n) => env[n]);
  if (set.length === 0) {
    if (env.TWILIO_API_BASE) throw new ConfigError('TWILIO_API_BASE is set but TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM are not: set all three to send text messages');
    return null;
  }
  if (set.length < names.length) {
    throw new ConfigError(`Text messages need TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM together; missing: ${names.filter((n) => !env[n]).join(', ')}`);
  }
  const accountSid = env.TWILIO_ACCOUNT_SID!;
  if (!/^AC[0-9a-fA-F]{32}$/.test(accountSid)) throw new ConfigError('TWILIO_ACCOUNT_SID must be "AC" followed by 32 hexadecimal characters (the Account SID in the Twilio console)');
  const authToken = env.TWILIO_AUTH_TOKEN!;
  // Never echoed: it is a secret.
  if (!/^[0-9A-Za-z]{16,128}$/.test(authToken)) throw new ConfigError('TWILIO_AUTH_TOKEN must be the Auth Token from the Twilio console (letters and digits only)');
  const from = env.TWILIO_FROM!;
  if (!E164.test(from) && !/^MG[0-9a-fA-F]{32}$/.test(from)) {
    throw new ConfigError(`TWILIO_FROM must be the sending number in E.164 form (e.g. +15145550123) or a Messaging Service SID (MG…), got "${from}"`);
  }
  const apiBase = url('TWILIO_API_BASE', env.TWILIO_API_BASE || 'https://api.twilio.com', ['http:', 'https:']);
  if (apiBase.search || apiBase.hash) throw new ConfigError(`TWILIO_API_BASE must be a base URL with no query or fragment, got "${env.TWILIO_API_BASE}"`);
  return { accountSid, authToken, from, apiBase: apiBase.href.replace(/\/+$/, ''), timeoutMs: millis(env, 'SMS_TIMEOUT_MS', 15_000, 100, 120_000) };
}

/** Reads and checks the configuration; throws ConfigError naming the first bad variable. */
export function loadConfig(env: Env = process.env): Config {
  const p = port(env, 'PORT', 3000);
  const publicUrl = url('PUBLIC_URL', env.PUBLIC_URL || `http://localhost:${p}`, ['http:', 'https:']);
  if (publicUrl.pathname !== '/' || publicUrl.search || publicUrl.hash) {
    throw new ConfigError(`PUBLIC_URL must be an origin with no path, e.g. https://messages.example.ca, got "${env.PUBLIC_URL}"`);
  }
  const databaseUrl = env.DATABASE_URL ? url('DATABASE_URL', env.DATABASE_URL, ['postgres:', 'postgresql:']).href : null;
  const migrationDatabaseUrl = env.MIGRATION_DATABASE_URL ? url('MIGRATION_DATABASE_URL', env.MIGRATION_DATABASE_URL, ['postgres:', 'postgresql:']).href : null;
  if (migrationDatabaseUrl && !databaseUrl) throw new ConfigError('MIGRATION_DATABASE_URL is only for PostgreSQL: set DATABASE_URL too');
  const smtpUrl = env.SMTP_URL ? url('SMTP_URL', env.SMTP_URL, ['smtp:', 'smtps:']).href : null;
  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  if (env.NODE_ENV === 'production' && !smtpUrl) {
    throw new ConfigError('SMTP_URL is required when NODE_ENV=production (without it e-mail would go to the development mailbox, which is for development only)');
  }
  const mailFrom = env.MAIL_FROM || `Secure Messaging <no-reply@${publicUrl.hostname}>`;
  if (!/<?[^@\s<>]+@[^@\s<>]+>?$/.test(mailFrom)) throw new ConfigError(`MAIL_FROM must contain an e-mail address, got "${mailFrom}"`);
  return {
    port: p,
    host: env.HOST || 'localhost',
    dataDir: path.resolve(env.DATA_DIR || './data'),
    databaseUrl,
    migrationDatabaseUrl,
    publicUrl,
    smtpUrl,
    mailFrom,
    masterKey: masterKey(env.MASTER_KEY),
    demoPort: port(env, 'DEMO_PORT', p === 0 ? 0 : p + 1),
    logLevel,
    smtpTimeouts: { connectMs: millis(env, 'SMTP_CONNECT_TIMEOUT_MS', 10_000, 100, 300_000), answerMs: millis(env, 'SMTP_ANSWER_TIMEOUT_MS', 30_000, 100, 600_000) },
    jobs: { retryBaseMs: millis(env, 'JOB_RETRY_BASE_MS', 30_000, 10, 3_600_000), leaseMs: millis(env, 'JOB_LEASE_MS', 120_000, 500, 3_600_000) },
    noticeBatchMs: millis(env, 'NOTICE_BATCH_MS', NOTICE_BATCH_MS, 0, 3_600_000),
    trustProxy: trustProxy(env.TRUST_PROXY),
    sms: twilio(env),
    production: env.NODE_ENV === 'production',
  };
}
