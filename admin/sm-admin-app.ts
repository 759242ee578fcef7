/**
 * @summary The admin SPA: sign-in, then a shell with navigation, a language switch and the routed page.
 * Routes are /admin/<page>; each page gets the API client, the language and the staff member as properties.
 */
import { LitElement, css, html, nothing } from 'lit';
import { state, query } from 'lit/decorators.js';
import { Router, type Commands, type Route } from '@vaadin/router';
import type { Me } from '../shared/api.js';
import { defineOnce } from '../shared/define-once.js';
import { translate, type MessageKey } from '../shared/i18n-all.js';
import { normalizeLang, type Lang } from '../shared/lang.js';
import { DeviceVault } from '../shared/offline/device-vault.js';
import '../shared/offline/sm-app-status.js';
import { AdminApi } from './admin-api.js';
import type { AdminPage } from './admin-page.js';
import { STAFF_DEVICE_NAME, startStaffDevice, type StaffDevice } from './staff-device.js';
import { adminStyles } from './styles.js';
import './pages/sm-login-page.js';
import './pages/sm-inbox-page.js';
import './pages/sm-new-thread-page.js';
import './pages/sm-thread-page.js';
import './pages/sm-not-found-page.js';
import './pages/sm-accept-invitation-page.js';
import './pages/sm-forgot-password-page.js';
import './pages/sm-reset-password-page.js';

interface NavItem {
  path: string;
  tag: string;
  label: MessageKey;
  /** Shown only when true for the signed-in staff member. */
  visible: (me: Me) => boolean;
  /** The page's own chunk, fetched when first opened: the first load carries only the inbox and a conversation. */
  load?: () => Promise<unknown>;
}

const NAV: NavItem[] = [
  { path: '/admin/inbox', tag: 'sm-inbox-page', label: 'admin.nav.inbox', visible: () => true },
  { path: '/admin/patients', tag: 'sm-patients-page', label: 'admin.nav.patients', visible: () => true, load: () => import('./pages/sm-patients-page.js') },
  { path: '/admin/questionnaires', tag: 'sm-questionnaires-page', label: 'admin.nav.questionnaires', visible: () => true, load: () => import('./pages/sm-questionnaires-page.js') },
  { path: '/admin/settings', tag: 'sm-settings-page', label: 'admin.nav.settings', visible: () => true, load: () => import('./pages/sm-settings-page.js') },
  { path: '/admin/staff', tag: 'sm-staff-page', label: 'admin.nav.staff', visible: (me) => me.staff.role === 'admin', load: () => import('./pages/sm-staff-page.js') },
  { path: '/admin/audit', tag: 'sm-audit-page', label: 'admin.nav.audit', visible: (me) => me.staff.role === 'admin', load: () => import('./pages/sm-audit-page.js') },
  { path: '/admin/outgoing-mail', tag: 'sm-outgoing-mail-page', label: 'admin.nav.outgoing', visible: (me) => me.staff.role === 'admin', load: () => import('./pages/sm-outgoing-mail-page.js') },
  { path: '/admin/messaging', tag: 'sm-messaging-settings-page', label: 'admin.nav.messaging', visible: () => true, load: () => import('./pages/sm-messaging-settings-page.js') },
  { path: '/admin/booking', tag: 'sm-booking-page', label: 'admin.nav.booking', visible: () => true, load: () => import('./pages/sm-booking-page.js') },
  { path: '/admin/calendar', tag: 'sm-calendar-page', label: 'admin.nav.calendar', visible: () => true, load: () => import('./pages/sm-calendar-page.js') },
  { path: '/admin/booking-requests', tag: 'sm-booking-requests-page', label: 'admin.nav.bookingRequests', visible: () => true, load: () => import('./pages/sm-booking-requests-page.js') },
  { path: '/admin/embed', tag: 'sm-embed-page', label: 'admin.nav.embed', visible: () => true, load: () => import('./pages/sm-embed-page.js') },
  { path: '/admin/mailbox', tag: 'sm-mailbox-page', label: 'admin.nav.mailbox', visible: (me) => me.devMailbox, load: () => import('./pages/sm-mailbox-page.js') },
  { path: '/admin/account', tag: 'sm-account-page', label: 'admin.nav.account', visible: () => true, load: () => import('./pages/sm-account-page.js') },
];

/** The pages a session may show: only "My account" while the clinic's two-factor requirement waits for enrolment. */
const navFor = (me: Me) => NAV.filter((n) => (me.enrolmentRequired ? n.tag === 'sm-account-page' : n.visible(me)));
/** Signed-out pages, opened from the sign-in page or an e-mailed link; shown whoever is signed in. */
const LINK_PAGES: Record<string, 'sm-accept-invitation-page' | 'sm-forgot-password-page' | 'sm-reset-password-page'> = {
  '/admin/invitation': 'sm-accept-invitation-page',
  '/admin/forgot-password': 'sm-forgot-password-page',
  '/admin/reset-password': 'sm-reset-password-page',
};

const LANG_KEY = 'sm-admin-lang';
/** Who was signed in (staff name and clinic, no patient data), so the shell can open offline. */
const ME_KEY = 'sm-admin-me';

function remember(me: Me | null): void {
  try {
    if (me) localStorage.setItem(ME_KEY, JSON.stringify(me));
    else localStorage.removeItem(ME_KEY);
  } catch {
    // storage blocked: the admin then needs the network to open
  }
}

function remembered(): Me | null {
  try {
    return JSON.parse(localStorage.getItem(ME_KEY) ?? 'null') as Me | null;
  } catch {
    return null;
  }
}

function storedLang(): Lang {
  // A link from an e-mail says which language the e-mail was in.
  const fromLink = /[#&]lang=(en|fr)\b/.exec(location.hash);
  if (fromLink) return fromLink[1] as Lang;
  try {
    return normalizeLang(localStorage.getItem(LANG_KEY) ?? navigator.language);
  } catch {
    return normalizeLang(navigator.language);
  }
}

export class SmAdminApp extends LitElement {
  static styles = [
    adminStyles,
    css`
      .skip {
        position: absolute;
        left: -999px;
      }
      /* A printed page (a response's print view) is the page alone, without the shell around it. */
      @media print {
        .skip,
        header,
        nav,
        sm-app-status {
          display: none;
        }
      }
      .skip:focus {
        left: 1rem;
        top: 1rem;
        background: #fff;
        padding: 0.5rem;
        z-index: 1;
      }
      header {
        display: flex;
        flex-wrap: wrap;
        gap: 1rem;
        align-items: center;
        justify-content: space-between;
        padding: 0.75rem 1.5rem;
        background: #0b3d55;
        color: #fff;
      }
      header .brand {
        font-weight: 700;
        font-size: 1.1rem;
      }
      header label {
        display: flex;
        align-items: center;
        gap: 0.5rem;
        font-weight: normal;
      }
      header button {
        border-color: #fff;
      }
      nav ul {
        display: flex;
        flex-wrap: wrap;
        gap: 0.25rem;
        list-style: none;
        margin: 0;
        padding: 0.5rem 1.5rem;
        background: #e1e8ef;
      }
      nav a {
        display: inline-block;
        padding: 0.4rem 0.75rem;
        color: #0b3d55;
        border-radius: 4px;
      }
      nav a[aria-current='page'] {
        background: #0b3d55;
        color: #fff;
      }
      .badge {
        background: #b3261e;
        color: #fff;
        border-radius: 1rem;
        padding: 0 0.5rem;
        font-size: 0.85em;
      }
      main {
        padding: 1.5rem;
        max-width: 72rem;
      }
    `,
  ];

  @state() private me: Me | null = null;
  @state() private checked = false;
  @state() private uiLang: Lang = storedLang();
  @state() private path = location.pathname;
  @state() private endedNotice = false;
  /** Patient messages that arrived while the inbox was not on screen. */
  @state() private newMessages = 0;
  /** A questionnaire response raised a safety flag since the Questionnaires page was last opened. */
  @state() private safetyFlag = false;
  /** Set when a new deployment waits: calling it switches to it. */
  @state() applyUpdate: (() => void) | null = null;
  @state() private device: StaffDevice | null = null;
  @state() private storageProblem = false;
  @state() private outdated = false;
  private events: EventSource | null = null;
  /** Where the one SSE stream's events are passed on to pages (one stream per tab, not one per page). */
  private readonly live = new EventTarget();
  @query('#outlet') private outlet?: HTMLElement;
  private readonly api = new AdminApi();
  private router: Router | null = null;
  /** The page the router showed last. */
  private shownPage: Element | null = null;
  /** False until the first page after the document loaded: that one leaves the focus where the browser put it. */
  private focusPages = false;
  private readonly onLocation = () => {
    this.path = location.pathname;
    if (this.path.startsWith('/admin/inbox')) this.newMessages = 0;
    if (this.path.startsWith('/admin/questionnaires')) this.safetyFlag = false;
    // The router says where it goes before it attaches the page: it is there once `ready` settles.
    void this.router?.ready.then(() => this.pageShown(), () => undefined);
  };

  /**
   * After a screen change: the tab's title names the page, and keyboard and screen-reader users land
   * on its heading (not on the link they followed), unless the page already moved the focus itself.
   */
  private async pageShown() {
    const page = this.outlet?.firstElementChild as AdminPage | null;
    if (!page || page === this.shownPage) return;
    const moveFocus = this.focusPages;
    this.shownPage = page;
    this.focusPages = true;
    await page.updateComplete;
    const heading = page.shadowRoot?.querySelector<HTMLElement>('h1');
    const clinic = this.me?.clinic.name;
    document.title = [heading?.textContent?.trim(), clinic, this.t('admin.title')].filter(Boolean).join(' · ');
    if (!moveFocus || !heading || page.shadowRoot?.activeElement) return;
    if (!heading.hasAttribute('tabindex')) heading.tabIndex = -1;
    heading.focus();
  }

  connectedCallback(): void {
    super.connectedCallback();
    document.documentElement.lang = this.uiLang;
    this.api.onSessionEnded = () => void this.signedOut(true);
    this.api.onTwoFactorRequired = () => void this.refreshMe();
    window.addEventListener('vaadin-router-location-changed', this.onLocation);
    // Opened on a conversation: its read starts now, beside who is signed in, not after it.
    const thread = /^\/admin\/inbox\/([0-9a-fA-F-]{36})$/.exec(location.pathname)?.[1];
    if (thread) this.api.prefetchThread(thread);
    void this.api
      .me()
      .then((me) => {
        if (!me) void DeviceVault.destroy(STAFF_DEVICE_NAME); // an ended session's leftovers
        remember(me);
        this.me = me;
      })
      // Offline: open the shell for whoever was signed in; pages say they are offline.
      .catch(() => (this.me = remembered()))
      .finally(() => (this.checked = true));
  }

  /** The device session, for the service worker's "send your outbox now". */
  get deviceSession(): StaffDevice | null {
    return this.device;
  }

  private async startDevice() {
    const device = await startStaffDevice(this.api);
    device.addEventListener('session-ended', () => void this.signedOut(true));
    device.addEventListener('storage-failed', () => (this.storageProblem = true));
    device.addEventListener('versionchange', () => (this.outdated = true));
    this.storageProblem = device.vault.storageProblem !== null;
    this.device = device;
    const current = this.outlet?.firstElementChild as AdminPage | null;
    if (current) current.device = device;
  }

  disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('vaadin-router-location-changed', this.onLocation);
    this.router?.unsubscribe();
    this.events?.close();
  }

  /** Re-reads who is signed in (a factor was added or removed, or the server says enrolment comes first). */
  private async refreshMe() {
    const me = await this.api.me().catch(() => null);
    if (!me) return;
    const changed = Boolean(me.enrolmentRequired) !== Boolean(this.me?.enrolmentRequired);
    remember(me);
    this.me = me;
    if (changed) {
      // Other pages open (or close): the routes follow.
      this.router?.unsubscribe();
      this.router = null;
    }
  }

  protected updated(): void {
    if (LINK_PAGES[this.path] || (this.checked && !this.me)) {
      void this.nameSignedOutTab();
      return;
    }
    if (this.me && this.outlet && !this.router) this.startRouter(this.me);
    // A session limited to two-factor enrolment gets no live events or device keys (the server refuses them).
    if (this.me?.enrolmentRequired) return;
    if (this.me && !this.events) this.listen();
    if (this.me && !this.device && !this.deviceStarting) {
      this.deviceStarting = true;
      void this.startDevice().finally(() => (this.deviceStarting = false));
    }
  }
  private deviceStarting = false;

  /** Signed out (sign-in, invitation, password pages): the tab is named by the page's heading, in the chosen language. */
  private async nameSignedOutTab() {
    const page = this.renderRoot.firstElementChild as AdminPage | null;
    await page?.updateComplete;
    const heading = page?.shadowRoot?.querySelector('h1')?.textContent?.trim();
    document.title = [heading, this.t('admin.title')].filter(Boolean).join(' · ');
  }

  /** Live notice of patient messages wherever the staff member is in the admin. */
  private listen() {
    this.events = new EventSource('/api/staff/events');
    this.events.addEventListener('message', (e) => {
      const data = JSON.parse((e as MessageEvent<string>).data) as { threadId: string; author: string; kind: string };
      this.live.dispatchEvent(new CustomEvent('sm-thread-event', { detail: data }));
      if (data.author === 'patient' && !location.pathname.startsWith('/admin/inbox')) this.newMessages++;
    });
    // Questionnaire submissions reach the page; a safety flag is announced wherever the staff member is.
    this.events.addEventListener('questionnaire', (e) => {
      const data = JSON.parse((e as MessageEvent<string>).data) as { assignmentId: string; kind: string };
      this.live.dispatchEvent(new CustomEvent('sm-questionnaire-event', { detail: data }));
      if (data.kind === 'safety-flag') this.safetyFlag = true;
    });
  }

  private startRouter(me: Me) {
    // Properties down: each page element is created here and handed what it needs.
    // (The router's union typings lose the `commands` parameter, hence the cast.)
    const page = (path: string, tag: string, load?: NavItem['load']): Route =>
      ({
        path,
        action: async (ctx: { params: Record<string, string> }, commands: Commands) => {
          await load?.();
          const el = commands.component(tag) as AdminPage;
          el.routeParams = { ...ctx.params };
          el.api = this.api;
          el.me = me;
          el.lang = this.uiLang;
          el.live = this.live;
          el.device = this.device;
          return el;
        },
      }) as unknown as Route;
    this.router = new Router(this.outlet);
    void this.router.setRoutes(
      me.enrolmentRequired
        ? [page('/admin/account', 'sm-account-page', () => import('./pages/sm-account-page.js')), { path: '(.*)', redirect: '/admin/account' }]
        : [{ path: '/admin/', redirect: '/admin/inbox' }, page('/admin/inbox/new', 'sm-new-thread-page'), page('/admin/inbox/:id', 'sm-thread-page'), page('/admin/questionnaires/responses/:id/print', 'sm-response-print', () => import('./questionnaires/sm-response-print.js')), ...navFor(me).map((n) => page(n.path, n.tag, n.load)), page('(.*)', 'sm-not-found-page')],
    );
  }

  /** Signed out or session ended: nothing this person kept on the device stays. */
  private async signedOut(ended: boolean) {
    remember(null);
    if (this.device) await this.device.end();
    else await DeviceVault.destroy(STAFF_DEVICE_NAME);
    this.device = null;
    this.events?.close();
    this.events = null;
    this.newMessages = 0;
    this.router?.unsubscribe();
    this.router = null;
    this.me = null;
    this.endedNotice = ended;
  }

  private async signOut() {
    await this.api.logout().catch(() => undefined);
    await this.signedOut(false);
  }

  private reload() {
    if (this.applyUpdate && !this.outdated) this.applyUpdate();
    else location.reload();
  }

  private setLang(lang: Lang) {
    this.uiLang = lang;
    document.documentElement.lang = lang;
    try {
      localStorage.setItem(LANG_KEY, lang);
    } catch {
      // storage blocked: the choice lasts for this page only
    }
    const current = this.outlet?.firstElementChild as AdminPage | null;
    if (current) current.lang = lang;
  }

  private t(key: MessageKey, vars?: Record<string, string | number>) {
    return translate(this.uiLang, key, vars);
  }

  /** Signed in from a link page (an accepted invitation): on to the inbox. */
  private linkSignedIn(me: Me) {
    history.replaceState(null, '', '/admin/inbox');
    this.path = location.pathname;
    remember(me);
    this.me = me;
    this.endedNotice = false;
    this.focusPages = true;
  }

  private linkPage(tag: (typeof LINK_PAGES)[string]) {
    const signedIn = (e: CustomEvent<{ me: Me }>) => this.linkSignedIn(e.detail.me);
    if (tag === 'sm-accept-invitation-page') return html`<sm-accept-invitation-page .api=${this.api} .lang=${this.uiLang} @sm-staff-signed-in=${signedIn}></sm-accept-invitation-page>`;
    if (tag === 'sm-reset-password-page') return html`<sm-reset-password-page .api=${this.api} .lang=${this.uiLang}></sm-reset-password-page>`;
    return html`<sm-forgot-password-page .api=${this.api} .lang=${this.uiLang}></sm-forgot-password-page>`;
  }

  render() {
    const link = LINK_PAGES[this.path];
    if (link) return this.linkPage(link);
    if (!this.checked) return html`<p role="status">${this.t('common.loading')}</p>`;
    if (!this.me) {
      return html`<sm-login-page
        .api=${this.api}
        .lang=${this.uiLang}
        .status=${this.endedNotice ? this.t('admin.sessionExpired') : null}
        @sm-staff-signed-in=${(e: CustomEvent<{ me: Me }>) => (remember(e.detail.me), (this.me = e.detail.me), (this.endedNotice = false), (this.focusPages = true))}
      ></sm-login-page>`;
    }
    const me = this.me;
    // A button, not an in-page link: a #fragment cannot reach into the shadow root.
    return html`<button class="skip secondary" @click=${() => this.renderRoot.querySelector<HTMLElement>('#main')?.focus()}>${this.t('admin.skipToContent')}</button>
      <header>
        <span class="brand">${me.clinic.name} · ${this.t('admin.title')}</span>
        <label>${this.t('admin.language')}
          <select @change=${(e: Event) => this.setLang((e.target as HTMLSelectElement).value as Lang)}>
            <option value="en" ?selected=${this.uiLang === 'en'}>English</option>
            <option value="fr" lang="fr" ?selected=${this.uiLang === 'fr'}>Français</option>
          </select>
        </label>
        <span>${me.staff.name} <button class="secondary" @click=${this.signOut}>${this.t('admin.signOut')}</button></span>
      </header>
      <nav aria-label=${this.t('admin.nav.label')}>
        <ul>
          ${navFor(me).map(
            (n) => html`<li>
              <a href=${n.path} aria-current=${this.path === n.path || this.path.startsWith(`${n.path}/`) ? 'page' : nothing}
                >${this.t(n.label)}${n.path === '/admin/inbox' && this.newMessages ? html` <span class="badge">${this.t('admin.nav.newMessages', { count: this.newMessages })}</span>` : nothing}</a
              >
            </li>`,
          )}
        </ul>
      </nav>
      <main id="main" tabindex="-1" @sm-two-factor-changed=${() => void this.refreshMe()}>
        <sm-app-status .lang=${this.uiLang} .updateReady=${this.applyUpdate !== null} .storageProblem=${this.storageProblem} .outdated=${this.outdated} @sm-reload-requested=${this.reload}></sm-app-status>
        ${this.safetyFlag ? html`<p class="error" role="alert">${this.t('admin.q.flagAlert')} <a href="/admin/questionnaires">${this.t('admin.nav.questionnaires')}</a></p>` : nothing}
        <div id="outlet"></div>
      </main>`;
  }
}

defineOnce('sm-admin-app', SmAdminApp);

declare global {
  interface HTMLElementTagNameMap {
    'sm-admin-app': SmAdminApp;
  }
}
