/** What every admin page has: the API client, the language, the signed-in staff member, and error handling. */
import { LitElement } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { Me } from '../shared/api.js';
import { ApiError } from '../shared/fetch-json.js';
import { translate, type MessageKey } from '../shared/i18n-all.js';
import type { Lang } from '../shared/lang.js';
import type { AdminApi } from './admin-api.js';
import type { StaffDevice } from './staff-device.js';
import { adminStyles } from './styles.js';

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

  /** The sentence shown for a failed action; pages override it to turn API error codes into catalog sentences. */
  protected describeError(err: unknown): string {
    return err instanceof ApiError && err.status === 0 ? this.t('common.offline') : err instanceof ApiError && err.status < 500 ? err.message : this.t('common.error');
  }

  /** Runs an action with a busy flag; shows the page's sentence for the error (by default the server's own) if it fails. */
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
