/**
 * Password hashing with argon2id (OWASP's recommended parameters are the library's defaults), and the
 * password rules (shared/password-rules.ts): 12 to 128 characters, any characters, not a common password.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { hash, verify } from '@node-rs/argon2';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../../shared/roles.js';
import { passwordLengthProblem } from '../../shared/password-rules.js';
import { AppError } from './errors.js';

/** The list shipped with the product (see server/data/README.md for where it comes from). */
const COMMON_PASSWORDS_FILE = fileURLToPath(new URL('../data/common-passwords.txt', import.meta.url));
let common: Set<string> | null = null;

/** True when the password (ignoring case) is on the list of common passwords; the list is read once, on first use. */
export function isCommonPassword(password: string): boolean {
  common ??= new Set(
    fs
      .readFileSync(COMMON_PASSWORDS_FILE, 'utf8')
      .split('\n')
      .filter((line) => line !== ''),
  );
  return common.has(password.toLowerCase());
}

/** Refuses a password that breaks the rules, with a code the browser words (password_too_short, password_too_long, common_password). */
export function checkPassword(password: string): void {
  const length = passwordLengthProblem(password);
  if (length === 'password_too_short') throw new AppError(400, length, `A password must be at least ${MIN_PASSWORD_LENGTH} characters long`);
  if (length === 'password_too_long') throw new AppError(400, length, `A password must be at most ${MAX_PASSWORD_LENGTH} characters long`);
  if (isCommonPassword(password)) throw new AppError(400, 'common_password', 'This password is too common; choose another one');
}

/** Hashes a password after checking it against the rules. */
export async function hashPassword(password: string): Promise<string> {
  checkPassword(password);
  return hash(password);
}

// Verified against when the e-mail is unknown, so a wrong e-mail costs as long as a wrong password.
const DECOY = hash('decoy-password-never-matches');

/** True when the password matches the hash; a null (or empty: invited) hash still spends the same time. */
export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  const usable = passwordHash ? passwordHash : null;
  const ok = await verify(usable ?? (await DECOY), password).catch(() => false);
  return usable !== null && ok;
}
