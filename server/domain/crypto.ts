/**
 * Encryption at rest. Each clinic has its own random data key, stored wrapped (encrypted) by the
 * master key; health information is sealed with AES-256-GCM under the clinic key, and the ciphertext
 * is bound to its clinic and purpose (additional authenticated data), so a value copied into another
 * clinic's row or another column fails to open.
 */
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const VERSION = 'v1';

function seal(key: Buffer, plaintext: Buffer, aad: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
}

function open(key: Buffer, sealed: string, aad: string): Buffer {
  const [version, payload] = sealed.split('.');
  if (version !== VERSION || !payload) throw new Error('Unknown ciphertext format');
  const raw = Buffer.from(payload, 'base64');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
}

/** Seals and opens one clinic's data. */
export class ClinicCipher {
  readonly #key: Buffer;
  readonly #indexKey: Buffer;

  constructor(
    readonly clinicId: string,
    dataKey: Buffer,
  ) {
    this.#key = dataKey;
    this.#indexKey = Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), 'blind-index', 32));
  }

  /** Encrypts text for the named purpose (e.g. "patient.details"). */
  encrypt(plaintext: string, purpose: string): string {
    return seal(this.#key, Buffer.from(plaintext, 'utf8'), `${this.clinicId}|${purpose}`);
  }

  /** Decrypts what `encrypt` sealed for the same clinic and purpose; throws if tampered with. */
  decrypt(sealed: string, purpose: string): string {
    return open(this.#key, sealed, `${this.clinicId}|${purpose}`).toString('utf8');
  }

  /** Encrypts binary data (attachments) for the named purpose; returns text for storage. */
  encryptBytes(data: Buffer, purpose: string): string {
    return seal(this.#key, data, `${this.clinicId}|${purpose}`);
  }

  /** Decrypts what `encryptBytes` sealed. */
  decryptBytes(sealed: string, purpose: string): Buffer {
    return open(this.#key, sealed, `${this.clinicId}|${purpose}`);
  }

  /** A keyed hash for exact-match look-ups (e.g. e-mail at sign-in) without storing the value. */
  blindIndex(value: string, purpose: string): string {
    return createHmac('sha256', this.#indexKey).update(`${purpose}|${value}`).digest('base64url');
  }
}

/** Holds the master key and hands out per-clinic ciphers. One per server instance. */
export class Keyring {
  readonly #master: Buffer;
  readonly #ciphers = new Map<string, ClinicCipher>();

  constructor(masterKey: Buffer) {
    if (masterKey.length !== 32) throw new Error('The master key must be 32 bytes');
    this.#master = masterKey;
  }

  /** A fresh clinic data key, wrapped for storage. */
  newWrappedKey(clinicId: string): string {
    return seal(this.#master, randomBytes(32), `clinic-key|${clinicId}`);
  }

  /** The cipher for a clinic, given its stored wrapped key. */
  forClinic(clinicId: string, wrappedKey: string): ClinicCipher {
    let cipher = this.#ciphers.get(clinicId);
    if (!cipher) {
      cipher = new ClinicCipher(clinicId, open(this.#master, wrappedKey, `clinic-key|${clinicId}`));
      this.#ciphers.set(clinicId, cipher);
    }
    return cipher;
  }

  /** A secret derived from the master key for a named use (e.g. hashing sign-in codes). */
  derive(purpose: string): Buffer {
    return Buffer.from(hkdfSync('sha256', this.#master, Buffer.alloc(0), purpose, 32));
  }
}

/**
 * The master key from configuration or, failing that, from `master.key` in the data folder,
 * generated there (mode 0600) on first start unless `mayGenerate` is false (the database already holds
 * data: null then). Returns whether it was generated, so start-up can say so.
 */
export function loadOrCreateMasterKey(configured: Buffer | null, dataDir: string, opts: { mayGenerate: boolean } = { mayGenerate: true }): { key: Buffer; source: 'env' | 'file' | 'generated'; file?: string } | null {
  if (configured) return { key: configured, source: 'env' };
  const file = path.join(dataDir, 'master.key');
  if (fs.existsSync(file)) {
    const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'hex');
    if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte hex key`);
    return { key, source: 'file', file };
  }
  if (!opts.mayGenerate) return null;
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  fs.writeFileSync(file, key.toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
  return { key, source: 'generated', file };
}
