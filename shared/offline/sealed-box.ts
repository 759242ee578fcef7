/**
 * Encryption of what a device keeps (outbox, drafts): each record gets its own AES-256-GCM key,
 * stored wrapped with the session's RSA-OAEP public key. Writing needs only the public key (kept on
 * the device); reading needs the private key, which the server releases to the live session alone
 * and which is only ever held in memory, non-extractable.
 */

/** One encrypted record as stored in IndexedDB. */
export interface SealedBox {
  iv: Uint8Array;
  /** The record's AES key, wrapped with the device public key. */
  key: ArrayBuffer;
  data: ArrayBuffer;
}

const RSA = { name: 'RSA-OAEP', hash: 'SHA-256' } as const;

const fromBase64 = (b64: string): Uint8Array<ArrayBuffer> => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));

/** The public half (base64 SPKI) as a key that can only wrap. */
export function importPublicKey(spki: string): Promise<CryptoKey> {
  return crypto.subtle.importKey('spki', fromBase64(spki), RSA, false, ['wrapKey']);
}

/** The private half (base64 PKCS#8) as a non-extractable key that can only unwrap. */
export function importPrivateKey(pkcs8: string): Promise<CryptoKey> {
  return crypto.subtle.importKey('pkcs8', fromBase64(pkcs8), RSA, false, ['unwrapKey']);
}

/** Encrypts any JSON value for this device. */
export async function seal(publicKey: CryptoKey, value: unknown): Promise<SealedBox> {
  const aes = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, true, ['encrypt']);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, aes, new TextEncoder().encode(JSON.stringify(value)));
  return { iv, key: await crypto.subtle.wrapKey('raw', aes, publicKey, RSA), data };
}

/** Decrypts what `seal` produced; throws if the key is not this session's or the box was altered. */
export async function open<T>(privateKey: CryptoKey, box: SealedBox): Promise<T> {
  const aes = await crypto.subtle.unwrapKey('raw', box.key, privateKey, RSA, { name: 'AES-GCM' }, false, ['decrypt']);
  const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: box.iv as Uint8Array<ArrayBuffer> }, aes, box.data);
  return JSON.parse(new TextDecoder().decode(plain)) as T;
}
