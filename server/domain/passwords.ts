/** Password hashing with argon2id (OWASP's recommended parameters are the library's defaults). */
import { hash, verify } from '@node-rs/argon2';
import { MIN_PASSWORD_LENGTH } from '../../shared/roles.js';
import { AppError } from './errors.js';

/** Hashes a password after checking its length. */
export async function hashPassword(password: string): Promise<string> {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new AppError(400, 'weak_password', `A password must be at least ${MIN_PASSWORD_LENGTH} characters long`);
  }
  return hash(password);
}

// Verified against when the e-mail is unknown, so a wrong e-mail costs as long as a wrong password.
const DECOY = hash('decoy-password-never-matches');

/** True when the password matches the hash; a null hash still spends the same time. */
export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  const ok = await verify(passwordHash ?? (await DECOY), password).catch(() => false);
  return passwordHash !== null && ok;
}
