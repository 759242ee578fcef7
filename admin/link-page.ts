/**
 * What the signed-out pages opened from an e-mailed link share (set a password from an invitation or
 * a reset): the token from the link's fragment (removed from the address bar at once), screens with
 * the focus moved to their heading, and the new-password field's state.
 */
import { css, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { ApiError } from '../shared/fetch-json.js';
import { AdminPage } from './admin-page.js';
import { newPasswordField, passwordErrorText, passwordLengthError } from './password-field.js';

/** The screens of a link page. */
export type LinkScreen = 'checking' | 'form' | 'invalid' | 'expired' | 'missing' | 'done' | 'sent';

/** The token in a link's fragment (`#token=…`), or null. */
export function tokenFromLocation(): string | null {
  const m = /(?:^#|&)token=([A-Za-z0-9_-]{20,100})(?:&|$)/.exec(location.hash);
  return m ? m[1]! : null;
}

/** Base of the pages opened from an e-mailed link (not an element itself). */
export class LinkPage extends AdminPage {
  static styles = [
    ...AdminPage.styles,
    css`
      main {
        max-width: 32rem;
        margin: 3rem auto;
      }
    `,
  ];

  /** The link's token; read from the fragment when not given. */
  @property({ attribute: false }) token: string | null = null;
  @state() protected screen: LinkScreen = 'checking';
  @state() protected password = '';
  @state() protected show = false;
  @state() protected passwordRefused = false;

  connectedCallback(): void {
    super.connectedCallback();
    this.token ??= tokenFromLocation();
    // The token must not stay in the address bar or the history.
    if (location.hash) history.replaceState(history.state, '', location.pathname);
  }

  protected updated(changed: PropertyValues<this>): void {
    // Each new screen is announced by moving the focus to its heading.
    if (changed.has('screen' as keyof LinkPage)) this.renderRoot.querySelector<HTMLElement>('h1')?.focus();
  }

  /** Asks the server about the link with `check`; its answer goes to `use` and the form shows, or the refusal's screen does. */
  protected checkLink<T>(check: (token: string) => Promise<T>, use: (info: T) => void): void {
    if (!this.token) {
      this.screen = 'missing';
      return;
    }
    void check(this.token).then(
      (info) => {
        use(info);
        this.screen = 'form';
      },
      (err: unknown) => {
        this.screen = this.linkScreen(err) ?? 'form';
        if (this.screen === 'form') this.error = this.describeError(err);
      },
    );
  }

  /** The screen for a link the server refused, or null for another error. */
  protected linkScreen(err: unknown): LinkScreen | null {
    if (!(err instanceof ApiError)) return null;
    return err.code === 'link_expired' ? 'expired' : err.code === 'link_invalid' ? 'invalid' : null;
  }

  /** Words an error of the set-password request; returns the screen to switch to, if any. */
  protected describeError(err: unknown): string {
    const password = passwordErrorText((k, v) => this.t(k, v), err);
    if (password) return password;
    if (err instanceof ApiError && err.status === 429) return this.t('admin.forgot.rateLimited');
    return err instanceof ApiError && err.status === 0 ? this.t('common.offline') : this.t('common.error');
  }

  /** Checks the length before sending; shows the problem and keeps the focus on the field. */
  protected lengthOk(): boolean {
    const problem = passwordLengthError((k, v) => this.t(k, v), this.password);
    this.error = problem;
    this.passwordRefused = problem !== null;
    if (problem) this.renderRoot.querySelector<HTMLInputElement>('#password')?.focus();
    return problem === null;
  }

  /** Sends the new password with `send`; a refused link switches screens, a refused password stays on the form. */
  protected async setPassword(send: () => Promise<void>): Promise<void> {
    if (this.busy || !this.lengthOk()) return;
    this.busy = true;
    try {
      await send();
    } catch (err) {
      const screen = this.linkScreen(err);
      if (screen) this.screen = screen;
      else {
        this.error = this.describeError(err);
        this.passwordRefused = passwordErrorText((k, v) => this.t(k, v), err) !== null;
      }
    } finally {
      this.busy = false;
    }
  }

  protected passwordField(username: string) {
    return newPasswordField({
      t: (k, v) => this.t(k, v),
      value: this.password,
      show: this.show,
      invalid: this.passwordRefused,
      username,
      onInput: (v) => ((this.password = v), (this.passwordRefused = false)),
      onShow: (v) => (this.show = v),
    });
  }
}
