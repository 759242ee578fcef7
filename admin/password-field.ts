/**
 * The "new password" field of the set-password pages (invitation, reset): the rule shown up front,
 * the length counted as the person types (both tied to the input with aria-describedby), a "show"
 * switch, and the server's refusal codes worded in the reader's language. The server has the final word.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { ApiError } from '../shared/fetch-json.js';
import type { MessageKey } from '../shared/i18n-all.js';
import { passwordLength, passwordLengthProblem } from '../shared/password-rules.js';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from '../shared/roles.js';

type T = (key: MessageKey, vars?: Record<string, string | number>) => string;
const LIMITS = { min: MIN_PASSWORD_LENGTH, max: MAX_PASSWORD_LENGTH };
const CODES = ['password_too_short', 'password_too_long', 'common_password'] as const;

/** The sentence for a password the server (or the length check) refused, or null for another error. */
export function passwordErrorText(t: T, err: unknown): string | null {
  const code = err instanceof ApiError ? err.code : typeof err === 'string' ? err : null;
  return CODES.find((c) => c === code) ? t(`password.error.${code as (typeof CODES)[number]}`, LIMITS) : null;
}

/** The length problem to show before sending, worded, or null when the length is fine. */
export function passwordLengthError(t: T, password: string): string | null {
  const problem = passwordLengthProblem(password);
  return problem ? t(`password.error.${problem}`, LIMITS) : null;
}

/** The field, its rule and its live length count. `username` (the account's e-mail) helps password managers. */
export function newPasswordField(o: { t: T; value: string; show: boolean; invalid: boolean; username: string; onInput: (value: string) => void; onShow: (show: boolean) => void }): TemplateResult {
  const n = passwordLength(o.value);
  const count = n > MAX_PASSWORD_LENGTH ? o.t('password.countTooLong', { count: n, ...LIMITS }) : n >= MIN_PASSWORD_LENGTH ? o.t('password.countOk', { count: n }) : o.t('password.count', { count: n, ...LIMITS });
  return html`<input type="email" name="username" autocomplete="username" .value=${o.username} hidden readonly />
    <p id="password-rule">${o.t('password.rule', LIMITS)}</p>
    <label
      >${o.t('password.label')}
      <input
        id="password"
        name="password"
        type=${o.show ? 'text' : 'password'}
        autocomplete="new-password"
        required
        aria-describedby="password-rule password-count"
        aria-invalid=${o.invalid ? 'true' : nothing}
        .value=${o.value}
        @input=${(e: Event) => o.onInput((e.target as HTMLInputElement).value)}
    /></label>
    <p id="password-count" class="muted">${count}</p>
    <label class="check"><input type="checkbox" .checked=${o.show} @change=${(e: Event) => o.onShow((e.target as HTMLInputElement).checked)} /> ${o.t('password.show')}</label>`;
}
