/** What every admin page has: the API client, the language, the signed-in staff member, and error handling. */
import { LitElement } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { Me } from '../shared/api.js';
import { describeFailure } from '../shared/error-text.js';
import { ApiError } from '../shared/fetch-json.js';
import { translate, type MessageKey } from '../shared/i18n-all.js';
import type { Lang } from '../shared/lang.js';
import type { AdminApi } from './admin-api.js';
import type { StaffDevice } from './staff-device.js';
import { adminStyles } from './styles.js';

/**
 * Refusals any admin page may meet, worded in the admin's catalog (a page may word its own codes more
 * closely); the rest are the shared refusals, and an unknown code the generic sentence.
 */
const ADMIN_REFUSALS: Record<string, MessageKey> = {
  email_taken: 'admin.error.emailTaken',
  link_invalid: 'admin.link.invalid',
  link_expired: 'admin.link.expired',
  last_admin: 'admin.staff.error.lastAdmin',
  not_invited: 'admin.staff.error.notInvited',
  not_booked: 'admin.booking.error.notBooked',
  invalid_range: 'admin.booking.error.invalidRange',
  slot_taken: 'admin.calendar.error.slotTaken',
  slot_unavailable: 'admin.calendar.error.slotGone',
  booking_closed: 'admin.calendar.error.closed',
  not_started: 'admin.calendar.error.notStarted',
  request_decided: 'admin.requests.decided',
  two_factor_setup_first: 'admin.twoFactor.error.setupFirst',
  totp_active: 'admin.twoFactor.error.totpActive',
  totp_not_started: 'admin.twoFactor.error.totpNotStarted',
  no_second_factor: 'admin.twoFactor.error.noSecondFactor',
  reauthentication_required: 'admin.twoFactor.error.reauthenticate',
  passkey_exists: 'admin.twoFactor.error.passkeyExists',
};

/** Base class of the admin's pages (not an element itself). */
export class AdminPage extends LitElement {
  static styles = [adminStyles];

  @property({ attribute: false }) api!: AdminApi;
  @property({ attribute: false }) me!: Me;
  @property() lang: Lang = 'en';
  /** Live thread events (`sm-thread-event`, detail `{ threadId, author, kind }`) from the shell's one SSE stream. */
  @property({ attribute: false }) live: EventTarget | null = null;
  /** The on-device outbox (replies written offline); null until the shell has opened it. */
  @property({ attribute: false }) device: StaffDevice | null = null;
  /** Parameters of the route that shows this page (e.g. a thread id). */
  @property({ attribute: false }) routeParams: Record<string, string> = {};

  @state() protected busy = false;
  @state() protected error: string | null = null;
  @state() protected status: string | null = null;

  protected t(key: MessageKey, vars?: Record<string, string | number>): string {
    return translate(this.lang, key, vars);
  }

  /**
   * The sentence shown for a failed action, in the reader's language: pages override it for their own
   * codes; the rest are worded from the shared refusals (the server's English message is never shown).
   */
  protected describeError(err: unknown): string {
    const own = err instanceof ApiError ? ADMIN_REFUSALS[err.code] : undefined;
    return own ? this.t(own) : describeFailure(this.lang, err);
  }

  /** Runs an action with a busy flag; shows the page's sentence for the error if it fails. */
  protected async run(action: () => Promise<void>, success?: string): Promise<boolean> {
    this.busy = true;
    this.error = null;
    this.status = null;
    try {
      await action();
      if (success) this.status = success;
      return true;
    } catch (err) {
      this.error = this.describeError(err);
      return false;
    } finally {
      this.busy = false;
    }
  }
}
