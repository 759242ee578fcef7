/**
 * The staff password rules (OWASP ASVS 5.0): 12 to 128 characters, any characters (spaces and any
 * Unicode), no composition rules, and not one of the commonly used passwords (checked by the server
 * against the list it ships with). The browser checks the length as the person types; the server has
 * the final word.
 */
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from './roles.js';

/** Why a password is refused: the error codes the API answers and the browser words. */
export type PasswordProblem = 'password_too_short' | 'password_too_long' | 'common_password';

/** A password's length in characters as people count them (code points, so an emoji counts once). */
export function passwordLength(password: string): number {
  return [...password].length;
}

/** The length problem of a password, or null when its length is fine. */
export function passwordLengthProblem(password: string): Extract<PasswordProblem, 'password_too_short' | 'password_too_long'> | null {
  const n = passwordLength(password);
  return n < MIN_PASSWORD_LENGTH ? 'password_too_short' : n > MAX_PASSWORD_LENGTH ? 'password_too_long' : null;
}
